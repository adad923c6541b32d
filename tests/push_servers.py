"""Real servers that push channels talk to, on 127.0.0.1: an HTTP(S) sink and Mosquitto."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.smtp_servers import LOOPBACK, free_port, wait_for


@dataclass
class Request:
    """One request the sink received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpSink:
    """An HTTP server that records what it is sent; answers `statuses` in turn, then 200."""

    server: ThreadingHTTPServer
    tls: bool
    received: list[Request] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    # A careless server's error page: the request, headers and all, written back.
    echo: bool = False

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{LOOPBACK}:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_http_sink(tls_context: ssl.SSLContext | None = None) -> HttpSink:
    """A recording HTTP server on a free loopback port, with TLS when a context is given."""
    holder: list[HttpSink] = []

    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            sink = holder[0]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            sink.received.append(Request(self.command, self.path, dict(self.headers), body))
            status = sink.statuses.pop(0) if sink.statuses else 200
            answer: dict[str, Any] = {"id": len(sink.received), "code": status}
            if sink.echo:
                answer["error"] = f"{self.requestline} {dict(self.headers)} {body!r}"
            reply = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        do_POST = do_PUT = _record  # noqa: N815 - http.server's names

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    server.daemon_threads = True
    if tls_context is not None:
        server.socket = tls_context.wrap_socket(server.socket, server_side=True)
    sink = HttpSink(server, tls_context is not None)
    holder.append(sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return sink


MOSQUITTO = "/usr/sbin/mosquitto"


@dataclass
class Broker:
    """A Mosquitto broker on a free loopback port."""

    process: subprocess.Popen[bytes]
    port: int

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start_mosquitto(directory: Path) -> Broker:
    """Mosquitto listening on 127.0.0.1 only, anonymous, as .ci/run installs it."""
    port = free_port()
    config = directory / "mosquitto.conf"
    config.write_text(f"listener {port} {LOOPBACK}\nallow_anonymous true\npersistence false\n")
    process = subprocess.Popen(
        [MOSQUITTO, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    broker = Broker(process, port)

    def listening() -> bool:
        try:
            socket.create_connection((LOOPBACK, port), timeout=0.2).close()
        except OSError:
            return False
        return True

    wait_for(listening)
    return broker

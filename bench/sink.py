"""An SMTP server that accepts and counts every message, run in a process of its own.

Usage: python -m bench.sink [--starttls CERT KEY] — prints its port, then serves
until its standard input closes.
"""

from __future__ import annotations

import socket
import ssl
import sys
from typing import Any

from aiosmtpd.controller import Controller


class Sink:
    """Accepts everything."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        return "250 2.0.0 Ok: queued"


def main() -> None:
    """Serve on a free loopback port until stdin closes."""
    options: dict[str, Any] = {}
    if len(sys.argv) == 4 and sys.argv[1] == "--starttls":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        options["tls_context"] = context
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        Sink(), hostname="127.0.0.1", port=port, server_hostname="localhost", **options
    )
    controller.start()
    print(port, flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()

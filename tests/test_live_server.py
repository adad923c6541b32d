"""The server the browser tests use survives a browser that gives up on a response."""

from __future__ import annotations

import gc
import socket
import struct
import time


def test_a_client_that_resets_mid_response_leaves_no_static_file_open(live_url: str) -> None:
    port = int(live_url.rsplit(":", 1)[1])
    for _ in range(20):
        client = socket.create_connection(("127.0.0.1", port))
        # The extra bytes keep the server draining the request when the reset arrives.
        client.sendall(b"GET /static/favicon.svg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nmore")
        time.sleep(0.005)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
    time.sleep(0.3)
    # A file left open is reported when it is collected, and pytest fails the test.
    gc.collect()


def test_the_wrapped_app_still_answers_in_full(live_url: str) -> None:
    port = int(live_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as client:
        client.sendall(b"GET /static/favicon.svg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert body.rstrip().endswith(b"</svg>")

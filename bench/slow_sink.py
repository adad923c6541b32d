"""An SMTP server that waits before every reply, as a server across the internet would.

Usage: python -m bench.slow_sink DELAY_MS — prints its port, serves until its
standard input closes, then prints when each message arrived (Unix time, one
JSON list).
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import time

ANSWERS = {
    b"EHLO": b"250-slow.example.test\r\n250 8BITMIME\r\n",
    b"HELO": b"250 slow.example.test\r\n",
    b"DATA": b"354 End data with <CR><LF>.<CR><LF>\r\n",
    b"QUIT": b"221 Bye\r\n",
}


class SlowServer:
    """Answers every command after `delay` seconds and notes each message's arrival."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.arrivals: list[float] = []

    async def _answer(self, writer: asyncio.StreamWriter, reply: bytes) -> None:
        await asyncio.sleep(self.delay)
        writer.write(reply)
        await writer.drain()

    async def converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One client's conversation, until QUIT or a closed connection."""
        await self._answer(writer, b"220 slow.example.test ESMTP\r\n")
        while line := await reader.readline():
            verb = line[:4].upper()
            await self._answer(writer, ANSWERS.get(verb, b"250 2.0.0 Ok\r\n"))
            if verb == b"QUIT":
                break
            if verb == b"DATA":
                while (await reader.readline()) not in (b".\r\n", b""):
                    pass
                self.arrivals.append(time.time())
                await self._answer(writer, b"250 2.0.0 Ok: queued\r\n")
        writer.close()


async def serve(delay: float) -> None:
    """Serve on a free loopback port until stdin closes, then print the arrivals."""
    server = SlowServer(delay)
    listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
    async with await asyncio.start_server(server.converse, sock=listener):
        print(listener.getsockname()[1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    print(json.dumps(server.arrivals), flush=True)


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]) / 1000))

"""A small HTTP load generator: keep-alive connections in threads, for a fixed time.

Usage: python -m bench.load PORT PATH SECONDS CONNECTIONS [COOKIE] — prints JSON.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time


def _worker(port: int, path: str, cookie: str, until: float, latencies: list[float]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    while time.perf_counter() < until:
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")
        latencies.append(time.perf_counter() - started)
    connection.close()


def main() -> None:
    """Load one path, then print requests per second and latency percentiles."""
    port, path, seconds, connections = (
        int(sys.argv[1]),
        sys.argv[2],
        float(sys.argv[3]),
        int(sys.argv[4]),
    )
    cookie = sys.argv[5] if len(sys.argv) > 5 else ""
    until = time.perf_counter() + seconds
    results: list[list[float]] = [[] for _ in range(connections)]
    threads = [
        threading.Thread(target=_worker, args=(port, path, cookie, until, results[n]))
        for n in range(connections)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(value for result in results for value in result)
    print(
        json.dumps(
            {
                "rps": len(latencies) / elapsed,
                "p50": latencies[len(latencies) // 2],
                "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            }
        )
    )


if __name__ == "__main__":
    main()

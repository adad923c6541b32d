"""Run the benchmarks and print one table each: python -m bench.run [--large] [--only NAME]."""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import sys
import time
from pathlib import Path

from bench import fanout, pages, planning, send_latency, throughput
from bench.common import machine

NOTES = "## What the numbers say"
BENCHMARKS = {
    "fanout": fanout.run,
    "throughput": throughput.run,
    "planning": planning.run,
    "send": send_latency.run,
    "pages": pages.run,
}


def main() -> None:
    """Run the chosen benchmarks; with --write, also record them in bench/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", action="store_true", help="the larger sizes (several minutes)")
    parser.add_argument("--only", choices=sorted(BENCHMARKS), action="append")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    arguments = parser.parse_args()
    logging.disable(logging.WARNING)
    started = datetime.datetime.now(datetime.UTC)
    sections = []
    for name in arguments.only or BENCHMARKS:
        begun = time.perf_counter()
        section = BENCHMARKS[name](arguments.large)
        print(section, flush=True)
        print(f"({name}: {time.perf_counter() - begun:.0f} s)\n", flush=True)
        sections.append(section)
    if arguments.write:
        command = f'make bench ARGS="{" ".join(sys.argv[1:])}"'
        if os.environ.get("DUES_TEST_POSTGRES_URL"):
            command = f"DUES_TEST_POSTGRES_URL=… {command}"
        header = (
            f"# Benchmark results\n\nRun on {started:%Y-%m-%d %H:%M} UTC, {machine()}.\n"
            f"Command: `{command}`.\n\n"
        )
        results = Path(__file__).with_name("RESULTS.md")
        # The written analysis below the tables stays; the tables are replaced.
        kept = results.read_text().partition(NOTES)[2] if results.exists() else ""
        notes = NOTES + kept if kept else ""
        results.write_text(header + "\n".join(sections) + ("\n" + notes if notes else ""))


if __name__ == "__main__":
    main()

"""Ops at scale: how long stats, counts, first pages and the oldest unsettled event take on a
ledger of 100,000 and then 1,000,000 events.

    python -m bench.ops                      # 100k, then 1M (a few minutes, about 2 GB of RAM)
    python -m bench.ops --sizes 20000        # a quick look

A private redis-server is filled by ``bench.ledger_fill`` (a realistic mix of states, types,
handlers and custom_ids), then every question is asked the way ``tlhooks events`` and the
admin API ask it (``tlhooks.ops``), three times; the best time is printed with the answer.
Target: each under 1 s at 1,000,000 events. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.ledger_fill import START, fill
from bench.stack import PrivateRedis
from tlhooks.ledger import EventLedger
from tlhooks.ledger.store import connect
from tlhooks.ops import listing
from tlhooks.ops.housekeeping import stats
from tlhooks.ops.service import build_filter

# (label, what it runs, as the CLI would be asked)
Question = tuple[str, Callable[[EventLedger], str]]


def counted(**filters: Any) -> Callable[[EventLedger], str]:
    def ask(ledger: EventLedger) -> str:
        answer = listing.count(ledger, build_filter(**filters))
        if answer.exact:
            return f"{answer.count:,} (exact)"
        return f">= {answer.count:,}, about {answer.estimate:,} (examined {answer.examined:,})"

    return ask


def first_page(**filters: Any) -> Callable[[EventLedger], str]:
    def ask(ledger: EventLedger) -> str:
        found = listing.page(ledger, build_filter(**filters), limit=50)
        cap = "" if found.complete else ", stopped at the cap"
        return f"{len(found.records)} rows (examined {found.examined:,}{cap})"

    return ask


def stats_line(ledger: EventLedger) -> str:
    data = stats(ledger)
    handlers = sum(sum(states.values()) for states in data["by_handler"].values())
    return f"{data['total']:,} events, {handlers:,} handler outcomes"


def oldest(ledger: EventLedger) -> str:
    found = ledger.oldest_unsettled()
    return "none" if found is None else found[0]


QUESTIONS: list[Question] = [
    ("events stats", stats_line),
    ("oldest unsettled", oldest),
    ("list --status dead --count", counted(status=["dead"])),
    ("list --custom-id 'bench-77*' --count", counted(custom_id="bench-77*")),
    ("list --handler bench.archive --count", counted(handler="bench.archive")),
    (
        "list --status dead --handler bench.archive --count",
        counted(status=["dead"], handler="bench.archive"),
    ),
    ("list --error timeout --count", counted(error="timeout")),
    ("page: --status dead", first_page(status=["dead"])),
    ("page: --status handled", first_page(status=["handled"])),
    ("page: --custom-id 'bench-77*'", first_page(custom_id="bench-77*")),
    ("page: --custom-id '*-77?'", first_page(custom_id="*-77?")),
    (
        "page: --type analyze.task.failed --status failed",
        first_page(event_type="analyze.task.failed", status=["failed"]),
    ),
    (
        "page: --handler bench.archive --since/--until 1 day",
        first_page(handler="bench.archive", since=str(START + 86400), until=str(START + 2 * 86400)),
    ),
    ("page: --status dead --error timeout", first_page(status=["dead"], error="timeout")),
    ("page: --error 'no such text'", first_page(error="no such text")),
]


def best_of(
    times: int, question: Callable[[EventLedger], str], ledger: EventLedger
) -> tuple[float, str]:
    best, answer = float("inf"), ""
    for _ in range(times):
        started = time.perf_counter()
        answer = question(ledger)
        best = min(best, time.perf_counter() - started)
    return best, answer


def report(ledger: EventLedger, size: int, filled_in: float) -> None:
    memory = ledger.client.info("memory")["used_memory_human"]
    print(f"\n{size:,} events (filled in {filled_in:.0f} s; Redis uses {memory})")
    print(f"  {'question':<58} {'best of 3':>10}  answer")
    for label, question in QUESTIONS:
        seconds, answer = best_of(3, question, ledger)
        print(f"  {label:<58} {seconds * 1000:>8.1f} ms  {answer}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="ledger sizes, ascending")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="tlhooks-bench-") as workdir:
        server = PrivateRedis(Path(workdir)).start()
        try:
            ledger = EventLedger(connect(server.url, 60))
            filled = 0
            for size in sizes:
                started = time.perf_counter()
                fill(ledger, filled, size, lambda n: print(f"  ... {n:,} events", flush=True))
                filled = size
                report(ledger, size, time.perf_counter() - started)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

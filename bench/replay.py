"""Bulk replay: how fast ``tlhooks events replay`` queues 10,000 dead events.

    python -m bench.replay [--events 10000]

A private redis-server is filled with dead events (a stored task, one succeeded and one
exhausted handler each, as a handler bug leaves them), then the replay is planned and executed
exactly as the CLI does (``OpsService.plan_replay`` then ``Replayer.execute``). Printed: the
plan time, the queueing rate (target: 1,000 events/s or more) and checks that every event is
``queued`` with a replay id and that the broker queue holds one message per event.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench.stack import PrivateRedis
from tlhooks.ledger import EventLedger, HandlerOutcome, HandlerState
from tlhooks.ledger.store import connect
from tlhooks.ops.replay import ReplayRequest, ReplayStage
from tlhooks.ops.selection import EventFilter
from tlhooks.ops.service import OpsService
from tlhooks.queue.publisher import EventPublisher
from tlhooks.settings import load_settings
from tlhooks.status import EventKind, EventStatus

TASK = {"task_id": "0" * 24, "status": "ready", "result": {"data": "{}", "finish_reason": "stop"}}


def fill(ledger: EventLedger, count: int) -> None:
    """``count`` dead events, written in pipelined batches."""
    for start in range(0, count, 500):
        for n in range(start, min(start + 500, count)):
            event_id = f"whe_bench{n:027d}"
            ledger.accept(
                event_id=event_id,
                kind="ready",
                requested=EventStatus.RECEIVED,
                fields={
                    "event_type": EventKind.READY.value,
                    "task_id": f"{n:024x}",
                    "custom_id": f"bench-{n}",
                    "handlers": ["index", "notify"],
                    "task": {**TASK, "task_id": f"{n:024x}"},
                },
            )
            ledger.begin_run(event_id, "bench-run", 60)  # a run records the outcomes it owns
            ledger.save_outcome(
                event_id,
                HandlerOutcome(handler="index", state=HandlerState.SUCCEEDED, attempts=1),
                "bench-run",
            )
            ledger.save_outcome(
                event_id,
                HandlerOutcome(handler="notify", state=HandlerState.EXHAUSTED, attempts=8),
                "bench-run",
            )
            ledger.transition(event_id, EventStatus.DEAD, "bench: handler 'notify' exhausted")
            ledger.end_run(event_id, "bench-run")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tlhooks-bench-") as workdir:
        redis_server = PrivateRedis(Path(workdir)).start()
        try:
            return run(redis_server.url, args.events)
        finally:
            redis_server.stop()


def run(url: str, count: int) -> int:
    settings = load_settings(redis_url=url)
    ledger = EventLedger(connect(url, 5))
    started = time.perf_counter()
    fill(ledger, count)
    print(f"filled {count} dead events in {time.perf_counter() - started:.1f} s")

    ops = OpsService(ledger, EventPublisher.from_settings(settings))
    started = time.perf_counter()
    plan = ops.plan_replay(
        ReplayRequest(ReplayStage.HANDLERS),
        selection=EventFilter(statuses=frozenset({EventStatus.DEAD})),
    )
    planned = time.perf_counter() - started
    result = ops.replayer.execute(plan)
    rate = result.queued / result.seconds if result.seconds else float("inf")

    print(
        f"plan:    {len(plan.eligible)} events, handlers {dict(plan.handlers)}, in {planned:.2f} s"
    )
    print(f"replay:  {result.queued} queued in {result.seconds:.2f} s = {rate:,.0f} events/s")
    print(f"target:  >= 1,000 events/s  {'PASS' if rate >= 1000 else 'MISS'}")
    print(f"overall: plan + queue = {count / (planned + result.seconds):,.0f} events/s")

    queued = ledger.count_in_status(EventStatus.QUEUED)
    messages = ledger.queue_length(settings.queue)
    sample = ledger.require("whe_bench" + "0" * 27)
    checks = {
        f"every event is queued ({queued}/{count})": queued == count,
        f"one broker message per event ({messages}/{count})": messages == count,
        "replay id recorded on the event": sample.replay_id == plan.replay_id,
        "the succeeded handler is kept, the exhausted one reset": list(sample.outcomes)
        == ["index"],
    }
    for label, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'}  {label}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Redis bytes per event: ``python -m bench.memory [--events N]``.

Events go through the real intake (``receiver.intake.Intake``: the record, its indexes and the
Celery message pushed in the ACCEPT script) and a real worker run (``EventProcessor`` with two
handlers, the API answered by an httpx MockTransport with a time_based_metadata segment result
of the chosen size) on a private redis-server, exactly as in production but without the HTTP
hops. The broker's messages are consumed as a worker would (the list is emptied), so what is
left is what the ledger keeps per settled event. Printed per case: Redis's ``used_memory``
growth per event, measured after 20 warm-up events (the server's first script calls and client
buffers cost ~0.5 MB once, which is no event's cost), and ``MEMORY USAGE`` of one event's own
keys (record, and history, outcomes and deliveries when not compacted; task index); the rest
is its share of the shared indexes. Workers compact handled events as by default
(``TLHOOKS_COMPACT_HANDLED``); ``--no-compact`` measures them whole.

Events settled at intake are measured apart, compacted as the receiver compacts them after its
answer: an ``unmatched`` one (a custom_id no handler matches, a task of its own) and a
``duplicate`` (a second notification for a task whose first event was handled before
measuring); no worker runs them.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.stack import PrivateRedis
from handlers.registry import HandlerRegistry
from receiver.envelope import parse_envelope
from receiver.intake import Intake
from tlhooks.ledger import EventLedger
from tlhooks.ledger.store import connect
from tlhooks.queue.publisher import EventPublisher
from tlhooks.settings import Settings, load_settings
from tlhooks.signing import sign
from workers.client import TwelveLabsClient
from workers.lease import LeaseKeeper
from workers.processor import EventProcessor
from workers.retry import RetryPolicy

SEGMENT = {"start_time": 0.0, "end_time": 4.5, "metadata": {
    "title": "Keeper enters the enclosure with a bucket", "activity": "feeding",
    "people_count": 1, "outdoor": True, "tags": ["keeper", "bucket", "gate"]}}  # fmt: skip


DEFINITION = {"id": "scene", "description": "Contiguous shots showing one activity", "fields": [
    {"name": "title", "type": "string", "description": "Short headline"},
    {"name": "activity", "type": "string", "description": "Main activity"},
    {"name": "people_count", "type": "integer", "description": "People visible"},
    {"name": "outdoor", "type": "boolean", "description": "Outdoor area"},
    {"name": "tags", "type": "array", "description": "Objects",
     "items": {"type": "string"}}]}  # fmt: skip


def segment_result(size: int) -> str:
    """``result.data`` of about ``size`` bytes: one ``scene`` definition's segments."""
    one = len(json.dumps(SEGMENT)) + 1
    return json.dumps({"scene": [SEGMENT] * max(size // one, 1)})


def task_body(task_id: str, custom_id: str, size: int) -> dict[str, object]:
    return {
        "task_id": task_id, "custom_id": custom_id, "status": "ready",
        "created_at": "2026-08-01T09:00:03Z", "completed_at": "2026-08-01T09:02:41Z",
        "request_params": {"analysis_mode": "time_based_metadata", "max_tokens": 32768,
                           "response_format": {"type": "segment_definitions",
                                               "segment_definitions": [DEFINITION]}},
        "result": {"generation_id": f"gen_{task_id[:16]}", "finish_reason": "stop",
                   "usage": {"output_tokens": size // 4, "input_tokens": 48210},
                   "data": segment_result(size)},
        "webhooks": [{"url": "https://hooks.example.com/twelvelabs", "delivered": True,
                      "attempts": 1}],
    }  # fmt: skip


def webhook(task_id: str, custom_id: str) -> bytes:
    body = {"id": f"whe_{uuid.uuid4().hex}", "created_at": datetime.now(UTC).isoformat(),
            "type": "analyze.task.ready",
            "data": {"id": task_id, "custom_id": custom_id, "status": "ready"}}  # fmt: skip
    return json.dumps(body, separators=(",", ":")).encode()


@contextmanager
def private_ledger() -> Iterator[tuple[EventLedger, str]]:
    with tempfile.TemporaryDirectory(prefix="tlhooks-memory-") as scratch:
        server = PrivateRedis(Path(scratch)).start()
        ledger = EventLedger(connect(server.url, 5))
        try:
            yield ledger, server.url
        finally:
            ledger.client.close()
            server.stop()


# Events handled before measuring: the server's first script calls and client buffers cost
# ~0.5 MB once, which is no event's cost.
WARM_UP = 20


def headers_for(body: bytes) -> dict[str, str]:
    return {"tl-signature": sign("whsec_bench", body), "content-type": "application/json",
            "content-length": str(len(body)), "user-agent": "TwelveLabs-Webhooks/1.0"}  # fmt: skip


def own_bytes(ledger: EventLedger, event_id: str, task_id: str) -> int:
    """MEMORY USAGE of an event's own keys and of its task's index."""
    own = sum(
        int(ledger.client.memory_usage(key) or 0)
        for key in ledger.client.scan_iter(match=f"*{event_id}*")
    )
    return own + int(ledger.client.memory_usage(ledger.keys.task_events(task_id)) or 0)


def two_handler_intake(ledger: EventLedger, url: str) -> tuple[Settings, HandlerRegistry, Intake]:
    """The receiver's intake on the bench ledger, two handlers matching ``cam-*``."""
    settings = load_settings(redis_url=url, webhook_secrets=["whsec_bench"])
    registry = HandlerRegistry()
    for name in ("myapp.hooks.index_scenes", "myapp.hooks.notify"):
        registry.register(lambda _ctx: None, name=name, custom_id="cam-*")
    return settings, registry, Intake(ledger, EventPublisher.from_settings(settings), registry)


def run_case(events: int, size: int, policy: str, compact: bool = True) -> dict[str, float]:
    with private_ledger() as (ledger, url):
        settings, registry, intake = two_handler_intake(ledger, url)
        bodies: dict[str, dict[str, object]] = {}

        def answer(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json=bodies[request.url.path.rsplit("/", 1)[1]])

        client = TwelveLabsClient("https://api.test/v1.3", "key",
                                  transport=httpx.MockTransport(answer))  # fmt: skip
        leases = LeaseKeeper(ledger, 30)
        processor = EventProcessor(ledger, client, registry, RetryPolicy(), leases,
                                   settled_results=policy,  # type: ignore[arg-type]
                                   compact_handled=compact)  # fmt: skip
        before = 0
        first = ""
        for number in range(-WARM_UP, events):
            if number == 0:
                ledger.client.delete(settings.queue)
                before = int(ledger.client.info("memory")["used_memory"])
            task_id, custom_id = f"{number % (1 << 96):024x}", f"cam-{number % 500}"
            bodies[task_id] = task_body(task_id, custom_id, size)
            body = webhook(task_id, custom_id)
            outcome = intake.admit(parse_envelope(body), body, headers_for(body))
            processor.process(outcome.event_id)
            bodies.pop(task_id)
            first = first or (outcome.event_id if number >= 0 else "")
        ledger.client.delete(settings.queue)  # the messages a worker would have consumed
        leases.stop()
        after = int(ledger.client.info("memory")["used_memory"])
        own = own_bytes(ledger, first, f"{0:024x}")
        return {"per_event": (after - before) / events, "own_keys": own}


def run_settled_case(events: int, status: str, compact: bool = True) -> dict[str, float]:
    """Per-event bytes of ``unmatched`` or ``duplicate`` events, compacted as the receiver
    compacts them once it has answered (``TLHOOKS_COMPACT_HANDLED``)."""
    with private_ledger() as (ledger, url):
        settings, _registry, intake = two_handler_intake(ledger, url)
        numbers = range(-WARM_UP, events)
        custom = "cam-" if status == "duplicate" else "other-"
        if status == "duplicate":  # the first event of each task, stored before measuring
            for number in numbers:
                task_id = f"{number % (1 << 96):024x}"
                body = webhook(task_id, f"cam-{number % 500}")
                intake.admit(parse_envelope(body), body, headers_for(body))
            ledger.client.delete(settings.queue)
        before = 0
        first = ""
        for number in numbers:
            if number == 0:
                before = int(ledger.client.info("memory")["used_memory"])
            task_id = f"{number % (1 << 96):024x}"
            body = webhook(task_id, f"{custom}{number % 500}")
            outcome = intake.admit(parse_envelope(body), body, headers_for(body))
            assert outcome.status.value == status, outcome
            if compact and outcome.settled_at_intake:
                ledger.compact(outcome.event_id)
            first = first or (outcome.event_id if number >= 0 else "")
        after = int(ledger.client.info("memory")["used_memory"])
        own = own_bytes(ledger, first, f"{0:024x}")
        return {"per_event": (after - before) / events, "own_keys": own}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument(
        "--no-compact", action="store_true", help="as with TLHOOKS_COMPACT_HANDLED=false"
    )
    args = parser.parse_args()
    compacted = "not compacted" if args.no_compact else "compacted"
    print(f"Redis bytes per handled event ({compacted}), {args.events:,} events per case")
    print(f"{'result.data':>12}  {'policy':<6} {'per event':>11} {'own keys':>10}  time")
    for size in (200, 20_000, 200_000):
        for policy in ("drop", "keep"):
            count = args.events if size < 100_000 or policy == "drop" else args.events // 4
            started = time.monotonic()
            figures = run_case(count, size, policy, compact=not args.no_compact)
            print(
                f"{size:>12,}  {policy:<6} {figures['per_event']:>9,.0f} B "
                f"{figures['own_keys']:>8,.0f} B  {time.monotonic() - started:.1f} s"
            )
    print(f"\nRedis bytes per event settled at intake ({compacted}), {args.events:,} events")
    print(f"{'status':>12}  {'':<6} {'per event':>11} {'own keys':>10}  time")
    for status in ("unmatched", "duplicate"):
        started = time.monotonic()
        figures = run_settled_case(args.events, status, compact=not args.no_compact)
        print(
            f"{status:>12}  {'':<6} {figures['per_event']:>9,.0f} B "
            f"{figures['own_keys']:>8,.0f} B  {time.monotonic() - started:.1f} s"
        )


if __name__ == "__main__":
    main()

"""The Reconciler in process: the real ledger on the test Redis, the API on MockTransport.

Lone tasks past their grace are looked up and, finished, get an event of their own; batches
are polled, their results lines stored, their items reconciled or canceled, and a finished
batch whose items all settled admits its completion event once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from handlers.registry import HandlerRegistry
from tests.support.processes import RedisServer
from tlhooks.api.client import TwelveLabsClient
from tlhooks.ledger import EventLedger
from tlhooks.ledger.expectations import BatchRecord, Expectation
from tlhooks.queue.publisher import EventPublisher
from tlhooks.settings import load_settings
from tlhooks.status import EventStatus
from workers.batch_completion import BatchCompletions
from workers.reconciled_events import ReconciledEvents
from workers.reconciler import Reconciler

NOW = 1_800_000_000.0
GRACE = 60.0
T1, T2, T3 = "aa" * 12, "bb" * 12, "cc" * 12
BATCH = "0123456789abcdef01234567"
DONE = "2027-01-15T07:00:00Z"  # an hour before NOW: long past the grace

Answer = Callable[[httpx.Request], httpx.Response]


class FakeApi:
    """Answers by path from ``routes`` (a path -> response function), counting the calls."""

    def __init__(self, routes: dict[str, Answer]) -> None:
        self.routes = routes
        self.paths: list[str] = []

    def client(self) -> TwelveLabsClient:
        def answer(request: httpx.Request) -> httpx.Response:
            path = request.url.path.removeprefix("/v1.3")
            self.paths.append(path)
            return self.routes[path](request)

        return TwelveLabsClient(
            "https://api.test/v1.3", "key", transport=httpx.MockTransport(answer)
        )


def task(task_id: str, status: str = "ready", completed_at: str | None = DONE) -> Answer:
    body: dict[str, Any] = {"task_id": task_id, "custom_id": "ads-1", "status": status}
    if completed_at:
        body["completed_at"] = completed_at
    if status == "ready":
        body["result"] = {"data": "a summary", "finish_reason": "stop"}
    body["webhooks"] = [{"url": "https://hooks.test", "delivered": False, "attempts": 3}]
    return lambda _r: httpx.Response(200, json=body)


def batch(status: str, **items: int) -> Answer:
    body = {"batch_id": BATCH, "status": status, "expires_at": "2027-01-16T08:00:00Z",
            **{f"{state}_items": n for state, n in items.items()}}  # fmt: skip
    return lambda _r: httpx.Response(200, json=body)


def results(*lines: dict[str, Any]) -> Answer:
    text = "\n".join(json.dumps(line) for line in lines) + "\nnot json\n"
    return lambda _r: httpx.Response(200, text=text, headers={"content-type": "application/jsonl"})


@pytest.fixture
def registry() -> HandlerRegistry:
    handlers = HandlerRegistry()
    handlers.register(lambda _ctx: None, name="on_ready", custom_id="ads-*", on="both")
    return handlers


@pytest.fixture
def build(
    ledger: EventLedger, redis_server: RedisServer, registry: HandlerRegistry
) -> Iterator[Callable[..., Reconciler]]:
    publisher = EventPublisher.from_settings(load_settings(redis_url=redis_server.url))

    def make(api: FakeApi, clock: float = NOW, completions: bool = False) -> Reconciler:
        events = ReconciledEvents(ledger, publisher, registry)
        done = BatchCompletions(ledger, publisher, registry) if completions else None
        return Reconciler(
            ledger, api.client(), events, GRACE, 5.0, clock=lambda: clock, completions=done
        )

    yield make
    publisher.close()


def expect(ledger: EventLedger, *task_ids: str) -> None:
    ledger.expect(
        [Expectation(task_id=t, custom_id="ads-1", submitted_at=NOW - 3600) for t in task_ids],
        due=NOW - 1,
    )


def expect_batch(ledger: EventLedger, *task_ids: str) -> None:
    items = [
        Expectation(task_id=t, custom_id=f"ads-{n}", batch_id=BATCH, submitted_at=NOW - 3600)
        for n, t in enumerate(task_ids)
    ]
    record = BatchRecord(batch_id=BATCH, submitted_at=NOW - 3600, total=len(items))
    ledger.expect(items, due=NOW - 1, batch=record)
    ledger.schedule_batch_poll(BATCH, NOW - 1)


# Lone tasks ---------------------------------------------------------------------------------


def test_a_finished_task_whose_webhook_never_came_gets_a_reconciled_event(
    ledger: EventLedger, build: Callable[..., Reconciler]
) -> None:
    expect(ledger, T1)
    api = FakeApi({f"/analyze/tasks/{T1}": task(T1)})

    report = build(api).reconcile()

    assert (report.looked_up, report.reconciled) == (1, 1)
    event = ledger.require(f"rec_{T1}")
    assert event.status is EventStatus.QUEUED
    assert event.reconciled
    assert event.task is not None
    found = ledger.expectation(T1)
    assert found is not None
    assert (found.state, found.event_id) == ("reconciled", f"rec_{T1}")
    assert found.webhooks == [{"url": "https://hooks.test", "delivered": False, "attempts": 3}]


def test_a_task_whose_webhook_came_is_closed_without_an_api_call(
    ledger: EventLedger, build: Callable[..., Reconciler]
) -> None:
    expect(ledger, T1)
    ledger.accept(
        event_id="whe_1",
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": T1, "handlers": ["on_ready"]},
    )
    api = FakeApi({})

    report = build(api).reconcile()

    assert (report.webhooks, api.paths) == (1, [])
    found = ledger.expectation(T1)
    assert found is not None
    assert (found.state, found.event_id) == ("webhook", "whe_1")


@pytest.mark.parametrize(
    ("answer", "due"),
    [
        (task(T1, status="processing", completed_at=None), NOW + GRACE),  # still running
        (task(T1, completed_at="2027-01-15T07:59:50Z"), NOW - 10 + GRACE),  # just finished
        (lambda _r: httpx.Response(500, json={"message": "oops"}), NOW + GRACE),  # API failed
    ],
    ids=["running", "just-finished", "api-error"],
)
def test_a_task_not_to_be_reconciled_yet_is_looked_up_again_later(
    ledger: EventLedger, build: Callable[..., Reconciler], answer: Answer, due: float
) -> None:
    expect(ledger, T1)

    report = build(FakeApi({f"/analyze/tasks/{T1}": answer})).reconcile()

    assert report.reconciled == 0
    assert ledger.get(f"rec_{T1}") is None
    assert ledger.due_expectations(due - 1) == []
    assert ledger.due_expectations(due + 1) == [T1]


def test_a_429_ends_the_tick_quietly_and_frees_the_lock(
    ledger: EventLedger, build: Callable[..., Reconciler]
) -> None:
    expect(ledger, T1, T2)
    api = FakeApi({f"/analyze/tasks/{t}": lambda _r: httpx.Response(429) for t in (T1, T2)})
    reconciler = build(api)

    first, second = reconciler.reconcile(), reconciler.reconcile()

    assert (first.reconciled, first.skipped, second.skipped) == (0, False, False)
    assert ledger.expectation(T1) is not None


def test_a_tick_while_another_holds_the_lock_is_skipped(
    ledger: EventLedger, build: Callable[..., Reconciler]
) -> None:
    expect(ledger, T1)
    ledger.client.set(ledger.keys.reconcile_lock, "someone", px=60_000)
    api = FakeApi({})

    assert build(api).reconcile().skipped
    assert api.paths == []


# Batches ------------------------------------------------------------------------------------


def test_a_batch_poll_stores_finished_lines_and_reconciles_them_after_the_grace(
    ledger: EventLedger, build: Callable[..., Reconciler]
) -> None:
    expect_batch(ledger, T1, T2, T3)
    lines = (
        {"task_id": T1, "custom_id": "ads-0", "status": "ready",
         "data": {"data": "one", "finish_reason": "stop"}},
        {"task_id": T2, "custom_id": "ads-1", "status": "failed",
         "error": {"message": "asset_unavailable"}},
        {"task_id": T3, "custom_id": "ads-2", "status": "processing"},
    )  # fmt: skip
    api = FakeApi(
        {
            f"/analyze/batches/{BATCH}": batch("processing", ready=1, failed=1),
            f"/analyze/batches/{BATCH}/results": results(*lines),
        }
    )

    first = build(api).reconcile()  # the lines are new: seen now, reconciled after the grace
    later = build(api, clock=NOW + GRACE + 1).reconcile()

    assert (first.batches_polled, first.results_read, first.reconciled) == (1, 1, 0)
    assert later.reconciled == 2
    assert ledger.require(f"rec_{T1}").task is not None
    failed = ledger.require(f"rec_{T2}")
    assert failed.event_type == "analyze.task.failed"
    states = {e.task_id: e.state for e in ledger.expectations([T1, T2, T3])}
    assert states == {T1: "reconciled", T2: "reconciled", T3: "expected"}
    assert api.paths.count(f"/analyze/batches/{BATCH}/results") == 1  # nothing new to read


def test_canceled_items_of_an_expired_batch_are_recorded_and_the_batch_completes_once(
    ledger: EventLedger, build: Callable[..., Reconciler], registry: HandlerRegistry
) -> None:
    registry.register(lambda _ctx: None, name="on_batch", custom_id="ads-*", on="batch")
    expect_batch(ledger, T1, T2)
    for task_id in (T1,):
        ledger.accept(
            event_id="whe_1",
            kind="ready",
            requested=EventStatus.HANDLED,
            fields={"event_type": "analyze.task.ready", "task_id": task_id, "handlers": []},
        )
    api = FakeApi(
        {
            f"/analyze/batches/{BATCH}": batch("expired", ready=1, canceled=1),
            f"/analyze/batches/{BATCH}/results": results(
                {"task_id": T1, "status": "ready", "data": {"data": "x", "finish_reason": "stop"}},
                {"task_id": T2, "status": "canceled"},
            ),
        }
    )
    reconciler = build(api, completions=True)

    report = reconciler.reconcile()
    again = reconciler.reconcile()

    assert (report.webhooks, report.canceled, report.completed) == (1, 1, 1)
    states = {e.task_id: e.state for e in ledger.expectations([T1, T2])}
    assert states == {T1: "webhook", T2: "canceled"}
    assert ledger.require(f"bat_{BATCH}").status is EventStatus.QUEUED
    assert again.batches_polled == 0  # done: no further poll
    record = ledger.batch_record(BATCH)
    assert record is not None
    assert record.done_at == NOW


def test_a_batch_poll_that_fails_is_tried_again_one_interval_later(
    ledger: EventLedger, build: Callable[..., Reconciler]
) -> None:
    expect_batch(ledger, T1)
    api = FakeApi({f"/analyze/batches/{BATCH}": lambda _r: httpx.Response(503)})

    report = build(api).reconcile()

    assert report.batches_polled == 0
    assert ledger.due_batches(NOW + 4) == []
    assert ledger.due_batches(NOW + 6) == [BATCH]

"""BatchResultsReader: one results read serves every run of a batch (real ledger, fake API)."""

from __future__ import annotations

import json

import httpx

from tlhooks.ledger import EventLedger
from tlhooks.ledger.expectations import BatchRecord, Expectation
from tlhooks.rate_budget import RateBudget
from tlhooks.status import EventStatus
from workers.batch_results import DEFERRED, BatchResultsReader
from workers.client import TwelveLabsClient
from workers.pacing import Pacer

TASKS = ["t1", "t2", "t3"]


class ResultsApi:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def client(self) -> TwelveLabsClient:
        def answer(request: httpx.Request) -> httpx.Response:
            self.calls.append(request.url.path)
            lines = [{"task_id": t, "status": "ready", "data": {"data": "x"}} for t in TASKS[:2]]
            lines.append({"task_id": "t3", "status": "processing"})
            return httpx.Response(200, text="\n".join(json.dumps(line) for line in lines))

        return TwelveLabsClient("https://api.test/v1.3", "k", transport=httpx.MockTransport(answer))


def reader(ledger: EventLedger, api: ResultsApi) -> BatchResultsReader:
    pacer = Pacer(ledger, RateBudget(ledger, per_minute=0))
    return BatchResultsReader(ledger, api.client(), pacer, wait=0.2)


def a_batch(ledger: EventLedger) -> list[Expectation]:
    items = [Expectation(task_id=t, batch_id="b" * 24, submitted_at=1.0) for t in TASKS]
    record = BatchRecord(batch_id="b" * 24, submitted_at=1.0, total=3)
    ledger.expect(items, due=2.0, batch=record)
    for task_id in TASKS:
        fields = {"event_type": "analyze.task.ready", "task_id": task_id, "handlers": ["h"]}
        event_id = f"whe_{task_id}"
        ledger.accept(
            event_id=event_id, kind="ready", requested=EventStatus.RECEIVED, fields=fields
        )
        ledger.transition(event_id, EventStatus.FETCHING)
    return items


def test_the_first_run_reads_the_results_once_and_stores_every_finished_line(
    ledger: EventLedger,
) -> None:
    items = a_batch(ledger)
    api = ResultsApi()

    line = reader(ledger, api).line_for(items[0], "whe_t1")
    second = ledger.expectation("t2")

    assert isinstance(line, dict)
    assert line["task_id"] == "t1"
    assert api.calls == [f"/v1.3/analyze/batches/{'b' * 24}/results"]
    assert second is not None
    assert second.result_line is not None
    assert ledger.expectation("t3").result_line is None  # type: ignore[union-attr]


def test_a_run_finding_the_read_taken_waits_for_its_line_without_a_call(
    ledger: EventLedger,
) -> None:
    items = a_batch(ledger)
    api = ResultsApi()
    reader(ledger, api).line_for(items[0], "whe_t1")

    line = reader(ledger, api).line_for(items[1], "whe_t2")

    assert isinstance(line, dict)
    assert line["task_id"] == "t2"
    assert len(api.calls) == 1


def test_a_run_whose_line_does_not_come_goes_back_to_wait_without_an_attempt(
    ledger: EventLedger,
) -> None:
    items = a_batch(ledger)
    api = ResultsApi()
    reader(ledger, api).line_for(items[0], "whe_t1")

    outcome = reader(ledger, api).line_for(items[2], "whe_t3")

    assert outcome == DEFERRED
    event = ledger.require("whe_t3")
    assert (event.status, event.attempts) == (EventStatus.QUEUED, 0)
    assert event.next_attempt_at is not None
    assert len(api.calls) == 1


def test_a_line_is_dropped_once_the_event_holds_the_task(ledger: EventLedger) -> None:
    items = a_batch(ledger)
    reader(ledger, ResultsApi()).line_for(items[0], "whe_t1")

    ledger.drop_result_line("t2")
    ledger.store_result_lines({"t2": {"task_id": "t2", "status": "ready"}}, 1.0)

    assert ledger.expectation("t2").result_line is None  # type: ignore[union-attr]

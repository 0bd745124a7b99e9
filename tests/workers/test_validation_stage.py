"""The validation stage on a task whose own response format cannot be read: the event is
quarantined as invalid, saying why, and the run does not crash."""

from __future__ import annotations

from handlers.registry import HandlerRegistry
from tests.workers.processor_api import Build, FakeApi, ok, stored, task
from tlhooks.analysis import AnalyzeTask
from tlhooks.ledger import EventLedger
from tlhooks.status import EventStatus
from workers.validation_stage import VerdictStatus, judge

UNREADABLE = {"analysis_mode": "time_based_metadata",
              "response_format": {"type": "segment_definitions"}}  # fmt: skip


def test_a_response_format_that_cannot_be_read_gives_an_invalid_verdict() -> None:
    verdict = judge(AnalyzeTask.model_validate(task(request_params=UNREADABLE)), {})

    assert verdict.status is VerdictStatus.INVALID
    assert "response_format cannot be read" in verdict.summary
    assert verdict.record["errors"][0]["path"] == "$.request_params.response_format"


def test_such_an_event_is_quarantined_not_crashed(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    ran: list[object] = []
    registry.register(ran.append, name="h")
    stored(ledger)

    outcome = build(FakeApi(ok(task(request_params=UNREADABLE)))).process("e1")

    assert outcome == "invalid"
    event = ledger.require("e1")
    assert event.status is EventStatus.INVALID
    assert "cannot be read" in (event.last_error or "")
    assert ran == []

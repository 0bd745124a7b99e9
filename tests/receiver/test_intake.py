"""Intake with a separate broker, on a real Redis: one message per event, no state undone.

The publisher is a fake that records each message and can run a step "while the message is on
its way" — a worker moving the event on, a second delivery arriving — so every interleaving is
deterministic. The ledger and its scripts are the real thing under test.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from handlers.registry import HandlerRegistry
from receiver.envelope import parse_envelope
from receiver.intake import Intake
from receiver.metrics import REUSED_IDS
from tlhooks.errors import StorageUnavailable
from tlhooks.ledger import EventLedger
from tlhooks.status import EventStatus


class RecordingPublisher:
    """Stands in for EventPublisher with a separate broker (``inline`` is False)."""

    inline = False
    queue = "tlhooks"

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.during: Callable[[str], None] | None = None
        self.fail = False

    def wire_message(self, event_id: str) -> str:
        return event_id

    def publish(self, event_id: str) -> None:
        if self.fail:
            raise StorageUnavailable("The broker did not accept the event: it is down.")
        self.messages.append(event_id)
        step, self.during = self.during, None
        if step is not None:
            step(event_id)


def body(task_id: str = "t1", event_id: str | None = None, custom_id: str = "cam-1") -> bytes:
    data = {
        "id": event_id or f"whe_{uuid.uuid4().hex}",
        "created_at": datetime.now(UTC).isoformat(),
        "type": "analyze.task.ready",
        "data": {"id": task_id, "custom_id": custom_id, "status": "ready"},
    }
    return json.dumps(data).encode()


@pytest.fixture
def publisher() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def intake(ledger: EventLedger, publisher: RecordingPublisher) -> Intake:
    registry = HandlerRegistry()
    registry.register(lambda context: None, name="h")
    return Intake(ledger, publisher, registry)  # type: ignore[arg-type]


def admit(intake: Intake, raw: bytes) -> EventStatus:
    return intake.admit(parse_envelope(raw), raw, {}).status


def test_a_worker_that_moved_on_before_the_queued_mark_keeps_its_state(
    intake: Intake, publisher: RecordingPublisher, ledger: EventLedger
) -> None:
    raw = body()
    event_id = parse_envelope(raw).id

    def worker_takes_it(event: str) -> None:
        ledger.transition(event, EventStatus.FETCHING)
        ledger.transition(event, EventStatus.HANDLING, "task retrieved")

    publisher.during = worker_takes_it
    assert admit(intake, raw) is EventStatus.QUEUED

    assert ledger.require(event_id).status is EventStatus.HANDLING
    ledger.transition(event_id, EventStatus.HANDLED)
    assert ledger.require(event_id).status is EventStatus.HANDLED


def test_a_failed_fetch_before_the_queued_mark_can_still_schedule_its_retry(
    intake: Intake, publisher: RecordingPublisher, ledger: EventLedger
) -> None:
    raw = body()
    event_id = parse_envelope(raw).id

    def fetch_fails(event: str) -> None:
        ledger.transition(event, EventStatus.FETCHING)
        ledger.transition(event, EventStatus.FAILED, "HTTP 503")

    publisher.during = fetch_fails
    admit(intake, raw)

    assert ledger.require(event_id).status is EventStatus.FAILED
    ledger.transition(event_id, EventStatus.QUEUED, "retry due")


def test_a_duplicate_arriving_while_the_first_delivery_publishes_publishes_nothing(
    intake: Intake, publisher: RecordingPublisher, ledger: EventLedger
) -> None:
    raw = body()
    seen: list[EventStatus] = []
    publisher.during = lambda _event: seen.append(admit(intake, raw))

    assert admit(intake, raw) is EventStatus.QUEUED

    assert seen == [EventStatus.DUPLICATE]
    assert publisher.messages == [parse_envelope(raw).id]
    assert ledger.require(parse_envelope(raw).id).status is EventStatus.QUEUED


def test_a_queued_event_delivered_again_publishes_nothing(
    intake: Intake, publisher: RecordingPublisher
) -> None:
    raw = body()
    statuses = [admit(intake, raw) for _ in range(5)]

    assert statuses == [EventStatus.QUEUED] + [EventStatus.DUPLICATE] * 4
    assert len(publisher.messages) == 1


def test_a_failed_publish_keeps_the_event_and_the_redelivery_publishes_it(
    intake: Intake, publisher: RecordingPublisher, ledger: EventLedger
) -> None:
    raw = body()
    event_id = parse_envelope(raw).id
    publisher.fail = True
    with pytest.raises(StorageUnavailable):
        admit(intake, raw)
    assert ledger.require(event_id).status is EventStatus.RECEIVED

    publisher.fail = False
    assert admit(intake, raw) is EventStatus.QUEUED

    assert publisher.messages == [event_id]
    assert ledger.require(event_id).status is EventStatus.QUEUED


def test_a_redelivery_while_a_dead_publisher_holds_the_claim_leaves_it_to_the_sweeper(
    intake: Intake, publisher: RecordingPublisher, ledger: EventLedger
) -> None:
    raw = body()
    envelope = parse_envelope(raw)
    # A receiver that died between storing and publishing: its claim is still held.
    ledger.accept(
        event_id=envelope.id,
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={"event_type": envelope.type, "task_id": "t1", "handlers": ["h"]},
        publish_claim=("dead-receiver", 30),
    )

    assert admit(intake, raw) is EventStatus.DUPLICATE

    assert publisher.messages == []
    assert ledger.require(envelope.id).status is EventStatus.RECEIVED  # the sweeper's to queue


def test_the_queued_mark_changes_nothing_once_the_event_has_moved_on(ledger: EventLedger) -> None:
    ledger.accept(
        event_id="e1",
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": "t1", "handlers": ["h"]},
        publish_claim=("token", 30),
    )
    ledger.transition("e1", EventStatus.FETCHING)
    history = len(ledger.require("e1").history)

    assert ledger.mark_published("e1", "token") is EventStatus.FETCHING

    record = ledger.require("e1")
    assert record.status is EventStatus.FETCHING
    assert len(record.history) == history
    assert ledger.client.exists(ledger.keys.publishing("e1")) == 0


def test_an_id_seen_again_with_another_body_is_recorded_counted_and_keeps_the_first_body(
    intake: Intake, ledger: EventLedger
) -> None:
    first = body(event_id="whe_reused", custom_id="cam-1")
    second = body(event_id="whe_reused", custom_id="cam-2")
    before = REUSED_IDS._value.get()

    admit(intake, first)
    admit(intake, first)
    outcome = intake.admit(parse_envelope(second), second, {})

    assert outcome.status is EventStatus.DUPLICATE
    assert not outcome.same_body
    assert REUSED_IDS._value.get() == before + 1
    record = ledger.require("whe_reused")
    assert record.body == first.decode()
    assert record.custom_id == "cam-1"
    assert record.deliveries == 3
    assert record.reused_deliveries == 1
    assert [d.same for d in record.delivery_log] == [True, True, False]
    assert len({d.body_sha256 for d in record.delivery_log}) == 2
    assert ledger.client.zscore(ledger.keys.reused, "whe_reused") is not None

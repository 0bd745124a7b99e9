"""The sweeper against runs that move between its look and its move, on a real Redis.

The sweeper lists candidates, then rescues each in a script that re-checks everything. A run
that claims an event between those two steps is forced here by wrapping the listing, so each
race is deterministic. The clock runs ahead of the ledger's (real) one by a chosen amount.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from tests.support.processes import RedisServer
from tlhooks.ledger import EventLedger
from tlhooks.queue.publisher import EventPublisher
from tlhooks.settings import load_settings
from tlhooks.status import EventStatus
from workers.retry import RetryPolicy
from workers.sweeper import Sweeper

STALE_AFTER = 600.0
POLICY = RetryPolicy(max_attempts=2, base_delay=1.0, max_delay=60.0)


class SeparateBroker:
    """Stands in for EventPublisher with a broker apart from the ledger (``inline`` False)."""

    inline = False
    queue = "tlhooks"

    def __init__(self) -> None:
        self.published: list[str] = []

    def wire_message(self, event_id: str) -> str:
        return event_id

    def publish(self, event_id: str) -> None:
        self.published.append(event_id)

    def backlog(self) -> int:
        """Messages waiting in its queue: none, a worker takes each at once here (the sweeper
        with a backlog is tests/workers/test_sweeper_backlog.py)."""
        return 0


SweeperAt = Callable[..., Sweeper]


@pytest.fixture
def sweeper_at(ledger: EventLedger, redis_server: RedisServer) -> Iterator[SweeperAt]:
    """Sweepers whose clock runs ``ahead`` seconds past the ledger's, on the inline broker."""
    publisher = EventPublisher.from_settings(load_settings(redis_url=redis_server.url))

    def build(ahead: float = 0.0, broker: object | None = None) -> Sweeper:
        return Sweeper(
            ledger,
            broker or publisher,  # type: ignore[arg-type]
            POLICY,
            stale_after=STALE_AFTER,
            clock=lambda: time.time() + ahead,
            retention_days=1.0,
        )

    yield build
    publisher.close()


def stored(ledger: EventLedger, event_id: str, *path: EventStatus) -> None:
    ledger.accept(
        event_id=event_id,
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": "t1", "handlers": ["h"]},
    )
    ledger.client.delete(ledger.keys.publishing(event_id))  # its publisher died: claim lapsed
    for step in path:
        ledger.transition(event_id, step)


def queue_length(ledger: EventLedger) -> int:
    return int(ledger.client.llen("tlhooks"))


def claim_right_after_listing(
    ledger: EventLedger, monkeypatch: pytest.MonkeyPatch, event_id: str, *moves: EventStatus
) -> None:
    """A run claims ``event_id`` (and makes ``moves``) once the sweeper has listed it."""
    listing = ledger.ids_in_status
    raced: list[str] = []

    def list_then_race(status: EventStatus, **how: float) -> list[str]:
        found = listing(status, **how)
        if event_id in found and not raced:
            raced.append(event_id)
            assert ledger.begin_run(event_id, "racing-run", 30).outcome == "claimed"
            for move in moves:
                ledger.transition(event_id, move)
        return found

    monkeypatch.setattr(ledger, "ids_in_status", list_then_race)


def test_a_stale_received_event_is_queued_with_its_message(
    ledger: EventLedger, sweeper_at: SweeperAt
) -> None:
    stored(ledger, "lost")

    report = sweeper_at(STALE_AFTER + 60).sweep()

    assert report.rescued == 1
    assert ledger.require("lost").status is EventStatus.QUEUED
    assert queue_length(ledger) == 1


@pytest.mark.parametrize("path", [(), (EventStatus.QUEUED,)], ids=["received", "queued"])
def test_a_stale_waiting_event_is_published_once_through_a_separate_broker(
    ledger: EventLedger, sweeper_at: SweeperAt, path: tuple[EventStatus, ...]
) -> None:
    stored(ledger, "lost", *path)
    status = path[-1] if path else EventStatus.RECEIVED
    # entered long ago by the ledger's clock, so the sweep's own move is fresh by both clocks
    ledger.client.zadd(ledger.keys.by_status(status), {"lost": time.time() - STALE_AFTER - 60})
    broker = SeparateBroker()

    report = sweeper_at(0, broker).sweep()

    assert report.rescued == 1
    assert broker.published == ["lost"]
    assert ledger.require("lost").status is EventStatus.QUEUED
    assert queue_length(ledger) == 0


def test_a_run_that_claims_between_the_sweeps_look_and_its_rescue_is_not_flipped(
    ledger: EventLedger, sweeper_at: SweeperAt, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored(ledger, "raced", EventStatus.QUEUED)
    claim_right_after_listing(ledger, monkeypatch, "raced")

    report = sweeper_at(STALE_AFTER + 60).sweep()

    assert report.rescued == 0
    event = ledger.require("raced")
    assert (event.status, event.requeues) == (EventStatus.QUEUED, 0)
    assert queue_length(ledger) == 0


def test_a_run_that_moves_an_event_on_between_look_and_rescue_keeps_its_state(
    ledger: EventLedger, sweeper_at: SweeperAt, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored(ledger, "raced", EventStatus.QUEUED)
    claim_right_after_listing(ledger, monkeypatch, "raced", EventStatus.FETCHING)

    report = sweeper_at(STALE_AFTER + 60).sweep()

    assert report.rescued == 0
    assert ledger.require("raced").status is EventStatus.FETCHING
    assert queue_length(ledger) == 0


def test_a_scheduled_retry_is_published_only_once_it_is_due(
    ledger: EventLedger, sweeper_at: SweeperAt
) -> None:
    stored(ledger, "retry", EventStatus.QUEUED, EventStatus.FETCHING, EventStatus.FAILED)
    ledger.schedule("retry", time.time() - 1)  # due by the ledger's clock, which scripts check

    early = sweeper_at(-30).sweep()  # a sweeper whose clock says it is not yet due
    assert early.published == 0
    assert ledger.require("retry").status is EventStatus.FAILED

    due = sweeper_at(0).sweep()
    assert due.published == 1
    assert ledger.require("retry").status is EventStatus.QUEUED
    assert ledger.client.zscore(ledger.keys.schedule, "retry") is None
    assert queue_length(ledger) == 1


def test_a_due_retry_goes_out_through_a_separate_broker_once(
    ledger: EventLedger, sweeper_at: SweeperAt
) -> None:
    stored(ledger, "retry", EventStatus.QUEUED, EventStatus.FETCHING, EventStatus.FAILED)
    ledger.schedule("retry", time.time())
    broker = SeparateBroker()

    assert sweeper_at(1, broker).sweep().published == 1
    assert sweeper_at(2, broker).sweep().published == 0
    assert broker.published == ["retry"]


def test_a_due_retry_whose_event_a_run_holds_stays_scheduled(
    ledger: EventLedger, sweeper_at: SweeperAt
) -> None:
    stored(ledger, "retry", EventStatus.QUEUED, EventStatus.FETCHING, EventStatus.FAILED)
    ledger.schedule("retry", time.time())
    ledger.begin_run("retry", "live-run", 30)

    assert sweeper_at(1).sweep().published == 0
    assert ledger.require("retry").status is EventStatus.FAILED
    assert queue_length(ledger) == 0


def test_an_event_rescued_past_the_attempt_limit_is_dead_and_counted(
    ledger: EventLedger, sweeper_at: SweeperAt
) -> None:
    stored(ledger, "loop")
    ledger.update("loop", requeues=POLICY.max_attempts)

    report = sweeper_at(STALE_AFTER + 60).sweep()

    assert (report.rescued, report.dead) == (0, 1)
    event = ledger.require("loop")
    assert event.status is EventStatus.DEAD
    assert event.last_error is not None
    assert "re-queued this event 2 times" in event.last_error


def test_a_sweep_expires_settled_events_past_retention_and_reports_it(
    ledger: EventLedger, sweeper_at: SweeperAt
) -> None:
    stored(ledger, "old", EventStatus.QUEUED, EventStatus.FETCHING, EventStatus.HANDLING)
    ledger.transition("old", EventStatus.HANDLED)

    assert sweeper_at(3600).sweep().expired == 0
    assert sweeper_at(2 * 86_400).sweep().expired == 1
    assert ledger.get("old") is None

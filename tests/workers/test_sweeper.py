"""The sweeper against a real Redis: dead runs come back at once, live ones are left alone."""

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


@pytest.fixture
def sweeper(ledger: EventLedger, redis_server: RedisServer) -> Iterator[Sweeper]:
    settings = load_settings(redis_url=redis_server.url)
    publisher = EventPublisher.from_settings(settings)
    yield Sweeper(ledger, publisher, RetryPolicy.from_settings(settings), stale_after=3600)
    publisher.close()


STALE_AFTER = 3600.0


@pytest.fixture
def sweeper_at(
    ledger: EventLedger, redis_server: RedisServer
) -> Iterator[Callable[[float], Sweeper]]:
    """Sweepers whose clock runs ``ahead`` seconds past the real one (the ledger's clock)."""
    settings = load_settings(redis_url=redis_server.url)
    publisher = EventPublisher.from_settings(settings)

    def build(ahead: float) -> Sweeper:
        policy = RetryPolicy.from_settings(settings)
        clock = lambda: time.time() + ahead  # noqa: E731
        return Sweeper(ledger, publisher, policy, stale_after=STALE_AFTER, clock=clock)

    yield build
    publisher.close()


def waiting(ledger: EventLedger, event_id: str, status: EventStatus) -> None:
    """An event left in ``status`` with no lease and no retry scheduled (its message lost)."""
    ledger.accept(
        event_id=event_id,
        kind=None,
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": "", "handlers": ["h"]},
    )
    path = {
        EventStatus.QUEUED: [EventStatus.QUEUED],
        EventStatus.FAILED: [EventStatus.QUEUED, EventStatus.FETCHING, EventStatus.FAILED],
    }[status]
    for step in path:
        ledger.transition(event_id, step)
    assert not ledger.client.exists(ledger.keys.lease(event_id))
    assert ledger.client.zscore(ledger.keys.schedule, event_id) is None


def started(ledger: EventLedger, event_id: str, token: str) -> None:
    ledger.accept(
        event_id=event_id,
        kind=None,
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": "", "handlers": ["h"]},
    )
    ledger.begin_run(event_id, token, 5)
    ledger.transition(event_id, EventStatus.FETCHING)


def test_a_run_whose_lease_lapsed_is_requeued_by_the_next_sweep(
    ledger: EventLedger, sweeper: Sweeper
) -> None:
    started(ledger, "dead-run", "a")
    ledger.client.delete(ledger.keys.lease("dead-run"))  # its worker was killed

    report = sweeper.sweep()

    assert report.rescued == 1
    assert ledger.require("dead-run").status is EventStatus.QUEUED
    assert ledger.client.llen("tlhooks") == 1  # its message, pushed in the same script


def test_a_live_run_is_left_alone_however_long_it_has_run(
    ledger: EventLedger, sweeper: Sweeper
) -> None:
    started(ledger, "live-run", "a")

    report = sweeper.sweep()

    assert report.rescued == 0
    assert ledger.require("live-run").status is EventStatus.FETCHING
    assert ledger.client.llen("tlhooks") == 0


def test_a_sweep_while_another_holds_the_lock_is_skipped_and_leaves_the_lock(
    ledger: EventLedger, sweeper: Sweeper
) -> None:
    ledger.client.set(ledger.keys.sweep_lock, "another-sweep", px=30_000)

    assert sweeper.sweep().skipped is True
    assert ledger.client.get(ledger.keys.sweep_lock) == "another-sweep"


@pytest.mark.parametrize("status", [EventStatus.QUEUED, EventStatus.FAILED])
def test_an_event_stale_in_a_waiting_state_with_no_run_and_no_retry_is_requeued(
    ledger: EventLedger, sweeper_at: Callable[[float], Sweeper], status: EventStatus
) -> None:
    waiting(ledger, "lost", status)

    report = sweeper_at(STALE_AFTER + 60).sweep()

    assert report.rescued == 1
    event = ledger.require("lost")
    assert (event.status, event.requeues) == (EventStatus.QUEUED, 1)
    assert ledger.client.llen("tlhooks") == 1


@pytest.mark.parametrize("status", [EventStatus.QUEUED, EventStatus.FAILED])
def test_an_event_waiting_for_less_than_stale_after_is_left_alone(
    ledger: EventLedger, sweeper_at: Callable[[float], Sweeper], status: EventStatus
) -> None:
    waiting(ledger, "fresh", status)

    report = sweeper_at(STALE_AFTER - 60).sweep()

    assert report.rescued == 0
    assert ledger.require("fresh").status is status
    assert ledger.client.llen("tlhooks") == 0

"""The sweeper with a separate broker (here another Redis database): an event waiting for its
message is not rescued while the broker's queue holds messages or the broker cannot say, so a
backlog (workers down for a while) never gets second copies or becomes dead by rescues."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

import pytest

from tests.support.processes import RedisServer
from tests.workers.test_sweeper import STALE_AFTER, waiting
from tlhooks.ledger import EventLedger
from tlhooks.processes import free_port
from tlhooks.queue.publisher import EventPublisher
from tlhooks.settings import load_settings
from tlhooks.status import EventStatus
from workers.retry import RetryPolicy
from workers.sweeper import Sweeper, orphaned_after

LATER = STALE_AFTER + 60  # the sweeper's clock: every waiting event is stale


@pytest.fixture
def sweeper_with_broker(
    ledger: EventLedger, redis_server: RedisServer
) -> Iterator[Callable[[str], Sweeper]]:
    """Sweepers whose broker is at ``broker_url`` (not the ledger's Redis: no inline push)."""
    publishers: list[EventPublisher] = []

    def build(broker_url: str) -> Sweeper:
        settings = load_settings(redis_url=redis_server.url, broker_url=broker_url)
        publisher = EventPublisher.from_settings(settings)
        publishers.append(publisher)
        assert not publisher.inline
        policy = RetryPolicy.from_settings(settings)
        clock = lambda: time.time() + LATER  # noqa: E731
        return Sweeper(ledger, publisher, policy, stale_after=STALE_AFTER, clock=clock)

    yield build
    for publisher in publishers:
        publisher.close()


def test_a_queued_event_is_not_rescued_while_the_brokers_queue_holds_messages(
    ledger: EventLedger, redis_server: RedisServer, sweeper_with_broker: Callable[[str], Sweeper]
) -> None:
    broker = redis_server.client(db=1)
    broker.rpush("tlhooks", "a message behind which ours may wait")
    for status in (EventStatus.QUEUED, EventStatus.FAILED):
        waiting(ledger, status.value, status)

    report = sweeper_with_broker(redis_server.url_for(1)).sweep()

    queued = ledger.require("queued")
    assert (queued.status, queued.requeues) == (EventStatus.QUEUED, 0)
    assert ledger.require("failed").requeues == 1  # waits for a retry, not for a message
    assert report.rescued == 1
    assert broker.llen("tlhooks") == 2  # the failed one's, after the message already there


def test_a_queued_event_is_rescued_once_the_brokers_queue_is_empty(
    ledger: EventLedger, redis_server: RedisServer, sweeper_with_broker: Callable[[str], Sweeper]
) -> None:
    waiting(ledger, "lost", EventStatus.QUEUED)

    report = sweeper_with_broker(redis_server.url_for(1)).sweep()

    assert report.rescued == 1
    assert ledger.require("lost").requeues == 1
    assert redis_server.client(db=1).llen("tlhooks") == 1


def test_with_the_broker_down_waiting_events_are_not_rescued_and_the_sweep_says_why(
    ledger: EventLedger,
    sweeper_with_broker: Callable[[str], Sweeper],
    caplog: pytest.LogCaptureFixture,
) -> None:
    waiting(ledger, "stored", EventStatus.QUEUED)
    down = f"redis://127.0.0.1:{free_port()}/0"

    with caplog.at_level(logging.WARNING, logger="tlhooks.sweeper"):
        report = sweeper_with_broker(down).sweep()

    assert report.rescued == 0
    assert ledger.require("stored").requeues == 0  # a long outage cannot make it dead
    assert "waiting events are not rescued this time" in caplog.text


ORPHANED_AFTER = 60.0


@pytest.fixture
def orphan_sweeper(ledger: EventLedger, redis_server: RedisServer) -> Iterator[Sweeper]:
    """The broker is the ledger's Redis; the clock runs 120 s ahead: past ``orphaned_after``
    but far short of ``stale_after``."""
    settings = load_settings(redis_url=redis_server.url)
    publisher = EventPublisher.from_settings(settings)
    clock = lambda: time.time() + 2 * ORPHANED_AFTER  # noqa: E731
    policy = RetryPolicy.from_settings(settings)
    yield Sweeper(
        ledger, publisher, policy, STALE_AFTER, clock=clock, orphaned_after=ORPHANED_AFTER
    )
    publisher.close()


def test_with_the_queue_empty_a_queued_event_is_rescued_once_orphaned_not_stale(
    ledger: EventLedger, orphan_sweeper: Sweeper
) -> None:
    """Its message is in no queue: lost between a killed worker taking it and recording it."""
    waiting(ledger, "lost", EventStatus.QUEUED)
    waiting(ledger, "retry", EventStatus.FAILED)  # waits for its retry: stale_after still

    report = orphan_sweeper.sweep()

    assert report.rescued == 1
    assert ledger.require("lost").requeues == 1
    assert ledger.require("retry").requeues == 0
    assert ledger.client.llen("tlhooks") == 1


def test_with_messages_in_the_queue_a_queued_event_is_left_to_wait_for_its_own(
    ledger: EventLedger, orphan_sweeper: Sweeper
) -> None:
    ledger.client.rpush("tlhooks", "a message behind which ours may wait")
    waiting(ledger, "behind", EventStatus.QUEUED)

    report = orphan_sweeper.sweep()

    assert report.rescued == 0
    assert ledger.require("behind").requeues == 0


def test_orphaned_after_is_the_visibility_timeout_a_restore_and_two_sweeps(
    ledger: EventLedger, redis_server: RedisServer
) -> None:
    settings = load_settings(
        redis_url=redis_server.url,
        visibility_timeout=10,
        unacked_restore_interval=1.0,
        sweep_interval=2.0,
    )
    assert orphaned_after(settings) == 15.0
    publisher = EventPublisher.from_settings(settings)
    sweeper = Sweeper(ledger, publisher, RetryPolicy(), 5.0, orphaned_after=15.0)
    publisher.close()
    assert sweeper.orphaned_after == 5.0  # never later than stale_after

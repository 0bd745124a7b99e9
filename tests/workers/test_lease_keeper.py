"""LeaseKeeper on a real Redis: it keeps a live run's lease, and only while the run is held."""

from __future__ import annotations

import contextlib
import logging
import threading
import time

import pytest

from tlhooks.errors import StorageUnavailable
from tlhooks.ledger import EventLedger
from tlhooks.status import EventStatus
from workers.lease import LeaseKeeper


def running(ledger: EventLedger, event_id: str, token: str, lease_seconds: float) -> None:
    ledger.accept(
        event_id=event_id,
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={
            "event_type": "analyze.task.ready",
            "task_id": f"task-{event_id}",
            "handlers": ["h"],
        },
    )
    assert ledger.begin_run(event_id, token, lease_seconds).outcome == "claimed"


def lease_ttl(ledger: EventLedger, event_id: str) -> int:
    return int(ledger.client.pttl(ledger.keys.lease(event_id)))


def test_renewing_extends_the_lease_of_every_held_run(ledger: EventLedger) -> None:
    running(ledger, "e1", "run-1", 1)
    running(ledger, "e2", "run-2", 1)
    keeper = LeaseKeeper(ledger, lease_seconds=60)
    with keeper.holding("e1", "run-1"), keeper.holding("e2", "run-2"):
        keeper.renew_all()
        assert lease_ttl(ledger, "e1") > 50_000
        assert lease_ttl(ledger, "e2") > 50_000
    keeper.stop()


def test_a_run_no_longer_held_is_not_renewed(ledger: EventLedger) -> None:
    running(ledger, "e1", "run-1", 1)
    keeper = LeaseKeeper(ledger, lease_seconds=60)
    with keeper.holding("e1", "run-1"):
        pass
    keeper.renew_all()
    keeper.stop()
    assert lease_ttl(ledger, "e1") <= 1000


def test_a_lease_taken_by_another_run_is_not_renewed_and_says_so(
    ledger: EventLedger, caplog: pytest.LogCaptureFixture
) -> None:
    running(ledger, "e1", "run-1", 0.05)
    time.sleep(0.1)  # run-1's lease lapses ...
    assert ledger.begin_run("e1", "run-2", 60).outcome == "claimed"  # ... and run-2 takes over
    keeper = LeaseKeeper(ledger, lease_seconds=60)
    with caplog.at_level(logging.WARNING, "tlhooks.worker"), keeper.holding("e1", "run-1"):
        keeper.renew_all()
    keeper.stop()
    assert ledger.client.get(ledger.keys.lease("e1")) == "run-2"
    assert "lease on event e1 lapsed while its run was alive" in caplog.text


def test_a_run_that_ends_while_its_lease_is_being_renewed_is_no_lapse(
    ledger: EventLedger, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    keeper = LeaseKeeper(ledger, lease_seconds=60)
    run = contextlib.ExitStack()
    run.enter_context(keeper.holding("e1", "run-1"))

    def run_ends_first(event_id: str, token: str, lease_seconds: float) -> bool:
        run.close()  # the run ended, and released its lease, after the keeper listed it
        return False

    monkeypatch.setattr(ledger, "renew_lease", run_ends_first)
    with caplog.at_level(logging.WARNING, "tlhooks.worker"):
        keeper.renew_all()
    keeper.stop()
    assert "lapsed" not in caplog.text


def test_a_storage_outage_during_renewal_is_logged_not_raised(
    ledger: EventLedger, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(event_id: str, token: str, lease_seconds: float) -> bool:
        raise StorageUnavailable("Redis is away")

    monkeypatch.setattr(ledger, "renew_lease", refuse)
    keeper = LeaseKeeper(ledger, lease_seconds=60)
    with caplog.at_level(logging.WARNING, "tlhooks.worker"), keeper.holding("e1", "run-1"):
        keeper.renew_all()
    keeper.stop()
    assert "could not renew the lease on event e1: Redis is away" in caplog.text


def test_the_keeper_thread_renews_on_its_own_every_third_of_the_lease(
    ledger: EventLedger,
) -> None:
    running(ledger, "e1", "run-1", 1.5)
    keeper = LeaseKeeper(ledger, lease_seconds=1.5)
    with keeper.holding("e1", "run-1"):
        time.sleep(2.5)  # longer than the lease: only renewals keep it
        assert ledger.client.get(ledger.keys.lease("e1")) == "run-1"
    keeper.stop()


def test_one_daemon_keeper_thread_serves_every_run_of_a_process(ledger: EventLedger) -> None:
    keeper = LeaseKeeper(ledger, lease_seconds=60)
    with keeper.holding("e1", "a"), keeper.holding("e2", "b"):
        threads = [t for t in threading.enumerate() if t.name == "tlhooks-lease-keeper"]
        assert len(threads) == 1
        assert threads[0].daemon
    keeper.stop()


def test_a_keeper_thread_that_died_is_replaced_by_the_next_run(ledger: EventLedger) -> None:
    keeper = LeaseKeeper(ledger, lease_seconds=60)
    dead = threading.Thread(target=lambda: None)
    dead.start()
    dead.join()
    keeper._thread = dead  # as if the keeper thread had crashed
    with keeper.holding("e1", "a"):
        assert keeper._thread is not dead
        assert keeper._thread.is_alive()
    keeper.stop()

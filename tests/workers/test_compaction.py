"""A worker compacts an event once its run ends handled (TLHOOKS_COMPACT_HANDLED), never one
that ended otherwise, and a compaction that fails costs memory, not the run."""

from __future__ import annotations

import logging

import pytest

from handlers.registry import HandlerRegistry
from tests.workers.processor_api import NOW, POLICY, FakeApi, ok, stored
from tlhooks.errors import StorageUnavailable
from tlhooks.ledger import EventLedger
from tlhooks.settings import load_settings
from workers.lease import LeaseKeeper
from workers.processor import EventProcessor


def processor(
    ledger: EventLedger, leases: LeaseKeeper, *, compact: bool = True, fails: bool = False
) -> EventProcessor:
    registry = HandlerRegistry()

    def handler(_ctx: object) -> None:
        if fails:
            raise RuntimeError("the index is down")

    registry.register(handler, name="h")
    return EventProcessor(
        ledger, FakeApi(ok()).client(), registry, POLICY, leases, clock=lambda: NOW,
        compact_handled=compact,
    )  # fmt: skip


def test_a_handled_event_is_compacted_once_its_run_ends(
    ledger: EventLedger, leases: LeaseKeeper
) -> None:
    stored(ledger)

    assert processor(ledger, leases).process("e1") == "handled"

    record = ledger.require("e1")
    assert record.compaction is not None
    assert record.outcome("h").state.value == "succeeded"
    assert [key for key in ledger.client.scan_iter(match=ledger.keys.event("e1") + ":*")] == []
    assert not ledger.client.exists(ledger.keys.lease("e1"))


def test_compaction_can_be_turned_off(ledger: EventLedger, leases: LeaseKeeper) -> None:
    stored(ledger)

    processor(ledger, leases, compact=False).process("e1")

    assert ledger.require("e1").compaction is None
    assert ledger.client.exists(ledger.keys.history("e1"))


def test_an_event_whose_handler_failed_is_not_compacted(
    ledger: EventLedger, leases: LeaseKeeper
) -> None:
    stored(ledger)

    assert processor(ledger, leases, fails=True).process("e1") == "failed"

    assert ledger.require("e1").compaction is None


def test_a_compaction_that_fails_is_logged_and_the_run_stays_handled(
    ledger: EventLedger,
    leases: LeaseKeeper,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    stored(ledger)

    def unreachable(_event_id: str) -> str:
        raise StorageUnavailable("Redis did not answer.")

    monkeypatch.setattr(ledger, "compact", unreachable)
    with caplog.at_level(logging.WARNING, logger="tlhooks.worker"):
        assert processor(ledger, leases).process("e1") == "handled"

    assert "handled but was not compacted: Redis did not answer." in caplog.text
    assert ledger.require("e1").compaction is None


def test_the_setting_reads_true_by_default_and_false_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_settings().compact_handled is True
    monkeypatch.setenv("TLHOOKS_COMPACT_HANDLED", "false")
    assert load_settings().compact_handled is False

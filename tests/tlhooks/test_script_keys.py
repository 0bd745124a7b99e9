"""Every Lua script call passes keys of one cluster slot, and only keys (none built in Lua)."""

from __future__ import annotations

import re
import time
from importlib import resources
from typing import Any

import pytest
from redis.commands.core import Script
from redis.crc import key_slot

from tlhooks.ledger import EventLedger, HandlerOutcome, HandlerState
from tlhooks.ledger import scripts as lua
from tlhooks.ledger.expectations import BatchRecord, Expectation
from tlhooks.ledger.keys import LedgerKeys
from tlhooks.ledger.replaying import ReplayReset
from tlhooks.ledger.sweeping import SweepOps
from tlhooks.settings import Settings
from tlhooks.status import EventStatus

Call = tuple[str, list[str]]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    """Every script call's (script text, keys), as the ledger makes it."""
    seen: list[Call] = []
    original = Script.__call__

    def record(self: Script, keys: Any = (), args: Any = (), client: Any = None) -> Any:
        seen.append((str(self.script), [str(key) for key in keys]))
        return original(self, keys=keys, args=args, client=client)

    monkeypatch.setattr(Script, "__call__", record)
    return seen


def every_script_call(ledger: EventLedger) -> None:
    """Each ledger step that runs a script, with the deployment's default queue."""
    queue = Settings().queue
    fields = {"event_type": "analyze.task.ready", "task_id": "t1", "handlers": ["h"]}
    ledger.accept(event_id="e1", kind="ready", requested=EventStatus.RECEIVED, fields=fields)
    ledger.mark_published("e1", "claim")
    ledger.release_publish("e1", "claim")
    ledger.accept(
        event_id="e2",
        kind=None,
        requested=EventStatus.RECEIVED,
        fields={**fields, "task_id": ""},
        enqueue=(queue, "message"),
    )
    claim = ledger.begin_run("e1", "run", 60)
    assert claim.outcome == "claimed"
    ledger.renew_lease("e1", "run", 60)
    ledger.transition("e1", EventStatus.FETCHING)
    ledger.update("e1", validation={"ok": True})
    ledger.increment("e1", "attempts")
    ledger.save_outcome("e1", HandlerOutcome(handler="h", state=HandlerState.FAILED), "run")
    ledger.transition("e1", EventStatus.FAILED)
    ledger.end_run("e1", "run")
    ledger.schedule("e1", 0)
    ledger.claim_due(time.time())
    ops = SweepOps(ledger)
    token = ops.try_lock(ledger.keys.sweep_lock, 30)
    assert token is not None
    ops.unlock(ledger.keys.sweep_lock, token)
    ledger.schedule("e1", 0)
    ops.requeue_due("e1", note="due", queue=queue, message="m")
    ops.requeue_stale("e2", EventStatus.QUEUED, time.time() + 1, 3, note="stale")
    ledger.replay_many(["e1"], replay_id="r", note="replay", reset=ReplayReset("all"))
    for target in (EventStatus.FETCHING, EventStatus.HANDLING, EventStatus.HANDLED):
        ledger.transition("e1", target)
    assert ledger.compact("e1") == "compacted"
    ledger.reserve_api_slot(0.01)
    ledger.reserve_api_slot(0.01, event_id="e1", max_sleep=0, grace=1)
    ledger.pause_api(0.01, rate_limited=True)
    ledger.expect([Expectation(task_id="t2", submitted_at=1.0)], due=2.0)
    items = [Expectation(task_id=f"t{n}", batch_id="b1", submitted_at=1.0) for n in (3, 4)]
    ledger.expect(items, due=2.0, batch=BatchRecord(batch_id="b1", submitted_at=1.0, total=2))
    ledger.settle_expectation("t2", "reconciled", "rec_t2", webhooks=[])
    assert ledger.claim_batch_completion("b1", "bat_b1", 60.0)
    ledger.client.hdel(ledger.keys.event("e1"), "tallied")  # as if stored before the counts
    ledger.reindex()
    ledger.filter_fields(["e1", "e2"], ["status"])
    ledger.delete_many(["e1", "e2"])


def test_every_key_of_every_script_call_lives_in_the_ledgers_one_slot(
    ledger: EventLedger, calls: list[Call]
) -> None:
    every_script_call(ledger)

    slot = key_slot(LedgerKeys().tag.encode())
    assert calls
    for script, keys in calls:
        assert {key_slot(key.encode()) for key in keys} == {slot}, (script[:60], keys)


def test_the_slot_walk_calls_every_script(ledger: EventLedger, calls: list[Call]) -> None:
    every_script_call(ledger)

    texts = {
        value for name, value in vars(lua).items() if name.isupper() and not name.startswith("_")
    }
    assert texts <= {script for script, _ in calls}


def test_the_default_queue_hashes_to_the_ledgers_slot_so_inline_queueing_stays_in_it() -> None:
    settings = Settings()
    keys = LedgerKeys(settings.key_prefix)
    assert key_slot(settings.queue.encode()) == key_slot(keys.event("x").encode())


def lua_files() -> list[str]:
    folder = resources.files("tlhooks.ledger").joinpath("lua")
    return sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".lua"))


@pytest.mark.parametrize("name", lua_files())
def test_no_script_builds_a_key_or_indexes_keys_or_argv_outside_its_header(name: str) -> None:
    text = lua.load(name.removesuffix(".lua"))
    code = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    assert text.startswith("-- ")
    body = "\n".join(code)
    assert not re.search(r"redis\.call\('\w+', [^,)]*\.\.", body), "a key built with '..'"
    assert not re.search(r"redis\.call\('\w+', ARGV\[", body), "an ARGV value used as a key"

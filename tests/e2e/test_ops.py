"""Ops find, replay and purge events end to end: the CLI and the admin API on real parts."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from tests.e2e.conftest import Stack
from tests.e2e.test_pipeline import envelope
from tests.support.processes import wait_until
from tlhooks.status import EventStatus
from tlhooks_cli import main

TOKEN = "admin-secret"


def cli(stack: Stack, *args: str, input: str | None = None) -> Result:
    env = {k: v for k, v in stack.env.items() if k.startswith("TLHOOKS_")}
    return CliRunner().invoke(main, list(args), env=env, input=input)


def statuses(stack: Stack, task_ids: list[str]) -> list[EventStatus]:
    return [e.status for t in task_ids for e in stack.events_for(t)]


def dead_events(stack: Stack, count: int) -> list[str]:
    task_ids = [stack.create_task("ready", custom_id=f"gated-{n}")["task_id"] for n in range(count)]
    wait_until(lambda: statuses(stack, task_ids).count(EventStatus.DEAD) == count, timeout=60)
    return task_ids


def test_fifty_dead_events_are_planned_then_replayed_to_handled_once_fixed(stack: Stack) -> None:
    stack.start()
    task_ids = dead_events(stack, 50)

    dry = cli(stack, "events", "replay", "--status", "dead", "--dry-run", "--json")

    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["plan"]["events"] == 50
    assert json.loads(dry.output)["plan"]["handlers"] == {"gated": 50}
    stack.settle(1.0)
    assert statuses(stack, task_ids) == [EventStatus.DEAD] * 50

    stack.redis.set("test:gate", "open")
    done = cli(stack, "events", "replay", "--status", "dead", "--from", "handlers", "--yes")

    assert done.exit_code == 0, done.output
    assert "50 queued" in done.output
    wait_until(lambda: statuses(stack, task_ids) == [EventStatus.HANDLED] * 50, timeout=60)
    for task_id in task_ids:
        assert len(stack.calls("record_ready", task_id)) == 1
        (event,) = stack.events_for(task_id)
        assert event.replay_id is not None
        assert event.outcomes["record_ready"].attempts == 1
    keys = {c["idempotency_key"] for c in stack.calls("gated", task_ids[0])}
    assert keys == {f"{task_ids[0]}:gated"}


def test_replay_from_fetch_retrieves_the_task_again_without_a_progress_bar(stack: Stack) -> None:
    stack.start()
    (task_id,) = dead_events(stack, 1)
    stack.redis.set("test:gate", "open")

    done = cli(stack, "events", "replay", task_id, "--from", "fetch")

    assert done.exit_code == 0, done.output
    plan, finished = done.output.splitlines()
    assert plan.endswith("1 event, from fetch: dead 1; handlers to run: gated 1.")
    assert " done: 1 queued, 0 refused, in " in finished
    assert "event/s" not in done.stderr
    stack.wait_for_status(task_id, EventStatus.HANDLED)
    requests = httpx.get(f"{stack.emulator.root_url}/_emulator/requests").json()
    assert [r["status"] for r in requests if r["path"].endswith(task_id)] == [200, 200]


def test_replaying_a_running_event_is_refused(stack: Stack) -> None:
    stack.start()
    task = stack.create_task("ready", custom_id="slow-ops")
    wait_until(lambda: stack.calls("slow", task["task_id"]), timeout=20)

    refused = cli(stack, "events", "replay", task["task_id"])

    assert refused.exit_code == 1
    assert "it is handling: wait until it settles" in refused.output


def test_a_queued_event_is_neither_replayed_nor_purged(stack: Stack) -> None:
    stack.start_receiver()  # no worker: the event stays queued
    stack.create_task("ready", custom_id="purge-1")
    wait_until(lambda: stack.ledger.count_in_status(EventStatus.QUEUED) == 1)

    refused = cli(stack, "events", "replay", "--custom-id", "purge-*", "--yes")
    kept = cli(stack, "events", "purge", "--custom-id", "purge-*", "--yes", "--json")

    assert refused.exit_code == 1
    assert "it is queued: wait until it settles" in refused.output

    assert kept.exit_code == 0, kept.output
    assert json.loads(kept.output)["skipped_unsettled"] == 1
    assert stack.ledger.count_in_status(EventStatus.QUEUED) == 1


def test_list_show_and_stats_find_events_by_filters(stack: Stack) -> None:
    stack.start()
    ok = stack.create_task("ready", custom_id="cam-list")["task_id"]
    bad = stack.create_task("ready", custom_id="doomed-list")["task_id"]
    stack.wait_for_status(ok, EventStatus.HANDLED)
    stack.wait_for_status(bad, EventStatus.DEAD)

    listed = cli(stack, "events", "list", "--status", "dead", "--json")
    counted = cli(stack, "events", "list", "--custom-id", "cam-*", "--count")
    shown = cli(stack, "events", "show", bad, "--json")
    stats = cli(stack, "events", "stats", "--json")
    missing = cli(stack, "events", "show", "nope")

    assert [e["task_id"] for e in json.loads(listed.output)] == [bad]
    assert counted.output.strip() == "1"
    (record,) = json.loads(shown.output)
    assert "ValueError" in record["last_traceback"]
    assert [h["status"] for h in record["history"]][-1] == "dead"
    assert json.loads(stats.output)["by_status"] == {"handled": 1, "dead": 1}
    assert json.loads(stats.output)["by_handler"]["doomed"] == {"exhausted": 1}
    assert missing.exit_code == 1


def admin(
    stack: Stack, method: str, path: str, token: str | None = TOKEN, **kw: Any
) -> httpx.Response:
    assert stack.receiver is not None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.request(method, f"{stack.receiver.url}/admin{path}", headers=headers, **kw)


@pytest.mark.parametrize("token", [None, "wrong", f"{TOKEN}x"])
def test_the_admin_api_refuses_a_missing_or_wrong_token(stack: Stack, token: str | None) -> None:
    stack.start_receiver(TLHOOKS_ADMIN_TOKEN=TOKEN)
    assert admin(stack, "GET", "/events", token=token).status_code == 401
    assert admin(stack, "POST", "/replay", token=token, json={"ids": ["x"]}).status_code == 401


def test_the_admin_api_is_off_without_a_token(stack: Stack) -> None:
    stack.start_receiver()
    answer = admin(stack, "GET", "/stats")
    assert answer.status_code == 404
    assert "TLHOOKS_ADMIN_TOKEN" in answer.json()["error"]


def test_the_admin_api_agrees_with_the_cli(stack: Stack) -> None:
    stack.start_receiver(TLHOOKS_ADMIN_TOKEN=TOKEN)
    stack.start_worker()
    task_ids = dead_events(stack, 3)

    api_list = admin(stack, "GET", "/events", params={"status": "dead"}).json()["events"]
    cli_list = json.loads(cli(stack, "events", "list", "--status", "dead", "--json").output)
    api_stats = admin(stack, "GET", "/stats").json()
    cli_stats = json.loads(cli(stack, "events", "stats", "--json").output)
    plan = admin(stack, "POST", "/replay", json={"status": "dead", "dry_run": True}).json()

    assert api_list == cli_list
    assert {e["task_id"] for e in api_list} == set(task_ids)
    assert api_stats["by_status"] == cli_stats["by_status"]
    assert plan["plan"]["events"] == 3
    assert statuses(stack, task_ids) == [EventStatus.DEAD] * 3


def test_replaying_one_handler_runs_only_that_handler(stack: Stack) -> None:
    stack.start()
    task_id = stack.create_task("ready", custom_id="doomed-one")["task_id"]
    event = stack.wait_for_status(task_id, EventStatus.DEAD)

    done = cli(stack, "events", "replay", event.event_id, "--handler", "record_ready")

    assert done.exit_code == 0, done.output
    wait_until(lambda: len(stack.calls("record_ready", task_id)) == 2, timeout=20)
    again = stack.wait_for_status(task_id, EventStatus.DEAD)
    assert len(stack.calls("doomed", task_id)) == 3
    assert again.replays == 1
    assert any(t.note.startswith("replay rpl_") for t in again.history)


def test_a_handled_event_is_compacted_by_its_worker_and_still_shows_and_replays(
    stack: Stack,
) -> None:
    stack.start()
    task_id = stack.create_task("ready")["task_id"]
    stack.wait_for_status(task_id, EventStatus.HANDLED)
    wait_until(lambda: stack.events_for(task_id)[0].compaction is not None, timeout=10)
    (event,) = stack.events_for(task_id)
    keys = stack.ledger.keys
    assert [stack.redis.exists(k(event.event_id)) for k in (keys.history, keys.outcomes)] == [0, 0]

    shown = cli(stack, "events", "show", event.event_id)
    replayed = cli(stack, "events", "replay", event.event_id, "--from", "fetch", "--all-handlers")

    assert shown.exit_code == 0, shown.output
    assert (
        "compacted:    yes; dropped: the webhook body and the TL-Signature header" in shown.output
    )
    assert replayed.exit_code == 0, replayed.output

    def compacted_again() -> bool:
        (now,) = stack.events_for(task_id)
        return now.replays == 1 and now.status is EventStatus.HANDLED and bool(now.compaction)

    wait_until(compacted_again, timeout=30)
    (again,) = stack.events_for(task_id)
    assert [t.status for t in again.history].count(EventStatus.HANDLED) == 2
    assert again.outcomes["record_ready"].state.value == "succeeded"
    assert len(stack.calls("record_ready", task_id)) == 2


def test_events_settled_at_intake_are_compacted_by_the_receiver_and_still_show_and_count(
    stack: Stack,
) -> None:
    stack.start_receiver(TLHOOKS_HANDLERS="")
    body = envelope("68ab41c2e5f1d93a7c2b0e98", "nobody-wants-this")
    first = stack.post_webhook(body)
    event_id = first.json()["event_id"]
    other = stack.post_webhook(envelope("68ab41c2e5f1d93a7c2b0e98", "nobody-wants-this"))

    assert [first.json()["status"], other.json()["status"]] == ["unmatched", "duplicate"]
    for settled in (event_id, other.json()["event_id"]):
        wait_until(lambda s=settled: stack.ledger.require(s).compaction is not None, timeout=10)
    keys = stack.ledger.keys
    assert [stack.redis.exists(k(event_id)) for k in (keys.history, keys.deliveries)] == [0, 0]

    again = stack.post_webhook(body)
    shown = cli(stack, "events", "show", event_id)
    compacted = cli(stack, "ledger", "compact", "--json")

    assert again.json() == {"event_id": event_id, "status": "duplicate"}
    record = stack.ledger.require(event_id)
    assert (record.status, record.deliveries) == (EventStatus.UNMATCHED, 2)
    assert stack.ledger.require(other.json()["event_id"]).duplicate_of == event_id
    assert shown.exit_code == 0, shown.output
    assert (
        "compacted:    yes; dropped: the webhook body and the TL-Signature header" in shown.output
    )
    assert json.loads(compacted.output)["already"] == 2

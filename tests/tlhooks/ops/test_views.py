"""What a person reads: `events show`, `events list` and replay plans, in words."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from tests.support.processes import RedisServer
from tests.tlhooks.test_ledger_compaction import handled
from tlhooks.ledger import EventLedger, EventRecord, HandlerState
from tlhooks.ledger.record import HandlerOutcome, Transition
from tlhooks.ops.replay import ReplayPlan, ReplayRequest
from tlhooks.ops.service import OpsService, summary
from tlhooks.ops.views import event_text, plan_text, stats_text
from tlhooks.queue.publisher import EventPublisher
from tlhooks.settings import Settings
from tlhooks.status import EventStatus
from tlhooks_cli import main

AT = 1_780_000_000.0  # 2026-05-28T20:26:40+00:00


def record(status: EventStatus, **fields: object) -> EventRecord:
    data: dict[str, object] = {
        "event_id": "whe_1",
        "event_type": "analyze.task.ready",
        "task_id": "task_1",
        "custom_id": "ads-1",
        "status": status,
        "received_at": AT,
        "updated_at": AT + 5,
        "handlers": ["myapp.hooks.index_ad"],
        "history": [
            Transition(status=EventStatus.RECEIVED, at=AT, note="webhook"),
            Transition(status=status, at=AT + 5, note="after a timeout"),
        ],
    }
    return EventRecord.model_validate({**data, **fields})


def cli(redis_server: RedisServer, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"TLHOOKS_REDIS_URL": redis_server.url})


def test_an_event_reads_as_a_header_a_timeline_with_iso_times_outcomes_and_errors() -> None:
    outcome = HandlerOutcome(
        handler="myapp.hooks.index_ad",
        state=HandlerState.EXHAUSTED,
        attempts=3,
        last_error="TimeoutError: index timed out",
        finished_at=AT + 5,
    )
    dead = record(
        EventStatus.DEAD,
        last_error="TimeoutError: index timed out\nmore",
        outcomes={"myapp.hooks.index_ad": outcome},
        validation={"errors": [{"path": "scene[3].start", "message": "must be a number"}]},
    )

    text = event_text(dead)

    assert text.splitlines()[0] == "event:        whe_1"
    assert "status:       dead" in text
    assert "received:     2026-05-28T20:26:40+00:00" in text
    assert "Timeline" in text
    assert "2026-05-28T20:26:45+00:00  dead" in text
    assert "myapp.hooks.index_ad  exhausted  3" in text
    assert "Last error: TimeoutError: index timed out" in text
    assert "scene[3].start: must be a number" in text
    assert "{" not in text


def test_a_handled_event_shows_no_stale_error_in_the_list_or_the_page() -> None:
    handled = record(EventStatus.HANDLED, last_error="TimeoutError: first attempt")

    assert summary(handled)["last_error"] is None
    assert "TimeoutError" not in event_text(handled)
    assert summary(record(EventStatus.DEAD, last_error="boom"))["last_error"] == "boom"


def test_a_plan_is_written_in_words_with_a_singular_for_one_event() -> None:
    plan = ReplayPlan(ReplayRequest(), eligible=["a", "b", "c", "d"])
    plan.statuses.update({"handled": 4})
    one = ReplayPlan(ReplayRequest(), eligible=["a"])
    one.statuses.update({"dead": 1})
    one.handlers.update({"myapp.hooks.index_ad": 1})

    (line,) = plan_text(plan)
    (single,) = plan_text(one)

    assert line == (
        f"Replay {plan.replay_id}: 4 events, from handlers: handled 4; handlers to run: none."
    )
    assert single.endswith(
        ": 1 event, from handlers: dead 1; handlers to run: myapp.hooks.index_ad 1."
    )


def test_a_plan_that_runs_nothing_has_no_replay_id_and_lists_its_refusals() -> None:
    plan = ReplayPlan(ReplayRequest(), refused={"whe_1": "it is queued: wait until it settles"})

    lines = plan_text(plan)

    assert lines == [
        "Nothing to replay: 0 events, from handlers: none; handlers to run: none.",
        "1 event refused:",
        "  whe_1: it is queued: wait until it settles",
    ]
    assert plan.to_dict()["replay_id"] is None
    assert "rpl_" not in "\n".join(lines)


def test_a_replay_result_counts_what_the_plan_refused(
    ledger: EventLedger, redis_server: RedisServer
) -> None:
    settings = Settings(redis_url=redis_server.url)
    ops = OpsService(ledger, EventPublisher.from_settings(settings))
    plan = ReplayPlan(ReplayRequest(), refused={"whe_1": "it is queued: wait until it settles"})

    result = ops.execute(plan)

    assert result.to_dict()["refused"] == 1
    assert result.to_dict()["refusals"] == plan.to_dict()["refusals"]


def test_show_prints_the_page_by_default_and_the_raw_record_with_json(
    ledger: EventLedger, redis_server: RedisServer
) -> None:
    ledger.accept(
        event_id="whe_9",
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": "t9", "body": "{}"},
        body_sha256="x",
    )

    page = cli(redis_server, "events", "show", "whe_9")
    raw = cli(redis_server, "events", "show", "whe_9", "--json")

    assert page.exit_code == 0, page.output
    assert page.output.startswith("event:        whe_9\n")
    assert "Timeline" in page.output
    (data,) = json.loads(raw.output)
    assert data["event_id"] == "whe_9"


def test_a_list_or_count_that_finds_nothing_exits_1(redis_server: RedisServer) -> None:
    listed = cli(redis_server, "events", "list", "--custom-id", "nothing-*")
    counted = cli(redis_server, "events", "list", "--custom-id", "nothing-*", "--count")
    as_json = cli(redis_server, "events", "list", "--custom-id", "nothing-*", "--json")

    assert (listed.exit_code, listed.output) == (1, "(no events)\n")
    assert (counted.exit_code, counted.output) == (1, "0\n")
    assert (as_json.exit_code, json.loads(as_json.output)) == (1, [])


def test_a_dry_run_that_would_run_nothing_exits_1_without_a_replay_id(
    ledger: EventLedger, redis_server: RedisServer
) -> None:
    ledger.accept(
        event_id="whe_8",
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": "t8", "body": "{}"},
        body_sha256="y",
    )

    dry = cli(redis_server, "events", "replay", "whe_8", "--dry-run")
    as_json = cli(redis_server, "events", "replay", "whe_8", "--dry-run", "--json")

    assert dry.exit_code == 1
    assert dry.output.startswith("Nothing to replay: 0 events, from handlers")
    assert "1 event refused:" in dry.output
    assert "rpl_" not in dry.output
    assert "{" not in dry.output
    assert json.loads(as_json.output)["plan"]["replay_id"] is None


def test_stats_text_says_how_the_platform_pushed_back() -> None:
    data = {
        "total": 3,
        "by_status": {"handled": 2, "queued": 1},
        "by_handler": {"h": {"succeeded": 2}},
        "oldest_unsettled": {"event_id": "whe_1", "age_seconds": 4.0},
        "api": {"rate_limited": 1, "pauses": 2, "deferrals": 5, "paused_until": 1_800_000_000.0},
    }

    text = stats_text(data)

    assert "oldest unsettled: whe_1 (4.0 s old)" in text
    assert text.splitlines()[-1] == (
        "api: 1 429 answer, 2 pauses, 5 runs deferred for a budget slot, "
        "paused until 2027-01-15T08:00:00+00:00"
    )


def test_a_handled_event_says_its_result_was_dropped_and_how_to_get_it_back() -> None:
    record = EventRecord.model_validate(
        {
            "event_id": "whe_1",
            "event_type": "analyze.task.ready",
            "status": "handled",
            "received_at": 1.0,
            "updated_at": 2.0,
            "result_digest": {"status": "ready", "bytes": 4096, "sha256": "ab" * 32},
        }
    )

    assert "result:       dropped once handled (4,096 bytes, sha256 abababababab); a replay" in (
        event_text(record)
    )


def test_a_compacted_event_says_what_it_no_longer_keeps() -> None:
    compacted = record(
        EventStatus.HANDLED,
        body_sha256="ab" * 16,
        compaction={"dropped": ["body", "headers.tl-signature"]},
    )

    assert (
        "compacted:    yes; dropped: the webhook body and the TL-Signature header "
        "(its SHA-256 abababababab… kept)"
    ) in event_text(compacted)
    assert "compacted:" not in event_text(record(EventStatus.HANDLED))


def test_show_and_ledger_compact_on_compacted_events(
    ledger: EventLedger, redis_server: RedisServer
) -> None:
    handled(ledger, "whe_1", task_id="t1")
    handled(ledger, "whe_2", task_id="t2")
    ledger.compact("whe_1")

    compacted = cli(redis_server, "ledger", "compact")
    again = cli(redis_server, "ledger", "compact", "--json")
    page = cli(redis_server, "events", "show", "whe_2")
    by_task = cli(redis_server, "events", "show", "t1")

    assert compacted.exit_code == 0, compacted.output
    assert compacted.output.startswith("1 settled events compacted now, 1 compacted already;")
    assert json.loads(again.output) == {"compacted": 0, "already": 2, "skipped": 0, "changed": 0}
    assert "compacted:    yes; dropped: the webhook body and the TL-Signature header" in page.output
    assert "handled" in by_task.output
    assert "myapp.hooks.notify" in by_task.output

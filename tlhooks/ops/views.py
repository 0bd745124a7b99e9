"""Words for people: an event as a readable page, and a replay plan as a sentence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tlhooks.ledger import EventRecord
from tlhooks.ops.replay import ReplayPlan
from tlhooks.ops.service import iso
from tlhooks.ops.table import render_table
from tlhooks.status import EventStatus


def plural(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def counts(counter: Mapping[str, int]) -> str:
    """``{"dead": 3, "failed": 1}`` as ``dead 3, failed 1``; ``none`` when empty."""
    return ", ".join(f"{name} {n}" for name, n in sorted(counter.items())) or "none"


def plan_text(plan: ReplayPlan) -> list[str]:
    """The plan in words: ``4 events, from handlers: handled 4; handlers to run: none``."""
    stage = plan.request.stage.value
    head = f"{plural(len(plan.eligible), 'event')}, from {stage}: {counts(plan.statuses)}"
    lines = [f"{head}; handlers to run: {counts(plan.handlers)}."]
    if not plan.eligible:
        lines[0] = f"Nothing to replay: {lines[0]}"
    else:
        lines[0] = f"Replay {plan.replay_id}: {lines[0]}"
    shown = list(plan.refused.items())[:20]
    if plan.refused:
        lines.append(f"{plural(len(plan.refused), 'event')} refused:")
    lines += [f"  {event_id}: {reason}" for event_id, reason in shown]
    if len(plan.refused) > len(shown):
        lines.append(f"  ... and {len(plan.refused) - len(shown)} more")
    return lines


def current_error(record: EventRecord) -> str | None:
    """The last error while it still explains the state; a handled event has none."""
    if record.status is EventStatus.HANDLED or not record.last_error:
        return None
    return record.last_error.splitlines()[0][:200]


def dropped_result(record: EventRecord) -> str | None:
    """What a handled event says of the result it no longer keeps (TLHOOKS_SETTLED_RESULTS)."""
    kept = record.result_digest
    if record.task is not None or not kept or kept.get("bytes") is None:
        return None
    return (
        f"dropped once handled ({kept['bytes']:,} bytes, sha256 {str(kept['sha256'])[:12]}); "
        "a replay fetches it again"
    )


_DROPPED_WORDS = {"body": "the webhook body", "headers.tl-signature": "the TL-Signature header"}


def compaction_note(record: EventRecord) -> str | None:
    """What a compacted event no longer keeps (TLHOOKS_COMPACT_HANDLED), in words."""
    if record.compaction is None:
        return None
    names = [_DROPPED_WORDS.get(name, name) for name in record.compaction.dropped]
    if not names:
        return "yes; nothing dropped"
    sha = record.body_sha256 if "body" in record.compaction.dropped else None
    kept = f" (its SHA-256 {sha[:12]}… kept)" if sha else ""
    return f"yes; dropped: {' and '.join(names)}{kept}"


def event_text(record: EventRecord) -> str:
    """One event as a page: a header, the timeline, deliveries, outcomes and errors."""
    header = [
        ("event", record.event_id),
        ("status", record.status.value),
        ("type", record.event_type),
        ("task", record.task_id),
        ("custom_id", record.custom_id),
        ("received", iso(record.received_at)),
        ("updated", iso(record.updated_at)),
        ("attempts", record.attempts),
        ("429s", record.rate_limited or None),  # pacing by the platform, never an attempt
        ("api slot", iso(record.api_slot_at)),
        ("deliveries", record.deliveries),
        ("handlers", ", ".join(record.handlers) or "none"),
        (
            "replay",
            f"{record.replay_id} ({plural(record.replays, 'replay')})"
            if record.replay_id
            else None,
        ),
        ("next attempt", iso(record.next_attempt_at)),
        (
            "reconciled",
            "yes: no webhook came in time; made from the API" if record.reconciled else None,
        ),
        ("batch", record.batch_id),
        ("result", dropped_result(record)),
        ("compacted", compaction_note(record)),
    ]
    lines = [f"{name + ':':<14}{value}" for name, value in header if value not in (None, "")]
    timeline = [{"at": iso(t.at), "status": t.status.value, "note": t.note} for t in record.history]
    lines += [
        "",
        "Timeline",
        render_table(timeline, ["at", "status", "note"], width=100, empty="(none)"),
    ]
    deliveries = [
        {"at": iso(d.at), "same_body": "yes" if d.same else "no"} for d in record.delivery_log
    ]
    if deliveries:
        lines += ["", "Deliveries", render_table(deliveries, ["at", "same_body"])]
    webhooks = [
        {**w, "delivered": "yes" if w.get("delivered") else "no"} for w in platform_webhooks(record)
    ]
    if webhooks:
        columns = ["url", "delivered", "attempts", "last_error"]
        lines += ["", "Platform webhooks", render_table(webhooks, columns, width=80)]
    outcomes = [outcome_row(record, name) for name in record.handlers]
    if outcomes:
        columns = ["handler", "state", "attempts", "finished", "error"]
        lines += ["", "Handlers", render_table(outcomes, columns, width=100)]
    lines += error_lines(record)
    return "\n".join(lines)


def platform_webhooks(record: EventRecord) -> list[dict[str, Any]]:
    """The platform's ``webhooks[]`` for the event's task (delivered, attempts, last_error):
    kept on a reconciled event, else on the task the worker fetched; [] when unknown."""
    found = record.platform_webhooks or (record.task or {}).get("webhooks") or []
    return [entry for entry in found if isinstance(entry, dict)]


def outcome_row(record: EventRecord, name: str) -> dict[str, Any]:
    outcome = record.outcome(name)
    error = outcome.last_error.splitlines()[0] if outcome.last_error else None
    return {
        "handler": name,
        "state": outcome.state.value,
        "attempts": outcome.attempts,
        "finished": iso(outcome.finished_at),
        "error": error if outcome.state.value != "succeeded" else None,
    }


def error_lines(record: EventRecord) -> list[str]:
    lines: list[str] = []
    error = current_error(record)
    if error is not None:
        lines += ["", f"Last error: {error}"]
        if record.last_traceback:
            lines += [record.last_traceback.rstrip()]
    errors = (record.validation or {}).get("errors") or []
    if errors:
        lines += ["", "Validation errors"]
        for item in errors:
            if isinstance(item, Mapping):
                where = item.get("path") or item.get("loc") or ""
                lines.append(f"  {where}: {item.get('message') or item.get('msg') or item}")
            else:
                lines.append(f"  {item}")
    return lines


def stats_text(data: Mapping[str, Any]) -> str:
    """``events stats`` for people: counts by state and handler, the oldest unsettled event
    and the shared API budget's pushback."""
    lines = [f"events: {data['total']}"]
    lines += [f"  {status:<10} {number}" for status, number in data["by_status"].items()]
    for name, states in data["by_handler"].items():
        lines.append(f"handler {name}: " + ", ".join(f"{k} {v}" for k, v in states.items()))
    oldest = data["oldest_unsettled"]
    lines.append(
        "oldest unsettled: none"
        if oldest is None
        else f"oldest unsettled: {oldest['event_id']} ({oldest['age_seconds']} s old)"
    )
    api = data["api"]
    paused = f", paused until {iso(api['paused_until'])}" if api["paused_until"] else ""
    lines.append(
        f"api: {plural(api['rate_limited'], '429 answer')}, "
        f"{plural(api['pauses'], 'pause')}, "
        f"{plural(api['deferrals'], 'run')} deferred for a budget slot{paused}"
    )
    return "\n".join(lines)

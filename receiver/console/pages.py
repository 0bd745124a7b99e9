"""The console's read-only pages: the overview, the event list and an event."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from receiver.admin_requests import AdminInputInvalid, ListQuery, check_key, parse_list_query
from receiver.console.session import ConsoleSession
from receiver.console.web import ops, render, run, signed_in
from tlhooks.ledger import EventRecord
from tlhooks.ops.listing import Count, Page, cap_note
from tlhooks.ops.replay import ReplayStage
from tlhooks.ops.selection import EventFilter
from tlhooks.ops.service import iso, summary
from tlhooks.ops.views import compaction_note, platform_webhooks
from tlhooks.status import EventStatus

FILTER_FIELDS = (
    "status",
    "event_type",
    "custom_id",
    "task_id",
    "handler",
    "since",
    "until",
    "error",
    "redelivered",
    "reused_id",
)
PAGE_SIZE = 50


def filter_params(fields: dict[str, list[str]]) -> dict[str, Any]:
    """The filled-in filter fields of a query or form (empty inputs are no filter)."""
    params: dict[str, Any] = {}
    for name in FILTER_FIELDS:
        values = [v for v in fields.get(name, []) if v.strip()]
        if values:
            params[name] = values if name == "status" else values[0]
    return params


def query_fields(request: Request) -> dict[str, list[str]]:
    return {name: request.query_params.getlist(name) for name in request.query_params}


@signed_in
async def overview(request: Request, session: ConsoleSession) -> Response:
    service = ops(request)
    stats: dict[str, Any] = await run(request, service.stats)
    last_minute = EventFilter(since=time.time() - 60)
    per_minute: Count = await run(request, service.count, last_minute)
    by_status = stats["by_status"]
    context = {
        "stats": stats,
        "statuses": [(s.value, by_status.get(s.value, 0)) for s in EventStatus],
        "dead": by_status.get(EventStatus.DEAD.value, 0),
        "invalid": by_status.get(EventStatus.INVALID.value, 0),
        "webhooks_per_minute": per_minute.count,
    }
    return render(request, "overview.html", context, session=session)


@signed_in
async def event_list(request: Request, session: ConsoleSession) -> Response:
    params = filter_params(query_fields(request))
    context: dict[str, Any] = {"params": params, "statuses": [s.value for s in EventStatus]}
    try:
        page_number = request.query_params.get("page", "1")
        query = parse_list_query({**params, "page": page_number}, ops(request).scan_cap)
        selection = query.selection()
    except AdminInputInvalid as exc:
        context.update(error=str(exc), rows=[], page=1, next_page=None, previous_page=None)
        context.update(cap_note=None)
        return render(request, "events.html", context, session=session, status_code=400)
    found = await _page_of(request, query, selection)
    rows = found.records
    more = len(rows) > PAGE_SIZE
    link = {k: v for k, v in params.items()}
    context.update(
        rows=[summary(r) for r in rows[:PAGE_SIZE]],
        page=query.page,
        next_page=_page_link(link, query.page + 1) if more else None,
        previous_page=_page_link(link, query.page - 1) if query.page > 1 else None,
        filtered=selection != EventFilter(),
        cap_note=None if found.complete else cap_note(found.examined),
        stages=[s.value for s in ReplayStage],
    )
    return render(request, "events.html", context, session=session)


async def _page_of(request: Request, query: ListQuery, selection: EventFilter) -> Page:
    offset = (query.page - 1) * PAGE_SIZE
    found: Page = await run(request, ops(request).page, selection, PAGE_SIZE + 1, offset)
    return found


def _page_link(params: dict[str, Any], page: int) -> str:
    return "?" + urlencode({**params, "page": page}, doseq=True)


def pretty_json(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def payload_text(record: EventRecord) -> str:
    """The webhook body, or what became of it once the event was compacted."""
    if record.body or record.compaction is None:
        return pretty_json(record.body)
    return f"(compacted: {compaction_note(record)})"


def event_view(record: EventRecord) -> dict[str, Any]:
    """One event as the event page shows it: ISO times, outcomes in handler order."""
    return {
        "record": record,
        "received_at": iso(record.received_at),
        "updated_at": iso(record.updated_at),
        "next_attempt_at": iso(record.next_attempt_at),
        "payload": payload_text(record),
        "headers": json.dumps(record.headers, indent=2),
        "history": [(t.status.value, iso(t.at), t.note) for t in record.history],
        "deliveries": [(iso(d.at), d.body_sha256, d.same) for d in record.delivery_log],
        "outcomes": [
            {
                "outcome": record.outcome(name),
                "started_at": iso(record.outcome(name).started_at),
                "finished_at": iso(record.outcome(name).finished_at),
            }
            for name in record.handlers
        ],
        "validation": record.validation or {},
        "platform_webhooks": platform_webhooks(record),
    }


@signed_in
async def event_page(request: Request, session: ConsoleSession) -> Response:
    try:
        key = check_key(request.path_params["key"])
    except AdminInputInvalid as exc:
        return render(
            request, "error.html", {"message": str(exc)}, session=session, status_code=400
        )
    records: list[EventRecord] = await run(request, ops(request).show, key)
    if not records:
        message = f"No event or task {key!r} in the ledger."
        return render(request, "error.html", {"message": message}, session=session, status_code=404)
    context = {
        "key": key,
        "events": [event_view(r) for r in records],
        "stages": [s.value for s in ReplayStage],
    }
    return render(request, "event.html", context, session=session)

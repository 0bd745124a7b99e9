"""Replay from the console: plan (a dry run, shown), confirm, then watch the progress."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from receiver.admin_requests import AdminInputInvalid, ReplayBody, describe
from receiver.console.board import PendingPlan, ReplayBoard
from receiver.console.pages import filter_params
from receiver.console.session import ConsoleSession
from receiver.console.web import BASE, changes, first, ops, render, run, signed_in
from tlhooks.ops.replay import ReplayPlan, ReplayRequest
from tlhooks.ops.selection import EventFilter

BOARD = ReplayBoard()


def replay_body(fields: dict[str, list[str]]) -> ReplayBody:
    """The plan form as the admin API's replay request, with the same validation."""
    document: dict[str, Any] = {**filter_params(fields), "ids": fields.get("ids", [])}
    document["from"] = first(fields, "from") or "handlers"
    document["all_handlers"] = first(fields, "all_handlers") == "on"
    if handler := (first(fields, "replay_handler") or "").strip():
        document["handler"] = handler
    if rate := (first(fields, "rate") or "").strip():
        document["rate"] = rate
    try:
        body = ReplayBody.model_validate(json.loads(json.dumps(document)))
    except ValidationError as exc:
        raise AdminInputInvalid(f"Invalid replay request: {describe(exc)}") from None
    if not body.ids and body.selection() == EventFilter():
        raise AdminInputInvalid("Pick events to replay: filter the list first, or open an event.")
    return body


def plan_in_words(plan: ReplayPlan) -> dict[str, Any]:
    count = len(plan.eligible)
    return {
        "events": f"{count} event" + ("" if count == 1 else "s"),
        "by_status": ", ".join(f"{n} {s}" for s, n in sorted(plan.statuses.items())) or "none",
        "handlers": ", ".join(f"{h} ({n})" for h, n in sorted(plan.handlers.items())) or "none",
        "refused": sorted(plan.refused.items())[:20],
        "refused_count": len(plan.refused),
    }


@changes
async def plan_replay(
    request: Request, session: ConsoleSession, fields: dict[str, list[str]]
) -> Response:
    """The dry run: what a replay would do, with a confirm button. Nothing is queued yet."""
    back = first(fields, "back") or f"{BASE}/events"
    if not back.startswith(f"{BASE}/"):
        back = f"{BASE}/events"
    try:
        body = replay_body(fields)
        selection = None if body.ids else body.selection()
    except AdminInputInvalid as exc:
        refusal = {"message": str(exc), "back": back}
        return render(request, "error.html", refusal, session=session, status_code=400)
    replay_request = ReplayRequest(body.stage, body.handler, body.all_handlers)
    service = ops(request)
    plan: ReplayPlan = await run(
        request, lambda: service.plan_replay(replay_request, ids=body.ids, selection=selection)
    )
    if plan.eligible:
        BOARD.keep_plan(PendingPlan(plan, body.rate, back))
    context = {"plan": plan, "words": plan_in_words(plan), "back": back, "rate": body.rate}
    return render(request, "replay_plan.html", context, session=session)


@changes
async def confirm_replay(
    request: Request, session: ConsoleSession, fields: dict[str, list[str]]
) -> Response:
    replay_id = first(fields, "replay_id") or ""
    job = BOARD.start(ops(request), replay_id)
    if job is None:
        message = (
            "This plan is no longer waiting: plans are kept 15 minutes, run once, and only by "
            "the receiver process that made them. Plan the replay again."
        )
        return render(request, "error.html", {"message": message}, session=session, status_code=404)
    return RedirectResponse(f"{BASE}/replays/{replay_id}", status_code=303)


@changes
async def stop_replay(
    request: Request, session: ConsoleSession, _fields: dict[str, list[str]]
) -> Response:
    replay_id = request.path_params["replay_id"]
    job = BOARD.job(replay_id)
    if job is None:
        return _unknown(request, session, replay_id)
    job.stop_requested = True
    return RedirectResponse(f"{BASE}/replays/{replay_id}", status_code=303)


@signed_in
async def replay_progress(request: Request, session: ConsoleSession) -> Response:
    replay_id = request.path_params["replay_id"]
    job = BOARD.job(replay_id)
    if job is None:
        return _unknown(request, session, replay_id)
    context = {"job": job, "replay_id": replay_id, "words": plan_in_words(job.plan)}
    return render(request, "replay_progress.html", context, session=session)


def _unknown(request: Request, session: ConsoleSession, replay_id: str) -> Response:
    message = f"No replay {replay_id[:40]!r} was started from this receiver process."
    return render(request, "error.html", {"message": message}, session=session, status_code=404)

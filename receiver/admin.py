"""The admin HTTP API under ``/admin/``: list, show, stats and replay, as JSON.

It shares ``OpsService`` with ``tlhooks events``. Every request needs
``Authorization: Bearer $TLHOOKS_ADMIN_TOKEN`` (compared in constant time); with no token
configured the API is off and answers 404.

    GET  /admin/events?status=dead&custom_id=ads-*&since=2h&limit=50&page=1
                        (limit 1 to 1000; page x limit at most TLHOOKS_OPS_SCAN_CAP)
    GET  /admin/events/{event_id or task_id}
    GET  /admin/stats
    GET  /admin/batches?limit=20&page=1, GET /admin/batches/{batch_id}  (receiver/admin_batches.py)
    POST /admin/replay  {"ids": [...]} or filters, "from", "handler", "all_handlers",
                        "dry_run", "rate"

Every input is validated (``receiver.admin_requests``): a bad one is answered 400 with a
sentence; an unreachable ledger is the receiver's 503 with ``Retry-After``.
"""

from __future__ import annotations

import functools
import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from receiver.admin_batches import routes as batch_routes
from receiver.admin_requests import (
    AdminInputInvalid,
    check_key,
    parse_list_query,
    parse_replay_body,
)
from tlhooks.ops.listing import Page, cap_note
from tlhooks.ops.replay import ReplayRequest
from tlhooks.ops.selection import EventFilter
from tlhooks.ops.service import OpsService, detail, summary

ADMIN_TIMEOUT = 300.0
Endpoint = Callable[[Request], Awaitable[Response]]


class AdminAuthMiddleware:
    """Pure ASGI: refuse any request without the right bearer token; 404 when none is set.

    The token comes from the running receiver's settings (``app.state.runtime``).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = scope["app"].state.runtime.settings.admin_token
        expected = f"Bearer {token}".encode() if token else None
        if expected is None:
            off = {"error": "The admin API is off; set TLHOOKS_ADMIN_TOKEN to enable it."}
            await JSONResponse(off, status_code=404)(scope, receive, send)
            return
        supplied = dict(scope["headers"]).get(b"authorization", b"")
        if not hmac.compare_digest(supplied, expected):
            body = {"error": "A valid 'Authorization: Bearer <token>' header is required."}
            headers = {"WWW-Authenticate": "Bearer"}
            await JSONResponse(body, status_code=401, headers=headers)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _run(request: Request, func: Any, *args: Any) -> Any:
    runtime = request.app.state.runtime
    return await runtime.blocking(func, *args, timeout=ADMIN_TIMEOUT)


def _ops(request: Request) -> OpsService:
    ops: OpsService = request.app.state.runtime.ops
    return ops


def _bad(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


def answers_input_errors(endpoint: Endpoint) -> Endpoint:
    """Input errors become 400 with their sentence (storage errors are the app's 503)."""

    @functools.wraps(endpoint)
    async def wrapped(request: Request) -> Response:
        try:
            return await endpoint(request)
        except AdminInputInvalid as exc:
            return _bad(str(exc))

    return wrapped


@answers_input_errors
async def list_events(request: Request) -> Response:
    params: dict[str, Any] = dict(request.query_params)
    if "status" in params:
        params["status"] = request.query_params.getlist("status")
    ops = _ops(request)
    query = parse_list_query(params, ops.scan_cap)
    selection = query.selection()
    offset = (query.page - 1) * query.limit
    found: Page = await _run(request, ops.page, selection, query.limit, offset)
    body: dict[str, Any] = {
        "events": [summary(r) for r in found.records],
        "page": query.page,
        "examined": found.examined,
        "complete": found.complete,
    }
    if not found.complete:
        body["note"] = cap_note(found.examined)
    return JSONResponse(body)


@answers_input_errors
async def show_event(request: Request) -> Response:
    key = check_key(request.path_params["key"])
    records = await _run(request, _ops(request).show, key)
    if not records:
        return JSONResponse({"error": f"No event or task {key!r} in the ledger."}, 404)
    return JSONResponse({"events": json.loads(json.dumps([detail(r) for r in records]))})


@answers_input_errors
async def stats(request: Request) -> Response:
    return JSONResponse(await _run(request, _ops(request).stats))


@answers_input_errors
async def replay(request: Request) -> Response:
    body = parse_replay_body(await request.body())
    replay_request = ReplayRequest(body.stage, body.handler, body.all_handlers)
    selection = None if body.ids else body.selection()
    if not body.ids and selection == EventFilter():
        return _bad('Give \'ids\' or at least one filter, e.g. {"status": "dead"}.')
    ops = _ops(request)
    plan = await _run(
        request, lambda: ops.plan_replay(replay_request, ids=body.ids, selection=selection)
    )
    if body.dry_run:
        return JSONResponse({"plan": plan.to_dict()})
    rate = body.rate
    if rate is not None and len(plan.eligible) / rate > ADMIN_TIMEOUT:
        return _bad(
            f"Replaying {len(plan.eligible)} events at {rate:g}/s would take longer than "
            f"{ADMIN_TIMEOUT:.0f} s; raise 'rate' or use 'tlhooks events replay'."
        )
    result = await _run(request, lambda: ops.execute(plan, rate=rate))
    return JSONResponse({"plan": plan.to_dict(), "result": result.to_dict()})


routes = [
    Route("/events", list_events, methods=["GET"]),
    Route("/events/{key}", show_event, methods=["GET"]),
    Route("/stats", stats, methods=["GET"]),
    Route("/replay", replay, methods=["POST"]),
    *batch_routes,
]

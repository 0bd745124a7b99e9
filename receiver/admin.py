"""The admin HTTP API under ``/admin/``: list, show, stats and replay, as JSON.

It shares ``OpsService`` with ``tlhooks events``. Every request needs
``Authorization: Bearer $TLHOOKS_ADMIN_TOKEN`` (compared in constant time); with no token
configured the API is off and answers 404.

    GET  /admin/events?status=dead&custom_id=ads-*&since=2h&limit=50&page=1
    GET  /admin/events/{event_id or task_id}
    GET  /admin/stats
    POST /admin/replay  {"ids": [...]} or filters, "from", "handler", "all_handlers",
                        "dry_run", "rate"
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from tlhooks.ops.replay import ReplayRequest, ReplayStage
from tlhooks.ops.selection import EventFilter
from tlhooks.ops.service import OpsService, build_filter, detail, summary

ADMIN_TIMEOUT = 300.0
FILTER_FIELDS = ("event_type", "custom_id", "task_id", "handler", "since", "until", "error")


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


def _filter(values: dict[str, Any]) -> EventFilter:
    status = values.get("status") or []
    return build_filter(
        status=[status] if isinstance(status, str) else list(status),
        **{name: values.get(name) for name in FILTER_FIELDS},
    )


async def _run(request: Request, func: Any, *args: Any) -> Any:
    runtime = request.app.state.runtime
    return await runtime.blocking(func, *args, timeout=ADMIN_TIMEOUT)


def _ops(request: Request) -> OpsService:
    ops: OpsService = request.app.state.runtime.ops
    return ops


def _bad(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


async def list_events(request: Request) -> Response:
    query = request.query_params
    try:
        selection = _filter({**query, "status": query.getlist("status")})
        limit, page = int(query.get("limit", 50)), int(query.get("page", 1))
    except ValueError as exc:
        return _bad(str(exc))
    records = await _run(request, _ops(request).find, selection, limit, (page - 1) * limit)
    return JSONResponse({"events": [summary(r) for r in records], "page": page})


async def show_event(request: Request) -> Response:
    key = request.path_params["key"]
    records = await _run(request, _ops(request).show, key)
    if not records:
        return JSONResponse({"error": f"No event or task {key!r} in the ledger."}, 404)
    return JSONResponse({"events": json.loads(json.dumps([detail(r) for r in records]))})


async def stats(request: Request) -> Response:
    return JSONResponse(await _run(request, _ops(request).stats))


async def replay(request: Request) -> Response:
    try:
        body = await request.json()
        replay_request = ReplayRequest(
            ReplayStage(body.get("from", "handlers")),
            body.get("handler"),
            bool(body.get("all_handlers", False)),
        )
        ids = [str(i) for i in body.get("ids", [])]
        selection = None if ids else _filter(body)
    except (ValueError, AttributeError) as exc:
        return _bad(f"Invalid replay request: {exc}")
    if not ids and selection == EventFilter():
        return _bad('Give \'ids\' or at least one filter, e.g. {"status": "dead"}.')
    ops = _ops(request)
    plan = await _run(
        request, lambda: ops.plan_replay(replay_request, ids=ids, selection=selection)
    )
    if body.get("dry_run"):
        return JSONResponse({"plan": plan.to_dict()})
    rate = body.get("rate")
    result = await _run(request, lambda: ops.replayer.execute(plan, rate=rate))
    return JSONResponse({"plan": plan.to_dict(), "result": result.to_dict()})


routes = [
    Route("/events", list_events, methods=["GET"]),
    Route("/events/{key}", show_event, methods=["GET"]),
    Route("/stats", stats, methods=["GET"]),
    Route("/replay", replay, methods=["POST"]),
]

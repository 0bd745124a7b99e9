"""The admin API's batch routes, beside ``receiver/admin.py`` and under its bearer token.

    GET /admin/batches?limit=20&page=1   submitted batches, newest first, with their counts
    GET /admin/batches/{batch_id}        one batch: counts, expiry, progress and every item

The same ``OpsService`` answers ``tlhooks batches``; a batch's counts read its own items only.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from receiver.admin_requests import AdminInputInvalid
from tlhooks.ops.batches import BatchPage, BatchSummary
from tlhooks.ops.service import EVENT_OR_TASK_ID, OpsService

MAX_BATCH_LIMIT = 100


def whole_number(request: Request, name: str, default: int, highest: int | None) -> int:
    """A query parameter that must be a whole number from 1 (to ``highest``)."""
    raw = request.query_params.get(name, str(default))
    bounds = f"from 1 to {highest}" if highest else "of at least 1"
    try:
        value = int(raw)
    except ValueError:
        raise AdminInputInvalid(
            f"{name}={raw!r} is not a whole number; use one {bounds}."
        ) from None
    if value < 1 or (highest is not None and value > highest):
        raise AdminInputInvalid(f"{name}={value} is out of range; use a whole number {bounds}.")
    return value


def _ops(request: Request) -> OpsService:
    ops: OpsService = request.app.state.runtime.ops
    return ops


async def _run(request: Request, func: Any, *args: Any) -> Any:
    return await request.app.state.runtime.blocking(func, *args, timeout=60.0)


async def list_batches(request: Request) -> Response:
    try:
        limit = whole_number(request, "limit", 20, MAX_BATCH_LIMIT)
        page = whole_number(request, "page", 1, None)
    except AdminInputInvalid as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    found: BatchPage = await _run(request, _ops(request).batch_page, limit, (page - 1) * limit)
    return JSONResponse(
        {
            "batches": [summary.to_dict(items=False) for summary in found.batches],
            "page": page,
            "limit": limit,
            "total": found.total,
        }
    )


async def show_batch(request: Request) -> Response:
    batch_id = request.path_params["batch_id"]
    if not EVENT_OR_TASK_ID.fullmatch(batch_id):
        return JSONResponse(
            {"error": f"{batch_id[:64]!r} is not a batch id (24 hexadecimal characters)."}, 400
        )
    summary: BatchSummary | None = await _run(request, _ops(request).batch, batch_id)
    if summary is None:
        return JSONResponse({"error": f"No batch {batch_id!r} was submitted by tlhooks."}, 404)
    return JSONResponse(summary.to_dict())


routes = [
    Route("/batches", list_batches, methods=["GET"]),
    Route("/batches/{batch_id}", show_batch, methods=["GET"]),
]

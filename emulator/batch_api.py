"""The emulated batch endpoints, mounted under /v1.3 beside ``emulator.api`` (facts doc §4).

``POST /analyze/batches`` (201; an ``Idempotency-Key`` is honoured as for tasks, in a
namespace of its own [undoc: see ``emulator.idempotency``]), ``GET /analyze/batches``
(paged, newest first, repeatable ``status`` and ``analysis_mode`` filters),
``GET /analyze/batches/{id}``,
``GET /analyze/batches/{id}/results`` (JSON Lines, also while the batch runs),
``POST /analyze/batches/{id}/cancel`` (202 with the batch as it was) and
``DELETE /analyze/batches/{id}`` (409 ``batch_not_terminal`` until it has ended).
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulator.api import check_window, positive_int, read_json
from emulator.batch import Batch, BatchStatus
from emulator.batch_request import parse_batch_request
from emulator.errors import InvalidParameter
from emulator.idempotency import HEADER as IDEMPOTENCY_KEY
from emulator.request import GENERAL, TIME_BASED_METADATA
from emulator.state import EmulatorState

JSON_LINES = "application/jsonl"
MAX_PAGE_LIMIT = 50
DEFAULT_PAGE_LIMIT = 10


class BatchApi:
    """Route handlers of the batch endpoints over one emulator's state."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        return [
            Route("/analyze/batches", self.create_batch, methods=["POST"]),
            Route("/analyze/batches", self.list_batches, methods=["GET"]),
            Route("/analyze/batches/{batch_id}", self.get_batch, methods=["GET"]),
            Route("/analyze/batches/{batch_id}", self.delete_batch, methods=["DELETE"]),
            Route("/analyze/batches/{batch_id}/results", self.results, methods=["GET"]),
            Route("/analyze/batches/{batch_id}/cancel", self.cancel_batch, methods=["POST"]),
        ]

    async def create_batch(self, request: Request) -> Response:
        config = self.state.config
        body = await read_json(request)
        key = request.headers.get(IDEMPOTENCY_KEY)
        scoped = None if key is None else f"batch:{key}"
        replayed = self.state.idempotency.replay(scoped, body)
        if replayed is not None:
            return JSONResponse(replayed, status_code=201)
        batch_request = parse_batch_request(body, max_definitions=config.max_segment_definitions)
        for index, task_request in enumerate(batch_request.requests):
            check_window(config.seed, task_request, where=f"requests[{index}]: ")
        batch = self.state.batches.create(batch_request)
        answer = batch.created_json()
        self.state.idempotency.record(scoped, body, answer)
        return JSONResponse(answer, status_code=201)

    async def get_batch(self, request: Request) -> Response:
        return JSONResponse(self.state.batches.get(request.path_params["batch_id"]).to_json())

    async def delete_batch(self, request: Request) -> Response:
        self.state.batches.delete(request.path_params["batch_id"])
        return Response(status_code=200)

    async def cancel_batch(self, request: Request) -> Response:
        before = self.state.batches.cancel(request.path_params["batch_id"])
        return JSONResponse(before, status_code=202)

    async def results(self, request: Request) -> Response:
        batch = self.state.batches.get(request.path_params["batch_id"])
        lines = [_compact(batch.result_line(task)) + "\n" for task in batch.tasks]
        return Response("".join(lines), media_type=JSON_LINES)

    async def list_batches(self, request: Request) -> Response:
        query = request.query_params
        page = positive_int(query.get("page", "1"), "page", None, flat=False)
        limit = positive_int(
            query.get("page_limit", str(DEFAULT_PAGE_LIMIT)), "page_limit", MAX_PAGE_LIMIT,
            flat=False,
        )  # fmt: skip
        statuses = set(query.getlist("status"))
        unknown = sorted(statuses - {status.value for status in BatchStatus})
        if unknown:
            raise InvalidParameter(f"status {unknown} is not a batch status.")
        modes = set(query.getlist("analysis_mode"))
        if not modes <= {GENERAL, TIME_BASED_METADATA}:
            raise InvalidParameter(f"analysis_mode {sorted(modes)} holds an unknown mode.")

        def keep(batch: Batch) -> bool:
            return (not statuses or batch.status.value in statuses) and (
                not modes or batch.analysis_mode in modes
            )

        found = self.state.batches.page(page, limit, keep)
        data = [batch.to_json() for batch in found.items]
        return JSONResponse({"data": data, "page_info": found.page_info()})


def _compact(document: object) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)

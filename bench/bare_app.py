"""The baseline: a Starlette app that reads the webhook body and answers 200, nothing more.

Served by one uvicorn process exactly like the receiver, it shows what uvicorn, Starlette and
the loopback network cost on their own, so the receiver's own cost can be read off the gap.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


async def receive(request: Request) -> Response:
    await request.body()
    return Response(status_code=200)


async def healthz(_request: Request) -> Response:
    return Response(b"ok")


app = Starlette(
    routes=[
        Route("/webhooks/twelvelabs", receive, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
)

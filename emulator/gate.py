"""ApiGate: the pure ASGI middleware in front of the emulated /v1.3 API.

For every request it adds ``X-Api-Version``; for /v1.3 requests it also waits the ``latency``
fault, checks ``x-api-key`` (401 ``api_key_invalid``), counts every request against the
``request_limit`` fault (the platform's requests-per-minute limit, with its headers), injects
rate-limit and server-error faults into GET requests on ``/analyze/tasks*``, and journals
method, path and final status.
"""

from __future__ import annotations

import asyncio
import math
import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.config import API_PREFIX, API_VERSION
from emulator.errors import error_body
from emulator.request_limit import Admission
from emulator.state import EmulatorState

TASKS_PATH = f"{API_PREFIX}/analyze/tasks"
_SERVER_ERRORS = {
    500: ("internal_server_error", "The server encountered an internal error; retry later."),
    503: ("service_unavailable", "The service is temporarily unavailable; retry later."),
}


class ApiGate:
    """Authentication, version header, injected faults and the request journal."""

    def __init__(self, app: ASGIApp, state: EmulatorState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        limit_headers: dict[str, str] = {}

        async def send_versioned(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Api-Version"] = API_VERSION
                for name, value in limit_headers.items():
                    headers[name] = value
            await send(message)

        path: str = scope["path"]
        if not path.startswith(API_PREFIX):
            await self.app(scope, receive, send_versioned)
            return
        try:
            # decided on arrival, as the platform counts a request when it comes in
            refusal = self._refusal(scope) or self._counted(limit_headers)
            latency = self.state.faults.settings.latency
            if latency > 0:
                # the request is taken in on arrival: a client that gives up during the
                # latency still leaves its request to be served (a task may be created)
                receive = await _taken_in(receive)
                await asyncio.sleep(latency)
            if refusal is None:
                await self.app(scope, receive, send_versioned)
            else:
                await refusal(scope, receive, send_versioned)
        finally:
            self.state.journal.record_request(scope["method"], path, status)

    def _refusal(self, scope: Scope) -> Response | None:
        key = Headers(scope=scope).get("x-api-key", "")
        # an unauthenticated request is refused before it counts against the account's limit
        expected = self.state.config.api_key
        if not key or (expected is not None and key != expected):
            message = "The API key is missing or not valid; send a valid key in x-api-key."
            return JSONResponse(error_body("api_key_invalid", message), status_code=401)
        if scope["method"] != "GET" or not scope["path"].startswith(TASKS_PATH):
            return None
        return self._injected()

    def _counted(self, limit_headers: dict[str, str]) -> Response | None:
        """Count the request against ``request_limit``: its headers, and a 429 past it."""
        admission = self.state.faults.admit_request()
        if admission is None:
            return None
        limit_headers.update(admission.headers())
        return None if admission.allowed else self._over_limit(admission)

    def _injected(self) -> Response | None:
        faults = self.state.faults
        if faults.take_rate_limit():
            return self._rate_limited(faults.settings.retry_after)
        server_error = faults.take_server_error()
        if server_error is not None:
            code, message = _SERVER_ERRORS[server_error]
            return JSONResponse(error_body(code, message), status_code=server_error)
        return None

    def _over_limit(self, admission: Admission) -> Response:
        settings = self.state.faults.settings
        per = "minute" if settings.request_window == 60 else f"{settings.request_window:g} s"
        message = (
            f"You have exceeded the rate limit ({settings.request_limit} requests per {per}). "
            f"Please try again later after {admission.retry_after:.3g} seconds."
        )
        return JSONResponse(error_body("too_many_requests", message), 429)

    @staticmethod
    def _rate_limited(retry_after: float) -> Response:
        # Retry-After is undocumented [undoc]; fractions are written as-is to keep tests fast.
        announced = f"{retry_after:g}"
        message = (
            "You have exceeded the rate limit (60 requests per minute). "
            f"Please try again later after {announced} seconds."
        )
        headers = {
            "Retry-After": announced,
            "X-RateLimit-Request-Remaining": "0",
            "X-RateLimit-Request-Reset": str(math.ceil(time.time() + retry_after)),
        }
        return JSONResponse(error_body("too_many_requests", message), 429, headers=headers)


async def _taken_in(receive: Receive) -> Receive:
    """Read the whole request body now; answer the app's reads from it later."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay

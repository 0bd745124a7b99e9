"""RequestLimitsMiddleware: a request body must arrive within a deadline and a size.

Pure ASGI, around every route. A client that declares a ``Content-Length`` and then sends
less, or drips its body, would otherwise hold a connection and a task forever: reading the
body past ``TLHOOKS_BODY_READ_TIMEOUT`` seconds raises ``BodyReadTimeout`` (408), and more
than ``TLHOOKS_MAX_BODY_BYTES`` raises ``PayloadTooLarge`` (413), for the webhook and the
admin API alike. Either way the answer closes the connection, since the rest of the body
will never be read. Slow or endless *headers* are the server's business (``receiver.server``);
it bounds a head only while the head is incomplete, so one that arrives whole in a single read
can exceed the bound: more than 100 headers or ``MAX_HEAD_BYTES`` of them is answered 431 here.
"""

from __future__ import annotations

import anyio
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tlhooks.errors import BodyReadTimeout, PayloadTooLarge

MAX_HEADERS = 100
MAX_HEAD_BYTES = 16 * 1024


class RequestLimitsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        if len(headers) > MAX_HEADERS or sum(len(k) + len(v) for k, v in headers) > MAX_HEAD_BYTES:
            too_many = {"error": f"At most {MAX_HEADERS} headers of {MAX_HEAD_BYTES} bytes in all."}
            closing = {"Connection": "close"}
            await JSONResponse(too_many, status_code=431, headers=closing)(scope, receive, send)
            return
        settings = scope["app"].state.runtime.settings
        body = _BoundedBody(receive, send, settings.body_read_timeout, settings.max_body_bytes)
        try:
            await self.app(scope, body.receive, body.send)
        except (BodyReadTimeout, PayloadTooLarge) as exc:
            if body.started:
                raise
            refusal = JSONResponse({"error": exc.public_message}, status_code=exc.status_code)
            await refusal(scope, receive, body.send)


class _BoundedBody:
    """One request's ``receive`` under a deadline and a size; its ``send`` closes if refused."""

    def __init__(self, receive: Receive, send: Send, timeout: float, limit: int) -> None:
        self._receive = receive
        self._send = send
        self.timeout = timeout
        self.limit = limit
        self.deadline = anyio.current_time() + timeout
        self.received = 0
        self.complete = False
        self.refused = False
        self.started = False

    async def receive(self) -> Message:
        if self.complete:
            return await self._receive()
        try:
            with anyio.fail_after(max(0.0, self.deadline - anyio.current_time())):
                message = await self._receive()
        except TimeoutError:
            self.refused = True
            raise BodyReadTimeout(f"the body did not arrive within {self.timeout:g} s") from None
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            self.complete = not message.get("more_body", False)
            if self.received > self.limit:
                self.refused = True
                raise PayloadTooLarge(f"body exceeds {self.limit} bytes")
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            if self.refused:
                headers = [*message.get("headers", []), (b"connection", b"close")]
                message = {**message, "headers": headers}
        await self._send(message)

"""What every console page shares: templates, the session check, CSRF and form bodies."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from receiver.console.session import COOKIE, ConsoleSession, SessionSigner
from tlhooks.errors import StorageUnavailable
from tlhooks.ops.service import OpsService

BASE = "/admin/console"
OPS_TIMEOUT = 300.0
MAX_FORM_FIELDS = 64
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals["base"] = BASE

Page = Callable[[Request], Awaitable[Response]]
SessionPage = Callable[[Request, ConsoleSession], Awaitable[Response]]


def admin_token(request: Request) -> str | None:
    token: str | None = request.app.state.runtime.settings.admin_token
    return token or None


def signer(request: Request) -> SessionSigner:
    token = admin_token(request)
    assert token is not None
    return SessionSigner(token)


def ops(request: Request) -> OpsService:
    service: OpsService = request.app.state.runtime.ops
    return service


async def run(request: Request, func: Callable[..., Any], *args: Any) -> Any:
    """Blocking ledger work through the ops layer, in the receiver's thread pool."""
    return await request.app.state.runtime.blocking(func, *args, timeout=OPS_TIMEOUT)


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    session: ConsoleSession | None = None,
    status_code: int = 200,
) -> Response:
    values = {"session": session, "csrf": session.csrf if session else "", **(context or {})}
    headers = {"Cache-Control": "no-store", "X-Frame-Options": "DENY"}
    return templates.TemplateResponse(
        request, name, values, status_code=status_code, headers=headers
    )


def unavailable(request: Request, session: ConsoleSession, exc: Exception) -> Response:
    """The ledger did not answer: a page saying so, 503 with Retry-After as the API answers."""
    reason = str(exc) or "the ledger did not answer in time"
    message = f"The event store is unavailable ({reason}); reload in a few seconds."
    response = render(request, "error.html", {"message": message}, session=session, status_code=503)
    response.headers["Retry-After"] = "5"
    return response


def console_off() -> Response:
    return HTMLResponse(
        "<!doctype html><title>Console off</title><p>The ops console is off; set "
        "TLHOOKS_ADMIN_TOKEN to enable it.</p>",
        status_code=404,
    )


def signed_in(page: SessionPage) -> Page:
    """The page for a signed-in browser; others go to the sign-in form (404 with no token)."""

    @functools.wraps(page)
    async def wrapped(request: Request) -> Response:
        if admin_token(request) is None:
            return console_off()
        session = signer(request).verify(request.cookies.get(COOKIE))
        if session is None:
            return RedirectResponse(f"{BASE}/sign-in", status_code=303)
        try:
            return await page(request, session)
        except (StorageUnavailable, TimeoutError) as exc:
            return unavailable(request, session, exc)

    return wrapped


async def read_form(request: Request) -> dict[str, list[str]]:
    """An urlencoded form (the body is already bounded by ``RequestLimitsMiddleware``)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    fields: dict[str, list[str]] = {}
    for name, value in parse_qsl(body, max_num_fields=MAX_FORM_FIELDS):
        fields.setdefault(name, []).append(value)
    return fields


def first(fields: dict[str, list[str]], name: str) -> str | None:
    values = fields.get(name)
    return values[0] if values else None


def refuse_csrf(request: Request, session: ConsoleSession) -> Response:
    message = "This form has no valid CSRF token; reload the page and submit it again."
    return render(request, "error.html", {"message": message}, session=session, status_code=403)


FormPage = Callable[[Request, ConsoleSession, dict[str, list[str]]], Awaitable[Response]]


def changes(page: FormPage) -> Page:
    """A POST that changes something: signed in, and its form carries the session's CSRF token."""

    @signed_in
    async def wrapped(request: Request, session: ConsoleSession) -> Response:
        fields = await read_form(request)
        if not session.accepts(first(fields, "csrf")):
            return refuse_csrf(request, session)
        return await page(request, session, fields)

    return wrapped

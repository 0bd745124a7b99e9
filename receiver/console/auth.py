"""Signing in with the admin token, and out again."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from receiver.console.session import COOKIE, ConsoleSession, admin_token_matches
from receiver.console.web import (
    BASE,
    admin_token,
    changes,
    console_off,
    first,
    read_form,
    render,
    signer,
)


async def sign_in_form(request: Request) -> Response:
    if admin_token(request) is None:
        return console_off()
    return render(request, "sign_in.html")


async def sign_in(request: Request) -> Response:
    """Check the token in constant time; on success set the session cookie."""
    token = admin_token(request)
    if token is None:
        return console_off()
    supplied = first(await read_form(request), "token") or ""
    if not admin_token_matches(supplied, token):
        message = "That is not the admin token (TLHOOKS_ADMIN_TOKEN); try again."
        return render(request, "sign_in.html", {"error": message}, status_code=401)
    _session, cookie = signer(request).issue()
    response = RedirectResponse(f"{BASE}/", status_code=303)
    response.set_cookie(
        COOKIE,
        cookie,
        max_age=int(signer(request).lifetime),
        path="/admin/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@changes
async def sign_out(
    _request: Request, _session: ConsoleSession, _fields: dict[str, list[str]]
) -> Response:
    response = RedirectResponse(f"{BASE}/sign-in", status_code=303)
    response.delete_cookie(COOKIE, path="/admin/", httponly=True, samesite="strict")
    return response

"""The console's session: a signed, expiring cookie holding a CSRF token, nothing else.

The cookie is ``<payload>.<signature>``: the payload is base64url JSON ``{"exp", "csrf"}``,
the signature HMAC-SHA256 under a key derived from ``TLHOOKS_ADMIN_TOKEN``
(``HMAC(token, "tlhooks console session v1")``). Rotating the admin token therefore signs
every console session out, and a cookie from another deployment never verifies. It is sent
``HttpOnly; SameSite=Strict; Path=/admin/`` (and ``Secure`` over https).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

COOKIE = "tlhooks_console"
LIFETIME_SECONDS = 8 * 3600
_PURPOSE = b"tlhooks console session v1"


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in browser: when its session ends and the CSRF token its forms carry."""

    expires_at: float
    csrf: str

    def accepts(self, csrf: str | None) -> bool:
        """Whether a form's CSRF token is this session's (compared in constant time)."""
        return csrf is not None and hmac.compare_digest(csrf.encode(), self.csrf.encode())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionSigner:
    """Issues and verifies session cookies for one admin token."""

    def __init__(self, admin_token: str, lifetime: float = LIFETIME_SECONDS) -> None:
        self._key = hmac.new(admin_token.encode(), _PURPOSE, hashlib.sha256).digest()
        self.lifetime = lifetime

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())

    def issue(self, now: float | None = None) -> tuple[ConsoleSession, str]:
        """A fresh session and its cookie value."""
        session = ConsoleSession((now or time.time()) + self.lifetime, secrets.token_urlsafe(32))
        payload = _b64(json.dumps({"exp": session.expires_at, "csrf": session.csrf}).encode())
        return session, f"{payload}.{self._sign(payload)}"

    def verify(self, cookie: str | None, now: float | None = None) -> ConsoleSession | None:
        """The session a cookie carries, or None if it is missing, forged or expired."""
        if not cookie or cookie.count(".") != 1 or len(cookie) > 512:
            return None
        payload, signature = cookie.split(".")
        if not hmac.compare_digest(signature.encode(), self._sign(payload).encode()):
            return None
        try:
            data = json.loads(_unb64(payload))
            session = ConsoleSession(float(data["exp"]), str(data["csrf"]))
        except (ValueError, KeyError, TypeError):
            return None
        return session if session.expires_at > (now or time.time()) else None


def admin_token_matches(supplied: str, token: str) -> bool:
    """The sign-in check, in constant time."""
    return hmac.compare_digest(supplied.encode(), token.encode())

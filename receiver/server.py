"""HeadTimeoutH11Protocol: uvicorn's h11 protocol, plus a deadline for every request head.

uvicorn closes idle keep-alive connections, but never one that opens and sends nothing, or
drips a request head a byte at a time: each holds a socket for ever. This protocol closes a
connection whose next request head has not arrived in full within
``TLHOOKS_HEADER_READ_TIMEOUT`` seconds of the connection opening or of the previous
response. Serve with ``uvicorn --http receiver.server:HeadTimeoutH11Protocol`` (the Procfile
does); h11 itself bounds the head's size.
"""

from __future__ import annotations

import asyncio
import functools

from uvicorn.protocols.http.h11_impl import H11Protocol

from tlhooks.settings import get_settings


@functools.cache
def head_timeout() -> float:
    return get_settings().header_read_timeout


class HeadTimeoutH11Protocol(H11Protocol):
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(head_timeout(), self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        # No request since the timer was armed has got as far as the app: close.
        if self.cycle is None or self.cycle.response_complete:
            self.transport.close()

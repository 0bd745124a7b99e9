"""BoundedHttpToolsProtocol: uvicorn's httptools protocol with a bounded, timed request head.

uvicorn's httptools protocol, the fast one, puts no bound on a request head (an 8 MiB header
was accepted; one endless header grew the process by 250 MB), and uvicorn never closes a
connection that opens and sends nothing, or drips its head a byte at a time. This protocol:

- answers 431 and closes when a request head is still incomplete after
  ``--h11-max-incomplete-event-size`` bytes (the option uvicorn's h11 protocol reads for the
  same bound; 16 KiB in the Procfile). h11 bounds heads too, but parses in Python and cost the
  receiver about half its throughput (README, "Server options");
- closes a connection whose next request head has not arrived in full within
  ``TLHOOKS_HEADER_READ_TIMEOUT`` seconds of the connection opening or of the previous
  response.

Serve with ``uvicorn --http receiver.server:BoundedHttpToolsProtocol`` (the Procfile does). It
subclasses a uvicorn class that is not a public API: ``tests/e2e/test_hostile_server.py`` runs
the Procfile line, so an upgrade that breaks it fails there.
"""

from __future__ import annotations

import asyncio
import functools

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from receiver.limits import MAX_HEAD_BYTES
from tlhooks.settings import get_settings

HEAD_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\ncontent-length: 32\r\nconnection: close\r\n\r\n"
    b"The request head is too large.\r\n"
)


@functools.cache
def head_timeout() -> float:
    return get_settings().header_read_timeout


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    _head_timer: asyncio.TimerHandle | None = None
    _in_head = True
    _head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        counting = self._in_head
        super().data_received(data)
        # Only while a head is still incomplete after this chunk is all of the chunk head bytes.
        if counting and self._in_head and not self.transport.is_closing():
            self._head_bytes += len(data)
            bound = self.config.h11_max_incomplete_event_size or MAX_HEAD_BYTES
            if self._head_bytes > bound:
                self.transport.write(HEAD_TOO_LARGE)
                self.transport.close()

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True

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

"""Which worker run is writing: every state move a run makes is fenced by its lease token.

A run (``workers/processor.py``) holds a lease on its event. If the lease lapses (the worker
paused, or was cut off from Redis, for longer than ``TLHOOKS_LEASE_SECONDS``) another run may
take the event over, and from then on every write of the late run must be refused, not only its
handler outcomes (SAVE_OUTCOME): a run that stored its last outcome, stalled, and came back after
the takeover would otherwise settle the event under the run that owns it now.

The processor opens ``fenced_by(token)`` around a run; ``EventLedger.transition`` passes that
token to TRANSITION, which refuses the move with ``LeaseLost`` unless the run still owns the
event (``lua/run_owner.lua``). A context variable carries the token, so every part of a run
(fetcher, pacer, settler, batch handlers) is fenced without handing the token to each; each
worker thread has its own. Outside a run (tests, tools) moves are not fenced.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_RUN_TOKEN: ContextVar[str | None] = ContextVar("tlhooks_run_token", default=None)


@contextmanager
def fenced_by(token: str) -> Iterator[None]:
    """Within this block, state moves are the run ``token``'s, refused once it lost the event."""
    reset = _RUN_TOKEN.set(token)
    try:
        yield
    finally:
        _RUN_TOKEN.reset(reset)


def current_run() -> str | None:
    """The token of the run writing in this context, or None outside a run."""
    return _RUN_TOKEN.get()

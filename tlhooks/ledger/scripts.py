"""Lua scripts that make each ledger step atomic in Redis.

Each script is one decision that must not race: accepting a delivery (de-duplication and
conflict detection), changing state (the transition table is enforced server-side against the
state actually stored), and claiming, renewing and releasing a worker run's lease.

The scripts live in ``tlhooks/ledger/lua/*.lua`` (shipped as package data), each opening with
its KEYS/ARGV contract; they are read once, at import, with ``importlib.resources``.
"""

from __future__ import annotations

from importlib import resources


def load(name: str) -> str:
    """The text of ``tlhooks/ledger/lua/<name>.lua``."""
    return resources.files("tlhooks.ledger").joinpath("lua", f"{name}.lua").read_text("utf-8")


# The end of REQUEUE_STALE and REQUEUE_DUE: a ``move(status, target, note)`` function.
_MOVE = load("move")

ACCEPT = load("accept")
MARK_PUBLISHED = load("mark_published")
RELEASE_PUBLISH = load("release_publish")
TRANSITION = load("transition")
BEGIN_RUN = load("begin_run")
RENEW_LEASE = load("renew_lease")
UNLOCK = load("unlock")
REQUEUE_STALE = _MOVE + load("requeue_stale")
REQUEUE_DUE = _MOVE + load("requeue_due")
END_RUN = load("end_run")
CLAIM_DUE = load("claim_due")
REPLAY = load("replay")

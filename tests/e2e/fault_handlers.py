"""Handlers for the fault tests, loaded with ``tests.e2e.plugin_handlers`` via TLHOOKS_HANDLERS.

Each records its call in the test Redis; the recording tolerates a Redis that is down (the
fault tests kill it), so only the handler's own outcome write depends on the ledger.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

import redis

from handlers import HandlerContext, handler

_redis = redis.Redis.from_url(
    os.environ["TLHOOKS_REDIS_URL"], decode_responses=True, socket_timeout=2
)
HOLD_SECONDS = float(os.environ.get("TEST_HOLD_SECONDS", "4"))


def _record(name: str, ctx: HandlerContext) -> None:
    entry = {
        "event_id": ctx.event_id,
        "task_id": ctx.task_id,
        "attempt": ctx.attempt,
        "pid": os.getpid(),  # which worker ran it
    }
    _redis.rpush(f"test:calls:{name}", json.dumps(entry))


@handler(custom_id="hold-*", on="ready", name="hold")
def hold(ctx: HandlerContext) -> None:
    """Succeeds after ``TEST_HOLD_SECONDS``: long enough for a test to kill something."""
    _record("hold", ctx)
    time.sleep(HOLD_SECONDS)


@handler(custom_id="load-*", on="ready", name="load")
def load(ctx: HandlerContext) -> None:
    """Succeeds after a short pause, so a few hundred events are in flight at a kill."""
    _record("load", ctx)
    time.sleep(0.15)


@handler(custom_id="release-*", on="ready", name="waits_for_release")
def waits_for_release(ctx: HandlerContext) -> None:
    """In a worker started with ``TEST_RELEASE_FILE``, succeeds once that file exists (60 s at
    most); in any other worker at once. Its return is recorded too, as
    ``waits_for_release:returned``, when Redis can be reached: a worker released while cut off
    from it still succeeds."""
    _record("waits_for_release", ctx)
    release = os.environ.get("TEST_RELEASE_FILE")
    deadline = time.monotonic() + 60
    while release and not Path(release).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    with contextlib.suppress(redis.RedisError):
        _record("waits_for_release:returned", ctx)

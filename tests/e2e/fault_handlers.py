"""Handlers for the fault tests, loaded with ``tests.e2e.plugin_handlers`` via TLHOOKS_HANDLERS.

Each records its call in the test Redis; the recording tolerates a Redis that is down (the
fault tests kill it), so only the handler's own outcome write depends on the ledger.
"""

from __future__ import annotations

import json
import os
import time

import redis

from handlers import HandlerContext, handler

_redis = redis.Redis.from_url(
    os.environ["TLHOOKS_REDIS_URL"], decode_responses=True, socket_timeout=2
)
HOLD_SECONDS = float(os.environ.get("TEST_HOLD_SECONDS", "4"))


def _record(name: str, ctx: HandlerContext) -> None:
    entry = {"event_id": ctx.event_id, "task_id": ctx.task_id, "attempt": ctx.attempt}
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

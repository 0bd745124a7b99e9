"""Handlers with retry policies, loaded with ``tests.e2e.plugin_handlers`` via TLHOOKS_HANDLERS.

Each records its call (attempt and wall-clock time) in the test Redis under ``test:calls:``.
"""

from __future__ import annotations

import functools
import json
import os
import time

import redis

from handlers import HandlerContext, NonRetryable, Retry, handler

RETRY_DELAY = 3.0  # far above the first backoff the tests configure (at most 0.2 s)
PERSISTENT_ATTEMPTS = 5  # above the tests' TLHOOKS_MAX_ATTEMPTS of 3


@functools.cache
def _redis() -> redis.Redis:
    """Opened on first call, so the tests can import this module for its constants."""
    return redis.Redis.from_url(os.environ["TLHOOKS_REDIS_URL"], decode_responses=True)


def _record(name: str, ctx: HandlerContext) -> None:
    entry = {"task_id": ctx.task_id, "attempt": ctx.attempt, "at": time.time()}
    _redis().rpush(f"test:calls:{name}", json.dumps(entry))


@handler(custom_id="patient-*", name="patient")
def patient(ctx: HandlerContext) -> None:
    """Asks to be retried after RETRY_DELAY seconds once, then succeeds."""
    _record("patient", ctx)
    if ctx.attempt == 1:
        raise Retry("the index is not ready yet", delay=RETRY_DELAY)


@handler(custom_id="refusing-*", name="refusing")
def refusing(ctx: HandlerContext) -> None:
    _record("refusing", ctx)
    raise NonRetryable("this video is not ours to index")


@handler(custom_id="persistent-*", name="persistent", max_attempts=PERSISTENT_ATTEMPTS)
def persistent(ctx: HandlerContext) -> None:
    _record("persistent", ctx)
    raise RuntimeError(f"still down on attempt {ctx.attempt}")

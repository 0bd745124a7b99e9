"""Handlers the end-to-end tests load into real receivers and workers via TLHOOKS_HANDLERS.

They record every call in the test Redis (keys under ``test:``) so tests can count effects.
"""

from __future__ import annotations

import json
import os
import time

import redis
from pydantic import BaseModel

from handlers import BatchContext, HandlerContext, handler

_redis = redis.Redis.from_url(os.environ["TLHOOKS_REDIS_URL"], decode_responses=True)


def _record(name: str, ctx: HandlerContext) -> None:
    entry = {
        "event_id": ctx.event_id,
        "task_id": ctx.task_id,
        "custom_id": ctx.custom_id,
        "event_type": ctx.event_type,
        "idempotency_key": ctx.idempotency_key,
        "attempt": ctx.attempt,
        "result": ctx.result,
        "error": ctx.error,
        "pid": os.getpid(),
    }
    _redis.rpush(f"test:calls:{name}", json.dumps(entry))


@handler(custom_id="*", on="ready", name="record_ready")
def record_ready(ctx: HandlerContext) -> None:
    _record("record_ready", ctx)


@handler(custom_id="*", on="failed", name="record_failed")
async def record_failed(ctx: HandlerContext) -> None:
    _record("record_failed", ctx)


@handler(custom_id="flaky-*", on="ready", name="flaky")
def flaky(ctx: HandlerContext) -> None:
    _record("flaky", ctx)
    if ctx.attempt <= 2:
        raise RuntimeError(f"flaky failure on attempt {ctx.attempt}")


@handler(custom_id="doomed-*", on="ready", name="doomed")
def doomed(ctx: HandlerContext) -> None:
    _record("doomed", ctx)
    raise ValueError("this handler always fails")


@handler(custom_id="slow-*", on="ready", name="slow")
def slow(ctx: HandlerContext) -> None:
    _record("slow", ctx)
    if _redis.incr(f"test:slow-runs:{ctx.task_id}") == 1:
        time.sleep(60)  # the test kills the worker during this sleep


@handler(custom_id="poison-*", on="ready", name="poison")
def poison(ctx: HandlerContext) -> None:
    _record("poison", ctx)
    os.kill(os.getpid(), 9)


@handler(custom_id="gated-*", on="ready", name="gated")
def gated(ctx: HandlerContext) -> None:
    _record("gated", ctx)
    if _redis.get("test:gate") != "open":
        raise RuntimeError("the gate is closed")


@handler(custom_id="typed-*", on="ready", name="typed")
def typed(ctx: HandlerContext) -> None:
    assert ctx.segments is not None
    first = ctx.segments["scene"][0]
    entry = {
        "task_id": ctx.task_id,
        "start_type": type(first.start_time).__name__,
        "activity": first.metadata.activity,  # type: ignore[attr-defined]
        "segments": len(ctx.segments["scene"]),
        "partial": ctx.partial,
    }
    _redis.rpush("test:calls:typed", json.dumps(entry))


@handler(custom_id="partial-*", on="ready", name="partial", partial_ok=True)
def partial(ctx: HandlerContext) -> None:
    assert ctx.segments is not None
    entry = {"task_id": ctx.task_id, "partial": ctx.partial, "segments": len(ctx.segments["scene"])}
    _redis.rpush("test:calls:partial", json.dumps(entry))


class StrictScene(BaseModel):
    activity: str
    people_count: int
    mood: str  # the results never carry it: the "bug" a schema fix removes


class FixedScene(BaseModel):
    activity: str
    people_count: int


SCENE = FixedScene if os.environ.get("TEST_SCHEMA_FIXED") else StrictScene


@handler(custom_id="strict-*", on="ready", name="strict", schema={"scene": SCENE})
def strict(ctx: HandlerContext) -> None:
    _record("strict", ctx)


@handler(custom_id="bat-*", on="batch", name="batch_report")
def batch_report(ctx: BatchContext) -> None:
    entry = {
        "batch_id": ctx.batch_id,
        "status": ctx.status,
        "counts": ctx.counts,
        "items": len(ctx.items),
        "canceled": [item.custom_id for item in ctx.canceled],
        "attempt": ctx.attempt,
        "pid": os.getpid(),
    }
    _redis.rpush("test:calls:batch_report", json.dumps(entry))
    if ctx.attempt == 1 and _redis.get("test:batch-report-fails-once"):
        raise RuntimeError("the report store is down")

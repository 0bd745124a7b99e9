"""The end-to-end bench's handler module (``TLHOOKS_HANDLERS=bench.recording_handler``).

One catch-all handler that records, in the pipeline's own Redis, when each event's handler first
ran (wall clock, so the bench can subtract the time it sent the webhook) and how many times it
ran. ``RunRecord`` reads both back for the bench.
"""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass

import redis

from handlers import HandlerContext, handler

FIRST_RUN_KEY = "bench:e2e:first-run"  # event id -> unix time of the handler's first run
RUNS_KEY = "bench:e2e:runs"  # event id -> number of runs


@functools.cache
def _client() -> redis.Redis:
    return redis.Redis.from_url(os.environ["TLHOOKS_REDIS_URL"], decode_responses=True)


@handler(custom_id="*", on="both", name="bench_recorder")
def record_run(ctx: HandlerContext) -> None:
    """Note the time of this run; the bench measures the pipeline, not handler work."""
    pipe = _client().pipeline(transaction=False)
    pipe.hsetnx(FIRST_RUN_KEY, ctx.event_id, repr(time.time()))
    pipe.hincrby(RUNS_KEY, ctx.event_id, 1)
    pipe.execute()


@dataclass(frozen=True)
class RunRecord:
    """What the handler wrote: first-run times and run counts by event id."""

    first_run: dict[str, float]
    runs: dict[str, int]

    @classmethod
    def read(cls, client: redis.Redis) -> RunRecord:
        first_run = {str(key): float(at) for key, at in client.hgetall(FIRST_RUN_KEY).items()}
        runs = {str(key): int(count) for key, count in client.hgetall(RUNS_KEY).items()}
        return cls(first_run, runs)

    @staticmethod
    def handled_count(client: redis.Redis) -> int:
        return int(client.hlen(FIRST_RUN_KEY))

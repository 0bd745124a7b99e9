"""The raw Celery publish rate of one thread: ``python -m bench.publish_rate --redis-url URL``.

``EventPublisher.publish`` (``send_task('tlhooks.process_event')``) in a loop, to a throwaway
queue in the Redis database given, with no HTTP, no ledger and no thread hand-off. This is
the ceiling the receiver is compared with. Prints one JSON summary line.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from bench.load import percentile
from tlhooks.queue.publisher import EventPublisher
from tlhooks.settings import load_settings

WARMUP = 200


def measure(redis_url: str, queue: str, count: int, max_seconds: float) -> dict[str, object]:
    settings = load_settings(_env_file=None, redis_url=redis_url, broker_url="", queue=queue)
    publisher = EventPublisher.from_settings(settings)
    try:
        for number in range(WARMUP):
            publisher.publish(f"warmup-{number}")
        latencies: list[float] = []
        start = time.perf_counter()
        deadline = start + max_seconds
        for number in range(count):
            sent = time.perf_counter()
            publisher.publish(f"bench-{number}")
            latencies.append(time.perf_counter() - sent)
            if sent > deadline:
                break
        elapsed = time.perf_counter() - start
    finally:
        publisher.close()
    latencies.sort()
    return {
        "published": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": latencies[-1] * 1000,
        "queued": WARMUP + len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--queue", default="bench.publish")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--max-seconds", type=float, default=10.0)
    parser.add_argument("--cpu", type=int, default=None)
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    print(json.dumps(measure(args.redis_url, args.queue, args.count, args.max_seconds)))


if __name__ == "__main__":
    main()

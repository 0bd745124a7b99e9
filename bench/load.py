"""The load generator process: ``python -m bench.load --url URL --mode open|closed ...``.

It pins itself to one CPU, warms its connections up, runs one measured phase and prints one
JSON summary line. Accepted notification ids are appended to ``--ids-out`` for the checks.

- ``closed``: every connection sends its next webhook as soon as the last one is answered;
  the rate is the sustained maximum.
- ``open``: webhook ``i`` is due at ``start + i / rate`` whether or not earlier ones were
  answered, and its latency counts from that due time, so a stalled server cannot hide its
  queue (no coordinated omission).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.connection import HttpConnection, ProtocolError
from bench.payloads import WebhookFactory
from bench.stack import cpu_busy_seconds, cpu_seconds
from tlhooks.signing import HEADER

REQUEST_TIMEOUT = 10.0
FAILURES = (OSError, EOFError, asyncio.LimitOverrunError, TimeoutError, ProtocolError, ValueError)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    accepted: list[str] = field(default_factory=list)


class LoadRun:
    """One phase against one server, over ``connections`` keep-alive connections."""

    def __init__(self, args: argparse.Namespace) -> None:
        url = urlsplit(args.url)
        self.path = url.path
        self.connections = [
            HttpConnection(url.hostname or "127.0.0.1", url.port or 80)
            for _ in range(args.connections)
        ]
        self.make = WebhookFactory(args.secret)
        self.expect = args.expect
        self.expect_body = args.expect_body.encode()
        self.tally = Tally()

    async def exchange(self, connection: HttpConnection, due: float) -> None:
        webhook = self.make()
        headers = {"Content-Type": "application/json", HEADER: webhook.signature}
        headers["User-Agent"] = "tlhooks-bench"
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                status, answer = await connection.post(self.path, webhook.body, headers)
        except FAILURES as exc:
            connection.close()
            self.tally.errors[type(exc).__name__] += 1
            return
        self.tally.latencies.append(time.perf_counter() - due)
        if status == self.expect and self.expect_body in answer:
            self.tally.accepted.append(webhook.event_id)
        else:
            self.tally.errors[f"HTTP {status}"] += 1

    async def closed(self, duration: float) -> float:
        start = time.perf_counter()
        end = start + duration

        async def drive(connection: HttpConnection) -> None:
            while time.perf_counter() < end:
                await self.exchange(connection, time.perf_counter())

        await asyncio.gather(*(drive(c) for c in self.connections))
        return time.perf_counter() - start

    async def open(self, duration: float, rate: float) -> float:
        total = int(duration * rate)
        start = time.perf_counter() + 0.01
        slots = itertools.count()

        async def drive(connection: HttpConnection) -> None:
            while (slot := next(slots)) < total:
                due = start + slot / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                await self.exchange(connection, due)

        await asyncio.gather(*(drive(c) for c in self.connections))
        return time.perf_counter() - start


def percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def usage(args: argparse.Namespace) -> dict[str, float]:
    """CPU seconds so far: the server, this process, Redis and the server's whole CPU."""
    seconds = {"server": cpu_seconds(args.server_pid), "load": time.process_time()}
    if args.redis_pid:
        seconds["redis"] = cpu_seconds(args.redis_pid)
    if args.server_cpu is not None:
        seconds["server_core"] = cpu_busy_seconds(args.server_cpu)
    return seconds


async def run(args: argparse.Namespace) -> dict[str, object]:
    load = LoadRun(args)
    if args.warmup > 0:
        await load.closed(args.warmup)
        load.tally = Tally(accepted=load.tally.accepted)
    before = usage(args)
    if args.mode == "open":
        elapsed = await load.open(args.duration, args.rate)
    else:
        elapsed = await load.closed(args.duration)
    spent = {name: (value - before[name]) / elapsed for name, value in usage(args).items()}
    for connection in load.connections:
        connection.close()
    if args.ids_out:
        with Path(args.ids_out).open("a") as out:
            out.writelines(f"{event_id}\n" for event_id in load.tally.accepted)
    ordered = sorted(load.tally.latencies)
    return {
        "mode": args.mode,
        "seconds": elapsed,
        "responses": len(ordered),
        "rps": len(ordered) / elapsed,
        "p50_ms": percentile(ordered, 0.50) * 1000,
        "p99_ms": percentile(ordered, 0.99) * 1000,
        "max_ms": (ordered[-1] if ordered else float("nan")) * 1000,
        "errors": dict(load.tally.errors),
        "accepted": len(load.tally.accepted),
        "server_cpu": spent["server"],
        "load_cpu": spent["load"],
        "redis_cpu": spent.get("redis"),
        "server_core_busy": spent.get("server_core"),
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--mode", choices=["open", "closed"], required=True)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--expect", type=int, default=200)
    parser.add_argument("--expect-body", default="")
    parser.add_argument("--ids-out", default="")
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--redis-pid", type=int, default=0)
    parser.add_argument("--server-cpu", type=int, default=None)
    parser.add_argument("--cpu", type=int, default=None)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()

"""``python -m bench.receiver``: how fast the receiver takes webhooks, against two baselines.

1. The raw Celery publish rate of one thread (``bench.publish_rate``), to a throwaway queue.
2. A bare Starlette app (``bench.bare_app``), then the receiver, each as one uvicorn process
   on one CPU, loaded from a separate process on another CPU (``bench.load``) with signed
   ``analyze.task.ready`` webhooks over 32 connections: first at a fixed offered rate (open
   loop, 500 req/s), then as fast as it answers (closed loop).
3. Checks that every accepted event is in the ledger as ``queued`` and on the queue.

Figures are printed, never asserted; the exit status is non-zero only when a check fails.
Everything runs against a private redis-server on a free port, which is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from bench import report
from bench.checks import ledger_checks
from bench.stack import ROOT, PrivateRedis, UvicornServer, bench_env
from tlhooks.ledger.keys import LedgerKeys
from tlhooks.processes import RECEIVER_SERVER_OPTIONS

QUEUE = "tlhooks"
PUBLISH_DB = 1


def pick_cpus() -> tuple[int | None, int | None, str]:
    """The server's CPU, the load generator's CPU and a sentence saying what was done."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except AttributeError:
        return None, None, "CPU pinning is not available on this platform; nothing is pinned."
    if len(cpus) < 2:
        return None, None, "Only one CPU is available; server and load share it (not pinned)."
    return cpus[0], cpus[1], f"server on CPU {cpus[0]}, load generator on CPU {cpus[1]}"


def run_json(argv: list[str], timeout: float, env: Mapping[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, *argv], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:2])} failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@contextmanager
def serving(server: UvicornServer, cpu: int | None) -> Iterator[UvicornServer]:
    try:
        yield server.start_on(cpu)
    finally:
        server.stop()


class Benchmark:
    def __init__(self, args: argparse.Namespace, workdir: Path, redis: PrivateRedis) -> None:
        self.args = args
        self.workdir = workdir
        self.redis = redis
        self.secret = secrets.token_hex(16)
        self.server_cpu, self.load_cpu, self.pinning = pick_cpus()
        self.ids_file = workdir / "accepted-ids.txt"

    def load(self, server: UvicornServer, mode: str, **expect: Any) -> dict[str, Any]:
        a = self.args
        argv = ["-m", "bench.load", "--url", f"{server.url}/webhooks/twelvelabs"]
        argv += ["--mode", mode, "--rate", str(a.rate), "--duration", str(a.duration)]
        argv += ["--warmup", str(a.warmup), "--connections", str(a.connections)]
        argv += ["--secret", self.secret, "--server-pid", str(server.pid)]
        argv += ["--redis-pid", str(self.redis.pid)]
        argv += [f"--{name.replace('_', '-')}={value}" for name, value in expect.items()]
        if self.load_cpu is not None and self.server_cpu is not None:
            argv += ["--cpu", str(self.load_cpu), "--server-cpu", str(self.server_cpu)]
        return run_json(argv, a.duration + a.warmup + 60, bench_env({}))

    def publish_rate(self) -> dict[str, Any]:
        argv = ["-m", "bench.publish_rate", "--redis-url", self.redis.url_for(PUBLISH_DB)]
        argv += ["--count", str(self.args.publish_count), "--max-seconds", str(self.args.duration)]
        if self.server_cpu is not None:
            argv += ["--cpu", str(self.server_cpu)]
        return run_json(argv, self.args.duration + 60, bench_env({}))

    def bare_app(self) -> tuple[dict[str, Any], dict[str, Any]]:
        server = UvicornServer("bare-app", "bench.bare_app:app", {}, self.workdir)
        with serving(server, self.server_cpu):
            return self.load(server, "open"), self.load(server, "closed")

    def receiver(self) -> tuple[dict[str, Any], dict[str, Any]]:
        env = {
            "TLHOOKS_WEBHOOK_SECRETS": self.secret,
            "TLHOOKS_REDIS_URL": self.redis.url,
            "TLHOOKS_BROKER_URL": self.redis.url,
            "TLHOOKS_QUEUE": QUEUE,
            "TLHOOKS_HANDLERS": "bench.catch_all",
            "TLHOOKS_LOG_LEVEL": "WARNING",
        }
        # the server options the Procfile's web: line runs with (bounded, timed request heads)
        server = UvicornServer(
            "receiver", "receiver.app:app", env, self.workdir, options=RECEIVER_SERVER_OPTIONS
        )
        expect = {"expect": 202, "expect_body": '"status":"queued"', "ids_out": self.ids_file}
        with serving(server, self.server_cpu):
            return self.load(server, "open", **expect), self.load(server, "closed", **expect)

    def run(self) -> bool:
        a = self.args
        print(f"tlhooks receiver benchmark: one uvicorn process, {self.pinning}, Redis unpinned;")
        print(
            f"{a.connections} connections, {a.duration:g} s per phase after {a.warmup:g} s "
            f"warm-up, open loop at {a.rate:g} req/s.\n",
            flush=True,
        )
        publish = self.publish_rate()
        bare_open, bare_closed = self.bare_app()
        receiver_open, receiver_closed = self.receiver()
        rows = [
            (f"bare app, open loop {a.rate:g}/s", bare_open),
            ("bare app, closed loop", bare_closed),
            (f"receiver, open loop {a.rate:g}/s", receiver_open),
            ("receiver, closed loop", receiver_closed),
            ("Celery publish, 1 thread, no HTTP", {**publish, "server_cpu": None}),
        ]
        print(
            "CPU columns: server = the uvicorn process, its CPU = that CPU busy with anything, "
            "load = the load process, redis = redis-server (100% = one core).\n"
        )
        for line in report.phase_table(rows):
            print(line)
        for line in report.notes(rows, a.rate):
            print(line)
        print("\nTargets")
        for line in report.ratio_lines(
            receiver_open, bare_open, receiver_closed["rps"], publish["rps"]
        ):
            print(f"  {line}")
        errors = sum(report.error_count(summary) for _, summary in rows[:4])
        checks = ledger_checks(self.redis.client(), self.ids_file, LedgerKeys(), QUEUE, errors)
        print("\nCorrectness")
        for line in report.check_lines(checks):
            print(f"  {line}")
        return all(check.passed for check in checks)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per phase")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before each phase")
    parser.add_argument("--rate", type=float, default=500.0, help="open-loop offered req/s")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--publish-count", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="keep the logs and scratch folder")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="tlhooks-bench-"))
    with ExitStack() as stack:
        if not args.keep:
            stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        redis = PrivateRedis(workdir).start()
        stack.callback(redis.stop)
        passed = Benchmark(args, workdir, redis).run()
    if args.keep:
        print(f"\nlogs and scratch files: {workdir}")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()

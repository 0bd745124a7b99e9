"""A finished 1,000-item batch: API calls and time until every handler ran, three ways.

    python -m bench.batch [--items 1000] [--concurrency 50] [--clock 0.2]

(a) tlhooks with batch-aware fetching: the batch submitted with ``Submitter`` (its items
    recorded as expected), every webhook delivered; workers read the batch's results once for
    many items (workers/batch_results.py).
(b) one task lookup per webhook: the same batch created straight through the API (tlhooks
    knows nothing of it), so each webhook's event fetches its task.
(c) the documented polling approach, each task polled every 10 s while it runs: computed
    from the emulator's timeline of run (b), scaled to real time (a task taking
    ``REAL_TASK_SECONDS`` where the emulator's takes ``--clock``), not sent: at that scale it
    would be tens of thousands of requests a second against one emulator.

(a) and (b) run on real processes: a private redis-server, the receiver (uvicorn), one Celery
worker with beat, and the emulator in this process; the shared API budget is set high
(60,000/min) so it paces neither. API calls are read from the emulator's journal
(``GET /_emulator/requests``), the create excluded. Prints figures, never asserts.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.stack import PrivateRedis, UvicornServer, bench_env
from emulator import EmulatorConfig, EmulatorServer
from tlhooks.ledger import EventLedger
from tlhooks.ledger.store import connect
from tlhooks.processes import RECEIVER_SERVER_OPTIONS, ManagedProcess, wait_until
from tlhooks.settings import load_settings
from tlhooks.status import EventStatus
from tlhooks.submission import Submitter

SECRET, KEY = "whsec_bench", "bench-key"
REAL_TASK_SECONDS = 60.0  # what one analysis takes on the platform, for scaling (c)
POLL_SECONDS = 10.0
ASSET = {"type": "asset_id", "asset_id": "68ab3f90e5f1d93a7c2b0e01"}


def body(items: int) -> dict[str, Any]:
    requests = [{"video": ASSET, "custom_id": f"bench-{n}"} for n in range(items)]
    return {
        "model_name": "pegasus1.5",
        "analysis_mode": "general",
        "defaults": {"prompt": {"input_text": "Describe."}},
        "requests": requests,
    }


class Run:
    """One stack (Redis, emulator, receiver, worker) for one of (a) and (b)."""

    def __init__(self, workdir: Path, args: argparse.Namespace) -> None:
        self.workdir = workdir
        self.redis = PrivateRedis(workdir).start()
        config = EmulatorConfig(
            api_key=KEY,
            webhook_secret=SECRET,
            clock=args.clock,
            batch_concurrency=args.concurrency,
            webhook_backoff=0.2,
        )
        self.emulator = EmulatorServer(config)
        self.emulator.start()
        self.env = bench_env(
            {
                "TLHOOKS_REDIS_URL": self.redis.url,
                "TLHOOKS_WEBHOOK_SECRETS": SECRET,
                "TLHOOKS_API_KEY": KEY,
                "TLHOOKS_API_BASE_URL": self.emulator.base_url,
                "TLHOOKS_HANDLERS": "bench.catch_all",
                "TLHOOKS_API_RATE_LIMIT": "60000",
                "TLHOOKS_RECONCILE_INTERVAL": "2",
                "TLHOOKS_SWEEP_INTERVAL": "0.5",
                "TLHOOKS_WORKER_POOL": "threads",
                "TLHOOKS_WORKER_CONCURRENCY": "8",
                "TLHOOKS_STATE_DIR": str(workdir / "state"),
            }
        )
        self.receiver = UvicornServer(
            "receiver", "receiver.app:app", self.env, workdir, RECEIVER_SERVER_OPTIONS
        ).start_on(None)
        config.webhook_urls[:] = [f"{self.receiver.url}/webhooks/twelvelabs"]
        argv = [sys.executable, "-m", "celery", "-A", "workers.app", "worker", "-B", "-l", "info"]
        argv += ["--without-mingle", "--without-gossip", "-s", str(workdir / "beat")]
        self.worker = ManagedProcess("worker", argv, self.env, workdir / "worker.log", cwd=workdir)
        self.worker.start()
        wait_until(lambda: " ready." in self.worker.log, timeout=60)
        self.ledger = EventLedger(connect(self.redis.url, 5))

    def handled(self) -> int:
        return self.ledger.status_counts().get(EventStatus.HANDLED, 0)

    def calls(self) -> list[dict[str, Any]]:
        journal = httpx.get(f"{self.emulator.root_url}/_emulator/requests").json()
        return [e for e in journal if not (e["method"] == "POST" and e["path"].endswith("batches"))]

    def timeline(self) -> list[tuple[float, float]]:
        """(created, completed) unix seconds of every task the emulator ran."""
        tasks = self.emulator.state.store.page(1, 10**6).items
        return [(t.created_at, t.completed_at or t.created_at) for t in tasks]

    def stop(self) -> None:
        self.worker.stop()
        self.receiver.stop()
        self.emulator.stop()
        self.redis.stop()


def measure(run: Run, items: int, submit: Any) -> dict[str, float]:
    started = time.monotonic()
    submit()
    wait_until(lambda: run.handled() >= items, timeout=600, interval=0.2)
    seconds = time.monotonic() - started
    calls = run.calls()
    lookups = sum(1 for c in calls if "/analyze/tasks/" in c["path"])
    reads = sum(1 for c in calls if c["path"].endswith("/results"))
    return {"calls": len(calls), "lookups": lookups, "reads": reads, "seconds": seconds}


def polling_calls(timeline: list[tuple[float, float]], clock: float) -> tuple[int, float]:
    """(c): polls of every task from its creation, every POLL_SECONDS of real time, until one
    sees it finished; and the real seconds until the last poll saw the last task finished."""
    scale = REAL_TASK_SECONDS / clock
    start = min(created for created, _ in timeline)
    calls, last = 0, 0.0
    for created, ended in timeline:
        polls = int((ended - created) * scale // POLL_SECONDS) + 1
        calls += polls
        last = max(last, (created - start) * scale + polls * POLL_SECONDS)
    return calls, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50, help="emulator batch workers")
    parser.add_argument("--clock", type=float, default=0.2, help="emulator seconds per task")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="tlhooks-bench-batch-") as scratch:
        (Path(scratch) / "a").mkdir()
        run = Run(Path(scratch) / "a", args)
        try:
            submitter = Submitter.from_settings(load_settings(**settings_of(run)))
            results["a"] = measure(
                run, args.items, lambda: submitter.submit_batch(body(args.items))
            )
        finally:
            run.stop()
        (Path(scratch) / "b").mkdir()
        run = Run(Path(scratch) / "b", args)
        try:
            create = f"{run.emulator.base_url}/analyze/batches"
            headers = {"x-api-key": KEY}
            results["b"] = measure(
                run, args.items, lambda: httpx.post(create, json=body(args.items), headers=headers)
            )
            timeline = run.timeline()
        finally:
            run.stop()
    report(results, *polling_calls(timeline, args.clock), args)


def settings_of(run: Run) -> dict[str, Any]:
    return {
        "redis_url": run.redis.url,
        "api_key": KEY,
        "api_base_url": run.emulator.base_url,
        "api_rate_limit": 60000,
        "reconcile_interval": 2.0,
    }


def report(
    results: dict[str, dict[str, float]], polls: int, poll_seconds: float, args: argparse.Namespace
) -> None:
    a, b = results["a"], results["b"]
    print(
        f"A finished {args.items}-item batch (emulator: {args.clock:g} s a task, "
        f"{args.concurrency} at a time), every webhook delivered:"
    )
    print(f"{'approach':<44}{'API calls':>10}{'lookups':>9}{'reads':>7}{'seconds':>10}")
    rows = [("(a) tlhooks, batch-aware fetching", a), ("(b) one task lookup per webhook", b)]
    for name, row in rows:
        print(
            f"{name:<44}{row['calls']:>10.0f}{row['lookups']:>9.0f}{row['reads']:>7.0f}"
            f"{row['seconds']:>10.1f}"
        )
    print(
        f"{'(c) poll each task every 10 s (computed)':<44}{polls:>10}{polls:>9}{0:>7}"
        f"{poll_seconds:>10.0f}  (real-time seconds, a task = {REAL_TASK_SECONDS:g} s)"
    )
    calls_a = max(a["calls"], 1)
    print(
        f"(b)/(a): {b['calls'] / calls_a:.0f}x fewer calls (target 10x); "
        f"(c)/(a): {polls / calls_a:.0f}x fewer (target 100x)"
    )
    print(
        f"(b) at the default budget of 60 requests a minute: at least "
        f"{b['lookups'] / 60:.0f} minutes of lookups; (a): {a['calls'] / 60:.1f} minutes"
    )


if __name__ == "__main__":
    main()

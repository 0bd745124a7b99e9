"""``python -m bench.e2e``: the whole pipeline on real processes, against the theoretical limits.

For each scenario (``bench.scenarios``) a fresh pipeline starts (``bench.pipeline``): a private
Redis, the emulator with 200 ms API latency, and the Procfile's receiver, worker and beat. The
bench creates the burst's tasks in the emulator (ready, webhook not sent), fires one signed
webhook per task at the receiver as fast as it acknowledges them, and waits until the handler
(``bench.recording_handler``) has run for every accepted event or the event is dead, at most
``3 x limit + 60 s``. Then it reads the handler's records, the ledger and the emulator's
request journal and prints the figures beside the limits. It never asserts a time.

    python -m bench.e2e                 # 1,000 webhooks per scenario: 4 to 6 minutes
    python -m bench.e2e --quick         # 200 webhooks, limits scaled: about 1 minute
    python -m bench.e2e --scenario 2    # one scenario
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import shutil
import signal
import tempfile
import time
from pathlib import Path
from types import FrameType

from bench import e2e_report
from bench.burst import BurstResult, send_burst
from bench.figures import ScenarioFigures, figures
from bench.payloads import task_webhook
from bench.pipeline import Pipeline
from bench.recording_handler import RunRecord
from bench.scenarios import FULL_BURST, QUICK_BURST, Scenario, scenarios
from tlhooks.status import EventStatus

POLL_SECONDS = 0.2
WINDOW_START_MARGIN = 0.5  # seconds after the emulator's window rolls over


def wait_for_window_start(window: float) -> None:
    """Sleep until just after the emulator's next limit window begins.

    Its windows are fixed and aligned to the unix clock, so where in a window a burst begins
    decides how much of it the first window admits; starting every burst at the same place
    makes runs comparable.
    """
    now = time.time()
    start = now // window * window + WINDOW_START_MARGIN
    if start <= now:
        start += window
    time.sleep(start - now)


def wait_for_handlers(pipeline: Pipeline, burst: BurstResult, deadline: float) -> None:
    """Until every accepted event ran its handler or is dead, or until ``deadline`` (unix)."""
    while time.time() < deadline:
        handled = RunRecord.handled_count(pipeline.client)
        if handled + pipeline.ledger.count_in_status(EventStatus.DEAD) >= len(burst.accepted):
            return
        time.sleep(POLL_SECONDS)


def measure(pipeline: Pipeline, connections: int) -> ScenarioFigures:
    scenario = pipeline.scenario
    run = secrets.token_hex(4)
    tasks = pipeline.emulator.create_ready_tasks(scenario.webhooks, f"bench-e2e-{run}-")
    if scenario.request_limit:
        wait_for_window_start(scenario.request_window)
    webhooks = [
        task_webhook(pipeline.secret, f"whe_{run}{number:024x}", task)
        for number, task in enumerate(tasks)
    ]
    cpu_before, bench_before = pipeline.cpu_seconds(), time.process_time()
    burst = asyncio.run(send_burst(pipeline.webhook_url, webhooks, connections))
    print(
        f"  {len(burst.accepted)} of {len(webhooks)} webhooks accepted in "
        f"{burst.seconds:.2f} s; waiting for the handlers...",
        flush=True,
    )
    wait_for_handlers(pipeline, burst, burst.first_sent + scenario.deadline_seconds)
    cpu = {name: seconds - cpu_before[name] for name, seconds in pipeline.cpu_seconds().items()}
    cpu["bench"] = time.process_time() - bench_before
    counts = pipeline.ledger.status_counts()
    return figures(
        burst,
        RunRecord.read(pipeline.client),
        dead=counts.get(EventStatus.DEAD, 0),
        api=pipeline.emulator.api_tally(),
        window=scenario.request_window if scenario.request_limit else None,
        cpu=cpu,
        statuses={status.value: count for status, count in counts.items() if count},
    )


def run_scenario(scenario: Scenario, connections: int, keep: bool) -> ScenarioFigures:
    workdir = Path(tempfile.mkdtemp(prefix=f"tlhooks-e2e-{scenario.number}-"))
    kept = f" (logs kept in {workdir})" if keep else ""
    print(f"scenario {scenario.number}: {scenario.title}{kept}", flush=True)
    try:
        with Pipeline(scenario, workdir) as pipeline:
            return measure(pipeline, connections)
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_BURST} webhooks a burst")
    parser.add_argument("--scenario", type=int, choices=[1, 2, 3], action="append")
    parser.add_argument("--connections", type=int, default=8, help="sender connections")
    parser.add_argument("--keep", action="store_true", help="keep each scenario's logs")
    return parser.parse_args()


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # unwinds through every Pipeline, which stops its processes


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, _interrupt)
    chosen = [
        scenario
        for scenario in scenarios(QUICK_BURST if args.quick else FULL_BURST)
        if not args.scenario or scenario.number in args.scenario
    ]
    for line in e2e_report.preamble(chosen, args.connections):
        print(line)
    try:
        results = [(s, run_scenario(s, args.connections, args.keep)) for s in chosen]
    except KeyboardInterrupt:
        raise SystemExit("\ninterrupted; every process the bench started is stopped") from None
    print()
    for line in e2e_report.report(results):
        print(line)


if __name__ == "__main__":
    main()

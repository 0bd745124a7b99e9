"""Printing the end-to-end figures: one row per scenario, then its targets and notes."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence

from bench.figures import ScenarioFigures
from bench.report import verdict
from bench.scenarios import LATENCY, WORKER_CONCURRENCY, Scenario
from tlhooks.settings import Settings

Row = tuple[Scenario, ScenarioFigures]


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def preamble(chosen: Sequence[Scenario], connections: int) -> list[str]:
    pool = Settings.model_fields["worker_pool"].default
    return [
        f"tlhooks end-to-end benchmark, {time.strftime('%Y-%m-%d %H:%M %Z')}, "
        f"{os.cpu_count()} CPUs, load average {_load()} (1/5/15 min)",
        f"per scenario a fresh Redis, emulator (API latency {LATENCY * 1000:.0f} ms), and the "
        f"Procfile's web, worker ({pool} pool, concurrency {WORKER_CONCURRENCY}) and beat;",
        f"{chosen[0].webhooks} webhooks a burst, sent over {connections} connections as fast as "
        "the receiver acknowledges them.",
        "",
    ]


def _seconds(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}"


# (heading, unit, width) of every column after the scenario's name
COLUMNS = (
    ("sent", "", 6),
    ("first->last", "s", 12),
    ("limit", "s", 8),
    ("ratio", "", 7),
    ("p50", "s", 8),
    ("p99", "s", 8),
    ("API calls", "", 10),
    ("429s", "", 6),
    ("dead", "", 6),
    ("ack p99", "ms", 9),
)
LABEL_WIDTH = 34


def _cells(scenario: Scenario, f: ScenarioFigures) -> list[str]:
    incomplete = "" if f.complete else "*"
    return [
        str(f.sent),
        _seconds(f.span) + incomplete,
        f"{scenario.limit_seconds:.2f}",
        f"{f.span / scenario.limit_seconds:.2f}x" if f.complete else "-",
        _seconds(f.latency_p50),
        _seconds(f.latency_p99),
        str(f.api.calls),
        str(f.api.rate_limited),
        str(f.dead),
        f"{f.ack_p99 * 1000:.1f}",
    ]


def table(rows: Sequence[Row]) -> list[str]:
    lines = [
        f"{'scenario':<{LABEL_WIDTH}}" + "".join(f"{h:>{w}}" for h, _, w in COLUMNS),
        " " * LABEL_WIDTH + "".join(f"{unit:>{w}}" for _, unit, w in COLUMNS),
    ]
    for scenario, f in rows:
        label = f"{scenario.number} {scenario.title}"
        cells = zip(_cells(scenario, f), COLUMNS, strict=True)
        lines.append(f"{label:<{LABEL_WIDTH}}" + "".join(f"{c:>{w}}" for c, (_, _, w) in cells))
    return lines


def targets(scenario: Scenario, f: ScenarioFigures) -> list[str]:
    """The scenario's targets, each PASS or MISS; an incomplete run misses its ratio."""
    ratio = f.span / scenario.limit_seconds
    found = []
    if scenario.max_ratio is not None:
        passed = f.complete and ratio <= scenario.max_ratio
        found.append(
            f"first->last / limit ({scenario.limit_formula} = {scenario.limit_seconds:g} s): "
            f"{ratio:.2f}x (target <= {scenario.max_ratio:g}x)  {verdict(passed)}"
        )
    if scenario.max_dead is not None:
        found.append(
            f"dead events: {f.dead} (target <= {scenario.max_dead})  "
            f"{verdict(f.dead <= scenario.max_dead)}"
        )
    if scenario.max_429_share is not None:
        found.append(
            f"API calls answered 429: {f.share_429:.1%} (target <= {scenario.max_429_share:.0%})"
            f"  {verdict(f.share_429 <= scenario.max_429_share)}"
        )
    return found or ["no target: printed for comparison"]


def notes(scenario: Scenario, f: ScenarioFigures) -> list[str]:
    found = []
    if not f.complete:
        found.append(
            f"* INCOMPLETE after {scenario.deadline_seconds:g} s: {f.handled} handled, {f.dead} "
            f"dead of {f.accepted} accepted; ledger: {f.statuses}"
        )
    if f.send_errors or f.accepted < f.sent:
        found.append(f"{f.sent - f.accepted} webhooks not accepted: {f.send_errors}")
    if f.handler_runs != f.handled:
        found.append(f"{f.handler_runs} handler runs for {f.handled} handled events")
    if f.complete and f.span < scenario.limit_seconds:
        found.append(
            "faster than the limit: API calls came faster than its rate on average (the "
            "emulator's fixed windows admit a whole window's worth at once)"
        )
    if f.window_phase is not None:
        found.append(
            f"the burst began {f.window_phase:.1f} s into a {scenario.request_window:g} s window "
            "of the emulator's limit"
        )
    found.append(
        f"burst {f.burst_seconds:.2f} s; CPU s: "
        + ", ".join(f"{name} {seconds:.1f}" for name, seconds in f.cpu.items())
    )
    return found


def report(rows: Sequence[Row]) -> list[str]:
    lines = table(rows)
    for scenario, f in rows:
        lines.append(f"\nscenario {scenario.number}: {scenario.title}")
        lines += [f"  {line}" for line in targets(scenario, f)]
        lines += [f"  {line}" for line in notes(scenario, f)]
    lines.append(f"\nload average at the end {_load()}")
    return lines

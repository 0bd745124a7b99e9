"""Printing the figures: one table of phases, the two target ratios, the correctness checks."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from bench.checks import Check

P99_RATIO_TARGET = 3.0
THROUGHPUT_SHARE_TARGET = 0.60
SATURATED = 0.90
SHARED = 0.10

Summary = Mapping[str, Any]


def error_count(summary: Summary) -> int:
    return sum(summary.get("errors", {}).values())


def _cpu(summary: Summary, key: str) -> str:
    value = summary.get(key)
    return "" if value is None else f"{value:.0%}"


def phase_table(rows: Sequence[tuple[str, Summary]]) -> list[str]:
    lines = [
        f"{'phase':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}"
        f"{'server':>8}{'its CPU':>8}{'load':>6}{'redis':>6}"
    ]
    for label, s in rows:
        lines.append(
            f"{label:<34}{s['rps']:>9.0f}{s['p50_ms']:>9.2f}{s['p99_ms']:>9.2f}"
            f"{s['max_ms']:>9.1f}{error_count(s):>8}{_cpu(s, 'server_cpu'):>8}"
            f"{_cpu(s, 'server_core_busy'):>8}{_cpu(s, 'load_cpu'):>6}{_cpu(s, 'redis_cpu'):>6}"
        )
        if s.get("errors"):
            lines.append(f"{'':<4}errors by kind: {s['errors']}")
    return lines


def notes(rows: Sequence[tuple[str, Summary]], rate: float) -> list[str]:
    """Say when a figure is bounded by the load generator rather than by the server."""
    found = []
    for label, s in rows:
        if s.get("mode") == "closed" and s["load_cpu"] >= SATURATED > s["server_cpu"]:
            found.append(
                f"NOTE: {label}: the load generator used {s['load_cpu']:.0%} of its core while "
                f"the server used {s['server_cpu']:.0%}; the rate is a lower bound of the "
                "server's capacity (run wrk against it for the true figure)."
            )
        busy = s.get("server_core_busy")
        if busy is not None and busy - s["server_cpu"] > SHARED:
            found.append(
                f"NOTE: {label}: other processes (Redis or the rest of the machine) kept the "
                f"server's CPU {busy - s['server_cpu']:.0%} busy; expect noisier figures."
            )
        if s.get("mode") == "open" and s["rps"] < 0.95 * rate:
            found.append(f"NOTE: {label}: only {s['rps']:.0f} of {rate:.0f} req/s were answered.")
    return found


def verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def ratio_lines(
    receiver_open: Summary, bare_open: Summary, receiver_max: float, publish: float
) -> list[str]:
    p99_ratio = receiver_open["p99_ms"] / bare_open["p99_ms"]
    share = receiver_max / publish if publish else math.nan
    return [
        f"receiver p99 / bare app p99 at the fixed rate: {p99_ratio:6.2f}x  "
        f"(target <= {P99_RATIO_TARGET:.0f}x)   {verdict(p99_ratio <= P99_RATIO_TARGET)}",
        f"receiver max req/s / Celery publish rate:      {share:6.0%}   "
        f"(target >= {THROUGHPUT_SHARE_TARGET:.0%})  "
        f"{verdict(share >= THROUGHPUT_SHARE_TARGET)}",
    ]


def check_lines(checks: Sequence[Check]) -> list[str]:
    return [f"{'ok  ' if c.passed else 'FAIL'}  {c.label}" for c in checks]

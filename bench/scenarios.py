"""The end-to-end scenarios of issue 10, their theoretical limits and their targets.

Every scenario is a burst of webhooks for tasks that are ready in the emulator, which answers
each API call after ``LATENCY`` seconds:

1. no rate limit anywhere: the floor is ``webhooks x latency / worker concurrency`` (every
   worker thread busy fetching, back to back); target within 1.5x;
2. the emulator limits requests to ``RATE_PER_MINUTE`` and the budget
   (``TLHOOKS_API_RATE_LIMIT``) is set to match: the floor is ``webhooks / rate``; target
   within 1.1x, no dead event, at most 1% of API calls answered 429;
3. the same emulator limit with the budget off: printed for comparison.

The emulator's limit counts fixed windows. Its window is 60 s for 1,000 webhooks and shrinks in
proportion for a smaller burst (120 requests per 12 s for 200), so the rate, and the share of
the burst that does not fit into the first window, stay the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from tlhooks.settings import Settings

LATENCY = 0.2  # seconds the emulator waits before every API answer
RATE_PER_MINUTE = 600
FULL_BURST = 1000
QUICK_BURST = 200
WORKER_CONCURRENCY = int(Settings.model_fields["worker_concurrency"].default)


@dataclass(frozen=True)
class Scenario:
    number: int
    title: str
    webhooks: int
    budget_per_minute: int  # TLHOOKS_API_RATE_LIMIT; 0 turns the budget off
    request_limit: int  # the emulator's requests per window; 0 turns its limit off
    request_window: float
    limit_seconds: float
    limit_formula: str
    max_ratio: float | None  # None: printed for comparison, no target
    max_dead: int | None = None
    max_429_share: float | None = None

    @property
    def deadline_seconds(self) -> float:
        """How long after the first webhook the bench waits before calling the run incomplete."""
        return 3 * self.limit_seconds + 60

    def worker_env(self) -> dict[str, str]:
        return {"TLHOOKS_API_RATE_LIMIT": str(self.budget_per_minute)}

    def emulator_faults(self) -> dict[str, object]:
        faults: dict[str, object] = {"latency": LATENCY}
        if self.request_limit:
            faults |= {"request_limit": self.request_limit, "request_window": self.request_window}
        return faults


def scenarios(webhooks: int) -> list[Scenario]:
    """The three scenarios for a burst of ``webhooks``."""
    unpaced = webhooks * LATENCY / WORKER_CONCURRENCY
    window = 60.0 * webhooks / FULL_BURST
    per_window = round(RATE_PER_MINUTE * window / 60)
    paced = webhooks / RATE_PER_MINUTE * 60
    paced_formula = f"{webhooks} / {RATE_PER_MINUTE} per min"
    return [
        Scenario(
            1,
            "no rate limit, budget off",
            webhooks,
            budget_per_minute=0,
            request_limit=0,
            request_window=60.0,
            limit_seconds=unpaced,
            limit_formula=f"{webhooks} x {LATENCY:g} s / {WORKER_CONCURRENCY} threads",
            max_ratio=1.5,
        ),
        Scenario(
            2,
            f"limit {per_window}/{window:g} s, budget {RATE_PER_MINUTE}/min",
            webhooks,
            budget_per_minute=RATE_PER_MINUTE,
            request_limit=per_window,
            request_window=window,
            limit_seconds=paced,
            limit_formula=paced_formula,
            max_ratio=1.1,
            max_dead=0,
            max_429_share=0.01,
        ),
        Scenario(
            3,
            f"limit {per_window}/{window:g} s, budget off",
            webhooks,
            budget_per_minute=0,
            request_limit=per_window,
            request_window=window,
            limit_seconds=paced,
            limit_formula=paced_formula,
            max_ratio=None,
        ),
    ]

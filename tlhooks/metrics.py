"""The Prometheus metrics the workers record, defined once so every module counts alike.

Call sites record with one line (``HANDLER_OUTCOMES.labels(...).inc()``); the worker's
exporter (workers/metrics.py) serves them, and the receiver's ``GET /metrics`` serves its own
counters (receiver/metrics.py) plus the ledger's gauges. The README's "Metrics" section lists
every name; deploy/ holds alert rules and a Grafana dashboard for them.
"""

from __future__ import annotations

import httpx
from prometheus_client import Counter, Histogram

# Seconds from the webhook's arrival to its event settling: seconds for a healthy pipeline,
# minutes to an hour when retries or a backlog hold events back.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
FETCH_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

HANDLED_LATENCY = Histogram(
    "tlhooks_webhook_to_settled_seconds",
    "Seconds from a webhook's arrival to its event settling, by final state",
    ["state"],
    buckets=LATENCY_BUCKETS,
)
FETCH_LATENCY = Histogram(
    "tlhooks_api_fetch_seconds",
    "Seconds one GET /analyze/tasks/{id} took, answered or not",
    buckets=FETCH_BUCKETS,
)
API_RESPONSES = Counter(
    "tlhooks_api_responses_total",
    "Twelve Labs API answers by HTTP status code ('transport_error' when none came)",
    ["code"],
)
HANDLER_OUTCOMES = Counter(
    "tlhooks_handler_outcomes_total",
    "Handler runs by handler and outcome (succeeded, failed, exhausted)",
    ["handler", "outcome"],
)
RETRIES_SCHEDULED = Counter(
    "tlhooks_retries_scheduled_total", "Event retries the workers scheduled (fetch or handler)"
)
EVENTS_DEAD = Counter("tlhooks_worker_dead_total", "Events a worker run declared dead")
SWEEPER_RESCUES = Counter(
    "tlhooks_sweeper_rescues_total",
    "Events the sweeper re-queued because no live run held them",
)
SWEEPER_PUBLISHED = Counter(
    "tlhooks_sweeper_retries_published_total", "Due retries the sweeper published"
)
SWEEPER_DEAD = Counter(
    "tlhooks_sweeper_dead_total", "Events the sweeper declared dead after too many rescues"
)

# The shared API rate budget (tlhooks/rate_budget.py, workers/pacing.py)
BUDGET_WAIT_BUCKETS = (0, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10)
API_RATE_LIMITED = Counter(
    "tlhooks_api_rate_limited_total",
    "429 answers from the Twelve Labs API (each pauses the whole deployment; none is an attempt)",
)
BUDGET_WAIT = Histogram(
    "tlhooks_rate_budget_wait_seconds",
    "Seconds a run slept for its slot of the shared API request budget",
    buckets=BUDGET_WAIT_BUCKETS,
)
BUDGET_DEFERRALS = Counter(
    "tlhooks_rate_budget_deferrals_total",
    "Runs that gave their worker thread back to wait for a slot of the API budget (or a pause)",
)

# Reconciliation (workers/reconciler.py): events tlhooks made because no webhook came in time
RECONCILED_EVENTS = Counter(
    "tlhooks_reconciled_events_total",
    "Events tlhooks created itself for submitted tasks whose webhook never came, by source "
    "(task: one task lookup; batch: a batch's results)",
    ["source"],
)


def observe_fetch(response: httpx.Response) -> None:
    """Count one API answer and its latency (``elapsed`` is set once the body is read)."""
    API_RESPONSES.labels(code=str(response.status_code)).inc()
    try:
        elapsed = response.elapsed
    except RuntimeError:  # a response no transport timed (a test's MockTransport)
        return
    FETCH_LATENCY.observe(elapsed.total_seconds())


def observe_transport_error() -> None:
    """Count a request that got no answer (refused, reset, timed out)."""
    API_RESPONSES.labels(code="transport_error").inc()

"""WorkerRuntime: the per-process objects a worker needs, built lazily after any fork.

Prefork children must not inherit sockets from the parent, so nothing here is created at
import time: the first task in each process builds the runtime and keeps it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from handlers.registry import registry
from tlhooks.ledger import EventLedger
from tlhooks.queue.publisher import EventPublisher
from tlhooks.rate_budget import RateBudget
from tlhooks.settings import Settings, get_settings
from workers.batch_completion import BatchCompletions
from workers.client import TwelveLabsClient
from workers.lease import LeaseKeeper
from workers.pacing import Pacer
from workers.processor import EventProcessor
from workers.reconciled_events import ReconciledEvents
from workers.reconciler import Reconciler
from workers.retry import RetryPolicy
from workers.sweeper import Sweeper, orphaned_after


@dataclass(frozen=True)
class WorkerRuntime:
    settings: Settings
    ledger: EventLedger
    processor: EventProcessor
    sweeper: Sweeper
    reconciler: Reconciler


def build_runtime(settings: Settings, publisher: EventPublisher) -> WorkerRuntime:
    ledger = EventLedger.from_settings(settings)
    policy = RetryPolicy.from_settings(settings)
    budget = RateBudget.from_settings(ledger, settings)
    client = TwelveLabsClient.from_settings(settings, budget)
    processor = EventProcessor(
        ledger=ledger,
        client=client,
        registry=registry,
        policy=policy,
        leases=LeaseKeeper(ledger, settings.lease_seconds),
        outcome_write_timeout=settings.outcome_write_timeout,
        pacer=Pacer(ledger, budget),
        settled_results=settings.settled_results,
        compact_handled=settings.compact_handled,
    )
    sweeper = Sweeper(
        ledger,
        publisher,
        policy,
        settings.stale_after,
        retention_days=settings.retention_days,
        orphaned_after=orphaned_after(settings),
    )
    reconciler = Reconciler(
        ledger,
        client,
        ReconciledEvents(ledger, publisher, registry),
        settings.reconcile_after,
        settings.reconcile_interval,
        completions=BatchCompletions(ledger, publisher, registry),
    )
    return WorkerRuntime(settings, ledger, processor, sweeper, reconciler)


_lock = threading.Lock()
_runtime: WorkerRuntime | None = None


def current_runtime(publisher: EventPublisher) -> WorkerRuntime:
    global _runtime
    if _runtime is None:
        with _lock:
            if _runtime is None:
                _runtime = build_runtime(get_settings(), publisher)
    return _runtime

"""Prometheus metrics served by the receiver at ``GET /metrics``: its own counters, and the
ledger's gauges computed at scrape time.

The ledger's gauges describe the shared ledger, so only the receiver serves them (workers serve
their own counters, workers/metrics.py). One scrape costs one Redis pipeline: a ``ZCARD`` of
each state's index and the first entry of each unsettled state's index, whatever the size of
the ledger. If Redis does not answer, the scrape still succeeds: the gauges are left out and
``tlhooks_ledger_up`` is 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from tlhooks.ledger import EventLedger
from tlhooks.status import EventStatus

WEBHOOKS = Counter(
    "tlhooks_webhooks_total", "Webhook deliveries accepted, by resulting status", ["status"]
)
REJECTIONS = Counter(
    "tlhooks_webhook_rejections_total", "Webhook deliveries refused, by reason", ["reason"]
)

REUSED_IDS = Counter(
    "tlhooks_webhook_reused_ids_total",
    "Deliveries of a known notification id with a different body (the first body is kept)",
)

UNSETTLED = tuple(status for status in EventStatus if not status.settled)


class LedgerCollector(Collector):
    """``tlhooks_events{state}`` and ``tlhooks_oldest_unsettled_age_seconds`` from the indexes."""

    def __init__(self, ledger: EventLedger, clock: Callable[[], float]) -> None:
        self.ledger = ledger
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("tlhooks_ledger_up", "1 when the last scrape could read the ledger")
        try:
            counts, oldest = self._read()
        except Exception:  # a scrape must answer even while Redis is down
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        events = GaugeMetricFamily(
            "tlhooks_events", "Events in the ledger by state", labels=["state"]
        )
        for status, count in counts.items():
            events.add_metric([status.value], count)
        yield events
        age = GaugeMetricFamily(
            "tlhooks_oldest_unsettled_age_seconds",
            "Seconds the longest-waiting unsettled event has been in its state (0 when none)",
        )
        age.add_metric([], max(self.clock() - oldest, 0.0) if oldest is not None else 0.0)
        yield age

    def _read(self) -> tuple[dict[EventStatus, int], float | None]:
        keys = self.ledger.keys
        pipe = self.ledger.client.pipeline(transaction=False)
        for status in EventStatus:
            pipe.zcard(keys.by_status(status))
        for status in UNSETTLED:
            pipe.zrange(keys.by_status(status), 0, 0, withscores=True)
        answers = pipe.execute()
        counts = {status: int(n) for status, n in zip(EventStatus, answers, strict=False)}
        firsts = [entry[0][1] for entry in answers[len(counts) :] if entry]
        return counts, (min(firsts) if firsts else None)


def watch_ledger(ledger: EventLedger, clock: Callable[[], float]) -> LedgerCollector:
    """Register the ledger's gauges (replacing an earlier receiver's, as in tests)."""
    for old in [c for c in list(REGISTRY._collector_to_names) if isinstance(c, LedgerCollector)]:
        REGISTRY.unregister(old)
    collector = LedgerCollector(ledger, clock)
    REGISTRY.register(collector)
    return collector


async def metrics_endpoint(request: Request) -> Response:
    runtime = request.app.state.runtime
    body = await runtime.blocking(generate_latest)
    return Response(body, media_type=CONTENT_TYPE_LATEST)

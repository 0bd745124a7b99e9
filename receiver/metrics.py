"""Prometheus counters for the receiver, served at ``GET /metrics``."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
from starlette.requests import Request
from starlette.responses import Response

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


async def metrics_endpoint(_request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

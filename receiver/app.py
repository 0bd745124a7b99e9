"""The receiver: ``receiver.app:app``, a Starlette ASGI app served by uvicorn.

POST /webhooks/twelvelabs   verify, parse, de-duplicate, match, store, queue; answer 202
GET  /healthz               the process is up
GET  /readyz                Redis and the broker answer
GET  /metrics               Prometheus counters
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, Router

from handlers.loading import load_handlers
from handlers.registry import HandlerRegistry, registry
from receiver.admin import AdminAuthMiddleware
from receiver.admin import routes as admin_routes
from receiver.body import read_limited, require_json
from receiver.compaction import compact_after_answer
from receiver.console import with_console
from receiver.envelope import WebhookEnvelope, parse_envelope
from receiver.intake import Intake
from receiver.limits import RequestLimitsMiddleware
from receiver.metrics import REJECTIONS, WEBHOOKS, metrics_endpoint, watch_ledger
from tlhooks.errors import StorageUnavailable, TlhooksError, WebhookRejected
from tlhooks.ledger import EventLedger
from tlhooks.logs import SampledLog, adopt_loggers, configure_logging, escaped_prefix, log_context
from tlhooks.ops.service import OpsService
from tlhooks.queue.publisher import EventPublisher
from tlhooks.settings import Settings, load_settings, secret_values
from tlhooks.signing import HEADER, SignatureVerifier

logger = logging.getLogger("tlhooks.receiver")
T = TypeVar("T")

UNAVAILABLE = {"error": "The event store is unavailable; retry the delivery later."}


@dataclass
class ReceiverRuntime:
    """What the endpoints need, built once at start-up."""

    settings: Settings
    verifier: SignatureVerifier
    ledger: EventLedger
    publisher: EventPublisher
    intake: Intake
    ops: OpsService
    limiter: anyio.CapacityLimiter
    rejections: SampledLog
    # threads of their own for compactions after the answer, so a backlog of them never takes
    # the threads intake answers with
    compactions: anyio.CapacityLimiter

    async def blocking(self, func: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
        """Run blocking Redis/broker I/O in a thread, giving up after the intake budget."""
        return await self._in_thread(self.limiter, func, *args, timeout=timeout)

    async def compacting(self, func: Callable[..., T], *args: Any) -> T:
        """``blocking`` for a compaction after the answer, in the compactions' threads."""
        return await self._in_thread(self.compactions, func, *args)

    async def _in_thread(
        self,
        limiter: anyio.CapacityLimiter,
        func: Callable[..., T],
        *args: Any,
        timeout: float | None = None,
    ) -> T:
        with anyio.fail_after(timeout or self.settings.intake_timeout):
            return await anyio.to_thread.run_sync(
                func, *args, abandon_on_cancel=True, limiter=limiter
            )


def build_runtime(settings: Settings, handlers: HandlerRegistry) -> ReceiverRuntime:
    verifier = SignatureVerifier(settings.require_webhook_secrets(), settings.signature_tolerance)
    load_handlers(settings, handlers)
    ledger = EventLedger.from_settings(settings)
    publisher = EventPublisher.from_settings(settings)
    if not settings.admin_token:
        logger.warning("The admin API is off: set TLHOOKS_ADMIN_TOKEN to enable /admin/.")
    return ReceiverRuntime(
        settings=settings,
        verifier=verifier,
        ledger=ledger,
        publisher=publisher,
        intake=Intake(ledger, publisher, handlers, claim_seconds=2 * settings.intake_timeout),
        ops=OpsService(ledger, publisher, scan_cap=settings.ops_scan_cap),
        limiter=anyio.CapacityLimiter(64),
        rejections=SampledLog(logger, settings.rejection_log_per_second),
        compactions=anyio.CapacityLimiter(8),
    )


async def receive_webhook(request: Request) -> Response:
    runtime: ReceiverRuntime = request.app.state.runtime
    try:
        require_json(request)
        body = await read_limited(request, runtime.settings.max_body_bytes)
        runtime.verifier.verify(request.headers.get(HEADER), body)
        envelope = parse_envelope(body)
    except WebhookRejected as exc:
        reason = exc.counter_label
        REJECTIONS.labels(reason=reason).inc()
        runtime.rejections.log(
            logging.INFO,
            reason,
            "webhook rejected (%s %s): %s",
            exc.status_code,
            reason,
            escaped_prefix(exc.reason, 120),
        )
        return JSONResponse({"error": exc.public_message}, status_code=exc.status_code)
    with log_context(
        event_id=envelope.id, task_id=envelope.data.id, custom_id=envelope.data.custom_id
    ):
        return await admit(runtime, envelope, body, request)


async def admit(
    runtime: ReceiverRuntime, envelope: WebhookEnvelope, body: bytes, request: Request
) -> Response:
    try:
        outcome = await runtime.blocking(
            runtime.intake.admit, envelope, body, dict(request.headers)
        )
    except (StorageUnavailable, TimeoutError) as exc:
        WEBHOOKS.labels(status="unavailable").inc()
        logger.warning("webhook %s answered 503: %s", envelope.id, exc or "intake timed out")
        return unavailable()
    WEBHOOKS.labels(status=outcome.status.value).inc()
    compaction = None
    if outcome.settled_at_intake and runtime.settings.compact_handled:
        compaction = BackgroundTask(
            compact_after_answer, runtime.compacting, runtime.ledger, outcome.event_id
        )
    return JSONResponse(
        {"event_id": outcome.event_id, "status": outcome.status.value},
        status_code=202,
        background=compaction,
    )


def unavailable(_request: Request | None = None, _exc: Exception | None = None) -> Response:
    """503 with Retry-After: the answer to every storage error, on every endpoint."""
    return JSONResponse(UNAVAILABLE, status_code=503, headers={"Retry-After": "5"})


async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    runtime: ReceiverRuntime = request.app.state.runtime
    try:
        await runtime.blocking(lambda: runtime.ledger.ping(write=True))
        await runtime.blocking(runtime.publisher.ping)
    except (StorageUnavailable, TimeoutError) as exc:
        return JSONResponse({"status": "unavailable", "reason": str(exc)}, status_code=503)
    return JSONResponse({"status": "ready"})


def create_app(settings: Settings | None = None, handlers: HandlerRegistry = registry) -> Starlette:
    """The receiver app. Settings are read at start-up so bad configuration stops the server."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            current = settings or load_settings()
            configure_logging(current.log_level, current.log_format, secret_values(current))
            adopt_loggers("uvicorn", "uvicorn.error", "uvicorn.access")
            runtime = build_runtime(current, handlers)
        except TlhooksError as exc:
            logger.error("tlhooks receiver cannot start: %s", exc)
            raise
        app.state.runtime = runtime
        watch_ledger(runtime.ledger, time.time)
        try:
            yield
        finally:
            runtime.publisher.close()
            runtime.ledger.client.close()

    admin = AdminAuthMiddleware(Router(routes=admin_routes))
    routes = [
        Route("/webhooks/twelvelabs", receive_webhook, methods=["POST"]),
        Mount("/admin", app=with_console(admin)),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]
    middleware = [Middleware(RequestLimitsMiddleware)]
    return Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        # a storage error, or the blocking-call deadline, on any endpoint: 503 + Retry-After
        exception_handlers={StorageUnavailable: unavailable, TimeoutError: unavailable},
    )


app = create_app()

"""WebhookDispatcher: signs a task's notification and POSTs it to every configured endpoint.

The body is the compact JSON envelope ``{id, created_at, type, data}`` and is sent byte for byte
as signed (``TL-Signature`` from ``tlhooks.signing.sign``). A 2xx answer counts as delivered;
any other answer, a timeout or a transport error is retried with exponential backoff until the
``webhook_retry_window`` closes or ``webhook_attempts`` tries are spent (see ``retry_wait``)
[undoc: the platform's own policy is not published]. The ``webhook_delay`` and
``webhook_jitter`` faults hold back a copy's first try; during a ``webhook_outage`` every try
fails as a refused connection without a request. Every attempt is journaled and counted in the
task's ``webhooks[]`` entry for that URL.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

import httpx

from emulator._background import BackgroundWork
from emulator.config import EmulatorConfig
from emulator.faults import FaultInjector
from emulator.ids import IdFactory, rfc3339
from emulator.journal import Journal
from emulator.task import Task, WebhookRecord
from tlhooks.analysis import TaskStatus
from tlhooks.signing import HEADER, sign
from tlhooks.status import EventKind

DROPPED = "dropped by the emulator's drop_webhooks or drop_webhook_fraction fault"
OUTAGE = "connection refused (emulated outage)"


@dataclass(frozen=True)
class Notification:
    """One signed-to-be envelope; copies and retries share its id and body."""

    event_id: str
    event_type: str
    task_id: str
    body: bytes


def retry_wait(config: EmulatorConfig, attempt: int, elapsed: float) -> float | None:
    """Seconds to wait after failed try number ``attempt``, ``elapsed`` s after the first try.

    None means give up: ``webhook_attempts`` tries are spent or the retry window has closed.
    """
    if config.webhook_attempts is not None and attempt >= config.webhook_attempts:
        return None
    remaining = config.webhook_retry_window - elapsed
    if remaining <= 0:
        return None
    return min(config.webhook_backoff * 2.0 ** min(attempt - 1, 64), remaining)


def event_type_of(task: Task) -> str:
    return EventKind.READY if task.status is TaskStatus.READY else EventKind.FAILED


def envelope(task: Task, event_id: str) -> Notification:
    event_type = event_type_of(task)
    document = {
        "id": event_id,
        "created_at": rfc3339(time.time()),
        "type": event_type,
        "data": task.notification_data(),
    }
    body = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    return Notification(event_id, event_type, task.task_id, body)


class WebhookDispatcher:
    """Sends notifications in the background; ``aclose`` releases the HTTP client."""

    def __init__(
        self,
        config: EmulatorConfig,
        journal: Journal,
        faults: FaultInjector,
        ids: IdFactory,
        background: BackgroundWork,
    ) -> None:
        self._config = config
        self._journal = journal
        self._faults = faults
        self._ids = ids
        self._background = background
        self._client: httpx.AsyncClient | None = None

    def notify(self, task: Task, *, same_id: bool = False) -> str:
        """Schedule the task's notification to every endpoint; return its notification id."""
        reuse = same_id and task.last_event_id is not None
        event_id = task.last_event_id if reuse and task.last_event_id else self._ids.event_id()
        task.last_event_id = event_id
        notification = envelope(task, event_id)
        settings = self._faults.settings
        dropped = self._faults.roll_webhook_drop()
        for url in self._config.webhook_urls:
            record = task.webhook(url)
            if dropped:
                record.last_error = DROPPED
                continue
            for _ in range(1 + settings.duplicate_webhooks):
                wait = self._faults.first_attempt_wait()
                self._background.spawn(self._deliver(url, record, notification, wait))
        return event_id

    async def _deliver(
        self, url: str, record: WebhookRecord, notification: Notification, wait: float
    ) -> None:
        if wait > 0:
            await asyncio.sleep(wait)
        first_try = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            status_code, error = await self._attempt(url, notification)
            record.attempts += 1
            self._journal.record_delivery(
                url=url,
                event_id=notification.event_id,
                task_id=notification.task_id,
                event_type=notification.event_type,
                status_code=status_code,
                error=error,
                attempt=attempt,
            )
            if error is None:
                record.delivered = True
                record.last_error = None
                return
            if not record.delivered:
                record.last_error = error
            pause = retry_wait(self._config, attempt, time.monotonic() - first_try)
            if pause is None:
                return
            await asyncio.sleep(pause)

    async def _attempt(self, url: str, notification: Notification) -> tuple[int | None, str | None]:
        if self._faults.receivers_down():
            return None, OUTAGE
        return await self._post(url, notification)

    async def _post(self, url: str, notification: Notification) -> tuple[int | None, str | None]:
        headers = {
            "Content-Type": "application/json",
            HEADER: sign(self._config.webhook_secret, notification.body),
        }
        try:
            response = await self._http().post(
                url,
                content=notification.body,
                headers=headers,
                timeout=self._config.webhook_timeout,
            )
        except httpx.TimeoutException:
            return None, "timeout"
        except httpx.HTTPError as exc:
            return None, f"connection error: {type(exc).__name__}"
        if 200 <= response.status_code < 300:
            return response.status_code, None
        return response.status_code, f"HTTP {response.status_code} {response.reason_phrase}".strip()

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(follow_redirects=False)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

"""The burst: every webhook POSTed to the receiver as fast as it acknowledges them.

A few keep-alive connections (``bench.connection``) each send the next prepared webhook as soon
as the last one is answered. For every webhook the wall-clock time its request was written is
kept, so the bench can subtract it from the time the handler ran in another process, and the
time to its answer is the receiver's ack latency during the burst.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.connection import HttpConnection
from bench.load import FAILURES, REQUEST_TIMEOUT
from bench.payloads import SignedWebhook
from tlhooks.signing import HEADER

ACCEPTED_STATUS = 202
ACCEPTED_BODY = b'"status":"queued"'


@dataclass
class BurstResult:
    sent_at: dict[str, float] = field(default_factory=dict)  # event id -> unix time sent
    ack_seconds: list[float] = field(default_factory=list)
    accepted: set[str] = field(default_factory=set)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def first_sent(self) -> float:
        return min(self.sent_at.values())


async def _post(connection: HttpConnection, path: str, webhook: SignedWebhook) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json", HEADER: webhook.signature}
    async with asyncio.timeout(REQUEST_TIMEOUT):
        return await connection.post(path, webhook.body, headers)


async def send_burst(url: str, webhooks: Sequence[SignedWebhook], connections: int) -> BurstResult:
    """POST every webhook once over ``connections`` connections, closed loop."""
    target = urlsplit(url)
    pending = iter(webhooks)
    result = BurstResult()

    async def drive(connection: HttpConnection) -> None:
        for webhook in pending:
            result.sent_at[webhook.event_id] = time.time()
            started = time.perf_counter()
            try:
                status, answer = await _post(connection, target.path, webhook)
            except FAILURES as exc:
                connection.close()
                result.errors[type(exc).__name__] += 1
                continue
            result.ack_seconds.append(time.perf_counter() - started)
            if status == ACCEPTED_STATUS and ACCEPTED_BODY in answer:
                result.accepted.add(webhook.event_id)
            else:
                result.errors[f"HTTP {status}"] += 1

    host, port = target.hostname or "127.0.0.1", target.port or 80
    links = [HttpConnection(host, port) for _ in range(connections)]
    started = time.perf_counter()
    try:
        await asyncio.gather(*(drive(link) for link in links))
    finally:
        for link in links:
            link.close()
    result.seconds = time.perf_counter() - started
    return result

"""Signed ``analyze.task.ready`` envelopes: made-up tasks for the receiver bench, real ones for e2e.

The body has the platform's shape (``{id, created_at, type, data}``, compact JSON, as the
emulator sends it) and is signed with ``tlhooks.signing.sign`` at the moment it is made.
``WebhookFactory`` invents unique notification ids, task ids and custom_ids; ``task_webhook``
announces a task that exists in the emulator, so a worker can fetch it.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.ids import rfc3339
from tlhooks.signing import sign
from tlhooks.status import EventKind


@dataclass(frozen=True)
class SignedWebhook:
    event_id: str
    body: bytes
    signature: str


def signed_ready(secret: str, event_id: str, data: Mapping[str, Any]) -> SignedWebhook:
    """An ``analyze.task.ready`` envelope carrying ``data``, signed now."""
    document = {
        "id": event_id,
        "created_at": rfc3339(time.time()),
        "type": EventKind.READY.value,
        "data": dict(data),
    }
    body = json.dumps(document, separators=(",", ":")).encode()
    return SignedWebhook(event_id, body, sign(secret, body))


def task_webhook(secret: str, event_id: str, task: Mapping[str, Any]) -> SignedWebhook:
    """The ready notification of ``task`` (the emulator's task JSON), as the platform sends it."""
    data = {
        "id": task["task_id"],
        "custom_id": task["custom_id"],
        "status": "ready",
        "created_at": task["created_at"],
    }
    return signed_ready(secret, event_id, data)


class WebhookFactory:
    """Hands out fresh signed webhooks; ids embed a random run token, so processes never clash."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.run = secrets.token_hex(4)
        self._numbers = itertools.count()

    def __call__(self) -> SignedWebhook:
        number = next(self._numbers)
        data = {
            "id": f"{self.run}{number:016x}",
            "custom_id": f"campaign-{number % 37:02d}/spot-{self.run}-{number}",
            "status": "ready",
            "created_at": rfc3339(time.time() - 95.0),
        }
        return signed_ready(self.secret, f"whe_{self.run}{number:024x}", data)

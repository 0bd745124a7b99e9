"""Signed ``analyze.task.ready`` envelopes with unique notification ids, task ids and custom_ids.

The body has the platform's shape (``{id, created_at, type, data}``, compact JSON, as the
emulator sends it) and is signed with ``tlhooks.signing.sign`` at the moment it is made.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from dataclasses import dataclass

from emulator.ids import rfc3339
from tlhooks.signing import sign
from tlhooks.status import EventKind


@dataclass(frozen=True)
class SignedWebhook:
    event_id: str
    body: bytes
    signature: str


class WebhookFactory:
    """Hands out fresh signed webhooks; ids embed a random run token, so processes never clash."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.run = secrets.token_hex(4)
        self._numbers = itertools.count()

    def __call__(self) -> SignedWebhook:
        number = next(self._numbers)
        now = time.time()
        event_id = f"whe_{self.run}{number:024x}"
        document = {
            "id": event_id,
            "created_at": rfc3339(now),
            "type": EventKind.READY.value,
            "data": {
                "id": f"{self.run}{number:016x}",
                "custom_id": f"campaign-{number % 37:02d}/spot-{self.run}-{number}",
                "status": "ready",
                "created_at": rfc3339(now - 95.0),
            },
        }
        body = json.dumps(document, separators=(",", ":")).encode()
        return SignedWebhook(event_id, body, sign(self.secret, body))

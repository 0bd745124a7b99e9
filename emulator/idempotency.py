"""IdempotencyLedger: the ``Idempotency-Key`` header of ``POST /analyze/tasks`` and
``POST /analyze/batches`` [undoc].

The platform names the header (in the ``custom_id`` description) but documents no semantics, so
the emulator makes its own choice: the first successful creation under a key records the
request body and the 202 answer. The same key with the same body (compared as parsed JSON, so
spacing and key order do not matter) answers that original 202 body again and creates nothing;
the same key with a different body answers 409 ``idempotency_key_reused``. A batch's key
lives apart from the tasks' keys (prefixed ``batch:``), and a replayed batch answers its 201.
Keys are 1 to 255 characters and live until the emulator is reset; failed requests record nothing.
"""

from __future__ import annotations

import json
from typing import Any

from emulator.errors import IdempotencyConflict, InvalidParameter

HEADER = "Idempotency-Key"
MAX_KEY_CHARS = 255


class IdempotencyLedger:
    """Remembers, per key, the request fingerprint and the answer it got."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[str, dict[str, Any]]] = {}

    def replay(self, key: str | None, body: object) -> dict[str, Any] | None:
        """The recorded answer for ``key`` and this body, None if the key is new."""
        if key is None:
            return None
        if not 1 <= len(key) <= MAX_KEY_CHARS:
            raise InvalidParameter(f"{HEADER} must be 1 to {MAX_KEY_CHARS} characters long.")
        entry = self._entries.get(key)
        if entry is None:
            return None
        fingerprint, answer = entry
        if fingerprint != _fingerprint(body):
            raise IdempotencyConflict(
                f"{HEADER} {key!r} was already used with a different request body; "
                "use a new key for a new request."
            )
        return answer

    def record(self, key: str | None, body: object, answer: dict[str, Any]) -> None:
        if key is not None:
            self._entries[key] = (_fingerprint(body), answer)

    def clear(self) -> None:
        self._entries.clear()


def _fingerprint(body: object) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"))

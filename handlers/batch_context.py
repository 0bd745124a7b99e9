"""BatchContext: what a batch-completion handler (``@handler(on="batch")``) is told."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from tlhooks.ops.batches import BatchItem


@dataclass(frozen=True)
class BatchContext:
    """The one argument of a handler registered with ``on="batch"``.

    It runs once per batch tlhooks submitted, when the batch has ended on the platform
    (``status``: ``completed``, ``canceled`` or ``expired``) and every item is settled: its
    event handled, dead, invalid, truncated or unmatched, or the item canceled. ``counts``
    holds the items per state (``expected``, ``webhook``, ``reconciled``, ``canceled``,
    ``handled``, ``dead``, ``invalid``, ``truncated``, ``unmatched``, ``running``) and
    ``items`` every item in request order. ``idempotency_key`` is ``{batch_id}:{handler}``,
    the same on every retry and replay.
    """

    batch_id: str
    status: str
    event_id: str
    handler: str
    idempotency_key: str
    attempt: int
    counts: dict[str, int]
    items: tuple[BatchItem, ...]
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("tlhooks.handler"))

    @property
    def expired(self) -> bool:
        return self.status == "expired"

    @property
    def canceled(self) -> list[BatchItem]:
        """The items the platform canceled (resubmit them: ``tlhooks batches resubmit``)."""
        return [item for item in self.items if item.state == "canceled"]

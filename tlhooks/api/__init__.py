"""The Twelve Labs API client, on the ground floor: the workers (fetching, reconciliation),
the CLI (``tlhooks submit``, ``tlhooks batches``) and a user's own backend all call the API
through it, every call within the deployment's shared rate budget."""

from __future__ import annotations

from tlhooks.api.client import TwelveLabsClient
from tlhooks.api.jsonl import BatchResults

__all__ = ["BatchResults", "TwelveLabsClient"]

"""The workers' API client is the ground floor's (tlhooks/api/client.py); re-exported here."""

from __future__ import annotations

from tlhooks.api.client import TwelveLabsClient

__all__ = ["TwelveLabsClient"]

"""tlhooks: reliable, replayable processing of Twelve Labs analyze webhooks."""

from __future__ import annotations

__version__ = "0.1.0"

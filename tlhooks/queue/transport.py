"""kombu's Redis transport, made to survive a broker restart (issue 8, fault 1).

When the broker connection drops, Celery's consumer first ``collect()``s the connection, which
sets the transport's ``client`` (the kombu Connection holding host, port and options) to None,
and then closes it again. A channel that was still polling is closed only by that second close,
which restores its unacknowledged messages; and a task that finishes after the loss acks on its
old channel. Both need a Redis client, kombu builds one from ``transport.client.hostname``, and
with the client gone that is ``AttributeError: 'NoneType' object has no attribute 'hostname'``.
It is not a connection error, so it escapes ``ignore_errors`` and the worker stops with
"Unrecoverable error" instead of reconnecting.

This transport keeps the last Connection it was given. An old channel can then still restore or
ack: with Redis back it succeeds, with Redis down it raises a connection error that Celery
ignores, and the message stays in kombu's unacked set until the visibility timeout restores it.

kombu's Sentinel transport is the Redis transport with a pool that asks the Sentinels for the
primary, and its channels build their clients from the same ``transport.client`` (the Sentinel
list is that Connection's ``alt`` URLs), so it gets the same fix: ``SENTINEL_TRANSPORT``.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis as kombu_redis

TRANSPORT = "tlhooks.queue.transport:Transport"
SENTINEL_TRANSPORT = "tlhooks.queue.transport:SentinelTransport"


class _KeepsClient:
    """A transport whose ``client`` survives ``Connection.collect()``."""

    _last_client: Any = None

    @property
    def client(self) -> Any:
        return self._last_client

    @client.setter
    def client(self, value: Any) -> None:
        if value is not None:  # kombu clears it to break a cycle; channels still need it
            self._last_client = value


class Transport(_KeepsClient, kombu_redis.Transport):
    """kombu's Redis transport, keeping its client."""


class SentinelTransport(_KeepsClient, kombu_redis.SentinelTransport):
    """kombu's Redis Sentinel transport, keeping its client."""

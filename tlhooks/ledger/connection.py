"""The ledger's Redis client: one server named by a URL, or the primary the Sentinels name.

Both fail fast, as the receiver's deadlines need: bounded socket waits, no silent retries. Through
Sentinel (``TLHOOKS_REDIS_SENTINELS`` and ``TLHOOKS_REDIS_SENTINEL_MASTER``) every new connection
asks the Sentinels for the current primary, so after a failover the client reaches the promoted
replica by itself; ``TLHOOKS_REDIS_URL`` then gives only the database, user and password. While no
primary is known, or a connection still reaches the demoted one, calls raise redis' connection
errors, which ``translation.py`` turns into StorageUnavailable (a 503 at the receiver).
"""

from __future__ import annotations

from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.connection import parse_url
from redis.retry import Retry
from redis.sentinel import Sentinel

from tlhooks.settings import Settings

HEALTH_CHECK_INTERVAL = 25


def connect(url: str, socket_timeout: float) -> redis.Redis:
    """A Redis client that fails fast: bounded socket waits and no silent retries."""
    return redis.Redis.from_url(url, decode_responses=True, **_fail_fast(socket_timeout))


def connect_sentinel(
    sentinels: list[tuple[str, int]],
    master: str,
    url: str,
    socket_timeout: float,
    sentinel_password: str | None = None,
) -> redis.Redis:
    """A client of the primary the Sentinels name for ``master``, with ``url``'s db and password."""
    parts = parse_url(url)  # type: ignore[no-untyped-call]
    sentinel_kwargs: dict[str, Any] = {
        "socket_timeout": socket_timeout,
        "socket_connect_timeout": socket_timeout,
        "retry": Retry(NoBackoff(), 0),
    }
    if sentinel_password:
        sentinel_kwargs["password"] = sentinel_password
    manager = Sentinel(sentinels, sentinel_kwargs=sentinel_kwargs)
    client: redis.Redis = manager.master_for(
        master,
        db=parts.get("db", 0),
        username=parts.get("username"),
        password=parts.get("password"),
        decode_responses=True,
        **_fail_fast(socket_timeout),
    )
    return client


def client_for(settings: Settings) -> redis.Redis:
    """The ledger's client for these settings: through Sentinel when it is configured."""
    if settings.redis_sentinels:
        return connect_sentinel(
            settings.sentinel_addresses,
            settings.redis_sentinel_master,
            settings.redis_url,
            settings.redis_socket_timeout,
            settings.redis_sentinel_password,
        )
    return connect(settings.redis_url, settings.redis_socket_timeout)


def _fail_fast(socket_timeout: float) -> dict[str, Any]:
    return {
        "socket_timeout": socket_timeout,
        "socket_connect_timeout": socket_timeout,
        "health_check_interval": HEALTH_CHECK_INTERVAL,
        "retry": Retry(NoBackoff(), 0),
    }

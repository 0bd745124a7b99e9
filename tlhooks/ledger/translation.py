"""Redis errors that mean "not now" become StorageUnavailable, so every caller retries them.

Connection loss is not the only way Redis turns a request away for a while: a server out of
memory (``maxmemory`` with ``noeviction``), a replica after a failover (``READONLY``), a server
loading its dataset (``LOADING``) or running a long script (``BUSY``), or refusing writes it
cannot persist (``MISCONF``). Each is a state of the server, not a fault of the request, so it is
translated here into the StorageUnavailable branch of the exception tree: the receiver answers
503 with ``Retry-After``, ``/readyz`` reports not ready, workers treat it as retryable.

Through Sentinel, a failover shows as connection errors too: no primary known yet
(``MasterNotFoundError``), or a connection that still reached the demoted primary (redis-py turns
its READONLY into a connection error and asks the Sentinels again on the next connect).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import redis
from redis import exceptions as redis_errors
from redis.sentinel import MasterNotFoundError

from tlhooks.errors import StorageRefused, StorageUnavailable

# Redis error code -> what it means and what fixes it.
REFUSALS = {
    "OOM": "Redis is out of memory (maxmemory reached under a noeviction policy); raise "
    "maxmemory, free memory, or purge settled events with `tlhooks purge`",
    "READONLY": "Redis is a read-only replica, as after a failover; point TLHOOKS_REDIS_URL "
    "(or TLHOOKS_BROKER_URL) at the primary",
    "LOADING": "Redis is still loading its dataset into memory; it answers once loading ends",
    "BUSY": "Redis is busy running a long script; it answers when the script ends or is killed "
    "with SCRIPT KILL",
    "MISCONF": "Redis refuses writes because it cannot save its snapshot to disk; fix the disk "
    "or the save settings",
    "MASTERDOWN": "the Redis replica lost its link to the primary and does not serve stale data",
    "NOREPLICAS": "Redis has fewer replicas than min-replicas-to-write asks for",
    "TRYAGAIN": "the Redis cluster is resharding the key",
    "CLUSTERDOWN": "the Redis cluster is down",
}

PIPELINE_PREFIX = "of pipeline caused error: "

_CLASSES: dict[type[Exception], str] = {
    redis_errors.OutOfMemoryError: "OOM",
    redis_errors.ReadOnlyError: "READONLY",
    redis_errors.BusyLoadingError: "LOADING",
    redis_errors.MasterDownError: "MASTERDOWN",
    redis_errors.TryAgainError: "TRYAGAIN",
    redis_errors.ClusterDownError: "CLUSTERDOWN",
}


def refusal_code(exc: BaseException) -> str | None:
    """The Redis error code of a transient refusal, or None for any other error.

    kombu wraps the Redis error of a publish in its own OperationalError: the chain is read.
    """
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return None
        code = _own_code(seen)
        if code is not None:
            return code
        seen = seen.__cause__ or seen.__context__
    return None


def _own_code(exc: BaseException) -> str | None:
    for cls, code in _CLASSES.items():
        if isinstance(exc, cls):
            return code
    if isinstance(exc, redis_errors.ResponseError):
        # In a pipeline, redis-py puts "Command # 1 (...) of pipeline caused error: " first.
        text = str(exc).rpartition(PIPELINE_PREFIX)[2]
        words = text.split(maxsplit=1)
        # Inside a Lua script the code may follow "ERR Error running script ...: -OOM ...".
        for word in words[:1] + [w.lstrip("-") for w in text.split() if w.startswith("-")]:
            if word in REFUSALS:
                return word
    return None


def storage_error(exc: BaseException, what: str = "Redis") -> StorageUnavailable | None:
    """The StorageUnavailable to raise for ``exc``, or None when it is a real bug."""
    code = refusal_code(exc)
    if code is not None:
        return StorageRefused(
            code, f"{what} refused the request ({code}): {REFUSALS[code]}. Redis said: {exc}"
        )
    if isinstance(exc, MasterNotFoundError):
        return StorageUnavailable(
            f"{what} has no primary: no Sentinel names a live one (a failover under way, or "
            f"TLHOOKS_REDIS_SENTINEL_MASTER names a primary the Sentinels do not monitor): {exc}"
        )
    if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
        return StorageUnavailable(f"{what} did not answer: {exc}")
    return None


@contextlib.contextmanager
def translate_redis_errors() -> Iterator[None]:
    try:
        yield
    except redis.RedisError as exc:
        translated = storage_error(exc)
        if translated is None:
            raise
        raise translated from exc

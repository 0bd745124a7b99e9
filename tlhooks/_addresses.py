"""Checks of the addresses settings accept: Redis, broker and API URLs, Sentinel host:port pairs.

Each check returns the value or raises ValueError with the second half of a sentence whose first
half, the variable's name, ``settings.py`` adds.
"""

from __future__ import annotations

import re

import httpx
from kombu.transport import TRANSPORT_ALIASES
from kombu.utils.url import url_to_parts
from redis.connection import parse_url

REDIS_SCHEMES = ("redis", "rediss", "unix")
REDIS_URL_HINT = "must be a Redis URL like redis://127.0.0.1:6379/0"
BROKER_URL_HINT = "must be a broker URL like redis://127.0.0.1:6379/0 or amqp://host:5672//"


def check_redis_url(value: str) -> str:
    if value.partition("://")[0] not in REDIS_SCHEMES:
        raise ValueError(f"{REDIS_URL_HINT} (its scheme must be redis://, rediss:// or unix://)")
    try:
        parse_url(value)  # type: ignore[no-untyped-call]
    except ValueError as exc:
        raise ValueError(f"{REDIS_URL_HINT} ({_lower(exc)})") from None
    return value


def check_broker_url(value: str) -> str:
    scheme, separator, _ = value.partition("://")
    if not value or scheme in REDIS_SCHEMES:
        return check_redis_url(value) if value else value
    if not separator or scheme not in TRANSPORT_ALIASES:
        raise ValueError(f"{BROKER_URL_HINT} (its scheme names no kombu transport)")
    try:
        url_to_parts(value)
    except ValueError as exc:
        raise ValueError(f"{BROKER_URL_HINT} ({_lower(exc)})") from None
    return value


def check_api_base_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    try:
        host = httpx.URL(value).host
    except httpx.InvalidURL as exc:
        raise ValueError(f"must be an http(s) URL with a host ({_lower(exc)})") from None
    if not host:
        raise ValueError("must be an http(s) URL with a host")
    return value.rstrip("/")


def sentinel_address(entry: str) -> tuple[str, int]:
    """``host:port`` (or ``[v6 address]:port``) as a pair."""
    host, _, port = entry.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not re.fullmatch(r"[A-Za-z0-9_.:-]+", host) or not port.isdigit() or int(port) > 65535:
        raise ValueError(
            f"must be comma-separated host:port pairs like 10.0.0.5:26379, and {entry!r} is not one"
        )
    return host, int(port)


def redacted(url: str) -> str:
    """The URL without its password, fit for an error message or a log line."""
    return re.sub(r"(://[^/@:]*:)[^/@]*@", r"\1***@", url)


def _lower(exc: Exception) -> str:
    text = str(exc).rstrip(".")
    return text[:1].lower() + text[1:]

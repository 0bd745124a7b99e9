"""Configuration from the environment (prefix ``TLHOOKS_``) and an optional ``.env`` file.

Every problem is reported at start-up as one sentence that names the variable, e.g.
``TLHOOKS_MAX_ATTEMPTS must be an integer of at least 1 (got 'many').``
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from tlhooks._addresses import (
    check_api_base_url,
    check_broker_url,
    check_redis_url,
    sentinel_address,
)
from tlhooks._addresses import redacted as redacted
from tlhooks.errors import ConfigurationError

ENV_PREFIX = "TLHOOKS_"

CommaList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """Every knob of tlhooks. Field ``x`` is read from ``TLHOOKS_X``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore", frozen=True
    )

    # Webhook verification (receiver)
    webhook_secrets: CommaList = Field(default_factory=list)
    signature_tolerance: int = Field(300, ge=0)
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    intake_timeout: float = Field(3.0, gt=0)
    inline_queueing: bool = True

    # Twelve Labs API (workers)
    api_key: str = ""
    api_base_url: str = "https://api.twelvelabs.io/v1.3"
    fetch_connect_timeout: float = Field(5.0, gt=0)
    fetch_read_timeout: float = Field(30.0, gt=0)
    # Requests per minute for the whole deployment, shared in Redis (README, "Rate budget");
    # 60 is the lowest tier's RPM, so tlhooks alone never exceeds any account's limit. 0: off.
    api_rate_limit: int = Field(60, ge=0, le=1_000_000)

    # Redis: ledger and broker
    redis_url: str = "redis://127.0.0.1:6379/0"
    broker_url: str = ""
    redis_socket_timeout: float = Field(2.0, gt=0)
    key_prefix: str = Field("tlhooks", pattern=r"^[A-Za-z0-9_.-]+$")
    queue: str = Field("tlhooks", pattern=r"^[A-Za-z0-9_.-]+$")
    # Redis through Sentinel, and replicas a 202 waits for (README, "Redis that fails over")
    redis_sentinels: CommaList = Field(default_factory=list)
    redis_sentinel_master: str = Field("", pattern=r"^[A-Za-z0-9_.:-]*$")
    redis_sentinel_password: str | None = None
    redis_wait_replicas: int = Field(0, ge=0)
    redis_wait_timeout: float = Field(0.5, gt=0)
    # RabbitMQ broker only (README, "RabbitMQ as the broker")
    rabbitmq_queue_type: Literal["quorum", "classic"] = "quorum"

    # Handlers
    handlers: CommaList = Field(default_factory=list)
    jsonl_path: Path | None = None
    jsonl_custom_id: str = "*"

    # Retry policy
    max_attempts: int = Field(8, ge=1)
    retry_base_delay: float = Field(2.0, gt=0)
    retry_max_delay: float = Field(600.0, gt=0)

    # Worker and at-least-once tuning (README, "Delivery guarantees": why these are safe)
    worker_pool: Literal["threads", "prefork", "solo"] = "threads"
    worker_concurrency: int = Field(32, ge=1)
    visibility_timeout: int = Field(10, ge=2)
    unacked_restore_interval: float = Field(1.0, gt=0)
    lease_seconds: float = Field(5.0, ge=1)
    sweep_interval: float = Field(2.0, gt=0)
    stale_after: float = Field(120.0, gt=0)
    reconcile_after: float = Field(900.0, gt=0)
    reconcile_interval: float = Field(30.0, gt=0)
    outcome_write_timeout: float = Field(30.0, ge=0)

    # Ops
    admin_token: str | None = None
    retention_days: float = Field(30.0, ge=0)
    # What a handled event keeps of its result (workers/result_retention.py, docs/deploy.md)
    settled_results: Literal["drop", "keep"] = "drop"
    # Fold a handled event (in its worker) and one settled at intake (in the receiver, after the
    # answer) into one small hash (tlhooks/ledger/compaction.py, docs/deploy.md)
    compact_handled: bool = True
    ops_scan_cap: int = Field(20_000, ge=1000, le=10_000_000)
    log_level: str = "INFO"

    # Metrics and logs (README, "Metrics" and "Logs")
    log_format: Literal["text", "json"] = "text"
    worker_metrics_port: int = Field(0, ge=0, le=65535)

    # Hostile input (receiver): how long a request body may take, how much it logs
    body_read_timeout: float = Field(10.0, gt=0)
    header_read_timeout: float = Field(10.0, gt=0)
    rejection_log_per_second: int = Field(5, ge=0)

    @field_validator("webhook_secrets", "handlers", "redis_sentinels", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("redis_sentinels")
    @classmethod
    def _check_sentinels(cls, value: list[str]) -> list[str]:
        for entry in value:
            sentinel_address(entry)
        return value

    _check_api_base_url = field_validator("api_base_url")(check_api_base_url)
    _check_redis_url = field_validator("redis_url")(check_redis_url)
    _check_broker_url = field_validator("broker_url")(check_broker_url)

    @model_validator(mode="after")
    def _check_relations(self) -> Settings:
        if self.retry_max_delay < self.retry_base_delay:
            raise ValueError(
                "TLHOOKS_RETRY_MAX_DELAY must be at least TLHOOKS_RETRY_BASE_DELAY "
                f"({self.retry_max_delay} < {self.retry_base_delay})"
            )
        if self.visibility_timeout <= self.lease_seconds:
            raise ValueError(
                "TLHOOKS_VISIBILITY_TIMEOUT must be longer than TLHOOKS_LEASE_SECONDS "
                f"({self.visibility_timeout} <= {self.lease_seconds}), or a dead run's message "
                "comes back while its lease still looks alive; raise the first or lower the second"
            )
        return self

    @model_validator(mode="after")
    def _check_sentinel_and_wait(self) -> Settings:
        if bool(self.redis_sentinels) != bool(self.redis_sentinel_master):
            raise ValueError(
                "TLHOOKS_REDIS_SENTINELS and TLHOOKS_REDIS_SENTINEL_MASTER go together: set both "
                "(the Sentinels' host:port list and the name of the primary they monitor) or "
                "neither"
            )
        urls = {"TLHOOKS_REDIS_URL": self.redis_url, "TLHOOKS_BROKER_URL": self.broker_url}
        for name, url in urls.items() if self.redis_sentinels else ():
            if url.startswith(("rediss://", "unix://")):
                raise ValueError(
                    f"{name} must be a redis:// URL when TLHOOKS_REDIS_SENTINELS is set (its "
                    "database and password apply, the Sentinels name the host; TLS and unix "
                    f"sockets are not supported through Sentinel), not {redacted(url)!r}"
                )
        if self.redis_wait_timeout >= min(self.redis_socket_timeout, self.intake_timeout):
            raise ValueError(
                "TLHOOKS_REDIS_WAIT_TIMEOUT must be shorter than TLHOOKS_REDIS_SOCKET_TIMEOUT "
                f"and TLHOOKS_INTAKE_TIMEOUT ({self.redis_wait_timeout} >= "
                f"{min(self.redis_socket_timeout, self.intake_timeout)}), or the receiver gives "
                "up before the replicas answer; lower the first or raise the others"
            )
        return self

    @property
    def sentinel_addresses(self) -> list[tuple[str, int]]:
        return [sentinel_address(entry) for entry in self.redis_sentinels]

    @property
    def effective_broker_url(self) -> str:
        return self.broker_url or self.redis_url

    @property
    def broker_is_amqp(self) -> bool:
        return self.effective_broker_url.startswith(("amqp://", "amqps://", "pyamqp://"))

    def require_webhook_secrets(self) -> list[str]:
        if not self.webhook_secrets:
            raise ConfigurationError(
                "No webhook secret is configured; set TLHOOKS_WEBHOOK_SECRETS to the secret "
                "shown under 'Reveal Secret' in the Twelve Labs dashboard."
            )
        return self.webhook_secrets

    def require_api_key(self) -> str:
        if not self.api_key:
            raise ConfigurationError(
                "No Twelve Labs API key is configured; set TLHOOKS_API_KEY so workers can "
                "retrieve analysis results."
            )
        return self.api_key

    # Local state of this deployment (beat's schedule), relative to the working directory.
    state_dir: Path = Path(".tlhooks")


SECRET_FIELDS = frozenset({"webhook_secrets", "api_key", "admin_token", "redis_sentinel_password"})


def secret_values(settings: Settings) -> list[str]:
    """Every configured secret, for the log handler to mask should one ever reach a line."""
    return [
        *settings.webhook_secrets,
        settings.api_key,
        settings.admin_token or "",
        settings.redis_sentinel_password or "",
    ]


def _shown(field: str, value: Any) -> str:
    """How a rejected value appears in an error: secrets never, URLs without passwords."""
    if field in SECRET_FIELDS:
        return "a hidden value"
    return repr(redacted(value)) if isinstance(value, str) else repr(value)


def _describe(error: Any) -> str:
    loc = [str(part) for part in error.get("loc", ()) if part != "__root__"]
    message = str(error.get("msg", "is invalid"))
    if not loc:
        return message.removeprefix("Value error, ")
    name = ENV_PREFIX + loc[0].upper()
    got = error.get("input")
    message = message.removeprefix("Value error, ")
    return f"{name}: {message[0].lower()}{message[1:]} (got {_shown(loc[0], got)})."


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning validation errors into one ConfigurationError sentence."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = " ".join(_describe(err) for err in exc.errors())
        raise ConfigurationError(f"Invalid configuration: {problems}") from None


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()

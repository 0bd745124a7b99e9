"""The Celery configuration, derived from Settings, with the at-least-once choices explained.

Why each value (see README, "Delivery guarantees"):

- ``task_acks_late`` + ``task_reject_on_worker_lost``: a message is acknowledged only after the
  task returns, and a prefork child killed mid-task puts its message back.
- ``worker_prefetch_multiplier = 1``: nothing waits reserved behind a running task.
- No ETA/countdown messages at all: retries are kept in the ledger's schedule and published by
  the sweeper when due, so the visibility timeout never has to cover a retry delay.
- Default timings (tlhooks/settings.py), chosen so every event of a SIGKILLed worker is handled
  again within 15 s (measured: 5.5 s, tests/e2e/test_worker_kill.py):
  ``TLHOOKS_VISIBILITY_TIMEOUT=10`` and ``TLHOOKS_UNACKED_RESTORE_INTERVAL=1`` bring back a
  message the dead worker had taken within about 11 s; ``TLHOOKS_LEASE_SECONDS=5`` and
  ``TLHOOKS_SWEEP_INTERVAL=2`` let the sweeper re-queue a started run within about 7 s of its
  death. Safe for long handlers: a live run's lease is renewed every third of its length by
  the LeaseKeeper thread, whatever the handler does, and a copy of its message redelivered
  after the visibility timeout finds that lease, schedules one re-check for after the lease
  and is acknowledged, so a long handler is never run twice in parallel (it costs one extra
  message per run longer than the visibility timeout). Settings refuse a visibility timeout
  not longer than the lease. Raise the lease only for handlers that can starve the keeper
  thread (CPU-bound code holding the GIL for seconds).
- ``broker_transport``: kombu's Redis transport with one fix (queue/transport.py) so a broker
  restart is a reconnect, not an "Unrecoverable error" exit; the worker retries the broker
  forever (``broker_connection_max_retries = None``) with Celery's backoff.
- Socket timeouts and one publish retry make a hung Redis a fast error, never a hung request.
- Redis through Sentinel (``TLHOOKS_REDIS_SENTINELS``): a Redis broker URL becomes kombu's
  ``sentinel://`` list, one URL per Sentinel carrying the broker URL's database and password,
  with ``master_name`` in the transport options; the worker then reconnects to whichever
  primary the Sentinels name after a failover. Same message format, same queue key, so inline
  queueing keeps working when the broker is the ledger's Redis.
- RabbitMQ (``TLHOOKS_BROKER_URL=amqp://...``): publisher confirms (``confirm_publish``), so a
  publish returns only once the broker has taken the message, and durable quorum queues
  (``TLHOOKS_RABBITMQ_QUEUE_TYPE=quorum``, RabbitMQ 3.8 and later; ``classic`` for older servers
  or an existing classic queue), which survive a broker restart and replicate on a cluster.
  Celery sees the quorum type and uses per-consumer prefetch, which quorum queues require.
  RabbitMQ closes a channel whose message stays unacknowledged longer than the server's
  ``consumer_timeout`` (30 min by default); the message is then delivered again and finds the
  running event's lease, so nothing runs twice, but keep ``consumer_timeout`` above the
  longest handler run.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from kombu.entity import Exchange, Queue
from redis.connection import parse_url

from tlhooks.queue.transport import SENTINEL_TRANSPORT, TRANSPORT
from tlhooks.settings import Settings

PROCESS_TASK = "tlhooks.process_event"
SWEEP_TASK = "tlhooks.sweep"
RECONCILE_TASK = "tlhooks.reconcile"


def sweep_queue(settings: Settings) -> str:
    return f"{settings.queue}.sweep"


def _queue(name: str, settings: Settings) -> Queue:
    """A queue with its own direct exchange and routing key, so no two queues share a binding."""
    exchange = Exchange(name, type="direct")  # type: ignore[no-untyped-call]
    arguments = {"x-queue-type": settings.rabbitmq_queue_type} if settings.broker_is_amqp else None
    return Queue(  # type: ignore[no-untyped-call]
        name, exchange, routing_key=name, durable=True, queue_arguments=arguments
    )


def transport_options(settings: Settings) -> dict[str, Any]:
    if settings.broker_is_amqp:
        return {"confirm_publish": True}
    options: dict[str, Any] = {
        "visibility_timeout": settings.visibility_timeout,
        "socket_timeout": settings.redis_socket_timeout,
        "socket_connect_timeout": settings.redis_socket_timeout,
        "health_check_interval": 25,
        "retry_on_timeout": False,
        "unacked_restore_interval": settings.unacked_restore_interval,
        "unacked_restore_throttle": 1,
    }
    if _through_sentinel(settings):
        options["master_name"] = settings.redis_sentinel_master
        options["sentinel_kwargs"] = {
            "socket_timeout": settings.redis_socket_timeout,
            "socket_connect_timeout": settings.redis_socket_timeout,
        }
        if settings.redis_sentinel_password:
            options["sentinel_kwargs"]["password"] = settings.redis_sentinel_password
    return options


def broker_transport(settings: Settings) -> str | None:
    """Our Redis transports (queue/transport.py) for a Redis broker; kombu's choice otherwise."""
    if _through_sentinel(settings):
        return SENTINEL_TRANSPORT
    if settings.effective_broker_url.startswith(("redis://", "rediss://")):
        return TRANSPORT
    return None


def broker_url(settings: Settings) -> str:
    """The broker URL Celery gets: through Sentinel, one ``sentinel://`` URL per Sentinel,
    each with the broker URL's user, password and database (its host and port are unused)."""
    if not _through_sentinel(settings):
        return settings.effective_broker_url
    parts = parse_url(settings.effective_broker_url)  # type: ignore[no-untyped-call]
    user, password = parts.get("username") or "", parts.get("password")
    credentials = f"{quote(user, safe='')}:{quote(password, safe='')}@" if password else ""
    if user and not password:
        credentials = f"{quote(user, safe='')}@"
    db = parts.get("db", 0)
    return ";".join(
        f"sentinel://{credentials}{_host(host)}:{port}/{db}"
        for host, port in settings.sentinel_addresses
    )


def _through_sentinel(settings: Settings) -> bool:
    return bool(settings.redis_sentinels) and settings.effective_broker_url.startswith("redis://")


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def publish_retry_policy() -> dict[str, Any]:
    return {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    }


def celery_config(settings: Settings) -> dict[str, Any]:
    options = transport_options(settings)
    return {
        "broker_url": broker_url(settings),
        "broker_transport": broker_transport(settings),
        "broker_transport_options": options,
        "result_backend_transport_options": options,
        "visibility_timeout": settings.visibility_timeout,
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        "broker_pool_limit": 64,
        "broker_pool_acquire_timeout": settings.intake_timeout,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "result_backend": None,
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "task_publish_retry_policy": publish_retry_policy(),
        "task_default_queue": settings.queue,
        "task_queues": [_queue(settings.queue, settings), _queue(sweep_queue(settings), settings)],
        "task_routes": {
            SWEEP_TASK: {"queue": sweep_queue(settings)},
            RECONCILE_TASK: {"queue": sweep_queue(settings)},
        },
        "worker_prefetch_multiplier": 1,
        "worker_pool": settings.worker_pool,
        "worker_concurrency": settings.worker_concurrency,
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "worker_soft_shutdown_timeout": 30,
        "worker_hijack_root_logger": False,
        "beat_schedule": {
            "tlhooks-sweep": {
                "task": SWEEP_TASK,
                "schedule": settings.sweep_interval,
                "options": {"expires": max(settings.sweep_interval * 2, 2.0)},
            },
            "tlhooks-reconcile": {
                "task": RECONCILE_TASK,
                "schedule": settings.reconcile_interval,
                "options": {"expires": max(settings.reconcile_interval * 2, 2.0)},
            },
        },
        "beat_schedule_filename": str(settings.state_dir / "beat-schedule"),
    }

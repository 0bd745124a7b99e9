"""EventPublisher: puts an event id on the Celery queue, or says clearly that it could not."""

from __future__ import annotations

from amqp.exceptions import NotFound
from celery import Celery
from kombu.exceptions import ChannelError, KombuError, OperationalError
from redis.exceptions import RedisError

from tlhooks.errors import StorageRefused, StorageUnavailable
from tlhooks.ledger.translation import storage_error
from tlhooks.queue.celery_config import PROCESS_TASK, celery_config, publish_retry_policy
from tlhooks.queue.wire import process_event_message
from tlhooks.settings import Settings


def create_celery(settings: Settings) -> Celery:
    app = Celery("tlhooks", set_as_current=False)
    app.config_from_object(celery_config(settings))
    return app


class EventPublisher:
    """Publishes ``tlhooks.process_event(event_id)``; only the id travels, never the payload.

    ``inline`` is True when the broker is the ledger's own Redis: intake then pushes the
    message (``wire_message``) in the same Lua script that stores the event.
    """

    def __init__(self, app: Celery, settings: Settings) -> None:
        self.app = app
        self.queue = settings.queue
        self.inline = settings.inline_queueing and (
            settings.effective_broker_url == settings.redis_url
            and settings.redis_url.startswith(("redis://", "rediss://", "unix://"))
        )
        self._retry_policy = publish_retry_policy()

    def wire_message(self, event_id: str) -> str:
        return process_event_message(self.app, self.queue, event_id)

    @classmethod
    def from_settings(cls, settings: Settings) -> EventPublisher:
        return cls(create_celery(settings), settings)

    def publish(self, event_id: str) -> None:
        self.publish_many([event_id])

    def publish_many(self, event_ids: list[str]) -> None:
        """Publish several events over one pooled producer connection."""
        if not event_ids:
            return
        try:
            with self.app.producer_or_acquire() as producer:
                for event_id in event_ids:
                    self.app.send_task(
                        PROCESS_TASK,
                        args=[event_id],
                        queue=self.queue,
                        producer=producer,
                        retry=True,
                        retry_policy=self._retry_policy,
                    )
        except (OperationalError, KombuError, RedisError, OSError, TimeoutError) as exc:
            raise _broker_error(f"The broker did not accept event(s) {event_ids[:3]}", exc) from exc

    def backlog(self) -> int:
        """How many messages wait in the queue, not yet taken by a worker (0: never declared)."""
        try:
            with self.app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1)
                try:
                    declared = connection.default_channel.queue_declare(self.queue, passive=True)
                except (NotFound, ChannelError):  # no such queue (Redis: an empty one): empty
                    return 0
                return int(declared.message_count)
        except (OperationalError, KombuError, RedisError, OSError, TimeoutError) as exc:
            raise _broker_error("The broker did not say how many messages wait", exc) from exc

    def ping(self) -> None:
        """The broker answers; a Redis broker must also take a write (not OOM, READONLY, ...)."""
        try:
            with self.app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1)
                if connection.transport.driver_type == "redis":
                    client = connection.default_channel.client
                    client.set(f"{self.queue}:probe", "1", px=10_000)
        except (OperationalError, KombuError, RedisError, OSError, TimeoutError) as exc:
            raise _broker_error("The broker did not answer", exc) from exc

    def close(self) -> None:
        self.app.close()


def _broker_error(what: str, exc: BaseException) -> StorageUnavailable:
    """A Redis broker's refusal (OOM, READONLY, ...) keeps its code; anything else is an outage."""
    translated = storage_error(exc, "The Redis broker")
    if isinstance(translated, StorageRefused):
        return translated
    return StorageUnavailable(f"{what}: {exc}")

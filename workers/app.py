"""The Celery app: ``celery -A workers.app worker`` and ``celery -A workers.app beat``.

Handler modules are imported when the worker starts, so a registration error stops it there,
with a sentence naming the handler and the fix. Start-up errors name the process that stops:
``tlhooks worker cannot start: ...`` or ``tlhooks beat cannot start: ...``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from celery import signals

from handlers.loading import load_handlers
from tlhooks.errors import ConfigurationError, TlhooksError
from tlhooks.logs import configure_logging
from tlhooks.queue.celery_config import RECONCILE_TASK, SWEEP_TASK
from tlhooks.queue.publisher import EventPublisher, create_celery
from tlhooks.settings import Settings, get_settings, secret_values
from workers.metrics import mark_child_dead, start_exporter
from workers.nodename import name_worker_uniquely
from workers.sweeper import quiet_sweep_ticks

logger = logging.getLogger("tlhooks.worker")


def role(argv: Sequence[str]) -> str:
    """``beat`` for ``celery ... beat``, else ``worker`` (``worker -B`` is a worker first)."""
    words = set(argv[1:])
    return "beat" if "beat" in words and "worker" not in words else "worker"


def stop(exc: Exception, process: str) -> NoReturn:
    logger.error("tlhooks %s cannot start: %s", process, exc)
    sys.exit(f"tlhooks {process} cannot start: {exc}")


try:
    settings = get_settings()
except TlhooksError as exc:
    stop(exc, role(sys.argv))

app = create_celery(settings)
app.conf.include = ["workers.tasks"]
publisher = EventPublisher(app, settings)
signals.celeryd_init.connect(name_worker_uniquely, weak=False)
quiet_sweep_ticks(SWEEP_TASK)  # worker and beat both import this module
quiet_sweep_ticks(RECONCILE_TASK)


@signals.setup_logging.connect  # type: ignore[untyped-decorator]
def _setup_logging(loglevel: int | str | None = None, **_kwargs: Any) -> None:
    """Celery configures no logging once this answers (and redirects no stdout): our one
    handler on the root logger writes Celery's lines and ours, each once."""
    level = logging.getLevelName(loglevel) if isinstance(loglevel, int) else loglevel
    configure_logging(
        settings.log_level, settings.log_format, secret_values(settings), root_level=level or "INFO"
    )


@signals.worker_init.connect  # type: ignore[untyped-decorator]
def _load_handlers(**_kwargs: Any) -> None:
    try:
        settings.require_api_key()
        load_handlers(settings)
        port = start_exporter(settings)
    except TlhooksError as exc:
        stop(exc, "worker")
    if port is not None:
        logger.info("worker metrics are served on port %d at /metrics", port)


@signals.worker_process_shutdown.connect  # type: ignore[untyped-decorator]
def _forget_child(pid: int | None = None, **_kwargs: Any) -> None:
    if pid is not None:
        mark_child_dead(pid)


def make_state_dir(config: Settings) -> None:
    """Beat's schedule lives in the state dir; the scheduler opens it before any beat signal."""
    try:
        config.state_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(
            f"Cannot create the state directory {str(config.state_dir)!r} for beat's schedule: "
            f"{exc.strerror}. Set TLHOOKS_STATE_DIR to a writable directory."
        ) from None


def runs_beat(argv: Sequence[str]) -> bool:
    return role(argv) == "beat" or bool({"-B", "--beat"} & set(argv[1:]))


if runs_beat(sys.argv):
    try:
        make_state_dir(settings)
    except TlhooksError as exc:
        stop(exc, role(sys.argv))

"""The Celery app: ``celery -A workers.app worker`` and ``celery -A workers.app beat``.

Handler modules are imported when the worker starts, so a registration error stops it there,
with a sentence naming the handler and the fix.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from celery import signals

from handlers.loading import load_handlers
from tlhooks.errors import TlhooksError
from tlhooks.logs import configure_logging
from tlhooks.settings import get_settings
from workers.publisher import EventPublisher, create_celery

logger = logging.getLogger("tlhooks.worker")

try:
    settings = get_settings()
except TlhooksError as exc:
    sys.exit(f"tlhooks worker cannot start: {exc}")

app = create_celery(settings)
app.conf.include = ["workers.tasks"]
publisher = EventPublisher(app, settings)


@signals.worker_init.connect  # type: ignore[untyped-decorator]
def _load_handlers(**_kwargs: Any) -> None:
    configure_logging(settings.log_level)
    try:
        settings.require_api_key()
        load_handlers(settings)
    except TlhooksError as exc:
        logger.error("tlhooks worker cannot start: %s", exc)
        sys.exit(f"tlhooks worker cannot start: {exc}")

"""Logging set-up shared by the receiver, the workers and the CLI: one handler, text or JSON
(``TLHOOKS_LOG_FORMAT``), the event's identifiers on every line, configured secrets masked; and
sampled logging for lines an attacker can cause at will.

Every line is written once. In a worker, Celery used to configure the root logger after ours
was set on ``tlhooks``, so each line went out twice in two formats; now workers/app.py answers
Celery's ``setup_logging`` signal, Celery configures nothing (nor redirects stdout), and the
one handler sits on the root logger, writing Celery's lines and ours alike.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LogFormat = Literal["text", "json"]
CONTEXT_FIELDS = ("event_id", "task_id", "custom_id", "handler", "attempt")
_HANDLER_NAME = "tlhooks"

_OUTSIDE: Mapping[str, object] = MappingProxyType({})
_context: contextvars.ContextVar[Mapping[str, object]] = contextvars.ContextVar(
    "tlhooks_log_context", default=_OUTSIDE
)


def bind_log_context(**fields: object) -> None:
    """Add identifiers to the following lines of the enclosing ``log_context`` (None values are
    left out); outside one this does nothing, so identifiers never outlive their run."""
    bound = _context.get()
    if bound is not _OUTSIDE:
        _context.set({**bound, **{k: v for k, v in fields.items() if v is not None}})


@contextlib.contextmanager
def log_context(**fields: object) -> Iterator[None]:
    """Bind identifiers for the duration of a block (one worker run), then restore the old ones."""
    given = {k: v for k, v in fields.items() if v is not None}
    token = _context.set({**_context.get(), **given})
    try:
        yield
    finally:
        _context.reset(token)


def current_log_context() -> dict[str, object]:
    return dict(_context.get())


class ContextFilter(logging.Filter):
    """Copies the bound identifiers onto each record, and masks every configured secret."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _context.get().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        if self.secrets:
            message = record.getMessage()
            masked = self._mask(message)
            if masked != message:
                record.msg, record.args = masked, None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                # the formatters print exc_text when exc_info is gone, so only the masked copy shows
                record.exc_text, record.exc_info = self._mask(record.exc_text), None
        return True

    def _mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


class TextFormatter(logging.Formatter):
    """The plain format, with the bound identifiers appended as ``key=value``."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = [
            f"{name}={getattr(record, name)}" for name in CONTEXT_FIELDS if hasattr(record, name)
        ]
        return f"{line} [{' '.join(extra)}]" if extra else line


def make_formatter(log_format: LogFormat) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            timestamp=False,
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],  # uvicorn's ANSI copy
        )
    return TextFormatter(FORMAT)


def configure_logging(
    level: str = "INFO",
    log_format: LogFormat = "text",
    secrets: Iterable[str] = (),
    *,
    root_level: str | None = None,
) -> None:
    """Install the one handler: on the root logger when ``root_level`` is given (the worker,
    whose Celery lines then share the format), else on ``tlhooks`` unless the host application
    already configured the root logger (then its handlers write our lines)."""
    tlhooks = logging.getLogger("tlhooks")
    tlhooks.setLevel(level.upper())
    target = logging.getLogger() if root_level is not None else tlhooks
    if root_level is not None:
        target.setLevel(root_level.upper())
        target.handlers = [h for h in target.handlers if h.get_name() != _HANDLER_NAME]
        for old in [h for h in tlhooks.handlers if h.get_name() == _HANDLER_NAME]:
            tlhooks.removeHandler(old)
    elif logging.getLogger().handlers or any(
        h.get_name() == _HANDLER_NAME for h in tlhooks.handlers
    ):
        return
    handler = logging.StreamHandler(sys.__stderr__ or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(make_formatter(log_format))
    handler.addFilter(ContextFilter(secrets))
    target.addHandler(handler)


def adopt_loggers(*names: str) -> None:
    """Write these loggers (a server's own, like uvicorn's) through our handler, once, in our
    format; nothing changes when the host application configured logging itself, and a logger
    the server silenced (no handler and no propagation, as uvicorn's ``--no-access-log`` leaves
    ``uvicorn.access``) stays silent."""
    ours = [h for h in logging.getLogger("tlhooks").handlers if h.get_name() == _HANDLER_NAME]
    for name in names if ours else ():
        logger = logging.getLogger(name)
        if not logger.handlers and not logger.propagate:
            continue
        logger.handlers = list(ours)
        logger.propagate = False


def escaped_prefix(text: str, limit: int = 48) -> str:
    """At most ``limit`` characters of untrusted text, escaped to printable ASCII."""
    head = text[:limit].encode("unicode_escape").decode("ascii")
    return head if len(text) <= limit else f"{head}... ({len(text)} characters)"


@dataclass
class _Window:
    second: int
    logged: int = 0
    suppressed: int = 0


class SampledLog:
    """Log at most ``per_second`` lines per reason and second; count the rest.

    When a reason's next second begins, one line says how many were suppressed in the last
    one, so a flood costs a few lines a second, while the Prometheus counters count them all.
    """

    def __init__(
        self,
        logger: logging.Logger,
        per_second: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.per_second = per_second
        self.clock = clock
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def log(self, level: int, reason: str, message: str, *args: object) -> None:
        second = int(self.clock())
        with self._lock:
            window = self._windows.get(reason)
            if window is None or window.second != second:
                if window is not None and window.suppressed:
                    self.logger.log(
                        level,
                        "%d more '%s' lines suppressed (at most %d a second are logged)",
                        window.suppressed,
                        reason,
                        self.per_second,
                    )
                window = self._windows[reason] = _Window(second)
            if window.logged >= self.per_second:
                window.suppressed += 1
                return
            window.logged += 1
        self.logger.log(level, message, *args)

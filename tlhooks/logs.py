"""Logging set-up shared by the receiver, the workers and the CLI, and sampled logging for
lines an attacker can cause at will."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str = "INFO") -> None:
    """Give tlhooks' loggers a handler unless the host application already configured one."""
    logger = logging.getLogger("tlhooks")
    logger.setLevel(level.upper())
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        logger.addHandler(handler)


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

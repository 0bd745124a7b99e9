"""LeaseKeeper: one thread per worker process that keeps the leases of running events alive.

A run holds ``lease:{event_id}`` for ``lease_seconds`` and the keeper renews it every third of
that, so a run that dies stops renewing and its lease lapses within ``lease_seconds``: the
sweeper then re-queues the event at its next sweep. A copy of the message that arrives while
the lease is held knows another run is alive. The renewal runs on its own thread, so a handler
of any length keeps its lease; if Redis was away for longer than the lease, the live run takes
its lapsed lease back, unless a new run has claimed the event meanwhile.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator

from tlhooks.errors import StorageUnavailable
from tlhooks.ledger import EventLedger

logger = logging.getLogger("tlhooks.worker")


class LeaseKeeper:
    def __init__(self, ledger: EventLedger, lease_seconds: float) -> None:
        self.ledger = ledger
        self.lease_seconds = lease_seconds
        self._held: dict[str, str] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def holding(self, event_id: str, token: str) -> Iterator[None]:
        self._ensure_thread()
        with self._lock:
            self._held[event_id] = token
        try:
            yield
        finally:
            with self._lock:
                self._held.pop(event_id, None)

    def renew_all(self) -> None:
        with self._lock:
            held = list(self._held.items())
        for event_id, token in held:
            try:
                renewed = self.ledger.renew_lease(event_id, token, self.lease_seconds)
                if not renewed and self._still_held(event_id, token):  # not a run that just ended
                    logger.warning("lease on event %s lapsed while its run was alive", event_id)
            except StorageUnavailable as exc:
                logger.warning("could not renew the lease on event %s: %s", event_id, exc)

    def _still_held(self, event_id: str, token: str) -> bool:
        with self._lock:
            return self._held.get(event_id) == token

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="tlhooks-lease-keeper", daemon=True
                )
                self._thread.start()

    def _loop(self) -> None:
        while not self._wake.wait(self.lease_seconds / 3):
            self.renew_all()

    def stop(self, timeout: float = 5.0) -> None:
        """End the keeper thread and wait for it (a renewal in flight finishes first)."""
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

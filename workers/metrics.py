"""The worker's Prometheus exporter: ``TLHOOKS_WORKER_METRICS_PORT`` (0, the default, is off).

One HTTP exporter per worker, started in the worker's main process when it boots:

- threads and solo pools (the default is threads) run every task in that process, so the
  exporter serves the process's own registry;
- prefork runs tasks in child processes, each with its own counters. There the exporter uses
  prometheus_client's multiprocess mode: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty
  directory the worker may write (it must be set before the worker starts, since children
  record into files there), and the exporter adds up every child's files. A prefork worker
  with a metrics port and no such directory does not start, saying so.

Several workers on one host each need their own port. The ledger's gauges (events by state,
the oldest unsettled event) are served by the receiver, not here: they describe the shared
ledger, and each worker repeating them would count them once per worker.
"""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, multiprocess, start_http_server

from tlhooks.errors import ConfigurationError
from tlhooks.settings import Settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def exporter_registry(settings: Settings) -> CollectorRegistry:
    """The registry the exporter serves: this process's, or every prefork child's files."""
    if settings.worker_pool != "prefork":
        return REGISTRY
    folder = os.environ.get(MULTIPROC_ENV, "")
    if not folder or not Path(folder).is_dir():
        raise ConfigurationError(
            f"TLHOOKS_WORKER_METRICS_PORT={settings.worker_metrics_port} with the prefork pool "
            f"needs {MULTIPROC_ENV} set to an existing, empty directory (got {folder!r}), so "
            "the children's metrics can be added up; set it, or set TLHOOKS_WORKER_METRICS_PORT=0."
        )
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def start_exporter(settings: Settings) -> int | None:
    """Serve ``/metrics`` on the configured port; the port, or None when metrics are off."""
    if not settings.worker_metrics_port:
        return None
    registry = exporter_registry(settings)
    try:
        start_http_server(settings.worker_metrics_port, registry=registry)
    except OSError as exc:
        raise ConfigurationError(
            f"TLHOOKS_WORKER_METRICS_PORT={settings.worker_metrics_port} cannot be served: "
            f"{exc.strerror}. Give each worker on a host its own port, or 0 to turn it off."
        ) from None
    return settings.worker_metrics_port


def mark_child_dead(pid: int) -> None:
    """A prefork child exited: drop its live gauges (counters and histograms are kept)."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]

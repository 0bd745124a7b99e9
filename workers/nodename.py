"""A worker node name of its own for every worker process, so many run side by side on one host.

Celery names a worker ``celery@<host>`` unless ``-n`` says otherwise. On RabbitMQ each worker
declares an exclusive remote-control queue named after its node (``celery@<host>.celery.pidbox``),
so a second ``worker:`` process on the same host dies at start with ``RESOURCE_LOCKED``; on
Redis the two share one name and their remote-control replies mix. A worker started without
``-n`` is therefore named ``tlhooks-<pid>@<host>``: unique on the host, and readable in
``celery inspect`` and Flower. An explicit ``-n``/``--hostname`` is always kept.
"""

from __future__ import annotations

import os
from typing import Any

from celery.utils.nodenames import default_nodename, nodename


def unique_nodename(current: str, pid: int | None = None) -> str:
    """``current`` if the operator chose it, else a name that carries this process's id."""
    if current != default_nodename(None):
        return current
    host = current.partition("@")[2]
    name: str = nodename(f"tlhooks-{pid if pid is not None else os.getpid()}", host)
    return name


def name_worker_uniquely(instance: Any, **_kwargs: Any) -> None:
    """``celeryd_init`` receiver: runs before the worker declares its queues."""
    instance.hostname = unique_nodename(instance.hostname)

"""A local emulator of the Twelve Labs analyze API v1.3, for tests and development.

    from emulator import EmulatorConfig, EmulatorServer

    with EmulatorServer(EmulatorConfig(webhook_urls=[receiver_url])) as server:
        httpx.post(server.base_url + "/analyze/tasks", headers={"x-api-key": "k"}, json=...)

``create_app(config)`` is the underlying Starlette app; the control API that steers it is
documented in ``emulator.control``, its fault knobs in ``emulator.faults``.
"""

from __future__ import annotations

from emulator.app import create_app
from emulator.config import EmulatorConfig
from emulator.server import BackgroundServer, EmulatorServer

__all__ = ["BackgroundServer", "EmulatorConfig", "EmulatorServer", "create_app"]

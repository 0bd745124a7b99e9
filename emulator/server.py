"""EmulatorServer: the emulator on a real socket, served by uvicorn in a background thread.

``BackgroundServer`` runs any ASGI app that way (tests reuse it for throwaway webhook
receivers); ``EmulatorServer`` is one bound to ``create_app(config)``.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

from emulator.app import create_app
from emulator.config import API_PREFIX, EmulatorConfig
from emulator.state import EmulatorState

_START_TIMEOUT = 10.0


class ServerStartFailed(RuntimeError):
    """uvicorn did not accept connections in time; the port may be taken."""


class BackgroundServer:
    """Serves an ASGI app on ``host:port`` (0 picks a free port) from a daemon thread."""

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self._requested_port = port
        self.port: int | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def root_url(self) -> str:
        if self.port is None:
            raise RuntimeError("The server is not running; call start() first.")
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        """Start serving; return once the socket accepts connections."""
        config = uvicorn.Config(
            self.app,
            host=self.host,
            port=self._requested_port,
            log_level="warning",
            access_log=False,
            lifespan="on",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="emulator-uvicorn", daemon=True)
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServerStartFailed(
                    f"uvicorn did not start on {self.host}:{self._requested_port}; "
                    "is the port already in use?"
                )
            time.sleep(0.01)
        socket = server.servers[0].sockets[0]
        self.port = int(socket.getsockname()[1])

    def stop(self) -> None:
        """Ask uvicorn to shut down (running the app's lifespan shutdown) and wait for it."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=_START_TIMEOUT)
        self._server = self._thread = None
        self.port = None

    def __enter__(self) -> BackgroundServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class EmulatorServer(BackgroundServer):
    """The Twelve Labs emulator for ``config``, served from a background thread.

    ``state`` is the emulator's EmulatorState, for steering it in-process (faults, tasks).
    """

    def __init__(
        self, config: EmulatorConfig | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.config = config or EmulatorConfig()
        app = create_app(self.config)
        self.state: EmulatorState = app.state.emulator
        super().__init__(app, host, port)

    @property
    def base_url(self) -> str:
        return self.root_url + API_PREFIX

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

"""create_app: the emulator as a Starlette application.

/v1.3 serves the emulated analyze API (emulator.api, emulator.batch_api) behind the ApiGate
middleware; /_emulator serves the control API (emulator.control). The lifespan cancels
background work and closes the webhook client at shutdown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount

from emulator.api import AnalyzeApi
from emulator.batch_api import BatchApi
from emulator.config import API_PREFIX, CONTROL_PREFIX, EmulatorConfig
from emulator.control import ControlApi
from emulator.errors import ApiError
from emulator.gate import ApiGate
from emulator.state import EmulatorState


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    """The emulator's Starlette app; ``app.state.emulator`` holds its EmulatorState."""
    state = EmulatorState(config or EmulatorConfig())

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await state.shutdown()

    app = Starlette(
        routes=[
            Mount(API_PREFIX, routes=AnalyzeApi(state).routes() + BatchApi(state).routes()),
            Mount(CONTROL_PREFIX, routes=ControlApi(state).routes()),
        ],
        middleware=[Middleware(ApiGate, state=state)],
        exception_handlers={ApiError: _api_error},
        lifespan=lifespan,
    )
    app.state.emulator = state
    return app


async def _api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()

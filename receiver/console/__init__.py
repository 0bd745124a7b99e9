"""The ops console: server-rendered pages under ``/admin/console/`` beside the JSON admin API.

    GET  /admin/                          -> the console
    GET  /admin/console/sign-in           sign in with TLHOOKS_ADMIN_TOKEN
    POST /admin/console/sign-out
    GET  /admin/console/                  overview: counts by state, oldest unsettled, rates
    GET  /admin/console/events?...        the event list, with `tlhooks events list`'s filters
    GET  /admin/console/events/{key}      an event (or a task's events), everything about it
    POST /admin/console/replay/plan       the dry-run plan, with a confirm button
    POST /admin/console/replay/confirm    run the shown plan
    GET  /admin/console/replays/{id}      a replay's progress (POST .../stop ends it)

It calls the same ``OpsService`` as the CLI and the API. Pages need a signed session cookie
(``receiver.console.session``); every form that changes something carries the session's CSRF
token, and a POST without it is refused 403. Without an admin token the console answers 404.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from receiver.console import auth, pages, replays
from receiver.console.web import BASE

STATIC = Path(__file__).parent / "static"

routes: list[BaseRoute] = [
    Route("/", pages.overview, methods=["GET"]),
    Route("/sign-in", auth.sign_in_form, methods=["GET"]),
    Route("/sign-in", auth.sign_in, methods=["POST"]),
    Route("/sign-out", auth.sign_out, methods=["POST"]),
    Route("/events", pages.event_list, methods=["GET"]),
    Route("/events/{key}", pages.event_page, methods=["GET"]),
    Route("/replay/plan", replays.plan_replay, methods=["POST"]),
    Route("/replay/confirm", replays.confirm_replay, methods=["POST"]),
    Route("/replays/{replay_id}", replays.replay_progress, methods=["GET"]),
    Route("/replays/{replay_id}/stop", replays.stop_replay, methods=["POST"]),
    Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
]


def with_console(api: ASGIApp) -> Router:
    """Everything under ``/admin``: the console's pages, then the bearer-token JSON API."""
    to_console = RedirectResponse(f"{BASE}/", status_code=307)
    return Router(
        routes=[
            Route("/", to_console, methods=["GET"]),
            Mount("/console", routes=routes),
            Mount("", app=api),
        ]
    )


__all__ = ["with_console"]

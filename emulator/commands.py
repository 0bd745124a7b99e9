"""Command-line entry points: ``emulator`` (serve the emulator) and ``trigger`` (send one event).

Both are plain click commands; the ``tlhooks`` CLI group adds them, and
``python -m emulator`` runs ``emulator_command`` on its own.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import time
from types import FrameType

import click
import httpx

from emulator.config import DEFAULT_WEBHOOK_SECRET, EmulatorConfig, fresh_seed
from emulator.delivery import envelope
from emulator.errors import InvalidParameter
from emulator.faults import validated
from emulator.ids import rfc3339
from emulator.request import TaskRequest
from emulator.server import EmulatorServer, ServerStartFailed
from emulator.task import Task
from tlhooks.analysis import TaskStatus
from tlhooks.signing import HEADER, sign
from tlhooks.status import EventKind

EVENT_TYPES = tuple(kind.value for kind in EventKind)


def default_secret() -> str:
    """The first of ``TLHOOKS_WEBHOOK_SECRETS`` (comma-separated), else the emulator's default."""
    configured = [s.strip() for s in os.environ.get("TLHOOKS_WEBHOOK_SECRETS", "").split(",")]
    return next((s for s in configured if s), DEFAULT_WEBHOOK_SECRET)


def parse_faults(
    _ctx: click.Context | None, _param: click.Parameter | None, items: tuple[str, ...]
) -> dict[str, object]:
    """``--fault name=value`` options as a checked fault update; values are JSON literals."""
    changes: dict[str, object] = {}
    for item in items:
        name, equals, text = item.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(
                f"{item!r} is not name=value; write e.g. --fault latency=0.5.", param_hint="--fault"
            )
        try:
            changes[name.strip()] = json.loads(text)
        except ValueError:
            changes[name.strip()] = text
    try:
        return validated(changes)
    except InvalidParameter as exc:
        raise click.BadParameter(exc.message, param_hint="--fault") from exc


def http_urls(_ctx: click.Context | None, param: click.Parameter | None, value: object) -> object:
    """Check ``--url``-like options up front: an http(s) URL with a host, or nothing."""
    urls = value if isinstance(value, tuple) else (value,)
    for url in urls:
        if url is None:
            continue
        try:
            parsed = httpx.URL(str(url))
        except httpx.InvalidURL as exc:
            problem = str(exc).rstrip(".").lower()
        else:
            if parsed.scheme in ("http", "https") and parsed.host:
                continue
            problem = "it needs http:// or https:// and a host"
        raise click.BadParameter(
            f"{url!r} is not a usable URL ({problem}); write e.g. http://127.0.0.1:8000/path.",
            param=param,
        )
    return value


def _stop_on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@click.command(name="emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8700, show_default=True, help="Port to listen on; 0 picks one.")
@click.option(
    "--webhook-url",
    "webhook_urls",
    multiple=True,
    callback=http_urls,
    help="Receiver URL (repeatable).",
)
@click.option("--secret", default=default_secret, help="Webhook signing secret.")
@click.option("--api-key", default=lambda: os.environ.get("TLHOOKS_API_KEY"), help="Required key.")
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Seed for ids and results; without it every run draws a fresh one (printed).",
)
@click.option("--clock", default=1.0, show_default=True, help="Seconds from queued to done.")
@click.option(
    "--fault",
    "faults",
    multiple=True,
    callback=parse_faults,
    metavar="NAME=VALUE",
    help="A fault to start with, as POST /_emulator/faults takes it (repeatable).",
)
def emulator_command(
    host: str,
    port: int,
    webhook_urls: tuple[str, ...],
    secret: str,
    api_key: str | None,
    seed: int | None,
    clock: float,
    faults: dict[str, object],
) -> None:
    """Run a local Twelve Labs analyze API emulator until interrupted (Ctrl-C).

    The API lives under /v1.3; the control API that tests use lives under /_emulator.
    ``--fault latency=0.5 --fault drop_webhooks=true`` switches faults on from the start
    (the knobs are listed in ``emulator.faults``); a webhook_outage starts with the server.
    """
    config = EmulatorConfig(
        api_key=api_key or None,
        webhook_urls=list(webhook_urls),
        webhook_secret=secret,
        seed=fresh_seed() if seed is None else seed,
        clock=clock,
    )
    server = EmulatorServer(config, host=host, port=port)
    server.state.faults.merge(faults)
    try:
        server.start()
    except ServerStartFailed as exc:
        raise click.ClickException(str(exc)) from None
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    click.echo(f"Twelve Labs emulator listening on {server.root_url} (API {server.base_url})")
    click.echo(f"  seed {config.seed} (--seed {config.seed} repeats this run's ids and results)")
    for url in webhook_urls:
        click.echo(f"  webhooks go to {url}")
    for name, value in faults.items():
        click.echo(f"  fault {name} = {value!r}")
    try:
        while True:
            time.sleep(0.2)
    except KeyboardInterrupt:
        click.echo("Stopping the emulator.")
    finally:
        server.stop()


@click.command(name="trigger")
@click.argument("event_type", type=click.Choice(EVENT_TYPES))
@click.option("--custom-id", default=None, help="custom_id of the task behind the event.")
@click.option(
    "--emulator",
    "emulator_url",
    default=None,
    callback=http_urls,
    help="Root URL of a running emulator.",
)
@click.option(
    "--url",
    default=None,
    callback=http_urls,
    help="Receiver URL for one standalone signed webhook.",
)
@click.option("--secret", default=default_secret, help="Secret for --url deliveries.")
def trigger_command(
    event_type: str,
    custom_id: str | None,
    emulator_url: str | None,
    url: str | None,
    secret: str,
) -> None:
    """Send one analyze.task.ready or analyze.task.failed webhook.

    With --emulator, a terminal task is created on that emulator, which notifies its configured
    receivers. With --url alone, one signed envelope for a random task id is POSTed there.
    """
    if (emulator_url is None) == (url is None):
        raise click.UsageError("Give exactly one of --emulator URL or --url URL.")
    status = "ready" if event_type.endswith("ready") else "failed"
    try:
        if emulator_url is not None:
            _trigger_on_emulator(emulator_url, status, custom_id)
        else:
            assert url is not None
            _post_standalone(url, status, custom_id, secret)
    except httpx.HTTPError as exc:
        target = emulator_url if emulator_url is not None else url
        raise click.ClickException(
            f"The request to {target} failed ({str(exc).rstrip('.')}); check that it runs "
            "and that the URL is right."
        ) from None


def _trigger_on_emulator(root_url: str, status: str, custom_id: str | None) -> None:
    response = httpx.post(
        root_url.rstrip("/") + "/_emulator/tasks",
        json={"status": status, "custom_id": custom_id},
        timeout=10.0,
    )
    if response.status_code != 201:
        raise click.ClickException(f"The emulator answered {response.status_code}: {response.text}")
    task = response.json()
    click.echo(f"Created {status} task {task['task_id']}; its webhook is on the way.")


def _post_standalone(url: str, status: str, custom_id: str | None, secret: str) -> None:
    request = TaskRequest(video={"type": "url", "url": "https://media.example.com/trigger.mp4"})
    request.custom_id = custom_id
    task = Task(secrets.token_hex(12), request, created_at=time.time(), duration=60.0)
    task.status = TaskStatus(status)
    notification = envelope(task, f"whe_{secrets.token_hex(16)}")
    headers = {"Content-Type": "application/json", HEADER: sign(secret, notification.body)}
    response = httpx.post(url, content=notification.body, headers=headers, timeout=10.0)
    event = json.loads(notification.body)
    click.echo(
        f"Posted {event['type']} {event['id']} for task {task.task_id} at {rfc3339(time.time())}: "
        f"HTTP {response.status_code}"
    )
    if not response.is_success:
        raise click.ClickException(f"The receiver answered {response.status_code}.")

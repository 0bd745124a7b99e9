"""The ``tlhooks`` command line."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from types import FrameType
from typing import Any

import click
import kombu.exceptions
import redis

from emulator.commands import emulator_command, trigger_command
from tlhooks import __version__
from tlhooks.dev import DevStack, redis_answers
from tlhooks.errors import StorageUnavailable, TlhooksError
from tlhooks.ledger import EventLedger
from tlhooks.ops.cli import events_group
from tlhooks.ops.ledger_cli import ledger_group
from tlhooks.settings import Settings, load_settings, redacted
from tlhooks.validation.commands import schema_group
from tlhooks_cli.batches import batches_group
from tlhooks_cli.submit import submit_group


def unreachable(exc: Exception, settings: Settings) -> str:
    """One sentence naming the store that did not answer, its URL and the variable to fix."""
    cause = exc.__cause__ if isinstance(exc, StorageUnavailable) and exc.__cause__ else exc
    reason = str(cause).rstrip(".") or type(cause).__name__
    if isinstance(cause, redis.RedisError) and settings.redis_sentinels:
        return (
            f"Cannot reach the Redis primary {settings.redis_sentinel_master!r} through the "
            f"Sentinels {', '.join(settings.redis_sentinels)} ({reason}); start them, or set "
            "TLHOOKS_REDIS_SENTINELS and TLHOOKS_REDIS_SENTINEL_MASTER to Sentinels that "
            "monitor it."
        )
    if isinstance(cause, redis.RedisError):
        what, url, variable = "Redis", settings.redis_url, "TLHOOKS_REDIS_URL"
    else:
        variable = "TLHOOKS_BROKER_URL" if settings.broker_url else "TLHOOKS_REDIS_URL"
        what, url = "the broker", settings.effective_broker_url
    return (
        f"Cannot reach {what} at {redacted(url)} ({reason}); start it or set {variable} "
        "to a server that answers."
    )


class CommandGroup(click.Group):
    """Runs a subcommand and turns tlhooks' own and storage errors into one sentence."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (StorageUnavailable, redis.RedisError, kombu.exceptions.OperationalError) as exc:
            raise click.ClickException(unreachable(exc, load_settings())) from None
        except TlhooksError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tlhooks")
def main() -> None:
    """tlhooks: reliable processing of Twelve Labs analyze webhooks.

    Receiver: uvicorn receiver.app:app.  Worker: celery -A workers.app worker.
    """


@main.command()
@click.option("--port", default=8000, show_default=True, help="Receiver port.")
@click.option("--emulator-port", default=8700, show_default=True, help="Emulator port.")
@click.option("--state-dir", default=".tlhooks", show_default=True, type=click.Path(path_type=Path))
@click.option("--no-demo", is_flag=True, help="Do not send the demo event.")
def dev(port: int, emulator_port: int, state_dir: Path, no_demo: bool) -> None:
    """Run receiver, worker, emulator (and Redis if needed) locally, then send a demo event."""
    settings = load_settings(api_base_url=f"http://127.0.0.1:{emulator_port}/v1.3")
    if settings.redis_sentinels:  # the Sentinels' primary, never a Redis of dev's own
        EventLedger.from_settings(settings).ping()
        os.environ.setdefault("TLHOOKS_REDIS_URL", settings.redis_url)
    elif "TLHOOKS_REDIS_URL" in os.environ and not redis_answers(settings.redis_url):
        raise click.ClickException(
            f"Redis at {redacted(settings.redis_url)} does not answer; start it, or unset "
            "TLHOOKS_REDIS_URL and tlhooks dev starts a private one."
        )
    stack = DevStack(state_dir.resolve(), port=port, emulator_port=emulator_port)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        stack.run(demo=not no_demo)
    except KeyboardInterrupt:
        click.echo("Stopped.")


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


main.add_command(events_group)
main.add_command(ledger_group)
main.add_command(schema_group)
main.add_command(submit_group)
main.add_command(batches_group)
main.add_command(emulator_command)
main.add_command(trigger_command)

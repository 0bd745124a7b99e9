"""The ``tlhooks`` command line."""

from __future__ import annotations

import signal
from pathlib import Path
from types import FrameType

import click

from emulator.commands import emulator_command, trigger_command
from tlhooks import __version__
from tlhooks.dev import DevStack
from tlhooks.errors import TlhooksError
from tlhooks.ops.cli import events_group
from workers.validation.commands import schema_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    stack = DevStack(state_dir.resolve(), port=port, emulator_port=emulator_port)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        stack.run(demo=not no_demo)
    except KeyboardInterrupt:
        click.echo("Stopped.")
    except TlhooksError as exc:
        raise click.ClickException(str(exc)) from None


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


main.add_command(events_group)
main.add_command(schema_group)
main.add_command(emulator_command)
main.add_command(trigger_command)

"""``tlhooks submit task|batch REQUEST.json``: create work and record it as expected.

The file holds the API's own request body. The command prints the task id, or one batch id a
line (a list over 1,000 requests becomes several batches); ``--json`` prints the API's
answer(s). Exit codes: 0 submitted; 1 refused by the API or unreachable; 2 bad usage or a file
that is not a JSON object.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from handlers.loading import load_handlers
from handlers.registry import HandlerRegistry
from tlhooks.errors import SubmissionInvalid
from tlhooks.settings import load_settings
from tlhooks.submission import Submitter


def read_request(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise click.UsageError(f"Cannot read {str(path)!r}: {exc}.") from None
    except ValueError as exc:
        raise click.UsageError(
            f"{str(path)!r} is not JSON ({exc}); it must hold the API's request body."
        ) from None


def submitter() -> Submitter:
    """A Submitter whose matcher knows the deployment's handlers (TLHOOKS_HANDLERS, plugins)."""
    settings = load_settings()
    registry = load_handlers(settings, HandlerRegistry())

    def matcher(custom_id: str | None, kind: str) -> list[str]:
        return [spec.name for spec in registry.match(custom_id, kind)]

    return Submitter.from_settings(settings, matcher)


key_option = click.option(
    "--key",
    help="Idempotency key; the same key and file never create twice (default: from the body).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print the API's answer(s).")


@click.group("submit")
def submit_group() -> None:
    """Submit analysis work; every created task is recorded and reconciled if no webhook comes."""


@submit_group.command("task")
@click.argument("request", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@key_option
@json_option
def submit_task(request: Path, key: str | None, as_json: bool) -> None:
    """Create one task from REQUEST (the body of POST /analyze/tasks); print its id."""
    body = read_request(request)
    try:
        created = submitter().submit_task(body, key=key)
    except SubmissionInvalid as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(json.dumps(created.answer, indent=2) if as_json else created.task_id)


@submit_group.command("batch")
@click.argument("request", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@key_option
@json_option
def submit_batch(request: Path, key: str | None, as_json: bool) -> None:
    """Create batches from REQUEST (the body of POST /analyze/batches); print their ids.

    Over 1,000 requests are split into several batches; with 5 batches active the rest wait
    their turn.
    """
    body = read_request(request)
    try:
        created = submitter().submit_batch(body, key=key)
    except SubmissionInvalid as exc:
        raise click.UsageError(str(exc)) from None
    if as_json:
        click.echo(json.dumps([batch.answer for batch in created], indent=2))
    else:
        click.echo("\n".join(batch.batch_id for batch in created))

"""``tlhooks batches list|show|resubmit``: the batches tlhooks submitted, to the end.

Exit codes: 0 success; 1 nothing found or the API refused; 2 bad usage.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from tlhooks.errors import SubmissionInvalid
from tlhooks.ops.batch_views import batch_text, batches_table
from tlhooks.ops.service import EVENT_OR_TASK_ID, OpsService
from tlhooks.settings import load_settings
from tlhooks_cli.submit import submitter


def emit(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def checked_batch_id(batch_id: str) -> str:
    if not EVENT_OR_TASK_ID.fullmatch(batch_id):
        raise click.UsageError(
            f"{batch_id!r} is not a batch id; pass the 24 hexadecimal characters that "
            "tlhooks submit batch printed."
        )
    return batch_id


@click.group("batches")
def batches_group() -> None:
    """The batches tlhooks submitted: items per state, expiry, progress; resubmit canceled."""


@batches_group.command("list")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100))
@click.option("--page", default=1, show_default=True, type=click.IntRange(1), help="Newest first.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_batches(limit: int, page: int, as_json: bool) -> None:
    """Submitted batches, newest first, with their items per state and progress."""
    found = OpsService.from_settings(load_settings()).batch_page(limit, (page - 1) * limit)
    if as_json:
        emit(
            {
                "batches": [s.to_dict(items=False) for s in found.batches],
                "page": page,
                "total": found.total,
            }
        )
    else:
        click.echo(batches_table(found.batches))
        shown = (page - 1) * limit + len(found.batches)
        if found.total > shown:
            click.echo(f"{found.total - shown} older batch(es): --page {page + 1}", err=True)
    sys.exit(0 if found.batches else 1)


@batches_group.command("show")
@click.argument("batch_id")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output, every item.")
def show_batch(batch_id: str, as_json: bool) -> None:
    """One batch: status, expiry, items per state, progress, and every item."""
    summary = OpsService.from_settings(load_settings()).batch(checked_batch_id(batch_id))
    if summary is None:
        click.echo(f"No batch {batch_id!r} was submitted by tlhooks.", err=True)
        sys.exit(1)
    if as_json:
        emit(summary.to_dict())
        return
    click.echo(batch_text(summary))


@batches_group.command("resubmit")
@click.argument("batch_id")
@click.option("--json", "as_json", is_flag=True, help="Print the API's answer.")
def resubmit_batch(batch_id: str, as_json: bool) -> None:
    """Submit BATCH_ID's canceled items again in a new batch; print the new batch id.

    Running it again (say after a timeout) creates no second batch: it prints the same id.
    """
    try:
        created = submitter().resubmit_canceled(checked_batch_id(batch_id))
    except SubmissionInvalid as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(json.dumps(created.answer, indent=2) if as_json else created.batch_id)

"""``tlhooks ledger``: maintenance of the ledger's storage itself."""

from __future__ import annotations

import json

import click

from tlhooks.errors import TlhooksError
from tlhooks.ledger import EventLedger
from tlhooks.settings import load_settings


def open_ledger() -> EventLedger:
    """The ledger the settings name; bad settings or no Redis are one clear error."""
    try:
        return EventLedger.from_settings(load_settings())
    except TlhooksError as exc:
        raise click.ClickException(str(exc)) from None


@click.group(name="ledger")
def ledger_group() -> None:
    """Maintain the ledger's Redis keys."""


@ledger_group.command()
@click.option("--dry-run", is_flag=True, help="Count what would move and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def migrate(dry_run: bool, as_json: bool) -> None:
    """Rename keys written before the hash tag (tlhooks:...) to {tlhooks}:... ; run once after
    upgrading, when no process of the old version runs. Running it again is harmless."""
    ledger = open_ledger()
    report = ledger.migrate_legacy_keys(dry_run=dry_run)
    data = report.to_dict()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    verb = "would rename" if dry_run else "renamed"
    click.echo(
        f"{data['found']} legacy keys found; {verb} {data['renamed']}, "
        f"{'would merge' if dry_run else 'merged'} {data['merged']} into existing indexes, "
        f"{data['conflicts']} left in place (their new name holds newer data)."
    )
    for key in data["conflict_keys"]:
        click.echo(f"  kept {key}")


@ledger_group.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def reindex(as_json: bool) -> None:
    """Build the type, custom_id and handler indexes and the handler outcome counts for events
    stored before them; run once after upgrading (after `ledger migrate` if that is due). Safe
    while receivers and workers run; running it again changes nothing."""
    ledger = open_ledger()
    data = ledger.reindex().to_dict()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(
        f"{data['events']} events: {data['tallied']} indexed and counted now, "
        f"{data['indexed']} counted already (their index entries checked)."
    )


@ledger_group.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def compact(as_json: bool) -> None:
    """Compact every handled or intake-settled (ignored, duplicate, unmatched, conflict) event
    not compacted yet (TLHOOKS_COMPACT_HANDLED): those settled before upgrading, or whose
    compaction failed. Safe while receivers and workers run (an event
    that changes meanwhile is read again; one that is replayed is left alone); running it again
    changes nothing."""
    ledger = open_ledger()
    answers = ledger.compact_settled()
    data = {name: answers[name] for name in ("compacted", "already", "skipped", "changed")}
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(
        f"{data['compacted']} settled events compacted now, {data['already']} compacted "
        f"already; {data['skipped'] + data['changed']} left as they were (replayed or changing)."
    )

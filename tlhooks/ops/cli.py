"""``tlhooks events``: list, show, replay, stats and purge, for people and for scripts.

Exit codes: 0 success; 1 nothing found, something refused, declined or stopped; 2 bad usage;
130 interrupted before anything was done.
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TypeVar

import click
from tqdm import tqdm

from tlhooks.errors import TlhooksError
from tlhooks.ops.listing import Count, cap_note
from tlhooks.ops.replay import ReplayPlan, ReplayRequest, ReplayStage
from tlhooks.ops.selection import EventFilter
from tlhooks.ops.service import OpsService, build_filter, detail, summary
from tlhooks.ops.table import render_table
from tlhooks.ops.views import event_text, plan_text, stats_text
from tlhooks.settings import load_settings
from tlhooks.status import EventStatus

F = TypeVar("F", bound=Callable[..., Any])


def filter_options(func: F) -> F:
    options = [
        click.option("--status", multiple=True, help="Event state (repeatable or a,b)."),
        click.option("--type", "event_type", help="Event type, e.g. analyze.task.failed."),
        click.option("--custom-id", help="Glob on custom_id, e.g. 'ads-*'."),
        click.option("--task-id", help="Twelve Labs task id."),
        click.option("--handler", "by_handler", help="Events routed to this handler."),
        click.option("--since", help="Received after: 2h, 7d, a unix time or ISO date-time."),
        click.option("--until", help="Received before (same forms as --since)."),
        click.option("--error", help="Text in the last error (case-insensitive)."),
        click.option(
            "--redelivered", is_flag=True, help="Events whose notification id came more than once."
        ),
        click.option(
            "--reused-id",
            is_flag=True,
            help="Events whose notification id came again with a different body.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def make_filter(params: dict[str, Any]) -> EventFilter:
    try:
        return build_filter(
            status=params["status"],
            event_type=params["event_type"],
            custom_id=params["custom_id"],
            task_id=params["task_id"],
            handler=params["by_handler"],
            since=params["since"],
            until=params["until"],
            error=params["error"],
            redelivered=params["redelivered"],
            reused_id=params["reused_id"],
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def service() -> OpsService:
    try:
        return OpsService.from_settings(load_settings())
    except TlhooksError as exc:
        raise click.ClickException(str(exc)) from None


def emit(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


@click.group(name="events")
def events_group() -> None:
    """Find, inspect, replay and purge events in the ledger."""


@events_group.command(name="list")
@filter_options
@click.option(
    "--limit", default=50, show_default=True, type=click.IntRange(1, 1000), help="Events per page."
)
@click.option(
    "--page", default=1, show_default=True, type=click.IntRange(1), help="Page, newest first."
)
@click.option("--count", "count_only", is_flag=True, help="Print only the number of matches.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_events(limit: int, page: int, count_only: bool, as_json: bool, **params: Any) -> None:
    """List events, newest first, from the narrowest index. One list examines at most
    TLHOOKS_OPS_SCAN_CAP events and says so when it stopped there; --count is exact when one
    index answers it (or the events to examine are within the cap), else a lower bound."""
    ops, selection = service(), make_filter(params)
    if count_only:
        print_count(ops.count(selection), as_json)
    if page * limit > ops.scan_cap:
        raise click.UsageError(
            f"--page {page} with --limit {limit} goes past the {ops.scan_cap:,} newest matches "
            "a list may reach (TLHOOKS_OPS_SCAN_CAP); narrow it with --since/--until instead."
        )
    found = ops.page(selection, limit=limit, offset=(page - 1) * limit)
    rows = [summary(r) for r in found.records]
    if as_json:
        emit(rows)
    else:
        columns = ["received_at", "status", "event_type", "task_id", "custom_id", "event_id"]
        if selection.redelivered or selection.reused_id:
            columns += ["deliveries", "reused_deliveries"]
        click.echo(render_table(rows, [*columns, "last_error"]))
    if not found.complete:
        click.echo(cap_note(found.examined), err=True)
    sys.exit(0 if rows else 1)


def print_count(counted: Count, as_json: bool) -> None:
    """The number alone when exact; a bound is printed as one, with the estimate."""
    if as_json:
        emit({**asdict(counted), "estimate": counted.estimate})
    elif counted.exact:
        click.echo(counted.count)
    else:
        click.echo(f"at least {counted.count}")
        click.echo(
            f"A bound, not an exact count: {counted.examined:,} of {counted.candidates:,} "
            f"candidate events examined (TLHOOKS_OPS_SCAN_CAP), about {counted.estimate:,} "
            "in all; narrow the filters (e.g. --since/--until) for an exact count.",
            err=True,
        )
    sys.exit(0 if counted.count else 1)


@events_group.command()
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def show(key: str, as_json: bool) -> None:
    """Show an event (by event id) or every event of a task (by task id): header, timeline,
    deliveries, handler outcomes and errors; --json prints the raw record."""
    records = service().show(key)
    if not records:
        click.echo(f"No event or task {key!r} in the ledger.", err=True)
        sys.exit(1)
    if as_json:
        emit([detail(r) for r in records])
        return
    click.echo("\n\n".join(event_text(r) for r in records))


@events_group.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def stats(as_json: bool) -> None:
    """Counts by state and by handler, and the age of the oldest unsettled event."""
    data = service().stats()
    if as_json:
        emit(data)
        return
    click.echo(stats_text(data))


@events_group.command()
@click.argument("ids", nargs=-1)
@filter_options
@click.option(
    "--from",
    "stage",
    type=click.Choice([s.value for s in ReplayStage]),
    default="handlers",
    show_default=True,
    help="fetch: re-fetch and re-validate; validate: re-validate the stored result; "
    "handlers: re-run handlers that did not succeed.",
)
@click.option("--all-handlers", is_flag=True, help="Re-run handlers that succeeded too.")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option("--yes", is_flag=True, help="Do not ask before a bulk replay.")
@click.option("--rate", type=float, help="At most N events per second.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def replay(
    ids: tuple[str, ...],
    stage: str,
    all_handlers: bool,
    dry_run: bool,
    yes: bool,
    rate: float | None,
    as_json: bool,
    **params: Any,
) -> None:
    """Replay events by id (or task id) or by the same filters as list.

    With --handler NAME only that handler runs again (and only its events are selected).
    """
    selection = make_filter(params)
    handler = params["by_handler"]
    if not ids and selection == EventFilter():
        raise click.UsageError("Name event ids or give at least one filter, e.g. --status dead.")
    if handler and all_handlers:
        raise click.UsageError("--handler and --all-handlers exclude each other.")
    request = ReplayRequest(ReplayStage(stage), handler, all_handlers)
    ops = service()
    plan = ops.plan_replay(request, ids=ids, selection=None if ids else selection)
    show_plan(plan, as_json)
    if dry_run or not plan.eligible:
        sys.exit(1 if plan.refused or not plan.eligible else 0)
    bulk = len(plan.eligible) > 1
    if bulk and not yes and not click.confirm(f"Replay {len(plan.eligible)} events?"):
        sys.exit(1)
    run_replay(ops, plan, rate, as_json)


def show_plan(plan: ReplayPlan, as_json: bool) -> None:
    data = plan.to_dict()
    if as_json:
        emit({"plan": data})
        return
    click.echo("\n".join(plan_text(plan)))


def run_replay(ops: OpsService, plan: ReplayPlan, rate: float | None, as_json: bool) -> None:
    stopping = {"now": False}

    def interrupt(_signum: int, _frame: object) -> None:
        stopping["now"] = True

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        quiet = as_json or len(plan.eligible) <= 1
        with tqdm(total=len(plan.eligible), unit="event", disable=quiet, file=sys.stderr) as bar:
            result = ops.execute(plan, rate=rate, progress=bar.update, stop=lambda: stopping["now"])
    finally:
        signal.signal(signal.SIGINT, previous)
    data = result.to_dict()
    if as_json:
        emit({"plan": plan.to_dict(), "result": data})
    else:
        state = "stopped by Ctrl-C" if result.stopped else "done"
        click.echo(
            f"Replay {data['replay_id']} {state}: {data['queued']} queued, "
            f"{data['refused']} refused, in {data['seconds']} s."
        )
    sys.exit(1 if result.stopped or result.refused else 0)


@events_group.command()
@filter_options
@click.option("--force", is_flag=True, help="Delete unsettled events too.")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted.")
@click.option("--yes", is_flag=True, help="Do not ask.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def purge(force: bool, dry_run: bool, yes: bool, as_json: bool, **params: Any) -> None:
    """Delete settled events matching the filters (unsettled ones only with --force)."""
    selection = make_filter(params)
    if selection == EventFilter():
        raise click.UsageError("Give at least one filter, e.g. --status handled --until 30d.")
    ops = service()
    preview = ops.purge(selection, force=force, dry_run=True)
    if (
        not dry_run
        and not yes
        and not click.confirm(f"Delete {preview.matched - preview.skipped_unsettled} events?")
    ):
        sys.exit(1)
    result = preview if dry_run else ops.purge(selection, force=force)
    if as_json:
        emit(result.to_dict())
    else:
        verb = "would delete" if dry_run else "deleted"
        count = result.matched - result.skipped_unsettled if dry_run else result.deleted
        click.echo(f"{result.matched} matched; {verb} {count}.")
        if result.skipped_unsettled:
            click.echo(
                f"Skipped {result.skipped_unsettled} unsettled events "
                f"({', '.join(s.value for s in EventStatus if not s.settled)}); "
                "use --force to delete them too."
            )
    sys.exit(0 if result.matched else 1)

"""Words for people: the batch list as a table, one batch as a page."""

from __future__ import annotations

from typing import Any

from tlhooks.ops.batches import ARRIVALS, OUTCOMES, BatchSummary
from tlhooks.ops.service import iso
from tlhooks.ops.table import render_table

LIST_COLUMNS = ["batch_id", "status", "submitted", "expires_at", "total", *ARRIVALS]
LIST_COLUMNS += ["handled", "dead", "invalid", "progress"]


def progress_text(summary: BatchSummary) -> str:
    return f"{summary.settled}/{len(summary.items)} ({summary.progress:.0%})"


def batch_row(summary: BatchSummary) -> dict[str, Any]:
    record = summary.record
    return {
        "batch_id": record.batch_id,
        "status": record.status,
        "submitted": iso(record.submitted_at),
        "expires_at": record.expires_at,
        "total": len(summary.items),
        **summary.counts,
        "progress": progress_text(summary),
    }


def batches_table(summaries: list[BatchSummary]) -> str:
    rows = [batch_row(summary) for summary in summaries]
    return render_table(rows, LIST_COLUMNS, empty="(no batches)")


def batch_text(summary: BatchSummary) -> str:
    """One batch as a page: a header, the counts, and every item."""
    record = summary.record
    counts = summary.counts
    header = [
        ("batch", record.batch_id),
        ("status", record.status),
        ("submitted", iso(record.submitted_at)),
        ("created", record.created_at),
        ("expires", record.expires_at),
        ("last polled", iso(record.polled_at)),
        (
            "progress",
            f"{progress_text(summary)} settled" + (", complete" if summary.complete else ""),
        ),
        ("arrived", ", ".join(f"{name} {counts[name]}" for name in ARRIVALS)),
        ("events", ", ".join(f"{name} {counts[name]}" for name in OUTCOMES)),
        ("batch handlers", record.completion_event),
        ("resubmit of", record.resubmit_of),
        ("resubmitted as", record.resubmitted_as),
    ]
    lines = [f"{name + ':':<16}{value}" for name, value in header if value not in (None, "")]
    if summary.canceled and not record.resubmitted_as:
        lines.append(
            f"{len(summary.canceled)} canceled item(s): "
            f"tlhooks batches resubmit {record.batch_id} sends them again in a new batch."
        )
    rows = [item.to_dict() for item in summary.items]
    columns = ["task_id", "custom_id", "state", "event_status", "event_id"]
    lines += ["", "Items", render_table(rows, columns, empty="(no items)")]
    return "\n".join(lines)

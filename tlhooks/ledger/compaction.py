"""Compacting a handled event into its one record hash (``TLHOOKS_COMPACT_HANDLED``).

A handled event is done, yet retention keeps it for days, and the index entries it needs
already cost ~0.8 KB (docs/deploy.md, "Capacity"). Redis keeps a small hash as one listpack
while every field name and value is at most 64 bytes (``hash-max-listpack-value``) and it has
at most 128 fields (``hash-max-listpack-entries``); past either it becomes a hashtable, about
three times the size. So once an event is handled, COMPACT (``lua/compact.lua``) folds its four
keys (record, history, outcomes, delivery log) into the record alone:

- the fields scripts and filters read stay as they are: state, type, task, custom_id, arrival
  and update times, handlers, the body's SHA-256, the counters, ``last_error``;
- each handler's outcome state becomes a field ``o:<handler>``, which ``handler_tally.lua``
  reads when the outcomes hash has no entry for the handler;
- the rest (history, outcome details, delivery log, headers, validation, result digest, the
  platform's ``webhooks[]``, a kept task, the notification's time, the last traceback) becomes
  an archive: compact JSON, zlib with a preset dictionary, base85, cut into 64-byte fields
  ``z0``, ``z1``... (one field ``z`` when that would make too many, e.g. a kept task);
- what a handled event no longer needs is dropped and named in the archive, so ``events show``
  says so: the raw webhook body (its SHA-256 stays; its type, ids and time are fields) and the
  ``TL-Signature`` header (verified at intake).

Reading (``expand``) merges the archive back. Writes after compaction go where they always do
and win: a field set afterwards (a replay clears ``task`` or ``validation`` by writing '')
over the archived one, new transitions and deliveries after the archived ones in their lists,
an outcome saved in the outcomes hash over ``o:``. A replayed event that is handled again is
compacted again, archive and all. Dead, invalid and truncated events are never compacted:
COMPACT acts only on an event that is still handled and that no run holds.
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

MARK = "compacted"  # hash field: the archive's format version, on a compacted event
OUTCOME_PREFIX = "o:"
CHUNK_PREFIX = "z"
CHUNK = 64  # Redis's default hash-max-listpack-value
MAX_CHUNKS = 48  # more would pass hash-max-listpack-entries (128) with the other fields
VERSION = "1"

# Record fields moved into the archive; every other non-empty field stays in the hash.
ARCHIVED = (
    "headers",
    "validation",
    "result_digest",
    "platform_webhooks",
    "task",
    "notification_created_at",
    "last_traceback",
)
DROPPED_FIELDS = ("body",)
DROPPED_HEADERS = ("tl-signature",)

# What most archives hold, so even a small one compresses well (zlib's preset dictionary).
# Changing it makes older archives unreadable: a new dictionary needs a new VERSION.
_ZDICT = json.dumps(
    {
        "v": 1,
        "dropped": ["body", "headers.tl-signature"],
        "f": {
            "headers": '{"content-type":"application/json","content-length":"199",'
            '"user-agent":"TwelveLabs-Webhooks/1.0"}',
            "validation": '{"mode":"segments","valid":true,"truncated":false,"errors":[],'
            '"warnings":[],"omitted_errors":0,"omitted_warnings":0,"salvaged":null,'
            '"partial":false}',
            "result_digest": '{"status":"ready","bytes":0,"sha256":"","finish_reason":"stop",'
            '"generation_id":"gen_"}',
            "notification_created_at": "2026-12-05T00:00:00.000000+00:00",
        },
        "h": [
            ["received", 0.0, ""],
            ["queued", 0.0, "published"],
            ["fetching", 0.0, ""],
            ["handling", 0.0, "task retrieved"],
            ["handled", 0.0, ""],
        ],
        "o": {"myapp.hooks.": [1, 0.0, 0.0, None, None]},
        "d": [[0.0, "", True]],
    },
    separators=(",", ":"),
).encode()


@dataclass
class Expanded:
    """An event's record as its keys hold it, compacted or not, with the archive merged in."""

    fields: dict[str, str]
    history: list[dict[str, Any]]
    outcomes: dict[str, dict[str, Any]]
    deliveries: list[dict[str, Any]]
    compaction: dict[str, Any] | None = None


@dataclass
class Compaction:
    """What COMPACT is to do to one event, with what it read to check nothing changed since."""

    removed: dict[str, str]  # hash fields to delete, with the value read
    added: dict[str, str]  # hash fields to set
    outcomes: dict[str, str]  # the outcomes hash as read (deleted)
    history_length: int
    deliveries_length: int
    dropped: list[str] = field(default_factory=list)


def is_chunk(name: str) -> bool:
    return name == CHUNK_PREFIX or (name[:1] == CHUNK_PREFIX and name[1:].isdigit())


def is_compaction_field(name: str) -> bool:
    return name == MARK or name.startswith(OUTCOME_PREFIX) or is_chunk(name)


def expand(
    fields: dict[str, str],
    history: list[str],
    outcomes: dict[str, str],
    deliveries: list[str],
) -> Expanded:
    """The record of an event from its raw keys, the archive (if any) merged back."""
    later_history = [json.loads(item) for item in history]
    later_outcomes = {name: json.loads(raw) for name, raw in outcomes.items()}
    later_deliveries = [json.loads(item) for item in deliveries]
    if MARK not in fields:
        return Expanded(dict(fields), later_history, later_outcomes, later_deliveries)
    archive = _decode(fields)
    received = float(fields.get("received_at") or 0)
    own = {name: value for name, value in fields.items() if not is_compaction_field(name)}
    merged = {**archive.get("f", {}), **own}
    details = archive.get("o", {})
    kept_outcomes = {}
    for name, state in fields.items():
        if name.startswith(OUTCOME_PREFIX):
            handler = name[len(OUTCOME_PREFIX) :]
            kept_outcomes[handler] = _outcome(handler, state, details.get(handler), received)
    kept_outcomes.update(later_outcomes)
    body_sha256 = fields.get("body_sha256", "")
    return Expanded(
        fields=merged,
        history=[
            {"status": status, "at": received + offset, "note": note}
            for status, offset, note in archive.get("h", [])
        ]
        + later_history,
        outcomes=kept_outcomes,
        deliveries=[
            {"at": received + offset, "body_sha256": sha or body_sha256, "same": same}
            for offset, sha, same in archive.get("d", [])
        ]
        + later_deliveries,
        compaction={"at": archive.get("at"), "dropped": archive.get("dropped", [])},
    )


def plan(
    fields: dict[str, str],
    history: list[str],
    outcomes: dict[str, str],
    deliveries: list[str],
    now: float,
) -> Compaction:
    """How to compact the event these raw keys hold (COMPACT checks it is still handled)."""
    record = expand(fields, history, outcomes, deliveries)
    received = float(fields.get("received_at") or 0)
    body_sha256 = fields.get("body_sha256", "")
    dropped = set((record.compaction or {}).get("dropped", []))
    archived: dict[str, str] = {}
    for name in ARCHIVED:
        value = record.fields.get(name, "")
        if name == "headers" and value:
            headers = json.loads(value)
            dropped |= {f"headers.{h}" for h in DROPPED_HEADERS if headers.pop(h, None)}
            value = json.dumps(headers, separators=(",", ":")) if headers else ""
        if value:
            archived[name] = value
    dropped |= {name for name in DROPPED_FIELDS if record.fields.get(name)}
    archive = {
        "v": 1,
        "at": round(now, 3),
        "dropped": sorted(dropped),
        "f": archived,
        "h": [[t["status"], _offset(t["at"], received), t.get("note", "")] for t in record.history],
        "o": {
            name: [
                o.get("attempts", 0),
                _offset(o.get("started_at"), received),
                _offset(o.get("finished_at"), received),
                o.get("last_error"),
                o.get("last_traceback"),
            ]
            for name, o in record.outcomes.items()
        },
        "d": [
            [
                _offset(d["at"], received),
                "" if d.get("body_sha256", "") == body_sha256 else d.get("body_sha256", ""),
                d.get("same", True),
            ]
            for d in record.deliveries
        ],
    }
    removed = {
        name: value
        for name, value in fields.items()
        if value == "" or name in ARCHIVED or name in DROPPED_FIELDS or is_compaction_field(name)
    }
    added = {MARK: VERSION}
    for name, outcome in record.outcomes.items():
        added[OUTCOME_PREFIX + name] = str(outcome.get("state") or "pending")
    added.update(_encode(archive))
    return Compaction(
        removed=removed,
        added=added,
        outcomes=dict(outcomes),
        history_length=len(history),
        deliveries_length=len(deliveries),
        dropped=sorted(dropped),
    )


def _offset(at: float | None, received: float) -> float | None:
    return None if at is None else round(float(at) - received, 4)


def _outcome(handler: str, state: str, detail: list[Any] | None, received: float) -> dict[str, Any]:
    attempts, started, finished, error, trace = detail or [0, None, None, None, None]
    return {
        "handler": handler,
        "state": state,
        "attempts": attempts,
        "started_at": None if started is None else received + started,
        "finished_at": None if finished is None else received + finished,
        "last_error": error,
        "last_traceback": trace,
    }


def _encode(archive: dict[str, Any]) -> dict[str, str]:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, _ZDICT)
    raw = json.dumps(archive, separators=(",", ":")).encode()
    text = base64.b85encode(packer.compress(raw) + packer.flush()).decode("ascii")
    if len(text) > CHUNK * MAX_CHUNKS:
        return {CHUNK_PREFIX: text}
    return {
        f"{CHUNK_PREFIX}{n}": text[start : start + CHUNK]
        for n, start in enumerate(range(0, len(text), CHUNK))
    }


def _decode(fields: dict[str, str]) -> dict[str, Any]:
    text = fields.get(CHUNK_PREFIX)
    if text is None:
        chunks = sorted((int(name[1:]), value) for name, value in fields.items() if is_chunk(name))
        text = "".join(value for _, value in chunks)
    unpacker = zlib.decompressobj(-15, _ZDICT)
    raw = unpacker.decompress(base64.b85decode(text)) + unpacker.flush()
    archive: dict[str, Any] = json.loads(raw)
    return archive

"""Compacting a settled event into its one record hash (``TLHOOKS_COMPACT_HANDLED``).

A handled event is done, and so is one its intake settled (ignored, duplicate, unmatched,
conflict: ``status.INTAKE_SETTLED``), yet retention keeps it for days, and the index entries
it needs already cost ~0.8 KB (docs/deploy.md, "Capacity"). Redis keeps a small hash as one
listpack while every field name and value is at most 64 bytes (``hash-max-listpack-value``)
and it has at most 128 fields (``hash-max-listpack-entries``); past either it becomes a
hashtable, about three times the size. So once an event is handled (by the worker, after its
run) or settled at intake (by the receiver, after its answer), COMPACT (``lua/compact.lua``)
folds its four keys (record, history, outcomes, delivery log) into the record alone, written
afresh:

- the fields scripts and filters read stay as they are: state, type, task, custom_id, arrival
  time, handlers, the body's SHA-256, the counters, ``last_error``;
- each handler's outcome state becomes a field ``o#<position in handlers>`` (``o:<handler>``
  for a handler not in the list) holding the state's first letter (``s`` for succeeded), which
  ``handler_tally.lua`` reads when the outcomes hash has no entry for the handler;
- the rest becomes an archive: the history (whose last entry gives ``updated_at``), outcome
  details, delivery log, headers, validation, result digest, the platform's ``webhooks[]``, a
  kept task, the notification's time and the last traceback, as compact JSON, zlib with a
  preset dictionary, 7 bits a character, cut into 63-byte fields ``z0``, ``z1``... (all in
  ``z0`` when that would make too many fields, e.g. a kept task); ``z0`` marks a compacted
  record;
- what a settled event no longer needs is dropped and named in the archive, so ``events show``
  says so: the raw webhook body (its type, ids and time are fields; its SHA-256 stays, cut to
  128 bits) and the ``TL-Signature`` header (verified at intake).

Reading (``expand``) merges the archive back. Writes after compaction go where they always do
and win: a field set afterwards (a replay clears ``task`` or ``validation`` by writing '')
over the archived one, new transitions and deliveries after the archived ones in their lists,
an outcome saved in the outcomes hash over ``o#``/``o:``. A replayed event that is handled
again is compacted again, archive and all. Dead, invalid and truncated events are never
compacted: COMPACT acts only on an event whose state is still one of ``status.COMPACTABLE``,
the one it was planned in, and that no run holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tlhooks.ledger._archive import MARK, decode, encode, is_chunk

OUTCOME_PREFIX = "o:"  # o:<handler name>, for a handler not in the event's handlers list
LISTED_PREFIX = "o#"  # o#<position in the handlers list>: shorter, for the usual case
# How o#/o: fields spell an outcome's state (handler_tally.lua reads the same letters).
STATE_CODES = {"pending": "p", "succeeded": "s", "failed": "f", "exhausted": "e"}
STATE_NAMES = {code: name for name, code in STATE_CODES.items()}

# Record fields moved into the archive; every other non-empty field stays in the hash.
# ``updated_at`` is the last transition's time, which the archived history holds.
ARCHIVED = (
    "updated_at",
    "headers",
    "validation",
    "result_digest",
    "platform_webhooks",
    "task",
    "notification_created_at",
    "last_traceback",
)
DROPPED_FIELDS = ("body",)
# Hex digits of the body's SHA-256 a compacted record keeps: 128 bits still tell a redelivery
# of the same body from another (accept.lua compares this prefix), and 32 bytes fewer keep the
# record within a smaller allocation.
SHA_KEPT = 32
DROPPED_HEADERS = ("tl-signature",)


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
    status: str = ""  # as read: COMPACT refuses the plan if it is no longer the event's


def is_compaction_field(name: str) -> bool:
    return name.startswith(OUTCOME_PREFIX) or name.startswith(LISTED_PREFIX) or is_chunk(name)


def kept_states(fields: dict[str, str]) -> dict[str, str]:
    """handler -> the outcome state a compacted record keeps in ``o#``/``o:`` fields."""
    listed = json.loads(fields.get("handlers") or "[]")
    states = {}
    for name, code in fields.items():
        state = STATE_NAMES.get(code, code)
        if name.startswith(OUTCOME_PREFIX):
            states[name[len(OUTCOME_PREFIX) :]] = state
        elif name.startswith(LISTED_PREFIX) and name[2:].isdigit() and int(name[2:]) < len(listed):
            states[str(listed[int(name[2:])])] = state
    return states


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
    archive = decode(fields)
    received = float(fields.get("received_at") or 0)
    own = {name: value for name, value in fields.items() if not is_compaction_field(name)}
    merged = {**archive.get("f", {}), **own}
    details = archive.get("o", {})
    kept_outcomes = {
        handler: _outcome(handler, state, details.get(handler), received)
        for handler, state in kept_states(fields).items()
    }
    kept_outcomes.update(later_outcomes)
    body_sha256 = fields.get("body_sha256", "")
    archived_history = [
        {"status": status, "at": received + offset, "note": note}
        for status, offset, note in archive.get("h", [])
    ]
    if "updated_at" not in merged and archived_history:
        merged["updated_at"] = repr(archived_history[-1]["at"])
    return Expanded(
        fields=merged,
        history=archived_history + later_history,
        outcomes=kept_outcomes,
        deliveries=[
            {"at": received + offset, "body_sha256": sha or body_sha256, "same": same}
            for offset, sha, same in archive.get("d", [[0.0, "", True]])
        ]
        + later_deliveries,
        compaction={"dropped": archive.get("dropped", [])},
    )


def plan(
    fields: dict[str, str],
    history: list[str],
    outcomes: dict[str, str],
    deliveries: list[str],
) -> Compaction:
    """How to compact the event these raw keys hold (COMPACT checks it is still as read)."""
    record = expand(fields, history, outcomes, deliveries)
    received = float(fields.get("received_at") or 0)
    body_sha256 = fields.get("body_sha256", "")
    short_sha = body_sha256[:SHA_KEPT]
    dropped = set((record.compaction or {}).get("dropped", []))
    archived: dict[str, str] = {}
    for name in ARCHIVED:
        if name == "updated_at" and record.history:
            continue  # the last transition's time
        value = record.fields.get(name, "")
        if name == "headers" and value:
            headers = json.loads(value)
            dropped |= {f"headers.{h}" for h in DROPPED_HEADERS if headers.pop(h, None)}
            value = json.dumps(headers, separators=(",", ":")) if headers else ""
        if value:
            archived[name] = value
    dropped |= {name for name in DROPPED_FIELDS if record.fields.get(name)}
    archive = {
        "dropped": sorted(dropped),
        "f": archived,
        "h": [[t["status"], _offset(t["at"], received), t.get("note", "")] for t in record.history],
        "o": {name: _outcome_detail(o, received) for name, o in record.outcomes.items()},
    }
    log = [
        [
            _offset(d["at"], received),
            "" if d.get("body_sha256", "") in (body_sha256, short_sha) else d["body_sha256"],
            d.get("same", True),
        ]
        for d in record.deliveries
    ]
    if log != [[0.0, "", True]]:  # the usual one delivery, on arrival, goes without saying
        archive["d"] = log
    removed = {
        name: value
        for name, value in fields.items()
        if value == "" or name in ARCHIVED or name in DROPPED_FIELDS or is_compaction_field(name)
    }
    added = {}
    if short_sha != body_sha256:
        removed["body_sha256"] = body_sha256
        added["body_sha256"] = short_sha
    listed = [str(name) for name in json.loads(fields.get("handlers") or "[]")]
    for name, outcome in record.outcomes.items():
        state = STATE_CODES.get(str(outcome.get("state")), "p")
        places = [n for n, handler in enumerate(listed) if handler == name]
        for place in places:
            added[f"{LISTED_PREFIX}{place}"] = state
        if not places:
            added[OUTCOME_PREFIX + name] = state
    added.update(encode(archive))
    return Compaction(
        removed=removed,
        added=added,
        outcomes=dict(outcomes),
        history_length=len(history),
        deliveries_length=len(deliveries),
        dropped=sorted(dropped),
        status=fields.get("status", ""),
    )


def _offset(at: float | None, received: float) -> float | None:
    return None if at is None else round(float(at) - received, 3) + 0.0  # never -0.0


def _outcome_detail(outcome: dict[str, Any], received: float) -> list[Any]:
    detail = [
        outcome.get("attempts", 0),
        _offset(outcome.get("started_at"), received),
        _offset(outcome.get("finished_at"), received),
        outcome.get("last_error"),
        outcome.get("last_traceback"),
    ]
    while detail and detail[-1] is None:
        detail.pop()
    return detail


def _outcome(handler: str, state: str, detail: list[Any] | None, received: float) -> dict[str, Any]:
    attempts, started, finished, error, trace = [*(detail or [0]), None, None, None, None][:5]
    return {
        "handler": handler,
        "state": state,
        "attempts": attempts,
        "started_at": None if started is None else received + started,
        "finished_at": None if finished is None else received + finished,
        "last_error": error,
        "last_traceback": trace,
    }

"""Every Redis key tlhooks writes, in one place.

All keys share a prefix (``TLHOOKS_KEY_PREFIX``, default ``tlhooks``) so several deployments
can share one Redis database. The prefix is a Redis Cluster hash tag: every key is
``{<prefix>}:...``, so all of one deployment's ledger lives in one cluster slot and every Lua
script, which touches the keys of one event and the shared indexes at once, stays inside one
slot. To spread load across a cluster, run deployments with different prefixes. The broker's
list (``TLHOOKS_QUEUE``, default ``tlhooks``) hashes to the same slot as the ledger when the
queue is named after the prefix, which inline queueing (the push inside ACCEPT) relies on.

Keys written before the hash tag (``tlhooks:event:...``) are legacy keys:
``EventLedger.migrate_legacy_keys`` (``tlhooks ledger migrate``) renames them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tlhooks.status import EventStatus

# The kinds of key (the first segment after the prefix) the ledger owns; a legacy key of any
# other kind is not the ledger's and is left alone by the migration.
KINDS = frozenset(
    {
        "event",
        "lease",
        "publishing",
        "redelivered",
        "reused",
        "task",
        "events",
        "unsettled",
        "status",
        "schedule",
        "lock",
        "probe",
        "budget",
        "expect",
        "expected",
        "batch",
        "batches",
        "submitted",
    }
)

# The order in which every script that moves an event between states receives the status
# indexes in KEYS, and their names in one ARGV entry (tlhooks/ledger/lua/status_index.lua).
STATUS_ORDER = tuple(EventStatus)
STATUS_NAMES = ",".join(status.value for status in STATUS_ORDER)


@dataclass(frozen=True)
class LedgerKeys:
    prefix: str = "tlhooks"

    @property
    def tag(self) -> str:
        """``{prefix}``: the hash tag that puts every key of this deployment in one slot."""
        return "{" + self.prefix + "}"

    def event(self, event_id: str) -> str:
        """Hash: the event record's scalar fields."""
        return f"{self.tag}:event:{event_id}"

    def history(self, event_id: str) -> str:
        """List: one JSON entry per state transition, oldest first."""
        return f"{self.tag}:event:{event_id}:history"

    def outcomes(self, event_id: str) -> str:
        """Hash: handler name -> JSON handler outcome."""
        return f"{self.tag}:event:{event_id}:outcomes"

    def lease(self, event_id: str) -> str:
        """String with a TTL: the token of the worker run that owns the event right now."""
        return f"{self.tag}:lease:{event_id}"

    def publishing(self, event_id: str) -> str:
        """String with a TTL: the token of the one delivery allowed to publish the event."""
        return f"{self.tag}:publishing:{event_id}"

    def deliveries(self, event_id: str) -> str:
        """List: one JSON entry per delivery of the notification id (time, body hash, same)."""
        return f"{self.tag}:event:{event_id}:deliveries"

    @property
    def redelivered(self) -> str:
        """Sorted set: ids delivered more than once, scored by the event's arrival time."""
        return f"{self.tag}:redelivered"

    @property
    def reused(self) -> str:
        """Sorted set: ids delivered again with a different body, scored by arrival time."""
        return f"{self.tag}:reused"

    def task(self, task_id: str) -> str:
        """Hash: terminal kind (``ready``/``failed``) -> id of the first event of that kind."""
        return f"{self.tag}:task:{task_id}"

    def task_events(self, task_id: str) -> str:
        """Sorted set: every event id seen for one task, scored by arrival time."""
        return f"{self.tag}:task:{task_id}:events"

    @property
    def all_events(self) -> str:
        """Sorted set: every event id, scored by arrival time."""
        return f"{self.tag}:events"

    @property
    def unsettled(self) -> str:
        """Sorted set: ids of events not yet settled, scored by arrival time."""
        return f"{self.tag}:unsettled"

    def by_status(self, status: EventStatus | str) -> str:
        """Sorted set: event ids in one state, scored by the time they entered it."""
        return f"{self.tag}:status:{status}"

    @property
    def status_indexes(self) -> list[str]:
        """Every status index, in ``STATUS_ORDER``: the tail of a moving script's KEYS."""
        return [self.by_status(status) for status in STATUS_ORDER]

    def by_handler(self, handler: str) -> str:
        """Sorted set: ids of the events routed to one handler, scored by arrival time."""
        return f"{self.tag}:handler:{handler}"

    def handler_indexes(self, handlers: Sequence[str]) -> list[str]:
        """The handler indexes of an event's handlers, in the order of its ``handlers`` list."""
        return [self.by_handler(handler) for handler in handlers]

    def by_type(self, event_type: str) -> str:
        """Sorted set: ids of the events of one type, scored by arrival time."""
        return f"{self.tag}:type:{event_type}"

    @property
    def custom_ids(self) -> str:
        """Sorted set, every score 0: ``<custom_id>\\0<event_id>`` for every event, so a
        custom_id glob's literal prefix is one ZRANGEBYLEX range (``''`` for no custom_id)."""
        return f"{self.tag}:custom_ids"

    @property
    def handler_outcomes(self) -> str:
        """Hash: ``<state>:<handler>`` -> how many events routed to the handler have its outcome
        in that state (``pending`` until one is saved); kept by the scripts that write outcomes
        (``lua/handler_tally.lua``)."""
        return f"{self.tag}:handler_outcomes"

    @property
    def schedule(self) -> str:
        """Sorted set: event id -> unix time at which its next attempt is due."""
        return f"{self.tag}:schedule"

    @property
    def sweep_lock(self) -> str:
        """String with a TTL: held by the one sweep running right now."""
        return f"{self.tag}:lock:sweep"

    @property
    def reconcile_lock(self) -> str:
        """String with a TTL: held by the one reconciliation running right now."""
        return f"{self.tag}:lock:reconcile"

    @property
    def api_budget(self) -> str:
        """Hash: the shared API request budget (next slot, pause end, counters; see budget.py)."""
        return f"{self.tag}:budget:api"

    # Submissions (expectations.py) ------------------------------------------------------------

    def expectation(self, task_id: str) -> str:
        """Hash: a task tlhooks submitted: custom_id, batch, handlers, state, webhooks[]."""
        return f"{self.tag}:expect:{task_id}"

    @property
    def expected(self) -> str:
        """Sorted set: ids of submitted tasks (not batch items) to look up, scored by when."""
        return f"{self.tag}:expected"

    @property
    def submitted(self) -> str:
        """Sorted set: every submitted lone task id, scored by submission time (retention)."""
        return f"{self.tag}:submitted"

    def batch(self, batch_id: str) -> str:
        """Hash: a batch tlhooks submitted: created/expires at, total, its last known status."""
        return f"{self.tag}:batch:{batch_id}"

    def batch_items(self, batch_id: str) -> str:
        """List: the batch's task ids, in request order."""
        return f"{self.tag}:batch:{batch_id}:items"

    def batch_results_lock(self, batch_id: str) -> str:
        """String with a TTL: held by the one worker reading the batch's results right now."""
        return f"{self.tag}:lock:results:{batch_id}"

    @property
    def batches(self) -> str:
        """Sorted set: every submitted batch id, scored by submission time."""
        return f"{self.tag}:batches"

    @property
    def open_batches(self) -> str:
        """Sorted set: batches still being tracked, scored by when to poll them next."""
        return f"{self.tag}:batches:open"

    @property
    def probe(self) -> str:
        """String with a TTL: written by ``ping(write=True)`` to prove Redis takes writes."""
        return f"{self.tag}:probe"

    # Keys written before the hash tag ------------------------------------------------------

    @property
    def legacy_pattern(self) -> str:
        """SCAN pattern of the keys an older tlhooks wrote: ``<prefix>:*``."""
        return f"{self.prefix}:*"

    def from_legacy(self, key: str) -> str | None:
        """The current name of a legacy ledger key, or None when it is not one."""
        head = f"{self.prefix}:"
        if not key.startswith(head):
            return None
        rest = key[len(head) :]
        if rest.split(":", 1)[0] not in KINDS:
            return None
        return f"{self.tag}:{rest}"


# The separator between a custom_id and its event id in ``custom_ids`` members: NUL sorts below
# every other character, so ``abc\0...`` comes before ``abc-...``, and event ids never hold it.
CUSTOM_ID_SEPARATOR = "\0"


def custom_member(custom_id: str | None, event_id: str) -> str:
    """The ``custom_ids`` member of an event."""
    return f"{custom_id or ''}{CUSTOM_ID_SEPARATOR}{event_id}"


def split_custom_member(member: str) -> tuple[str, str]:
    """``(custom_id, event_id)`` of a ``custom_ids`` member (a custom_id may hold NUL itself)."""
    custom_id, _, event_id = member.rpartition(CUSTOM_ID_SEPARATOR)
    return custom_id, event_id

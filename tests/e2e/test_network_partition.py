"""A worker cut off from Redis for longer than its lease (issue 13).

Worker A runs in a network namespace of the test's own (tests/support/netns.py): Redis and the
emulator listen on the root end of its veth link, so taking the link down severs A from the
ledger, the broker and the API at once, while its process and its handler carry on. Worker B,
with the beat, stays in the root namespace on loopback.

A picks the event up and its handler waits for a file. The link goes down for several leases:
A cannot renew its lease, which lapses, and B takes the event over (the broker redelivers A's
unacknowledged message after the visibility timeout, or B's sweeper re-queues the event,
whichever comes first) and handles it. The link comes back, A's handler is released and
returns, and A's outcome write is refused because B owns the event: the ledger keeps B's
outcome, one ``handled``, and counts each handler once. The handler ran in both workers; that
is at-least-once delivery, and why handlers get an idempotency key.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Stack
from tests.e2e.faults import HANDLERS
from tests.support.ledger_truth import assert_indexes_agree
from tests.support.netns import NamespaceUnavailable, NetworkNamespace, unavailable
from tests.support.processes import RedisServer, Worker, wait_until
from tlhooks.ledger import EventRecord, HandlerState
from tlhooks.status import EventStatus

pytestmark = pytest.mark.timeout(90)

LEASE = 2.0  # the stack's TLHOOKS_LEASE_SECONDS
CUT_FOR = 3 * LEASE  # at least; the link stays down until B has handled the event
HANDLER = "waits_for_release"
REFUSED = "no longer owns event"  # LeaseLost's message, in A's log
WRITE_RETRIED = f"could not record {HANDLER}'s outcome"  # workers/outcomes.py, in A's log


@pytest.fixture
def namespace() -> Iterator[NetworkNamespace]:
    reason = unavailable()
    if reason is not None:
        pytest.skip(f"no network namespace for worker A: {reason}")
    built = NetworkNamespace()
    try:
        try:
            built.create()
        except NamespaceUnavailable as exc:
            pytest.skip(f"no network namespace for worker A: {exc}")
        yield built
    finally:
        built.delete()


@pytest.fixture
def partitioned(namespace: NetworkNamespace, log_dir: Path) -> Iterator[Stack]:
    """A stack whose Redis and emulator are reachable from ``namespace`` too (stopped before
    the namespace is deleted: ``namespace`` is torn down after this fixture)."""
    server = RedisServer(log_dir, also_bind=[namespace.host_address])
    stack: Stack | None = None
    try:
        server.start()
        stack = Stack(server, log_dir, emulator_host=namespace.host_address)
        stack.env["TLHOOKS_HANDLERS"] = HANDLERS
        stack.env["TLHOOKS_LEASE_SECONDS"] = str(LEASE)
        yield stack
    finally:
        if stack is not None:
            stack.close()
        server.stop()


@pytest.mark.parametrize("released", ["after the link is back", "while cut off"])
def test_a_worker_cut_off_past_its_lease_is_taken_over_and_cannot_record_its_late_outcome(
    partitioned: Stack, namespace: NetworkNamespace, tmp_path: Path, released: str
) -> None:
    """``while cut off``: A's handler returns during the cut, so A retries its outcome write
    across the partition (workers/outcomes.py) until the link is back, and is refused then."""
    stack = partitioned
    release = tmp_path / "release"
    stack.start_receiver()
    cut_off = stack.start_worker(
        beat=False,
        prefix=namespace.prefix,
        TLHOOKS_REDIS_URL=stack.redis_server.url_at(namespace.host_address),
        TEST_RELEASE_FILE=str(release),
    )
    task = stack.create_task("ready", custom_id="release-1")
    task_id = task["task_id"]
    wait_until(lambda: stack.calls(HANDLER, task_id), timeout=30)
    taker = stack.start_worker()  # with the beat, whose sweeper rescues what A holds

    namespace.cut()
    cut_at = time.monotonic()
    handled = wait_handled_and_compacted(stack, task_id)
    time.sleep(max(0.0, cut_at + CUT_FOR - time.monotonic()))
    if released == "while cut off":
        release.touch()
        wait_until(lambda: WRITE_RETRIED in cut_off.log, timeout=15)
    down_for = time.monotonic() - cut_at
    namespace.restore()
    restored_at = time.time()
    release.touch()
    wait_for_a_to_give_up(stack, task_id, cut_off, returned_recorded=released != "while cut off")
    stack.settle(1.5)  # A's lease keeper ticks again; anything A still wrote would be seen

    print(f"\nworker A cut off for {down_for:.1f} s (lease {LEASE:.0f} s), released {released}")
    [event] = stack.events_for(task_id)
    assert_ran_in_a_then_b(stack, task_id, cut_off, taker)
    assert_b_outcome_stands(event, handled, stack, restored_at)
    assert_takeover_in_history(event, handled)
    assert "could not renew the lease" in cut_off.log
    assert "LeaseLost" in cut_off.log
    assert f"{HANDLER!r}'s outcome was not stored" in cut_off.log
    assert REFUSED not in taker.log
    assert cut_off.alive()
    assert taker.alive()


def wait_handled_and_compacted(stack: Stack, task_id: str) -> EventRecord:
    """B's handled event once B's worker has compacted it, so that what B recorded compares with
    the final record in one form (a compacted record keeps its times to the millisecond)."""
    found: list[EventRecord] = []

    def compacted() -> bool:
        found[:] = [
            event
            for event in stack.events_for(task_id)
            if event.status is EventStatus.HANDLED and event.compaction is not None
        ]
        return bool(found)

    try:
        wait_until(compacted, timeout=30)
    except TimeoutError:
        raise AssertionError(f"never handled and compacted: {stack.events_for(task_id)}") from None
    return found[0]


def wait_for_a_to_give_up(
    stack: Stack, task_id: str, a: Worker, *, returned_recorded: bool
) -> None:
    """A's handler returns once released; then A's outcome write is refused and it says so.
    Should A record its outcome instead, the assertions after this show what it wrote."""
    if returned_recorded:
        try:
            wait_until(lambda: len(stack.calls(f"{HANDLER}:returned", task_id)) == 2, timeout=30)
        except TimeoutError:
            raise AssertionError(f"A's handler never returned after the cut:\n{a.log}") from None
    with contextlib.suppress(TimeoutError):
        wait_until(lambda: REFUSED in a.log, timeout=10)


def assert_ran_in_a_then_b(stack: Stack, task_id: str, a: Worker, b: Worker) -> None:
    """The handler started in A before the cut and in B after it (at least once, by design);
    record_ready, which succeeded in A before the cut, did not run again."""
    assert a.process is not None
    assert b.process is not None
    assert [c["pid"] for c in stack.calls(HANDLER, task_id)] == [a.process.pid, b.process.pid]
    returned = [c["pid"] for c in stack.calls(f"{HANDLER}:returned", task_id)]
    # B's run ended first, A's later (A's record may be lost or late when A returned cut off)
    assert returned[0] == b.process.pid
    assert returned[1:] in ([], [a.process.pid])
    assert [c["pid"] for c in stack.calls("record_ready", task_id)] == [a.process.pid]


def assert_b_outcome_stands(
    event: EventRecord, handled: EventRecord, stack: Stack, restored_at: float
) -> None:
    """What B recorded, unchanged by A's late write: the outcome, the state, the counts."""
    assert event.status is EventStatus.HANDLED
    assert event.outcomes == handled.outcomes
    outcome = event.outcome(HANDLER)
    assert outcome.state is HandlerState.SUCCEEDED
    assert outcome.attempts == 1  # A's attempt was never stored
    assert outcome.finished_at is not None
    assert outcome.finished_at < restored_at  # B's run: A's handler returned after the cut
    assert event.outcome("record_ready").state is HandlerState.SUCCEEDED
    counts = stack.ledger.handler_outcome_counts()
    assert counts == {HANDLER: {"succeeded": 1}, "record_ready": {"succeeded": 1}}
    assert_indexes_agree(stack.ledger)
    assert not stack.redis.exists(stack.ledger.keys.lease(event.event_id))


def assert_takeover_in_history(event: EventRecord, handled: EventRecord) -> None:
    """Two runs, the second taking over from the first: handling (A), then handling again (B,
    through a re-queue by the sweeper or the broker's redelivery of A's message, whichever came
    first), then handled once, with nothing after it once A came back."""
    statuses = [t.status for t in event.history]
    assert statuses.count(EventStatus.HANDLING) == 2, event.history
    assert statuses.count(EventStatus.HANDLED) == 1, event.history
    assert statuses[-1] is EventStatus.HANDLED
    assert event.history == handled.history  # A wrote no transition after B's handled
    assert event.updated_at == handled.updated_at
    assert event.runs == 2
    assert event.crashes == 1  # B found A's run marker: the run it took over

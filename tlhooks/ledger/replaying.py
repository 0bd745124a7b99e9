"""The ledger's replay step: REPLAY, one script call per event, pipelined for a batch."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis
from redis.commands.core import Script

from tlhooks.ledger.keys import STATUS_NAMES, LedgerKeys
from tlhooks.ledger.translation import translate_redis_errors
from tlhooks.status import REPLAYABLE

_REPLAYABLE = ",".join(sorted(REPLAYABLE))


@dataclass(frozen=True)
class ReplayReset:
    """What a replay clears before the event runs again.

    ``handlers``: ``all``, ``unsucceeded`` (tlhooks.status.RESET_*) or one handler's name.
    """

    handlers: str
    task: bool = False
    validation: bool = False


@dataclass(frozen=True)
class ReplayAnswer:
    """REPLAY's answer for one event: ``ok``, or why not (``missing``, ``running``,
    ``refused``), with the state the event was in."""

    outcome: str
    status: str


class ReplaySteps:
    """Mixed into EventLedger, which registers the script."""

    client: redis.Redis
    keys: LedgerKeys
    _replay: Script

    def replay_many(
        self, ids: Sequence[str], *, replay_id: str, note: str, reset: ReplayReset
    ) -> list[ReplayAnswer]:
        """Send each event back to ``queued`` (one atomic REPLAY each), in the order of ``ids``.

        An event a run holds, or whose state is not replayable, is left as it is. Publishing
        the message is the caller's job (the broker may be another server).
        """
        if not ids:
            return []
        now = time.time()
        keys = self.keys
        with translate_redis_errors():
            pipe = self.client.pipeline(transaction=False)
            for event_id in ids:
                event_keys = [
                    keys.event(event_id),
                    keys.history(event_id),
                    keys.unsettled,
                    keys.lease(event_id),
                    keys.outcomes(event_id),
                    keys.schedule,
                    keys.handler_outcomes,
                    *keys.status_indexes,
                ]
                args: list[Any] = [event_id, now, note, STATUS_NAMES, _REPLAYABLE, replay_id]
                args += [int(reset.task), int(reset.validation), reset.handlers]
                self._replay(keys=event_keys, args=args, client=pipe)
            replies = pipe.execute()
        return [ReplayAnswer(str(outcome), str(status or "")) for outcome, status in replies]

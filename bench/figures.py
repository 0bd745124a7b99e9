"""ScenarioFigures: what one scenario measured, computed from what each part recorded.

The bench knows when it sent each webhook and what the receiver answered; the handler recorded
when it first ran for each event and how often; the ledger knows which events are dead; the
emulator's journal knows every API call and its status.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench.burst import BurstResult
from bench.emulator_process import ApiTally
from bench.load import percentile
from bench.recording_handler import RunRecord


@dataclass(frozen=True)
class ScenarioFigures:
    sent: int
    accepted: int
    send_errors: dict[str, int]
    burst_seconds: float
    ack_p99: float
    handled: int
    dead: int
    complete: bool
    span: float  # first webhook sent -> last handler run; nan when nothing ran
    latency_p50: float  # webhook sent -> its handler's first run
    latency_p99: float
    api: ApiTally
    handler_runs: int
    window_phase: float | None  # seconds into the emulator's limit window when the burst began
    cpu: dict[str, float]  # CPU seconds per process, from the burst to the end
    statuses: dict[str, int]  # the ledger's events per status at the end

    @property
    def share_429(self) -> float:
        return self.api.rate_limited / self.api.calls if self.api.calls else 0.0


def figures(
    burst: BurstResult,
    record: RunRecord,
    dead: int,
    api: ApiTally,
    window: float | None,
    cpu: dict[str, float],
    statuses: dict[str, int],
) -> ScenarioFigures:
    """Combine the records of one scenario; events the bench did not send are ignored."""
    ran = {event_id: at for event_id, at in record.first_run.items() if event_id in burst.sent_at}
    latencies = sorted(at - burst.sent_at[event_id] for event_id, at in ran.items())
    first = burst.first_sent if burst.sent_at else math.nan
    return ScenarioFigures(
        sent=len(burst.sent_at),
        accepted=len(burst.accepted),
        send_errors=dict(burst.errors),
        burst_seconds=burst.seconds,
        ack_p99=percentile(sorted(burst.ack_seconds), 0.99),
        handled=len(ran),
        dead=dead,
        complete=len(ran) + dead >= len(burst.accepted),
        span=max(ran.values()) - first if ran else math.nan,
        latency_p50=percentile(latencies, 0.50),
        latency_p99=percentile(latencies, 0.99),
        api=api,
        handler_runs=sum(record.runs.get(event_id, 0) for event_id in burst.sent_at),
        window_phase=None if window is None else first % window,
        cpu=cpu,
        statuses=statuses,
    )

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from receiver.metrics import LedgerCollector
from tlhooks.ledger import EventLedger
from tlhooks.ledger.store import connect
from tlhooks.processes import free_port


def exposition(ledger: EventLedger, now: float) -> str:
    registry = CollectorRegistry()
    registry.register(LedgerCollector(ledger, lambda: now))
    return generate_latest(registry).decode()


def test_an_empty_ledger_reports_every_state_at_zero_and_no_backlog(ledger: EventLedger) -> None:
    text = exposition(ledger, 1000.0)
    assert "tlhooks_ledger_up 1.0" in text
    assert 'tlhooks_events{state="dead"} 0.0' in text
    assert 'tlhooks_events{state="queued"} 0.0' in text
    assert "tlhooks_oldest_unsettled_age_seconds 0.0" in text


def test_the_oldest_unsettled_age_comes_from_the_earliest_entry_of_any_unsettled_state(
    ledger: EventLedger,
) -> None:
    ledger.client.zadd(ledger.keys.by_status("queued"), {"whe_a": 940.0, "whe_b": 990.0})
    ledger.client.zadd(ledger.keys.by_status("failed"), {"whe_c": 900.0})
    ledger.client.zadd(ledger.keys.by_status("handled"), {"whe_d": 100.0})
    text = exposition(ledger, 1000.0)
    assert 'tlhooks_events{state="queued"} 2.0' in text
    assert 'tlhooks_events{state="handled"} 1.0' in text
    assert "tlhooks_oldest_unsettled_age_seconds 100.0" in text


def test_a_scrape_while_redis_is_down_answers_with_the_ledger_down() -> None:
    unreachable = EventLedger(connect(f"redis://127.0.0.1:{free_port()}/0", 0.5))
    text = exposition(unreachable, 1000.0)
    assert "tlhooks_ledger_up 0.0" in text
    assert "tlhooks_events{" not in text

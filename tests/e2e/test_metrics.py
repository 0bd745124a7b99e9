"""Metrics from the real receiver and worker processes, as Prometheus scrapes them."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import Stack
from tlhooks.processes import free_port, wait_until
from tlhooks.status import EventStatus


def scrape(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = httpx.get(url, timeout=5).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_the_worker_exporter_counts_fetches_outcomes_retries_and_latency(stack: Stack) -> None:
    port = free_port()
    stack.start_receiver()
    stack.start_worker(TLHOOKS_WORKER_METRICS_PORT=str(port))
    ok = stack.create_task("ready", custom_id="cam-1")
    doomed = stack.create_task("ready", custom_id="doomed-1")
    stack.wait_for_status(ok["task_id"], EventStatus.HANDLED)
    stack.wait_for_status(doomed["task_id"], EventStatus.DEAD)

    worker = scrape(f"http://127.0.0.1:{port}/metrics")
    assert value(worker, "tlhooks_api_responses_total", code="200") == 2
    assert value(worker, "tlhooks_api_fetch_seconds_count") == 2
    assert value(worker, "tlhooks_handler_outcomes_total", handler="doomed", outcome="failed") == 2
    assert (
        value(worker, "tlhooks_handler_outcomes_total", handler="doomed", outcome="exhausted") == 1
    )
    assert (
        value(worker, "tlhooks_handler_outcomes_total", handler="record_ready", outcome="succeeded")
        == 2
    )
    assert value(worker, "tlhooks_retries_scheduled_total") == 2
    assert value(worker, "tlhooks_worker_dead_total") == 1
    assert value(worker, "tlhooks_webhook_to_settled_seconds_count", state="handled") == 1
    assert value(worker, "tlhooks_sweeper_retries_published_total") == 2


def test_the_receiver_serves_the_ledgers_gauges_from_its_indexes(stack: Stack) -> None:
    receiver = stack.start_receiver()
    metrics = f"{receiver.url}/metrics"
    task = stack.create_task("ready", custom_id="cam-2")
    wait_until(lambda: value(scrape(metrics), "tlhooks_events", state="queued") == 1)
    waiting = scrape(metrics)
    stack.start_worker()
    stack.wait_for_status(task["task_id"], EventStatus.HANDLED)
    settled = scrape(metrics)

    assert value(waiting, "tlhooks_ledger_up") == 1
    assert value(waiting, "tlhooks_oldest_unsettled_age_seconds") > 0
    assert value(settled, "tlhooks_events", state="handled") == 1
    assert value(settled, "tlhooks_events", state="queued") == 0
    assert value(settled, "tlhooks_oldest_unsettled_age_seconds") == 0
    assert value(settled, "tlhooks_webhooks_total", status="queued") == 1


def test_a_prefork_worker_adds_up_its_childrens_metrics(stack: Stack, tmp_path: Path) -> None:
    port = free_port()
    stack.start_receiver()
    stack.start_worker(
        pool="prefork",
        TLHOOKS_WORKER_METRICS_PORT=str(port),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
    )
    task = stack.create_task("ready", custom_id="cam-3")
    stack.wait_for_status(task["task_id"], EventStatus.HANDLED)

    worker = scrape(f"http://127.0.0.1:{port}/metrics")
    assert (
        value(worker, "tlhooks_handler_outcomes_total", handler="record_ready", outcome="succeeded")
        == 1
    )


def test_a_prefork_worker_with_a_metrics_port_and_no_multiprocess_dir_does_not_start(
    stack: Stack,
) -> None:
    env = {**stack.env, "TLHOOKS_WORKER_METRICS_PORT": str(free_port())}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    stack.env = env
    with pytest.raises(AssertionError, match="needs PROMETHEUS_MULTIPROC_DIR set"):
        stack.start_worker(pool="prefork")

"""The metric names tlhooks exposes, read from the real collectors (not from a list)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.registry import Collector

import receiver.metrics
import tlhooks.metrics
from receiver.metrics import LedgerCollector
from tlhooks.ledger import EventLedger

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum")}
# The series a query reads for each kind: a counter's _total, a histogram's _bucket.
QUERIED = {"counter": "_total", "histogram": "_bucket", "gauge": ""}
METRIC = re.compile(r"\btlhooks_[a-z0-9_]+")


def _own_collectors() -> list[Collector]:
    """Every metric object defined in tlhooks' metrics modules."""
    modules = (receiver.metrics, tlhooks.metrics)
    return [v for m in modules for v in vars(m).values() if isinstance(v, MetricWrapperBase)]


@pytest.fixture
def families(ledger: EventLedger) -> dict[str, str]:
    """Every metric family tlhooks exposes, name to type (counter, gauge, histogram)."""
    registry = CollectorRegistry()
    for collector in _own_collectors():
        registry.register(collector)
    registry.register(LedgerCollector(ledger, time.time))
    return {family.name: family.type for family in registry.collect()}


@pytest.fixture
def exposed_names(families: dict[str, str]) -> set[str]:
    """Every series name in the exposition."""
    names = set(families)
    for name, kind in families.items():
        names.update(name + suffix for suffix in SUFFIXES.get(kind, ()))
    return names


def queried_names(text: str) -> set[str]:
    return set(METRIC.findall(text))

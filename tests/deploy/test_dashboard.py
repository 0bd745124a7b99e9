from __future__ import annotations

import json
from typing import Any

from tests.deploy.conftest import DEPLOY, QUERIED, queried_names

DASHBOARD = DEPLOY / "grafana" / "tlhooks.json"


def _expressions(dashboard: dict[str, Any]) -> list[str]:
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def test_the_dashboard_is_grafana_json_with_a_prometheus_panel_per_query() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] == "tlhooks"
    assert all(panel["datasource"]["type"] == "prometheus" for panel in dashboard["panels"])
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])
    assert all(_expressions({"panels": [panel]}) for panel in dashboard["panels"])


def test_every_metric_the_dashboard_queries_is_exposed(exposed_names: set[str]) -> None:
    used = {
        name
        for expr in _expressions(json.loads(DASHBOARD.read_text()))
        for name in queried_names(expr)
    }
    assert used <= exposed_names, f"not exposed: {sorted(used - exposed_names)}"


def test_the_dashboard_shows_every_metric_tlhooks_defines(families: dict[str, str]) -> None:
    used = queried_names(DASHBOARD.read_text())
    expected = {name + QUERIED[kind] for name, kind in families.items()}
    assert expected <= used, f"not on the dashboard: {sorted(expected - used)}"

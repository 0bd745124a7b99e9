from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.deploy.conftest import DEPLOY, queried_names

RULES = DEPLOY / "prometheus" / "alerts.yml"


def test_the_alert_rules_pass_promtool() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian: apt-get install prometheus; .ci/run tries)")
    checked = subprocess.run(
        [promtool, "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout


def test_every_metric_an_alert_reads_is_exposed(exposed_names: set[str]) -> None:
    used = queried_names(RULES.read_text())
    assert used, "the rules query no tlhooks metric"
    assert used <= exposed_names, f"not exposed: {sorted(used - exposed_names)}"


def test_the_alerts_cover_backlog_dead_events_signatures_and_silence() -> None:
    text = RULES.read_text()
    for metric in (
        "tlhooks_oldest_unsettled_age_seconds",
        'tlhooks_events{state="dead"}',
        "tlhooks_webhook_rejections_total",
        "tlhooks_webhooks_total",
    ):
        assert metric in text

"""deploy/kubernetes/tlhooks.yaml: valid against the Kubernetes schemas, the Procfile's three
roles run as written, probes and shutdown as docs/deploy.md says."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy.procfile_lines import ROOT, procfile, without_local_options
from tlhooks.queue.celery_config import celery_config
from tlhooks.settings import load_settings

MANIFEST = ROOT / "deploy" / "kubernetes" / "tlhooks.yaml"


def documents() -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(MANIFEST.read_text()) if doc]


def container(role: str) -> dict[str, Any]:
    [deployment] = [
        d for d in documents() if d["kind"] == "Deployment" and d["metadata"]["name"].endswith(role)
    ]
    [only] = deployment["spec"]["template"]["spec"]["containers"]
    return {**only, "_pod": deployment["spec"]["template"]["spec"]}


@pytest.mark.parametrize(
    "document", documents(), ids=lambda d: f"{d['kind']}-{d['metadata']['name']}"
)
def test_every_resource_is_valid_against_the_kubernetes_schema(document: dict[str, Any]) -> None:
    kubernetes_validate.validate(document, kubernetes_validate.latest_version(), strict=True)


def test_a_misspelt_field_would_be_caught() -> None:
    deployment = next(d for d in documents() if d["kind"] == "Deployment")
    broken = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, kubernetes_validate.latest_version(), strict=True)


@pytest.mark.parametrize("role", ["web", "worker", "beat"])
def test_each_role_runs_its_procfile_line(role: str) -> None:
    assert without_local_options(container(role)["command"]) == without_local_options(
        procfile()[role]
    )


def test_the_receiver_is_ready_on_readyz_and_alive_on_healthz() -> None:
    web = container("web")
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"


def test_workers_get_longer_than_celerys_soft_shutdown_to_stop() -> None:
    soft = celery_config(load_settings())["worker_soft_shutdown_timeout"]
    assert container("worker")["_pod"]["terminationGracePeriodSeconds"] > soft

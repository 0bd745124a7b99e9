"""Every Procfile line, run as written from a project's root, imports the project's handlers."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from kombu import Connection

from tests.e2e.conftest import RABBITMQ, rabbitmq_answers
from tests.support.processes import ROOT, RedisServer
from tlhooks.processes import ManagedProcess, free_port, wait_until

BIN = Path(sys.executable).parent

HOOKS = """\
import os
import sys
from pathlib import Path

from handlers import HandlerContext, handler

Path(os.environ["HOOKS_MARKERS"], str(os.getpid())).write_text(" ".join(sys.argv))


@handler(name="myapp-hook")
def hook(ctx: HandlerContext) -> None:
    pass
"""


def procfile_lines() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    entries = (line.partition(":") for line in lines if line.strip() and not line.startswith("#"))
    return {name.strip(): command.strip() for name, _, command in entries}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "myapp").mkdir(parents=True)
    (root / "myapp" / "__init__.py").write_text("")
    (root / "myapp" / "hooks.py").write_text(HOOKS)
    (tmp_path / "markers").mkdir()
    return root


class ProcfileRunner:
    """Runs Procfile lines as written, from the project root, with the virtualenv on PATH."""

    def __init__(self, project: Path, redis_url: str) -> None:
        self.project = project
        self.port = free_port()
        self.started: list[ManagedProcess] = []
        base = {k: v for k, v in os.environ.items() if not k.startswith(("TLHOOKS_", "PYTHON"))}
        self.env = {
            **base,
            "PATH": f"{BIN}{os.pathsep}{base.get('PATH', '')}",
            "PORT": str(self.port),
            "HOOKS_MARKERS": str(project.parent / "markers"),
            "TLHOOKS_HANDLERS": "myapp.hooks",
            "TLHOOKS_REDIS_URL": redis_url,
            "TLHOOKS_WEBHOOK_SECRETS": "whsec_procfile",
            "TLHOOKS_API_KEY": "procfile-key",
            "TLHOOKS_QUEUE": f"procfile-{free_port()}",
        }

    def run(self, name: str) -> ManagedProcess:
        argv = ["sh", "-c", f"exec {procfile_lines()[name]}"]
        log = self.project.parent / f"{name}-{len(self.started)}.log"
        process = ManagedProcess(name, argv, self.env, log, cwd=self.project).start()
        self.started.append(process)
        return process


@pytest.fixture
def procfile(project: Path, redis_server: RedisServer) -> Iterator[ProcfileRunner]:
    if not redis_server.alive():
        redis_server.start()
    runner = ProcfileRunner(project, redis_server.url)
    yield runner
    for process in runner.started:
        process.stop()


def loaded_in(project: Path, word: str) -> bool:
    markers = (project.parent / "markers").iterdir()
    return any(word in shlex.split(marker.read_text()) for marker in markers)


def until_logged(process: ManagedProcess, text: str) -> None:
    def logged() -> bool:
        if not process.alive():
            raise AssertionError(f"{process.name} exited:\n{process.log}")
        return text in process.log

    wait_until(logged, timeout=40)


def test_the_procfile_has_a_web_a_worker_and_a_beat_line() -> None:
    assert set(procfile_lines()) == {"web", "worker", "beat"}


def test_the_worker_line_imports_the_projects_handler_module(
    project: Path, procfile: ProcfileRunner
) -> None:
    worker = procfile.run("worker")
    until_logged(worker, " ready.")
    assert loaded_in(project, "worker"), worker.log


def test_the_web_line_imports_the_projects_handler_module_and_answers(
    project: Path, procfile: ProcfileRunner
) -> None:
    web = procfile.run("web")

    def healthy() -> bool:
        if not web.alive():
            raise AssertionError(f"web exited:\n{web.log}")
        try:
            url = f"http://127.0.0.1:{procfile.port}/healthz"
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(healthy, timeout=40)
    assert loaded_in(project, "receiver.app:app"), web.log


def test_the_beat_line_starts_from_the_project_root(
    project: Path, procfile: ProcfileRunner
) -> None:
    beat = procfile.run("beat")
    until_logged(beat, "beat: Starting...")
    wait_until(lambda: any((project / ".tlhooks").glob("beat-schedule*")), timeout=40)
    assert beat.alive(), beat.log


@pytest.mark.parametrize("broker", ["redis", "rabbitmq"])
def test_two_worker_lines_run_side_by_side_on_one_host(
    broker: str, procfile: ProcfileRunner, request: pytest.FixtureRequest
) -> None:
    if broker == "rabbitmq":
        if not rabbitmq_answers():
            pytest.skip("no RabbitMQ at 127.0.0.1:5672")
        procfile.env["TLHOOKS_BROKER_URL"] = RABBITMQ
        queue = procfile.env["TLHOOKS_QUEUE"]
        request.addfinalizer(lambda: _delete_queue(queue))
    first = procfile.run("worker")
    until_logged(first, " ready.")
    second = procfile.run("worker")
    until_logged(second, " ready.")

    names = {node_name(first), node_name(second)}
    assert len(names) == 2, names
    assert first.alive(), first.log
    assert second.alive(), second.log


def node_name(worker: ManagedProcess) -> str:
    ready = next(line for line in worker.log.splitlines() if line.endswith(" ready."))
    return ready.rsplit(" ", 2)[-2]


def _delete_queue(name: str) -> None:
    with Connection(RABBITMQ) as connection:
        connection.default_channel.queue_delete(name)

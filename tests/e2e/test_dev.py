"""`tlhooks dev`, the README's first command, brings up the system and handles a demo event."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

from tests.support.processes import ROOT, RedisServer, free_port, wait_until

BIN = Path(sys.executable).parent


def test_dev_runs_everything_handles_the_demo_event_and_stops_cleanly(
    redis_server: RedisServer, redis_client: object, tmp_path: Path
) -> None:
    log = tmp_path / "dev.out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TLHOOKS_")}
    env["TLHOOKS_REDIS_URL"] = redis_server.url
    argv = [str(BIN / "tlhooks"), "dev", "--port", str(free_port())]
    argv += ["--emulator-port", str(free_port()), "--state-dir", str(tmp_path / "state")]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: "Running. Press Ctrl-C" in log.read_text() or process.poll(), 90)
        output = log.read_text()
        assert "handled by the built-in JSONL handler" in output, output
        assert (tmp_path / "state" / "results.jsonl").read_text().count("demo-1") == 1
        assert f"redis     {redis_server.url}  (from TLHOOKS_REDIS_URL)" in output
        assert "/admin/  (sign in with the admin token)" in output
        demo = output.split("handled by the built-in JSONL handler: ", 1)[1].splitlines()[0]
        assert json.loads(demo.split(" (and ", 1)[0])["task_id"]
        second = second_shell_env(output)
        assert sorted(second) == [
            "TLHOOKS_ADMIN_TOKEN",
            "TLHOOKS_REDIS_URL",
            "TLHOOKS_WEBHOOK_SECRETS",
        ]
        shell = {k: v for k, v in env.items() if k != "TLHOOKS_REDIS_URL"} | second
        counted = subprocess.run(
            [str(BIN / "tlhooks"), "events", "list", "--custom-id", "demo-1", "--count"],
            env=shell,
            capture_output=True,
            text=True,
        )
        assert counted.stdout == "1\n", counted.stderr
        receiver = next(w for w in output.split() if w.endswith("/webhooks/twelvelabs"))
        trigger = [str(BIN / "tlhooks"), "trigger", "analyze.task.ready", "--url", receiver]
        sent = subprocess.run(trigger, env=shell, capture_output=True, text=True)
        assert sent.returncode == 0, sent.stdout + sent.stderr
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)
    assert "Stopped." in log.read_text()
    leftovers = subprocess.run(["pgrep", "-f", str(tmp_path / "state")], capture_output=True)
    assert leftovers.stdout == b""


def second_shell_env(output: str) -> dict[str, str]:
    """The ``export NAME=value`` lines `tlhooks dev` prints for a second shell."""
    exports = [
        line.split(None, 1)[1] for line in output.splitlines() if line.startswith("  export ")
    ]
    return dict(shlex.split(e)[0].split("=", 1) for e in exports)


DEV_WITHOUT_REDIS = """
import sys
from pathlib import Path
from tlhooks.dev import DevStack
stack = DevStack(Path(sys.argv[1]), port=int(sys.argv[2]), emulator_port=int(sys.argv[3]),
                 default_redis="redis://127.0.0.1:1/0")
try:
    stack.run()
except KeyboardInterrupt:
    print("Stopped.", flush=True)
"""


def test_dev_starts_a_private_persistent_redis_when_none_answers(tmp_path: Path) -> None:
    state, log = tmp_path / "state", tmp_path / "dev.out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TLHOOKS_")}
    argv = [sys.executable, "-c", DEV_WITHOUT_REDIS, str(state), str(free_port()), str(free_port())]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: "Running. Press Ctrl-C" in log.read_text() or process.poll(), 90)
        output = log.read_text()
        assert "(private, data in" in output, output
        assert "handled by the built-in JSONL handler" in output
        assert (state / "redis" / "appendonlydir").is_dir()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)
    assert "Stopped." in log.read_text()
    leftovers = subprocess.run(["pgrep", "-f", str(state)], capture_output=True)
    assert leftovers.stdout == b""

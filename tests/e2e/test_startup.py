"""Bad configuration stops each process at start-up with a sentence naming what to fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.processes import ROOT

BIN = Path(sys.executable).parent


def run(argv: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TLHOOKS_")}
    return subprocess.run(
        argv,
        cwd=ROOT,
        env={**base, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_receiver_refuses_to_start_without_a_webhook_secret() -> None:
    done = run([str(BIN / "uvicorn"), "receiver.app:app", "--port", "0"])
    assert done.returncode != 0
    assert "set TLHOOKS_WEBHOOK_SECRETS" in done.stdout + done.stderr


def test_the_receiver_refuses_to_start_with_a_handler_module_it_cannot_import() -> None:
    done = run(
        [str(BIN / "uvicorn"), "receiver.app:app", "--port", "0"],
        TLHOOKS_WEBHOOK_SECRETS="s",
        TLHOOKS_HANDLERS="no_such.hooks",
    )
    assert done.returncode != 0
    assert "Cannot import handler module 'no_such.hooks'" in done.stdout + done.stderr


def test_the_worker_refuses_to_start_with_an_invalid_setting() -> None:
    done = run([str(BIN / "celery"), "-A", "workers.app", "worker"], TLHOOKS_MAX_ATTEMPTS="x")
    assert done.returncode != 0
    assert "TLHOOKS_MAX_ATTEMPTS" in done.stderr


def test_the_worker_refuses_to_start_without_an_api_key() -> None:
    done = run([str(BIN / "celery"), "-A", "workers.app", "worker"])
    assert done.returncode != 0
    assert "set TLHOOKS_API_KEY" in done.stdout + done.stderr


def test_the_cli_explains_itself() -> None:
    done = run([str(BIN / "tlhooks"), "--help"])
    assert done.returncode == 0
    for verb in ("dev", "emulator", "trigger"):
        assert verb in done.stdout


def test_beat_refuses_to_start_with_an_invalid_setting_and_says_it_is_beat() -> None:
    done = run([str(BIN / "celery"), "-A", "workers.app", "beat"], TLHOOKS_MAX_ATTEMPTS="x")
    assert done.returncode != 0
    assert "tlhooks beat cannot start: " in done.stderr
    assert "TLHOOKS_MAX_ATTEMPTS" in done.stderr
    assert "worker" not in done.stderr


def test_beat_refuses_to_start_when_its_state_dir_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    done = run(
        [str(BIN / "celery"), "-A", "workers.app", "beat"],
        TLHOOKS_STATE_DIR=str(blocker / "state"),
    )
    assert done.returncode != 0
    assert "tlhooks beat cannot start: Cannot create the state directory" in done.stderr
    assert "TLHOOKS_STATE_DIR" in done.stderr

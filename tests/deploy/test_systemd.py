"""deploy/systemd: the units pass ``systemd-analyze verify`` and run the Procfile's lines."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.procfile_lines import ROOT, procfile, without_local_options

UNITS = ROOT / "deploy" / "systemd"
ROLES = {"web": "tlhooks-web.service", "worker": "tlhooks-worker@.service",
         "beat": "tlhooks-beat.service"}  # fmt: skip


def exec_start(unit: str) -> list[str]:
    [line] = [x for x in (UNITS / unit).read_text().splitlines() if x.startswith("ExecStart=")]
    return shlex.split(line.removeprefix("ExecStart="))


@pytest.mark.parametrize("role", ROLES)
def test_each_unit_runs_its_procfile_line(role: str) -> None:
    assert without_local_options(exec_start(ROLES[role])) == without_local_options(procfile()[role])


def test_the_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian: apt-get install systemd)")
    env_file = tmp_path / "tlhooks.env"
    env_file.write_text("TLHOOKS_REDIS_URL=redis://127.0.0.1:6379/0\n")
    installed = []
    for unit in ROLES.values():
        text = (UNITS / unit).read_text()
        text = text.replace("/opt/tlhooks/.venv/bin", str(Path(sys.executable).parent))
        text = text.replace("/opt/tlhooks", str(ROOT)).replace(
            "/etc/tlhooks/tlhooks.env", str(env_file)
        )
        text = text.replace("User=tlhooks", "User=root")  # the one user every machine has
        name = unit.replace("@.", "@1.")  # a template is verified as an instance
        (tmp_path / name).write_text(text)
        installed.append(str(tmp_path / name))

    checked = subprocess.run(
        ["systemd-analyze", "verify", *installed], capture_output=True, text=True, check=False
    )

    assert checked.returncode == 0, checked.stderr
    assert "Unknown" not in checked.stderr

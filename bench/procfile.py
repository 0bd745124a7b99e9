"""ProcfileProcess: one line of the repository's Procfile, run as written (``sh -c "exec ..."``).

The end-to-end bench runs the receiver, the worker and beat exactly as a deployment does, so
their options, pool and concurrency are the Procfile's and the settings' defaults. Each runs in
the bench's scratch folder, where no ``.env`` is read and beat keeps its schedule file, with
the virtualenv's scripts first on PATH and the repository on PYTHONPATH for the bench handler.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from bench.stack import ROOT, bench_env
from tlhooks.processes import ManagedProcess

PROCFILE = ROOT / "Procfile"


def procfile_commands(path: Path = PROCFILE) -> dict[str, str]:
    """``{name: command}`` for every ``name: command`` line of a Procfile."""
    lines = path.read_text().splitlines()
    entries = (line.partition(":") for line in lines if line.strip() and not line.startswith("#"))
    return {name.strip(): command.strip() for name, _, command in entries}


class ProcfileProcess(ManagedProcess):
    """The Procfile's ``name:`` line as one process group, logging to ``workdir/name.log``."""

    def __init__(self, name: str, env: Mapping[str, str], workdir: Path) -> None:
        commands = procfile_commands()
        if name not in commands:
            raise ValueError(f"The Procfile has no {name}: line; it has {sorted(commands)}.")
        scripts = str(Path(sys.executable).parent)
        full_env = bench_env(env)
        full_env["PATH"] = os.pathsep.join(filter(None, [scripts, full_env.get("PATH")]))
        argv = ["sh", "-c", f"exec {commands[name]}"]
        super().__init__(name, argv, full_env, workdir / f"{name}.log", cwd=workdir)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

"""The Procfile's lines as argument lists, for checking that deployment files run the same."""

from __future__ import annotations

import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Options a deployment sets for its own place (where to listen, where beat keeps its state).
LOCAL_OPTIONS = {"--host": 1, "--port": 1, "--schedule": 1}


def procfile() -> dict[str, list[str]]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    roles = dict(line.split(":", 1) for line in lines if line.strip())
    return {role: shlex.split(command) for role, command in roles.items()}


def without_local_options(argv: list[str]) -> list[str]:
    """``argv`` without the program's folder and the options a deployment sets for itself."""
    kept, skip = [argv[0].rsplit("/", 1)[-1]], 0
    for arg in argv[1:]:
        if skip:
            skip -= 1
        elif arg in LOCAL_OPTIONS:
            skip = LOCAL_OPTIONS[arg]
        else:
            kept.append(arg)
    return kept

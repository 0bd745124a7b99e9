"""``python -m bench.pinned CPU -- PROGRAM ARGS...``: run a program pinned to one CPU.

The affinity is set before ``exec``, so every thread the program later starts inherits it.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[1] != "--":
        raise SystemExit("usage: python -m bench.pinned CPU -- PROGRAM [ARGS...]")
    os.sched_setaffinity(0, {int(argv[0])})
    os.execvp(argv[2], argv[2:])


if __name__ == "__main__":
    main(sys.argv[1:])

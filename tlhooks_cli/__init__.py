"""The ``tlhooks`` command: the top floor, the one package that imports every other.

``tlhooks/`` (settings, ledger, queue, validation, signing, ops) is the ground floor;
``handlers/`` stands on it; ``receiver/``, ``workers/`` and ``emulator/`` stand on those.
The command line wires them together, so it lives above all of them.
"""

from tlhooks_cli.main import main

__all__ = ["main"]

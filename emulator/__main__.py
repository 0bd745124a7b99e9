"""``python -m emulator``: run the emulator command on its own."""

from __future__ import annotations

from emulator.commands import emulator_command

if __name__ == "__main__":
    emulator_command(prog_name="python -m emulator")

"""The emulator's public names are a contract with the end-to-end tests."""

from __future__ import annotations

import emulator
from emulator import commands


def test_emulator_exports_exactly_its_library_api() -> None:
    assert emulator.__all__ == [
        "BackgroundServer",
        "EmulatorConfig",
        "EmulatorServer",
        "create_app",
    ]


def test_commands_are_click_commands_with_their_cli_names() -> None:
    assert (commands.emulator_command.name, commands.trigger_command.name) == (
        "emulator",
        "trigger",
    )

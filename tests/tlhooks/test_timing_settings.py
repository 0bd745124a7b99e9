"""The timing settings that crash recovery rests on, and the relation between them."""

from __future__ import annotations

import pytest

from tlhooks.errors import ConfigurationError
from tlhooks.settings import load_settings


def test_a_visibility_timeout_not_longer_than_the_lease_is_refused_naming_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TLHOOKS_VISIBILITY_TIMEOUT", "20")
    monkeypatch.setenv("TLHOOKS_LEASE_SECONDS", "20")
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    assert "TLHOOKS_VISIBILITY_TIMEOUT" in str(raised.value)
    assert "TLHOOKS_LEASE_SECONDS" in str(raised.value)


def test_a_long_lease_is_accepted_with_a_longer_visibility_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TLHOOKS_VISIBILITY_TIMEOUT", "120")
    monkeypatch.setenv("TLHOOKS_LEASE_SECONDS", "60")
    settings = load_settings()
    assert (settings.visibility_timeout, settings.lease_seconds) == (120, 60)


def test_the_defaults_bring_a_killed_run_back_within_fifteen_seconds() -> None:
    settings = load_settings()
    # a started run: its lease lapses, then the next sweep re-queues it
    assert settings.lease_seconds + settings.sweep_interval < 15
    # a message taken but not started: kombu restores it after the visibility timeout
    assert settings.visibility_timeout + settings.unacked_restore_interval < 15
    assert settings.outcome_write_timeout > 0

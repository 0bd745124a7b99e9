"""The Sentinel and replica-wait settings fail at start-up with one sentence naming the fix."""

from __future__ import annotations

import pytest

from tlhooks.errors import ConfigurationError
from tlhooks.settings import load_settings, secret_values

SENTINELS = "10.0.0.5:26379, sentinel-b:26380,[::1]:26381"


def test_sentinels_are_parsed_into_host_and_port_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TLHOOKS_REDIS_SENTINELS", SENTINELS)
    monkeypatch.setenv("TLHOOKS_REDIS_SENTINEL_MASTER", "tlhooks")
    settings = load_settings()
    assert settings.sentinel_addresses == [
        ("10.0.0.5", 26379),
        ("sentinel-b", 26380),
        ("::1", 26381),
    ]
    assert settings.redis_sentinel_master == "tlhooks"


def test_without_sentinels_nothing_goes_through_sentinel() -> None:
    settings = load_settings()
    assert (settings.redis_sentinels, settings.redis_sentinel_master) == ([], "")
    assert settings.redis_wait_replicas == 0


@pytest.mark.parametrize("entry", ["sentinel-b", "10.0.0.5:", ":26379", "a b:1", "h:99999", "h:x"])
def test_a_bad_sentinel_entry_is_named_with_its_variable(
    monkeypatch: pytest.MonkeyPatch, entry: str
) -> None:
    monkeypatch.setenv("TLHOOKS_REDIS_SENTINELS", f"10.0.0.5:26379,{entry}")
    monkeypatch.setenv("TLHOOKS_REDIS_SENTINEL_MASTER", "tlhooks")
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    message = str(raised.value)
    assert "TLHOOKS_REDIS_SENTINELS: must be comma-separated host:port pairs" in message
    assert repr(entry) in message


@pytest.mark.parametrize(
    "variables",
    [{"TLHOOKS_REDIS_SENTINELS": SENTINELS}, {"TLHOOKS_REDIS_SENTINEL_MASTER": "tlhooks"}],
)
def test_sentinels_and_their_master_name_go_together(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str]
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    assert "TLHOOKS_REDIS_SENTINELS and TLHOOKS_REDIS_SENTINEL_MASTER go together" in str(
        raised.value
    )


@pytest.mark.parametrize(
    ("variable", "url"),
    [
        ("TLHOOKS_REDIS_URL", "rediss://:secret@redis:6380/0"),
        ("TLHOOKS_BROKER_URL", "unix:///run/redis.sock"),
    ],
)
def test_through_sentinel_tls_and_unix_urls_are_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, url: str
) -> None:
    monkeypatch.setenv("TLHOOKS_REDIS_SENTINELS", SENTINELS)
    monkeypatch.setenv("TLHOOKS_REDIS_SENTINEL_MASTER", "tlhooks")
    monkeypatch.setenv(variable, url)
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    message = str(raised.value)
    assert f"{variable} must be a redis:// URL when TLHOOKS_REDIS_SENTINELS is set" in message
    assert "secret" not in message


def test_the_sentinel_password_is_a_secret_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(redis_sentinel_password="s3ntinel")
    assert "s3ntinel" in secret_values(settings)


def test_the_replica_wait_must_end_before_the_socket_and_intake_deadlines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TLHOOKS_REDIS_WAIT_REPLICAS", "1")
    monkeypatch.setenv("TLHOOKS_REDIS_WAIT_TIMEOUT", "2")
    with pytest.raises(ConfigurationError, match="TLHOOKS_REDIS_WAIT_TIMEOUT must be shorter"):
        load_settings()
    monkeypatch.setenv("TLHOOKS_REDIS_WAIT_TIMEOUT", "0.25")
    assert load_settings().redis_wait_timeout == 0.25

from __future__ import annotations

import pytest

from tlhooks.errors import ConfigurationError
from tlhooks.settings import load_settings


def test_defaults_match_the_documented_contract() -> None:
    settings = load_settings()
    assert settings.api_base_url == "https://api.twelvelabs.io/v1.3"
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.effective_broker_url == settings.redis_url
    assert (settings.max_attempts, settings.retry_base_delay, settings.retry_max_delay) == (
        8,
        2.0,
        600.0,
    )
    assert settings.signature_tolerance == 300
    assert settings.max_body_bytes == 1024 * 1024
    assert settings.api_rate_limit == 60  # the lowest tier's requests per minute


def test_comma_separated_lists_are_split_and_trimmed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TLHOOKS_WEBHOOK_SECRETS", "whsec_new, whsec_old ,")
    monkeypatch.setenv("TLHOOKS_HANDLERS", "app.hooks,other.hooks")
    settings = load_settings()
    assert settings.webhook_secrets == ["whsec_new", "whsec_old"]
    assert settings.handlers == ["app.hooks", "other.hooks"]


def test_a_broker_url_overrides_the_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TLHOOKS_BROKER_URL", "redis://127.0.0.1:6379/3")
    assert load_settings().effective_broker_url == "redis://127.0.0.1:6379/3"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TLHOOKS_MAX_ATTEMPTS", "many"),
        ("TLHOOKS_MAX_ATTEMPTS", "0"),
        ("TLHOOKS_SIGNATURE_TOLERANCE", "-1"),
        ("TLHOOKS_API_BASE_URL", "ftp://example"),
        ("TLHOOKS_RETRY_BASE_DELAY", "0"),
        ("TLHOOKS_WORKER_POOL", "gevent"),
        ("TLHOOKS_API_RATE_LIMIT", "lots"),
        ("TLHOOKS_API_RATE_LIMIT", "-5"),
    ],
)
def test_a_bad_value_fails_with_a_sentence_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=variable):
        load_settings()


def test_a_max_delay_below_the_base_delay_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TLHOOKS_RETRY_MAX_DELAY", "1")
    with pytest.raises(ConfigurationError, match="TLHOOKS_RETRY_MAX_DELAY"):
        load_settings()


def test_the_receiver_requires_a_secret_and_says_how_to_set_it() -> None:
    with pytest.raises(ConfigurationError, match="set TLHOOKS_WEBHOOK_SECRETS"):
        load_settings().require_webhook_secrets()


def test_workers_require_an_api_key_and_say_how_to_set_it() -> None:
    with pytest.raises(ConfigurationError, match="set TLHOOKS_API_KEY"):
        load_settings().require_api_key()


def test_a_dotenv_file_is_read(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / ".env").write_text("TLHOOKS_MAX_ATTEMPTS=4\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings().max_attempts == 4


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TLHOOKS_REDIS_URL", "redis://:s3cret-pw@127.0.0.1:notaport/0"),
        ("TLHOOKS_BROKER_URL", "nosuchtransport://guest:s3cret-pw@127.0.0.1//"),
    ],
)
def test_a_rejected_url_is_named_without_its_password(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert variable in str(caught.value)
    assert "s3cret-pw" not in str(caught.value)
    assert ":***@" in str(caught.value)


def test_a_rejected_secret_is_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(admin_token=["not", "a", "string", "s3cret-token"])
    assert "TLHOOKS_ADMIN_TOKEN" in str(caught.value)
    assert "s3cret-token" not in str(caught.value)

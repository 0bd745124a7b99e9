from __future__ import annotations

from collections.abc import Callable

import pytest

from tlhooks.errors import (
    SignatureExpired,
    SignatureInvalid,
    SignatureMalformed,
    SignatureMismatch,
    SignatureMissing,
)
from tlhooks.signing import SignatureVerifier, compute, parse_header, sign

# The test vector of the Twelve Labs facts document, section 7.D.
VECTOR_BODY = (
    b'{"id":"whe_3f9a1c7e5b2d4068a1c9e7f3b5d20486","created_at":"2026-08-01T09:14:05.812Z",'
    b'"type":"analyze.task.ready","data":{"id":"68ab41c2e5f1d93a7c2b0e14",'
    b'"custom_id":"cam-a_20260801T0900Z","status":"ready"}}'
)
VECTOR_HEADER = "t=1785575645,v1=76a0cb47a8fe7e2f3bf427b6ee8bf7f8817ff100793f304c35d0cb097f938f36"
VECTOR_TIME = 1785575645


def test_the_documented_test_vector_verifies() -> None:
    verifier = SignatureVerifier(["whsec_test_only"])
    assert verifier.verify(VECTOR_HEADER, VECTOR_BODY, now=VECTOR_TIME) == VECTOR_TIME


def test_sign_produces_the_documented_header() -> None:
    assert sign("whsec_test_only", VECTOR_BODY, VECTOR_TIME) == VECTOR_HEADER


def test_any_configured_secret_verifies_during_rotation() -> None:
    verifier = SignatureVerifier(["whsec_new", "whsec_test_only"])
    verifier.verify(VECTOR_HEADER, VECTOR_BODY, now=VECTOR_TIME)


def test_one_matching_v1_among_several_suffices() -> None:
    header = (
        f"t={VECTOR_TIME},v1={'0' * 64},v1={compute('whsec_test_only', VECTOR_TIME, VECTOR_BODY)}"
    )
    SignatureVerifier(["whsec_test_only"]).verify(header, VECTOR_BODY, now=VECTOR_TIME)


def test_a_changed_body_does_not_verify() -> None:
    with pytest.raises(SignatureMismatch):
        SignatureVerifier(["whsec_test_only"]).verify(
            VECTOR_HEADER, VECTOR_BODY + b" ", now=VECTOR_TIME
        )


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_timestamp_outside_the_tolerance_in_either_direction_is_expired(skew: int) -> None:
    with pytest.raises(SignatureExpired):
        SignatureVerifier(["whsec_test_only"], tolerance=300).verify(
            VECTOR_HEADER, VECTOR_BODY, now=VECTOR_TIME + skew
        )


def test_a_timestamp_at_the_edge_of_the_tolerance_verifies() -> None:
    SignatureVerifier(["whsec_test_only"], tolerance=300).verify(
        VECTOR_HEADER, VECTOR_BODY, now=VECTOR_TIME + 300
    )


@pytest.mark.parametrize("header", [None, ""])
def test_a_missing_header_is_reported_as_missing(header: str | None) -> None:
    with pytest.raises(SignatureMissing):
        SignatureVerifier(["s"]).verify(header, b"{}")


@pytest.mark.parametrize(
    "header",
    [
        "garbage",
        "t=abc,v1=" + "0" * 64,
        "v1=" + "0" * 64,
        "t=1",
        "t=1,t=2,v1=" + "0" * 64,
        "t=1,v1=zz",
        "t=1,v1=" + "é" * 64,
        "t=1,v1=" + "0" * 5000,
    ],
)
def test_a_malformed_header_is_reported_as_malformed(header: str) -> None:
    with pytest.raises(SignatureMalformed):
        parse_header(header)


def test_every_signature_failure_is_a_signature_invalid_with_status_401() -> None:
    for error in (SignatureMissing, SignatureMalformed, SignatureMismatch, SignatureExpired):
        assert issubclass(error, SignatureInvalid)
        assert error.status_code == 401


def _forged(signature: str, position: int) -> str:
    """``signature`` with the hex digit at ``position`` changed, every other one kept."""
    changed = "0" if signature[position] != "0" else "1"
    return signature[:position] + changed + signature[position + 1 :]


ROTATION = ["whsec_new", "whsec_test_only"]


@pytest.mark.parametrize("secret", ROTATION)
@pytest.mark.parametrize("position", [63, 32, 8])
def test_a_forgery_sharing_all_but_one_hex_digit_with_each_rotated_secret_does_not_verify(
    secret: str, position: int
) -> None:
    right = compute(secret, VECTOR_TIME, VECTOR_BODY)
    header = f"t={VECTOR_TIME},v1={_forged(right, position)}"
    with pytest.raises(SignatureMismatch):
        SignatureVerifier(ROTATION).verify(header, VECTOR_BODY, now=VECTOR_TIME)


def test_several_near_miss_forgeries_together_do_not_verify() -> None:
    near_misses = [_forged(compute(secret, VECTOR_TIME, VECTOR_BODY), 63) for secret in ROTATION]
    header = f"t={VECTOR_TIME}," + ",".join(f"v1={value}" for value in near_misses)
    with pytest.raises(SignatureMismatch):
        SignatureVerifier(ROTATION).verify(header, VECTOR_BODY, now=VECTOR_TIME)


@pytest.mark.parametrize(
    "reshape",
    [
        pytest.param(lambda right: right[:-1], id="last-digit-cut"),
        pytest.param(lambda right: right[:8], id="first-8-digits-only"),
        pytest.param(lambda right: right + "0", id="one-digit-appended"),
        pytest.param(lambda right: right + right, id="doubled"),
    ],
)
def test_the_right_signature_truncated_or_extended_does_not_verify(
    reshape: Callable[[str], str],
) -> None:
    right = compute("whsec_test_only", VECTOR_TIME, VECTOR_BODY)
    header = f"t={VECTOR_TIME},v1={reshape(right)}"
    with pytest.raises(SignatureMalformed):
        SignatureVerifier(ROTATION).verify(header, VECTOR_BODY, now=VECTOR_TIME)


# Found by mutation testing (docs/mutation.md): each test below failed on a mutant that the
# tests above let through.


def test_a_header_signed_now_verifies_now() -> None:
    header = sign("whsec_now", b"{}")  # no timestamp given: the current time
    SignatureVerifier(["whsec_now"]).verify(header, b"{}")  # no clock given: the current time


def test_the_default_tolerance_is_five_minutes() -> None:
    verifier = SignatureVerifier(["whsec_test_only"])
    verifier.verify(VECTOR_HEADER, VECTOR_BODY, now=VECTOR_TIME + 300)
    with pytest.raises(SignatureExpired):
        verifier.verify(VECTOR_HEADER, VECTOR_BODY, now=VECTOR_TIME + 301)


def test_a_header_of_exactly_the_maximum_length_is_parsed() -> None:
    padding = ",x=" + "a" * (4096 - len(VECTOR_HEADER) - 3)
    header = VECTOR_HEADER + padding
    assert len(header) == 4096
    assert parse_header(header) == (VECTOR_TIME, [VECTOR_HEADER.split("v1=")[1]])
    with pytest.raises(SignatureMalformed):
        parse_header(header + "a")


def test_sixteen_v1_values_are_allowed_and_seventeen_are_not() -> None:
    others = ",".join(f"v1={index:064x}" for index in range(15))
    verifier = SignatureVerifier(["whsec_test_only"])
    verifier.verify(f"{VECTOR_HEADER},{others}", VECTOR_BODY, now=VECTOR_TIME)
    with pytest.raises(SignatureMalformed):
        parse_header(f"{VECTOR_HEADER},{others},v1={99:064x}")


def test_an_element_without_an_equals_sign_is_malformed() -> None:
    with pytest.raises(SignatureMalformed):
        parse_header(f"{VECTOR_HEADER},v0")


@pytest.mark.parametrize("element", ["v0=abc=", "Xt=1", "k=base64+/=="])
def test_unknown_elements_are_ignored_whatever_their_value_or_key(element: str) -> None:
    verifier = SignatureVerifier(["whsec_test_only"])
    assert verifier.verify(f"{VECTOR_HEADER},{element}", VECTOR_BODY, now=VECTOR_TIME)


def test_a_match_is_not_undone_by_a_later_signature_or_secret_that_does_not_match() -> None:
    verifier = SignatureVerifier(["whsec_test_only", "whsec_new"])  # the match comes first
    later = f"{VECTOR_HEADER},v1={'0' * 64}"
    assert verifier.verify(later, VECTOR_BODY, now=VECTOR_TIME) == VECTOR_TIME

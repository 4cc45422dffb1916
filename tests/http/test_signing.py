"""The ingest v2 canonical string, signer and header checks (no server needed)."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etstats.errors import ConfigError
from etstats.ingest.signing import (
    Refusal,
    SignedUpload,
    canonical,
    check_headers,
    parse_secrets,
    sign_upload,
)

KEYS = {"eu1": ("new-key", "old-key")}


def test_canonical_string_is_the_documented_one() -> None:
    digest = hashlib.sha256(b"body").hexdigest()
    assert canonical("eu1", "1767225600", "a.txt", digest) == (
        b"etstats-ingest-v2\neu1\n1767225600\na.txt\n" + digest.encode()
    )
    headers = sign_upload("k", "eu1", "a.txt", b"body", now=1767225600)
    expected = hmac.new(b"k", canonical("eu1", "1767225600", "a.txt", digest), hashlib.sha256)
    assert headers["X-Etstats-Signature"] == "sha256=" + expected.hexdigest()
    assert headers["X-Etstats-Content-SHA256"] == digest
    assert headers["Content-Length"] == "4"


def test_a_signed_upload_passes_with_either_rotation_key() -> None:
    for key in KEYS["eu1"]:
        headers = sign_upload(key, "eu1", "a.txt", b"body", now=1000)
        checked = check_headers(headers, KEYS, now=1010, max_body_bytes=10)
        assert checked == SignedUpload("eu1", 1000, "a.txt", hashlib.sha256(b"body").hexdigest(), 4)


def test_lower_case_header_mappings_work() -> None:
    headers = {k.lower(): v for k, v in sign_upload("new-key", "eu1", "a", b"", now=5).items()}
    assert isinstance(check_headers(headers, KEYS, now=5, max_body_bytes=10), SignedUpload)


def test_secrets_rotation_format() -> None:
    assert parse_secrets("eu1=a=b, us1=c,eu1=d") == {"eu1": ("a=b", "d"), "us1": ("c",)}
    with pytest.raises(ConfigError):
        parse_secrets("no-equals-sign")
    with pytest.raises(ConfigError) as info:
        parse_secrets("eu1=one,eu1=two,eu1=three")
    assert "three" not in str(info.value)  # secrets are never in messages


header_text = st.text(st.characters(min_codepoint=0, max_codepoint=0x2FF), max_size=80)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "X-Etstats-Server",
                "X-Etstats-Timestamp",
                "X-Etstats-Filename",
                "X-Etstats-Content-SHA256",
                "X-Etstats-Signature",
                "Content-Length",
            ]
        ),
        st.one_of(header_text, st.from_regex(r"[0-9]{1,40}", fullmatch=True)),
    ),
    st.floats(min_value=0, max_value=4e9),
)
def test_any_headers_give_a_refusal_never_an_exception(headers: dict[str, str], now: float) -> None:
    out = check_headers(headers, KEYS, now=now, max_body_bytes=1000)
    assert isinstance(out, Refusal)  # nothing random carries a valid MAC
    assert out.status in (400, 401, 411, 413)
    for value in headers.values():
        if len(value) > 3:
            assert value not in out.detail

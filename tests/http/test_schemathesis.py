"""schemathesis over every route of the OpenAPI document, with all its checks, against a real
uvicorn server on 127.0.0.1. Upload requests are signed over the body schemathesis generated
(a requests session that signs just before sending); diagnostics carry the API key."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from tests.http.live import live_server

from etstats.ingest.signing import sign_upload
from etstats_fastapi.app import create_app

KEY = "fuzz-ingest-key"
API_KEY = "fuzz-api-key"
UPLOADS = ("/v1/ingest", "/v1/heartbeat")
"""Signed routes: any bytes are schema-valid, only real artifacts / heartbeat JSON accepted."""


class SigningSession(requests.Session):
    """Adds the API key to every request and signs uploads over their prepared body."""

    def send(self, request: Any, **kwargs: Any) -> Any:
        request.headers["X-API-Key"] = API_KEY
        if request.method == "POST" and request.path_url.startswith(UPLOADS):
            body = request.body or b""
            if isinstance(body, str):
                body = body.encode("utf-8")
            name = (
                "heartbeat.json"
                if request.path_url.startswith("/v1/heartbeat")
                else f"fuzz-{hashlib.sha256(body).hexdigest()[:12]}.txt"
            )
            request.headers.update(sign_upload(KEY, "fuzz", name, body))
            request.body = body
        return super().send(request, **kwargs)


@pytest.fixture(scope="module")
def base_url(season_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import shutil

    db = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    shutil.copy(season_db, db)  # the fuzzer writes: keep the shared store untouched
    app = create_app(db_url=str(db), secrets={"fuzz": (KEY,)}, api_keys=(API_KEY,))
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def api_schema(base_url: str) -> Any:
    return schemathesis.openapi.from_url(f"{base_url}/openapi.json")


@pytest.fixture(scope="module")
def signing_session() -> Iterator[Any]:
    with SigningSession() as s:
        yield s


def test_every_route_conforms(api_schema: Any, signing_session: Any, base_url: str) -> None:
    """One Hypothesis run per operation (schemathesis' pytest plugin does not load under this
    pytest, so the operations are walked here); every check runs on every response."""
    from hypothesis import given

    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    failures: list[str] = []
    for operation in operations:
        # Any bytes are a schema-valid upload, but only real artifacts are accepted: a
        # well-signed PNG is archived as rejected (422) by design, so "valid data is accepted"
        # does not apply to the upload route. Every other check still runs on it.
        # Any bytes are a schema-valid upload, but only real artifacts are accepted: a
        # well-signed PNG is archived as rejected (422) by design, so "valid data accepted"
        # does not apply to the upload route. Every other check still runs on it.

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def run(case: Any) -> None:
            upload = case.operation.path in UPLOADS
            excluded = [schemathesis.checks.positive_data_acceptance] if upload else []
            case.call_and_validate(
                session=signing_session, base_url=base_url, excluded_checks=excluded
            )

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
    assert failures == [], "\n\n".join(failures)

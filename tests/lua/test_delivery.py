"""Delivery of gametimes files by lua/etstats.lua through its on-disk outbox.

Real parts only: the script runs under lupa (Lua 5.4) with its real ``os.execute`` launching
real ``curl`` against a real HTTP server on 127.0.0.1 that answers 200/400/429/500 or drops
the connection. Signatures are checked with the receiver's own signed-ingest-v2 header check.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest
from tests.lua import delivery_fixtures as fx
from tests.lua.delivery_fixtures import GUID_A, GUID_B, SECRET

from etstats.ingest import signing

pytestmark = pytest.mark.lua


@pytest.fixture(autouse=True)
def _curl() -> None:
    fx.need_curl()


def assert_signed_v2(headers: Mapping[str, str], body: bytes, filename: str) -> None:
    """The headers are exactly the signed ingest v2 contract, checked with the receiver's own
    header check (``etstats.ingest.signing.check_headers``) at the attempt's time."""
    assert headers["X-Etstats-Filename"] == filename
    assert headers["X-Etstats-Content-SHA256"] == hashlib.sha256(body).hexdigest()
    stamp = int(headers["X-Etstats-Timestamp"])
    lower = {k.lower(): v for k, v in headers.items()}
    ok = signing.check_headers(lower, {"srv-1": (SECRET,)}, now=stamp, max_body_bytes=1 << 20)
    assert isinstance(ok, signing.SignedUpload), ok
    forged = dict(lower, **{"x-etstats-filename": "other.json"})
    assert isinstance(
        signing.check_headers(forged, {"srv-1": (SECRET,)}, now=stamp, max_body_bytes=1 << 20),
        signing.Refusal,
    )


def play_round(fake: fx.FakeEt) -> Path:
    """A short round with two players and one enemy kill; returns the gametimes file."""
    fake.call("et_InitGame", fake.level_ms, 1, 0)  # the warmup VM
    fake.start_round()
    fake.add_client(0, GUID_A, "^1Axis", 1)
    fake.add_client(1, GUID_B, "^4Allies", 2)
    for _ in range(20):
        fake.frame()
    fake.call("et_Obituary", 0, 1, 8)
    for _ in range(20):
        fake.frame()
    fake.end_round()
    files = fake.gametimes_files()
    assert len(files) == 1
    return files[0]


def http_config(url: str) -> str:
    return (
        "return {\n"
        f'  http_targets = {{ {{ url = "{url}/ingest", server_id = "srv-1", '
        f'secret = "{SECRET}" }} }},\n'
        "  heartbeat_seconds = 0,\n"  # heartbeats: tests/lua/test_heartbeat.py
        "}\n"
    )


def drive(fake: fx.FakeEt, start: int, *, rounds: int = 12) -> int:
    """Sweep repeatedly, jumping the outbox clock past any backoff; entries left at the end."""
    left = -1
    for step in range(1, rounds + 1):
        left = fx.settle(fake, start + step * 1000)
        if left == 0:
            break
    return left


def test_success_is_delivered_once_with_a_valid_signature(tmp_path: Path) -> None:
    with fx.recording_server() as server:
        fake = fx.FakeEt(tmp_path)
        fx.write_config(fake, http_config(server.url))
        path = play_round(fake)
        now = int(fake.lua.eval("os.time()"))
        assert drive(fake, now) == 0
        for step in range(3):  # later sweeps never resend
            fx.settle(fake, now + 5000 + step)
    assert len(server.requests) == 1
    route, headers, body, _ = server.requests[0]
    assert route == "/ingest"
    assert body == path.read_bytes()
    assert headers["X-Etstats-Server"] == "srv-1"
    assert_signed_v2(headers, body, path.name)
    outbox = Path(fake.module.outbox_dir())
    assert sorted(p.name for p in outbox.iterdir()) == ["index"]


def test_retries_after_429_500_and_a_dropped_connection(tmp_path: Path) -> None:
    with fx.recording_server() as server:
        server.plan = [429, 500, "drop", 503, 200]
        fake = fx.FakeEt(tmp_path)
        fx.write_config(fake, http_config(server.url))
        path = play_round(fake)
        now = int(fake.lua.eval("os.time()"))
        assert drive(fake, now, rounds=40) == 0
        fx.settle(fake, now + 100_000)
    assert [r[3] for r in server.requests] == [429, 500, "drop", 503, 200]
    assert {r[2] for r in server.requests} == {path.read_bytes()}
    retry_lines = [line for line in fake.console if "will retry" in line]
    assert len(retry_lines) == 1


def test_backoff_defers_the_next_attempt(tmp_path: Path) -> None:
    with fx.recording_server() as server:
        server.plan = [500, 200]
        fake = fx.FakeEt(tmp_path)
        fx.write_config(fake, http_config(server.url))
        play_round(fake)
        now = int(fake.lua.eval("os.time()"))
        assert fx.settle(fake, now) == 1  # 500 settled, retry scheduled 5 s later
        assert fx.settle(fake, now + 1) == 1  # too early: nothing launched
        assert len(server.requests) == 1
        assert drive(fake, now + 10) == 0
    assert len(server.requests) == 2


def test_400_moves_the_body_to_failed_and_logs_once(tmp_path: Path) -> None:
    with fx.recording_server() as server:
        server.plan = [400]
        fake = fx.FakeEt(tmp_path)
        fx.write_config(fake, http_config(server.url))
        path = play_round(fake)
        now = int(fake.lua.eval("os.time()"))
        assert fx.settle(fake, now) == 0
        for step in range(3):
            fx.settle(fake, now + 1000 * (step + 1))
    assert len(server.requests) == 1
    failed = Path(fake.module.outbox_dir()) / "failed"
    bodies = list(failed.glob("*.body"))
    assert [b.read_bytes() for b in bodies] == [path.read_bytes()]
    reason = sorted(failed.glob("*.reason"))[0].read_text()
    assert "HTTP 400" in reason
    assert not list(failed.parent.glob("*.curl"))  # the signed request (with its URL) is gone
    assert len([line for line in fake.console if "FAILED permanently" in line]) == 1


def test_nothing_is_lost_while_the_target_is_down(tmp_path: Path) -> None:
    port = fx.free_port()
    fake = fx.FakeEt(tmp_path)
    fx.write_config(fake, http_config(f"http://127.0.0.1:{port}"))
    path = play_round(fake)
    now = int(fake.lua.eval("os.time()"))
    for step in range(3):  # connection refused: HTTP status 000, kept for retry
        assert fx.settle(fake, now + 1000 * step) == 1
    entry = fake.module.ob_entries()[1]
    assert entry.attempts >= 2
    # the game server restarts the map: a new VM picks the outbox up from disk
    fake2 = fx.FakeEt(tmp_path)
    with fx.recording_server(port) as server:
        fake2.call("et_InitGame", fake2.level_ms, 1, 0)
        assert drive(fake2, now + 10_000, rounds=20) == 0
    assert [r[2] for r in server.requests] == [path.read_bytes()]


def test_an_attempt_in_flight_across_a_vm_reload_is_not_duplicated(tmp_path: Path) -> None:
    with fx.recording_server() as server:
        fake = fx.FakeEt(tmp_path)
        fx.write_config(fake, http_config(server.url))
        play_round(fake)  # launched at the round end; the VM dies before the next sweep
        fake2 = fx.FakeEt(tmp_path)
        fake2.call("et_InitGame", fake2.level_ms, 1, 0)
        now = int(fake2.lua.eval("os.time()"))
        assert drive(fake2, now) == 0
        fx.settle(fake2, now + 50_000)
    assert len(server.requests) == 1


def test_discord_gets_a_guarded_embed_and_the_file(tmp_path: Path) -> None:
    with fx.recording_server() as server:
        fake = fx.FakeEt(tmp_path)
        fx.write_config(
            fake, f'return {{ discord_webhook_urls = {{ "{server.url}/api/webhooks/1/tok" }} }}\n'
        )
        path = play_round(fake)
        now = int(fake.lua.eval("os.time()"))
        assert drive(fake, now) == 0
    assert len(server.requests) == 1
    route, headers, body, _ = server.requests[0]
    assert route == "/api/webhooks/1/tok"
    assert headers["Content-Type"].startswith("multipart/form-data")
    assert path.read_bytes() in body
    start = body.index(b"{", body.index(b'name="payload_json"'))
    payload, _ = json.JSONDecoder().raw_decode(body[start:].decode("utf-8"))
    embed = payload["embeds"][0]
    assert len(embed["fields"]) <= 25
    assert all(len(f["value"]) <= 1024 for f in embed["fields"])
    assert payload["allowed_mentions"] == {"parse": []}
    assert "tok" not in "".join(fake.console)  # webhook tokens are never printed


def test_malformed_config_fails_closed_with_one_line(tmp_path: Path) -> None:
    fake = fx.FakeEt(tmp_path)
    fx.write_config(fake, 'return { discord_webhook_url = "https://x" }\n')  # typo'd key
    play_round(fake)
    lines = [line for line in fake.console if line.startswith("etstats: v")]
    assert len(lines) == 2  # the warmup VM and the round VM each say it once
    assert "unknown key 'discord_webhook_url'" in lines[0]
    assert "delivery DISABLED" in lines[0]
    assert not Path(fake.module.outbox_dir()).exists()


def test_missing_curl_is_a_retryable_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("mv", "mkdir", "perl", "timeout", "setsid"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    monkeypatch.setenv("PATH", str(bin_dir))  # a server without curl on its PATH
    fake = fx.FakeEt(tmp_path / "home")
    fx.write_config(fake, http_config("http://127.0.0.1:9"))
    path = play_round(fake)
    now = int(fake.lua.eval("os.time()"))
    assert fx.settle(fake, now) == 1
    entry = fake.module.ob_entries()[1]
    assert (entry.state, entry.attempts) == ("pending", 1)
    body = Path(fake.module.outbox_dir()) / f"{entry.id}.body"
    assert body.read_bytes() == path.read_bytes()  # kept for the next attempt
    assert any("is curl installed" in line for line in fake.console)


def test_orphaned_and_malformed_index_lines_are_dropped(tmp_path: Path) -> None:
    fake = fx.FakeEt(tmp_path)
    fx.write_config(fake, http_config("http://127.0.0.1:9"))
    outbox = Path(fake.module.outbox_dir())
    outbox.mkdir(parents=True)
    (outbox / "index").write_text("garbage line\nx.http-1\tpending\t0\t0\t0\t0\thttp:a\n")
    fake.call("et_InitGame", fake.level_ms, 1, 0)
    assert len(fake.module.ob_entries()) == 0
    warnings = [line for line in fake.console if "WARNING" in line]
    assert any("malformed" in w for w in warnings)
    assert any("no body file" in w for w in warnings)


def big_round(fake: fx.FakeEt) -> None:
    """A round whose file is large (many deaths), so signing spans several frames."""
    fake.call("et_InitGame", fake.level_ms, 1, 0)
    fake.start_round()
    fake.add_client(0, GUID_A, "^1Axis", 1)
    fake.add_client(1, GUID_B, "^4Allies", 2)
    for _ in range(400):
        fake.call("et_Obituary", 0, 1, 8)
        fake.frame()
        fake.call("et_ClientSpawn", 0, 0, 0, 1)
    fake.end_round()


def test_signing_a_large_file_is_spread_over_frames(tmp_path: Path) -> None:
    with fx.recording_server() as server:
        fake = fx.FakeEt(tmp_path)
        fx.write_config(fake, http_config(server.url))
        big_round(fake)
        path = fake.gametimes_files()[0]
        assert path.stat().st_size > 64 * 1024
        assert fake.module.pending_signatures() == 1  # the round-end frame did not sign it all
        frames = 0
        while fake.module.pending_signatures() > 0:
            fake.frame()
            frames += 1
        assert frames >= 3
        now = int(fake.lua.eval("os.time()"))
        assert drive(fake, now) == 0
    _, headers, body, _ = server.requests[0]
    assert body == path.read_bytes()
    assert_signed_v2(headers, body, path.name)


def test_shutdown_finishes_pending_signatures(tmp_path: Path) -> None:
    with fx.recording_server() as server:
        fake = fx.FakeEt(tmp_path)
        fx.write_config(fake, http_config(server.url))
        big_round(fake)
        assert fake.module.pending_signatures() == 1
        fake.call("et_ShutdownGame", 1)  # map_restart right after the round end
        assert fake.module.pending_signatures() == 0
        fake2 = fx.FakeEt(tmp_path)
        fake2.call("et_InitGame", fake2.level_ms, 1, 0)
        now = int(fake2.lua.eval("os.time()"))
        assert drive(fake2, now) == 0
    assert len(server.requests) == 1

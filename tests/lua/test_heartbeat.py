"""The signed heartbeat of lua/etstats.lua (docs/lua.md, "Heartbeat") under lupa (Lua 5.4):
its interval (kept across VMs in a cvar), the player count, the signature the receiver
checks, one entry per target while the target is down, and the real ``etstats serve``
storing it (real curl, uvicorn on 127.0.0.1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.http.live import live_server
from tests.lua import delivery_fixtures as fx
from tests.lua.delivery_fixtures import GUID_A, GUID_B, SECRET

from etstats.ingest import signing
from etstats.storage.sqlite import SQLiteStorage
from etstats_fastapi.app import create_app

pytestmark = pytest.mark.lua


@pytest.fixture(autouse=True)
def _curl() -> None:
    fx.need_curl()


def config(url: str, extra: str = "") -> str:
    return (
        "return {\n"
        f'  http_targets = {{ {{ url = "{url}/v1/ingest", server_id = "srv-1", '
        f'secret = "{SECRET}" }} }},\n{extra}'
        "}\n"
    )


def loaded(home: Path, url: str, extra: str = "") -> fx.FakeEt:
    fake = fx.FakeEt(home)
    fx.write_config(fake, config(url, extra))
    fake.call("et_InitGame", fake.level_ms, 1, 0)  # a warmup VM: no round needed
    return fake


def heartbeats(server: fx.RecordingServer) -> list[tuple[dict[str, str], dict[str, object]]]:
    return [
        (headers, json.loads(body))
        for route, headers, body, _ in server.requests
        if route == "/v1/heartbeat"
    ]


def test_a_heartbeat_counts_connected_humans_and_is_signed(tmp_path: Path) -> None:
    with fx.recording_server() as server:
        fake = loaded(tmp_path, server.url)
        fake.add_client(0, GUID_A, "^1Axis", 1)
        fake.add_client(1, GUID_B, "^4Allies", 3)  # a spectator is a player too
        fake.add_client(2, "OMNIBOT00000000", "[BOT]Omni", 2)  # bots have no cl_guid
        fake.userinfo[3] = f"\\name\\late\\cl_guid\\{GUID_A[::-1]}"
        fake.fields[3] = {"pers.connected": 1}  # still connecting
        for _ in range(101):  # 5 s of frames: the first sweep sends the first heartbeat
            fake.frame()
        now = int(fake.lua.eval("os.time()"))
        assert fx.settle(fake, now) == 0
    [(headers, doc)] = heartbeats(server)
    assert doc["type"] == "heartbeat"
    assert doc["players"] == 2
    assert doc["map"] == "supply"
    assert abs(int(str(doc["sent_unix"])) - now) <= 5
    lower = {k.lower(): v for k, v in headers.items()}
    ok = signing.check_headers(
        lower, {"srv-1": (SECRET,)}, now=int(headers["X-Etstats-Timestamp"]), max_body_bytes=4096
    )
    assert isinstance(ok, signing.SignedUpload), ok
    assert ok.filename == "heartbeat.json"
    assert ok.server == "srv-1"


def test_the_interval_holds_across_vm_restarts(tmp_path: Path) -> None:
    with fx.recording_server() as server:
        fake = loaded(tmp_path, server.url, "  heartbeat_seconds = 120,\n")
        t0 = 1_800_000_000
        sent = [bool(fake.module.heartbeat_due(t0 + s)) for s in (0, 60, 119, 120, 200, 240)]
        assert sent == [True, False, False, True, False, True]
        # map_restart: a new VM, the same cvars; the last heartbeat is remembered
        fake2 = fx.FakeEt(tmp_path)
        fake2.cvars.update({k: v for k, v in fake.cvars.items() if k.startswith("etstats_")})
        fake2.call("et_InitGame", fake2.level_ms, 1, 0)
        assert not fake2.module.heartbeat_due(t0 + 300)
        assert fake2.module.heartbeat_due(t0 + 360)


def test_a_refused_heartbeat_is_dropped_not_archived(tmp_path: Path) -> None:
    with fx.recording_server() as server:
        server.plan = [404]
        fake = loaded(tmp_path, server.url)
        now = int(fake.lua.eval("os.time()"))
        assert fake.module.heartbeat_due(now)
        fx.settle(fake, now)
        assert fx.settle(fake, now + 1) == 0
    outbox = Path(fake.module.outbox_dir())
    assert not (outbox / "failed").exists()
    assert sum("heartbeat" in line and "dropped" in line for line in fake.console) == 1


def test_heartbeats_can_be_switched_off_and_bad_intervals_fail_closed(tmp_path: Path) -> None:
    with fx.recording_server() as server:
        fake = loaded(tmp_path, server.url, "  heartbeat_seconds = 0,\n")
        assert not fake.module.heartbeat_due(1_800_000_000)
        for _ in range(200):
            fake.frame()
    assert heartbeats(server) == []
    bad = fx.FakeEt(tmp_path / "bad")
    fx.write_config(bad, config("http://127.0.0.1:9", "  heartbeat_seconds = 5,\n"))
    bad.call("et_InitGame", bad.level_ms, 1, 0)
    assert any("heartbeat_seconds" in line and "DISABLED" in line for line in bad.console)


def test_a_target_that_is_down_keeps_one_heartbeat_the_newest(tmp_path: Path) -> None:
    port = fx.free_port()
    fake = loaded(tmp_path, f"http://127.0.0.1:{port}")
    t0 = int(fake.lua.eval("os.time()"))
    for step in range(6):  # half an hour of heartbeats while the receiver is down
        fake.module.heartbeat_due(t0 + 300 * step)
        fx.settle(fake, t0 + 300 * step)
    entries = [e.id for e in fake.module.ob_entries().values()]
    assert entries == [entries[0]]
    assert entries[0].startswith("heartbeat.http-")
    body = (Path(fake.module.outbox_dir()) / f"{entries[0]}.body").read_bytes()
    kept = json.loads(body)["sent_unix"]
    assert kept >= t0 + 1200  # a newer beat replaced the stale one (one in flight is kept)
    with fx.recording_server(port) as server:
        for step in range(1, 30):
            if fx.settle(fake, t0 + 1500 + 600 * step) == 0:
                break
    assert [doc["sent_unix"] for _, doc in heartbeats(server)] == [kept]


def test_etstats_serve_stores_the_heartbeat(tmp_path: Path) -> None:
    db = tmp_path / "serve.db"
    app = create_app(db_url=str(db), secrets={"srv-1": (SECRET,)}, api_keys=("k",))
    with live_server(app) as base:
        fake = loaded(tmp_path / "game", base)
        fake.add_client(0, GUID_A, "one", 1)
        for _ in range(101):
            fake.frame()
        now = int(fake.lua.eval("os.time()"))
        assert fx.settle(fake, now) == 0
    store = SQLiteStorage(str(db))
    try:
        [beat] = store.heartbeats()
    finally:
        store.close()
    assert (beat.server, beat.players, beat.map_name) == ("srv-1", 1, "supply")
    assert beat.players_seen_unix == beat.sent_unix


def test_later_heartbeats_start_no_file_creating_child(tmp_path: Path) -> None:
    """The private .sign/.curl files of the heartbeat entry stay after a delivery, so the next
    heartbeats rewrite them in place instead of running a child process (a frame stall) to
    create 0600 files every few minutes."""
    with fx.recording_server() as server:
        fake = loaded(tmp_path, server.url)
        fake.lua.execute(
            "local real = os.execute\n"
            "creations = 0\n"
            "os.execute = function(cmd)\n"
            "  if cmd and cmd:find('umask 077', 1, true) then creations = creations + 1 end\n"
            "  return real(cmd)\n"
            "end\n"
        )
        now = int(fake.lua.eval("os.time()"))
        assert fake.module.heartbeat_due(now)
        assert fx.settle(fake, now) == 1  # launched
        assert fx.settle(fake, now + 1) == 0  # delivered
        first = int(fake.lua.eval("creations"))
        for step in range(1, 4):
            assert fake.module.heartbeat_due(now + 300 * step)
            fx.settle(fake, now + 300 * step)
            assert fx.settle(fake, now + 300 * step + 1) == 0
        assert int(fake.lua.eval("creations")) == first
    assert len(heartbeats(server)) == 4

"""Pure helpers of lua/etstats.lua run under real Lua 5.4 (lupa): JSON, SHA-256/HMAC, config.

Also the script-level contracts that broke production elsewhere: no leaked globals, no value
returned from et_Obituary / et_ClientConnect, no LuaJIT ``bit`` library.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from pathlib import Path
from typing import Any

import lupa.lua54 as lupa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.lua import delivery_fixtures as fx

pytestmark = pytest.mark.lua


@pytest.fixture(scope="module")
def bare() -> Any:
    """The script's internals, loaded into a VM with no ``et`` at all (bytes in and out)."""
    lua = lupa.LuaRuntime(encoding=None)
    return lua.execute(fx.SCRIPT.read_bytes())


def encode(bare: Any, value: bytes) -> bytes:
    return bytes(bare.json_encode(value))


# --- JSON -----------------------------------------------------------------------------------


def test_rfc8259_escapes(bare: Any) -> None:
    raw = b'q"b\\s/\x08\x0c\n\r\t\x00\x1b\x7f'
    assert encode(bare, raw) == b'"q\\"b\\\\s/\\b\\f\\n\\r\\t\\u0000\\u001B\\u007F"'


def test_invalid_utf8_is_replaced_and_valid_utf8_kept(bare: Any) -> None:
    text = "Ærø ^1名前 😀".encode()
    assert json.loads(encode(bare, text)) == text.decode()
    # stray byte, truncated sequence, surrogate, > U+10FFFF, overlong: one U+FFFD per bad byte
    broken = b"a\xff\xc3(\xed\xa0\x80\xf4\x90\x80\x80\xe0\x80\xafz"
    assert json.loads(encode(bare, broken)) == "a\ufffd\ufffd(" + "\ufffd" * 10 + "z"


@given(st.binary(max_size=200))
def test_any_bytes_encode_to_valid_json_utf8(data: bytes) -> None:
    bare = _BARE
    out = encode(bare, data)
    out.decode("utf-8")  # always valid UTF-8
    decoded = json.loads(out)
    assert isinstance(decoded, str)
    assert decoded == data.decode("utf-8", "replace")  # Unicode's maximal-subpart rule


_mixed_bytes = st.lists(
    st.one_of(
        st.binary(max_size=3),
        st.text(min_size=1, max_size=4).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.text(min_size=1, max_size=2).map(lambda t: t.encode("utf-8", "surrogatepass")[:-1]),
    ),
    max_size=12,
).map(b"".join)


@given(_mixed_bytes)
def test_mixed_valid_truncated_and_stray_bytes_match_python_replace(data: bytes) -> None:
    decoded = json.loads(encode(_BARE, data))
    assert decoded == data.decode("utf-8", "replace")


@given(st.text(max_size=100).filter(lambda s: not re.search("[\ud800-\udfff]", s)))
def test_text_round_trips(text: str) -> None:
    assert json.loads(encode(_BARE, text.encode())) == text


_BARE = lupa.LuaRuntime(encoding=None).execute(fx.SCRIPT.read_bytes())


def test_objects_keep_order_and_numbers_are_integers(bare: Any) -> None:
    doc = bare.obj(b"b", 1, b"a", 2.0, b"n", bare.NULL, b"t", True, b"f", 0.5, b"e", None)
    assert bytes(bare.json_encode(doc)) == b'{"b":1,"a":2,"n":null,"t":true,"f":0.5,"e":null}'


# --- SHA-256 / HMAC ---------------------------------------------------------------------------


@given(st.binary(max_size=300))
def test_sha256_matches_hashlib(data: bytes) -> None:
    assert bytes(_BARE.sha256_hex(data)).decode() == hashlib.sha256(data).hexdigest()


@given(st.binary(max_size=200), st.binary(max_size=200))
def test_hmac_matches_python(key: bytes, msg: bytes) -> None:
    expected = hmac.new(key, msg, hashlib.sha256).hexdigest()
    assert bytes(_BARE.hmac_sha256_hex(key, msg)).decode() == expected


@pytest.mark.parametrize("size", [0, 55, 56, 63, 64, 65, 127, 128, 100_000])
def test_sha256_block_boundaries(size: int) -> None:
    data = bytes(range(256)) * (size // 256 + 1)
    data = data[:size]
    assert bytes(_BARE.sha256_hex(data)).decode() == hashlib.sha256(data).hexdigest()


# --- config loader ----------------------------------------------------------------------------


def load_config(tmp_path: Path, text: str) -> tuple[Any, str | None]:
    fake = fx.FakeEt(tmp_path)
    path = fx.write_config(fake, text)
    cfg, reason = fake.module.load_config_file(str(path))
    return cfg, reason


def test_valid_config_is_typed(tmp_path: Path) -> None:
    cfg, reason = load_config(
        tmp_path,
        'return { discord_webhook_urls = { "https://discord.com/api/webhooks/1/x" },\n'
        '  http_targets = { { url = "https://stats.example/ingest", server_id = "eu-1",\n'
        '    secret = "0123456789abcdef" } }, debug = true }\n',
    )
    assert reason is None
    assert list(cfg.discord.values()) == ["https://discord.com/api/webhooks/1/x"]
    assert cfg.http[1].server_id == "eu-1"
    assert cfg.debug is True


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("return {", "syntax error"),
        ("error('boom')", "error while running it"),
        ("return 42", "must return a table"),
        ('return { discord_webhook_url = "https://x" }', "unknown key 'discord_webhook_url'"),
        ('return { discord_webhook_urls = "https://x" }', "must be a table"),
        ('return { discord_webhook_urls = { "ftp://x" } }', "not an http(s) URL"),
        ('return { http_targets = { { url = "https://x", server_id = "a" } } }', "secret"),
        (
            'return { http_targets = { { url = "https://x", server_id = "a b", '
            'secret = "0123456789abcdef" } } }',
            "server_id",
        ),
        ("return { debug = 1 }", "must be a boolean"),
        ("return { gametimes_dir = os.getenv('HOME') }", "error while running it"),
    ],
)
def test_malformed_configs_are_rejected_with_a_reason(
    tmp_path: Path, text: str, reason: str
) -> None:
    cfg, why = load_config(tmp_path, text)
    assert cfg is None
    assert why is not None
    assert reason in why


def test_config_path_from_cvar_wins(tmp_path: Path) -> None:
    fake = fx.FakeEt(tmp_path)
    fake.cvars["etstats_config"] = str(tmp_path / "elsewhere.lua")
    assert list(fake.module.config_candidates().values()) == [str(tmp_path / "elsewhere.lua")]
    fake.cvars["etstats_config"] = ""
    assert list(fake.module.config_candidates().values()) == [
        f"{tmp_path}/legacy/luascripts/etstats_config.lua",
        f"{tmp_path}/base/legacy/luascripts/etstats_config.lua",
    ]


def test_gametimes_dir_follows_homepath_then_basepath(tmp_path: Path) -> None:
    fake = fx.FakeEt(tmp_path)
    assert fake.module.gametimes_dir() == f"{tmp_path}/legacy/gametimes"
    fake.cvars["fs_homepath"] = "."
    assert fake.module.gametimes_dir() == f"{tmp_path}/base/legacy/gametimes"
    fake.cvars["fs_basepath"] = "."
    fake.cvars["fs_game"] = ""
    assert fake.module.gametimes_dir() == "/home/et/.etlegacy/legacy/gametimes"


def test_discord_guard_limits_fields_values_and_total() -> None:
    lua = lupa.LuaRuntime()
    module = lua.execute(fx.SCRIPT.read_text(encoding="utf-8"))
    fields = lua.table_from([lua.table_from([f"f{i}", "x" * 3000, True]) for i in range(40)])
    payload = json.loads(module.json_encode(module.discord_payload("u", "t", "d", fields, "f")))
    embed = payload["embeds"][0]
    assert len(embed["fields"]) <= 25
    assert all(len(f["value"]) <= 1024 for f in embed["fields"])
    total = sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    assert total + len(embed["title"]) + len(embed["description"]) + 1 <= 6000


# --- script-level contracts -------------------------------------------------------------------


def test_no_globals_leak_besides_callbacks(tmp_path: Path) -> None:
    fake = fx.FakeEt(tmp_path)
    fake.call("et_InitGame", fake.level_ms, 1, 0)
    fake.start_round()
    fake.add_client(0, "A1B2C3D4E5F60718293A4B5C6D7E8F90", "x", 1)
    fake.frame()
    fake.call("et_Obituary", 0, 1022, 33)
    fake.end_round()
    fake.call("et_ShutdownGame", 1)
    names = set(
        fake.lua.eval(
            "(function() local t = {} for k in pairs(_G) do t[#t+1] = k end return t end)()"
        ).values()
    )
    base = set(
        lupa.LuaRuntime()
        .eval("(function() local t = {} for k in pairs(_G) do t[#t+1] = k end return t end)()")
        .values()
    )
    extra = names - base - {"et"}
    assert extra
    assert all(name.startswith("et_") for name in extra), sorted(extra)


def test_obituary_and_client_connect_return_nothing(tmp_path: Path) -> None:
    fake = fx.FakeEt(tmp_path)
    fake.start_round()
    fake.userinfo[3] = "\\name\\x\\cl_guid\\A1B2C3D4E5F60718293A4B5C6D7E8F90"
    fake.fields[3] = {"pers.connected": 2, "sess.sessionTeam": 1}
    count = fake.lua.eval("function(f, ...) return select('#', f(...)) end")
    glob = fake.lua.globals()
    assert count(glob.et_ClientConnect, 3, 1, 0) == 0
    assert count(glob.et_Obituary, 3, 3, 33) == 0
    assert count(glob.et_Obituary, 3, 1022, 59) == 0


def test_source_uses_lua54_operators_only() -> None:
    source = fx.SCRIPT.read_text(encoding="utf-8")
    assert not re.search(r"\bbit32?\.", source)
    assert "io.popen" not in source
    assert not re.search(r"\bsetfenv\b|(?<![.\w])unpack\(", source)


def test_client_fields_on_slots_beyond_maxclients_never_raise(tmp_path: Path) -> None:
    fake = fx.FakeEt(tmp_path, maxclients=16)
    fake.start_round()
    fake.add_client(0, "A1B2C3D4E5F60718293A4B5C6D7E8F90", "x", 1)
    fake.call("et_Obituary", 0, 40, 8)  # a killer number beyond sv_maxclients
    fake.call("et_ClientSpawn", 20, 0, 0, 1)
    fake.end_round()
    assert fake.gametimes_files()


def test_shipped_example_config_is_valid(tmp_path: Path) -> None:
    example = fx.ROOT / "lua" / "etstats_config.example.lua"
    cfg, reason = load_config(tmp_path, example.read_text(encoding="utf-8"))
    assert reason is None
    assert (len(cfg.discord), len(cfg.http)) == (0, 0)


@given(st.binary(max_size=2000), st.lists(st.integers(min_value=1, max_value=7), min_size=1))
def test_resumable_sha256_matches_in_any_chunking(data: bytes, steps: list[int]) -> None:
    job = _BARE.sha_job(data)
    for n in steps * (len(data) // 64 + 2):
        if _BARE.sha_job_step(job, n):
            break
    raw = bytes(_BARE.sha_job_digest(job))
    assert raw == hashlib.sha256(data).digest()

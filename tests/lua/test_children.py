"""Child processes of lua/etstats.lua and the modes of its outbox files (spec 4.7).

ET:Legacy never marks its sockets close-on-exec, so a child started with ``os.execute``
inherits the game's UDP socket; while it runs, a restarted server cannot bind its port. The
test process plays the server: it holds an inheritable UDP socket, runs the real script under
lupa and looks at the real curl child in ``/proc`` while it waits for a receiver that never
answers.
"""

from __future__ import annotations

import os
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.helpers import need
from tests.lua import delivery_fixtures as fx
from tests.lua.delivery_fixtures import SECRET
from tests.lua.test_delivery import http_config, play_round

pytestmark = pytest.mark.lua


def _processes_mentioning(text: str) -> Iterator[int]:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if text.encode() in cmdline:
            yield int(entry.name)


def _fd_targets(pid: int) -> set[str]:
    """What the open descriptors of ``pid`` point to (empty once it has exited)."""
    out: set[str] = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:  # exited (ProcessLookupError, FileNotFoundError)
        return out
    for fd in fds:
        try:
            out.add(os.readlink(fd))
        except OSError:
            continue
    return out


def _ancestors(pid: int) -> list[str]:
    names = []
    while pid > 1:
        try:
            stat_text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        names.append(stat_text[stat_text.index("(") + 1 : stat_text.rindex(")")])
        pid = int(stat_text[stat_text.rindex(")") + 2 :].split()[1])
    return names


def test_curl_children_hold_no_game_socket_are_detached_and_time_limited(tmp_path: Path) -> None:
    need(Path("/proc/self/fd").is_dir(), "needs Linux /proc")
    game = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    game.bind(("127.0.0.1", 0))
    os.set_inheritable(game.fileno(), True)  # as the engine leaves it: no close-on-exec
    inode = os.fstat(game.fileno()).st_ino
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections (kernel backlog) and never answers
    url = f"http://127.0.0.1:{silent.getsockname()[1]}"
    try:
        fake = fx.FakeEt(tmp_path)
        fx.write_config(fake, http_config(url))
        play_round(fake)
        while fake.module.pending_signatures() > 0:
            fake.frame()
        outbox = fake.module.outbox_dir()
        deadline = time.monotonic() + 30
        pids: list[int] = []
        while time.monotonic() < deadline:
            # a process that exits while it is looked at has no ancestors left: not curl
            pids = [
                p
                for p in _processes_mentioning(outbox)
                if any("curl" in name for name in _ancestors(p)[:1])
            ]
            if pids:
                break
            time.sleep(0.05)
        assert pids, "no curl child found"
        for pid in pids:
            chain = _ancestors(pid)
            assert f"socket:[{inode}]" not in _fd_targets(pid), chain
            assert "timeout" in chain[:4], chain  # killed when its time limit is reached
            assert os.getsid(pid) != os.getsid(0), chain  # detached: its own session
    finally:
        silent.close()
        game.close()
    # the refused connection ends the attempt: a status marker, a retry, nothing lost
    assert fx.settle(fake, int(fake.lua.eval("os.time()"))) == 1


def test_files_with_a_token_or_signing_input_are_0600_even_in_a_0755_folder(
    tmp_path: Path,
) -> None:
    fake = fx.FakeEt(tmp_path)
    outbox = Path(fake.module.outbox_dir())
    outbox.mkdir(parents=True, mode=0o755)
    outbox.chmod(0o755)
    fx.write_config(
        fake,
        "return {\n"
        '  discord_webhook_urls = { "http://127.0.0.1:9/api/webhooks/1/TOKEN" },\n'
        f'  http_targets = {{ {{ url = "http://127.0.0.1:9/ingest", server_id = "srv-1", '
        f'secret = "{SECRET}" }} }},\n'
        "}\n",
    )
    play_round(fake)
    while fake.module.pending_signatures() > 0:
        fake.frame()
    fx.settle(fake, int(fake.lua.eval("os.time()")))
    private = sorted(p for p in outbox.iterdir() if p.suffix in (".curl", ".sign"))
    assert {p.suffix for p in private} == {".curl", ".sign"}
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name

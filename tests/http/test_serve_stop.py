"""Stopping ``etstats serve`` (Ctrl-C or SIGTERM from a service manager) is a clean exit:
exit code 0 after a graceful shutdown, and no traceback on the terminal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from tests.http.live import free_port

ETSTATS = str(Path(sys.executable).with_name("etstats"))


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ETSTATS_")}
    serve = subprocess.Popen(
        [ETSTATS, "serve", "--db", str(tmp_path / "s.db"), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(600):  # up to ~60 s on a loaded machine
            if _up(f"http://127.0.0.1:{port}") or serve.poll() is not None:
                break
            time.sleep(0.1)
        assert serve.poll() is None, serve.stderr.read() if serve.stderr else ""
        serve.send_signal(sig)
        out, err = serve.communicate(timeout=60)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
    assert serve.returncode == 0, err
    assert "Traceback" not in out + err
    assert "Application shutdown complete" in err

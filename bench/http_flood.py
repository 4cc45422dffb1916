"""Load test on loopback: do signed uploads stay fast while slow and flooding clients attack?

Starts ``etstats serve`` as a subprocess on 127.0.0.1 (its own process, so the attackers do
not share its interpreter), then measures signed-upload latency twice: on a quiet server
(the baseline) and while, at the same time,

* ``--half-open`` connections are opened that never finish their request headers,
* ``--slow`` clients send a signed-looking head and trickle a body one byte a second,
* ``--flooders`` tasks POST unsigned 1 MiB bodies as fast as they are answered.

Everything is bounded in count and time (``--seconds``) and goes to 127.0.0.1 only. Prints
signed-upload p50/p95/max latency (ms) in both phases, their ratio, how many half-open
connections the server had closed by the end, the server's RSS before/after (MB) and its log
size (bytes).

Usage::

    .venv/bin/python bench/http_flood.py [--seconds 10] [--half-open 1100] [--slow 200] \
        [--flooders 8]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from etstats.ingest.signing import sign_upload
from etstats.testing.synthetic import season

KEY = "flood-bench-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def served(db: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``etstats serve`` in a subprocess; yields (base URL, process)."""
    port = free_port()
    env = {**os.environ, "ETSTATS_INGEST_SECRETS": f"bench={KEY}"}
    exe = str(Path(sys.executable).parent / "etstats")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [exe, "serve", "--db", str(db), "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/openapi.json", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("etstats serve did not start")
                time.sleep(0.1)
            yield base, proc
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def signed_uploads(
    base: str, bodies: list[tuple[str, bytes]], stop: threading.Event, pause_s: float
) -> list[tuple[float, int]]:
    """Upload each body once, one after another; (latency s, status) per upload."""
    out: list[tuple[float, int]] = []
    with httpx.Client(timeout=30) as client:
        for name, data in bodies:
            if stop.is_set():
                break
            headers = sign_upload(KEY, "bench", name, data)
            t0 = time.perf_counter()
            try:
                status = client.post(base + "/v1/ingest", content=data, headers=headers).status_code
            except httpx.HTTPError:
                status = 0
            out.append((time.perf_counter() - t0, status))
            time.sleep(pause_s)
    return out


async def attack(
    base: str, seconds: float, half_open: int, slow: int, flooders: int
) -> dict[str, int]:
    host, port = base.removeprefix("http://").split(":")
    closed = {"half_open_closed": 0, "flood_requests": 0, "slow_answered": 0}
    end = time.monotonic() + seconds

    async def hold_half_open() -> None:
        try:
            reader, writer = await asyncio.open_connection(host, int(port))
        except OSError:
            return
        writer.write(b"POST /v1/ingest HTTP/1.1\r\nHost: x\r\n")  # never finished
        try:
            await asyncio.wait_for(reader.read(1), timeout=max(0.1, end - time.monotonic()))
            closed["half_open_closed"] += 1  # EOF: the server closed it
        except (TimeoutError, OSError):
            pass
        writer.close()

    async def trickle() -> None:
        try:
            reader, writer = await asyncio.open_connection(host, int(port))
        except OSError:
            return
        stamp = str(int(time.time()))
        writer.write(
            (
                f"POST /v1/ingest HTTP/1.1\r\nHost: x\r\nX-Etstats-Server: bench\r\n"
                f"X-Etstats-Timestamp: {stamp}\r\nX-Etstats-Filename: a.txt\r\n"
                f"X-Etstats-Content-SHA256: {'0' * 64}\r\n"
                f"X-Etstats-Signature: sha256={'1' * 64}\r\nContent-Length: 100000\r\n\r\n"
            ).encode()
        )
        try:
            while time.monotonic() < end:
                writer.write(b"x")
                await writer.drain()
                if await asyncio.wait_for(reader.read(1), timeout=1.0):
                    closed["slow_answered"] += 1
                    break
        except (TimeoutError, OSError):
            pass
        writer.close()

    async def flood() -> None:
        body = b"x" * (1024 * 1024)
        headers = {
            "X-Etstats-Server": "bench",
            "X-Etstats-Timestamp": "1",
            "X-Etstats-Signature": "sha256=" + "0" * 64,
        }
        async with httpx.AsyncClient(timeout=10) as client:
            while time.monotonic() < end:
                with contextlib.suppress(httpx.HTTPError):
                    await client.post(base + "/v1/ingest", content=body, headers=headers)
                closed["flood_requests"] += 1

    tasks = [hold_half_open() for _ in range(half_open)] + [trickle() for _ in range(slow)]
    tasks += [flood() for _ in range(flooders)]
    await asyncio.gather(*tasks)
    return closed


def summary(samples: list[tuple[float, int]]) -> dict[str, Any]:
    ms = sorted(s[0] * 1000 for s in samples)
    ok = sum(1 for s in samples if s[1] in (200, 201))
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)] if ms else float("nan")
    return {
        "uploads": len(samples),
        "ok": ok,
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(max(ms), 1),
    }


def run(seconds: float, half_open: int, slow: int, flooders: int) -> dict[str, Any]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = half_open + slow + flooders + 256
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    arts = [(a.name, a.data) for a in season(max(8, int(seconds * 4)), seed=5)]
    half = len(arts) // 2
    with tempfile.TemporaryDirectory() as tmp:
        db, log = Path(tmp) / "flood.db", Path(tmp) / "serve.log"
        with served(db, log) as (base, proc):
            stop = threading.Event()
            quiet = signed_uploads(base, arts[:half], stop, 0.05)
            rss_before = rss_mb(proc.pid)
            results: list[tuple[float, int]] = []
            worker = threading.Thread(
                target=lambda: results.extend(
                    signed_uploads(base, arts[half:], stop, seconds / max(1, len(arts) - half))
                )
            )
            attack_started = threading.Event()

            def attackers() -> None:
                attack_started.set()
                counts.update(asyncio.run(attack(base, seconds, half_open, slow, flooders)))

            counts: dict[str, int] = {}
            attacker = threading.Thread(target=attackers)
            attacker.start()
            attack_started.wait()
            time.sleep(min(2.0, seconds / 4))  # let the connections pile up first
            worker.start()
            worker.join()
            attacker.join()
            stop.set()
            rss_after = rss_mb(proc.pid)
        log_bytes = log.stat().st_size
    base_stats, load_stats = summary(quiet), summary(results)
    return {
        "quiet": base_stats,
        "under_attack": load_stats,
        "p95_ratio": round(load_stats["p95_ms"] / max(base_stats["p95_ms"], 0.1), 2),
        "attack": {
            "half_open": half_open,
            "slow": slow,
            "flooders": flooders,
            "seconds": seconds,
            **counts,
        },
        "server_rss_mb": {"before": round(rss_before, 1), "after": round(rss_after, 1)},
        "server_log_bytes": log_bytes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--half-open", type=int, default=1100)
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--flooders", type=int, default=8)
    args = parser.parse_args()
    print(json.dumps(run(args.seconds, args.half_open, args.slow, args.flooders), indent=2))


if __name__ == "__main__":
    main()

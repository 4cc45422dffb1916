"""Fuzz: mutated stats files and gametimes JSON through the whole pipeline (issue 11).

Every input is archived and either stored, recognised as a duplicate or rejected with a
reason; no exception escapes ``Pipeline.ingest`` (zero tracebacks) and every batch runs to its
end (zero aborted batches). Seeded, so a failure is reproducible; ``ETSTATS_FUZZ_INPUTS``
raises the number of inputs per store (the default keeps the suite fast).
"""

from __future__ import annotations

import json
import os
import random
import re
from collections import Counter
from pathlib import Path

from etstats.ingest.artifacts import Artifact
from etstats.ingest.pipeline import Pipeline
from etstats.storage.base import Storage
from etstats.testing.synthetic import RECEIVED, season

INPUTS = int(os.environ.get("ETSTATS_FUZZ_INPUTS", "300"))
NAMES = (
    "!backup-{n}.txt",
    "upload",
    "caf\udce9-{n}.txt",
    "2025-13-40-999999-x-round-1.txt",
    "2026-01-01-000000-supply-round-2.txt",
    "gametime-supply-R1-{n}.json",
    "etstats-supply-R1-{n}-27960.json",
    "a\x00b.txt",
    "x.json",
)
HUGE = (
    "9223372036854775808",
    "-9223372036854775809",
    "1" * 30,
    "-0",
    "1e400",
    "NaN",
    '"\\ud800"',
    '"\\udfff x"',
    "[]",
    "{}",
    "null",
    "true",
    '""',
)


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    op = rng.randrange(7)
    n = max(1, len(data))
    i = rng.randrange(n)
    if op == 0:  # cut
        return data[: rng.randrange(n)]
    if op == 1:  # flip a byte
        return data[:i] + bytes([rng.randrange(256)]) + data[i + 1 :]
    if op == 2:  # insert hostile bytes
        return (
            data[:i]
            + rng.choice([b"\x00", b"\xff\xfe", b"\r", b"\\", b"\t", b"\n\n", b"\xed\xa0\x80"])
            + data[i:]
        )
    if op == 3:  # delete a slice
        return data[:i] + data[i + rng.randrange(1, 64) :]
    lines = data.split(b"\n")
    if op == 4 and len(lines) > 1:  # duplicate or drop a line
        j = rng.randrange(len(lines))
        return b"\n".join(lines[:j] + ([lines[j]] * rng.choice([0, 2])) + lines[j + 1 :])
    if op == 5:  # a number made huge, negative or not a number
        nums = list(re.finditer(rb"-?\d+", data))
        if nums:
            m = rng.choice(nums)
            return data[: m.start()] + rng.choice(HUGE).encode() + data[m.end() :]
    return data + data[: rng.randrange(n)]  # op 6: garbage tail


def _mutate_json(data: bytes, rng: random.Random) -> bytes:
    doc = json.loads(data)
    meta = doc.get("meta", doc)
    key = rng.choice(sorted(meta))
    raw = json.dumps(doc)
    value = rng.choice(HUGE)
    # substitute the value text directly, so integers beyond 64 bits and lone surrogates
    # reach the parser as a hostile file would carry them
    return re.sub(
        rf'"{re.escape(key)}": ("[^"]*"|[^,}}]*)', lambda _m: f'"{key}": {value}', raw, count=1
    ).encode()


def fuzz_inputs(count: int, seed: int = 11) -> list[Artifact]:
    rng = random.Random(seed)
    pool = season(6, seed=seed, players=3)
    real = Path(__file__).resolve().parents[3] / "shared" / "real_stats" / "c0rnp0rn"
    reals = sorted(real.glob("*.txt"))[:20] if real.is_dir() else []
    out: list[Artifact] = []
    for n in range(count):
        if reals and rng.random() < 0.3:
            path = rng.choice(reals)
            data, name = path.read_bytes(), path.name
        else:
            base = rng.choice(pool)
            data, name = base.data, base.name
        if name.endswith(".json") and rng.random() < 0.5:
            data = _mutate_json(data, rng)
        else:
            for _ in range(rng.randint(1, 3)):
                data = _mutate_bytes(data, rng)
        if rng.random() < 0.15:
            name = rng.choice(NAMES).format(n=n)
        out.append(Artifact.from_bytes(data, name, received_at=RECEIVED))
    return out


def test_fuzzed_artifacts_never_escape_the_pipeline(store: Storage) -> None:
    inputs = fuzz_inputs(INPUTS)
    pipeline = Pipeline(store)
    statuses: Counter[str] = Counter()
    escaped: list[str] = []
    for art in inputs:
        try:
            statuses[pipeline.ingest(art).status] += 1
        except Exception as exc:
            escaped.append(f"{art.name}: {type(exc).__name__}: {exc}")
    print(f"fuzz: {len(inputs)} inputs: {dict(statuses)}")
    assert escaped == []
    assert sum(statuses.values()) == len(inputs)
    assert statuses["rejected"] > 0
    # a batch never aborts either: ingest_many over the same inputs completes
    summary = Pipeline(store).ingest_many(inputs)
    assert len(summary.results) == len(inputs)
    assert {r.status for r in summary.results} <= {"duplicate", "stored", "rejected"}
    for rec in store.artifacts():
        assert rec.status in {"accepted", "rejected"}
        assert rec.status == "accepted" or rec.error

"""The artifact front door (:mod:`etstats.artifacts`): kinds, detection and one ``load()``."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from etstats.artifacts import ArtifactKind, LoadedArtifact, detect_kind, kind_of, load
from etstats.errors import ParseError
from etstats.model.endstats import EndstatsRound
from etstats.model.gametimes import Gametimes
from etstats.model.legacy_gametimes import LegacyGametimes
from etstats.model.stats import StatsRound
from etstats.testing.reconcile_truth import render_legacy, render_stats, render_v1, simulate


def _files(tmp_path: Path) -> dict[str, Path]:
    truth = simulate(3)
    out = {}
    for kind, (name, text) in (
        ("stats", render_stats(truth)),
        ("gametimes", render_v1(truth)),
        ("gametimes-legacy", render_legacy(truth)),
    ):
        out[kind] = tmp_path / name
        out[kind].write_text(text, encoding="utf-8")
    return out


def test_load_tells_each_kind_from_a_path_and_from_bytes(tmp_path: Path) -> None:
    models = {"stats": StatsRound, "gametimes": Gametimes, "gametimes-legacy": LegacyGametimes}
    for kind, path in _files(tmp_path).items():
        art = load(path)
        assert (art.kind, art.name, type(art.model)) == (kind, path.name, models[kind])
        assert kind_of(art.model) == kind
        named = load(path.read_bytes(), name=path.name)
        assert (named.kind, named.name) == (kind, path.name)
        unnamed = load(path.read_bytes())  # the kind from the content alone
        assert unnamed.kind == kind
        assert unnamed.name == "<bytes>"


@pytest.mark.corpus
def test_load_reads_real_endstats_and_stats(real_stats_dir: Path) -> None:
    endstats = sorted((real_stats_dir / "endstats").glob("*.txt"))[0]
    stats = sorted((real_stats_dir / "c0rnp0rn").glob("*.txt"))[0]
    assert isinstance(load(endstats).endstats, EndstatsRound)
    assert isinstance(load(stats).stats, StatsRound)
    from_path, from_bytes = load(stats).stats, load(stats.read_bytes(), name=stats.name).stats
    assert (from_path.header, from_path.players) == (from_bytes.header, from_bytes.players)
    assert from_path.provenance is not None
    assert from_bytes.provenance is not None
    assert from_path.provenance.sha256 == from_bytes.provenance.sha256


def test_names_win_then_content_decides() -> None:
    assert detect_kind("x/2025-01-02-030405-supply-round-1.txt") is ArtifactKind.STATS
    assert detect_kind("2025-01-02-030405-supply-round-2-endstats.txt") is ArtifactKind.ENDSTATS
    assert detect_kind("gametime-supply-R1-1770000000.json") is ArtifactKind.GAMETIMES_LEGACY
    assert detect_kind("etstats-supply-R1-1770000000-27960.json") is ArtifactKind.GAMETIMES
    assert detect_kind("a.json", b'{"schema_version": 1}') is ArtifactKind.GAMETIMES
    assert detect_kind("a.json", b'\xef\xbb\xbf {"meta": {}}') is ArtifactKind.GAMETIMES_LEGACY
    assert detect_kind("a.txt", b"s\\m\\c\\1\\1\\2\\10:00\\5:00\n") is ArtifactKind.STATS
    assert detect_kind("a.txt", b"hello") is ArtifactKind.UNKNOWN
    assert kind_of(object()) is ArtifactKind.UNKNOWN


def test_what_is_not_an_artifact_raises_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="no such file"):
        load(tmp_path / "missing-round-1.txt")
    other = tmp_path / "notes.txt"
    other.write_text("hello\n", encoding="utf-8")
    with pytest.raises(ParseError, match="not a stats, endstats or gametimes file"):
        load(other)
    with pytest.raises(ParseError, match="not a stats, endstats or gametimes file"):
        load(b"hello")
    bad_json = tmp_path / "odd.json"
    bad_json.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ParseError):  # parsed as gametimes: the parser says what is wrong
        load(bad_json)


def test_typed_accessors_refuse_another_kind(tmp_path: Path) -> None:
    art = load(_files(tmp_path)["stats"])
    assert isinstance(art, LoadedArtifact)
    assert art.stats is art.model
    with pytest.raises(TypeError, match="is a stats artifact, not a Gametimes"):
        _ = art.gametimes
    with pytest.raises(TypeError):
        _ = art.legacy_gametimes
    with pytest.raises(TypeError):
        _ = art.endstats


def _fifo_fed(tmp_path: Path, name: str, data: bytes) -> tuple[Path, threading.Thread]:
    """A FIFO named ``name`` and a started thread that writes ``data`` into it once."""
    fifo = tmp_path / name
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("wb") as out:
            out.write(data)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    return fifo, writer


@pytest.mark.parametrize("kind", ["stats", "gametimes", "gametimes-legacy"])
def test_a_pipe_is_read_once_and_parsed_whole(tmp_path: Path, kind: str) -> None:
    """A pipe named like process substitution's ``/dev/fd/63`` (no kind in its name) loads as
    its bytes do: the kind told from the content, and every byte parsed, not what a sniff of
    the kind left in the pipe."""
    data = _files(tmp_path)[kind].read_bytes()
    fifo, writer = _fifo_fed(tmp_path, "63", data)
    piped = load(fifo)
    writer.join(timeout=10)
    assert piped == load(data, name="63")
    assert piped.kind == kind


def test_reconcile_reads_a_pipe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``etstats reconcile --json <(cat file)``: the round the file itself gives (it used to
    fail with 'empty file': the kind sniff had consumed the pipe)."""
    from etstats.cli import main

    path = _files(tmp_path)["stats"]
    fifo, writer = _fifo_fed(tmp_path, "63", path.read_bytes())
    assert main(["reconcile", "--json", str(fifo)]) == 0
    writer.join(timeout=10)
    piped = json.loads(capsys.readouterr().out)
    assert main(["reconcile", "--json", str(path)]) == 0
    whole = json.loads(capsys.readouterr().out)
    assert len(piped["rounds"]) == len(whole["rounds"]) == 1
    assert piped["rounds"][0]["players"] == whole["rounds"][0]["players"]

    def outcomes(report: dict[str, Any]) -> list[tuple[Any, ...]]:  # the sources name the file
        return [
            (c["check"], c["player"], c["verdict"], c["difference"])
            for c in report["rounds"][0]["comparisons"]
        ]

    assert outcomes(piped) == outcomes(whole)
    assert len(outcomes(whole)) > 10

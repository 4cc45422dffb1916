"""``etstats reconcile --json`` and ``etstats audit --json`` print, byte for byte, what the code
before the ingest at scale work (issue 15) printed: batching, the lean stored report and the
bulk paths make the store faster and never change what a user reads.

The digests were taken from three trees that all print the same bytes: this one, `05299bf`
and `52dee2b` (the parent of the first bulk-ingest commit). Two inputs: the real corpus
(stats files only, and one endstats file) and a synthetic season of 60 rounds with stats,
Lua and endstats files (``etstats.testing.synthetic.season``; a change of that generator
moves its pins too). The outputs are pinned by SHA-256 (the corpus's reconcile JSON is 8 MB);
the verdict counts of ``tests/reconciliation/test_real_reconcile.py`` say what changed when a
digest moves. A change of the real corpus itself is reported as such.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import pytest

from etstats.cli import main
from etstats.testing.synthetic import season

CORPUS_SHA256 = "aada621b023dee5c36d5694b3126473b5e91bc10fdde853981f73197b4001a23"
"""Every file of ``../shared/real_stats`` (relative path and bytes), as pinned."""
PINNED = {
    "real": {
        "reconcile": "96a37a90be789b6ccd06659d181e5afad5936f1867c983b1e585bb119ef1e73c",
        "audit": "c191ece04ac33b1ae7392c186fe9338de6ad3f5b2cfb1c5e1d630860185972d4",
    },
    "season": {
        "reconcile": "b4f4dd4f9a1dfd2ed6ee7fd7c374d15445031a079b2164466c5b527a4402ce38",
        "audit": "66cb78161201b9949ad345a7b40b685c5cb46b93aa69cb33d4a64047870b511f",
    },
}
"""SHA-256 of each command's standard output (UTF-8), per input."""
ROUNDS = {"real": 215, "season": 60}
INPUTS = [pytest.param("real", marks=pytest.mark.corpus), "season"]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def corpus_digest(folder: Path) -> str:
    """SHA-256 over each artifact's relative path and the SHA-256 of its bytes, sorted."""
    lines = sorted(
        f"{p.relative_to(folder).as_posix()} {hashlib.sha256(p.read_bytes()).hexdigest()}\n"
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in (".txt", ".json")
    )
    return _sha("".join(lines))


def _folder(which: str, request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The input folder: the real corpus (checked to be the pinned one) or the season."""
    if which == "season":
        folder = tmp_path / "season"
        folder.mkdir()
        for a in season(ROUNDS["season"]):
            (folder / a.name).write_bytes(a.data)
        return folder
    real: Path = request.getfixturevalue("real_stats_dir")
    found = corpus_digest(real)
    if found != CORPUS_SHA256:
        pytest.fail(
            f"the real corpus at {real} is not the one these outputs were pinned on "
            f"(digest {found}, pinned {CORPUS_SHA256}): pin the new corpus's outputs"
        )
    return real


@pytest.fixture(autouse=True)
def _no_environment_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ETSTATS_DB", "ETSTATS_SERVER", "ETSTATS_TIMEZONE", "ETSTATS_JOBS"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("which", INPUTS)
def test_reconcile_json_is_unchanged(
    which: str, request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(which, request, tmp_path)
    assert main(["reconcile", "--json", str(folder)]) == 0
    out = capsys.readouterr().out
    assert len(json.loads(out)["rounds"]) == ROUNDS[which]
    assert _sha(out) == PINNED[which]["reconcile"]


@pytest.mark.parametrize("which", INPUTS)
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.pg)])
def test_audit_json_is_unchanged_on_both_stores(
    which: str,
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Ingested in batches into a fresh store of each kind, then audited."""
    folder = _folder(which, request, tmp_path)
    place: AbstractContextManager[str]
    if backend == "sqlite":
        place = nullcontext(str(tmp_path / "store.db"))
    else:
        from etstats.storage.testing import pg_database

        place = pg_database(request.getfixturevalue("pg_dsn"))
    with place as url:
        ingest = ["ingest", str(folder), "--db", url, "--server", "default", "--timezone", "UTC"]
        assert main(ingest) == 0
        capsys.readouterr()
        assert main(["audit", "--db", url, "--json"]) == 1  # both inputs hold conflicts
        out = capsys.readouterr().out
    report = json.loads(out)
    assert sum(report["verdicts"].values()) == report["rounds"]["with_stats"] == ROUNDS[which]
    assert _sha(out) == PINNED[which]["audit"]

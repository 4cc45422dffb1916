"""One test per hook (named test_hook_<hook>): each is called with what its spec promises."""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

import pytest

from etstats.cli import main
from etstats.hookspecs import hookimpl
from etstats.ingest.artifacts import Artifact
from etstats.ingest.pipeline import Pipeline
from etstats.model.stats import StatsRound
from etstats.plugins import get_plugin_manager, registered
from etstats.storage.base import Storage
from etstats.storage.migrate import load_migrations
from etstats.storage.registry import open_storage
from etstats.storage.sqlite import SQLiteStorage
from etstats.testing.synthetic import round_artifacts


class Recorder:
    """Records every notification."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    @hookimpl
    def etstats_artifact_received(self, artifact: Artifact) -> None:
        self.calls.append(("artifact_received", {"artifact": artifact}))

    @hookimpl
    def etstats_round_parsed(self, round: StatsRound, source: str) -> None:
        self.calls.append(("round_parsed", {"round": round, "source": source}))

    @hookimpl
    def etstats_round_reconciled(self, result: Any) -> None:
        self.calls.append(("round_reconciled", {"result": result}))

    @hookimpl
    def etstats_round_stored(self, round_id: int, storage: Storage) -> None:
        self.calls.append(("round_stored", {"round_id": round_id, "storage": storage}))

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]


def _ingest_round(tmp_path: Path, recorder: Recorder) -> tuple[list[Artifact], SQLiteStorage]:
    pm = get_plugin_manager([recorder], load_entry_points=False)
    store = SQLiteStorage(str(tmp_path / "h.db"))
    arts = round_artifacts(
        map_name="supply", round_number=1, end_unix=1_767_225_600, rng=random.Random(3)
    )
    pipeline = Pipeline(store, pm=pm)
    for a in arts:
        pipeline.ingest(a)
    pipeline.ingest(arts[0])  # a duplicate notifies nothing
    return arts, store


def test_hook_etstats_register_storage(tmp_path: Path, no_entry_point_plugins: None) -> None:
    opened: list[str] = []

    class Memory:
        @hookimpl
        def etstats_register_storage(self, register: Any) -> None:
            def factory(url: str, **_options: Any) -> Storage:
                opened.append(url)
                return SQLiteStorage(":memory:")

            register("mem", factory)
            register("sqlite", factory)  # cannot override the built-in

    pm = get_plugin_manager([Memory()])
    store = open_storage("mem://x", pm=pm)
    assert opened == ["mem://x"]
    assert store.schema_version() == max(m.version for m in load_migrations("sqlite"))
    builtin = open_storage(str(tmp_path / "b.db"), pm=pm)
    assert isinstance(builtin, SQLiteStorage)
    assert opened == ["mem://x"]


def test_hook_etstats_register_deliveries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    delivered: list[int] = []

    class Target:
        @hookimpl
        def etstats_register_deliveries(self, register: Any) -> None:
            register("memo", lambda round_id, storage: delivered.append(round_id))

    pm = get_plugin_manager([Target()], load_entry_points=False)
    targets = registered(pm, "etstats_register_deliveries")
    store = SQLiteStorage(str(tmp_path / "d.db"))
    pipeline = Pipeline(store, pm=pm, deliver=[targets["memo"]])
    arts = round_artifacts(
        map_name="supply", round_number=1, end_unix=1_767_225_600, rng=random.Random(1)
    )
    for a in arts:
        pipeline.ingest(a)
    [r] = store.rounds()
    assert delivered == [r.id, r.id, r.id]  # each artifact re-delivers its (re-linked) round


def test_hook_etstats_register_commands(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Hello:
        @hookimpl
        def etstats_register_commands(self, register: Any) -> None:
            p = register.add_parser("hello-test", help="say hello")
            p.add_argument("--name", default="world")
            p.set_defaults(func=lambda args: print(f"hello {args.name}") or 0)

    import etstats.plugins

    real = etstats.plugins.get_plugin_manager
    monkeypatch.setattr(etstats.plugins, "get_plugin_manager", lambda: real([Hello()]))
    assert main(["hello-test", "--name", "et"]) == 0
    assert capsys.readouterr().out == "hello et\n"


def test_hook_etstats_register_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    arts = round_artifacts(
        map_name="supply", round_number=2, end_unix=1_767_225_600, rng=random.Random(2)
    )

    class Spool:
        @hookimpl
        def etstats_register_sources(self, register: Any) -> None:
            register("spool", lambda: list(arts))

    pm = get_plugin_manager([Spool()], load_entry_points=False)
    source = registered(pm, "etstats_register_sources")["spool"]
    store = SQLiteStorage(str(tmp_path / "s.db"))
    summary = Pipeline(store, pm=pm).ingest_many(source())
    assert summary.count("stored") == 3
    assert len(store.rounds()) == 1
    store.close()
    # and from the command line
    import etstats.plugins

    monkeypatch.setattr(
        etstats.plugins,
        "get_plugin_manager",
        lambda: get_plugin_manager([Spool()], load_entry_points=False),
    )
    db = str(tmp_path / "cli.db")
    assert main(["ingest", "--source", "spool", "--db", db]) == 0
    assert "3 stored" in capsys.readouterr().out
    assert main(["ingest", "--source", "nope", "--db", db]) == 4


def test_hook_etstats_artifact_received(tmp_path: Path) -> None:
    rec = Recorder()
    arts, _ = _ingest_round(tmp_path, rec)
    got = [c[1]["artifact"] for c in rec.calls if c[0] == "artifact_received"]
    assert [a.sha256 for a in got] == [a.sha256 for a in arts]  # not for the duplicate
    assert all(a.received_at.utcoffset() is not None for a in got)


def test_hook_etstats_round_parsed(tmp_path: Path) -> None:
    rec = Recorder()
    arts, _ = _ingest_round(tmp_path, rec)
    [(_name, args)] = [c for c in rec.calls if c[0] == "round_parsed"]
    assert isinstance(args["round"], StatsRound)
    assert args["source"] == arts[0].name
    assert args["round"].map_name == "supply"


def test_hook_etstats_round_reconciled(tmp_path: Path) -> None:
    rec = Recorder()
    _, store = _ingest_round(tmp_path, rec)
    from etstats.reconciliation import Reconciliation

    results = [c[1]["result"] for c in rec.calls if c[0] == "round_reconciled"]
    # stats, then Lua, then endstats: each arrival re-reconciles the same round
    assert len(results) == 3
    assert all(isinstance(r, Reconciliation) for r in results)
    assert [(r.stats is not None, r.lua is not None, r.endstats is not None) for r in results] == [
        (True, False, False),
        (True, True, False),
        (True, True, True),
    ]
    [(_rid, verdict, *_)] = store.table_rows("reconciliations")
    assert verdict == str(results[-1].verdict)


def test_hook_etstats_round_stored(tmp_path: Path) -> None:
    rec = Recorder()
    _, store = _ingest_round(tmp_path, rec)
    stored = [c[1] for c in rec.calls if c[0] == "round_stored"]
    [r] = store.rounds()
    assert [s["round_id"] for s in stored] == [r.id] * 3
    assert all(s["storage"] is store for s in stored)
    order = rec.names()
    assert order.index("artifact_received") < order.index("round_stored")


def test_argparse_subparsers_is_what_commands_receive() -> None:
    seen: list[Any] = []

    class Peek:
        @hookimpl
        def etstats_register_commands(self, register: Any) -> None:
            seen.append(register)

    get_plugin_manager([Peek()], load_entry_points=False).hook.etstats_register_commands(
        register=argparse.ArgumentParser().add_subparsers()
    )
    assert isinstance(seen[0], argparse._SubParsersAction)

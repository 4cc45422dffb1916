"""Plugin loading: order, check_pending, allow/deny lists, tracing, missing extras."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from etstats.errors import AdapterUnavailable, PluginError
from etstats.hookspecs import hookimpl
from etstats.plugins import get_plugin_manager, import_adapter, registered
from etstats.storage.registry import open_storage


def _fake_distribution(root: Path, name: str, module_source: str) -> None:
    """A real installed distribution on sys.path: a module and an ``etstats`` entry point."""
    (root / f"{name}_mod.py").write_text(textwrap.dedent(module_source), encoding="utf-8")
    info = root / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[etstats]\n{name} = {name}_mod\n")


def test_builtins_then_entry_points_then_explicit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ETSTATS_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("ETSTATS_DISABLE_PLUGINS", raising=False)

    class Explicit:
        @hookimpl
        def etstats_register_deliveries(self, register: object) -> None:
            pass

    explicit = Explicit()
    pm = get_plugin_manager([explicit])
    names = [pm.get_name(p) for p in pm.get_plugins()]
    assert "etstats.storage.builtin" in names
    assert {"discord", "fastapi"} <= set(names)  # this distribution's own entry points
    assert pm.is_registered(explicit)
    assert "discord" in registered(pm, "etstats_register_deliveries")


def test_a_new_manager_each_call_and_nothing_at_import() -> None:
    assert get_plugin_manager() is not get_plugin_manager()
    code = (
        "import sys, etstats, etstats_discord.plugin, etstats_fastapi.plugin; "
        "print(sorted(m for m in ('etstats.plugins', 'psycopg', 'fastapi', 'discord', "
        "'uvicorn') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_typo_in_hook_name_is_refused(no_entry_point_plugins: None) -> None:
    class Typo:
        @hookimpl
        def etstats_round_storred(self, round_id: int) -> None:
            pass

    with pytest.raises(PluginError, match="etstats_round_storred"):
        get_plugin_manager([Typo()])


def test_wrong_argument_name_is_refused(no_entry_point_plugins: None) -> None:
    class BadArgs:
        @hookimpl
        def etstats_round_stored(self, round_number: int) -> None:
            pass

    with pytest.raises(PluginError, match="round_number"):
        get_plugin_manager([BadArgs()])


def test_allow_list_empty_loads_no_entry_points(no_entry_point_plugins: None) -> None:
    names = {get_plugin_manager().get_name(p) for p in get_plugin_manager().get_plugins()}
    assert "discord" not in names
    assert "fastapi" not in names


def test_allow_list_names_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ETSTATS_LOAD_PLUGINS", "fastapi")
    pm = get_plugin_manager()
    assert pm.has_plugin("fastapi")
    assert not pm.has_plugin("discord")


def test_deny_list_blocks_builtins_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from etstats.errors import ConfigError

    monkeypatch.setenv("ETSTATS_DISABLE_PLUGINS", "etstats.storage.builtin,discord")
    pm = get_plugin_manager()
    assert not pm.has_plugin("discord")
    with pytest.raises(ConfigError, match="no storage backend"):
        open_storage(str(tmp_path / "x.db"), pm=pm)


def test_tracing_prints_hook_calls(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ETSTATS_TRACE_PLUGINS", "1")
    monkeypatch.setenv("ETSTATS_LOAD_PLUGINS", "")
    pm = get_plugin_manager()
    registered(pm, "etstats_register_storage")
    assert "etstats_register_storage" in capsys.readouterr().err


def test_missing_extra_skipped_when_discovered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_distribution(
        tmp_path,
        "needsextra",
        """
        from etstats.hookspecs import hookimpl
        ETSTATS_EXTRA = "needsextra"
        ETSTATS_REQUIRES = ("etstats_surely_not_installed_xyz",)

        @hookimpl
        def etstats_register_deliveries(register):
            register("needsextra", lambda round_id, storage: None)
    """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("ETSTATS_LOAD_PLUGINS", raising=False)
    pm = get_plugin_manager()
    assert not pm.has_plugin("needsextra")
    assert "pip install 'etstats[needsextra]'" in pm.skipped["needsextra"]
    assert "etstats_surely_not_installed_xyz" in pm.skipped["needsextra"]
    with pytest.raises(AdapterUnavailable, match=r"pip install 'etstats\[needsextra\]'"):
        get_plugin_manager(["needsextra_mod"])


def test_plugin_that_is_installed_is_loaded_from_its_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_distribution(
        tmp_path,
        "goodplug",
        """
        from etstats.hookspecs import hookimpl

        @hookimpl
        def etstats_register_deliveries(register):
            register("goodplug", lambda round_id, storage: None)
    """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("ETSTATS_LOAD_PLUGINS", "goodplug")
    pm = get_plugin_manager()
    assert pm.has_plugin("goodplug")
    assert "goodplug" in registered(pm, "etstats_register_deliveries")


def test_broken_entry_point_is_a_plugin_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_distribution(tmp_path, "brokenplug", "raise RuntimeError('boom at import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("ETSTATS_LOAD_PLUGINS", "brokenplug")
    with pytest.raises(PluginError, match="boom at import"):
        get_plugin_manager()


def test_explicit_unknown_module_is_adapter_unavailable() -> None:
    with pytest.raises(AdapterUnavailable, match="etstats_no_such_adapter"):
        import_adapter("etstats_no_such_adapter.plugin")


def test_adapters_declare_their_extras() -> None:
    import etstats_discord.plugin as discord_plugin
    import etstats_fastapi.plugin as fastapi_plugin

    assert discord_plugin.ETSTATS_EXTRA == "discord"
    assert fastapi_plugin.ETSTATS_REQUIRES == ("fastapi", "uvicorn", "jinja2")
    assert import_adapter("etstats_fastapi.plugin") is fastapi_plugin  # extras installed here

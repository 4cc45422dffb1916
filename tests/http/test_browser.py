"""Every page in real headless Chromium (Debian's chromium + chromedriver driven by Selenium;
nothing is downloaded), against ``etstats`` served by uvicorn on 127.0.0.1.

Asserts: no console errors, no request leaving loopback, table rows equal the API's rows, SVG
marks equal the plotted data points and the SVG has a non-zero height, no sideways scrolling
of the page on a phone-sized window. Screenshots go to ``$ETSTATS_TEST_ARTIFACTS`` (default: a
temporary folder, printed).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.helpers import need
from tests.http.live import live_server

from etstats_fastapi.app import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
)
ADMIN = {"X-API-Key": "browser-key"}
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def base(season_db: str) -> Iterator[str]:
    app = create_app(db_url=season_db, secrets={}, api_keys=("browser-key",))
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def artifacts() -> Path:
    folder = Path(
        os.environ.get("ETSTATS_TEST_ARTIFACTS") or tempfile.mkdtemp(prefix="etstats-shots-")
    )
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots in {folder}")
    return folder


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    need(
        Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(),
        "Debian chromium and chromium-driver are not installed (scripts/setup)",
    )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_AVOID_STATS", "true")  # Selenium Manager: no telemetry
    os.environ.setdefault("SE_OFFLINE", "true")  # ... and no downloads
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield drv
    finally:
        drv.quit()


def open_page(driver: Any, base: str, path: str, shots: Path, name: str) -> None:
    """Load ``path`` at both sizes; assert the page-wide rules and save screenshots."""
    for size, (w, h) in SIZES.items():
        driver.set_window_size(w, h)
        driver.get(base + path)
        errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
        assert errors == [], errors
        urls = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
            ".concat([location.href])"
        )
        assert urls
        assert all(u.startswith(base + "/") or u.startswith("data:") for u in urls), urls
        sheets = driver.execute_script("return document.styleSheets.length")
        assert sheets == 1  # the stylesheet loaded under the CSP
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at {size}"
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(w, min(max(h, height), 4000))
        driver.save_screenshot(str(shots / f"{name}-{size}.png"))


def table_rows(driver: Any, table_id: str) -> list[list[str]]:
    rows: list[list[str]] = driver.execute_script(
        "return [...document.querySelectorAll('#' + arguments[0] + ' tbody tr')]"
        ".map(tr => [...tr.cells].map(td => td.textContent.trim()))",
        table_id,
    )
    return rows


def test_overview(driver: Any, base: str, artifacts: Path) -> None:
    open_page(driver, base, "/", artifacts, "overview")
    api = httpx.get(f"{base}/v1/diagnostics/pipeline", headers=ADMIN, timeout=30).json()
    rows = table_rows(driver, "pipeline")
    assert [r[0] for r in rows] == [s["server"] for s in api["servers"]]
    assert [int(r[1]) for r in rows] == [s["rounds"] for s in api["servers"]]
    cards = driver.execute_script("return document.querySelectorAll('.card.session').length")
    assert cards == len(httpx.get(f"{base}/v1/sessions", timeout=30).json()["items"])


def test_session_page_players_equal_the_api(driver: Any, base: str, artifacts: Path) -> None:
    session = httpx.get(f"{base}/v1/sessions/latest", timeout=30).json()
    open_page(driver, base, f"/sessions/{session['id']}", artifacts, "session")
    rows = table_rows(driver, "players")
    api = [
        [
            p["player"]["name"],
            str(p["totals"]["kills"]),
            str(p["totals"]["deaths"]),
            str(p["totals"]["damage_given"]),
        ]
        for p in session["players"]
    ]
    assert [r[:4] for r in rows] == api
    assert [r[0] for r in table_rows(driver, "maps")] == [m["map_name"] for m in session["maps"]]


def test_player_page(driver: Any, base: str, artifacts: Path) -> None:
    session = httpx.get(f"{base}/v1/sessions/latest", timeout=30).json()
    guid = session["players"][0]["player"]["guid"]
    career = httpx.get(f"{base}/v1/players/{guid}", timeout=30).json()
    open_page(driver, base, f"/players/{guid}", artifacts, "player")
    assert [r[0] for r in table_rows(driver, "by-map")] == [m["map_name"] for m in career["by_map"]]
    assert [r[0] for r in table_rows(driver, "by-weapon")] == [
        w["weapon"] for w in career["by_weapon"]
    ]


@pytest.mark.parametrize("query", ["?round_id=1", ""])
def test_audit_page_svg_marks_equal_the_data(
    driver: Any, base: str, artifacts: Path, query: str
) -> None:
    open_page(driver, base, "/audit" + query, artifacts, "audit-round1" if query else "audit-all")
    params = {"limit": 500, **({"round_id": 1} if query else {})}
    api = httpx.get(
        f"{base}/v1/diagnostics/spawn-audit", params=params, headers=ADMIN, timeout=30
    ).json()["items"]
    rows = driver.execute_script(
        "return [...document.querySelectorAll('#audit tbody tr')]"
        ".map(tr => [Number(tr.dataset.round), tr.dataset.player, tr.cells[5].textContent])"
    )
    assert rows == [[i["round_id"], i["player_key"], i["verdict"]] for i in api]
    plotted = [
        i for i in api if i["lua_dead_seconds"] is not None and i["stats_dead_seconds"] is not None
    ]
    marks = driver.execute_script(
        "return [...document.querySelectorAll('svg.scatter circle.mark')]"
        ".map(c => c.querySelector('title').textContent)"
    )
    assert len(marks) == len(plotted) > 0
    assert sorted(m.split(":")[0] for m in marks) == sorted(
        i["player_name"] or i["player_key"] for i in plotted
    )
    box = driver.execute_script(
        "const r = document.querySelector('svg.scatter').getBoundingClientRect();"
        "return [r.width, r.height]"
    )
    assert box[0] > 100
    assert box[1] > 100

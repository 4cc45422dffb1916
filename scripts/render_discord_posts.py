"""Render the Discord posts and answers as pictures for docs/discord.md.

Builds the real payloads (etstats_discord.posts/mapresult/answers) from a store, draws each as
a Discord-like dark embed in HTML (markdown, code blocks, time tags shown as a reader in UTC
would see them) and screenshots it with headless Chromium. Usage::

    .venv/bin/python scripts/render_discord_posts.py [--db STORE] [--out docs/img]

Without ``--db`` a temporary store is filled from ../shared/real_stats.
"""

from __future__ import annotations

import argparse
import html
import re
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

from etstats.ingest.artifacts import Artifact, iter_artifact_paths
from etstats.ingest.pipeline import Pipeline
from etstats.storage.registry import open_storage
from etstats_discord import answers, limits
from etstats_discord.mapresult import map_post
from etstats_discord.posts import load_round, round_post

ROOT = Path(__file__).resolve().parent.parent
CSS = """
body { background:#313338; margin:0; padding:16px; font-family:'gg sans','Noto Sans',
  'DejaVu Sans',sans-serif; color:#dbdee1; font-size:15px; width:640px }
.msg { display:flex; gap:12px; margin-bottom:14px }
.avatar { width:40px; height:40px; border-radius:50%; background:#5865f2; flex:none;
  color:white; font-weight:bold; display:flex; align-items:center; justify-content:center }
.name { font-weight:600; color:#f2f3f5 } .bot { background:#5865f2; color:white;
  font-size:10px; padding:1px 4px; border-radius:3px; margin-left:4px }
.embed { background:#2b2d31; border-left:4px solid; border-radius:4px; padding:8px 16px 12px 12px;
  margin-top:4px; max-width:560px }
.title { font-weight:700; color:#f2f3f5; margin:4px 0 6px }
.desc { white-space:pre-wrap; font-size:14px; line-height:1.4 }
.fields { display:flex; flex-wrap:wrap; gap:6px 16px; margin-top:8px }
.field { flex:1 1 100%; font-size:14px } .field.inline { flex:1 1 40% }
.fname { font-weight:700; color:#f2f3f5; margin-bottom:2px }
.fvalue { white-space:pre-wrap }
pre { background:#1e1f22; border:1px solid #1e1f22; border-radius:4px; padding:6px;
  font-family:'DejaVu Sans Mono',monospace; font-size:12px; margin:2px 0; white-space:pre }
.ts { background:#3c3f45; border-radius:3px; padding:0 2px }
.footer { font-size:12px; color:#949ba4; margin-top:8px }
.content { white-space:pre-wrap }
"""


def _when(unix: int, style: str) -> str:
    t = datetime.fromtimestamp(unix, UTC)
    if style == "R":
        days = (datetime(2026, 12, 2, tzinfo=UTC) - t).days
        return f"{days} days ago" if days > 1 else "today"
    if style == "t":
        return t.strftime("%H:%M")
    if style == "d":
        return t.strftime("%d/%m/%Y")
    return t.strftime("%-d %B %Y %H:%M")


def md(text: str) -> str:
    """Discord markdown (the subset the posts use) to HTML."""
    out: list[str] = []
    for i, part in enumerate(re.split(r"```\n?(.*?)\n?```", text, flags=re.S)):
        if i % 2:
            out.append(f"<pre>{html.escape(part)}</pre>")
            continue
        s = html.escape(part)
        s = re.sub(r"&lt;t:(\d+):(\w)&gt;",
                   lambda m: f"<span class=ts>{_when(int(m[1]), m[2])}</span>", s)
        s = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", s)
        s = re.sub(r"`([^`]+)`", r"<code>\1</code>", s)
        s = re.sub(r"\\(.)", r"\1", s)
        out.append(s)
    return "".join(out)


def embed_html(e: dict[str, Any]) -> str:
    fields = "".join(
        f"<div class='field{' inline' if f.get('inline') else ''}'><div class=fname>"
        f"{md(f['name'])}</div><div class=fvalue>{md(f['value'])}</div></div>"
        for f in e.get("fields", []))  # fmt: skip
    return (f"<div class=embed style='border-color:#{e.get('color', 0):06x}'>"
            f"<div class=title>{md(e.get('title', ''))}</div>"
            f"<div class=desc>{md(e.get('description', ''))}</div>"
            f"<div class=fields>{fields}</div>"
            f"<div class=footer>{md(e.get('footer', {}).get('text', ''))}</div></div>")


def page(messages: list[dict[str, Any]], who: str = "etstats") -> str:
    body = ""
    for m in messages:
        if limits.violations(m):
            raise SystemExit(f"a post breaks Discord's limits: {limits.violations(m)}")
        inner = (f"<div class=content>{md(m.get('content', ''))}</div>"
                 + "".join(embed_html(e) for e in m.get("embeds", [])))
        body += (f"<div class=msg><div class=avatar>E</div><div><span class=name>{who}</span>"
                 f"<span class=bot>BOT</span>{inner}</div></div>")
    return f"<html><head><meta charset=utf-8><style>{CSS}</style></head><body>{body}</body></html>"


def shoot(doc: str, out: Path, height: int) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False, encoding="utf-8") as f:
        f.write(doc)
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", f"--screenshot={out}", f"--window-size=680,{height}",
                    f"file://{f.name}"], check=True, capture_output=True, timeout=60)  # fmt: skip
    print(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--out", default=str(ROOT / "docs" / "img"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.mkdtemp()
    store = open_storage(args.db or f"{tmp}/docs.db")
    if not args.db:
        real = ROOT.parent / "shared" / "real_stats"
        Pipeline(store).ingest_many(Artifact.from_path(p) for p in iter_artifact_paths([real]))
    rounds = store.list_rounds(map_name="supply", round_number=2, limit=1)
    shoot(page(round_post(store, load_round(store, rounds[0].id))),
          out / "discord-round-post.png", 900)  # fmt: skip
    shoot(page(map_post(store, load_round(store, rounds[0].id))), out / "discord-map-result.png",
          420)  # fmt: skip
    shoot(page(answers.answer_session(store, "last")), out / "discord-session-summary.png", 900)
    from etstats_discord.graph import session_png

    latest = next(x for x in store.sessions(limit=10) if x.players)
    session = store.session(latest.id, server=latest.server)
    png = session_png(session) if session is not None else None
    if png is not None:  # the [plot] extra: the graph attached under the summary
        (out / "discord-session-graph.png").write_bytes(png)
        print(out / "discord-session-graph.png")
    shoot(page(answers.answer_leaderboard(store, "dpm", "all")), out / "discord-leaderboard.png",
          640)  # fmt: skip
    shoot(page([limits.alert_message("Delivery target public was disabled: 404 Unknown "
                                     "Webhook. Fix it, then run `etstats deliver --enable "
                                     "public`.")]), out / "discord-alert.png", 140)  # fmt: skip
    no_round_alert(out)


def no_round_alert(out: Path) -> None:
    """The "no round while players were on" alert and its resolved edit, from the real text
    functions (a server whose stats files stopped arriving at 19:05 on an evening)."""
    from etstats.outbox.silence import resolved_text, silence_text
    from etstats.queries.heartbeats import ServerHeartbeat, judge

    evening = int(datetime(2026, 12, 2, 19, 5, tzinfo=UTC).timestamp())
    beat = ServerHeartbeat("eu1", evening + 8100, evening + 8101, 8, "supply", evening + 8100,
                           None, evening - 3600, evening)  # fmt: skip
    silent = judge(beat, now_unix=evening + 8200, hours=2.0)
    back = judge(attrs.evolve(beat, last_round_unix=evening + 9000), now_unix=evening + 9000,
                 hours=2.0)  # fmt: skip
    shoot(page([limits.alert_message(silence_text(silent)),
                limits.alert_message(resolved_text(back, evening))]),
          out / "discord-no-round-alert.png", 230)  # fmt: skip


if __name__ == "__main__":
    main()

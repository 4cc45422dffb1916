"""Hypothesis: any arrival order, with duplicates, converges to the in-order state, and every
stored round 2 holds what the round-2 differential makes of it and its round 1."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from tests.helpers import examples

from etstats.differential import differential_all, pair_rounds
from etstats.ingest.artifacts import Artifact
from etstats.ingest.extract import parse_artifact
from etstats.ingest.pipeline import Pipeline
from etstats.storage.base import Storage
from etstats.storage.testing import snapshot, wipe
from etstats.testing.synthetic import RECEIVED, round_artifacts, round_pair_artifacts

BASE = 1_767_225_600
EXAMPLES = examples(100)


@st.composite
def rounds_artifacts(draw: st.DrawFn) -> list[Artifact]:
    """Artifacts of 1-5 random rounds; ends on a 20 s grid so replays can sit within the
    linking window of each other (ambiguities included)."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    out: list[Artifact] = []
    for _ in range(draw(st.integers(1, 5))):
        kinds = draw(st.tuples(st.booleans(), st.booleans(), st.booleans()))
        out += round_artifacts(
            map_name=draw(st.sampled_from(["supply", "te_escape2"])),
            round_number=draw(st.integers(1, 2)),
            end_unix=BASE + 20 * draw(st.integers(0, 12)),
            rng=rng,
            players=draw(st.integers(0, 3)),
            stats=kinds[0],
            lua=kinds[1],
            endstats=kinds[2],
            pauses=draw(st.integers(0, 2)),
        )
    for _ in range(draw(st.integers(0, 2))):  # stopwatch R1/R2 pairs, R2 cumulative
        pair, _r2_only = round_pair_artifacts(
            map_name=draw(st.sampled_from(["supply", "te_escape2"])),
            r1_end_unix=BASE + 20 * draw(st.integers(0, 12)),
            gap_seconds=20 * draw(st.integers(1, 150)),  # up to 50 min: some outside 45
            rng=rng,
            players=draw(st.integers(1, 3)),
        )
        out += pair
    return out


def check_round2_values(store: Storage) -> None:
    """Each stored round 2 holds ``differential_all`` of the stored stats rounds (B's pairing
    and subtraction run directly on the archived files): R2-only rows against the round 1
    ``pair_rounds`` picks, cumulative rows for an orphan."""
    names = {a.sha256: a.name for a in store.artifacts()}
    rounds = [r for r in store.rounds() if r.stats_sha256]
    models = []
    with store.transaction() as tx:
        for r in rounds:
            sha = r.stats_sha256 or ""
            art = Artifact.from_bytes(tx.artifact_data(sha), names[sha])
            models.append(parse_artifact(art).model)
    expected = differential_all(models)
    partner = {p.r2_index: p.r1_index for p in pair_rounds(models).pairs}
    players = store.table_rows("player_round_stats")
    for i, r in enumerate(rounds):
        if r.round_number != 2:
            assert (r.values_scope, r.r1_round_id) == ("round", None)
            continue
        stored = [(row[2], row[7], row[8], row[9]) for row in players if row[0] == r.id]
        want = [
            (p.guid, p.kills, p.deaths, p.tab.damage_given if p.tab else None)
            for p in expected[i].players
        ]
        assert stored == want
        event("round 2 differenced" if i in partner else "orphan round 2")
        if i in partner:
            assert (r.values_scope, r.r1_round_id) == ("round", rounds[partner[i]].id)
        else:
            assert (r.values_scope, r.r1_round_id) == ("cumulative_r1_r2", None)


@settings(
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(arts=rounds_artifacts(), data=st.data())
def test_shuffled_duplicated_artifacts_converge(
    store: Storage, arts: list[Artifact], data: st.DataObject
) -> None:
    wipe(store)
    in_order = Pipeline(store)
    for a in arts:
        in_order.ingest(a)
    expected = snapshot(store)
    wipe(store)
    extra = data.draw(st.lists(st.sampled_from(arts), max_size=6)) if arts else []
    shuffled = data.draw(st.permutations([*arts, *extra]))
    pipeline = Pipeline(store)  # a fresh pipeline: no parse cache shared with the first run
    statuses = [pipeline.ingest(a).status for a in shuffled]
    assert snapshot(store) == expected
    assert statuses.count("duplicate") >= len(extra)
    check_round2_values(store)


@st.composite
def rounds_with_bad_copies(draw: st.DrawFn) -> list[Artifact]:
    """:func:`rounds_artifacts` plus, for some stats files, the copies a real collection
    holds: a copy cut mid-line (rejected as truncated), a copy cut at a line boundary under a
    collector's prefix (parses, loses to the whole file), the same bytes under a name that does
    not parse (``!backup-N.txt``) and undecodable junk under the round's name (rejected)."""
    arts = draw(rounds_artifacts())
    extra: list[Artifact] = []
    for i, art in enumerate(a for a in arts if a.kind.value == "stats"):
        data = art.data
        copies = draw(st.sets(st.sampled_from(["mid", "line", "backup", "junk"]), max_size=4))
        if "mid" in copies:
            cut = draw(st.integers(1, len(data) - 2))
            if data[cut - 1 : cut] != b"\n":
                extra.append(Artifact.from_bytes(data[:cut], art.name, received_at=RECEIVED))
        if "line" in copies and data.count(b"\n") > 1:
            extra.append(
                Artifact.from_bytes(
                    data[: data.rstrip(b"\n").rfind(b"\n") + 1],
                    f"copy_{art.name}",
                    received_at=RECEIVED,
                )
            )
        if "backup" in copies:
            extra.append(Artifact.from_bytes(data, f"!backup-{i}.txt", received_at=RECEIVED))
        if "junk" in copies:
            extra.append(
                Artifact.from_bytes(
                    b"\x00junk" + data[:20], f"old_{art.name}", received_at=RECEIVED
                )
            )
    return [*arts, *extra]


@settings(
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(arts=rounds_with_bad_copies(), data=st.data())
def test_truncated_renamed_and_rejected_copies_converge(
    store: Storage, arts: list[Artifact], data: st.DataObject
) -> None:
    """Any arrival order of the copies, and a rebuild, give the same store; no round keeps a
    copy that lost (a cut copy, a backup name)."""
    wipe(store)
    in_order = Pipeline(store)
    for a in arts:
        in_order.ingest(a)
    expected = snapshot(store)
    wipe(store)
    shuffled = data.draw(st.permutations(arts))
    pipeline = Pipeline(store)
    for a in shuffled:
        pipeline.ingest(a)
    assert snapshot(store) == expected
    Pipeline(store).rebuild()
    assert snapshot(store) == expected
    names = {a.sha256: a.name for a in store.artifacts()}
    for r in store.rounds():
        if r.stats_sha256:
            name = names[r.stats_sha256]
            assert not name.startswith(("!backup", "copy_", "old_")), name

"""The leaderboard's fast path (scores read as rows, totals and normalisation on numpy arrays, judge pairs
correlated together) against a straightforward computation of the rules of ``competitions.selectors.scoring``:
one loop per rule, over plain dicts. Totals, scores and ranks are equal to the last bit; the judges' agreement and
correlations too, given the totals in the same order (the round's sums them judge pair by judge pair)."""

import math
import random
import statistics
from collections import defaultdict
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from competitions.models import Conflict, Entry, Round, RoundEntry, Score, ScoreSheet
from competitions.selectors.leaderboard import round_leaderboard
from competitions.selectors.outliers import outlier_judges
from competitions.selectors.scoring import (
    Scale,
    entry_scores,
    kendalls_w,
    rank_entries,
    trimmed_mean,
    weighted_total,
    weighted_totals,
)
from competitions.services.assignment import round_assign
from tests.factories import CriterionFactory, JudgeFactory, RoundFactory, TrackFactory, ready_entry

# ---------------------------------------------------------------------------------------------------------------
# The rules, one loop each


def plain_normalise(totals: dict, *, low: float, high: float) -> dict:
    by_judge = defaultdict(list)
    for (judge, _entry), total in totals.items():
        by_judge[judge].append(total)
    centre, spread = statistics.fmean(totals.values()), statistics.pstdev(totals.values())
    result = {}
    for (judge, entry), total in totals.items():
        mine = by_judge[judge]
        sd = statistics.pstdev(mine)
        z = (total - statistics.fmean(mine)) / sd if len(mine) > 1 and sd > 0 else 0.0
        result[(judge, entry)] = min(max(centre + z * spread, low), high)
    return result


def plain_scores(totals: dict, *, low: float, high: float) -> dict:
    """entry -> (mean, normalised, trimmed, count)."""
    normalised = plain_normalise(totals, low=low, high=high)
    raw, norm = defaultdict(list), defaultdict(list)
    for pair, total in totals.items():
        raw[pair[1]].append(total)
        norm[pair[1]].append(normalised[pair])
    return {e: (statistics.fmean(v), statistics.fmean(norm[e]), trimmed_mean(v), len(v)) for e, v in raw.items()}


def plain_ranks(values: list[float]) -> list[float]:
    return [sum(v < x for v in values) + (sum(v == x for v in values) - 1) / 2 + 1 for x in values]


def plain_pearson(xs: list[float], ys: list[float]) -> float | None:
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx, syy = sum((x - mx) ** 2 for x in xs), sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else None


def plain_incomplete_w(totals: dict) -> float | None:
    """Kendall's W of the K-of-N design: the mean Spearman correlation of judge pairs sharing three entries."""
    by_judge: dict = defaultdict(dict)
    for (judge, entry), total in totals.items():
        by_judge[judge][entry] = total
    judges = [j for j in by_judge if len(by_judge[j]) > 1]
    weighted, weight = 0.0, 0
    for a in range(len(judges)):
        for b in range(a + 1, len(judges)):
            common = sorted(set(by_judge[judges[a]]) & set(by_judge[judges[b]]), key=str)
            if len(common) >= 3:
                rho = plain_pearson(
                    plain_ranks([by_judge[judges[a]][e] for e in common]),
                    plain_ranks([by_judge[judges[b]][e] for e in common]),
                )
                if rho is not None:
                    weighted += rho * len(common)
                    weight += len(common)
    if not weight:
        return None
    per_entry = len(totals) / len({e for _j, e in totals})
    return min(max((weighted / weight * (per_entry - 1) + 1) / per_entry, 0.0), 1.0)


marks = st.integers(0, 20).map(lambda v: v / 2) | st.floats(0, 10)
some_totals = st.dictionaries(st.tuples(st.integers(1, 7), st.integers(1, 12)), marks, min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(some_totals)
def test_scores_and_agreement_equal_the_plain_rules_to_the_last_bit(totals) -> None:
    scores = entry_scores(totals, low=0, high=10)

    assert {e: (s.mean, s.normalised, s.trimmed, s.count) for e, s in scores.items()} == plain_scores(
        totals, low=0, high=10
    )
    judges = defaultdict(set)
    for judge, entry in totals:
        judges[judge].add(entry)
    complete = len({frozenset(entries) for entries in judges.values() if len(entries) > 1}) <= 1
    if not complete:
        assert kendalls_w(totals) == plain_incomplete_w(totals)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 3), st.floats(0, 5), st.floats(5.5, 10)), min_size=1, max_size=5), st.data())
def test_weighted_totals_equal_weighted_total_to_the_last_bit(criteria, data) -> None:
    scales = [Scale(weight=w, low=lo, high=hi) for w, lo, hi in criteria]
    rows = data.draw(st.lists(st.lists(st.none() | marks, min_size=len(scales), max_size=len(scales)), min_size=1))
    values = np.array(rows, dtype=float)

    totals = weighted_totals(values, scales, low=scales[0].low, high=scales[0].high)

    for row, total in zip(rows, totals.tolist(), strict=True):
        used = [i for i, v in enumerate(row) if v is not None]
        if used:
            expected = weighted_total([row[i] for i in used], [scales[i] for i in used], low=scales[0].low,
                                      high=scales[0].high)  # fmt: skip
            assert total == expected
        else:
            assert math.isnan(total)


# ---------------------------------------------------------------------------------------------------------------
# A small random round in the database


def random_round(rng: random.Random) -> Round:
    """Two tracks, fourteen entries, four judges, three per entry, two criteria on different scales; one judge has a
    conflict, one sheet stays a draft, one score is empty and one entry is disqualified after scoring."""
    round = RoundFactory(status=Round.Status.OPEN, judges_per_entry=3, method=Round.Method.NORMALISED)
    tracks = [TrackFactory(competition=round.competition) for _ in range(2)]
    criteria = [
        CriterionFactory(round=round, position=0, weight=Decimal(2), scale_min=0, scale_max=10),
        CriterionFactory(round=round, position=1, weight=Decimal("0.5"), scale_min=1, scale_max=5, step=1),
    ]
    for i in range(14):
        entry = ready_entry(tracks[i % 2])
        revision = entry.current_revision
        assert revision is not None
        RoundEntry.objects.create(round=round, entry=entry, track=entry.track, revision=revision,
                                  sha256=revision.sha256, blind_code=f"R{i:02d}")  # fmt: skip
    for _ in range(4):
        round.panelists.create(user=JudgeFactory())
    round_assign(round=round, actor=None)
    for assignment in round.assignments.order_by("pk"):
        sheet = ScoreSheet.objects.create(round=round, judge_id=assignment.judge_id, sha256="0" * 64,
                                          round_entry_id=assignment.round_entry_id, submitted_at=timezone.now(),
                                          status=ScoreSheet.Status.SUBMITTED)  # fmt: skip
        for criterion in criteria:
            low, high = int(criterion.scale_min), int(criterion.scale_max)
            Score.objects.create(sheet=sheet, criterion=criterion, value=Decimal(rng.randint(low * 2, high * 2)) / 2)
    sheets = list(ScoreSheet.objects.filter(round=round).order_by("pk"))
    ScoreSheet.objects.filter(pk=sheets[0].pk).update(status=ScoreSheet.Status.DRAFT)
    Score.objects.filter(sheet=sheets[1], criterion=criteria[1]).update(value=None)
    first = RoundEntry.objects.filter(round=round).order_by("blind_code").select_related("entry").first()
    assert first is not None
    Conflict.objects.create(competition=round.competition, judge_id=sheets[2].judge_id, team_id=first.entry.team_id,
                            source=Conflict.Source.DECLARED)  # fmt: skip
    Entry.objects.filter(pk=RoundEntry.objects.get(round=round, blind_code="R13").entry_id).update(
        disqualified_at=timezone.now()
    )
    return round


def plain_totals(round: Round) -> dict[tuple[int, int], float]:
    """Each counted sheet's weighted total, from model instances."""
    criteria = list(round.criteria.all())
    conflicts = set(Conflict.objects.values_list("judge_id", "team_id"))
    totals = {}
    sheets = ScoreSheet.objects.filter(round=round, status=ScoreSheet.Status.SUBMITTED).select_related(
        "round_entry__entry"
    )
    for sheet in sheets.order_by("pk"):
        entry = sheet.round_entry.entry
        if entry.disqualified_at or (sheet.judge_id, entry.team_id) in conflicts:
            continue
        values = {s.criterion_id: float(s.value) for s in sheet.scores.all() if s.value is not None}
        used = [c for c in criteria if c.pk in values]
        scales = [Scale(weight=float(c.weight), low=float(c.scale_min), high=float(c.scale_max)) for c in used]
        totals[(sheet.judge_id, sheet.round_entry_id)] = weighted_total(
            [values[c.pk] for c in used], scales, low=float(criteria[0].scale_min), high=float(criteria[0].scale_max)
        )
    return totals


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_the_leaderboard_equals_the_plain_computation_on_a_random_round(seed: int) -> None:
    round = random_round(random.Random(seed))
    totals = plain_totals(round)
    plain = plain_scores(totals, low=0, high=10)

    board = round_leaderboard(round)

    shown = {row.round_entry.pk: row for track in board.tracks for row in track.rows}
    assert len(shown) == 13  # the disqualified entry is left out
    assert {pk: (r.mean, r.normalised, r.trimmed, r.submitted) for pk, r in shown.items() if r.rank} == plain
    assert {(t.judge_id, pk): t.total for pk, r in shown.items() for t in r.totals} == totals
    scores = entry_scores(totals, low=0, high=10)
    for track in board.tracks:
        members = {row.round_entry.pk: row.code for row in track.rows}
        expected = rank_entries({pk: scores[pk] for pk in members if pk in plain}, method="normalised", order=members)
        assert [(row.round_entry.pk, row.rank) for row in track.rows if row.rank] == expected
        agreement = kendalls_w({pair: t for pair, t in totals.items() if pair[1] in members})
        assert track.agreement == (None if agreement is None else pytest.approx(agreement, abs=1e-12))
    flagged = outlier_judges(totals)
    assert {f.judge_id: f.correlation for f in board.flagged} == pytest.approx(flagged, abs=1e-12)

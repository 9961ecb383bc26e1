"""Results: the arithmetic on examples worked by hand, then the leaderboard, publication, shortlist, CSV export
and a team's own results on a round in the database."""

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from competitions.models import (
    AuditEvent,
    Conflict,
    Criterion,
    Round,
    RoundEntry,
    RoundResult,
    Score,
    ScoreSheet,
    Track,
)
from competitions.selectors.leaderboard import CSV_HEADER, round_leaderboard, scores_csv
from competitions.selectors.outliers import outlier_judges
from competitions.selectors.results import team_results
from competitions.selectors.scoring import (
    EntryScore,
    Scale,
    entry_scores,
    kendalls_w,
    normalise,
    rank_entries,
    trimmed_mean,
    weighted_total,
)
from competitions.services.judging import round_close
from competitions.services.results import round_publish, shortlist_set
from tests.factories import CriterionFactory, JudgeFactory, RoundFactory, TrackFactory, ready_entry
from tests.services.conftest import refused

# The worked example: J1 is lenient and saw A and B, J2 is harsh and saw C and D, J3 saw all four.
WORKED = {
    ("J1", "A"): 9.0, ("J1", "B"): 7.0,
    ("J2", "C"): 4.0, ("J2", "D"): 2.0,
    ("J3", "A"): 6.0, ("J3", "B"): 5.0, ("J3", "C"): 7.0, ("J3", "D"): 4.0,
}  # fmt: skip


def test_weighted_total_rescales_each_criterion_to_the_rubric_range() -> None:
    # 8 of 10 (weight 2) and 5 of 5 (weight 1): (2 * 0.8 + 1 * 1.0) / 3 of the first criterion's 0..10.
    scales = [Scale(weight=2, low=0, high=10), Scale(weight=1, low=0, high=5)]
    assert weighted_total([8, 5], scales) == pytest.approx(10 * 2.6 / 3)
    # One shared scale: sum(w * v) / sum(w).
    same = [Scale(weight=3, low=0, high=10), Scale(weight=1, low=0, high=10)]
    assert weighted_total([8, 4], same) == pytest.approx((3 * 8 + 4) / 4)


def test_normalisation_on_the_worked_example() -> None:
    # Round: mean of the 8 totals 44 / 8 = 5.5; deviations 3.5 1.5 -1.5 -3.5 0.5 -0.5 1.5 -1.5, squares sum 34.
    mean, sd = 44 / 8, math.sqrt(34 / 8)
    # J1 (9, 7) and J2 (4, 2): mean 8 and 3, sd 1, so z = +1 and -1.
    # J3 (6, 5, 7, 4): mean 5.5; squares 0.25 0.25 2.25 2.25 sum 5, sd sqrt(5 / 4); z = +-0.5 / sd3, +-1.5 / sd3.
    sd3 = math.sqrt(5 / 4)
    expected = {
        "A": ((mean + 1 * sd) + (mean + 0.5 / sd3 * sd)) / 2,
        "B": ((mean - 1 * sd) + (mean - 0.5 / sd3 * sd)) / 2,
        "C": ((mean + 1 * sd) + (mean + 1.5 / sd3 * sd)) / 2,
        "D": ((mean - 1 * sd) + (mean - 1.5 / sd3 * sd)) / 2,
    }

    scores = entry_scores(WORKED, low=0, high=10)

    for entry, value in expected.items():
        assert scores[entry].normalised == pytest.approx(value)
    assert scores["A"].normalised == pytest.approx(6.99175, abs=1e-5)
    assert scores["C"].normalised == pytest.approx(7.91371, abs=1e-5)
    assert {e: s.mean for e, s in scores.items()} == {"A": 7.5, "B": 6.0, "C": 5.5, "D": 3.0}
    # The harsh judge's best entry, C, comes first once judges are evened out; A leads on the raw mean.
    assert [e for e, _r in rank_entries(scores, method="normalised")] == ["C", "A", "B", "D"]
    assert [e for e, _r in rank_entries(scores, method="mean")] == ["A", "B", "C", "D"]


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.sampled_from(["J1", "J2", "J3"]), st.sampled_from("ABCDEF")),
        st.integers(0, 20).map(lambda v: v / 2),
        min_size=4,
    ),
    st.floats(0.2, 3),
    st.floats(-4, 4),
)
def test_a_judges_leniency_and_spread_never_change_the_normalised_order(totals, stretch, shift) -> None:
    """Marking every entry a points higher, or b times wider, changes nothing once judges are evened out."""
    moved = {(j, e): (v * stretch + shift if j == "J1" else v) for (j, e), v in totals.items()}
    before = entry_scores(totals, low=-1e9, high=1e9)  # no clamping
    after = entry_scores(moved, low=-1e9, high=1e9)
    for a in before:
        for b in before:
            if before[a].normalised > before[b].normalised + 1e-6:
                assert after[a].normalised > after[b].normalised


def test_a_judge_with_one_sheet_or_one_value_counts_as_the_round_mean() -> None:
    totals = {("J1", "A"): 9.0, ("J2", "A"): 3.0, ("J2", "B"): 3.0, ("J3", "B"): 6.0, ("J3", "C"): 4.0}
    normalised = normalise(totals, low=0, high=10)
    mean = (9 + 3 + 3 + 6 + 4) / 5
    assert normalised[("J1", "A")] == pytest.approx(mean)
    assert normalised[("J2", "A")] == normalised[("J2", "B")] == pytest.approx(mean)


def test_normalised_totals_are_clamped_to_the_rubric_range() -> None:
    totals = {("J1", e): v for e, v in zip("ABCDEFGHIJ", [0, 0, 0, 0, 0, 0, 0, 0, 0, 10], strict=True)}
    assert max(normalise(totals, low=0, high=10).values()) == 10


def test_trimmed_mean_drops_the_highest_and_lowest_from_three_totals() -> None:
    assert trimmed_mean([1, 5, 6, 10]) == 5.5
    assert trimmed_mean([2, 4, 9]) == 4
    assert trimmed_mean([3, 7]) == 5


def test_ties_are_broken_by_normalised_then_mean_then_count_and_otherwise_shared() -> None:
    scores = {
        "x": EntryScore(mean=7, normalised=6, trimmed=7, count=3),
        "y": EntryScore(mean=7, normalised=6.5, trimmed=7, count=3),
        "z": EntryScore(mean=7, normalised=6, trimmed=7, count=3),
        "w": EntryScore(mean=5, normalised=6, trimmed=5, count=2),
    }
    assert rank_entries(scores, method="mean") == [("y", 1), ("x", 2), ("z", 2), ("w", 4)]
    # More sheets beat fewer when everything else is equal.
    more = {"a": EntryScore(5, 5, 5, 2), "b": EntryScore(5, 5, 5, 3)}
    assert rank_entries(more, method="trimmed") == [("b", 1), ("a", 2)]


def test_kendalls_w_is_one_when_judges_agree() -> None:
    totals = {
        (j, e): float(v + bias)
        for j, bias in (("J1", 0), ("J2", 2), ("J3", -1))
        for e, v in zip("ABCD", [1, 3, 5, 7], strict=True)
    }
    assert kendalls_w(totals) == pytest.approx(1.0)
    # Incomplete design, every judge consistent with one order: still 1.
    incomplete = {k: v for k, v in totals.items() if k not in {("J1", "A"), ("J2", "D")}}
    assert kendalls_w(incomplete) == pytest.approx(1.0)


def test_kendalls_w_on_a_known_case() -> None:
    # Ranks J1 1 2 3 4, J2 2 1 4 3, J3 1 3 2 4: rank sums 4 6 9 11, mean 7.5, S = 12.25 + 2.25 + 2.25 + 12.25.
    ranks = {"J1": [1, 2, 3, 4], "J2": [2, 1, 4, 3], "J3": [1, 3, 2, 4]}
    totals = {(j, e): float(r) for j, rs in ranks.items() for e, r in zip("ABCD", rs, strict=True)}
    assert kendalls_w(totals) == pytest.approx(12 * 29 / (3**2 * (4**3 - 4)))


def test_a_judge_who_orders_entries_against_the_panel_is_flagged() -> None:
    # Ten entries: the flag needs at least eight shared with the panel (competitions.selectors.outliers).
    panel = {e: float(v) for e, v in zip("ABCDEFGHIJ", range(10, 0, -1), strict=True)}
    totals = {(j, e): v + d for j, d in (("J1", 0), ("J2", -1)) for e, v in panel.items()}
    totals |= {("J3", e): 11 - v for e, v in panel.items()}
    assert set(outlier_judges(totals)) == {"J3"}
    # A harsh judge in the same order as the panel is not.
    assert outlier_judges({**totals, **{("J3", e): v - 4 for e, v in panel.items()}}) == {}


# ---------------------------------------------------------------------------------------------------------------
# The services on a round


def scored_round(
    values: Mapping[tuple[str, str], float], **round_fields: object
) -> tuple[Round, dict[str, RoundEntry], dict[str, User]]:
    """An open round with one criterion (0..10, so a total is the value), one entry per letter and one judge per
    J-name, every pair of ``values`` assigned and submitted."""
    round = RoundFactory(status=Round.Status.OPEN, **round_fields)
    track = TrackFactory(competition=round.competition)
    criterion = CriterionFactory(round=round, scale_min=0, scale_max=10, step=Decimal("0.5"))
    entries: dict[str, RoundEntry] = {}
    judges: dict[str, User] = {}
    for judge_name, letter in values:
        if letter not in entries:
            entry = ready_entry(track, title=f"Scene {letter}")
            revision = entry.current_revision
            assert revision is not None
            entries[letter] = RoundEntry.objects.create(
                round=round,
                entry=entry,
                track=track,
                revision=revision,
                sha256=revision.sha256,
                blind_code=f"CODE{letter}",
            )
        judges.setdefault(judge_name, JudgeFactory())
    for (judge_name, letter), value in values.items():
        submit(round, judges[judge_name], entries[letter], criterion, value)
    return round, entries, judges


def close_and_publish(round: Round, organiser: User) -> Round:
    """Close ``round`` (every assigned sheet is submitted) and publish it."""
    round_close(round=round, actor=organiser)
    return round_publish(round=round, actor=organiser)


def submit(
    round: Round, judge: User, round_entry: RoundEntry, criterion: Criterion, value: float, **fields: Any
) -> ScoreSheet:
    round.assignments.create(judge=judge, round_entry=round_entry)
    sheet = ScoreSheet.objects.create(
        round=round,
        judge=judge,
        round_entry=round_entry,
        sha256=round_entry.sha256,
        status=fields.pop("status", ScoreSheet.Status.SUBMITTED),
        submitted_at=timezone.now(),
        **fields,
    )
    Score.objects.create(sheet=sheet, criterion=criterion, value=Decimal(str(value)), comment="")
    return sheet


@pytest.mark.django_db
def test_leaderboard_ranks_the_worked_example_by_the_normalised_method() -> None:
    round, entries, _judges = scored_round(WORKED, method=Round.Method.NORMALISED)

    board = round_leaderboard(round)

    (track,) = board.tracks
    assert [(row.code, row.rank) for row in track.rows] == [("CODEC", 1), ("CODEA", 2), ("CODEB", 3), ("CODED", 4)]
    first = track.rows[0]
    assert first.score == pytest.approx(7.91371, abs=1e-5) and first.mean == 5.5
    assert (first.submitted, first.assigned) == (2, 2)
    assert sorted(t.total for t in first.totals) == [4.0, 7.0]
    assert track.agreement is None  # no two judges share three entries


@pytest.mark.django_db
def test_leaderboard_counts_only_submitted_sheets_of_judges_without_conflict() -> None:
    round, entries, judges = scored_round({("J1", "A"): 8, ("J1", "B"): 4, ("J2", "A"): 6}, method="mean")
    criterion = round.criteria.get()
    submit(round, JudgeFactory(), entries["B"], criterion, 10, status=ScoreSheet.Status.DRAFT)
    Conflict.objects.create(
        competition=round.competition, judge=judges["J2"], team=entries["A"].entry.team, source="declared"
    )

    rows = {row.code: row for row in round_leaderboard(round).tracks[0].rows}

    assert rows["CODEA"].mean == 8 and rows["CODEA"].submitted == 1 and rows["CODEA"].assigned == 2
    assert rows["CODEB"].mean == 4 and rows["CODEB"].assigned == 2


@pytest.mark.django_db
def test_publishing_snapshots_ranks_awards_and_advancement(organiser) -> None:
    values = {("J1", letter): 9 - i for i, letter in enumerate("ABCDEF")}
    round, entries, _judges = scored_round(values, method="mean", advancement=Round.Advancement.TOP_N, advance_count=2)
    Track.objects.filter(competition=round.competition).update(honourable_mentions=2)

    close_and_publish(round, organiser)

    round.refresh_from_db()
    assert round.status == Round.Status.PUBLISHED and round.published_at is not None
    results = list(RoundResult.objects.filter(round=round).order_by("rank"))
    assert [(r.round_entry.blind_code, r.rank, r.award) for r in results] == [
        ("CODEA", 1, "first"),
        ("CODEB", 2, "second"),
        ("CODEC", 3, "third"),
        ("CODED", 4, "honourable"),
        ("CODEE", 5, "honourable"),
        ("CODEF", 6, ""),
    ]
    assert results[0].score == Decimal("9.000")
    assert set(RoundEntry.objects.filter(advanced=True).values_list("blind_code", flat=True)) == {"CODEA", "CODEB"}
    assert AuditEvent.objects.filter(action="round.published", target_id=round.pk).exists()
    with refused("not_publishable"):
        round_publish(round=round, actor=organiser)


@pytest.mark.django_db
def test_a_draft_round_cannot_be_published(organiser) -> None:
    with refused("not_publishable"):
        round_publish(round=RoundFactory(), actor=organiser)


@pytest.mark.django_db
def test_a_manual_shortlist_survives_publication(organiser) -> None:
    round, entries, _judges = scored_round(
        {("J1", "A"): 9, ("J1", "B"): 5, ("J1", "C"): 3}, advancement=Round.Advancement.MANUAL
    )

    shortlist_set(round=round, round_entry_ids=[entries["C"].pk], actor=organiser)
    close_and_publish(round, organiser)

    assert list(RoundEntry.objects.filter(advanced=True)) == [entries["C"]]
    assert AuditEvent.objects.filter(action="round.shortlist").exists()


@pytest.mark.django_db
def test_shortlist_is_refused_for_top_n_rounds_and_foreign_entries(organiser) -> None:
    round, entries, _judges = scored_round({("J1", "A"): 9}, advancement=Round.Advancement.TOP_N)
    with refused("not_manual"):
        shortlist_set(round=round, round_entry_ids=[entries["A"].pk], actor=organiser)
    other, _entries, _judges = scored_round({("J1", "A"): 9}, advancement=Round.Advancement.MANUAL)
    with refused("not_in_round"):
        shortlist_set(round=other, round_entry_ids=[entries["A"].pk], actor=organiser)


@pytest.mark.django_db
def test_scores_csv_has_one_row_per_criterion_per_submitted_sheet() -> None:
    round, entries, judges = scored_round({("J1", "A"): 7.5, ("J2", "A"): 6})

    rows = list(scores_csv(round))

    assert rows[0] == CSV_HEADER
    assert len(rows) == 3
    row = dict(zip(CSV_HEADER, rows[1], strict=True))
    assert row["entry_code"] == "CODEA" and row["title"] == "Scene A"
    assert row["team"] == entries["A"].entry.team.name
    assert {r[7] for r in rows[1:]} == {"7.50", "6.00"}
    assert row["sha256"] == entries["A"].sha256 and row["submitted_at"]


@pytest.mark.django_db
def test_team_sees_its_published_result_with_anonymised_comments(organiser) -> None:
    round, entries, judges = scored_round({("J1", "A"): 8, ("J2", "A"): 6, ("J1", "B"): 5}, method="mean")
    ScoreSheet.objects.filter(judge=judges["J1"], round_entry=entries["A"]).update(comment="Lovely lighting.")
    team = entries["A"].entry.team
    assert team_results(team) == []

    close_and_publish(round, organiser)
    (result,) = team_results(team)

    # Two ranked entries, fewer than the three a first prize needs by default: the prizes start at second.
    assert (result.rank, result.award, result.score) == (1, "second", "7.000")
    assert [f.label for f in result.feedback] == ["Judge 1", "Judge 2"]
    assert result.feedback[0].comment == "Lovely lighting."
    assert judges["J1"].email not in str(result.feedback)

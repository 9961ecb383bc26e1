"""The compliance line: each check of a judged revision against its competition's budgets (pass, fail, and at the
limit), the blend of a scored line into every method's score, and a gate keeping failing entries out of the ranking
and out of the published results."""

from decimal import Decimal

import pytest
from django.utils import translation

from competitions.models import AuditEvent, Round, RoundResult, ScoreSheet
from competitions.selectors.compliance import (
    DRAW_CALLS,
    EXTENSIONS,
    FILE_SIZE,
    MATERIALS,
    TEXTURE_SIZE,
    TRIANGLES,
    VALIDATOR,
    Budgets,
    compliance_checks,
)
from competitions.selectors.dashboard import rank_changes
from competitions.selectors.leaderboard import round_leaderboard
from competitions.selectors.results import team_results
from competitions.selectors.scoring import EntryScore, rubric_weight, with_compliance
from tests.services.judging_cast import organiser
from tests.services.test_results import close_and_publish, scored_round

BUDGETS = Budgets(
    max_triangles=1000,
    max_texture_size=2048,
    max_materials=4,
    max_draw_calls=8,
    max_upload_bytes=10_000,
    allowed_extensions=(),
)
STATS = {"triangles": 1000, "materials": 4, "draw_calls": 8, "image_sizes": [[2048, 1024], None, [512, 512]]}
WARNING = {"severity": "warning", "code": "UNUSED_OBJECT", "message": "This object may be unused."}


def checks(stats=STATS, report=None, size=10_000, budgets=BUDGETS):
    result = compliance_checks(stats=stats, report=report or {"messages": [WARNING]}, size=size, budgets=budgets)
    return result, {check.key: check for check in result.checks}


def test_a_revision_exactly_at_every_budget_passes_every_check():
    result, by_key = checks()

    assert list(by_key) == [VALIDATOR, TRIANGLES, TEXTURE_SIZE, MATERIALS, DRAW_CALLS, FILE_SIZE]
    assert result.passed and result.share == 1.0 and result.failed_text == ""
    assert by_key[TRIANGLES].measured == "1,000" and by_key[TRIANGLES].limit == "at most 1,000"
    assert by_key[TEXTURE_SIZE].measured == "2,048 px"
    assert by_key[VALIDATOR].measured == "no errors (1 warning)"


@pytest.mark.parametrize(
    ("key", "stats", "size"),
    [
        (TRIANGLES, {**STATS, "triangles": 1001}, 10_000),
        (TEXTURE_SIZE, {**STATS, "image_sizes": [[1024, 2049]]}, 10_000),
        (MATERIALS, {**STATS, "materials": 5}, 10_000),
        (DRAW_CALLS, {**STATS, "draw_calls": 9}, 10_000),
        (FILE_SIZE, STATS, 10_001),
    ],
)
def test_one_over_a_budget_fails_that_check_alone(key, stats, size):
    result, by_key = checks(stats=stats, size=size)

    assert [check.key for check in result.failed] == [key]
    assert result.share == pytest.approx(5 / 6)
    assert not result.passed


def test_a_validator_error_fails_the_validator_check_and_our_own_codes_are_not_the_validators():
    report = {
        "messages": [
            {"severity": "error", "code": "ACCESSOR_MIN_MISMATCH", "message": "Declared minimum is wrong."},
            {"severity": "error", "code": "LIMIT_TRIANGLES", "message": "Too many triangles."},
            WARNING,
            WARNING,
        ]
    }

    result, by_key = checks(report=report)

    assert [check.key for check in result.failed] == [VALIDATOR]
    assert by_key[VALIDATOR].measured == "1 error, 2 warnings"


def test_a_figure_processing_did_not_record_fails_as_not_measured():
    result, by_key = checks(stats={"triangles": 10, "materials": 1, "draw_calls": 1})

    assert [check.key for check in result.failed] == [TEXTURE_SIZE]
    assert by_key[TEXTURE_SIZE].measured == "not measured"


def test_a_scene_without_images_passes_the_texture_check():
    _result, by_key = checks(stats={**STATS, "image_sizes": []})

    assert by_key[TEXTURE_SIZE].passed and by_key[TEXTURE_SIZE].measured == "0 px"


def test_extensions_are_checked_only_where_the_competition_lists_those_it_allows():
    budgets = Budgets(**{**BUDGETS.__dict__, "allowed_extensions": ("KHR_materials_unlit",)})

    allowed, by_key = checks(stats={**STATS, "extensions_used": ["KHR_materials_unlit"]}, budgets=budgets)
    refused, refused_by_key = checks(
        stats={**STATS, "extensions_used": ["KHR_materials_unlit", "KHR_draco_mesh_compression"]}, budgets=budgets
    )

    assert by_key[EXTENSIONS].passed and allowed.passed
    assert [check.key for check in refused.failed] == [EXTENSIONS]
    assert refused_by_key[EXTENSIONS].measured == "not allowed: KHR_draco_mesh_compression"
    assert EXTENSIONS not in checks()[1]


def test_the_checks_read_in_chinese():
    with translation.override("zh-hans"):
        result, by_key = checks(size=10_001)

    assert by_key[FILE_SIZE].label == "文件大小"
    assert by_key[VALIDATOR].label == "glTF 验证器"
    assert result.failed_text == "文件大小"


# ---------------------------------------------------------------------------------------------------------------
# The scored blend, worked out by hand


def test_the_rubrics_weight_is_its_total_or_its_number_of_criteria_when_every_weight_is_zero():
    assert rubric_weight([2.0, 1.0]) == 3.0
    assert rubric_weight([0.0, 0.0]) == 2.0


@pytest.mark.parametrize("method", ["mean", "normalised", "trimmed", "calibrated"])
def test_a_scored_line_enters_every_method_as_one_more_criterion(method):
    # W_r = 3, W_c = 1, the judges' 8.0 and five checks of six on 0..10: (3 * 8 + 1 * 50 / 6) / 4.
    score = EntryScore(mean=8.0, normalised=8.0, trimmed=8.0, count=3, calibrated=8.0)

    blended = with_compliance(score, share=5 / 6, rubric=3.0, weight=1.0, low=0.0, high=10.0)

    assert blended.by(method) == pytest.approx((24 + 50 / 6) / 4)
    assert blended.count == 3


def test_a_zero_compliance_weight_leaves_the_score_as_the_judges_gave_it():
    score = EntryScore(mean=6.0, normalised=5.5, trimmed=6.0, count=2, calibrated=None)

    assert with_compliance(score, share=0.0, rubric=2.0, weight=0.0, low=0.0, high=10.0) == score


# ---------------------------------------------------------------------------------------------------------------
# The leaderboard and publication


VALUES = {("J1", "A"): 8, ("J2", "A"): 9, ("J1", "B"): 6, ("J2", "B"): 7, ("J1", "C"): 4, ("J2", "C"): 5}


def round_with_one_over_budget(**round_fields):
    """Entries A, B and C judged 8.5, 6.5 and 4.5 (one criterion of weight 1 on 0..10); A is one triangle over the
    competition's budget, B and C within every budget."""
    round, entries, _judges = scored_round(VALUES, **round_fields)
    for letter, round_entry in entries.items():
        revision = round_entry.revision
        over = round.competition.max_triangles + 1 if letter == "A" else 100
        revision.stats = {**revision.stats, "triangles": over, "image_sizes": [[1024, 1024]]}
        revision.save(update_fields=["stats"])
    round.criteria.update(weight=1)
    return round, entries


@pytest.mark.django_db
def test_as_information_the_checks_change_nothing():
    round, entries = round_with_one_over_budget()

    rows = round_leaderboard(round).tracks[0].rows

    assert [(row.round_entry, row.rank, row.score) for row in rows] == [
        (entries["A"], 1, 8.5), (entries["B"], 2, 6.5), (entries["C"], 3, 4.5)
    ]  # fmt: skip
    assert all(row.compliance is None and not row.gated for row in rows)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["mean", "normalised", "trimmed", "calibrated"])
def test_a_gate_lists_a_failing_entry_after_the_ranking_without_a_rank(method):
    round, entries = round_with_one_over_budget(compliance=Round.Compliance.GATE, method=method)

    rows = round_leaderboard(round).tracks[0].rows

    assert [(row.round_entry, row.rank) for row in rows] == [(entries["B"], 1), (entries["C"], 2), (entries["A"], None)]
    assert rows[-1].gated and rows[-1].compliance.failed_text == "Triangles"
    assert not rows[0].gated and rows[0].compliance.passed


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["mean", "normalised", "trimmed", "calibrated"])
def test_a_scored_line_blends_the_share_into_the_score_of_every_method(method):
    plain = round_leaderboard(scored_round(VALUES, method=method)[0])
    judged = [row.score for row in plain.tracks[0].rows]
    round, entries = round_with_one_over_budget(
        compliance=Round.Compliance.SCORED, compliance_weight=Decimal("3"), method=method
    )

    rows = {row.round_entry: row for row in round_leaderboard(round).tracks[0].rows}

    # W_r = 1, W_c = 3, on 0..10: A passes five checks of six, (1 * judged + 3 * 50 / 6) / 4; B and C pass all six.
    for letter, share in (("A", 5 / 6), ("B", 1.0), ("C", 1.0)):
        row = rows[entries[letter]]
        assert row.score == pytest.approx((row.judged + 3 * 10 * share) / 4)
        assert row.compliance.share == pytest.approx(share)
    assert sorted(row.judged for row in rows.values()) == pytest.approx(sorted(judged))
    if method == "mean":  # worked out: A (8.5 + 25) / 4 = 8.375, B (6.5 + 30) / 4 = 9.125, C (4.5 + 30) / 4
        assert [(r.round_entry, r.rank, r.score) for r in rows.values()] == [
            (entries["B"], 1, pytest.approx(9.125)), (entries["C"], 2, pytest.approx(8.625)),
            (entries["A"], 3, pytest.approx(8.375)),
        ]  # fmt: skip


@pytest.mark.django_db
def test_publication_leaves_a_gated_entry_unranked_and_tells_its_team_why():
    round, entries = round_with_one_over_budget(compliance=Round.Compliance.GATE)

    close_and_publish(round, organiser())

    results = RoundResult.objects.filter(round=round)
    assert sorted((r.round_entry_id, r.rank) for r in results) == [(entries["B"].pk, 1), (entries["C"].pk, 2)]
    [gated] = team_results(entries["A"].entry.team)
    assert gated.rank is None and gated.award == ""
    assert gated.not_ranked == "Triangles"
    [ranked] = team_results(entries["B"].entry.team)
    assert ranked.rank == 1 and ranked.not_ranked == ""
    event = AuditEvent.objects.get(action="round.published", target_id=round.pk)
    assert event.data["not_ranked"] == {str(entries["A"].pk): ["triangles"]}


@pytest.mark.django_db
def test_a_team_whose_entry_passes_a_gate_but_has_no_score_is_told_nothing_of_compliance():
    round, entries = round_with_one_over_budget(compliance=Round.Compliance.GATE)
    revision = entries["A"].revision
    revision.stats = {**revision.stats, "triangles": 100}
    revision.save(update_fields=["stats"])
    ScoreSheet.objects.filter(round_entry=entries["A"]).delete()
    round.assignments.filter(round_entry=entries["A"]).delete()

    close_and_publish(round, organiser())

    assert team_results(entries["A"].entry.team) == []


@pytest.mark.django_db
def test_the_dashboards_rank_changes_leave_out_an_entry_the_gate_leaves_unranked():
    round, entries = round_with_one_over_budget(compliance=Round.Compliance.GATE)

    [track] = rank_changes(round_leaderboard(round))

    assert track.ranked == 2
    assert {change.code for change in track.changes} == {entries["B"].blind_code, entries["C"].blind_code}

"""The score sheet's weights and running weighted total, as the server renders them on the judge's entry page (the
page's script keeps the total current as the judge types: tests/browser/test_score_sheet_sliders.py). The total is
the number the leaderboard counts for the sheet. See judge_panel_cast for the cast."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from competitions.models import Criterion, Round, ScoreSheet
from competitions.selectors.leaderboard import round_leaderboard
from competitions.selectors.sheet_total import sheet_total, weight_shares
from competitions.services import judging
from tests.factories import CriterionFactory

from .judge_panel_cast import Panel, criteria_of, open_judged_round, urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel(db: None) -> Panel:
    """The cast's open round, with a third criterion and weights 3 : 2 : 1 (Originality, Craft, Lighting)."""
    round, judge, round_entries = open_judged_round()
    last = max(criterion.position for criterion in criteria_of(round))  # the factory's positions grow all session
    CriterionFactory(round=round, name="Lighting", scale_min=0, scale_max=10, step=Decimal("0.5"), position=last + 1)
    for criterion, weight in zip(criteria_of(round), ("3", "2", "1"), strict=True):
        Criterion.objects.filter(pk=criterion.pk).update(weight=Decimal(weight))
    return round, judge, round_entries


def save(round_entry, judge, values: dict[Criterion, str], comments: dict[Criterion, str] | None = None) -> ScoreSheet:
    comments = comments or {}
    return judging.sheet_save(
        round_entry=round_entry,
        judge=judge,
        version=0,
        values={c.pk: {"value": value, "comment": comments.get(c, "")} for c, value in values.items()},
    )


def total_line(html: str) -> str:
    """The running total's line, as the page shows it."""
    found = re.search(r"<p class=\"sheet-total-line\"[^>]*><strong>([^<]*)</strong>", html)
    assert found, "no running total on the page"
    return found.group(1)


def test_each_criterion_shows_its_share_of_the_rubric_weight(client: Client, panel: Panel) -> None:
    _round, judge, (round_entry,) = panel
    client.force_login(judge)

    html = client.get(urls(round_entry)["entry"]).content.decode()

    assert "Weight 50 %" in html
    assert "Weight 33.3 %" in html
    assert "Weight 16.7 %" in html
    assert 'data-weight="3" data-low="0" data-high="10"' in html


def test_a_rubric_of_zero_weights_counts_every_criterion_alike(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    round.criteria.update(weight=0)
    client.force_login(judge)

    html = client.get(urls(round_entry)["entry"]).content.decode()

    assert html.count("Weight 33.3 %") == 3


def test_an_empty_sheet_says_nothing_is_scored_yet(client: Client, panel: Panel) -> None:
    _round, judge, (round_entry,) = panel
    client.force_login(judge)

    html = client.get(urls(round_entry)["entry"]).content.decode()

    assert total_line(html) == "Weighted total: no criterion scored yet (0 of 3)."


def test_a_draft_shows_its_weighted_total_over_the_criteria_scored(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    originality, craft, _lighting = criteria_of(round)
    save(round_entry, judge, {originality: "8", craft: "6.5"})
    client.force_login(judge)

    html = client.get(urls(round_entry)["entry"]).content.decode()

    # (3 * 8 + 2 * 6.5) / (3 + 2) = 7.4
    assert total_line(html) == "Weighted total so far: 7.4 of 10 · 2 of 3 criteria scored"


def test_a_complete_sheet_shows_its_total_and_says_every_criterion_is_scored(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    originality, craft, lighting = criteria_of(round)
    save(round_entry, judge, {originality: "9", craft: "7", lighting: "4.5"})
    client.force_login(judge)

    html = client.get(urls(round_entry)["entry"]).content.decode()

    # (27 + 14 + 4.5) / 6 = 7.5833...
    assert total_line(html) == "Weighted total: 7.6 of 10 · every criterion scored"


def test_the_total_shown_is_the_total_the_leaderboard_counts(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    originality, craft, lighting = criteria_of(round)
    Criterion.objects.filter(pk=lighting.pk).update(scale_min=1, scale_max=5, step=1)
    sheet = save(round_entry, judge, {originality: "8.5", craft: "3", lighting: "4"}, {craft: "Rough edges."})
    judging.sheet_submit(round_entry=round_entry, judge=judge, version=sheet.version)

    board = round_leaderboard(Round.objects.get(pk=round.pk))
    (row,) = board.tracks[0].rows
    (counted,) = row.totals
    shown = sheet_total(criteria_of(round), {s.criterion_id: s.value for s in sheet.scores.all()})

    assert shown.value == counted.total  # the same float, bit for bit
    client.force_login(judge)
    html = client.get(urls(round_entry)["entry"]).content.decode()
    assert f"Weighted total: {shown.shown} of 10 · every criterion scored" in html


def test_criteria_on_another_scale_are_said_to_be_rescaled(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    originality, _craft, lighting = criteria_of(round)
    Criterion.objects.filter(pk=lighting.pk).update(scale_min=1, scale_max=5, step=1)
    save(round_entry, judge, {originality: "6", Criterion.objects.get(pk=lighting.pk): "5"})
    client.force_login(judge)

    html = client.get(urls(round_entry)["entry"]).content.decode()

    # Lighting 5 of 1..5 is 10 on 0..10: (3 * 6 + 1 * 10) / 4 = 7
    assert total_line(html) == "Weighted total so far: 7.0 of 10 · 2 of 3 criteria scored"
    assert "Criteria on another scale are rescaled to 0 to 10 before weighting, as in the ranking." in html


def test_one_scale_for_every_criterion_needs_no_rescaling_note(client: Client, panel: Panel) -> None:
    _round, judge, (round_entry,) = panel
    client.force_login(judge)

    assert "rescaled" not in client.get(urls(round_entry)["entry"]).content.decode()


def test_a_round_that_scores_compliance_says_the_total_is_the_judges_part(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    note = "score: the compliance checks are added to it beside the judges"
    client.force_login(judge)
    assert note not in client.get(urls(round_entry)["entry"]).content.decode()

    Round.objects.filter(pk=round.pk).update(compliance=Round.Compliance.SCORED)

    assert note in client.get(urls(round_entry)["entry"]).content.decode()


def test_a_refused_post_keeps_its_values_but_counts_only_those_on_the_scale(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    originality, craft, lighting = criteria_of(round)
    client.force_login(judge)

    response = client.post(
        urls(round_entry)["entry"],
        {"version": 0, "action": "save", f"score-{originality.pk}": "6", f"score-{craft.pk}": "12",
         f"score-{lighting.pk}": ""},
    )  # fmt: skip

    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="12"' in html
    assert total_line(html) == "Weighted total so far: 6.0 of 10 · 1 of 3 criteria scored"


def test_weights_and_total_read_in_chinese(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    originality, craft, _lighting = criteria_of(round)
    save(round_entry, judge, {originality: "8", craft: "6.5"})
    client.force_login(judge)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    html = client.get(urls(round_entry)["entry"]).content.decode()

    assert "权重 50%" in html
    assert total_line(html) == "目前的加权总分：7.4 / 10 · 已评 2 / 3 个评分项"


def test_each_score_has_a_slider_that_never_posts_and_waits_for_the_script(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    originality, craft, _lighting = criteria_of(round)
    save(round_entry, judge, {originality: "7.5"})
    client.force_login(judge)

    html = client.get(urls(round_entry)["entry"]).content.decode()

    sliders = re.findall(r"<input type=\"range\"[^>]*>", html)
    assert len(sliders) == 3
    assert all(" name=" not in slider and " hidden" in slider for slider in sliders)
    assert f'id="slider-score-{originality.pk}" aria-label="Score for Originality"' in html
    assert f'value="7.5"\n               data-slider-for="score-{originality.pk}"' in html
    craft_slider = next(s for s in sliders if f'data-slider-for="score-{craft.pk}"' in s)
    assert "data-unset" in craft_slider
    assert 'min="0" max="10" step="0.5"' in craft_slider


def test_the_read_only_sheet_shows_weights_and_the_total(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    originality, craft, lighting = criteria_of(round)
    sheet = save(round_entry, judge, {originality: "8", craft: "6", lighting: "5"}, {craft: "Clean topology."})
    judging.sheet_submit(round_entry=round_entry, judge=judge, version=sheet.version)
    client.force_login(judge)

    html = client.get(urls(round_entry)["entry"]).content.decode()

    assert "data-scoresheet" not in html
    assert "Weight 50 %" in html and "Weight 16.7 %" in html
    # (24 + 12 + 5) / 6 = 6.833...
    assert total_line(html) == "Weighted total: 6.8 of 10 · every criterion scored"


def test_the_total_is_rounded_to_one_decimal_with_halves_away_from_zero(panel: Panel) -> None:
    round, _judge, _ = panel
    originality, craft, lighting = criteria_of(round)
    Criterion.objects.filter(pk__in=[craft.pk, lighting.pk]).update(weight=0)
    criteria = criteria_of(round)

    assert sheet_total(criteria, {originality.pk: Decimal("7.25")}).shown == "7.3"  # 7.25 is exact in binary
    assert sheet_total(criteria, {originality.pk: Decimal("7.5")}).shown == "7.5"
    assert sheet_total(criteria, {}).shown == ""


def test_weight_shares_sum_to_one(panel: Panel) -> None:
    round, _judge, _ = panel

    shares = weight_shares(criteria_of(round))

    assert sorted(shares.values()) == pytest.approx([1 / 6, 2 / 6, 3 / 6])
    assert sum(shares.values()) == pytest.approx(1)

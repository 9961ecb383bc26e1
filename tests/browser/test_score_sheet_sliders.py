"""The score sheet's sliders and running total in headless Chromium: the judge moves a slider with the keyboard, the
score's number field follows, the weighted total changes as they go and the draft is saved; a typed score moves its
slider; after a reload the server shows the same total the page had computed. Saves
docs/screenshots/judge-score-sheet.png."""

import re
from decimal import Decimal

import pytest

from competitions.models import Criterion, Round, RoundEntry, ScoreSheet
from competitions.services import assignment, judging
from tests.browser.conftest import LAPTOP, SCREENSHOTS, signed_in_page
from tests.factories import CriterionFactory, JudgeFactory, RoundFactory, TrackFactory, UserFactory, ready_entry

pytestmark = [pytest.mark.browser]


@pytest.fixture
def judged(transactional_db) -> tuple[RoundEntry, list[Criterion], object]:
    """An open blind round of one entry (no files) and two criteria weighted 3 : 1 (0 to 10, in steps of 0.5),
    assigned to one judge."""
    round_ = RoundFactory(blind=Round.Blind.ALWAYS)
    track = TrackFactory(competition=round_.competition)
    criteria = [
        CriterionFactory(round=round_, name=name, position=position, weight=Decimal(weight), step=Decimal("0.5"))
        for position, (name, weight) in enumerate([("Creativity", "3"), ("Lighting", "1")])
    ]
    ready_entry(track)
    organiser = UserFactory(is_staff=True)
    judge = JudgeFactory(username="slider.judge@jury.example.org")
    judging.judge_invite(round=round_, email=judge.email, actor=organiser)
    judging.round_open(round=round_, actor=organiser)
    assignment.round_assign(round=round_, actor=organiser)
    return round_.round_entries.get(), criteria, judge


def saved(page) -> None:
    # A locator, not wait_for_function (which the Content-Security-Policy refuses). "Not saved yet" must not match.
    page.locator("[data-sheet-status]", has_text=re.compile(r"\bSaved\b")).wait_for()


def test_keyboard_moves_a_slider_and_the_score_total_and_draft_follow(judged, browser, live_server) -> None:
    round_entry, (creativity, lighting), judge = judged
    page = signed_in_page(browser, live_server, judge, language="en", device=LAPTOP)
    page.goto(f"{live_server.url}/judging/entries/{round_entry.pk}/")
    total = page.locator("[data-sheet-total]")
    assert total.inner_text() == "Weighted total: no criterion scored yet (0 of 2)."
    assert page.get_by_text("Weight 75 %").is_visible() and page.get_by_text("Weight 25 %").is_visible()

    # The slider, not yet scored, is shown by the script and reached by its label; the keyboard moves it.
    slider = page.get_by_label("Score for Creativity")
    assert slider.is_visible()
    assert slider.get_attribute("aria-valuetext") == "Not scored yet"
    slider.focus()
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")

    assert page.input_value(f"#id_score-{creativity.pk}") == "9"
    assert slider.get_attribute("aria-valuetext") is None
    assert total.inner_text() == "Weighted total so far: 9.0 of 10 · 1 of 2 criteria scored"
    saved(page)
    sheet = ScoreSheet.objects.get(round_entry=round_entry)
    assert sheet.scores.get(criterion=creativity).value == Decimal("9")

    # A typed score moves its slider; (3 * 9 + 1 * 4.5) / 4 = 7.875.
    page.fill(f"#id_score-{lighting.pk}", "4.5")
    assert page.input_value(f"#slider-score-{lighting.pk}") == "4.5"
    assert total.inner_text() == "Weighted total: 7.9 of 10 · every criterion scored"
    saved(page)
    page.screenshot(path=str(SCREENSHOTS / "judge-score-sheet.png"), full_page=True)

    # The keys that move a slider never move to another entry, and the server shows the total the page computed.
    page.get_by_label("Score for Lighting").focus()
    page.keyboard.press("j")
    page.keyboard.press("PageDown")
    assert page.input_value(f"#id_score-{lighting.pk}") == "3.5"
    saved(page)
    page.reload()
    assert page.locator("[data-sheet-total]").inner_text() == "Weighted total: 7.6 of 10 · every criterion scored"
    assert page.input_value(f"#slider-score-{lighting.pk}") == "3.5"
    sheet.refresh_from_db()
    assert [s.value for s in sheet.scores.order_by("criterion__position")] == [Decimal("9"), Decimal("3.5")]
    page.context.close()

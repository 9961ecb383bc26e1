"""The judge's compliance line on a 390 px phone, in Chinese: above the score sheet, each check readable without
sideways scrolling, a failed check marked in words and with its mark, under the site's Content-Security-Policy (the
browser fixture fails the test on any violation). Saves docs/screenshots/judge-compliance-phone.png."""

from collections.abc import Iterator

import pytest
from django.urls import reverse

from competitions.models import Round
from tests.browser.conftest import PHONE, SCREENSHOTS, signed_in_page
from tests.frontend.judge_panel_cast import Panel, open_judged_round

pytestmark = pytest.mark.browser


@pytest.fixture
def panel(db) -> Panel:
    round, judge, round_entries = open_judged_round()
    Round.objects.filter(pk=round.pk).update(compliance=Round.Compliance.GATE)
    round.competition.max_triangles = 4000  # the scene has 5,000
    round.competition.save(update_fields=["max_triangles"])
    revision = round_entries[0].revision
    revision.stats = {**revision.stats, "draw_calls": 3, "image_sizes": [[2048, 1024]]}
    revision.save(update_fields=["stats"])
    return round, judge, round_entries


@pytest.fixture
def phone(browser, live_server, panel) -> Iterator[object]:
    _round, judge, _entries = panel
    page = signed_in_page(browser, live_server, judge, language="zh-hans", device=PHONE)
    yield page
    page.context.close()


def test_on_a_phone_the_judge_reads_each_check_above_the_sheet_without_scrolling_sideways(phone, live_server, panel):
    _round, _judge, (round_entry,) = panel

    phone.goto(f"{live_server.url}{reverse('frontend:judge-entry', args=[round_entry.pk])}")

    line = phone.locator("section.compliance-line")
    assert line.is_visible()
    assert line.bounding_box()["y"] < phone.locator("#sheet-title").bounding_box()["y"]
    assert phone.get_by_text("门槛：未通过的作品不参与排名").is_visible()
    failed = phone.locator("li.compliance-check.is-fail")
    assert failed.count() == 1
    assert "未通过" in failed.inner_text() and "三角面数" in failed.inner_text()
    assert phone.locator("li.compliance-check.is-pass").count() == 5
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = line.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    line.screenshot(path=str(SCREENSHOTS / "judge-compliance-phone.png"))

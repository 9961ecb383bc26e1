"""The site header on a 390 px phone, for the person with the longest menu (an organiser who also judges): every
link on one line, nothing wider than the screen, and the person's name in full."""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client

from competitions.models import Panelist, Round
from tests.factories import JudgeFactory, RoundFactory, TeamFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, live_server) -> Iterator[object]:
    organiser = JudgeFactory(is_staff=True, profile__display_name="Wang Organiser")
    Panelist.objects.create(round=RoundFactory(status=Round.Status.OPEN), user=organiser)
    TeamFactory(captain=organiser)  # in a team too, so the menu has "My teams" as well
    client = Client()
    client.force_login(organiser)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_organiser_who_judges_sees_the_whole_menu_on_one_line_on_a_phone(phone, live_server, language) -> None:
    phone.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])

    phone.goto(f"{live_server.url}/")

    tops = phone.eval_on_selector_all(
        "nav.site-bar .site-nav > li", "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    assert len(tops) == 7  # competitions, my teams, organise, judging, notifications, the person, log out
    assert len(set(tops)) == 1, tops
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    name = phone.locator(".nav-user")
    assert name.inner_text() == "Wang Organiser"
    assert name.evaluate("element => element.scrollWidth <= element.clientWidth")  # not cut off
    # A menu longer than the screen scrolls sideways within its line: the last item is reached, the page not moved.
    log_out = phone.locator("nav.site-bar .site-nav > li").last
    log_out.scroll_into_view_if_needed()
    box = log_out.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    assert phone.evaluate("window.scrollX") == 0

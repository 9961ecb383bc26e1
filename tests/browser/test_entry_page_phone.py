"""The entry page on a 390 px phone: the current file comes first, older revisions' reports are folded."""

from collections.abc import Iterator

import pytest

from competitions.models import EntryRevision
from tests.browser.conftest import PHONE, signed_in_page
from tests.factories import EntryFactory, EntryRevisionFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def entry_with_history(db):
    captain = UserFactory(username="ada@example.com")
    entry = EntryFactory(team=TeamFactory(captain=captain), title="Harbour at dusk")
    for number in (1, 2, 3):
        message = {"severity": "error", "code": "ACCESSOR_INVALID", "message": f"Bad {number}.", "pointer": "/a/0"}
        EntryRevisionFactory(
            entry=entry, number=number, status=EntryRevision.Status.REJECTED, report={"messages": [message]}
        )
    return entry, captain


@pytest.fixture
def phone(browser, live_server, entry_with_history) -> Iterator[object]:
    _entry, captain = entry_with_history
    page = signed_in_page(browser, live_server, captain, language="zh-hans", device=PHONE)
    yield page
    page.context.close()


def test_on_a_phone_the_current_file_comes_first_and_older_reports_are_folded(
    phone, live_server, entry_with_history
) -> None:
    entry, _captain = entry_with_history

    phone.goto(f"{live_server.url}/entries/{entry.pk}/")

    current_top = phone.locator("[data-current-file]").bounding_box()["y"]
    revisions_top = phone.locator("#revisions").bounding_box()["y"]
    assert current_top < revisions_top
    folded = phone.locator("details.older-report")
    assert folded.count() == 2
    assert folded.evaluate_all("details => details.every(d => !d.open)")
    assert phone.get_by_text("Bad 3.").is_visible()
    assert not phone.get_by_text("Bad 1.").is_visible()
    folded.first.locator("summary").click()
    assert phone.get_by_text("Bad 2.").is_visible()

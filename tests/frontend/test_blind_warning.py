"""The entry page warns the team while its title, description or file name names it to blind judges."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from competitions.models import Entry, Team, Track
from tests.factories import EntryFactory, EntryRevisionFactory


@pytest.fixture
def entry(team: Team, track: Track) -> Entry:
    return EntryFactory(team=team, track=track, title="Bund at night")


def _page(client: Client, entry: Entry, language: str = "en") -> str:
    client.cookies["django_language"] = language
    return client.get(reverse("frontend:entry-detail", kwargs={"pk": entry.pk})).content.decode()


def test_the_page_warns_in_english_and_in_chinese_when_the_title_names_the_team(
    client: Client, entry: Entry, bob: User
) -> None:
    # Given a title with the team's name and a file named after a member
    entry.title = "Aurora: Bund at night"
    entry.save()
    EntryRevisionFactory(entry=entry, original_name="bob-li-bund.glb")
    client.force_login(bob)
    # When the team opens the entry page in either language
    english, chinese = _page(client, entry), _page(client, entry, "zh-hans")
    # Then it says what gives the team away
    assert "data-blind-warning" in english
    assert "file name: “Aurora” names your team. Change it if you want the judging to stay blind." in english
    assert "其中的“Aurora”会暴露你们团队的身份。如果希望评审保持匿名，请修改。" in chinese
    assert "names your team" not in chinese


def test_the_page_lists_every_word_that_names_the_team(client: Client, entry: Entry, bob: User) -> None:
    entry.description = "Modelled by Bob Li at Tongji University."
    entry.save()
    client.force_login(bob)

    page = _page(client, entry)

    assert "“Bob Li”" in page and "“Tongji University”" in page
    assert "” name your team. Change them if you want the judging to stay blind." in page


def test_the_page_does_not_warn_when_nothing_names_the_team(client: Client, entry: Entry, bob: User) -> None:
    EntryRevisionFactory(entry=entry, original_name="bund.glb")
    client.force_login(bob)

    assert "data-blind-warning" not in _page(client, entry)

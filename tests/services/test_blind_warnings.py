"""The team's own words in what blind judges read (title, description, file name): found so the team is warned."""

import pytest

from competitions.models import Competition, Entry, Round
from competitions.services.blind_warnings import identifying_mentions
from tests.factories import EntryFactory, EntryRevisionFactory, RoundFactory, TeamFactory, UserFactory, add_member


@pytest.fixture
def entry(db: None) -> Entry:
    captain = UserFactory(username="zhang.wei@example.com", profile__display_name="张伟", profile__organisation="")
    team = TeamFactory(name="Huangpu Digital Twins", captain=captain)
    add_member(team, UserFactory(profile__display_name="Li Na", profile__organisation="Tongji University"))
    return EntryFactory(team=team, title="Harbour at dusk", description="A ferry terminal at night.")


def test_nothing_is_found_when_nothing_names_the_team(entry: Entry) -> None:
    EntryRevisionFactory(entry=entry, original_name="harbour.glb")

    assert identifying_mentions(entry) == []


def test_the_team_name_in_the_title_is_found_whatever_its_case(entry: Entry) -> None:
    entry.title = "HUANGPU DIGITAL TWINS: harbour at dusk"

    assert identifying_mentions(entry) == ["Huangpu Digital Twins"]


def test_a_member_name_and_an_organisation_in_the_description_are_found(entry: Entry) -> None:
    entry.description = "By 张伟 and Li Na, for the Tongji University studio."

    assert identifying_mentions(entry) == ["张伟", "Li Na", "Tongji University"]


def test_the_newest_file_name_is_read(entry: Entry) -> None:
    EntryRevisionFactory(entry=entry, number=1, original_name="harbour.glb")
    EntryRevisionFactory(entry=entry, number=2, original_name="tongji-university-harbour.glb")

    assert identifying_mentions(entry) == []  # "tongji-university" is not "Tongji University"
    newest = EntryRevisionFactory(entry=entry, number=3, original_name="zhang.wei@example.com harbour.glb")
    assert identifying_mentions(entry, newest) == ["zhang.wei@example.com"]


def test_words_shorter_than_three_characters_are_not_looked_for(entry: Entry) -> None:
    captain = entry.team.memberships.get(user__username="zhang.wei@example.com").user
    captain.profile.display_name = "Wu"
    captain.profile.save()
    entry.title = "Wuxi waterfront"

    assert identifying_mentions(entry) == []


def test_nothing_is_found_when_every_round_to_come_shows_team_names(entry: Entry) -> None:
    competition: Competition = entry.team.competition
    RoundFactory(competition=competition, blind=Round.Blind.NEVER)
    RoundFactory(competition=competition, blind=Round.Blind.ALWAYS, status=Round.Status.PUBLISHED)
    entry.title = "Huangpu Digital Twins harbour"

    assert identifying_mentions(entry) == []


def test_a_blind_round_to_come_makes_the_team_name_count(entry: Entry) -> None:
    RoundFactory(competition=entry.team.competition, blind=Round.Blind.ALWAYS)
    entry.title = "Huangpu Digital Twins harbour"

    assert identifying_mentions(entry) == ["Huangpu Digital Twins"]


def test_a_two_character_chinese_name_is_looked_for(entry: Entry) -> None:
    entry.title = "张伟的外滩夜景"

    assert identifying_mentions(entry) == ["张伟"]

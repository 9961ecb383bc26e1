import pytest
from django.urls import reverse

from competitions.models import EntryRevision
from tests.factories import CompetitionFactory, EntryFactory, EntryRevisionFactory, TeamFactory, TrackFactory


def test_dashboard_needs_a_login(client, db):
    response = client.get(reverse("frontend:dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("frontend:login"))


def test_dashboard_lists_the_persons_teams_with_entries_and_their_status(client, team, track, bob):
    entry = EntryFactory(team=team, track=track, title="Bund at night")
    EntryRevisionFactory(entry=entry, number=1, status=EntryRevision.Status.VALIDATING)
    client.force_login(bob)

    content = client.get(reverse("frontend:dashboard")).content.decode()

    assert "Aurora" in content
    assert "Bund at night" in content
    assert 'data-status="validating"' in content
    assert "2 members" in content


def test_dashboard_does_not_show_other_teams(client, team, charlie):
    TeamFactory(competition=team.competition, captain=charlie, name="Comet")
    client.force_login(charlie)

    content = client.get(reverse("frontend:dashboard")).content.decode()

    assert "Comet" in content
    assert "Aurora" not in content


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow_with_teams_and_entries(client, alice, django_assert_max_num_queries):
    for _ in range(4):
        team = TeamFactory(competition=CompetitionFactory(), captain=alice)
        for _ in range(3):
            entry = EntryFactory(team=team, track=TrackFactory(competition=team.competition))
            EntryRevisionFactory(entry=entry)
    client.force_login(alice)

    with django_assert_max_num_queries(7):
        response = client.get(reverse("frontend:dashboard"))

    assert response.status_code == 200
    assert len(response.context["teams"]) == 4

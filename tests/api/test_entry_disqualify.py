"""The organisers' entry actions in the API: disqualify and reinstate with a reason; another competition's
organiser, a judge and the entrant get a 404, a visitor a 401/403, and nothing changes."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from competitions.models import AuditEvent, CompetitionOrganiser, Entry
from tests.factories import CompetitionFactory, EntryFactory, JudgeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(db: None) -> Entry:
    return EntryFactory(title="Harbour")


@pytest.fixture
def oscar(entry: Entry) -> User:
    oscar = UserFactory()
    CompetitionOrganiser.objects.create(competition=entry.team.competition, user=oscar)
    return oscar


def test_an_organiser_disqualifies_and_reinstates_an_entry(
    client_for: Callable[[User], APIClient], oscar: User, entry: Entry
) -> None:
    api = client_for(oscar)

    response = api.post(f"/api/entries/{entry.pk}/disqualify/", {"reason": "Copied scene."}, format="json")

    assert response.status_code == 200
    assert response.json()["disqualified_reason"] == "Copied scene."
    assert api.post(f"/api/entries/{entry.pk}/reinstate/", {"reason": "Their own."}, format="json").status_code == 200
    entry.refresh_from_db()
    assert not entry.is_disqualified
    assert AuditEvent.objects.filter(action__in=["entry.disqualified", "entry.reinstated"], actor=oscar).count() == 2


def test_a_disqualification_without_a_reason_is_a_400(
    client_for: Callable[[User], APIClient], oscar: User, entry: Entry
) -> None:
    response = client_for(oscar).post(f"/api/entries/{entry.pk}/disqualify/", {"reason": ""}, format="json")

    assert response.status_code == 400
    entry.refresh_from_db()
    assert not entry.is_disqualified


def test_reinstating_an_entry_in_the_running_is_refused_with_its_code(
    client_for: Callable[[User], APIClient], oscar: User, entry: Entry
) -> None:
    response = client_for(oscar).post(f"/api/entries/{entry.pk}/reinstate/", {"reason": "Why"}, format="json")

    assert response.status_code == 400
    assert "not_disqualified" in response.content.decode()


@pytest.mark.parametrize("who", ["other_organiser", "judge", "entrant"])
def test_anyone_else_gets_a_404(client_for: Callable[[User], APIClient], entry: Entry, who: str) -> None:
    other_organiser = UserFactory()
    CompetitionOrganiser.objects.create(competition=CompetitionFactory(), user=other_organiser)
    entrant = entry.team.memberships.get().user
    user = {"other_organiser": other_organiser, "judge": JudgeFactory(), "entrant": entrant}[who]

    response = client_for(user).post(f"/api/entries/{entry.pk}/disqualify/", {"reason": "Hijack"}, format="json")

    assert response.status_code == 404
    entry.refresh_from_db()
    assert not entry.is_disqualified


def test_a_visitor_is_refused(anonymous: APIClient, entry: Entry) -> None:
    response = anonymous.post(f"/api/entries/{entry.pk}/disqualify/", {"reason": "Hijack"}, format="json")

    assert response.status_code in (401, 403)
    entry.refresh_from_db()
    assert not entry.is_disqualified

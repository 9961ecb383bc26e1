"""Organisers per competition: Oscar organises competition A only. Every console page and organiser API object of
competition B is a 404 for him, like one that does not exist; A's are his. Site staff (Olga) run both."""

import pytest
from django.urls import reverse

from competitions.models import AuditEvent, CompetitionOrganiser, Criterion, Round
from competitions.services import judging
from tests.factories import CompetitionFactory, RoundFactory, UserFactory
from tests.frontend.organiser.test_console import _console_urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def oscar(round):
    oscar = UserFactory(username="oscar@example.com", profile__display_name="Oscar Organiser")
    CompetitionOrganiser.objects.create(competition=round.competition, user=oscar)
    return oscar


@pytest.fixture
def other_round(db):
    return RoundFactory(name="Elsewhere", competition=CompetitionFactory(name="Competition B", slug="competition-b"))


def test_an_organiser_reaches_every_page_of_his_competition(client, oscar, round, criterion):
    client.force_login(oscar)

    assert client.get(reverse("frontend:organise-round", kwargs={"pk": round.pk})).status_code == 200
    assert client.get(reverse("frontend:organise-awards", kwargs={"slug": round.competition.slug})).status_code == 200
    assert client.get(reverse("frontend:organise-leaderboard", kwargs={"pk": round.pk})).status_code == 200
    assert client.get(f"/api/rounds/{round.pk}/leaderboard/").status_code == 200


def test_every_page_of_another_competition_is_a_404_for_him(client, oscar, other_round):
    Criterion.objects.create(round=other_round, name="Atmosphere", position=1)
    client.force_login(oscar)

    for url in _console_urls(other_round):
        if url in (reverse("frontend:organise-home"), reverse("frontend:organise-audit")):
            continue  # his own pages: they list his competition only (below)
        # 405: a URL that takes the other method, whatever the id (it says nothing of competition B).
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"name": "Hijacked"}).status_code in (404, 405), url
    ids = {"pk": other_round.pk}
    assert client.get(reverse("frontend:organise-round", kwargs=ids)).status_code == 404
    assert client.get(reverse("frontend:organise-leaderboard", kwargs=ids)).status_code == 404
    assert client.post(reverse("frontend:organise-round-update", kwargs=ids), {"name": "Hijacked"}).status_code == 404
    assert client.post(reverse("frontend:organise-round-publish", kwargs=ids)).status_code == 404
    assert client.get(f"/api/rounds/{other_round.pk}/leaderboard/").status_code == 404
    assert client.post(f"/api/rounds/{other_round.pk}/assign/").status_code == 404
    assert not Round.objects.filter(name="Hijacked").exists()


def test_his_home_and_audit_log_show_his_competition_only(client, oscar, olga, round, other_round, criterion):
    judging.round_update(round=round, actor=olga, name="Preliminary of A")
    judging.round_update(round=other_round, actor=olga, name="Secret round of B")
    client.force_login(oscar)

    home = client.get(reverse("frontend:organise-home")).content.decode()
    audit = client.get(reverse("frontend:organise-audit")).content.decode()
    filtered = client.get(reverse("frontend:organise-audit"), {"round": other_round.pk}).content.decode()

    assert "Preliminary of A" in home and "Competition B" not in home
    assert "Preliminary of A" in audit and "Secret round of B" not in audit
    assert "Secret round of B" not in filtered
    assert AuditEvent.objects.filter(competition=other_round.competition).exists()


def test_the_menu_offers_the_console_to_an_organiser(client, oscar):
    client.force_login(oscar)

    assert reverse("frontend:organise-home") in client.get(reverse("frontend:dashboard")).content.decode()


def test_staff_run_every_competition(client, olga, round, other_round):
    client.force_login(olga)

    assert client.get(reverse("frontend:organise-round", kwargs={"pk": other_round.pk})).status_code == 200
    home = client.get(reverse("frontend:organise-home")).content.decode()
    assert "Competition B" in home and round.competition.name in home

"""Organisers per competition: Oscar organises competition A only. Every console page and organiser API object of
competition B is a 404 for him, like one that does not exist; A's are his. Site staff (Olga) run both."""

import pytest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

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


# --- Adding and removing organisers -----------------------------------------------------------------------------


def _organisers_url(competition) -> str:
    return reverse("frontend:organise-organisers", kwargs={"slug": competition.slug})


def test_an_organiser_adds_a_co_organiser_by_email_who_gets_an_account_and_a_link(
    client, oscar, round, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(oscar)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_organisers_url(round.competition), {"email": " Mei@Example.com ", "name": "Mei Lin"})

    assert response.status_code == 302
    added = CompetitionOrganiser.objects.get(competition=round.competition, user__email="mei@example.com")
    assert (added.added_by, added.user.profile.display_name) == (oscar, "Mei Lin")
    [mail] = mailoutbox
    assert mail.to == ["mei@example.com"]
    assert "Oscar Organiser made you an organiser of" in mail.body
    uid = urlsafe_base64_encode(force_bytes(added.user.pk))
    assert f"/{uid}/" in mail.body  # the one-time link to choose a password
    assert AuditEvent.objects.filter(action="organiser.added", competition=round.competition).exists()
    # The new organiser reaches the competition's console, and only it.
    client.force_login(added.user)
    assert client.get(reverse("frontend:organise-round", kwargs={"pk": round.pk})).status_code == 200


def test_an_existing_account_is_added_as_it_is_and_twice_is_refused_at_the_field(client, oscar, round, alice):
    client.force_login(oscar)

    client.post(_organisers_url(round.competition), {"email": alice.email})
    again = client.post(_organisers_url(round.competition), {"email": alice.email})

    assert CompetitionOrganiser.objects.filter(competition=round.competition, user=alice).count() == 1
    assert again.status_code == 400
    assert "already organises this competition" in again.context["form"].errors["email"][0]


def test_a_bad_email_is_refused_at_the_field_and_adds_nobody(client, oscar, round):
    client.force_login(oscar)

    response = client.post(_organisers_url(round.competition), {"email": "not-an-address"})

    assert response.status_code == 400
    assert response.context["form"].errors["email"]
    assert CompetitionOrganiser.objects.count() == 1


def test_the_last_organiser_stays_unless_staff_remove_him(client, oscar, olga, round):
    own = CompetitionOrganiser.objects.get(user=oscar)
    remove = reverse(
        "frontend:organise-organiser-remove", kwargs={"slug": round.competition.slug, "organiser_id": own.pk}
    )
    client.force_login(oscar)

    refused = client.post(remove, follow=True)

    assert "keeps at least one organiser" in refused.content.decode()
    client.force_login(olga)
    client.post(remove)
    assert not CompetitionOrganiser.objects.exists()
    assert AuditEvent.objects.filter(action="organiser.removed").exists()


def test_the_organisers_of_another_competition_are_out_of_reach(client, oscar, other_round):
    theirs = CompetitionOrganiser.objects.create(competition=other_round.competition, user=UserFactory())
    client.force_login(oscar)

    assert client.get(_organisers_url(other_round.competition)).status_code == 404
    assert client.post(_organisers_url(other_round.competition), {"email": "x@example.com"}).status_code == 404
    remove = reverse(
        "frontend:organise-organiser-remove", kwargs={"slug": other_round.competition.slug, "organiser_id": theirs.pk}
    )
    assert client.post(remove).status_code == 404
    assert CompetitionOrganiser.objects.filter(pk=theirs.pk).exists()


def test_the_organisers_page_reads_in_chinese(client, oscar, round):
    client.force_login(oscar)
    client.cookies["django_language"] = "zh-hans"

    content = client.get(_organisers_url(round.competition)).content.decode()

    assert "添加组织者" in content

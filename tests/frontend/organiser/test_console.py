"""The organiser console: only staff users reach it (everyone else gets a 404, a visitor the login page first); its
home lists the competitions with their rounds, and its audit log filters by round. See conftest.py for the cast."""

import pytest
from django.urls import reverse

from competitions.models import Criterion, Round
from competitions.services import judging
from tests.factories import RoundFactory

pytestmark = pytest.mark.django_db


# --- Who may see the console ----------------------------------------------------------------------------------


def _console_urls(round: Round) -> list[str]:
    ids = {"pk": round.pk}
    names = [
        "organise-round",
        "organise-round-update",
        "organise-round-open",
        "organise-round-close",
        "organise-criterion-create",
        "organise-round-panel",
        "organise-judge-invite",
        "organise-conflict-create",
        "organise-round-assignments",
        "organise-round-assign",
        "organise-assignment-add",
        "organise-leaderboard",
        "organise-round-publish",
        "organise-round-preview",
        "organise-round-unpublish",
        "organise-shortlist",
        "organise-scores-csv",
    ]
    return [
        reverse("frontend:organise-home"),
        reverse("frontend:organise-audit"),
        reverse("frontend:organise-round-create", kwargs={"slug": round.competition.slug}),
        reverse("frontend:organise-awards", kwargs={"slug": round.competition.slug}),
        reverse("frontend:organise-organisers", kwargs={"slug": round.competition.slug}),
        reverse("frontend:organise-organiser-remove", kwargs={"slug": round.competition.slug, "organiser_id": 1}),
        reverse("frontend:organise-criterion-update", kwargs={**ids, "criterion_id": 1}),
        reverse("frontend:organise-criterion-delete", kwargs={**ids, "criterion_id": 1}),
        reverse("frontend:organise-judge-withdraw", kwargs={**ids, "panelist_id": 1}),
        reverse("frontend:organise-conflict-remove", kwargs={**ids, "conflict_id": 1}),
        reverse("frontend:organise-assignment-remove", kwargs={**ids, "assignment_id": 1}),
        reverse("frontend:organise-sheet-reopen", kwargs={**ids, "sheet_id": 1}),
    ] + [reverse(f"frontend:{name}", kwargs=ids) for name in names]


def test_console_sends_a_visitor_to_the_login_page(client, round):
    for url in _console_urls(round):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("frontend:login")), url


@pytest.mark.parametrize("who", ["alice", "jules"])
def test_console_is_a_404_for_entrants_and_judges(client, round, alice, jules, criterion, who):
    client.force_login({"alice": alice, "jules": jules}[who])
    for url in _console_urls(round):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "Hijacked"}).status_code == 404, url
    assert not Round.objects.filter(name="Hijacked").exists()
    assert not Criterion.objects.filter(name="Hijacked").exists()


def test_organise_link_shows_in_the_menu_for_staff_only(client, olga, alice):
    client.force_login(alice)
    assert reverse("frontend:organise-home") not in client.get(reverse("frontend:dashboard")).content.decode()
    client.force_login(olga)
    assert reverse("frontend:organise-home") in client.get(reverse("frontend:dashboard")).content.decode()


# --- Home and audit log ---------------------------------------------------------------------------------


def test_home_lists_competitions_with_their_rounds(client, olga, round):
    client.force_login(olga)

    response = client.get(reverse("frontend:organise-home"))

    content = response.content.decode()
    assert response.status_code == 200
    assert round.competition.name in content
    assert "Online preliminary" in content
    assert reverse("frontend:organise-round", kwargs={"pk": round.pk}) in content


def test_audit_page_lists_events_and_filters_by_round(client, olga, round, criterion):
    other = RoundFactory(name="Elsewhere")
    judging.round_update(round=round, actor=olga, judges_per_entry=4)
    judging.round_update(round=other, actor=olga, judges_per_entry=5)
    client.force_login(olga)

    everything = client.get(reverse("frontend:organise-audit"))
    filtered = client.get(reverse("frontend:organise-audit"), {"round": round.pk})

    assert {line.event.target_id for line, _details in everything.context["lines"]} == {round.pk, other.pk}
    assert [line.event.target_id for line, _details in filtered.context["lines"]] == [round.pk]
    content = filtered.content.decode()
    assert "round.changed" in content
    assert "Olga Organiser changed the settings of the round “Online preliminary”." in content
    assert "&quot;judges_per_entry&quot;: 4" in content

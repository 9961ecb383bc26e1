"""The judge panel: a judge declares a conflict of interest, from an entry's page or by team name (never in a blind
round); see judge_panel_cast for the cast."""

import pytest
from django.test import Client
from django.urls import reverse

from competitions.models import Conflict, Round

from .judge_panel_cast import TEAM, open_judged_round, urls

pytestmark = pytest.mark.django_db


def test_judge_declares_a_conflict_from_the_entry_page_and_the_entry_leaves_the_queue(client: Client) -> None:
    round, judge, (round_entry,) = open_judged_round(blind=Round.Blind.NEVER)
    client.force_login(judge)

    response = client.post(
        reverse("frontend:judge-conflict-declare", args=[round_entry.pk]), {"reason": "Former student"}
    )

    assert response.status_code == 302
    assert Conflict.objects.filter(judge=judge, team=round_entry.entry.team, source="declared").exists()
    assert "Lantern Harbour" not in client.get(reverse("frontend:judge-queue", args=[round.pk])).content.decode()
    assert client.get(urls(round_entry)["entry"]).status_code == 404


def test_conflict_cannot_be_declared_by_entry_in_a_blind_round(client: Client) -> None:
    round, judge, (round_entry,) = open_judged_round()
    client.force_login(judge)

    assert client.post(reverse("frontend:judge-conflict-declare", args=[round_entry.pk])).status_code == 404
    assert client.get(reverse("frontend:judge-conflicts", args=[round.pk])).status_code == 404
    assert not Conflict.objects.filter(judge=judge).exists()


def test_judge_declares_a_conflict_with_a_team_chosen_by_name(client: Client) -> None:
    round, judge, (round_entry,) = open_judged_round(blind=Round.Blind.NEVER)
    client.force_login(judge)
    url = reverse("frontend:judge-conflicts", args=[round.pk])
    assert TEAM in client.get(url).content.decode()

    response = client.post(url, {"team": round_entry.entry.team_id, "reason": ""})

    assert response.status_code == 302
    assert Conflict.objects.filter(judge=judge, team=round_entry.entry.team).exists()

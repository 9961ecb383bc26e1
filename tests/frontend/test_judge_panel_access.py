"""The judge panel: who reaches which round, queue, entry and file, and what a blind round hides (see
judge_panel_cast for the cast)."""

import pytest
from django.test import Client
from django.urls import reverse

from competitions.models import Conflict, Panelist, Round, ScoreSheet
from tests.factories import JudgeFactory, RoundFactory, UserFactory

from .judge_panel_cast import SECRETS, TEAM, Panel, open_judged_round, save_as_the_script, urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel(db: None) -> Panel:
    return open_judged_round()


# --- Who may see what -------------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_log_in(client: Client, panel: Panel) -> None:
    round, _judge, (round_entry,) = panel
    pages = [
        reverse("frontend:judge-home"),
        reverse("frontend:judge-queue", args=[round.pk]),
        *(url for name, url in urls(round_entry).items() if name != "sheet"),
    ]

    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("frontend:login")), url


@pytest.mark.parametrize("who", ["stranger", "unassigned judge", "conflicted judge", "withdrawn judge"])
def test_only_the_assigned_judge_reaches_the_entry_its_files_and_its_sheet(
    client: Client, panel: Panel, who: str
) -> None:
    round, judge, (round_entry,) = panel
    if who == "stranger":
        user = UserFactory()
    elif who == "unassigned judge":
        user = JudgeFactory()
        Panelist.objects.create(round=round, user=user)
    elif who == "conflicted judge":
        # Recorded straight in the table, assignment kept: the pages must refuse by the conflict itself.
        user = judge
        Conflict.objects.create(
            competition=round.competition, judge=judge, team=round_entry.entry.team, source=Conflict.Source.ORGANISER
        )
    else:
        user = judge
        Panelist.objects.filter(round=round, user=judge).update(withdrawn_at=round.opens_at)
    client.force_login(user)
    entry_urls = urls(round_entry)

    assert client.get(entry_urls["entry"]).status_code == 404
    assert client.post(entry_urls["entry"], {"version": 0, "action": "save"}).status_code == 404
    assert client.get(entry_urls["artifact"]).status_code == 404
    assert client.get(entry_urls["hero"]).status_code == 404
    assert save_as_the_script(client, round_entry, 0, {}).status_code == 404
    assert not ScoreSheet.objects.filter(judge=user).exists()


def test_judge_sees_their_rounds_with_progress_and_the_nav_link(client: Client, panel: Panel) -> None:
    round, judge, _ = panel
    client.force_login(judge)

    response = client.get(reverse("frontend:judge-home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert round.name in html
    assert "0 of 1 scored" in html
    assert f'href="{reverse("frontend:judge-home")}"' in html


def test_person_without_a_seat_has_no_judging_link(client: Client, panel: Panel) -> None:
    client.force_login(UserFactory())

    response = client.get(reverse("frontend:dashboard"))

    assert f'href="{reverse("frontend:judge-home")}"' not in response.content.decode()


def test_queue_of_another_round_is_not_found(client: Client, panel: Panel) -> None:
    _round, judge, _ = panel
    other = RoundFactory()
    client.force_login(judge)

    assert client.get(reverse("frontend:judge-queue", args=[other.pk])).status_code == 404


# --- Blind review -----------------------------------------------------------------------------------------------


def test_blind_queue_and_entry_page_never_name_the_team(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    client.force_login(judge)
    client.post(urls(round_entry)["entry"], {"version": 0, "action": "save"})

    for url in (reverse("frontend:judge-queue", args=[round.pk]), urls(round_entry)["entry"]):
        html = client.get(url).content.decode()
        assert round_entry.blind_code in html
        assert "Lantern Harbour" in html
        for secret in SECRETS:
            assert secret.lower() not in html.lower(), (url, secret)


def test_blind_round_serves_the_stripped_model_under_the_entry_code(client: Client, panel: Panel) -> None:
    _round, judge, (round_entry,) = panel
    client.force_login(judge)

    response = client.get(urls(round_entry)["artifact"])

    assert response.status_code == 200
    assert response.getvalue() == b"blind bytes"
    assert response["Content-Type"] == "model/gltf-binary"
    assert response["Content-Disposition"] == f'inline; filename="{round_entry.blind_code}.glb"'
    headers = " ".join(f"{key}: {value}" for key, value in response.items()).lower()
    for secret in SECRETS:
        assert secret.lower() not in headers


def test_blind_round_without_a_stripped_copy_serves_no_model(client: Client, panel: Panel) -> None:
    _round, judge, (round_entry,) = panel
    revision = round_entry.revision
    revision.artifacts = {key: value for key, value in revision.artifacts.items() if key != "blind"}
    revision.save(update_fields=["artifacts"])
    client.force_login(judge)

    assert client.get(urls(round_entry)["artifact"]).status_code == 404
    assert 'src="' + urls(round_entry)["artifact"] not in client.get(urls(round_entry)["entry"]).content.decode()


def test_thumbnail_is_served_inline_under_the_entry_code(client: Client, panel: Panel) -> None:
    _round, judge, (round_entry,) = panel
    client.force_login(judge)

    response = client.get(urls(round_entry)["hero"])

    assert response.getvalue() == b"hero bytes"
    assert response["Content-Type"] == "image/webp"
    assert response["Content-Disposition"] == f'inline; filename="{round_entry.blind_code}-hero.webp"'


def test_unknown_artifact_name_is_not_found(client: Client, panel: Panel) -> None:
    _round, judge, (round_entry,) = panel
    client.force_login(judge)

    for name in ("viewer", "blind", "turntable", "file"):
        assert client.get(reverse("frontend:judge-artifact", args=[round_entry.pk, name])).status_code == 404


def test_open_round_serves_the_viewer_copy_and_falls_back_to_the_upload(client: Client) -> None:
    _round, judge, (round_entry,) = open_judged_round(blind=Round.Blind.NEVER)
    client.force_login(judge)
    url = urls(round_entry)["artifact"]

    assert client.get(url).getvalue() == b"viewer bytes"
    revision = round_entry.revision
    revision.artifacts = {key: value for key, value in revision.artifacts.items() if key != "viewer"}
    revision.save(update_fields=["artifacts"])
    response = client.get(url)
    assert response.getvalue() == b"glTF"
    assert response["Content-Disposition"] == f'inline; filename="{round_entry.blind_code}.glb"'


def test_open_round_names_the_team(client: Client) -> None:
    round, judge, (round_entry,) = open_judged_round(blind=Round.Blind.NEVER)
    client.force_login(judge)

    assert TEAM in client.get(reverse("frontend:judge-queue", args=[round.pk])).content.decode()
    assert TEAM in client.get(urls(round_entry)["entry"]).content.decode()

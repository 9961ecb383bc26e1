"""The SQL of the pages people wait on at the floor (issue 11): the judge's queue, the judge's entry page and the
competition page each make a fixed number of queries, whether the round has 2 entries or 20; and the entry page's
3D viewer shows the hero thumbnail until the model is loaded."""

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.test import Client
from django.urls import reverse

from competitions.models import Round
from competitions.services import judging
from tests.frontend.judge_panel_cast import criteria_of, open_judged_round, urls, write_artifacts

pytestmark = pytest.mark.django_db

AssertNumQueries = Callable[[int], AbstractContextManager[object]]
# The user (the session is read from the cache); the page's own; the menu with the person's name (one query).
QUEUE_QUERIES = 5  # + the round, the queue's rows with each sheet's status (values), their tracks
ENTRY_QUERIES = 9  # + the queue around the entry (the one permission check), the entry, the rubric, the sheet, scores
# and the judged revision's report, for the compliance line's validator verdict (the entry query defers it), and the
# judge's pinned comments (none read before the sheet exists).
COMPETITION_QUERIES = 7  # + the competition, its tracks, the person's team, the banners, published results


@pytest.mark.parametrize("entries", [2, 20])
def test_judge_queue_makes_the_same_queries_for_2_or_20_entries(
    client: Client, django_assert_num_queries: AssertNumQueries, entries: int
) -> None:
    round, judge, _ = open_judged_round(blind=Round.Blind.NEVER, entries=entries)
    client.force_login(judge)

    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("frontend:judge-queue", args=[round.pk]))

    assert response.status_code == 200
    assert response.content.decode().count('class="judge-queue-item"') == entries


@pytest.mark.parametrize("entries", [2, 20])
def test_judge_entry_makes_the_same_queries_for_2_or_20_entries(
    client: Client, django_assert_num_queries: AssertNumQueries, entries: int
) -> None:
    round, judge, round_entries = open_judged_round(blind=Round.Blind.NEVER, entries=entries)
    criteria = criteria_of(round)
    values = {criterion.pk: {"value": "7", "comment": "Clear."} for criterion in criteria}
    judging.sheet_save(round_entry=round_entries[1], judge=judge, version=0, values=values, comment="")
    client.force_login(judge)

    with django_assert_num_queries(ENTRY_QUERIES):
        response = client.get(urls(round_entries[1])["entry"])

    assert response.status_code == 200


@pytest.mark.parametrize("entries", [2, 20])
def test_competition_page_makes_the_same_queries_for_2_or_20_entries(
    client: Client, django_assert_num_queries: AssertNumQueries, entries: int
) -> None:
    round, judge, _ = open_judged_round(blind=Round.Blind.NEVER, entries=entries)
    client.force_login(judge)

    with django_assert_num_queries(COMPETITION_QUERIES):
        response = client.get(reverse("frontend:competition-detail", args=[round.competition.slug]))

    assert response.status_code == 200


def test_judge_queue_shows_a_sheet_submitted_since_the_last_view(client: Client) -> None:
    round, judge, round_entries = open_judged_round(entries=2)
    client.force_login(judge)
    queue = reverse("frontend:judge-queue", args=[round.pk])
    assert "sheet-submitted" not in client.get(queue).content.decode()
    values = {criterion.pk: {"value": "7", "comment": "Clear."} for criterion in criteria_of(round)}
    sheet = judging.sheet_save(round_entry=round_entries[0], judge=judge, version=0, values=values, comment="")

    judging.sheet_submit(round_entry=round_entries[0], judge=judge, version=sheet.version)

    assert client.get(queue).content.decode().count("sheet-submitted") == 1


def test_judge_entry_viewer_shows_the_hero_thumbnail_until_the_model_is_loaded(client: Client) -> None:
    _, judge, [round_entry] = open_judged_round()
    client.force_login(judge)

    html = client.get(urls(round_entry)["entry"]).content.decode()

    viewer = html[html.index("<model-viewer") : html.index("</model-viewer>")]
    assert f'poster="{urls(round_entry)["hero"]}"' in viewer
    assert 'reveal="auto"' in viewer  # a light scene: it loads once the viewer is on screen
    assert 'loading="lazy"' in viewer


def test_judge_entry_viewer_has_no_poster_without_a_hero_thumbnail(client: Client) -> None:
    _, judge, [round_entry] = open_judged_round()
    write_artifacts(round_entry.revision, names=("front", "side", "viewer", "blind"))
    client.force_login(judge)

    html = client.get(urls(round_entry)["entry"]).content.decode()

    assert "<model-viewer" in html
    assert "poster=" not in html[html.index("<model-viewer") : html.index("</model-viewer>")]

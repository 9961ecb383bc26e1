"""The assignments page says, per track, whether the judges' graph is connected (judges linked when they share an
entry) and how many co-judges each judge has, or warns that calibration cannot compare groups that share none."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse

from competitions.models import Panelist, Round, Track
from competitions.services import assignment as assignment_service
from tests.factories import JudgeFactory

from .conftest import open_round

pytestmark = pytest.mark.django_db


def page(client, round: Round) -> str:
    return client.get(reverse("frontend:organise-round-assignments", kwargs={"pk": round.pk})).content.decode()


def two_cliques(olga: User, round: Round, track: Track, panel: list[User]) -> None:
    """Four entries: the first two judged by panel[0] and panel[1] only, the others by panel[2] and a fourth."""
    fourth = JudgeFactory()
    Panelist.objects.create(round=round, user=fourth)
    open_round(round, olga, entries=4, track=track)
    first, second, third, last = round.round_entries.order_by("pk")
    for judges, entries in (((panel[0], panel[1]), (first, second)), ((panel[2], fourth), (third, last))):
        for judge in judges:
            for round_entry in entries:
                assignment_service.assignment_add(round=round, judge=judge, round_entry=round_entry, actor=olga)


def test_a_connected_track_says_how_many_others_each_judge_shares_entries_with(
    client, olga, round, track, criterion, panel
):
    open_round(round, olga, entries=3, track=track)
    assignment_service.round_assign(round=round, actor=olga)
    client.force_login(olga)

    content = page(client, round)

    assert "Culture and tourism: Judges' graph: connected; each judge shares entries with 2 of the 2 others." in (
        content
    )
    assert "not connected" not in content


def test_a_track_whose_judges_fall_into_groups_is_warned(client, olga, round, track, criterion, panel):
    two_cliques(olga, round, track, panel)
    client.force_login(olga)

    content = page(client, round)

    assert "Judges' graph: not connected. The judges fall into 2 groups that share no entry" in content
    assert "connected; each judge" not in content


def test_the_warning_reads_in_chinese(client, olga, round, track, criterion, panel):
    two_cliques(olga, round, track, panel)
    client.force_login(olga)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    content = page(client, round)

    assert "评委关系图：不连通。评委分成 2 组" in content


def test_the_line_reads_in_chinese(client, olga, round, track, criterion, panel):
    open_round(round, olga, entries=3, track=track)
    assignment_service.round_assign(round=round, actor=olga)
    client.force_login(olga)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    assert "评委关系图：连通；每位评委与其他 2 位评委中的 2 位评过同一作品。" in page(client, round)


def test_a_round_without_assignments_has_no_graph_line(client, olga, round, track, criterion, panel):
    open_round(round, olga, entries=2, track=track)
    client.force_login(olga)

    assert "Judges' graph" not in page(client, round)


def test_a_judge_of_the_round_cannot_read_its_judges_graph(client, olga, round, track, criterion, panel):
    open_round(round, olga, entries=3, track=track)
    assignment_service.round_assign(round=round, actor=olga)
    client.force_login(panel[0])

    response = client.get(reverse("frontend:organise-round-assignments", kwargs={"pk": round.pk}))

    assert response.status_code == 404
    assert "graph" not in response.content.decode()


def test_the_automatic_assignment_says_it_mixes_the_judges(client, olga, round, track, criterion, panel):
    open_round(round, olga, entries=1, track=track)
    client.force_login(olga)

    assert "Within each track it mixes the judges" in page(client, round)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "在每个赛道内，它会打散评委" in page(client, round)

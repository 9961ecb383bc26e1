"""The site menu: "My teams" for entrants, and for a judge or organiser only once they are in a team; the judge
panel for whoever sits on a panel of a round open for judging. One query whatever the person is."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competitions.models import Panelist, Round
from tests.factories import JudgeFactory, RoundFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

MY_TEAMS = 'href="/dashboard/"'
JUDGING = 'href="/judging/"'


def menu_of(client: Client, user: User) -> str:
    client.force_login(user)
    return client.get(reverse("frontend:home")).content.decode().split('class="site-nav"')[1].split("</ul>")[0]


def test_an_entrant_without_a_team_sees_my_teams_where_they_start_one(client: Client) -> None:
    menu = menu_of(client, UserFactory())

    assert MY_TEAMS in menu and JUDGING not in menu


def test_a_judge_in_no_team_sees_the_panel_and_not_my_teams(client: Client) -> None:
    judge = JudgeFactory()
    Panelist.objects.create(round=RoundFactory(status=Round.Status.OPEN), user=judge)

    menu = menu_of(client, judge)

    assert JUDGING in menu and MY_TEAMS not in menu


def test_an_organiser_in_no_team_does_not_see_my_teams_but_one_in_a_team_does(client: Client) -> None:
    organiser = UserFactory(is_staff=True)
    assert MY_TEAMS not in menu_of(client, organiser)

    TeamFactory(captain=organiser)

    assert MY_TEAMS in menu_of(client, organiser)


def test_the_menu_costs_one_query_for_a_judge_as_for_an_entrant(client: Client) -> None:
    judge = JudgeFactory()
    Panelist.objects.create(round=RoundFactory(status=Round.Status.OPEN), user=judge)
    counts = []
    for person in (UserFactory(), judge):
        client.force_login(person)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("frontend:home"))
        counts.append(len(queries))

    assert counts[0] == counts[1]

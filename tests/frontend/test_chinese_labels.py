"""Labels that read differently in Chinese where English uses one word: the judge panel's menu item is the panel
(评审), while a competition in its judging phase is being judged (评审中)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from competitions.models import Panelist, Round
from tests.factories import JudgeFactory, RoundFactory

pytestmark = pytest.mark.django_db


def test_the_judge_panel_menu_item_reads_as_the_panel_and_the_judging_phase_as_in_progress(client: Client) -> None:
    round = RoundFactory(status=Round.Status.OPEN)
    judge = JudgeFactory()
    Panelist.objects.create(round=round, user=judge)
    client.force_login(judge)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    menu = client.get(reverse("frontend:judge-home")).content.decode()
    page = client.get(reverse("frontend:competition-detail", kwargs={"slug": round.competition.slug}))

    assert 'aria-current="page">评审</a>' in menu
    assert "评审中</a>" not in menu
    assert '<span class="badge phase-judging">评审中</span>' in page.content.decode()

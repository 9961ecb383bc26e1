"""The judge's compliance line: above the score sheet, each check of the judged revision pass or fail (in words and
marks), and what the round does with it; only the assigned judge reaches it (see judge_panel_cast for the cast)."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from competitions.models import Round
from tests.factories import JudgeFactory, UserFactory, captain_of

from .judge_panel_cast import Panel, open_judged_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel(db: None) -> Panel:
    round, judge, round_entries = open_judged_round()
    revision = round_entries[0].revision
    revision.stats = {**revision.stats, "draw_calls": 3, "image_sizes": [[1024, 512]]}
    revision.save(update_fields=["stats"])
    return round, judge, round_entries


def entry_page(client: Client, panel: Panel, language: str = "en") -> str:
    _round, judge, (round_entry,) = panel
    client.force_login(judge)
    response = client.get(reverse("frontend:judge-entry", args=[round_entry.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_judge_sees_each_check_pass_or_fail_in_words_and_marks_and_that_it_is_for_information(client, panel):
    content = entry_page(client, panel)

    assert '<h2 id="compliance-title" class="panel-title">Compliance</h2>' in content
    assert "For information" in content
    assert content.index("compliance-title") < content.index("sheet-title")  # at the top of the sheet column
    assert content.count("compliance-check is-pass") == 6
    assert content.count('<strong class="compliance-verdict">Pass</strong>') == 6
    assert "Triangles:</span> 5,000" in content and "(at most 2,000,000)" in content
    assert "glTF validator:</span> no errors (0 warnings)" in content
    assert "6 of 6 checks passed." in content


def test_a_check_over_its_budget_is_a_fail_with_its_mark(client, panel):
    round, _judge, (round_entry,) = panel
    round.competition.max_triangles = 4999
    round.competition.save(update_fields=["max_triangles"])

    content = entry_page(client, panel)

    assert content.count("compliance-check is-fail") == 1
    assert '<li class="compliance-check is-fail" data-check="triangles">' in content
    assert '<span class="compliance-mark" aria-hidden="true">✗</span>' in content
    assert '<strong class="compliance-verdict">Fail</strong>' in content
    assert "5 of 6 checks passed." in content


@pytest.mark.parametrize(
    ("compliance", "weight", "says"),
    [
        (Round.Compliance.GATE, "1", "Gate: an entry that fails is not ranked"),
        (Round.Compliance.SCORED, "2.5", "Scored: counts as a criterion with weight 2.5\n"),
    ],
)
def test_the_line_says_what_the_round_does_with_it(client, panel, compliance, weight, says):
    round, _judge, _entries = panel
    Round.objects.filter(pk=round.pk).update(compliance=compliance, compliance_weight=Decimal(weight))

    assert says in entry_page(client, panel)


def test_the_line_reads_in_chinese(client, panel):
    round, _judge, _entries = panel
    Round.objects.filter(pk=round.pk).update(compliance=Round.Compliance.GATE)

    content = entry_page(client, panel, language="zh-hans")

    assert "合规检查" in content
    assert "门槛：未通过的作品不参与排名" in content
    assert "通过" in content and "三角面数" in content


@pytest.mark.parametrize("who", ["another judge", "an entrant", "a visitor"])
def test_nobody_but_the_assigned_judge_reaches_the_line(client, panel, who):
    _round, _judge, (round_entry,) = panel
    if who == "another judge":
        client.force_login(JudgeFactory())
    elif who == "an entrant":
        client.force_login(captain_of(round_entry.entry.team))
    url = reverse("frontend:judge-entry", args=[round_entry.pk])

    response = client.get(url)

    assert response.status_code in (302, 404)
    assert "compliance-title" not in response.content.decode()
    if who == "a visitor":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


def test_a_staff_member_who_is_not_on_the_panel_does_not_reach_it_either(client, panel):
    _round, _judge, (round_entry,) = panel
    client.force_login(UserFactory(is_staff=True))

    response = client.get(reverse("frontend:judge-entry", args=[round_entry.pk]))

    assert response.status_code == 404

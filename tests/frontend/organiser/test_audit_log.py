"""The audit log for people: each event as a sentence naming the people and objects, its time in the competition's
zone, filters (competition, round, who, what, which object, when), pagination, and a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from competitions.models import AuditEvent, CompetitionOrganiser, ScoreSheet
from competitions.services import judging
from tests.factories import CompetitionFactory, RoundFactory, UserFactory
from tests.frontend.organiser.conftest import assigned_round

pytestmark = pytest.mark.django_db
AUDIT = reverse("frontend:organise-audit")


def _sentences(response) -> list[str]:
    return [line.sentence for line, _details in response.context["lines"]]


def test_a_submitted_sheet_reads_as_a_sentence_naming_the_judge_and_the_entry_code(client, olga, scored):
    sheet = ScoreSheet.objects.filter(round=scored, status=ScoreSheet.Status.SUBMITTED).select_related(
        "judge__profile", "round_entry"
    )[0]
    client.force_login(olga)

    sentences = _sentences(client.get(AUDIT, {"kind": "score", "who": sheet.judge.profile.display_name}))

    expected = f"{sheet.judge.profile.display_name} submitted their scores for entry {sheet.round_entry.blind_code}."
    assert expected in sentences


def test_sentences_name_rounds_judges_and_teams_and_read_in_chinese(client, olga, round, jules):
    judging.round_update(round=round, actor=olga, judges_per_entry=3)
    client.force_login(olga)

    english = _sentences(client.get(AUDIT))
    client.cookies["django_language"] = "zh-hans"
    chinese = _sentences(client.get(AUDIT))

    assert "Olga Organiser changed the settings of the round “Online preliminary”." in english
    assert "Olga Organiser 修改了评审轮次“Online preliminary”的设置。" in chinese


def test_times_are_shown_in_the_competitions_zone(client, olga, round):
    round.competition.time_zone = "Asia/Shanghai"
    round.competition.save()
    judging.round_update(round=round, actor=olga, judges_per_entry=3)
    event = AuditEvent.objects.get(action="round.changed")
    client.force_login(olga)

    content = client.get(AUDIT).content.decode()

    shanghai = timezone.localtime(event.at, round.competition.zone)
    assert f'{shanghai:%Y-%m-%d %H:%M} <span class="muted small">CST</span>' in content


def test_filters_narrow_the_log_by_who_what_object_and_when(client, olga, round, jules):
    other_person = UserFactory(is_staff=True, profile__display_name="Wang Wei")
    judging.round_update(round=round, actor=olga, judges_per_entry=3)
    judging.round_update(round=round, actor=other_person, judges_per_entry=4)
    judging.judge_invite(round=round, email="new.judge@example.com", actor=olga)
    client.force_login(olga)

    by_wang = client.get(AUDIT, {"who": "wang"})
    judges_only = client.get(AUDIT, {"kind": "judge"})
    this_round = client.get(AUDIT, {"object_type": "round", "object_id": round.pk})
    tomorrow = (timezone.now() + timedelta(days=2)).date()
    future = client.get(AUDIT, {"since": tomorrow.isoformat()})

    assert {line.event.actor for line, _ in by_wang.context["lines"]} == {other_person}
    assert {line.event.action for line, _ in judges_only.context["lines"]} == {"judge.invited"}
    assert {line.event.target_type for line, _ in this_round.context["lines"]} == {"round"}
    assert future.context["lines"] == []
    assert "No events match these filters." in future.content.decode()


def test_an_organiser_filters_only_among_his_competitions(client, round, olga):
    oscar = UserFactory(profile__display_name="Oscar")
    CompetitionOrganiser.objects.create(competition=round.competition, user=oscar)
    elsewhere = RoundFactory(competition=CompetitionFactory(slug="elsewhere"))
    judging.round_update(round=elsewhere, actor=olga, judges_per_entry=3)
    client.force_login(oscar)

    response = client.get(AUDIT, {"competition": "elsewhere"})

    assert response.context["form"].errors["competition"]
    assert all(line.event.competition_id == round.competition_id for line, _ in response.context["lines"])


def test_the_log_is_paginated_fifty_to_a_page(client, olga, round):
    for number in range(55):
        judging.round_update(round=round, actor=olga, judges_per_entry=2 + number % 2)
    client.force_login(olga)

    first = client.get(AUDIT)
    second = client.get(AUDIT, {"page": 2})

    assert len(first.context["lines"]) == 50
    assert len(second.context["lines"]) == AuditEvent.objects.count() - 50


def test_the_page_makes_the_same_number_of_queries_for_few_and_many_kinds_of_event(
    client, olga, django_assert_max_num_queries
):
    small = assigned_round(olga, entries=2)
    client.force_login(olga)
    with django_assert_max_num_queries(20) as few:
        client.get(AUDIT, {"round": small.pk})
    assigned_round(olga, entries=12)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(AUDIT)

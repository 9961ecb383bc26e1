"""services.judging: conflicts of interest, detected and declared, and what they take away from a judge."""

import pytest
from django.contrib.auth.models import User

from competitions.models import Assignment, AuditEvent, Conflict, Round, ScoreSheet
from competitions.services import judging
from tests.factories import JudgeFactory, ProfileFactory, TeamFactory, UserFactory, add_member

from .conftest import refused
from .judging_cast import assign, criteria_of, draft_round, open_round, organiser, seat

pytestmark = pytest.mark.django_db


def person(email: str, organisation: str = "") -> User:
    user = UserFactory(username=email, profile=None)
    ProfileFactory(user=user, organisation=organisation)
    return user


def conflicted_teams(judge: User) -> set[int]:
    return set(Conflict.objects.filter(judge=judge).values_list("team_id", flat=True))


# --- Detection ---------------------------------------------------------------------------------------------------


def test_judge_of_the_same_organisation_as_a_team_member_is_in_conflict() -> None:
    round = draft_round(entries=0)
    team = TeamFactory(competition=round.competition, captain=person("cap@a.example.com", "Studio Nine"))
    add_member(team, person("member@b.example.com", "  Shanghai  Jiao Tong University "))
    judge = person("judge@jury.example.net", "shanghai jiao tong university")

    conflicts = judging.conflicts_detect(competition=round.competition, judges=[judge])

    assert [(c.team_id, c.source) for c in conflicts] == [(team.pk, Conflict.Source.ORGANISATION)]
    # The reason is the evidence, not the source's label again.
    assert conflicts[0].reason == "Organisation: shanghai jiao tong university"
    assert AuditEvent.objects.filter(action="conflict.detected", target_id=conflicts[0].pk).exists()


def test_judge_with_the_same_email_domain_as_a_team_member_is_in_conflict() -> None:
    round = draft_round(entries=0)
    team = TeamFactory(competition=round.competition, captain=person("cap@tongji.edu.cn", "Tongji"))
    judge = person("Prof.Wang@Tongji.edu.cn", "Design Academy")

    judging.conflicts_detect(competition=round.competition, judges=[judge])

    assert Conflict.objects.get(judge=judge).team == team
    assert Conflict.objects.get(judge=judge).source == Conflict.Source.EMAIL_DOMAIN
    assert Conflict.objects.get(judge=judge).reason == "Email addresses at tongji.edu.cn"


@pytest.mark.parametrize("domain", ["gmail.com", "qq.com", "163.com", "outlook.com", "example.com"])
def test_sharing_a_public_mail_domain_is_not_a_conflict(domain: str) -> None:
    round = draft_round(entries=0)
    TeamFactory(competition=round.competition, captain=person(f"cap@{domain}", "Studio Nine"))
    judge = person(f"judge@{domain}", "Design Academy")

    assert judging.conflicts_detect(competition=round.competition, judges=[judge]) == []
    assert not Conflict.objects.filter(judge=judge).exists()


def test_blank_organisations_are_not_a_conflict() -> None:
    round = draft_round(entries=0)
    TeamFactory(competition=round.competition, captain=person("cap@gmail.com", ""))
    judge = person("judge@qq.com", "   ")

    assert judging.conflicts_detect(competition=round.competition, judges=[judge]) == []


def test_judge_who_is_a_team_member_is_in_conflict_with_that_team() -> None:
    round = draft_round(entries=0)
    judge = person("judge@gmail.com", "")
    team = TeamFactory(competition=round.competition, captain=judge)

    judging.conflicts_detect(competition=round.competition, judges=[judge])

    assert conflicted_teams(judge) == {team.pk}


def test_teams_of_another_competition_are_not_a_conflict() -> None:
    round = draft_round(entries=0)
    TeamFactory(captain=person("cap@tongji.edu.cn", "Tongji"))
    judge = person("judge@tongji.edu.cn", "Tongji")

    assert judging.conflicts_detect(competition=round.competition, judges=[judge]) == []


def test_detection_is_idempotent() -> None:
    round = draft_round(entries=0)
    TeamFactory(competition=round.competition, captain=person("cap@tongji.edu.cn", "Tongji"))
    judge = person("judge@tongji.edu.cn", "Tongji")

    judging.conflicts_detect(competition=round.competition, judges=[judge])
    again = judging.conflicts_detect(competition=round.competition, judges=[judge])

    assert again == []
    assert Conflict.objects.filter(judge=judge).count() == 1


def test_inviting_a_judge_detects_their_conflicts() -> None:
    round = draft_round(entries=0)
    team = TeamFactory(competition=round.competition, captain=person("cap@tongji.edu.cn", "Tongji"))

    panelist = judging.judge_invite(round=round, email="wang@tongji.edu.cn", actor=organiser())

    assert conflicted_teams(panelist.user) == {team.pk}


def test_opening_a_round_detects_the_panels_conflicts() -> None:
    round = draft_round(entries=2)
    judge = seat(round, JudgeFactory())
    judge.profile.organisation = "Tongji University"  # every factory team member's organisation
    judge.profile.save()

    open_round(round)

    assert conflicted_teams(judge) == set(round.round_entries.values_list("entry__team_id", flat=True))


# --- Declaring and removing --------------------------------------------------------------------------------------


def scored_round() -> tuple[Round, User]:
    """An open round of two entries, both assigned to one judge, with a draft sheet saved on each."""
    round = draft_round(entries=2)
    judge = seat(round)
    open_round(round)
    for round_entry in round.round_entries.all():
        assign(round_entry, judge)
        judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values={})
    return round, judge


def test_declared_conflict_removes_the_judges_assignments_and_drafts_for_that_team() -> None:
    round, judge = scored_round()
    conflicted, other = round.round_entries.order_by("pk")

    conflict = judging.conflict_declare(
        competition=round.competition, judge=judge, team=conflicted.entry.team, actor=judge, reason="My student."
    )

    assert conflict.source == Conflict.Source.DECLARED
    assert list(Assignment.objects.filter(judge=judge).values_list("round_entry_id", flat=True)) == [other.pk]
    assert list(ScoreSheet.objects.filter(judge=judge).values_list("round_entry_id", flat=True)) == [other.pk]
    event = AuditEvent.objects.get(action="conflict.declared")
    assert (event.data["assignments_removed"], event.data["drafts_removed"]) == (1, 1)
    assert event.data["reason"] == "My student."


def test_declared_conflict_keeps_submitted_sheets_as_evidence() -> None:
    round, judge = scored_round()
    round_entry = round.round_entries.order_by("pk")[0]
    sheet = ScoreSheet.objects.get(judge=judge, round_entry=round_entry)
    values = {c.pk: {"value": "5"} for c in criteria_of(round)}
    judging.sheet_save(round_entry=round_entry, judge=judge, version=1, values=values)
    judging.sheet_submit(round_entry=round_entry, judge=judge, version=2)

    judging.conflict_declare(competition=round.competition, judge=judge, team=round_entry.entry.team, actor=judge)

    assert ScoreSheet.objects.filter(pk=sheet.pk, status=ScoreSheet.Status.SUBMITTED).exists()
    assert not Assignment.objects.filter(judge=judge, round_entry=round_entry).exists()


def test_declared_conflict_leaves_published_rounds_alone() -> None:
    round, judge = scored_round()
    Round.objects.filter(pk=round.pk).update(status=Round.Status.PUBLISHED)
    round_entry = round.round_entries.order_by("pk")[0]

    judging.conflict_declare(competition=round.competition, judge=judge, team=round_entry.entry.team, actor=judge)

    assert Assignment.objects.filter(judge=judge, round_entry=round_entry).exists()


def test_conflicted_judge_can_never_open_the_teams_entry() -> None:
    round, judge = scored_round()
    round_entry = round.round_entries.order_by("pk")[0]
    judging.conflict_declare(competition=round.competition, judge=judge, team=round_entry.entry.team, actor=judge)
    assign(round_entry, judge)  # even assigned again by mistake

    with refused("conflicted"):
        judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values={})


def test_declaring_twice_keeps_one_conflict() -> None:
    round, judge = scored_round()
    team = round.round_entries.order_by("pk")[0].entry.team

    first = judging.conflict_declare(competition=round.competition, judge=judge, team=team, actor=judge)
    second = judging.conflict_declare(competition=round.competition, judge=judge, team=team, actor=organiser())

    assert first.pk == second.pk
    assert AuditEvent.objects.filter(action="conflict.declared").count() == 1


def test_team_of_another_competition_is_refused() -> None:
    round, judge = scored_round()

    with refused("bad_team"):
        judging.conflict_declare(competition=round.competition, judge=judge, team=TeamFactory(), actor=judge)


def test_removing_a_conflict_is_audited() -> None:
    round, judge = scored_round()
    conflict = judging.conflict_declare(
        competition=round.competition, judge=judge, team=round.round_entries.order_by("pk")[0].entry.team, actor=judge
    )

    conflict_id = conflict.pk

    judging.conflict_remove(conflict=conflict, actor=organiser())

    assert not Conflict.objects.filter(judge=judge).exists()
    assert AuditEvent.objects.filter(action="conflict.removed", target_id=conflict_id).exists()

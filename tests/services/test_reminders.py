"""Deadline and judging reminders, 72, 24 and 1 hours before: each sent once, found by travelling in time."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from competitions.models import Assignment, Notification, Panelist, Round, SentReminder, Team
from competitions.services import reminders
from tests.factories import JudgeFactory, RoundFactory, TeamFactory, TrackFactory, add_member, ready_entry

pytestmark = pytest.mark.django_db


def run_at(moment, django_capture_on_commit_callbacks) -> dict[str, int]:
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        return reminders.messages_send_due()


def reminded(team: Team) -> list[int]:
    return sorted(SentReminder.objects.filter(kind="deadline", object_id=team.pk).values_list("milestone", flat=True))


def test_a_team_without_a_ready_entry_is_reminded_72_24_and_1_hours_before_once_each(
    team, django_capture_on_commit_callbacks
):
    deadline = team.competition.submission_deadline

    run_at(deadline - timedelta(hours=73), django_capture_on_commit_callbacks)
    assert reminded(team) == [] and mail.outbox == []

    run_at(deadline - timedelta(hours=71), django_capture_on_commit_callbacks)
    assert reminded(team) == [72] and len(mail.outbox) == 1

    run_at(deadline - timedelta(hours=71), django_capture_on_commit_callbacks)
    assert reminded(team) == [72] and len(mail.outbox) == 1

    run_at(deadline - timedelta(hours=23), django_capture_on_commit_callbacks)
    assert reminded(team) == [24, 72] and len(mail.outbox) == 2

    run_at(deadline - timedelta(minutes=30), django_capture_on_commit_callbacks)
    assert reminded(team) == [1, 24, 72] and len(mail.outbox) == 3
    assert Notification.objects.filter(kind=Notification.Kind.DEADLINE_REMINDER).count() == 3

    run_at(deadline + timedelta(minutes=5), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3


def test_every_member_is_reminded_in_their_language(team, captain, django_capture_on_commit_callbacks):
    captain.profile.language = "zh-hans"
    captain.profile.save()
    bob = add_member(team)
    bob.profile.language = "en"
    bob.profile.save()

    run_at(team.competition.submission_deadline - timedelta(hours=20), django_capture_on_commit_callbacks)

    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {captain.email, bob.email}
    assert "小时" in by_address[captain.email].subject and "left" not in by_address[captain.email].subject
    assert "24 h left" in by_address[bob.email].subject and team.name in by_address[bob.email].body


def test_a_team_with_a_ready_entry_is_not_reminded(team, track, django_capture_on_commit_callbacks):
    ready_entry(track, team=team)

    run_at(team.competition.submission_deadline - timedelta(hours=20), django_capture_on_commit_callbacks)

    assert reminded(team) == [] and mail.outbox == []


def test_a_team_with_an_extended_deadline_is_reminded_against_its_own_deadline(
    team, django_capture_on_commit_callbacks
):
    deadline = team.competition.submission_deadline
    team.extended_deadline = deadline + timedelta(days=2)
    team.save()

    run_at(deadline - timedelta(minutes=30), django_capture_on_commit_callbacks)
    assert reminded(team) == [72]

    run_at(team.extended_deadline - timedelta(minutes=30), django_capture_on_commit_callbacks)
    assert reminded(team) == [1, 72]


def test_two_runs_at_the_same_moment_send_the_reminder_once(team, django_capture_on_commit_callbacks):
    moment = team.competition.submission_deadline - timedelta(hours=2)
    with time_machine.travel(moment, tick=False):
        # The second run found the team before the first one's row existed: the database refuses its row.
        teams = reminders.teams_to_remind(reminders.timezone.now())
        assert reminders.deadline_reminders_send() == 1
        assert reminders._claim(SentReminder.Kind.DEADLINE, teams[0].pk, 24) is False

    assert SentReminder.objects.count() == 1


def test_the_task_sends_the_due_reminders_and_a_rerun_sends_nothing(team, django_capture_on_commit_callbacks):
    from competitions.tasks import send_due_messages

    with time_machine.travel(team.competition.submission_deadline - timedelta(hours=2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = send_due_messages.apply().get()
        with django_capture_on_commit_callbacks(execute=True):
            second = send_due_messages.apply().get()

    assert first["deadline_reminders"] == 1 and second == {"deadline_reminders": 0, "judging_reminders": 0, "emails": 0}
    assert len(mail.outbox) == 1


# --- Judges ------------------------------------------------------------------------------------------------------


@pytest.fixture
def judged_round(db: None) -> tuple[Round, Panelist]:
    round = RoundFactory(status=Round.Status.OPEN)
    track = TrackFactory(competition=round.competition)
    judge = JudgeFactory()
    panelist = Panelist.objects.create(round=round, user=judge)
    entry = ready_entry(track)
    revision = entry.current_revision
    assert revision is not None
    round_entry = round.round_entries.create(entry=entry, track=track, revision=revision, sha256=revision.sha256)
    Assignment.objects.create(round=round, judge=judge, round_entry=round_entry)
    return round, panelist


def test_a_judge_with_unfinished_sheets_is_reminded_before_the_round_closes_once_per_milestone(
    judged_round, django_capture_on_commit_callbacks
):
    round, panelist = judged_round

    run_at(round.closes_at - timedelta(hours=73), django_capture_on_commit_callbacks)
    run_at(round.closes_at - timedelta(hours=30), django_capture_on_commit_callbacks)
    run_at(round.closes_at - timedelta(hours=30), django_capture_on_commit_callbacks)
    run_at(round.closes_at - timedelta(minutes=10), django_capture_on_commit_callbacks)

    sent = SentReminder.objects.filter(kind="judging", object_id=panelist.pk).values_list("milestone", flat=True)
    assert sorted(sent) == [1, 72]
    assert [message.to for message in mail.outbox] == [[panelist.user.email]] * 2
    assert "1 entry without submitted scores" in mail.outbox[0].body


def test_a_judge_who_submitted_every_sheet_or_withdrew_is_not_reminded(
    judged_round, django_capture_on_commit_callbacks
):
    round, panelist = judged_round
    assignment = Assignment.objects.get()
    round.sheets.create(judge=panelist.user, round_entry=assignment.round_entry, sha256="0" * 64, status="submitted")
    other = JudgeFactory()
    Panelist.objects.create(round=round, user=other, withdrawn_at=round.opens_at)
    Assignment.objects.create(round=round, judge=other, round_entry=assignment.round_entry)

    run_at(round.closes_at - timedelta(hours=2), django_capture_on_commit_callbacks)

    assert mail.outbox == [] and not SentReminder.objects.exists()


def test_a_new_milestone_is_only_the_nearest_one(team, django_capture_on_commit_callbacks):
    run_at(team.competition.submission_deadline - timedelta(hours=10), django_capture_on_commit_callbacks)

    assert reminded(team) == [24]


def test_teams_of_another_competition_far_from_their_deadline_are_not_reminded(
    team, django_capture_on_commit_callbacks
):
    far = TeamFactory()
    far.competition.submission_deadline = team.competition.submission_deadline + timedelta(days=10)
    far.competition.save()

    run_at(team.competition.submission_deadline - timedelta(hours=2), django_capture_on_commit_callbacks)

    assert reminded(far) == [] and reminded(team) == [24]

"""Reminders, 72, 24 and 1 hours before a moment: the team's deadline (teams without a ready entry) and the close
of a judging round (judges with unfinished sheets). The beat task calls ``messages_send_due`` every few minutes.

Each reminder goes once: a ``SentReminder`` row per (kind, team or panelist, milestone) is inserted in the same
transaction as the notifications, and the database refuses a second one, so two beat runs or two workers at the
same moment send it once. Only the nearest milestone is sent: after a beat outage from 73 h to 23 h before the
deadline, the team gets the 24 h reminder, not both.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.models import (
    Assignment,
    Entry,
    EntryRevision,
    Notification,
    Panelist,
    Round,
    ScoreSheet,
    SentReminder,
    Team,
)
from competitions.services.notifications import Message, notifications_email, notify, team_members

MILESTONE_HOURS = (72, 24, 1)


def due_milestone(remaining: timedelta) -> int | None:
    """The milestone due with ``remaining`` time left: the smallest of ``MILESTONE_HOURS`` not below it; None once
    the moment has passed or while it is further than the largest."""
    if remaining <= timedelta(0):
        return None
    due = [hours for hours in MILESTONE_HOURS if remaining <= timedelta(hours=hours)]
    return min(due) if due else None


def _claim(kind: str, object_id: int, milestone: int) -> bool:
    """Insert the reminder's row; False when it was sent already (by this run or another)."""
    try:
        with transaction.atomic():
            SentReminder.objects.create(kind=kind, object_id=object_id, milestone=milestone)
    except IntegrityError:
        return False
    return True


def _send_once(kind: str, object_id: int, milestone: int, message: Message, recipients: list[User]) -> bool:
    """Record the reminder and notify ``recipients`` in one transaction; False, sending nothing, when it went
    already. The emails go after commit."""
    with transaction.atomic():
        if not _claim(kind, object_id, milestone):
            return False
        notify(message=message, recipients=recipients)
    return True


def _already_sent(kind: str, object_ids: list[int]) -> set[tuple[int, int]]:
    sent = SentReminder.objects.filter(kind=kind, object_id__in=object_ids)
    return set(sent.values_list("object_id", "milestone"))


def _deadline_subject(team: Team, hours: int) -> Callable[[], str]:
    def subject() -> str:
        return _("%(hours)s h left: “%(team)s” has no ready entry in %(competition)s yet") % {
            "hours": hours,
            "team": team.name,
            "competition": team.competition.display_name,
        }

    return subject


def _judging_subject(round: Round, hours: int) -> Callable[[], str]:
    def subject() -> str:
        return _("%(hours)s h left to score the entries of %(round)s") % {"hours": hours, "round": round.display_name}

    return subject


def teams_to_remind(now: datetime) -> list[Team]:
    """Teams whose deadline (their own, extended or not) is within the largest milestone and has not passed, in a
    competition open for submissions, and that have no entry with a ready file."""
    ready = Entry.objects.filter(team=OuterRef("pk"), current_revision__status=EntryRevision.Status.READY)
    return list(
        Team.objects.annotate(deadline=Coalesce("extended_deadline", "competition__submission_deadline"))
        .filter(
            deadline__gt=now,
            deadline__lte=now + timedelta(hours=max(MILESTONE_HOURS)),
            competition__submission_opens_at__lte=now,
        )
        .exclude(Exists(ready))
        .select_related("competition")
        .order_by("pk")
    )


def deadline_reminders_send(*, now: datetime | None = None) -> int:
    """Remind the members of each team without a ready entry, at the milestone due before its deadline; how many
    teams were reminded. Each (team, milestone) once."""
    now = now or timezone.now()
    teams = teams_to_remind(now)
    sent_before = _already_sent(SentReminder.Kind.DEADLINE, [team.pk for team in teams])
    reminded = 0
    for team in teams:
        deadline = team.submission_deadline
        milestone = due_milestone(deadline - now)
        if milestone is None or (team.pk, milestone) in sent_before:
            continue
        message = Message(
            kind=Notification.Kind.DEADLINE_REMINDER,
            subject=_deadline_subject(team, milestone),
            template="emails/deadline_reminder.txt",
            context={"team": team, "competition": team.competition, "deadline": deadline, "hours": milestone},
            link=reverse("frontend:team-detail", kwargs={"pk": team.pk}),
            competition=team.competition,
        )
        reminded += _send_once(SentReminder.Kind.DEADLINE, team.pk, milestone, message, team_members([team.pk]))
    return reminded


def panelists_to_remind(now: datetime) -> list[Panelist]:
    """Active judges of open rounds that close within the largest milestone and have not closed yet."""
    return list(
        Panelist.objects.filter(
            withdrawn_at__isnull=True,
            round__status=Round.Status.OPEN,
            round__closes_at__gt=now,
            round__closes_at__lte=now + timedelta(hours=max(MILESTONE_HOURS)),
        )
        .select_related("round__competition", "user__profile")
        .order_by("pk")
    )


def _unfinished(panelists: list[Panelist]) -> dict[tuple[int, int], int]:
    """(round, judge) -> how many of the judge's assigned entries in the round have no submitted sheet."""
    if not panelists:
        return {}
    scope = Q()
    for panelist in panelists:
        scope |= Q(round_id=panelist.round_id, judge_id=panelist.user_id)
    done = ScoreSheet.objects.filter(
        round_id=OuterRef("round_id"),
        judge_id=OuterRef("judge_id"),
        round_entry_id=OuterRef("round_entry_id"),
        status=ScoreSheet.Status.SUBMITTED,
    )
    rows = (
        Assignment.objects.filter(scope)
        .exclude(Exists(done))
        .values("round_id", "judge_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {(row["round_id"], row["judge_id"]): row["count"] for row in rows}


def judging_reminders_send(*, now: datetime | None = None) -> int:
    """Remind each active judge of an open round who still has unfinished sheets, at the milestone due before the
    round closes; how many judges were reminded. Each (panel seat, milestone) once."""
    now = now or timezone.now()
    panelists = panelists_to_remind(now)
    unfinished = _unfinished(panelists)
    sent_before = _already_sent(SentReminder.Kind.JUDGING, [panelist.pk for panelist in panelists])
    reminded = 0
    for panelist in panelists:
        round = panelist.round
        count = unfinished.get((round.pk, panelist.user_id), 0)
        milestone = due_milestone(round.closes_at - now)
        if not count or milestone is None or (panelist.pk, milestone) in sent_before:
            continue
        message = Message(
            kind=Notification.Kind.JUDGING_REMINDER,
            subject=_judging_subject(round, milestone),
            template="emails/judging_reminder.txt",
            context={"round": round, "competition": round.competition, "count": count, "hours": milestone},
            link=reverse("frontend:judge-queue", kwargs={"round_id": round.pk}),
            competition=round.competition,
        )
        judge: User = panelist.user
        reminded += _send_once(SentReminder.Kind.JUDGING, panelist.pk, milestone, message, [judge])
    return reminded


def messages_send_due(*, now: datetime | None = None) -> dict[str, int]:
    """What the beat task does: the reminders due now, then the emails still waiting (a large batch, or a send
    that failed). Safe to run any number of times, at once or in a row."""
    return {
        "deadline_reminders": deadline_reminders_send(now=now),
        "judging_reminders": judging_reminders_send(now=now),
        "emails": notifications_email(),
    }

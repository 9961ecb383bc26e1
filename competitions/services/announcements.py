"""Announcements from the organisers to the teams of a competition: all teams, the teams of one track, or the teams
without a ready entry. Each is emailed to the teams' members, listed in their notifications and shown as a banner
on the competition and team pages until it expires or the person dismisses it."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import (
    Announcement,
    AnnouncementDismissal,
    Competition,
    Entry,
    EntryRevision,
    Notification,
    Team,
    Track,
)
from competitions.services.audit import record
from competitions.services.notifications import Message, notify, team_members

DEFAULT_BANNER_DAYS = 7
MAX_BANNER_DAYS = 60

Audience = Announcement.Audience


def audience_teams(*, competition: Competition, audience: str, track: Track | None = None) -> QuerySet[Team]:
    """The teams an announcement to ``audience`` reaches now."""
    teams = Team.objects.filter(competition=competition)
    if audience == Audience.TRACK:
        return teams.filter(Exists(Entry.objects.filter(team=OuterRef("pk"), track=track)))
    if audience == Audience.NOT_READY:
        ready = Entry.objects.filter(team=OuterRef("pk"), current_revision__status=EntryRevision.Status.READY)
        return teams.exclude(Exists(ready))
    return teams


def _check(competition: Competition, audience: str, track: Track | None, subject: str, body: str, days: int) -> None:
    if audience not in Audience.values:
        raise RuleError(_("Choose who the announcement is for."), code=ErrorCode.BAD_AUDIENCE, field="audience")
    if audience == Audience.TRACK and (track is None or track.competition_id != competition.pk):
        raise RuleError(_("Choose a track of this competition."), code=ErrorCode.BAD_TRACK, field="track")
    if not subject.strip():
        raise RuleError(_("Write a subject."), code=ErrorCode.MESSAGE_REQUIRED, field="subject")
    if not body.strip():
        raise RuleError(_("Write a message."), code=ErrorCode.MESSAGE_REQUIRED, field="body")
    if not 1 <= days <= MAX_BANNER_DAYS:
        raise RuleError(
            _("Show the banner for 1 to %(max)s days.") % {"max": MAX_BANNER_DAYS},
            code=ErrorCode.OUT_OF_RANGE,
            field="days",
        )


@transaction.atomic
def announcement_send(
    *,
    competition: Competition,
    audience: str,
    track: Track | None = None,
    subject: str,
    body: str,
    actor: User,
    days: int = DEFAULT_BANNER_DAYS,
) -> Announcement:
    """Send an announcement to the teams of ``audience`` as they are now (``track`` for a track's teams): a
    notification to each of their members, emailed after commit (a large batch by the beat task's sweep), and a
    banner on the competition and team pages for ``days`` days. The organisers' text goes out as they wrote it;
    the lines around it are in each member's language. Audited ("announcement.sent")."""
    _check(competition, audience, track, subject, body, days)
    subject, body = subject.strip(), body.strip()
    now = timezone.now()
    teams = list(audience_teams(competition=competition, audience=audience, track=track).order_by("pk"))
    announcement = Announcement.objects.create(
        competition=competition,
        audience=audience,
        track=track if audience == Audience.TRACK else None,
        subject=subject,
        body=body,
        created_by=actor,
        created_at=now,
        shown_until=now + timedelta(days=days),
    )
    announcement.teams.set(teams)
    recipients = team_members(team.pk for team in teams)
    message = Message(
        kind=Notification.Kind.ANNOUNCEMENT,
        subject=lambda: _("%(competition)s: %(subject)s")
        % {"competition": competition.display_name, "subject": subject},
        template="emails/announcement.txt",
        context={"competition": competition},
        link=reverse("frontend:competition-detail", kwargs={"slug": competition.slug}),
        competition=competition,
        lead=body,
    )
    notify(message=message, recipients=recipients)
    record(
        competition=competition,
        actor=actor,
        action="announcement.sent",
        target=announcement,
        data={
            "audience": audience,
            "track": announcement.track_id,
            "subject": subject,
            "teams": len(teams),
            "recipients": len({user.pk for user in recipients}),
            "days": days,
        },
    )
    return announcement


def announcement_dismiss(*, announcement: Announcement, user: User) -> None:
    """``user`` closes the announcement's banner; dismissing twice changes nothing. The caller checks that the
    banner is shown to them (``selectors.notifications.banners_for``)."""
    AnnouncementDismissal.objects.get_or_create(announcement=announcement, user=user)

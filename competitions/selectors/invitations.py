"""Reads of team invitations, with what their pages show."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from competitions.models import Team, TeamInvitation


def invitations_pending(team: Team, now: datetime | None = None) -> QuerySet[TeamInvitation]:
    """The team's invitations that can still be accepted, oldest first."""
    return (
        TeamInvitation.objects.filter(
            team=team, status=TeamInvitation.Status.PENDING, expires_at__gt=now or timezone.now()
        )
        .select_related("invited_by__profile")
        .order_by("created_at")
    )


def invitation_by_token(token: str) -> TeamInvitation | None:
    """The invitation whose link carries ``token``, whatever its state, with its team, competition and inviter."""
    return TeamInvitation.objects.select_related("team__competition", "invited_by__profile").filter(token=token).first()

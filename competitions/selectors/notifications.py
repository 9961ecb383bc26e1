"""What a person is told: their notifications, and the announcements shown to them as banners."""

from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.utils import timezone

from competitions.models import Announcement, Competition, Notification, Team


def notifications_of(user: User) -> QuerySet[Notification]:
    """``user``'s own notifications, newest first (nobody else's, whoever asks)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def banners_for(
    *,
    user: User | AnonymousUser,
    competition: Competition | None = None,
    team: Team | None = None,
    now: datetime | None = None,
) -> QuerySet[Announcement]:
    """The announcements shown to ``user`` as banners: sent to a team they are in (of ``competition``, or
    ``team`` itself), still within their days, not dismissed by them. Newest first; none for anonymous visitors."""
    if not user.is_authenticated:
        return Announcement.objects.none()
    shown = Announcement.objects.filter(teams__memberships__user=user, shown_until__gt=now or timezone.now())
    if competition is not None:
        shown = shown.filter(competition=competition)
    if team is not None:
        shown = shown.filter(teams=team)
    return shown.exclude(dismissals__user=user).distinct().order_by("-created_at", "-pk")


def announcements_of(competition: Competition) -> QuerySet[Announcement]:
    """A competition's announcements for its organisers, newest first, with who sent them."""
    return (
        Announcement.objects.filter(competition=competition)
        .select_related("created_by__profile", "track")
        .order_by("-created_at", "-pk")
    )

"""Reads that decide what a person may see. Views filter through these before fetching any object, so an object
someone may not see is a 404, exactly like one that does not exist."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery

from competitions.models import Competition, Entry, EntryRevision, Membership, Team, UploadSession


def organiser_emails() -> list[str]:
    """Where the site's alerts go (a failed revision, a full disk, no live worker): the active staff's addresses."""
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    return list(staff.values_list("email", flat=True))


def competitions_visible() -> QuerySet[Competition]:
    return Competition.objects.filter(is_published=True).prefetch_related("tracks")


def membership_for(*, user: User | AnonymousUser, competition: Competition) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.select_related("team").filter(user=user, competition=competition).first()


def teams_of(user: User) -> QuerySet[Team]:
    """The teams ``user`` belongs to, with members and entries ready to show."""
    # A subquery, not a join on memberships: a join would make the member count below count only ``user``.
    return (
        Team.objects.filter(pk__in=Membership.objects.filter(user=user).values("team_id"))
        .select_related("competition")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("user__profile").order_by("joined_at")),
            Prefetch("entries", queryset=entries_with_latest_revision()),
        )
        .annotate(member_count=Count("memberships", distinct=True))
    )


def entries_with_latest_revision() -> QuerySet[Entry]:
    """Entries with ``latest_revision_number`` and ``latest_revision_status``: what the newest upload is doing."""
    latest = EntryRevision.objects.filter(entry=OuterRef("pk")).order_by("-number")
    return (
        Entry.objects.select_related("track", "current_revision")
        .annotate(
            latest_revision_number=Subquery(latest.values("number")[:1]),
            latest_revision_status=Subquery(latest.values("status")[:1]),
        )
        .order_by("track__position", "track__name", "created_at")
    )


def entries_visible_to(user: User) -> QuerySet[Entry]:
    """Entries of the teams ``user`` is in: nobody else's."""
    return Entry.objects.filter(team__memberships__user=user).select_related(
        "team__competition", "track", "current_revision"
    )


def revisions_visible_to(user: User) -> QuerySet[EntryRevision]:
    return EntryRevision.objects.filter(entry__team__memberships__user=user).select_related(
        "entry__team__competition", "entry__track"
    )


def revisions_of(entry: Entry) -> QuerySet[EntryRevision]:
    return entry.revisions.select_related("uploaded_by__profile").order_by("-number")


def upload_sessions_of(user: User) -> QuerySet[UploadSession]:
    """The resumable uploads ``user`` started, on entries of teams they are still in: nobody else's."""
    return UploadSession.objects.filter(user=user, entry__team__memberships__user=user).select_related(
        "entry__team__competition", "user", "revision"
    )

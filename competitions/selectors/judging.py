"""Judging reads. A judge reaches a round entry only through ``judge_entries``: assigned to them, in a round that
is open or closed, while they sit on its panel, and never an entry of a team they are in conflict with. Anything
else is ``RoundEntry.DoesNotExist`` (a 404 for the views), exactly like an id that does not exist."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from competitions.models import (
    Assignment,
    AuditEvent,
    Competition,
    Conflict,
    Panelist,
    Round,
    RoundEntry,
    RoundResult,
    ScoreSheet,
    Track,
)

JUDGED_STATUSES = (Round.Status.OPEN, Round.Status.CLOSED)
# A judge's queue: by track, then by entry code (random, so it reveals nothing about teams or upload order).
QUEUE_ORDER = ("track__position", "track__name", "blind_code", "pk")


@dataclass(frozen=True)
class QueueItem:
    """One line of a judge's queue. ``team_name`` is None in a blind round; ``hero`` is the storage name of the
    frozen revision's hero thumbnail (None when it has none); ``sheet_status`` is None until the sheet exists."""

    round_entry: RoundEntry
    code: str
    title: str
    team_name: str | None
    track: Track
    hero: str | None
    sheet_status: str | None
    sheet_version: int | None

    @property
    def round_entry_id(self) -> int:
        return self.round_entry.pk

    @property
    def is_submitted(self) -> bool:
        return self.sheet_status == ScoreSheet.Status.SUBMITTED


def is_organiser(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Organisers are staff: they run every competition."""
    return bool(user.is_authenticated and user.is_staff)


def rounds_judged_by(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Round]:
    """Rounds, open or closed, where ``user`` has an active seat on the panel."""
    if not user.is_authenticated:
        return Round.objects.none()
    return (
        Round.objects.filter(
            status__in=JUDGED_STATUSES,
            panelists__user=user,
            panelists__withdrawn_at__isnull=True,
        )
        .select_related("competition")
        .order_by("competition__submission_deadline", "position")
    )


def judge_entries(user: AbstractBaseUser | AnonymousUser) -> QuerySet[RoundEntry]:
    """Every round entry ``user`` may see as a judge, and nothing else."""
    if not user.is_authenticated:
        return RoundEntry.objects.none()
    assigned = Assignment.objects.filter(round_entry=OuterRef("pk"), judge=user)
    seated = Panelist.objects.filter(round=OuterRef("round"), user=user, withdrawn_at__isnull=True)
    conflicted = Conflict.objects.filter(team=OuterRef("entry__team"), judge=user)
    return RoundEntry.objects.filter(
        Exists(assigned), Exists(seated), ~Exists(conflicted), round__status__in=JUDGED_STATUSES
    )


def round_entry_for_judge(*, user: AbstractBaseUser | AnonymousUser, round_entry_id: int) -> RoundEntry:
    """The round entry with this id if ``user`` may judge it (see the module's docstring); else
    ``RoundEntry.DoesNotExist``."""
    return (
        judge_entries(user)
        .select_related("round__competition", "entry__team", "track", "revision")
        .get(pk=round_entry_id)
    )


def judge_queue(*, user: AbstractBaseUser | AnonymousUser, round: Round) -> list[QueueItem]:
    """The judge's assignments in ``round`` with their sheet's status, in queue order. Two queries, whatever the
    number of entries."""
    sheets = ScoreSheet.objects.filter(round_entry=OuterRef("pk"), judge_id=user.pk)
    round_entries = (
        judge_entries(user)
        .filter(round=round)
        .select_related("entry__team", "track", "revision")
        .annotate(
            sheet_status=Subquery(sheets.values("status")[:1]),
            sheet_version=Subquery(sheets.values("version")[:1]),
        )
        .order_by(*QUEUE_ORDER)
    )
    blind = round.is_blind
    return [
        QueueItem(
            round_entry=round_entry,
            code=round_entry.blind_code,
            title=round_entry.entry.title,
            team_name=None if blind else round_entry.entry.team.name,
            track=round_entry.track,
            hero=(round_entry.revision.artifacts or {}).get("hero"),
            sheet_status=round_entry.sheet_status,
            sheet_version=round_entry.sheet_version,
        )
        for round_entry in round_entries
    ]


def judge_progress(*, user: AbstractBaseUser | AnonymousUser, round: Round) -> tuple[int, int]:
    """(entries the judge has submitted scores for, entries assigned to them) in ``round``: one query."""
    submitted = ScoreSheet.objects.filter(
        round_entry=OuterRef("pk"), judge_id=user.pk, status=ScoreSheet.Status.SUBMITTED
    )
    counts = (
        judge_entries(user)
        .filter(round=round)
        .aggregate(total=Count("pk"), scored=Count("pk", filter=Q(Exists(submitted))))
    )
    return counts["scored"], counts["total"]


def judge_entry_neighbours(
    *, user: AbstractBaseUser | AnonymousUser, round_entry: RoundEntry
) -> tuple[int | None, int | None]:
    """The ids of the entries before and after ``round_entry`` in the judge's queue (None at either end)."""
    ids = list(
        judge_entries(user).filter(round_id=round_entry.round_id).order_by(*QUEUE_ORDER).values_list("pk", flat=True)
    )
    if round_entry.pk not in ids:
        return None, None
    index = ids.index(round_entry.pk)
    return (ids[index - 1] if index > 0 else None), (ids[index + 1] if index + 1 < len(ids) else None)


def rounds_for_organiser() -> QuerySet[Round]:
    """Every round, with counts of criteria, active judges and entries for the organiser's console."""
    return (
        Round.objects.select_related("competition")
        .annotate(
            criterion_count=Count("criteria", distinct=True),
            judge_count=Count("panelists", filter=Q(panelists__withdrawn_at__isnull=True), distinct=True),
            entry_count=Count("round_entries", distinct=True),
        )
        .order_by("-competition__submission_deadline", "competition", "position")
    )


def audit_events(*, competition: Competition | None = None, round: Round | None = None) -> QuerySet[AuditEvent]:
    """The audit log, newest first: of a competition, or of a round (the round itself and every event whose data
    names it, as every judging service writes ``data["round"]``)."""
    events = AuditEvent.objects.select_related("actor__profile", "competition")
    if competition is not None:
        events = events.filter(competition=competition)
    if round is not None:
        events = events.filter(
            Q(target_type="round", target_id=round.pk) | Q(data__round=round.pk), competition_id=round.competition_id
        )
    return events.order_by("-at", "-pk")


def published_results(*, competition: Competition) -> QuerySet[RoundResult]:
    """Ranks and awards of the competition's published rounds (public, blind or not), by round, track and rank."""
    return (
        RoundResult.objects.filter(round__competition=competition, round__status=Round.Status.PUBLISHED)
        .select_related("round", "track", "round_entry__entry__team")
        .order_by("round__position", "track__position", "track__pk", "rank")
    )

"""Judging reads. A judge reaches a round entry only through ``judge_entries``: assigned to them, in a round that
is open, closed or published (then read only), while they sit on its panel, and never an entry of a team they are
in conflict with nor an entry an organiser disqualified. Anything else is ``RoundEntry.DoesNotExist`` (a 404 for
the views), exactly like an id that does not exist.

The files a judge may fetch of an entry they reach are decided here once (``judge_artifact``), for the judge's pages
and the API alike: the four thumbnails the pipeline renders (and a view per camera of the scene) and one 3D model;
in a blind round the model is only ever the copy stripped of identifying metadata.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from competitions.models import (
    Assignment,
    AuditEvent,
    Competition,
    CompetitionOrganiser,
    Conflict,
    Membership,
    Notification,
    Panelist,
    Round,
    RoundEntry,
    RoundResult,
    ScoreSheet,
    Team,
    Track,
)
from competitions.pipeline.scene_camera_names import is_view_name

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# A judge keeps reading their sheets once the results are out; only an open round takes scores.
JUDGED_STATUSES = (Round.Status.OPEN, Round.Status.CLOSED, Round.Status.PUBLISHED)
# A judge's queue: by track, then by entry code (random, so it reveals nothing about teams or upload order).
QUEUE_ORDER = ("track__position", "track__name", "blind_code", "pk")
# The thumbnails a judge may see, in the order the pages and the API show them.
THUMBNAILS = ("hero", "front", "side", "top")
# The name under which a judge fetches the 3D model (never the name of the file it serves).
MODEL = "model"


@dataclass(frozen=True)
class QueueItem:
    """One line of a judge's queue. ``team_name`` is None in a blind round; ``hero`` is the storage name of the
    frozen revision's hero thumbnail (None when it has none); ``sheet_status`` is None until the sheet exists."""

    round_entry_id: int
    code: str
    title: str
    team_name: str | None
    track: Track
    hero: str | None
    sheet_status: str | None
    sheet_version: int | None

    @property
    def round_entry(self) -> RoundEntry:
        """The round entry itself: one query each time (the queue's pages and endpoint never ask)."""
        return RoundEntry.objects.select_related("entry__team").get(pk=self.round_entry_id)

    @property
    def is_submitted(self) -> bool:
        return self.sheet_status == ScoreSheet.Status.SUBMITTED


def judge_artifact(round_entry: RoundEntry, name: str) -> str:
    """The storage name of what ``name`` (a thumbnail or ``MODEL``) serves to the entry's judge; "" when there is
    none, or when ``name`` is nothing a judge may fetch.

    The model of a blind round is only ever the stripped copy; otherwise the browser-ready copy, or the uploaded file
    itself when it is a GLB and no copy was made. Reads ``round_entry.round`` for the model only.
    """
    revision = round_entry.revision
    artifacts = revision.artifacts if isinstance(revision.artifacts, dict) else {}
    if name in THUMBNAILS or is_view_name(name):
        return thumbnail_in(artifacts, name)
    if name != MODEL:
        return ""
    blind = round_entry.round.is_blind
    found = artifacts.get("blind" if blind else "viewer")
    if not found and not blind and revision.file.name.lower().endswith(".glb"):
        found = revision.file.name
    return found if isinstance(found, str) else ""


def thumbnail_in(artifacts: object, name: str) -> str:
    """The storage name of the thumbnail ``name`` (or the view of the entrant's camera ``name``) in a revision's
    ``artifacts``; "" when it has none."""
    shown = name in THUMBNAILS or is_view_name(name)
    found = artifacts.get(name) if isinstance(artifacts, dict) and shown else None
    return found if isinstance(found, str) else ""


def judge_thumbnails(round_entry: RoundEntry) -> list[str]:
    """The names of the thumbnails the entry's judge can see, in ``THUMBNAILS`` order."""
    return [name for name in THUMBNAILS if judge_artifact(round_entry, name)]


def criterion_next_position(round: Round) -> int:
    """Where a criterion added to ``round`` goes: after the last one; the first is number 1."""
    last = round.criteria.aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


def competitions_organised_by(user: User | AnonymousUser) -> QuerySet[Competition]:
    """The competitions ``user`` runs from the organiser console: every one for site staff, else those they were
    made an organiser of; none for anyone else."""
    if not user.is_authenticated:
        return Competition.objects.none()
    if user.is_staff:
        return Competition.objects.all()
    return Competition.objects.filter(organisers__user=user)


def is_organiser(user: User | AnonymousUser) -> bool:
    """Whether ``user`` runs any competition (site staff run all of them)."""
    if not user.is_authenticated:
        return False
    return user.is_staff or CompetitionOrganiser.objects.filter(user=user).exists()


@dataclass(frozen=True)
class MenuRoles:
    """What the site's menu offers a person: the judge panel, and their teams; and the name it shows them by."""

    judges: bool
    organises: bool
    in_a_team: bool
    # The badge on "Notifications".
    unread: int = 0
    # Their profile's display name, else their email (as the ``display_name`` template filter has it).
    name: str = ""

    @property
    def shows_my_teams(self) -> bool:
        """Entrants see "My teams" (empty, it says how to start one); a judge or organiser only once in a team."""
        return self.in_a_team or not (self.judges or self.organises)


def menu_roles(user: User) -> MenuRoles:
    """Whether ``user`` sits on a panel now, organises, is in a team, how many notifications they have not read,
    and their display name: one query."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(count=Count("pk"))
        .values("count")
    )
    flags = (
        User.objects.filter(pk=user.pk)
        .annotate(
            # rounds_judged_by(user), as one cheap EXISTS over the panel
            judges=Exists(
                Panelist.objects.filter(
                    user=OuterRef("pk"), withdrawn_at__isnull=True, round__status__in=JUDGED_STATUSES
                )
            ),
            in_a_team=Exists(Membership.objects.filter(user=OuterRef("pk"))),
            organises=Exists(CompetitionOrganiser.objects.filter(user=OuterRef("pk"))),
            unread=Coalesce(Subquery(unread), 0),
        )
        .values("judges", "in_a_team", "organises", "unread", "profile__display_name")
        .get()
    )
    return MenuRoles(
        judges=flags["judges"],
        organises=user.is_staff or flags["organises"],
        in_a_team=flags["in_a_team"],
        unread=flags["unread"],
        name=flags["profile__display_name"] or user.email or str(user),
    )


def rounds_judged_by(user: User) -> QuerySet[Round]:
    """Rounds, open, closed or published, where ``user`` has an active seat on the panel."""
    return (
        Round.objects.filter(
            status__in=JUDGED_STATUSES,
            panelists__user=user,
            panelists__withdrawn_at__isnull=True,
        )
        .select_related("competition")
        .order_by("competition__submission_deadline", "position")
    )


def judge_entries(user: User) -> QuerySet[RoundEntry]:
    """Every round entry ``user`` may see as a judge, and nothing else."""
    assigned = Assignment.objects.filter(round_entry=OuterRef("pk"), judge=user)
    seated = Panelist.objects.filter(round=OuterRef("round"), user=user, withdrawn_at__isnull=True)
    conflicted = Conflict.objects.filter(team=OuterRef("entry__team"), judge=user)
    return RoundEntry.objects.filter(
        Exists(assigned),
        Exists(seated),
        ~Exists(conflicted),
        round__status__in=JUDGED_STATUSES,
        entry__disqualified_at__isnull=True,
    )


def round_entry_for_judge(*, user: User, round_entry_id: int) -> RoundEntry:
    """The round entry with this id if ``user`` may judge it (see the module's docstring); else
    ``RoundEntry.DoesNotExist``."""
    return with_judge_reads(judge_entries(user)).get(pk=round_entry_id)


def judge_entry_pair(*, user: User, round: Round, round_entry_ids: tuple[int, int]) -> tuple[RoundEntry, RoundEntry]:
    """Two entries of ``round`` that ``user`` compares side by side, in the order of ``round_entry_ids``, read as
    ``round_entry_for_judge`` reads one: one query. Both must be entries ``user`` may judge (see the module's
    docstring) and in ``round``; else ``RoundEntry.DoesNotExist``, as for an id that does not exist."""
    first, second = round_entry_ids
    found = with_judge_reads(judge_entries(user).filter(round=round)).in_bulk([first, second])
    if first == second or first not in found or second not in found:
        raise RoundEntry.DoesNotExist
    return found[first], found[second]


def with_judge_reads(round_entries: QuerySet[RoundEntry]) -> QuerySet[RoundEntry]:
    """``round_entries`` with what a judge's page or endpoint reads of one: its round and competition, entry and
    team, track and revision (less the validation report, which none of them shows)."""
    return round_entries.select_related("round__competition", "entry__team", "track", "revision").defer(
        "revision__report"
    )


def judge_queue(*, user: User, round: Round) -> list[QueueItem]:
    """The judge's assignments in ``round`` with their sheet's status, in queue order. Two queries, whatever the
    number of entries (the rows, then their tracks); the rows are read as values, not model instances, and the
    revisions' report and figures and the entries' descriptions are not read (the queue shows neither)."""
    sheets = ScoreSheet.objects.filter(round_entry=OuterRef("pk"), judge_id=user.pk)
    rows = list(
        judge_entries(user)
        .filter(round=round)
        .annotate(
            sheet_status=Subquery(sheets.values("status")[:1]),
            sheet_version=Subquery(sheets.values("version")[:1]),
        )
        .order_by(*QUEUE_ORDER)
        .values(
            "pk", "blind_code", "track_id", "entry__title", "entry__team__name", "revision__artifacts",
            "sheet_status", "sheet_version",
        )
    )  # fmt: skip
    tracks = Track.objects.in_bulk({row["track_id"] for row in rows})
    blind = round.is_blind
    return [
        QueueItem(
            round_entry_id=row["pk"],
            code=row["blind_code"],
            title=row["entry__title"],
            team_name=None if blind else row["entry__team__name"],
            track=tracks[row["track_id"]],
            hero=thumbnail_in(row["revision__artifacts"], "hero") or None,
            sheet_status=row["sheet_status"],
            sheet_version=row["sheet_version"],
        )
        for row in rows
    ]


def judge_progress(*, user: User, round: Round) -> tuple[int, int]:
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


def judge_queue_around(*, user: User, round_entry_id: int) -> list[int]:
    """The ids of ``user``'s queue, in queue order, in the round of the round entry with this id: one query, the
    only one that checks who may see what; the entry is in the list if and only if ``user`` may judge it."""
    round_id = RoundEntry.objects.filter(pk=round_entry_id).values("round_id")
    return list(
        judge_entries(user).filter(round_id=Subquery(round_id)).order_by(*QUEUE_ORDER).values_list("pk", flat=True)
    )


def judge_entry_neighbours(*, user: User, round_entry: RoundEntry) -> tuple[int | None, int | None]:
    """The ids of the entries before and after ``round_entry`` in the judge's queue (None at either end)."""
    ids = list(
        judge_entries(user).filter(round_id=round_entry.round_id).order_by(*QUEUE_ORDER).values_list("pk", flat=True)
    )
    if round_entry.pk not in ids:
        return None, None
    index = ids.index(round_entry.pk)
    return (ids[index - 1] if index > 0 else None), (ids[index + 1] if index + 1 < len(ids) else None)


def teams_a_judge_may_declare(*, judge: User, round: Round) -> QuerySet[Team]:
    """The teams with an entry in ``round`` that ``judge`` has no conflict with yet, by name: what a judge may
    declare a conflict with where the round shows names anyway (the caller refuses a blind round)."""
    return (
        Team.objects.filter(entries__round_entries__round=round)
        .exclude(conflicts__judge=judge)
        .distinct()
        .order_by("name")
    )


class RoundCounts(TypedDict):
    """What ``rounds_for_organiser`` counts on each round."""

    criterion_count: int
    judge_count: int
    entry_count: int


def rounds_for_organiser(user: User | AnonymousUser) -> "QuerySet[WithAnnotations[Round, RoundCounts]]":
    """The rounds of the competitions ``user`` organises, with counts of criteria, active judges and entries for
    the organiser's console."""
    return (
        Round.objects.filter(competition__in=competitions_organised_by(user))
        .select_related("competition")
        .annotate(
            criterion_count=Count("criteria", distinct=True),
            judge_count=Count("panelists", filter=Q(panelists__withdrawn_at__isnull=True), distinct=True),
            entry_count=Count("round_entries", distinct=True),
        )
        .order_by("-competition__submission_deadline", "competition", "position")
    )


def audit_events(
    *, organiser: User, competition: Competition | None = None, round: Round | None = None
) -> QuerySet[AuditEvent]:
    """The audit log of the competitions ``organiser`` runs, newest first: of one competition, or of a round (the
    round itself and every event whose data names it, as every judging service writes ``data["round"]``)."""
    events = AuditEvent.objects.select_related("actor__profile", "competition").filter(
        competition__in=competitions_organised_by(organiser)
    )
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

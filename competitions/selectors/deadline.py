"""Which file of an entry is judged: the rule, in one place, for opening a round, the entry page and the console.

A revision counts when its last byte reached the server before the team's deadline (``Team.submission_deadline``:
the competition's, or the team's extended one), however long processing takes afterwards. Of an entry's revisions
that arrived in time, the newest one that is ``ready`` is judged. A newer one that arrived in time and is still
being processed (received, validating or rendering, retries included) may still take its place, so the first round
cannot open while there is one (``revisions_still_processing``).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from competitions.models import Competition, Entry, EntryRevision, Round, RoundEntry

Status = EntryRevision.Status


def revisions_in_time(competition: Competition) -> QuerySet[EntryRevision]:
    """The competition's revisions whose last byte arrived before their team's deadline, of entries their team has
    not withdrawn (a withdrawn entry is not submitted: nothing of it is judged, nothing of it holds up a round)."""
    return (
        EntryRevision.objects.filter(entry__track__competition=competition, entry__withdrawn_at__isnull=True)
        .annotate(deadline=Coalesce("entry__team__extended_deadline", "entry__team__competition__submission_deadline"))
        .filter(received_at__lt=F("deadline"))
    )


def _newest_ready_number(in_time: QuerySet[EntryRevision]) -> Subquery:
    newest = in_time.filter(entry_id=OuterRef("entry_id"), status=Status.READY).order_by("-number")
    return Subquery(newest.values("number")[:1])


def judged_revisions(competition: Competition) -> QuerySet[EntryRevision]:
    """Per entry, the newest revision that arrived in time and is ready: what the first round judges."""
    in_time = revisions_in_time(competition)
    return in_time.filter(status=Status.READY, number=_newest_ready_number(in_time))


def revisions_still_processing(competition: Competition) -> QuerySet[EntryRevision]:
    """Revisions that arrived in time and are not finished yet, each newer than its entry's judged revision (so it
    may still replace it). Ordered for showing to an organiser."""
    in_time = revisions_in_time(competition)
    newest_ready = Coalesce(_newest_ready_number(in_time), Value(0))
    return (
        in_time.exclude(status__in=EntryRevision.FINAL_STATUSES)
        .filter(number__gt=newest_ready)
        .select_related("entry__team", "entry__track")
        .order_by("entry__team__name", "entry__title", "number")
    )


def latest_deadline(competition: Competition) -> datetime:
    """The last moment any team of the competition may still upload: the deadline, or the latest extension."""
    extensions = competition.teams.filter(extended_deadline__gt=competition.submission_deadline)
    latest = extensions.order_by("-extended_deadline").values_list("extended_deadline", flat=True).first()
    return latest or competition.submission_deadline


@dataclass(frozen=True)
class JudgedFile:
    """What an entrant is told about the file judges will see.

    ``revision`` is the judged (or, before the deadline, the would-be judged) revision, or None; ``waiting`` are the
    newer revisions that arrived in time and are still being checked; ``frozen`` is true once a round has opened
    with this entry, and ``revision`` is then the one it froze.
    """

    deadline: datetime
    deadline_passed: bool
    revision: EntryRevision | None
    waiting: list[EntryRevision]
    frozen: bool


def judged_file_of(
    entry: Entry, *, revisions: list[EntryRevision] | None = None, now: datetime | None = None
) -> JudgedFile:
    """Which of ``entry``'s revisions is (or, if the deadline passed now, would be) judged.

    Two queries, or one when the caller already holds the entry's ``revisions``.
    """
    now = now or timezone.now()
    deadline = entry.team.submission_deadline
    # Every round judges the revision the first one froze.
    frozen = RoundEntry.objects.filter(entry=entry).select_related("revision").order_by("round__position").first()
    if frozen is not None:
        return JudgedFile(deadline, now >= deadline, frozen.revision, [], True)
    if revisions is None:
        revisions = list(entry.revisions.all())
    in_time = sorted((r for r in revisions if r.received_at < deadline), key=lambda r: r.number)
    ready = [r for r in in_time if r.status == Status.READY]
    judged = ready[-1] if ready else None
    waiting = [r for r in in_time if not r.is_final and (judged is None or r.number > judged.number)]
    return JudgedFile(deadline, now >= deadline, judged, waiting, False)


def still_processing_before_opening(round: Round) -> list[EntryRevision]:
    """What holds up opening ``round``: for a draft first round, the files that arrived in time and are still
    being checked; nothing for any other round."""
    if round.status != Round.Status.DRAFT:
        return []
    if Round.objects.filter(competition_id=round.competition_id, position__lt=round.position).exists():
        return []
    return list(revisions_still_processing(round.competition))

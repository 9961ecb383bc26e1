"""The organiser console's list of a competition's entries: each with its team, track and newest revision, filtered
by track and by where the entry stands, in a fixed number of queries whatever their number."""

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from competitions.models import Competition, Entry, EntryRevision, Team, Track

# The states an organiser filters by, besides the newest revision's status: entries without a file, and entries
# out of the running.
NO_FILE = "none"
DISQUALIFIED = "disqualified"
WITHDRAWN = "withdrawn"


def status_choices() -> list[tuple[str, str]]:
    """What the console's status filter offers: each revision status, then no file, disqualified and withdrawn."""
    return [
        *((value, str(label)) for value, label in EntryRevision.Status.choices),
        (NO_FILE, str(_("No file yet"))),
        (DISQUALIFIED, str(_("Disqualified"))),
        (WITHDRAWN, str(_("Withdrawn"))),
    ]


def entries_for_console(competition: Competition, *, track: Track | None = None, status: str = "") -> QuerySet[Entry]:
    """The competition's entries by team and title, with their team (and its competition, for its deadline) and
    track, annotated with their newest revision (``latest_id``, ``latest_number``, ``latest_status``). ``status`` is
    one of ``status_choices()``; anything else does not filter. One query (plus the paginator's count)."""
    newest = EntryRevision.objects.filter(entry_id=OuterRef("pk")).order_by("-number")
    entries = (
        Entry.objects.filter(track__competition=competition)
        .select_related("team__competition", "track")
        .annotate(
            latest_id=Subquery(newest.values("pk")[:1]),
            latest_number=Subquery(newest.values("number")[:1]),
            latest_status=Subquery(newest.values("status")[:1]),
        )
        .order_by("team__name", "title", "pk")
    )
    if track is not None:
        entries = entries.filter(track=track)
    if status == DISQUALIFIED:
        entries = entries.filter(disqualified_at__isnull=False)
    elif status == WITHDRAWN:
        entries = entries.filter(withdrawn_at__isnull=False)
    elif status == NO_FILE:
        entries = entries.filter(latest_id__isnull=True)
    elif status in EntryRevision.Status.values:
        entries = entries.filter(latest_status=status)
    return entries


def failed_revision_count(competition: Competition) -> int:
    """How many of the competition's revisions failed (what "Re-run all failed" would take)."""
    return EntryRevision.objects.filter(
        entry__track__competition=competition, status=EntryRevision.Status.FAILED
    ).count()


def teams_for_console(competition: Competition) -> QuerySet[Team]:
    """The competition's teams by name, for the console (their own deadline shown beside each)."""
    return Team.objects.filter(competition=competition).order_by("name")

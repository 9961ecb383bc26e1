"""What a competition's organisers take home: three tables (teams and members, entries with their figures and
status, published results), each one function returning a header and rows that ``services.exports`` writes as CSV
or XLSX, and the judged revisions the archive holds. Organisers only: names and email addresses are not hidden.

Cells are typed (text, integers, decimals, None for empty) so that a spreadsheet gets numbers as numbers; the CSV
writer turns them into text.
"""

from collections.abc import Iterator
from decimal import Decimal

from competitions.models import Competition, Entry, EntryRevision, Membership, RoundEntry
from competitions.selectors import deadline
from competitions.selectors.judging import THUMBNAILS, published_results

Cell = str | int | Decimal | None
Row = list[Cell]
TABLES = ("teams", "entries", "results")
STAT_COLUMNS = ("triangles", "vertices", "materials", "textures", "draw_calls")

TEAMS_HEADER = ["team_id", "team", "member", "email", "role", "joined_at"]
ENTRIES_HEADER = [
    "entry_id", "track", "team", "title", "status", "revision", "file", "size_bytes", "sha256", *STAT_COLUMNS,
    "received_at",
]  # fmt: skip
RESULTS_HEADER = ["round", "track", "rank", "entry_id", "title", "team", "score", "award", "advanced"]


def teams_table(competition: Competition) -> Iterator[Row]:
    """The header, then one row per member of each team, by team name, captain first. One query."""
    yield list(TEAMS_HEADER)
    members = (
        Membership.objects.filter(team__competition=competition)
        .select_related("team", "user__profile")
        .order_by("team__name", "team_id", "role", "user__email")  # "captain" sorts before "member"
    )
    for membership in members.iterator(chunk_size=2000):
        user = membership.user
        yield [
            membership.team_id,
            membership.team.name,
            user.profile.display_name,
            user.email,
            membership.role,
            membership.joined_at.isoformat(),
        ]


def entry_status(entry: Entry) -> str:
    """An entry's state in one word: disqualified, withdrawn, or its current revision's status ("none" without)."""
    if entry.disqualified_at is not None:
        return "disqualified"
    if entry.withdrawn_at is not None:
        return "withdrawn"
    return entry.current_revision.status if entry.current_revision else "none"


def entries_table(competition: Competition) -> Iterator[Row]:
    """The header, then one row per entry with its current revision's file, hash and figures, by track, team and
    title. One query."""
    yield list(ENTRIES_HEADER)
    entries = (
        Entry.objects.filter(team__competition=competition)
        .select_related("team", "track", "current_revision")
        .order_by("track__position", "track__name", "team__name", "title", "pk")
    )
    for entry in entries.iterator(chunk_size=2000):
        revision = entry.current_revision
        stats = revision.stats if revision is not None and isinstance(revision.stats, dict) else {}
        yield [
            entry.pk,
            entry.track.name,
            entry.team.name,
            entry.title,
            entry_status(entry),
            revision.number if revision else None,
            revision.original_name if revision else None,
            revision.size if revision else None,
            revision.sha256 if revision else None,
            *(stats.get(name) if isinstance(stats.get(name), int) else None for name in STAT_COLUMNS),
            revision.received_at.isoformat() if revision else None,
        ]


def results_table(competition: Competition) -> Iterator[Row]:
    """The header, then the published results: per published round, track and rank. Two queries."""
    yield list(RESULTS_HEADER)
    results = list(published_results(competition=competition).select_related("round_entry"))
    for result in results:
        yield [
            result.round.display_name,
            result.track.name,
            result.rank,
            result.round_entry.entry_id,
            result.round_entry.entry.title,
            result.round_entry.entry.team.name,
            result.score,
            result.award,
            "yes" if result.round_entry.advanced else "no",
        ]


TABLE_ROWS = {"teams": teams_table, "entries": entries_table, "results": results_table}


def export_filename(competition: Competition, table: str, extension: str) -> str:
    return f"{competition.slug}-{table}.{extension}"


def judged_revisions_to_archive(competition: Competition) -> list[EntryRevision]:
    """Per entry, the revision its judges saw: the one the first round froze (every later round judges the same),
    else, before any round opened, the one that would be judged (``selectors.deadline.judged_revisions``).
    Disqualified and withdrawn entries are left out. By entry id; with entry, team and track. Two queries."""
    frozen: dict[int, int] = {}
    for entry_id, revision_id in (
        RoundEntry.objects.filter(round__competition=competition)
        .order_by("entry_id", "-round__position")
        .values_list("entry_id", "revision_id")
    ):
        frozen[entry_id] = revision_id  # the lowest position comes last and wins
    unfrozen = deadline.judged_revisions(competition).exclude(entry_id__in=frozen).values_list("pk", flat=True)
    return list(
        EntryRevision.objects.filter(pk__in=[*frozen.values(), *unfrozen])
        .filter(entry__disqualified_at__isnull=True, entry__withdrawn_at__isnull=True)
        .select_related("entry__team", "entry__track")
        .order_by("entry_id")
    )


def thumbnails_of(revision: EntryRevision) -> list[tuple[str, str]]:
    """(name, storage name) of each thumbnail the pipeline rendered for ``revision``, in ``THUMBNAILS`` order."""
    artifacts = revision.artifacts if isinstance(revision.artifacts, dict) else {}
    return [(name, artifacts[name]) for name in THUMBNAILS if isinstance(artifacts.get(name), str)]

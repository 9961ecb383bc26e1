"""The organiser console's reads: competitions with their rounds, a round's panel and conflicts, and its assignments
with each judge's load, each track's progress and each entry's judges. The views find the round or competition
among those the person organises (``judging.rounds_for_organiser(user)``, ``competitions_organised_by(user)``)
before calling these, so nothing else here filters by person.

Each read makes a fixed number of queries, whatever the number of judges or entries: the console's pages are
checked for it (``django_assert_max_num_queries`` in their tests).
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Prefetch, Q, QuerySet

from competitions.models import Assignment, Competition, Conflict, Panelist, Round, RoundEntry, ScoreSheet, Team, Track
from competitions.selectors.judge_graph import JudgeGraph, judge_graphs
from competitions.selectors.judging import competitions_organised_by, rounds_for_organiser

ENTRIES_PAGE_SIZE = 50


def competitions_with_rounds(user: User) -> QuerySet[Competition]:
    """The competitions ``user`` organises, the latest deadline first, with their rounds as ``console_rounds``
    (counts included)."""
    return (
        competitions_organised_by(user)
        .order_by("-submission_deadline")
        .prefetch_related(Prefetch("rounds", queryset=rounds_for_organiser(user), to_attr="console_rounds"))
    )


def next_round_position(competition: Competition) -> int:
    """The position a new round of the competition takes: after its last one."""
    return (competition.rounds.aggregate(last=Max("position"))["last"] or 0) + 1


# --- The panel and its conflicts ------------------------------------------------------------------------------


def panelists_of(round: Round) -> QuerySet[Panelist]:
    """The round's judges, withdrawn ones included, with their profiles and tracks."""
    return round.panelists.select_related("user__profile").prefetch_related("tracks")


def panel_users(round: Round, *, active_only: bool = False) -> QuerySet[User]:
    """The users on the round's panel (only those not withdrawn, with ``active_only``), by email."""
    seats = round.panelists.filter(withdrawn_at__isnull=True) if active_only else round.panelists.all()
    return User.objects.filter(pk__in=seats.values("user_id")).select_related("profile").order_by("email")


def conflicts_of_panel(round: Round) -> QuerySet[Conflict]:
    """The conflicts of interest of the round's judges in its competition, by judge and team."""
    return (
        Conflict.objects.filter(competition=round.competition, judge__panel_seats__round=round)
        .select_related("judge__profile", "team")
        .order_by("judge__email", "team__name")
    )


def teams_of_competition(competition: Competition) -> QuerySet[Team]:
    return Team.objects.filter(competition=competition).order_by("name")


# --- Assignments and progress ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class JudgeLoad:
    """A judge of the panel with their number of assignments and of submitted sheets in the round."""

    panelist: Panelist
    assigned: int
    submitted: int


@dataclass(frozen=True)
class JudgeOfEntry:
    assignment: Assignment
    sheet: ScoreSheet | None  # None until the judge's first save


@dataclass(frozen=True)
class EntryJudges:
    """A round entry with its judges and the state of each judge's sheet; ``missing``: judges still to assign."""

    round_entry: RoundEntry
    judges: list[JudgeOfEntry]
    missing: int


@dataclass(frozen=True)
class AssignmentsOverview:
    """What the assignments page shows: every judge's load, each track's progress and a page of the entries."""

    loads: list[JudgeLoad]
    tracks: list[dict[str, Any]]
    page: Page[RoundEntry]
    rows: list[EntryJudges]


def judge_load(round: Round, panelist: Panelist) -> JudgeLoad:
    """One judge's assignments and submitted sheets in the round (what withdrawing them affects)."""
    return JudgeLoad(
        panelist=panelist,
        assigned=round.assignments.filter(judge_id=panelist.user_id).count(),
        submitted=round.sheets.filter(judge_id=panelist.user_id, status=ScoreSheet.Status.SUBMITTED).count(),
    )


def judge_loads(round: Round) -> list[JudgeLoad]:
    """Each judge of the panel with their number of assignments and of submitted sheets."""
    assigned = dict(
        Assignment.objects.filter(round=round).values("judge").annotate(n=Count("pk")).values_list("judge", "n")
    )
    submitted = dict(
        ScoreSheet.objects.filter(round=round, status=ScoreSheet.Status.SUBMITTED)
        .values("judge")
        .annotate(n=Count("pk"))
        .values_list("judge", "n")
    )
    return [
        JudgeLoad(
            panelist=panelist,
            assigned=assigned.get(panelist.user_id, 0),
            submitted=submitted.get(panelist.user_id, 0),
        )
        for panelist in panelists_of(round)
    ]


def track_progress(round: Round) -> list[dict[str, Any]]:
    """Per track: entries, assignments and submitted sheets."""
    entries = round.round_entries.values("track__pk", "track__name", "track__name_zh").annotate(
        entries=Count("pk", distinct=True),
        assigned=Count("assignments", distinct=True),
        submitted=Count("sheets", filter=Q(sheets__status=ScoreSheet.Status.SUBMITTED), distinct=True),
    )
    return sorted(entries, key=lambda row: row["track__name"])


def entry_judges(round: Round, page_number: str | None) -> tuple[Page[RoundEntry], list[EntryJudges]]:
    """A page of the round's entries, each with its judges and the state of each judge's sheet."""
    entries = round.round_entries.select_related("entry__team", "track").prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("judge__profile").order_by("judge__email"))
    )
    page = Paginator(entries, ENTRIES_PAGE_SIZE).get_page(page_number)
    ids = [round_entry.pk for round_entry in page.object_list]
    sheets: dict[tuple[int, int], ScoreSheet] = {
        (sheet.round_entry_id, sheet.judge_id): sheet
        for sheet in ScoreSheet.objects.filter(round_entry_id__in=ids).only(
            "pk", "round_entry_id", "judge_id", "status", "submitted_at"
        )
    }
    rows = []
    for round_entry in page.object_list:
        judges = [
            JudgeOfEntry(assignment=assignment, sheet=sheets.get((round_entry.pk, assignment.judge_id)))
            for assignment in round_entry.assignments.all()
        ]
        rows.append(EntryJudges(round_entry=round_entry, judges=judges, missing=round.judges_per_entry - len(judges)))
    return page, rows


def assignments_overview(round: Round, page_number: str | None) -> AssignmentsOverview:
    page, rows = entry_judges(round, page_number)
    return AssignmentsOverview(loads=judge_loads(round), tracks=track_progress(round), page=page, rows=rows)


def judge_graphs_of(round: Round) -> list[tuple[Track, JudgeGraph]]:
    """Each track's judges' graph (``judge_graph``) from the assignments of the round's entries in the running,
    by track name: what calibration will have to compare the judges with."""
    in_the_running = Assignment.objects.filter(round=round, round_entry__entry__disqualified_at__isnull=True)
    rows = list(in_the_running.values_list("judge_id", "round_entry_id", "round_entry__track_id"))
    graphs = judge_graphs(
        [(judge, entry) for judge, entry, _track in rows], {entry: track for _j, entry, track in rows}
    )
    tracks = Track.objects.in_bulk(graphs)
    return sorted(((tracks[pk], graph) for pk, graph in graphs.items()), key=lambda pair: pair[0].name)


def round_entries_by_code(round: Round) -> QuerySet[RoundEntry]:
    """The round's entries by entry code, with their entry: the choices of a manual assignment (a disqualified
    entry is not one)."""
    in_the_running = round.round_entries.filter(entry__disqualified_at__isnull=True)
    return in_the_running.select_related("entry").order_by("blind_code")


def entry_codes(round: Round, round_entry_ids: list[int]) -> list[str]:
    """The entry codes of these entries of the round, sorted."""
    codes = round.round_entries.filter(pk__in=round_entry_ids).order_by("blind_code")
    return list(codes.values_list("blind_code", flat=True))


def assignments_of(round: Round) -> QuerySet[Assignment]:
    return round.assignments.select_related("judge", "round_entry")


def sheets_of(round: Round) -> QuerySet[ScoreSheet]:
    """The round's score sheets, with their judge and their entry's team."""
    return ScoreSheet.objects.filter(round=round).select_related("judge__profile", "round_entry__entry__team")

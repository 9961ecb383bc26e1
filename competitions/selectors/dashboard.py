"""The organiser's dashboard of one competition: registrations, entries per track and state, the processing queue
and the workers, judging progress per round, track and judge, the next milestone, and the figures behind its charts
(revisions received over time, each judge's totals in a round, and the rank changes between the raw mean and the
normalised order).

The view finds the competition among those the person organises (``competitions_organised_by(user)``) before
calling ``competition_dashboard``. Every figure family is one aggregate query (or reuses a read that is), so the page
costs the same number of queries whatever the number of teams, entries or sheets; only the number of rounds adds
queries (a handful each).
"""

import dataclasses
import hashlib
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, CharField, Count, Max, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.models import (
    Competition,
    Conflict,
    Entry,
    EntryRevision,
    Round,
    RoundEntry,
    ScoreSheet,
    Team,
    Track,
    WorkerHeartbeat,
)
from competitions.selectors.leaderboard import Leaderboard, round_leaderboard
from competitions.selectors.organiser import JudgeLoad, judge_loads, track_progress
from competitions.selectors.scoring import MEAN, NORMALISED, EntryScore, rank_entries
from competitions.selectors.workers import QueueHealth, processing_health

# An entry's state on the dashboard: disqualified or withdrawn first (it is out of judging whatever its files),
# then from its files: a ready file wins (it is what would be judged), then the newest upload decides.
NO_FILE, PROCESSING, READY, REJECTED = "no_file", "processing", "ready", "rejected"
DISQUALIFIED, WITHDRAWN = "disqualified", "withdrawn"
ENTRY_STATES = (NO_FILE, PROCESSING, READY, REJECTED, WITHDRAWN, DISQUALIFIED)
WAITING_STATUSES = (EntryRevision.Status.RECEIVED, EntryRevision.Status.VALIDATING, EntryRevision.Status.RENDERING)
# Submissions over time are counted per hour when submission is open this long or less, per day otherwise.
HOURLY_UP_TO = timedelta(days=3)
# The slope chart of a track shows the entries in the top SLOPE_TOP of either order.
SLOPE_TOP = 10
# How long the score charts' last figures are kept (see ``_round_scores``): a day, so that a dashboard opened after a
# quiet night still shows them at once while a worker brings them up to date.
SCORES_CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class TrackEntries:
    track: Track
    counts: dict[str, int]  # ENTRY_STATES -> entries

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def in_order(self) -> list[int]:
        """The counts in the order of ``ENTRY_STATES``."""
        return [self.counts[state] for state in ENTRY_STATES]


@dataclass(frozen=True)
class Worker:
    heartbeat: WorkerHeartbeat
    alive: bool


@dataclass(frozen=True)
class Processing:
    """This competition's files waiting for a worker, the oldest of them, and the site's queues and workers."""

    waiting: int
    oldest: EntryRevision | None
    queues: list[QueueHealth]
    workers: list[Worker]


@dataclass(frozen=True)
class RoundProgress:
    round: Round
    tracks: list[dict[str, Any]]  # track_progress(round)
    judges: list[JudgeLoad]

    @property
    def assigned(self) -> int:
        return sum(row["assigned"] for row in self.tracks)

    @property
    def submitted(self) -> int:
        return sum(row["submitted"] for row in self.tracks)


@dataclass(frozen=True)
class Milestone:
    label: str
    at: datetime


@dataclass(frozen=True)
class JudgeTotals:
    name: str
    totals: list[float]  # sorted

    @property
    def median(self) -> float:
        return statistics.median(self.totals)


@dataclass(frozen=True)
class RankChange:
    code: str
    raw_rank: int
    normalised_rank: int


@dataclass(frozen=True)
class TrackRankChanges:
    track: Track
    changes: list[RankChange]  # the entries in the top SLOPE_TOP of either order, by normalised rank
    ranked: int
    moved: int  # entries of the track whose rank differs between the two orders


@dataclass(frozen=True)
class RoundScores:
    """The round the score charts are about: each judge's submitted totals and each track's rank changes."""

    round: Round
    low: float
    high: float
    judges: list[JudgeTotals]
    tracks: list[TrackRankChanges]
    computed_at: datetime | None = None
    # True when the figures are from before the round's last change: shown at once, while a worker recomputes them
    # (the view asks it; ``round_scores_refresh``) and the next refresh of the page shows the new ones.
    stale: bool = False


@dataclass
class Dashboard:
    competition: Competition
    now: datetime
    people: int
    teams: int
    tracks: list[TrackEntries]
    processing: Processing
    rounds: list[RoundProgress]
    milestones: list[Milestone]
    submissions: list[tuple[datetime, int]]  # (bucket start, revisions received in it), by time
    bucket: str  # "hour" or "day"
    scores: RoundScores | None
    state_totals: dict[str, int] = field(default_factory=dict)

    @property
    def next_milestone(self) -> Milestone | None:
        return next((m for m in self.milestones if m.at > self.now), None)

    @property
    def entries(self) -> int:
        return sum(self.state_totals.values())

    @property
    def totals_in_order(self) -> list[int]:
        return [self.state_totals.get(state, 0) for state in ENTRY_STATES]

    @property
    def opened_rounds(self) -> list[Round]:
        return [progress.round for progress in self.rounds if progress.round.status != Round.Status.DRAFT]


def competition_dashboard(
    *, competition: Competition, round_id: int | None = None, now: datetime | None = None
) -> Dashboard:
    """Everything the dashboard shows of ``competition``. The score charts are about the
    round ``round_id`` of the competition, or by default its latest round that has opened."""
    now = now or timezone.now()
    rounds = list(Round.objects.filter(competition=competition).select_related("competition").order_by("position"))
    people_and_teams = Team.objects.filter(competition=competition).aggregate(
        teams=Count("pk", distinct=True), people=Count("memberships", distinct=True)
    )
    tracks = entries_by_track_and_state(competition)
    state_totals = {state: sum(t.counts[state] for t in tracks) for state in ENTRY_STATES}
    submissions, bucket = submissions_over_time(competition)
    return Dashboard(
        competition=competition,
        now=now,
        people=people_and_teams["people"],
        teams=people_and_teams["teams"],
        tracks=tracks,
        processing=processing_of(competition, now=now),
        rounds=[RoundProgress(round=r, tracks=track_progress(r), judges=judge_loads(r)) for r in rounds],
        milestones=milestones_of(competition, rounds),
        submissions=submissions,
        bucket=bucket,
        scores=_round_scores(_chosen_round(rounds, round_id)),
        state_totals=state_totals,
    )


def entries_by_track_and_state(competition: Competition) -> list[TrackEntries]:
    """Every track of the competition with its entries counted per state (``ENTRY_STATES``). Two queries."""
    latest = EntryRevision.objects.filter(entry=OuterRef("pk")).order_by("-number").values("status")[:1]
    state = Case(
        When(disqualified_at__isnull=False, then=Value(DISQUALIFIED)),
        When(withdrawn_at__isnull=False, then=Value(WITHDRAWN)),
        When(current_revision__isnull=False, then=Value(READY)),
        When(latest_status__in=WAITING_STATUSES, then=Value(PROCESSING)),
        When(latest_status__isnull=False, then=Value(REJECTED)),  # rejected, or failed
        default=Value(NO_FILE),
        output_field=CharField(),
    )
    rows = (
        Entry.objects.filter(track__competition=competition)
        .order_by()
        .annotate(latest_status=Subquery(latest), state=state)
        .values("track_id", "state")
        .annotate(n=Count("pk"))
        .values_list("track_id", "state", "n")
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ENTRY_STATES, 0))
    for track_id, entry_state, n in rows:
        counts[track_id][entry_state] += n
    tracks = Track.objects.filter(competition=competition).order_by("position", "name", "pk")
    return [TrackEntries(track=track, counts=counts[track.pk]) for track in tracks]


def processing_of(competition: Competition, *, now: datetime) -> Processing:
    """The competition's revisions waiting for a worker and the oldest one; the site's queues (``processing_health``)
    and every worker's heartbeat. Seven queries."""
    waiting = EntryRevision.objects.filter(entry__track__competition=competition, status__in=WAITING_STATUSES)
    oldest = waiting.select_related("entry__team", "entry__track").order_by("received_at", "pk").first()
    dead_after = timedelta(seconds=settings.METASCENE_WORKER_DEAD_AFTER_SECONDS)
    workers = [
        Worker(heartbeat=heartbeat, alive=heartbeat.seen_at >= now - dead_after)
        for heartbeat in WorkerHeartbeat.objects.order_by("name")
    ]
    return Processing(waiting=waiting.count(), oldest=oldest, queues=processing_health(now=now), workers=workers)


def submissions_over_time(competition: Competition) -> tuple[list[tuple[datetime, int]], str]:
    """The revisions received from the opening of submission to the deadline, counted per hour or per day (in the
    competition's time zone), and which. One query."""
    span = competition.submission_deadline - competition.submission_opens_at
    bucket = "hour" if span <= HOURLY_UP_TO else "day"
    rows = (
        EntryRevision.objects.filter(
            entry__track__competition=competition,
            received_at__gte=competition.submission_opens_at,
            received_at__lte=competition.submission_deadline,
        )
        .order_by()
        .annotate(bucket=Trunc("received_at", bucket, tzinfo=competition.zone))
        .values("bucket")
        .annotate(n=Count("pk"))
        .order_by("bucket")
        .values_list("bucket", "n")
    )
    return list(rows), bucket


def milestones_of(competition: Competition, rounds: list[Round]) -> list[Milestone]:
    """The competition's timeline and its rounds' judging windows, by time."""
    milestones = [
        Milestone(_("Submission opens"), competition.submission_opens_at),
        Milestone(_("Submission deadline"), competition.submission_deadline),
        Milestone(_("Judging starts"), competition.judging_starts_at),
        Milestone(_("Judging ends"), competition.judging_ends_at),
        Milestone(_("Results announced"), competition.results_at),
    ]
    for round in rounds:
        if round.status in (Round.Status.DRAFT, Round.Status.OPEN):
            milestones.append(Milestone(_("“%(round)s” closes") % {"round": round.display_name}, round.closes_at))
    return sorted(milestones, key=lambda m: m.at)


def _chosen_round(rounds: list[Round], round_id: int | None) -> Round | None:
    opened = [r for r in rounds if r.status != Round.Status.DRAFT]
    chosen = next((r for r in opened if r.pk == round_id), None)
    return chosen or (opened[-1] if opened else None)


def _scores_key(round: Round) -> str:
    return f"dashboard-scores:{round.pk}"


def _round_scores(round: Round | None) -> RoundScores | None:
    """The score charts' figures: kept from the last time while nothing they depend on has changed (the round's
    sheets, its entries, the competition's conflicts); after a change, the last figures marked ``stale`` (a worker
    brings them up to date: ``round_scores_refresh``); computed here only the first time. The leaderboard of a big
    round is the page's dearest part, and the page asks again every 30 seconds."""
    if round is None:
        return None
    version = _scores_version_key(round)
    kept: tuple[str, RoundScores] | None = cache.get(_scores_key(round))
    if kept is not None:
        kept_version, scores = kept
        return scores if kept_version == version else dataclasses.replace(scores, stale=True)
    return _computed(round, version)


def round_scores_refresh(*, round: Round) -> RoundScores:
    """Compute the round's score figures now and keep them for the dashboard (what a worker does for it)."""
    return _computed(round, _scores_version_key(round))


def _computed(round: Round, version: str) -> RoundScores:
    scores = dataclasses.replace(round_scores(round), computed_at=timezone.now())
    cache.set(_scores_key(round), (version, scores), SCORES_CACHE_SECONDS)
    return scores


def _scores_version_key(round: Round) -> str:
    return hashlib.sha256(scores_version(round).encode()).hexdigest()[:32]


def scores_version(round: Round) -> str:
    """What changes whenever a counted total, an entry of the round or a conflict changes: every save of a sheet
    raises its version and its saved time, every save of an entry its saved time; entries and conflicts are
    counted, and new ones take higher ids. One query."""
    sheets = ScoreSheet.objects.filter(round=OuterRef("pk")).order_by().values("round")
    entries = RoundEntry.objects.filter(round=OuterRef("pk")).order_by().values("round")
    conflicts = Conflict.objects.filter(competition=OuterRef("competition")).order_by().values("competition")
    parts = {
        "sheet_count": sheets.annotate(v=Count("pk")),
        "sheet_versions": sheets.annotate(v=Sum("version")),
        "sheet_saved": sheets.annotate(v=Max("updated_at")),
        "entry_count": entries.annotate(v=Count("pk")),
        "last_entry": entries.annotate(v=Max("pk")),
        "entry_saved": entries.annotate(v=Max("entry__updated_at")),
        "conflict_count": conflicts.annotate(v=Count("pk")),
        "last_conflict": conflicts.annotate(v=Max("pk")),
    }
    row = (
        Round.objects.filter(pk=round.pk)
        .annotate(**{name: Subquery(query.values("v")[:1]) for name, query in parts.items()})
        .values_list(*parts)
        .get()
    )
    return ":".join(str(value) for value in (round.created_at, *row))


def round_scores(round: Round) -> RoundScores:
    """Each judge's totals and each track's rank changes, from the round's leaderboard (five queries)."""
    board = round_leaderboard(round)
    return RoundScores(
        round=round, low=board.low, high=board.high, judges=judge_totals(board), tracks=rank_changes(board)
    )


def judge_totals(board: Leaderboard) -> list[JudgeTotals]:
    """Each judge's submitted totals in the round (conflicts left out, as the leaderboard counts them), by name."""
    names: dict[int, str] = {}
    totals: dict[int, list[float]] = defaultdict(list)
    for track in board.tracks:
        for row in track.rows:
            for judge_total in row.totals:
                names[judge_total.judge_id] = judge_total.judge_name
                totals[judge_total.judge_id].append(judge_total.total)
    return sorted(
        (JudgeTotals(name=names[judge], totals=sorted(values)) for judge, values in totals.items()),
        key=lambda j: j.name.lower(),
    )


def rank_changes(board: Leaderboard, *, top: int = SLOPE_TOP) -> list[TrackRankChanges]:
    """Per track: each ranked entry's rank by the raw mean and by the normalised score (ranked as the leaderboard
    ranks, ties included; an entry a compliance gate leaves unranked is not), for the top ``top`` of either."""
    result = []
    for track in board.tracks:
        scored = [row for row in track.rows if row.mean is not None and row.normalised is not None and not row.gated]
        scores = {
            row.code: EntryScore(
                mean=row.mean or 0.0, normalised=row.normalised or 0.0, trimmed=row.trimmed or 0.0, count=row.submitted
            )
            for row in scored
        }
        order = {code: code for code in scores}
        raw = dict(rank_entries(scores, method=MEAN, order=order))
        normalised = dict(rank_entries(scores, method=NORMALISED, order=order))
        changes = [
            RankChange(code=code, raw_rank=raw[code], normalised_rank=normalised[code])
            for code in sorted(scores, key=lambda c: (normalised[c], raw[c], c))
            if raw[code] <= top or normalised[code] <= top
        ]
        moved = sum(1 for code in scores if raw[code] != normalised[code])
        result.append(TrackRankChanges(track=track.track, changes=changes, ranked=len(scores), moved=moved))
    return result

"""The organisers' view of a round's scores: the leaderboard of every track (each judge's total, every method's score,
the judges' agreement and the judges flagged as outliers) and every score of every submitted sheet, for the CSV
export. Organisers only: judges' names are not hidden.

The arithmetic and its documented rules live in ``competitions.selectors.scoring``.
"""

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, FloatField, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce

from competitions.models import (
    Assignment,
    Competition,
    Conflict,
    Criterion,
    Round,
    RoundEntry,
    Score,
    ScoreSheet,
    Track,
)
from competitions.selectors.calibration import calibrate
from competitions.selectors.compliance import Compliance, budgets_of, revision_compliance
from competitions.selectors.outliers import MIN_SHARED_ENTRIES, judge_evidence
from competitions.selectors.scoring import (
    EntryScore,
    Scale,
    entry_scores,
    kendalls_w,
    rank_entries,
    rubric_weight,
    weighted_totals,
    with_compliance,
)


@dataclass(frozen=True)
class JudgeTotal:
    judge_id: int
    judge_name: str
    total: float
    # In a calibrated round: how many points above the panel's typical judge this judge marks the same work.
    leniency: float | None = None

    @property
    def leniency_text(self) -> str:
        return "" if self.leniency is None else f"{self.leniency:+.1f}"


@dataclass
class LeaderboardRow:
    round_entry: RoundEntry
    code: str
    team_name: str
    title: str
    totals: list[JudgeTotal]
    submitted: int
    assigned: int
    mean: float | None = None
    normalised: float | None = None
    trimmed: float | None = None
    score: float | None = None  # by the round's method
    rank: int | None = None  # None: no submitted sheet yet, or failed a compliance gate
    # In a round whose compliance line is a gate or scored: the judged revision's checks.
    compliance: Compliance | None = None
    judged: float | None = None  # scored compliance: the judges' part of ``score``, before the blend
    gated: bool = False  # failed the round's compliance gate: listed after the ranking, never ranked

    @property
    def failed_checks(self) -> list[str]:
        """The keys of the compliance checks the judged revision fails ("triangles"); empty where not checked."""
        return [check.key for check in self.compliance.failed] if self.compliance else []

    @property
    def moved_text(self) -> str:
        """How far the round's method moved the score from the plain mean, signed ("+0.42"); "" when unscored."""
        return "" if self.score is None or self.mean is None else f"{self.score - self.mean:+.2f}"


@dataclass
class TrackBoard:
    track: Track
    rows: list[LeaderboardRow]
    agreement: float | None  # Kendall's W


@dataclass(frozen=True)
class FlaggedJudge:
    """A judge and the outlier flag's evidence (``selectors.outliers``): ``r`` over ``shared`` entries, the limit
    it was held against (None: too few shared entries to tell)."""

    judge_id: int
    judge_name: str
    correlation: float | None
    shared: int = 0
    limit: float | None = None


@dataclass
class Leaderboard:
    round: Round
    method: str
    low: float
    high: float
    tracks: list[TrackBoard] = field(default_factory=list)
    flagged: list[FlaggedJudge] = field(default_factory=list)
    # Judges sharing fewer than ``min_shared`` entries with the panel: the flag cannot tell.
    undecided: list[FlaggedJudge] = field(default_factory=list)
    min_shared: int = MIN_SHARED_ENTRIES
    compliance: str = Round.Compliance.INFORMATION
    compliance_weight: float = 0.0
    rubric_weight: float = 0.0  # W_r of the scored compliance blend (``scoring.with_compliance``)


def _scales(criteria: list[Criterion]) -> dict[int, Scale]:
    return {c.pk: Scale(weight=float(c.weight), low=float(c.scale_min), high=float(c.scale_max)) for c in criteria}


def _rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` query as the database driver returns them: Django's per-value converters cost
    more than the leaderboard's arithmetic on tens of thousands of scores (the query asks for ids and floats,
    which need none)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _counted_totals(
    round: Round, criteria: list[Criterion], team_of: Mapping[int, int]
) -> dict[tuple[int, int], float]:
    """(judge id, round entry id) -> weighted total, for the submitted sheets of judges without a conflict with the
    entry's team, in the order the database returns the scores (a criterion left empty, only possible if the rubric
    changed, is left out of that total). ``team_of`` maps the counted round entries to their teams."""
    scales = _scales(criteria)
    if not scales or not team_of:
        return {}
    conflicts = list(Conflict.objects.filter(competition=round.competition_id).values_list("judge_id", "team_id"))
    # An explicit (empty) order: Score's default ordering, followed through the sheet and its round entry, makes
    # Django stop with "Infinite loop caused by ordering". The value as a float straight from the database:
    # converting tens of thousands of Decimals cost more than the arithmetic itself.
    rows = _rows(
        Score.objects.filter(sheet__round=round, sheet__status=ScoreSheet.Status.SUBMITTED)
        .order_by()
        .annotate(number=Cast("value", FloatField()))
        .values_list("sheet__judge_id", "sheet__round_entry_id", "criterion_id", "number")
    )
    if not rows:
        return {}
    table = np.array(rows, dtype=float)  # an empty value becomes NaN
    judge, round_entry, criterion = table[:, :3].astype(np.int64).T
    value = table[:, 3]
    keep = _counted(judge, round_entry, team_of, conflicts) & np.isin(criterion, list(scales)) & ~np.isnan(value)
    pairs, values = _by_pair(judge[keep], round_entry[keep], criterion[keep], value[keep], rubric=list(scales))
    first = next(iter(scales.values()))
    totals = weighted_totals(values, list(scales.values()), low=first.low, high=first.high)
    return dict(zip(pairs, totals.tolist(), strict=True))


def _counted(
    judge: np.ndarray, round_entry: np.ndarray, team_of: Mapping[int, int], conflicts: list[tuple[int, int]]
) -> np.ndarray:
    """Which scores count: those for a round entry of ``team_of`` (not a disqualified entry's: kept, but not
    counted) by a judge without a conflict with its team."""
    counted_entries = np.array(sorted(team_of), np.int64)
    at = np.searchsorted(counted_entries, round_entry).clip(max=len(counted_entries) - 1)
    counted = counted_entries[at] == round_entry
    if conflicts:
        team = np.array([team_of[pk] for pk in sorted(team_of)], np.int64)[at]
        width = max(int(team.max()), *(t for _j, t in conflicts)) + 1
        counted &= ~np.isin(judge * width + team, [j * width + t for j, t in conflicts])
    return counted


def _by_pair(
    judge: np.ndarray, round_entry: np.ndarray, criterion: np.ndarray, value: np.ndarray, *, rubric: list[int]
) -> tuple[list[tuple[int, int]], np.ndarray]:
    """The (judge, round entry) pairs in the order of their first score, and their values: a row per pair, a
    column per criterion of ``rubric`` (in its order), NaN where the pair has no value."""
    width = int(round_entry.max(initial=0)) + 1
    keys, first, pair_of = np.unique(judge * width + round_entry, return_index=True, return_inverse=True)
    by_first = np.argsort(first)
    row = np.empty_like(by_first)
    row[by_first] = np.arange(len(by_first))
    by_pk = np.argsort(rubric)
    values = np.full((len(keys), len(rubric)), np.nan)
    values[row[pair_of], by_pk[np.searchsorted(rubric, criterion, sorter=by_pk)]] = value
    keys = keys[by_first]
    return list(zip((keys // width).tolist(), (keys % width).tolist(), strict=True)), values


def _judge_names(judge_ids: set[int]) -> dict[int, str]:
    users = get_user_model().objects.filter(pk__in=judge_ids).values_list("pk", "email", "profile__display_name")
    return {pk: name or email for pk, email, name in users}


def _assigned() -> Subquery:
    """How many judges are assigned to the round entry of the outer query."""
    per_entry = Assignment.objects.filter(round_entry=OuterRef("pk")).order_by().values("round_entry")
    return Subquery(per_entry.annotate(count=Count("pk")).values("count"), output_field=IntegerField())


def round_leaderboard(round: Round) -> Leaderboard:
    """Every track's entries ranked by the round's method, with each judge's total, every method's score, the
    judges' agreement (Kendall's W) per track and the outlier flag's evidence per judge. Disqualified entries are
    left out (neither listed nor ranked), so publishing never ranks them. The compliance line (``Round.compliance``):
    as a gate, an entry whose judged revision fails a check is listed after the ranking, unranked; scored, the share
    of checks passed is blended into every method's score (``scoring.with_compliance``). Five queries (six with a
    gate or scored compliance), whatever the size of the round."""
    criteria = list(round.criteria.all())
    low, high = (float(criteria[0].scale_min), float(criteria[0].scale_max)) if criteria else (0.0, 10.0)
    checked = round.compliance != Round.Compliance.INFORMATION
    related = ["entry__team", "track", "revision"] if checked else ["entry__team", "track"]
    round_entries = {
        re.pk: re
        for re in RoundEntry.objects.filter(round=round, entry__disqualified_at__isnull=True)
        .select_related(*related)
        .annotate(assigned=Coalesce(_assigned(), 0))
        .order_by("blind_code")
    }
    totals = _counted_totals(round, criteria, {pk: re.entry.team_id for pk, re in round_entries.items()})
    names = _judge_names({judge for judge, _re in totals})
    calibration = calibrate(totals, low=low, high=high)
    scores = entry_scores(totals, low=low, high=high, calibration=calibration)
    board = Leaderboard(round=round, method=round.method, low=low, high=high, compliance=round.compliance)
    compliance: dict[int, Compliance] = {}
    if checked:
        budgets = budgets_of(Competition.objects.get(pk=round.competition_id))
        compliance = {pk: revision_compliance(re.revision, budgets) for pk, re in round_entries.items()}
        board.compliance_weight = float(round.compliance_weight)
        board.rubric_weight = rubric_weight([float(c.weight) for c in criteria])
    judged = dict(scores)
    if round.compliance == Round.Compliance.SCORED:
        scores = {
            pk: with_compliance(score, share=compliance[pk].share, rubric=board.rubric_weight,
                                weight=board.compliance_weight, low=low, high=high)
            for pk, score in scores.items()
        }  # fmt: skip
    gated = {pk for pk, c in compliance.items() if not c.passed} if round.compliance == Round.Compliance.GATE else set()
    # Why calibration moved an entry: its judges' estimated leniency, shown beside their totals.
    lenient = calibration.judges if round.method == Round.Method.CALIBRATED else {}
    per_entry: dict[int, list[JudgeTotal]] = defaultdict(list)
    for (judge, re_id), total in sorted(totals.items()):
        leniency = lenient[judge].offset if judge in lenient else None
        per_entry[re_id].append(JudgeTotal(judge, names.get(judge, ""), total, leniency=leniency))
    per_track: dict[int, dict[tuple[int, int], float]] = defaultdict(dict)
    for pair, total in totals.items():
        per_track[round_entries[pair[1]].track_id][pair] = total

    by_track: dict[int, list[RoundEntry]] = defaultdict(list)
    for re in round_entries.values():
        by_track[re.track_id].append(re)
    tracks = sorted(
        {re.track_id: re.track for re in round_entries.values()}.values(), key=lambda t: (t.position, t.name, t.pk)
    )
    for track in tracks:
        members = by_track[track.pk]
        codes = {re.pk: re.blind_code for re in members}
        ranked: list[tuple[int, int | None]] = []
        ranked += rank_entries(
            {re.pk: scores[re.pk] for re in members if re.pk in scores and re.pk not in gated},
            method=round.method,
            order=codes,
        )
        ranked += [(re.pk, None) for re in members if re.pk in scores and re.pk in gated]  # already by code
        rows = [
            _row(round_entries[re_id], per_entry[re_id], scores[re_id], method=round.method, rank=rank)
            for re_id, rank in ranked
        ]
        rows += [_row(re, []) for re in members if re.pk not in scores]  # already by code
        for row in rows:
            pk = row.round_entry.pk
            row.compliance, row.gated = compliance.get(pk), pk in gated
            if round.compliance == Round.Compliance.SCORED and pk in judged:
                row.judged = judged[pk].by(round.method)
        board.tracks.append(TrackBoard(track=track, rows=rows, agreement=kendalls_w(per_track[track.pk])))
    for evidence in judge_evidence(totals):
        shown = FlaggedJudge(evidence.judge, names.get(evidence.judge, ""), evidence.correlation,
                             shared=evidence.shared, limit=evidence.limit)  # fmt: skip
        if evidence.flagged:
            board.flagged.append(shown)
        elif not evidence.enough:
            board.undecided.append(shown)
    return board


def _row(
    re: RoundEntry,
    totals: list[JudgeTotal],
    score: EntryScore | None = None,
    *,
    method: str = "",
    rank: int | None = None,
) -> LeaderboardRow:
    """A row of the leaderboard; without ``score`` (no submitted sheet yet), unscored and unranked."""
    row = LeaderboardRow(
        round_entry=re,
        code=re.blind_code,
        team_name=re.entry.team.name,
        title=re.entry.title,
        totals=totals,
        submitted=len(totals),
        assigned=getattr(re, "assigned", 0),
        rank=rank,
    )
    if score is not None:
        row.mean, row.normalised, row.trimmed, row.score = score.mean, score.normalised, score.trimmed, score.by(method)
    return row


CSV_HEADER = [
    "track", "entry_code", "team", "title", "judge", "criterion", "weight", "value", "comment", "sha256",
    "submitted_at",
]  # fmt: skip


def scores_csv(round: Round) -> Iterator[list[str]]:
    """The header, then one row per score of every submitted sheet of the round (organisers only: names are not
    hidden), by track, entry code, judge and criterion. Streams from one query."""
    yield list(CSV_HEADER)
    scores = (
        Score.objects.filter(sheet__round=round, sheet__status=ScoreSheet.Status.SUBMITTED)
        .select_related("criterion", "sheet__judge", "sheet__round_entry__track", "sheet__round_entry__entry__team")
        .order_by("sheet__round_entry__track__position", "sheet__round_entry__blind_code", "sheet__judge__email",
                  "criterion__position", "criterion_id")
    )  # fmt: skip
    for score in scores.iterator(chunk_size=2000):
        sheet, re = score.sheet, score.sheet.round_entry
        yield [
            re.track.name,
            re.blind_code,
            re.entry.team.name,
            re.entry.title,
            sheet.judge.email,
            score.criterion.name,
            str(score.criterion.weight),
            "" if score.value is None else str(score.value),
            score.comment,
            sheet.sha256,
            sheet.submitted_at.isoformat() if sheet.submitted_at else "",
        ]


def scores_csv_filename(round: Round) -> str:
    return f"{round.competition.slug}-{round.position}-scores.csv"

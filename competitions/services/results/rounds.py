"""A round's results from the database: the organisers' leaderboard, publication (a ``RoundResult`` snapshot,
awards and advancement), the manual shortlist, the CSV export of every score, and a team's own results.

The arithmetic and its documented rules live in ``competitions.services.results.scoring``.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.exceptions import RuleError
from competitions.models import (
    Conflict,
    Criterion,
    Round,
    RoundEntry,
    RoundResult,
    Score,
    ScoreSheet,
    Team,
    Track,
)
from competitions.services.audit import record
from competitions.services.csv_export import csv_lines
from competitions.services.results.scoring import (
    Scale,
    entry_scores,
    kendalls_w,
    outlier_judges,
    rank_entries,
    to_decimal,
    weighted_total,
)

PRIZES = {1: RoundResult.Award.FIRST, 2: RoundResult.Award.SECOND, 3: RoundResult.Award.THIRD}


@dataclass(frozen=True)
class JudgeTotal:
    judge_id: int
    judge_name: str
    total: float


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
    rank: int | None = None  # None: no submitted sheet yet


@dataclass
class TrackBoard:
    track: Track
    rows: list[LeaderboardRow]
    agreement: float | None  # Kendall's W


@dataclass(frozen=True)
class FlaggedJudge:
    judge_id: int
    judge_name: str
    correlation: float


@dataclass
class Leaderboard:
    round: Round
    method: str
    low: float
    high: float
    tracks: list[TrackBoard] = field(default_factory=list)
    flagged: list[FlaggedJudge] = field(default_factory=list)


def _scales(criteria: list[Criterion]) -> dict[int, Scale]:
    return {c.pk: Scale(weight=float(c.weight), low=float(c.scale_min), high=float(c.scale_max)) for c in criteria}


def _counted_totals(
    round: Round, criteria: list[Criterion], round_entries: dict[int, RoundEntry]
) -> dict[tuple[int, int], float]:
    """(judge id, round entry id) -> weighted total, for the submitted sheets of judges without a conflict with the
    entry's team. A criterion left empty (only possible if the rubric changed) is left out of that total."""
    scales = _scales(criteria)
    conflicts = set(Conflict.objects.filter(competition=round.competition_id).values_list("judge_id", "team_id"))
    values: dict[tuple[int, int], dict[int, float]] = defaultdict(dict)
    # An explicit (empty) order: Score's default ordering, followed through the sheet and its round entry, makes
    # Django stop with "Infinite loop caused by ordering".
    rows = (
        Score.objects.filter(sheet__round=round, sheet__status=ScoreSheet.Status.SUBMITTED)
        .order_by()
        .values_list("sheet__judge_id", "sheet__round_entry_id", "criterion_id", "value")
    )
    for judge, round_entry, criterion, value in rows:
        team = round_entries[round_entry].entry.team_id
        if value is not None and criterion in scales and (judge, team) not in conflicts:
            values[(judge, round_entry)][criterion] = float(value)
    first = next(iter(scales.values()), None)
    if first is None:
        return {}
    totals = {}
    for pair, by_criterion in values.items():
        used = [c for c in scales if c in by_criterion]  # rubric order
        totals[pair] = weighted_total(
            [by_criterion[c] for c in used], [scales[c] for c in used], low=first.low, high=first.high
        )
    return totals


def _judge_names(judge_ids: set[int]) -> dict[int, str]:
    users = get_user_model().objects.filter(pk__in=judge_ids).values_list("pk", "email", "profile__display_name")
    return {pk: name or email for pk, email, name in users}


def round_leaderboard(round: Round) -> Leaderboard:
    """Every track's entries ranked by the round's method, with each judge's total, every method's score, the
    judges' agreement (Kendall's W) per track and the judges flagged as outliers. Five queries, whatever the size
    of the round."""
    criteria = list(round.criteria.all())
    low, high = (float(criteria[0].scale_min), float(criteria[0].scale_max)) if criteria else (0.0, 10.0)
    round_entries = {
        re.pk: re
        for re in RoundEntry.objects.filter(round=round)
        .select_related("entry__team", "track")
        .annotate(assigned=Count("assignments"))
        .order_by("blind_code")
    }
    totals = _counted_totals(round, criteria, round_entries)
    names = _judge_names({judge for judge, _re in totals})
    scores = entry_scores(totals, low=low, high=high)
    per_entry: dict[int, list[JudgeTotal]] = defaultdict(list)
    for (judge, re_id), total in sorted(totals.items()):
        per_entry[re_id].append(JudgeTotal(judge_id=judge, judge_name=names.get(judge, ""), total=total))

    board = Leaderboard(round=round, method=round.method, low=low, high=high)
    by_track: dict[int, list[RoundEntry]] = defaultdict(list)
    for re in round_entries.values():
        by_track[re.track_id].append(re)
    tracks = sorted({re.track for re in round_entries.values()}, key=lambda t: (t.position, t.name, t.pk))
    for track in tracks:
        members = by_track[track.pk]
        codes = {re.pk: re.blind_code for re in members}
        ranked = rank_entries(
            {re.pk: scores[re.pk] for re in members if re.pk in scores}, method=round.method, order=codes
        )
        rows = []
        for re_id, rank in ranked:
            s = scores[re_id]
            rows.append(
                _row(round_entries[re_id], per_entry[re_id], mean=s.mean, normalised=s.normalised, trimmed=s.trimmed,
                     score=s.by(round.method), rank=rank)
            )  # fmt: skip
        rows += [_row(re, []) for re in sorted(members, key=lambda r: r.blind_code) if re.pk not in scores]
        track_totals = {pair: t for pair, t in totals.items() if pair[1] in codes}
        board.tracks.append(TrackBoard(track=track, rows=rows, agreement=kendalls_w(track_totals)))
    board.flagged = [
        FlaggedJudge(judge_id=judge, judge_name=names.get(judge, ""), correlation=r)
        for judge, r in sorted(outlier_judges(totals).items(), key=lambda item: item[1])
    ]
    return board


def _row(re: RoundEntry, totals: list[JudgeTotal], **scores: float | int) -> LeaderboardRow:
    return LeaderboardRow(
        round_entry=re,
        code=re.blind_code,
        team_name=re.entry.team.name,
        title=re.entry.title,
        totals=totals,
        submitted=len(totals),
        assigned=getattr(re, "assigned", 0),
        **scores,  # type: ignore[arg-type]
    )


def round_publish(*, round: Round, actor: AbstractBaseUser | None) -> Round:
    """Publish an open or closed round: a ``RoundResult`` per ranked entry (rank, score by the round's method,
    award: first/second/third by rank, then honourable mentions for the next ``honourable_mentions`` ranks),
    ``advanced`` set on the top ``advance_count`` ranks of each track when advancement is top N (a manual shortlist
    is left as it is), status published. One transaction with the round locked; audited ("round.published")."""
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if round.status not in (Round.Status.OPEN, Round.Status.CLOSED):
            raise RuleError(_("Only an open or closed round can be published."), code="not_publishable")
        board = round_leaderboard(round)
        results, advancing = [], []
        for track_board in board.tracks:
            for row in track_board.rows:
                if row.rank is None or row.score is None:
                    continue
                if row.rank in PRIZES:
                    award = PRIZES[row.rank]
                elif row.rank <= 3 + round.honourable_mentions:
                    award = RoundResult.Award.HONOURABLE
                else:
                    award = RoundResult.Award.NONE
                results.append(
                    RoundResult(round=round, round_entry=row.round_entry, track=track_board.track, rank=row.rank,
                                score=to_decimal(row.score), award=award)
                )  # fmt: skip
                if row.rank <= round.advance_count:
                    advancing.append(row.round_entry.pk)
        RoundResult.objects.filter(round=round).delete()
        RoundResult.objects.bulk_create(results)
        if round.advancement == Round.Advancement.TOP_N:
            RoundEntry.objects.filter(round=round).update(advanced=False)
            RoundEntry.objects.filter(pk__in=advancing).update(advanced=True)
        round.status = Round.Status.PUBLISHED
        round.published_at = timezone.now()
        round.save(update_fields=["status", "published_at"])
        record(
            competition=round.competition,
            actor=actor,
            action="round.published",
            target=round,
            data={
                "round": round.pk,
                "method": round.method,
                "results": len(results),
                "advanced": RoundEntry.objects.filter(round=round, advanced=True).count(),
            },
        )
    return round


def shortlist_set(*, round: Round, round_entry_ids: list[int], actor: AbstractBaseUser | None) -> list[int]:
    """Choose by hand the entries that advance from a round (advancement "manual"): exactly ``round_entry_ids``
    are marked advanced. Refused for a draft round, for top-N advancement ("not_manual") and for ids of another
    round ("not_in_round"). Audited ("round.shortlist"). Returns the ids, sorted."""
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if round.advancement != Round.Advancement.MANUAL:
            raise RuleError(_("This round advances the top entries of each track, not a shortlist."), code="not_manual")
        if round.status == Round.Status.DRAFT:
            raise RuleError(_("The round has not opened yet."), code="round_draft")
        wanted = sorted(set(round_entry_ids))
        if RoundEntry.objects.filter(round=round, pk__in=wanted).count() != len(wanted):
            raise RuleError(_("Some of these entries are not part of the round."), code="not_in_round")
        RoundEntry.objects.filter(round=round).exclude(pk__in=wanted).update(advanced=False)
        RoundEntry.objects.filter(round=round, pk__in=wanted).update(advanced=True)
        record(
            competition=round.competition,
            actor=actor,
            action="round.shortlist",
            target=round,
            data={"round": round.pk, "round_entries": wanted},
        )
    return wanted


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


def scores_csv_lines(round: Round) -> Iterator[str]:
    """``scores_csv`` as the lines of a CSV file for a streaming download, safe to open in a spreadsheet."""
    return csv_lines(scores_csv(round))


def scores_csv_filename(round: Round) -> str:
    return f"{round.competition.slug}-{round.position}-scores.csv"


@dataclass(frozen=True)
class JudgeFeedback:
    label: str  # "Judge 1", "Judge 2"...: never the judge's name
    comment: str
    criteria: list[tuple[str, str]]  # (criterion name, comment) where the judge wrote one


@dataclass(frozen=True)
class TeamResult:
    round: Round
    round_entry: RoundEntry
    rank: int
    award: str
    score: str
    feedback: list[JudgeFeedback]


def team_results(team: Team) -> list[TeamResult]:
    """The team's results in published rounds (rank, award, score) with its judges' comments, anonymised as
    "Judge 1..n" per entry (in the order the sheets were created). Only submitted sheets of judges without a
    conflict count. Five queries."""
    results = list(
        RoundResult.objects.filter(round_entry__entry__team=team, round__status=Round.Status.PUBLISHED)
        .select_related("round", "round_entry__entry", "round_entry__track", "track")
        .order_by("round__position", "track__position")
    )
    conflicted = set(Conflict.objects.filter(team=team).values_list("judge_id", flat=True))
    sheets = (
        ScoreSheet.objects.filter(
            round_entry__in=[r.round_entry_id for r in results], status=ScoreSheet.Status.SUBMITTED
        )
        .exclude(judge_id__in=conflicted)
        .prefetch_related(
            Prefetch(
                "scores", Score.objects.select_related("criterion").order_by("criterion__position", "criterion_id")
            )
        )
        .order_by("round_entry", "pk")
    )
    by_entry: dict[int, list[ScoreSheet]] = defaultdict(list)
    for sheet in sheets:
        by_entry[sheet.round_entry_id].append(sheet)
    return [
        TeamResult(
            round=result.round,
            round_entry=result.round_entry,
            rank=result.rank,
            award=result.award,
            score=str(result.score),
            feedback=[
                JudgeFeedback(
                    label=_("Judge %(number)d") % {"number": number},
                    comment=sheet.comment,
                    criteria=[(s.criterion.display_name, s.comment) for s in sheet.scores.all() if s.comment],
                )
                for number, sheet in enumerate(by_entry[result.round_entry_id], start=1)
            ],
        )
        for result in results
    ]

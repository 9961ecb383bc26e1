"""Published results, for everyone and for each team: whether a competition has any, its results round by round,
and a team's own results with its judges' comments, anonymised."""

from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from competitions.models import Competition, Conflict, Round, RoundEntry, RoundResult, Score, ScoreSheet, Team, Track
from competitions.selectors.judging import published_results


def results_published(competition: Competition) -> bool:
    """Whether a round of the competition has published its results (one query)."""
    return Round.objects.filter(competition=competition, status=Round.Status.PUBLISHED).exists()


@dataclass(frozen=True)
class TrackResults:
    track: Track
    results: list[RoundResult]


@dataclass(frozen=True)
class RoundResults:
    round: Round
    tracks: list[TrackResults]


def results_by_round(competition: Competition) -> list[RoundResults]:
    """The results of the competition's published rounds, last round first, tracks in order, by rank."""
    rounds = []
    for round, in_round in groupby(published_results(competition=competition), key=lambda r: r.round):
        tracks = [TrackResults(track, list(results)) for track, results in groupby(in_round, key=lambda r: r.track)]
        rounds.append(RoundResults(round, tracks))
    return rounds[::-1]


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

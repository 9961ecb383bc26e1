"""Published results, for everyone and for each team: whether a competition has any, its results round by round,
and a team's own results with its judges' comments, anonymised."""

from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from competitions.models import Competition, Conflict, Round, RoundEntry, RoundResult, Score, ScoreSheet, Team, Track
from competitions.selectors.compliance import budgets_of, revision_compliance
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
    rank: int | None  # None: not ranked, see ``not_ranked``
    award: str
    score: str
    feedback: list[JudgeFeedback]
    # In a round whose compliance line is a gate: the checks the judged revision fails ("Triangles, File size").
    not_ranked: str = ""


def _gated(team: Team, ranked: list[RoundResult]) -> list[tuple[RoundEntry, str]]:
    """The team's entries in published rounds with a compliance gate that have no result because their judged
    revision fails a check (the competition's budgets as they are now), with the failed checks. One query."""
    round_entries = (
        RoundEntry.objects.filter(
            entry__team=team,
            entry__disqualified_at__isnull=True,
            round__status=Round.Status.PUBLISHED,
            round__compliance=Round.Compliance.GATE,
        )
        .exclude(pk__in=[r.round_entry_id for r in ranked])
        .select_related("round__competition", "entry", "track", "revision")
    )
    gated = []
    for round_entry in round_entries:
        compliance = revision_compliance(round_entry.revision, budgets_of(round_entry.round.competition))
        if not compliance.passed:
            gated.append((round_entry, compliance.failed_text))
    return gated


def team_results(team: Team) -> list[TeamResult]:
    """The team's results in published rounds (rank, award, score) with its judges' comments, anonymised as
    "Judge 1..n" per entry (in the order the sheets were created). Only submitted sheets of judges without a
    conflict count. An entry a compliance gate left unranked comes with the checks it fails (``not_ranked``). Six
    queries."""
    results = list(
        RoundResult.objects.filter(round_entry__entry__team=team, round__status=Round.Status.PUBLISHED)
        .select_related("round", "round_entry__entry", "round_entry__track", "track")
        .order_by("round__position", "track__position")
    )
    gated = _gated(team, results)
    conflicted = set(Conflict.objects.filter(team=team).values_list("judge_id", flat=True))
    sheets = (
        ScoreSheet.objects.filter(
            round_entry__in=[r.round_entry_id for r in results] + [re.pk for re, _checks in gated],
            status=ScoreSheet.Status.SUBMITTED,
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

    def feedback(round_entry_id: int) -> list[JudgeFeedback]:
        return [
            JudgeFeedback(
                label=_("Judge %(number)d") % {"number": number},
                comment=sheet.comment,
                criteria=[(s.criterion.display_name, s.comment) for s in sheet.scores.all() if s.comment],
            )
            for number, sheet in enumerate(by_entry[round_entry_id], start=1)
        ]

    shown = [
        TeamResult(
            round=result.round,
            round_entry=result.round_entry,
            rank=result.rank,
            award=result.award,
            score=str(result.score),
            feedback=feedback(result.round_entry_id),
        )
        for result in results
    ]
    shown += [
        TeamResult(round=re.round, round_entry=re, rank=None, award="", score="", feedback=feedback(re.pk),
                   not_ranked=checks)
        for re, checks in gated
    ]  # fmt: skip
    return sorted(shown, key=lambda r: (r.round.position, r.round_entry.track.position, r.rank is None))

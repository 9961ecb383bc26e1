"""What publishing a round would do, read before it is done: the sheets still missing (the guard on closing), the
results a publication would write (ranks from ``selectors.leaderboard``, awards from each track's rules by
``selectors.scoring.awards_by_rank``) and the public results page as it would look with them."""

from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Exists, OuterRef

from competitions.models import Assignment, Round, RoundResult, ScoreSheet
from competitions.selectors.leaderboard import round_leaderboard
from competitions.selectors.results import RoundResults, TrackResults, results_by_round
from competitions.selectors.scoring import AwardRules, awards_by_rank, to_decimal

AWARD_FIELDS = ("prizes", "honourable_mentions", "min_entries_for_first_prize")


def missing_sheets(round: Round) -> int:
    """How many assignments of ``round`` have no submitted sheet (a draft, or nothing yet); those of a disqualified
    entry are not missing (it is not judged). One query."""
    submitted = ScoreSheet.objects.filter(
        round_id=OuterRef("round_id"),
        judge_id=OuterRef("judge_id"),
        round_entry_id=OuterRef("round_entry_id"),
        status=ScoreSheet.Status.SUBMITTED,
    )
    assignments = Assignment.objects.filter(round=round, round_entry__entry__disqualified_at__isnull=True)
    return assignments.exclude(Exists(submitted)).count()


@dataclass(frozen=True)
class Publication:
    """What publishing ``round`` now writes: a result per ranked entry (not saved), the round entries in the
    top ``advance_count`` ranks of their track, and those a compliance gate leaves unranked, with the keys of the
    checks they fail."""

    results: list[RoundResult]
    advancing: list[int]
    not_ranked: dict[int, list[str]] = field(default_factory=dict)


def publication_of(round: Round) -> Publication:
    """The results publishing ``round`` would write now: every ranked entry of each track with its rank, its score
    by the round's method and the award its track's settings give its rank; entries without a score, and those a
    compliance gate leaves unranked, are left out.
    The round entries come with their entry and team, for the public page."""
    results, advancing, not_ranked = [], [], {}
    for track_board in round_leaderboard(round).tracks:
        track = track_board.track
        for row in track_board.rows:
            if row.gated and row.compliance is not None:
                not_ranked[row.round_entry.pk] = [check.key for check in row.compliance.failed]
        ranked = [(row.round_entry, row.rank, row.score) for row in track_board.rows
                  if row.rank is not None and row.score is not None]  # fmt: skip
        rules = AwardRules(**{name: getattr(track, name) for name in AWARD_FIELDS})
        awards = awards_by_rank([rank for _entry, rank, _score in ranked], rules)
        for (round_entry, rank, score), award in zip(ranked, awards, strict=True):
            results.append(
                RoundResult(round=round, round_entry=round_entry, track=track, rank=rank,
                            score=to_decimal(score), award=RoundResult.Award(award))
            )  # fmt: skip
            if rank <= round.advance_count:
                advancing.append(round_entry.pk)
    return Publication(results=results, advancing=advancing, not_ranked=not_ranked)


def results_preview(round: Round) -> list[RoundResults]:
    """The rounds of the public results page if ``round`` were published now: the competition's published rounds
    with this round's would-be results in its place, last round first (as ``results_by_round``)."""
    published = [item for item in results_by_round(round.competition) if item.round.pk != round.pk]
    results = publication_of(round).results  # tracks in order, each by rank
    tracks = [TrackResults(track, list(rows)) for track, rows in groupby(results, key=lambda r: r.track)]
    preview = RoundResults(round, tracks)
    return sorted([*published, preview], key=lambda item: item.round.position, reverse=True)

"""A competition's published results: ranks and awards per track, for everyone.

Only rounds whose results are published show; before that the page says the results are not published yet (200,
no data), so the address can be shared in advance.
"""

from dataclasses import dataclass
from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from competitions import selectors
from competitions.models import Competition, Round, RoundResult, Track
from competitions.selectors import judging as judging_selectors


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
    for round, in_round in groupby(judging_selectors.published_results(competition=competition), key=lambda r: r.round):
        tracks = [TrackResults(track, list(results)) for track, results in groupby(in_round, key=lambda r: r.track)]
        rounds.append(RoundResults(round, tracks))
    return rounds[::-1]


def competition_results(request: HttpRequest, slug: str) -> HttpResponse:
    competition = get_object_or_404(selectors.competitions_visible(), slug=slug)
    context = {"competition": competition, "rounds": results_by_round(competition)}
    return render(request, "portal/results.html", context)

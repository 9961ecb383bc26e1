"""A competition's published results: ranks and awards per track, for everyone.

Only rounds whose results are published show; before that the page says the results are not published yet (200,
no data), so the address can be shared in advance.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from competitions import selectors
from competitions.selectors import results


def competition_results(request: HttpRequest, slug: str) -> HttpResponse:
    competition = get_object_or_404(selectors.competitions_visible(), slug=slug)
    context = {"competition": competition, "rounds": results.results_by_round(competition)}
    return render(request, "portal/results.html", context)

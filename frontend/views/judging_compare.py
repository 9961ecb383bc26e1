"""The judge's compare page: two of their entries of a round side by side in 3D, with linked cameras
(static/js/compare.js: turning one scene turns the other, unless "Link cameras" is unticked).

The entries are chosen in the query string (``?a=<round entry id>&b=<round entry id>``) from the picker on the
judge's queue or on this page. Both must be entries the judge may open in this round
(``selectors.judging.judge_entry_pair``, the rule of the entry page): anything else is a 404, like an id that does
not exist. In a blind round the page names entries by their code only.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from competitions.auth import AuthenticatedHttpRequest
from competitions.models import Round, RoundEntry
from competitions.selectors import judging as selectors
from frontend.views.judge_viewer import viewer_urls


def _picked(raw: str | None) -> int | None:
    """A round entry id from the query string; None when absent or not a whole number."""
    text = (raw or "").strip()
    return int(text) if text.isdigit() else None


def _side(round_entry: RoundEntry) -> dict[str, Any]:
    """One side of the page: the entry, its viewer's model and poster and the link to its score sheet."""
    thumbnails = selectors.judge_thumbnails(round_entry)
    has_model = bool(selectors.judge_artifact(round_entry, selectors.MODEL))
    return {
        "round_entry": round_entry,
        "entry": round_entry.entry,
        "sheet_url": reverse("frontend:judge-entry", kwargs={"round_entry_id": round_entry.pk}),
        **viewer_urls(round_entry, thumbnails=thumbnails, has_model=has_model),
    }


@login_required
@require_GET
def judge_compare(request: AuthenticatedHttpRequest, round_id: int) -> HttpResponse:
    """Two entries of the judge's round side by side; without a valid pair, the picker alone and what is wrong."""
    round: Round = get_object_or_404(selectors.rounds_judged_by(request.user), pk=round_id)
    first, second = _picked(request.GET.get("a")), _picked(request.GET.get("b"))
    context: dict[str, Any] = {
        "round": round,
        "blind": round.is_blind,
        "queue": selectors.judge_queue(user=request.user, round=round),
        "picked": (first, second),
        "sides": [],
        "error": "",
    }
    if first is None or second is None:
        given = "a" in request.GET or "b" in request.GET
        context["error"] = _("Choose two entries to compare.") if given else ""
        return render(request, "judge/compare.html", context, status=400 if given else 200)
    if first == second:
        context["error"] = _("Choose two different entries to compare.")
        return render(request, "judge/compare.html", context, status=400)
    try:
        pair = selectors.judge_entry_pair(user=request.user, round=round, round_entry_ids=(first, second))
    except RoundEntry.DoesNotExist:
        raise Http404 from None
    context["sides"] = [_side(round_entry) for round_entry in pair]
    return render(request, "judge/compare.html", context)

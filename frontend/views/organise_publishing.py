"""The organiser console's guardrails around a round's results: closing it (confirming the number of sheets still
missing, when any are), the preview of the public results page before publication, and taking published results
down again with a reason. Publishing itself is on the leaderboard (``organise_results.round_publish``); each step
is a service that refuses what the page would not offer."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from competitions.auth import AuthenticatedHttpRequest
from competitions.exceptions import RuleError
from competitions.models import Round
from competitions.selectors import publishing
from competitions.services import judging, results
from frontend.views.organise import organiser_required, round_of


def _confirm(request: AuthenticatedHttpRequest, round: Round, action: str, error: str = "") -> HttpResponse:
    context = {
        "round": round,
        "competition": round.competition,
        "action": action,
        "missing": publishing.missing_sheets(round) if action == "close" else 0,
        "error": error,
        "reason": request.POST.get("reason", ""),
    }
    return render(request, "organiser/round_confirm.html", context, status=400 if error else 200)


@organiser_required
@require_http_methods(["GET", "POST"])
def round_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Close the round. With sheets missing, the form asks for their number, and the service checks it against the
    count at that moment: a page opened earlier cannot close a round that has since changed."""
    round = round_of(request, pk)
    if request.method == "GET":
        return _confirm(request, round, "close")
    raw = request.POST.get("missing_confirmed", "").strip()
    confirmed = int(raw) if raw.isdigit() else None
    try:
        judging.round_close(round=round, actor=request.user, missing_confirmed=confirmed)
    except RuleError as error:
        return _confirm(request, round, "close", error.message)
    messages.success(request, _("The round is closed: judges can no longer change their scores."))
    return redirect("frontend:organise-round", pk=round.pk)


@organiser_required
@require_GET
def round_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The public results page as it would be with this round published: same template, would-be ranks and
    awards. Nothing is written."""
    round = round_of(request, pk)
    if round.status == Round.Status.DRAFT:
        messages.error(request, _("The round has not opened yet: there are no results to preview."))
        return redirect("frontend:organise-round", pk=round.pk)
    context = {
        "competition": round.competition,
        "rounds": publishing.results_preview(round),
        "preview_round": round,
    }
    return render(request, "portal/results.html", context)


@organiser_required
@require_http_methods(["GET", "POST"])
def round_unpublish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round = round_of(request, pk)
    if request.method == "GET":
        return _confirm(request, round, "unpublish")
    try:
        results.round_unpublish(round=round, actor=request.user, reason=request.POST.get("reason", ""))
    except RuleError as error:
        return _confirm(request, round, "unpublish", error.message)
    messages.success(request, _("The results are taken down: the round is closed again and no longer public."))
    return redirect("frontend:organise-round", pk=round.pk)

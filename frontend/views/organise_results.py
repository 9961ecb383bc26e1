"""The organiser console's results of a round: the leaderboard per track (during judging and after), the manual
shortlist for the next round, the publication of the results and the CSV export of every score."""

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competitions.auth import AuthenticatedHttpRequest
from competitions.exceptions import RuleError
from competitions.models import Round
from competitions.selectors import leaderboard as leaderboard_selectors
from competitions.services import results
from competitions.services.csv_export import csv_lines
from frontend.views.organise import organiser_required, round_of


@organiser_required
@require_GET
def leaderboard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round = round_of(request, pk)
    board = leaderboard_selectors.round_leaderboard(round)
    context = {
        "round": round,
        "competition": round.competition,
        "board": board,
        "flagged_ids": {judge.judge_id for judge in board.flagged},
        "shortlist": round.advancement == Round.Advancement.MANUAL and round.status != Round.Status.DRAFT,
        "publishable": round.status == Round.Status.CLOSED,
        "section": "leaderboard",
    }
    return render(request, "organiser/leaderboard.html", context)


@organiser_required
@require_http_methods(["GET", "POST"])
def round_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round = round_of(request, pk)
    if request.method == "GET":
        context = {"round": round, "competition": round.competition, "action": "publish"}
        return render(request, "organiser/round_confirm.html", context)
    try:
        results.round_publish(round=round, actor=request.user)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The results are published: teams can see their ranks and their judges' comments."))
    return redirect("frontend:organise-leaderboard", pk=round.pk)


@organiser_required
@require_POST
def shortlist_set(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round = round_of(request, pk)
    ids = [int(value) for value in request.POST.getlist("round_entry") if value.isdigit()]
    try:
        results.shortlist_set(round=round, round_entry_ids=ids, actor=request.user)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The shortlist is saved: %(count)d entries advance.") % {"count": len(ids)})
    return redirect("frontend:organise-leaderboard", pk=round.pk)


@organiser_required
@require_GET
def scores_csv(request: AuthenticatedHttpRequest, pk: int) -> StreamingHttpResponse:
    round = round_of(request, pk)
    rows = leaderboard_selectors.scores_csv(round)
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{leaderboard_selectors.scores_csv_filename(round)}"'
    return response

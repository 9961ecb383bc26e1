"""The organiser console: competitions and their judging rounds, the creation of a round, and the audit log.

Organisers run the competitions they were made organisers of (site staff run all of them): every page and object
of another competition is a 404, like one that does not exist. Everyone else gets a 404 for every page of the
console (its existence is not advertised); a visitor who is not logged in is sent to the login page first. Pages
of one round are in ``organise_rounds`` (settings, rubric, opening and closing), ``organise_panel`` (judges,
conflicts, assignments, progress) and ``organise_results`` (leaderboard, publication, CSV export). Every change goes
through a service.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from competitions.auth import AuthenticatedHttpRequest
from competitions.exceptions import RuleError
from competitions.models import Competition, Round
from competitions.selectors import judging as judging_selectors
from competitions.selectors import organiser as organiser_selectors
from competitions.selectors import workers as worker_selectors
from competitions.services import judging
from frontend.forms import RoundForm, add_rule_error

AUDIT_PAGE_SIZE = 50
View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def organiser_required(view: View) -> View:
    """Log in first; then a 404 unless the person is an organiser."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not judging_selectors.is_organiser(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return cast(View, login_required(wrapped))


def round_of(request: AuthenticatedHttpRequest, pk: int) -> Round:
    """A round of a competition the person organises, as the console shows it, or a 404."""
    return get_object_or_404(judging_selectors.rounds_for_organiser(request.user), pk=pk)


def competition_of(request: AuthenticatedHttpRequest, slug: str) -> Competition:
    """A competition the person organises, or a 404."""
    return get_object_or_404(judging_selectors.competitions_organised_by(request.user), slug=slug)


# --- Competitions and their rounds ----------------------------------------------------------------------------


@organiser_required
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {
        "competitions": organiser_selectors.competitions_with_rounds(request.user),
        "processing": worker_selectors.processing_health(),
    }
    return render(request, "organiser/home.html", context)


def _new_round_initial(competition: Competition) -> dict[str, Any]:
    return {
        "position": organiser_selectors.next_round_position(competition),
        "opens_at": competition.judging_starts_at,
        "closes_at": competition.judging_ends_at,
    }


@organiser_required
@require_http_methods(["GET", "POST"])
def round_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    competition = competition_of(request, slug)
    with timezone.override(competition.zone):
        form = RoundForm(request.POST or None, initial=_new_round_initial(competition))
        valid = request.method == "POST" and form.is_valid()
    if valid:
        try:
            created = judging.round_create(competition=competition, actor=request.user, **form.cleaned_data)
        except RuleError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The round “%(name)s” is created.") % {"name": created.display_name})
            return redirect("frontend:organise-round", pk=created.pk)
    return render(request, "organiser/round_create.html", {"competition": competition, "form": form})

"""Who runs a competition: its organisers, listed for them, with a form to add a co-organiser by email and a button
to remove one. Every organiser of the competition (and site staff) may do both; anyone else gets a 404."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from competitions.auth import AuthenticatedHttpRequest
from competitions.exceptions import RuleError
from competitions.models import Competition
from competitions.services import organisers
from frontend.forms import PersonByEmailForm, add_rule_error
from frontend.views.organise import competition_of, organiser_required


def _render(
    request: AuthenticatedHttpRequest, competition: Competition, form: PersonByEmailForm, status: int = 200
) -> HttpResponse:
    people = competition.organisers.select_related("user__profile", "added_by__profile").order_by("created_at")
    context = {"competition": competition, "organisers": people, "form": form}
    return render(request, "organiser/organisers.html", context, status=status)


@organiser_required
@require_http_methods(["GET", "POST"])
def organiser_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    competition = competition_of(request, slug)
    form = PersonByEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = organisers.organiser_add(competition=competition, actor=request.user, **form.cleaned_data)
        except RuleError as error:
            add_rule_error(form, error)
        else:
            messages.success(
                request,
                _("%(email)s is now an organiser of “%(competition)s”; we emailed them.")
                % {"email": added.user.email, "competition": competition.display_name},
            )
            return redirect("frontend:organise-organisers", slug=competition.slug)
    return _render(request, competition, form, status=400 if request.method == "POST" else 200)


@organiser_required
@require_POST
def organiser_remove(request: AuthenticatedHttpRequest, slug: str, organiser_id: int) -> HttpResponse:
    competition = competition_of(request, slug)
    organiser = get_object_or_404(competition.organisers.select_related("user"), pk=organiser_id)
    try:
        organisers.organiser_remove(organiser=organiser, actor=request.user)
    except RuleError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(email)s no longer organises this competition.") % {"email": organiser.user.email}
        )
    return redirect("frontend:organise-organisers", slug=competition.slug)

"""The organiser console's page of one round: its settings, its rubric (editable until the round opens), and the
button that opens it, behind a confirmation page."""

from typing import Any

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from competitions.auth import AuthenticatedHttpRequest
from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Criterion, Round
from competitions.selectors import deadline
from competitions.selectors.judging import criterion_next_position
from competitions.services import judging
from frontend.forms import CriterionForm, RoundForm, add_rule_error
from frontend.views.organise import organiser_required, round_of


def _criterion_form(criterion: Criterion, data: Any = None) -> CriterionForm:
    initial = model_to_dict(criterion, fields=CriterionForm.Meta.fields)
    return CriterionForm(data, initial=initial, prefix=f"criterion-{criterion.pk}")


def _new_criterion_form(round: Round, data: Any = None) -> CriterionForm:
    initial = {"position": criterion_next_position(round)}
    return CriterionForm(data, initial=initial, prefix="new-criterion")


def _changed(instance: Any, cleaned: dict[str, Any]) -> dict[str, Any]:
    """The cleaned values that differ from the instance's: the service sees only what the organiser changed, so
    a locked round refuses a change of its rubric but not an unchanged form sent again."""
    return {name: value for name, value in cleaned.items() if getattr(instance, name) != value}


def _render_round(
    request: AuthenticatedHttpRequest,
    round: Round,
    *,
    form: RoundForm | None = None,
    criterion_forms: dict[int, CriterionForm] | None = None,
    new_criterion_form: CriterionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    criteria = list(round.criteria.all())
    criterion_forms = criterion_forms or {}
    if form is None:
        form = RoundForm(initial=model_to_dict(round, fields=RoundForm.Meta.fields))
    context = {
        "round": round,
        "competition": round.competition,
        "form": form,
        "criteria": [{"criterion": c, "form": criterion_forms.get(c.pk) or _criterion_form(c)} for c in criteria],
        "new_criterion_form": new_criterion_form or _new_criterion_form(round),
        "total_weight": sum((c.weight for c in criteria), start=0),
        "still_processing": deadline.still_processing_before_opening(round),
        "section": "round",
    }
    return render(request, "organiser/round_detail.html", context, status=status)


@organiser_required
@require_http_methods(["GET"])
def round_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_round(request, round_of(request, pk))


@organiser_required
@require_POST
def round_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round = round_of(request, pk)
    with timezone.override(round.competition.zone):
        form = RoundForm(request.POST, initial=model_to_dict(round, fields=RoundForm.Meta.fields))
        valid = form.is_valid()
    if valid:
        changes = _changed(round, form.cleaned_data)
        if not changes:
            messages.info(request, _("Nothing changed."))
            return redirect("frontend:organise-round", pk=round.pk)
        try:
            judging.round_update(round=round, actor=request.user, **changes)
        except RuleError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The round's settings are saved."))
            return redirect("frontend:organise-round", pk=round.pk)
    return _render_round(request, round_of(request, pk), form=form, status=400)


# --- Rubric ---------------------------------------------------------------------------------------------------


def _rubric_url(round: Round) -> str:
    return reverse("frontend:organise-round", kwargs={"pk": round.pk}) + "#rubric"


@organiser_required
@require_POST
def criterion_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round = round_of(request, pk)
    form = _new_criterion_form(round, request.POST)
    if form.is_valid():
        try:
            created = judging.criterion_create(round=round, actor=request.user, **form.cleaned_data)
        except RuleError as error:
            if error.code == ErrorCode.RUBRIC_LOCKED:
                messages.error(request, error.message)
                return redirect(_rubric_url(round))
            add_rule_error(form, error)
        else:
            messages.success(request, _("The criterion “%(name)s” is added.") % {"name": created.display_name})
            return redirect(_rubric_url(round))
    return _render_round(request, round, new_criterion_form=form, status=400)


@organiser_required
@require_POST
def criterion_update(request: AuthenticatedHttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    round = round_of(request, pk)
    criterion = get_object_or_404(round.criteria, pk=criterion_id)
    form = _criterion_form(criterion, request.POST)
    if form.is_valid():
        changes = _changed(criterion, form.cleaned_data)
        if not changes:
            messages.info(request, _("Nothing changed."))
            return redirect(_rubric_url(round))
        try:
            saved = judging.criterion_update(criterion=criterion, actor=request.user, **changes)
        except RuleError as error:
            if error.code == ErrorCode.RUBRIC_LOCKED:
                messages.error(request, error.message)
                return redirect(_rubric_url(round))
            add_rule_error(form, error)
        else:
            messages.success(request, _("The criterion “%(name)s” is saved.") % {"name": saved.display_name})
            return redirect(_rubric_url(round))
    return _render_round(request, round, criterion_forms={criterion.pk: form}, status=400)


@organiser_required
@require_POST
def criterion_delete(request: AuthenticatedHttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    round = round_of(request, pk)
    criterion = get_object_or_404(round.criteria, pk=criterion_id)
    try:
        judging.criterion_delete(criterion=criterion, actor=request.user)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The criterion “%(name)s” is deleted.") % {"name": criterion.display_name})
    return redirect(_rubric_url(round))


# --- Opening (closing, with its guard on missing sheets, is in ``organise_publishing``) ------------------------


@organiser_required
@require_http_methods(["GET", "POST"])
def round_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round = round_of(request, pk)
    if request.method == "GET":
        context = {
            "round": round,
            "competition": round.competition,
            "action": "open",
            "still_processing": deadline.still_processing_before_opening(round),
        }
        return render(request, "organiser/round_confirm.html", context)
    try:
        judging.round_open(round=round, actor=request.user)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The round is open: its entries are frozen and its rubric is locked."))
    return redirect("frontend:organise-round", pk=round.pk)

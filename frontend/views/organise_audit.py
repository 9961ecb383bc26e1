"""The audit log page of the organiser console: the events of the competitions the person organises, newest first,
each as a sentence with the time in its competition's zone, filtered by competition, round, who, what, which object
and when, 50 to a page. The raw details stay beside each sentence: the log is evidence."""

import json
from typing import cast

from django import forms
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET

from competitions.auth import AuthenticatedHttpRequest
from competitions.models import Competition, Round
from competitions.selectors import audit
from competitions.selectors import judging as judging_selectors
from frontend.views.organise import organiser_required

AUDIT_PAGE_SIZE = 50


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Round) -> str:
        return f"{obj.competition.display_name}: {obj.display_name}"


class AuditFilterForm(forms.Form):
    competition = forms.ModelChoiceField(
        label=gettext_lazy("Competition"),
        queryset=Competition.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=gettext_lazy("All competitions"),
    )
    round = RoundChoiceField(
        label=gettext_lazy("Round"),
        queryset=Round.objects.none(),
        required=False,
        empty_label=gettext_lazy("All rounds"),
    )
    who = forms.CharField(
        label=gettext_lazy("Who"),
        required=False,
        max_length=120,
        help_text=gettext_lazy("Part of a name or an email address."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("What"), required=False)
    object_type = forms.CharField(
        label=gettext_lazy("Object type"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("As shown in the Object column, e.g. scoresheet."),
    )
    object_id = forms.IntegerField(label=gettext_lazy("Object number"), required=False, min_value=1)
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data: QueryDict | None, *, rounds: QuerySet[Round], competitions: QuerySet[Competition]) -> None:
        super().__init__(data)
        competition_field = cast(forms.ModelChoiceField, self.fields["competition"])
        competition_field.queryset = competitions
        round_field = cast(forms.ModelChoiceField, self.fields["round"])
        round_field.queryset = rounds
        kind_field = cast(forms.ChoiceField, self.fields["kind"])
        kind_field.choices = [("", gettext("Everything"))] + [
            (key, gettext(label)) for key, label in audit.ACTION_KINDS.items()
        ]


def _details(data: object) -> str:
    """An event's data as compact JSON, keys sorted, non-Latin text as it is."""
    if not data:
        return ""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


@organiser_required
@require_GET
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    competitions = judging_selectors.competitions_organised_by(request.user).order_by("-submission_deadline")
    rounds = judging_selectors.rounds_for_organiser(request.user)
    form = AuditFilterForm(request.GET or None, rounds=rounds, competitions=competitions)
    filters = audit.AuditFilters()
    if form.is_valid():
        filters = audit.AuditFilters(**{name: value for name, value in form.cleaned_data.items() if value})
    events = audit.filtered_events(organiser=request.user, filters=filters)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "lines": [(line, _details(line.event.data)) for line in audit.audit_lines(page.object_list)],
        "filtered": any(form.cleaned_data.values()) if form.is_valid() else False,
        "query": query.urlencode(),
    }
    return render(request, "organiser/audit.html", context)

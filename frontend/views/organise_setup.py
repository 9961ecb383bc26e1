"""The organiser console's competition setup: a new competition (or a copy of a past one), its settings in four
sections (texts, timeline, team rules, asset rules), a preview of its public page, and publishing it.

Dates are typed in the competition's time zone: the forms read them under ``timezone.override`` of the zone (for a
new competition, the zone chosen in the same form). Site staff and organisers of any competition may create one;
every page of a competition is found through ``competition_of``, so another's is a 404. Tracks are in
``organise_tracks``. Every change goes through ``competitions.services.competitions``.
"""

import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.forms import ModelForm
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competitions.auth import AuthenticatedHttpRequest
from competitions.exceptions import RuleError
from competitions.models import Competition
from competitions.services import competitions as setup
from frontend.forms import add_rule_error
from frontend.forms_setup import (
    AssetRulesForm,
    CompetitionCreateForm,
    CompetitionTextsForm,
    CompetitionTimelineForm,
    TeamRulesForm,
)
from frontend.views.competitions import detail_context
from frontend.views.organise import competition_of, organiser_required

# The sections of the settings page: (name, title, form class).
SECTIONS = [
    ("texts", gettext_lazy("Names and texts"), CompetitionTextsForm),
    ("timeline", gettext_lazy("Timeline"), CompetitionTimelineForm),
    ("team-rules", gettext_lazy("Team rules"), TeamRulesForm),
    ("asset-rules", gettext_lazy("Asset rules"), AssetRulesForm),
]


def _zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone a new competition's dates are typed in: the one chosen in the form, if it is a known zone."""
    if name and name in zoneinfo.available_timezones():
        return zoneinfo.ZoneInfo(name)
    return zoneinfo.ZoneInfo(settings.DEFAULT_COMPETITION_TIME_ZONE)


@organiser_required
@require_http_methods(["GET", "POST"])
def competition_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new competition, or with ``?from=<slug>`` a copy of one the person organises (its texts are offered to
    change; its tracks, team and asset rules are copied; the timeline and the slug are new)."""
    source_slug = request.GET.get("from", "")
    source = competition_of(request, source_slug) if source_slug else None
    initial: dict[str, Any] = {}
    if source is not None:
        initial = model_to_dict(source, fields=[*setup.TEXT_FIELDS, "time_zone"])
    zone = _zone(request.POST.get("time_zone") or initial.get("time_zone"))
    with timezone.override(zone):
        form = CompetitionCreateForm(request.POST or None, initial=initial)
        valid = request.method == "POST" and form.is_valid()
    if valid:
        fields = dict(form.cleaned_data)
        slug = fields.pop("slug")
        try:
            if source is None:
                created = setup.competition_create(actor=request.user, slug=slug, **fields)
            else:
                created = setup.competition_clone(source=source, actor=request.user, slug=slug, **fields)
        except RuleError as error:
            add_rule_error(form, error)
        else:
            messages.success(
                request,
                _("“%(name)s” is created, not published yet. Add its tracks and rules, then preview and publish it.")
                % {"name": created.display_name},
            )
            return redirect("frontend:organise-competition-settings", slug=created.slug)
    context = {"form": form, "source": source, "zone": zone}
    status = 400 if request.method == "POST" else 200
    return render(request, "organiser/competition_create.html", context, status=status)


def _section_form(name: str, competition: Competition, data: Any = None) -> ModelForm:
    form_class = next(form_class for section, _title, form_class in SECTIONS if section == name)
    if form_class is AssetRulesForm:
        initial = AssetRulesForm.initial_for(competition)
    else:
        initial = model_to_dict(competition, fields=list(form_class.base_fields))
    return form_class(data, initial=initial, prefix=name)


@organiser_required
@require_http_methods(["GET", "POST"])
def competition_settings(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Four sections, each a form of its own: a POST names its ``section``; only the changed values reach the
    service, which checks the whole competition."""
    competition = competition_of(request, slug)
    posted = request.POST.get("section") if request.method == "POST" else None
    status = 200
    with timezone.override(competition.zone):
        forms = {
            name: _section_form(name, competition, request.POST if name == posted else None)
            for name, _title, _form in SECTIONS
        }
        form = forms.get(posted or "")
        valid = form is not None and form.is_valid()
    if form is not None and valid:
        fields = (
            form.service_fields()
            if isinstance(form, AssetRulesForm)
            else {name: form.cleaned_data[name] for name in form.changed_data}
        )
        try:
            setup.competition_update(competition=competition, actor=request.user, **fields)
        except RuleError as error:
            add_rule_error(form, error)
        else:
            if fields:
                messages.success(
                    request, _("The settings of “%(name)s” are saved.") % {"name": competition.display_name}
                )
            else:
                messages.info(request, _("Nothing changed."))
            return redirect(f"{request.path}#{posted}")
    if request.method == "POST":
        status = 400
    sections = [(name, title, forms[name]) for name, title, _form in SECTIONS]
    context = {"competition": competition, "sections": sections}
    return render(request, "organiser/competition_settings.html", context, status=status)


@organiser_required
@require_GET
def competition_preview(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The competition's public page as visitors will see it, published or not, with the publish buttons."""
    competition = competition_of(request, slug)
    context = {**detail_context(request, competition), "preview": True}
    return render(request, "portal/competition_detail.html", context)


@organiser_required
@require_POST
def competition_publish(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    competition = competition_of(request, slug)
    try:
        setup.competition_publish(competition=competition, actor=request.user)
    except RuleError as error:
        messages.error(request, error.message)
        return redirect("frontend:organise-competition-preview", slug=competition.slug)
    messages.success(request, _("“%(name)s” is published.") % {"name": competition.display_name})
    return redirect("frontend:competition-detail", slug=competition.slug)


@organiser_required
@require_POST
def competition_unpublish(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    competition = competition_of(request, slug)
    setup.competition_unpublish(competition=competition, actor=request.user)
    messages.success(request, _("“%(name)s” is hidden from the site again.") % {"name": competition.display_name})
    return redirect("frontend:organise-competition-preview", slug=competition.slug)

"""The organiser console's awards of a competition: per track, how many prizes it gives, how many honourable
mentions follow them and how many ranked entries it needs before it gives a first prize. Publishing a round applies
them (``competitions.selectors.scoring.awards_by_rank``); results already published keep their awards."""

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from competitions.auth import AuthenticatedHttpRequest
from competitions.exceptions import RuleError
from competitions.models import Track
from competitions.services import results
from frontend.forms import TrackAwardsForm, add_rule_error
from frontend.views.organise import competition_of, organiser_required

AWARDS = TrackAwardsForm.Meta.fields


def _awards_form(track: Track, data: QueryDict | None) -> TrackAwardsForm:
    initial = model_to_dict(track, fields=TrackAwardsForm.Meta.fields)
    return TrackAwardsForm(data, initial=initial, prefix=f"track-{track.pk}")


@organiser_required
@require_http_methods(["GET", "POST"])
def track_awards(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """One form per track; nothing is saved unless every track's numbers are valid. Only changed tracks reach the
    service (each change is audited on its own)."""
    competition = competition_of(request, slug)
    data = request.POST if request.method == "POST" else None
    rows = [(track, _awards_form(track, data)) for track in competition.tracks.all()]
    # The page explains each number once, above the tracks, with the model's help text.
    context = {"competition": competition, "rows": rows, "fields": [Track._meta.get_field(name) for name in AWARDS]}
    if data is None:
        return render(request, "organiser/track_awards.html", context)
    if all([form.is_valid() for _track, form in rows]):
        changed = [(track, form) for track, form in rows if form.has_changed()]
        try:
            for track, form in changed:
                results.track_awards_update(track=track, actor=request.user, **form.cleaned_data)
        except RuleError as error:
            add_rule_error(form, error)
        else:
            if changed:
                name = competition.display_name
                messages.success(request, _("The awards of “%(name)s” are saved.") % {"name": name})
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("frontend:organise-awards", slug=competition.slug)
    return render(request, "organiser/track_awards.html", context, status=400)

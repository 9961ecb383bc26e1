"""The organiser console's tracks of a competition: add one, change its names, slug and description, move it up or
down, and remove it while it has no entries. Its awards are on the awards page (``organise_awards``)."""

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from competitions.auth import AuthenticatedHttpRequest
from competitions.exceptions import RuleError
from competitions.models import Competition, Track
from competitions.services import competitions as setup
from frontend.forms import add_rule_error
from frontend.forms_setup import TrackForm
from frontend.views.organise import competition_of, organiser_required


def _track_of(competition: Competition, track_id: int) -> Track:
    return get_object_or_404(competition.tracks.all(), pk=track_id)


def _page(
    request: AuthenticatedHttpRequest,
    competition: Competition,
    *,
    new: TrackForm | None = None,
    editing: tuple[int, TrackForm] | None = None,
) -> HttpResponse:
    """The tracks, each with its form (the one being edited keeps what was typed), and the form to add one."""
    rows = []
    for track in competition.tracks.all():
        form = editing[1] if editing and editing[0] == track.pk else None
        rows.append(
            (
                track,
                form
                or TrackForm(initial=model_to_dict(track, fields=TrackForm.Meta.fields), prefix=f"track-{track.pk}"),
            )
        )
    context = {"competition": competition, "rows": rows, "new": new or TrackForm(prefix="new")}
    status = 400 if request.method == "POST" else 200
    return render(request, "organiser/competition_tracks.html", context, status=status)


@organiser_required
@require_http_methods(["GET", "POST"])
def competition_tracks(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The list, and a POST adds a track."""
    competition = competition_of(request, slug)
    if request.method != "POST":
        return _page(request, competition)
    form = TrackForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            track = setup.track_create(competition=competition, actor=request.user, **form.cleaned_data)
        except RuleError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The track “%(name)s” is added.") % {"name": track.display_name})
            return redirect("frontend:organise-tracks", slug=competition.slug)
    return _page(request, competition, new=form)


@organiser_required
@require_POST
def track_update(request: AuthenticatedHttpRequest, slug: str, track_id: int) -> HttpResponse:
    competition = competition_of(request, slug)
    track = _track_of(competition, track_id)
    initial = model_to_dict(track, fields=TrackForm.Meta.fields)
    form = TrackForm(request.POST, initial=initial, prefix=f"track-{track.pk}")
    if form.is_valid():
        try:
            setup.track_update(
                track=track, actor=request.user, **{name: form.cleaned_data[name] for name in form.changed_data}
            )
        except RuleError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The track “%(name)s” is saved.") % {"name": track.display_name})
            return redirect("frontend:organise-tracks", slug=competition.slug)
    return _page(request, competition, editing=(track.pk, form))


@organiser_required
@require_POST
def track_move(request: AuthenticatedHttpRequest, slug: str, track_id: int) -> HttpResponse:
    """``direction`` "up" or "down"."""
    competition = competition_of(request, slug)
    track = _track_of(competition, track_id)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""), 0)
    if offset:
        setup.track_move(track=track, actor=request.user, offset=offset)
    return redirect("frontend:organise-tracks", slug=competition.slug)


@organiser_required
@require_POST
def track_delete(request: AuthenticatedHttpRequest, slug: str, track_id: int) -> HttpResponse:
    competition = competition_of(request, slug)
    track = _track_of(competition, track_id)
    try:
        setup.track_delete(track=track, actor=request.user)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The track “%(name)s” is removed.") % {"name": track.display_name})
    return redirect("frontend:organise-tracks", slug=competition.slug)

"""The organiser console's pinned comments of an entry in a round: every judge's, with their names, numbered, as a
list and on the judged file in 3D (linked from each row of the leaderboard)."""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from competitions.auth import AuthenticatedHttpRequest
from competitions.models import Round, RoundEntry
from competitions.selectors import pins
from frontend.views.organise import organiser_required, round_of
from frontend.views.stored_files import stored_file_response


def _round_entry_of(round: Round, round_entry_id: int) -> RoundEntry:
    round_entries = RoundEntry.objects.filter(round=round).select_related("entry__team", "track", "revision")
    return get_object_or_404(round_entries.defer("revision__report"), pk=round_entry_id)


@organiser_required
@require_GET
def entry_pins(request: AuthenticatedHttpRequest, pk: int, round_entry_id: int) -> HttpResponse:
    round = round_of(request, pk)
    round_entry = _round_entry_of(round, round_entry_id)
    has_model = bool(pins.viewer_copy(round_entry))
    context = {
        "round": round,
        "competition": round.competition,
        "round_entry": round_entry,
        "pins": pins.organiser_pins(round_entry),
        "model_url": reverse("frontend:organise-entry-model", args=[round.pk, round_entry.pk]) if has_model else "",
        "section": "leaderboard",
    }
    return render(request, "organiser/entry_pins.html", context)


@organiser_required
@require_GET
def entry_model(request: AuthenticatedHttpRequest, pk: int, round_entry_id: int) -> FileResponse:
    """The judged file's browser-ready copy, for the organiser's 3D view of the pins."""
    round_entry = _round_entry_of(round_of(request, pk), round_entry_id)
    storage_name = pins.viewer_copy(round_entry)
    if not storage_name:
        raise Http404
    return stored_file_response(
        storage_name, content_type="model/gltf-binary", filename=f"{round_entry.blind_code}.glb"
    )

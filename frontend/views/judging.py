"""The judge panel: the rounds a person judges, their queue of assigned entries, and an entry's page with its
thumbnails, figures, 3D viewer and the score sheet.

Every entry is looked up through ``selectors.judging.round_entry_for_judge``: an entry the person is not assigned,
is conflicted with, or judges in a round still in draft is a 404, on every page, file and endpoint. Once the round
closes, and after its results are published, the judge keeps reading their sheets, read only (no autosave).
In a blind round nothing a judge can reach names the team: pages show the entry code, files are served from
URLs made of ids and fixed names, under a download name made of the entry code, and the 3D model is the copy with
identifying metadata stripped (``selectors.judging.judge_artifact``, the API's rule too).

The score sheet is a plain form that saves a draft (or submits) without JavaScript; static/js/scoresheet.js saves
drafts as the judge types through the API (``PUT /api/judging/entries/<id>/sheet/``, signed in by the session),
which refuses a stale version with a 409. Opening the page writes nothing: the sheet is created on the first save.
"""

import mimetypes
from collections.abc import Callable
from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competitions.auth import AuthenticatedHttpRequest
from competitions.exceptions import RuleError, StaleVersion
from competitions.models import Round, RoundEntry
from competitions.selectors import judge_entry as entry_selectors
from competitions.selectors import judging as selectors
from competitions.selectors.compliance import round_entry_compliance
from competitions.selectors.judge_entry import JudgeEntry
from competitions.services import judging as services
from frontend.views import judging_sheet as sheet_form
from frontend.views.judge_viewer import artifact_url, viewer_urls
from frontend.views.stats import stat_rows
from frontend.views.stored_files import stored_file_response

# The figures of the revision judged, beside the viewer.
STAT_LABELS = [
    ("triangles", gettext_lazy("Triangles")),
    ("materials", gettext_lazy("Materials")),
    ("textures", gettext_lazy("Textures")),
    ("draw_calls", gettext_lazy("Draw calls")),
]
THUMBNAIL_LABELS = {
    "hero": gettext_lazy("Overview"),
    "front": gettext_lazy("Front"),
    "side": gettext_lazy("Side"),
    "top": gettext_lazy("Top"),
}


def _round_entry_of(request: AuthenticatedHttpRequest, round_entry_id: int) -> RoundEntry:
    try:
        return selectors.round_entry_for_judge(user=request.user, round_entry_id=round_entry_id)
    except RoundEntry.DoesNotExist:
        raise Http404 from None


def _judge_entry_of(request: AuthenticatedHttpRequest, round_entry_id: int) -> JudgeEntry:
    try:
        return entry_selectors.judge_entry(user=request.user, round_entry_id=round_entry_id)
    except RoundEntry.DoesNotExist:
        raise Http404 from None


def _url_maker(view: str, **kwargs: str) -> Callable[[int], str]:
    """The URL of ``view`` for any round entry id, reversed once: a queue of 40 entries asks for 80 URLs."""
    template = reverse(view, kwargs={"round_entry_id": 2_147_483_647, **kwargs}).replace("2147483647", "{}")
    return template.format


# --- Rounds and queue -----------------------------------------------------------------------------------------


@login_required
@require_GET
def judge_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    rounds = [
        {"round": round, "progress": selectors.judge_progress(user=request.user, round=round)}
        for round in selectors.rounds_judged_by(request.user)
    ]
    return render(request, "judge/home.html", {"rounds": rounds})


def _round_of(request: AuthenticatedHttpRequest, round_id: int) -> Round:
    return get_object_or_404(selectors.rounds_judged_by(request.user), pk=round_id)


@login_required
@require_GET
def judge_queue(request: AuthenticatedHttpRequest, round_id: int) -> HttpResponse:
    round = _round_of(request, round_id)
    queue = selectors.judge_queue(user=request.user, round=round)
    entry_url = _url_maker("frontend:judge-entry")
    hero_url = _url_maker("frontend:judge-artifact", name="hero")
    items = [
        {
            "item": item,
            "url": entry_url(item.round_entry_id),
            "hero_url": hero_url(item.round_entry_id) if item.hero else "",
        }
        for item in queue
    ]
    # The queue holds every entry the judge may see in the round, as ``selectors.judge_progress`` counts them.
    scored, total = sum(item.is_submitted for item in queue), len(queue)
    # The rows' HTML is cached under everything it shows (with the language): a change to any row is a new key.
    rows_key = [
        (row["url"], row["hero_url"], item.code, item.title, item.team_name, item.track.display_name,
         item.sheet_status, bool(item.sheet_version))
        for row, item in zip(items, queue, strict=True)
    ]  # fmt: skip
    context = {"round": round, "items": items, "queue": queue, "scored": scored, "total": total, "rows_key": rows_key}
    return render(request, "judge/queue.html", context)


# --- The score sheet ------------------------------------------------------------------------------------------


def _render_entry(
    request: AuthenticatedHttpRequest,
    judged: JudgeEntry,
    *,
    posted: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The entry page: ``posted`` values (kept after a refusal) over the stored ones, ``errors`` by field name."""
    round_entry, sheet = judged.round_entry, judged.sheet
    values = sheet_form.stored_values(sheet)
    if posted is not None:
        values.update(posted, version=str(sheet.version) if sheet else "0")
    errors = errors or {}
    context = {
        "round": round_entry.round,
        "round_entry": round_entry,
        "entry": round_entry.entry,
        "blind": round_entry.round.is_blind,
        "revision": round_entry.revision,
        "sheet": sheet,
        "editable": judged.editable,
        "rows": sheet_form.sheet_rows(judged.criteria, values, errors),
        "total": sheet_form.total_view(sheet_form.sheet_total_of(judged.criteria, values)),
        "comment": values.get("comment", ""),
        "comment_error": errors.get("comment", ""),
        "form_error": errors.get("", ""),
        "version": values["version"],
        "stats": stat_rows(round_entry.revision.stats or {}, STAT_LABELS),
        "compliance": round_entry_compliance(round_entry),
        "thumbnails": [
            {"name": name, "label": THUMBNAIL_LABELS[name], "url": artifact_url(round_entry, name)}
            for name in judged.thumbnails
        ],
        **viewer_urls(round_entry, thumbnails=judged.thumbnails, has_model=judged.has_model),
        # The entrant's own cameras: extra views, and bookmarks under the viewer (judge/includes/camera_bookmarks.html).
        "scene_cameras": [{"camera": c, "url": artifact_url(round_entry, c.name)} for c in judged.cameras],
        "previous_url": reverse("frontend:judge-entry", args=[judged.previous_id]) if judged.previous_id else "",
        "next_url": reverse("frontend:judge-entry", args=[judged.next_id]) if judged.next_id else "",
    }
    return render(request, "judge/entry.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def judge_entry(request: AuthenticatedHttpRequest, round_entry_id: int) -> HttpResponse:
    """An entry to judge; GET only reads. The form posts here without JavaScript: "save" keeps a draft (the first
    save creates the sheet), "submit" saves and locks."""
    judged = _judge_entry_of(request, round_entry_id)
    if request.method == "GET":
        return _render_entry(request, judged)
    round_entry = judged.round_entry
    posted = {key: str(value) for key, value in request.POST.items() if key != "csrfmiddlewaretoken"}
    submit = request.POST.get("action") == "submit"
    try:
        sheet = services.sheet_save(
            round_entry=round_entry,
            judge=request.user,
            version=sheet_form.version_from(request.POST.get("version")),
            values=sheet_form.values_from(request.POST, judged.criteria),
            comment=request.POST.get("comment"),
        )
        if submit:
            services.sheet_submit(round_entry=round_entry, judge=request.user, version=sheet.version)
    except StaleVersion:
        messages.error(
            request,
            _(
                "These scores were changed in another window after you opened this page. The newer values are "
                "shown below: check them and save again."
            ),
        )
        return _render_entry(request, _judge_entry_of(request, round_entry_id), status=409)
    except RuleError as error:
        errors = {sheet_form.form_field(error): error.message}
        return _render_entry(
            request, _judge_entry_of(request, round_entry_id), posted=posted, errors=errors, status=400
        )
    if submit:
        messages.success(request, _("Your scores are submitted. Thank you."))
    else:
        messages.success(request, _("Your draft is saved."))
    return redirect("frontend:judge-entry", round_entry_id=round_entry.pk)


# --- Conflicts of interest ------------------------------------------------------------------------------------


@login_required
@require_POST
def judge_conflict_declare(request: AuthenticatedHttpRequest, round_entry_id: int) -> HttpResponse:
    """The judge declares a conflict with the team of an entry they see by name (never in a blind round, nor once
    the results are out: it would take the judge's comments away from the team's published results)."""
    round_entry = _round_entry_of(request, round_entry_id)
    if round_entry.round.is_blind or round_entry.round.status == Round.Status.PUBLISHED:
        raise Http404
    reason = request.POST.get("reason", "").strip()[:300]
    try:
        services.conflict_declare(
            competition=round_entry.round.competition,
            judge=request.user,
            team=round_entry.entry.team,
            actor=request.user,
            reason=reason,
        )
    except RuleError as error:
        messages.error(request, error.message)
        return redirect("frontend:judge-entry", round_entry_id=round_entry.pk)
    messages.success(
        request,
        _("Your conflict of interest with %(team)s is recorded; their entries are no longer in your queue.")
        % {"team": round_entry.entry.team.name},
    )
    return redirect("frontend:judge-queue", round_id=round_entry.round_id)


@login_required
@require_http_methods(["GET", "POST"])
def judge_conflicts(request: AuthenticatedHttpRequest, round_id: int) -> HttpResponse:
    """Declare a conflict with any team of a round, listed by name: only where the round shows names anyway."""
    round = _round_of(request, round_id)
    if round.is_blind or round.status == Round.Status.PUBLISHED:
        raise Http404
    teams = selectors.teams_a_judge_may_declare(judge=request.user, round=round)
    error = ""
    if request.method == "POST":
        team = teams.filter(pk=sheet_form.version_from(request.POST.get("team"))).first()
        if team is None:
            error = _("Choose a team.")
        else:
            try:
                services.conflict_declare(
                    competition=round.competition,
                    judge=request.user,
                    team=team,
                    actor=request.user,
                    reason=request.POST.get("reason", "").strip()[:300],
                )
            except RuleError as refusal:
                error = refusal.message
            else:
                messages.success(
                    request,
                    _("Your conflict of interest with %(team)s is recorded; their entries are no longer in your queue.")
                    % {"team": team.name},
                )
                return redirect("frontend:judge-queue", round_id=round.pk)
    context = {"round": round, "teams": teams, "error": error}
    return render(request, "judge/conflicts.html", context, status=400 if error else 200)


# --- Files ----------------------------------------------------------------------------------------------------


@login_required
@require_GET
def judge_artifact(request: AuthenticatedHttpRequest, round_entry_id: int, name: str) -> FileResponse:
    """A thumbnail ("hero", "front", "side", "top") or the 3D model ("model") of an entry the judge may open.

    Served inline under a download name made of the entry code only, never the uploaded file's name.
    """
    round_entry = _round_entry_of(request, round_entry_id)
    storage_name = selectors.judge_artifact(round_entry, name)
    if not storage_name:
        raise Http404
    suffix = PurePosixPath(storage_name).suffix.lower()
    if name == selectors.MODEL:
        content_type, filename = "model/gltf-binary", f"{round_entry.blind_code}.glb"
    else:
        content_type = mimetypes.guess_type(storage_name)[0] or "application/octet-stream"
        filename = f"{round_entry.blind_code}-{name}{suffix}"
    return stored_file_response(storage_name, content_type=content_type, filename=filename)

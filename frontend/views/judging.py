"""The judge panel: the rounds a person judges, their queue of assigned entries, and an entry's page with its
thumbnails, figures, 3D viewer and the score sheet.

Every entry is looked up through ``selectors.judging.round_entry_for_judge``: an entry the person is not assigned,
is conflicted with, or judges in a round that is not open or closed is a 404, on every page, file and endpoint.
In a blind round nothing a judge can reach names the team: pages show the entry code, files are served from
URLs made of ids and fixed names, under a download name made of the entry code, and the 3D model is the copy with
identifying metadata stripped.

The score sheet is a plain form that saves a draft (or submits) without JavaScript; static/js/scoresheet.js saves
drafts as the judge types through ``judge_sheet_save`` (JSON), which refuses a stale version with a 409.
"""

import json
import mimetypes
from pathlib import PurePosixPath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competitions.exceptions import RuleError, StaleVersion
from competitions.models import Criterion, Round, RoundEntry, ScoreSheet, Team
from competitions.selectors import judging as selectors
from competitions.services import judging as services
from frontend.views import judging_sheet as sheet_form
from frontend.views.stats import stat_rows

# The figures of the revision judged, beside the viewer.
STAT_LABELS = [
    ("triangles", gettext_lazy("Triangles")),
    ("materials", gettext_lazy("Materials")),
    ("textures", gettext_lazy("Textures")),
    ("draw_calls", gettext_lazy("Draw calls")),
]
THUMBNAILS = ("hero", "front", "side", "top")
THUMBNAIL_LABELS = {
    "hero": gettext_lazy("Overview"),
    "front": gettext_lazy("Front"),
    "side": gettext_lazy("Side"),
    "top": gettext_lazy("Top"),
}
MODEL = "model"


def _round_entry_of(request: HttpRequest, round_entry_id: int) -> RoundEntry:
    try:
        return selectors.round_entry_for_judge(user=request.user, round_entry_id=round_entry_id)
    except RoundEntry.DoesNotExist:
        raise Http404 from None


def _artifact_url(round_entry: RoundEntry, name: str) -> str:
    return reverse("frontend:judge-artifact", kwargs={"round_entry_id": round_entry.pk, "name": name})


def _artifact_storage_name(round_entry: RoundEntry, name: str) -> str:
    """The storage name of what ``name`` serves to a judge, or "" when there is none.

    The model of a blind round is only ever the stripped copy; otherwise the browser-ready copy, or the uploaded
    file itself when it is a GLB and no copy was made.
    """
    revision = round_entry.revision
    artifacts = revision.artifacts if isinstance(revision.artifacts, dict) else {}
    if name in THUMBNAILS:
        found = artifacts.get(name)
    elif name == MODEL:
        found = artifacts.get("blind" if round_entry.round.is_blind else "viewer")
        if not found and not round_entry.round.is_blind and revision.file.name.lower().endswith(".glb"):
            found = revision.file.name
    else:
        found = None
    return found if isinstance(found, str) else ""


# --- Rounds and queue -----------------------------------------------------------------------------------------


@login_required
@require_GET
def judge_home(request: HttpRequest) -> HttpResponse:
    rounds = [
        {"round": round, "progress": selectors.judge_progress(user=request.user, round=round)}
        for round in selectors.rounds_judged_by(request.user)
    ]
    return render(request, "judge/home.html", {"rounds": rounds})


def _round_of(request: HttpRequest, round_id: int) -> Round:
    return get_object_or_404(selectors.rounds_judged_by(request.user), pk=round_id)


@login_required
@require_GET
def judge_queue(request: HttpRequest, round_id: int) -> HttpResponse:
    round = _round_of(request, round_id)
    items = [
        {"item": item, "hero_url": _artifact_url(item.round_entry, "hero") if item.hero else ""}
        for item in selectors.judge_queue(user=request.user, round=round)
    ]
    scored, total = selectors.judge_progress(user=request.user, round=round)
    context = {"round": round, "items": items, "scored": scored, "total": total}
    return render(request, "judge/queue.html", context)


# --- The score sheet ------------------------------------------------------------------------------------------


def _sheet_of(request: HttpRequest, round_entry: RoundEntry) -> ScoreSheet | None:
    """The judge's sheet: opened (created as a draft when new) while the round is open, read only after. A sheet
    that exists is read in one query: ``round_entry`` came through the judge's selector, and every save checks the
    rules again."""
    sheet = ScoreSheet.objects.filter(round_entry=round_entry, judge=request.user).first()
    if sheet is None and round_entry.round.status == Round.Status.OPEN:
        return services.sheet_open(round_entry=round_entry, judge=request.user)
    return sheet


def _criteria_of(round_entry: RoundEntry) -> list[Criterion]:
    return list(round_entry.round.criteria.all())


def _render_entry(
    request: HttpRequest,
    round_entry: RoundEntry,
    sheet: ScoreSheet | None,
    *,
    posted: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    round = round_entry.round
    revision = round_entry.revision
    values = sheet_form.stored_values(sheet)
    if posted is not None:
        values.update(posted)
        values["version"] = str(sheet.version) if sheet else "0"
    errors = errors or {}
    rows = []
    for criterion in _criteria_of(round_entry):
        score_name, comment_name = sheet_form.score_field(criterion.pk), sheet_form.comment_field(criterion.pk)
        rows.append(
            {
                "criterion": criterion,
                "scale": {"low": sheet_form.plain(criterion.scale_min), "high": sheet_form.plain(criterion.scale_max)},
                "step": sheet_form.plain(criterion.step),
                "score_name": score_name,
                "comment_name": comment_name,
                "value": values.get(score_name, ""),
                "comment": values.get(comment_name, ""),
                "score_error": errors.get(score_name, ""),
                "comment_error": errors.get(comment_name, ""),
            }
        )
    previous_id, next_id = selectors.judge_entry_neighbours(user=request.user, round_entry=round_entry)
    editable = round.status == Round.Status.OPEN and sheet is not None and not sheet.is_submitted
    context = {
        "round": round,
        "round_entry": round_entry,
        "entry": round_entry.entry,
        "blind": round.is_blind,
        "revision": revision,
        "sheet": sheet,
        "editable": editable,
        "rows": rows,
        "comment": values.get("comment", ""),
        "comment_error": errors.get("comment", ""),
        "form_error": errors.get("", ""),
        "version": values.get("version", "0"),
        "stats": stat_rows(revision.stats or {}, STAT_LABELS),
        "thumbnails": [
            {"name": name, "label": THUMBNAIL_LABELS[name], "url": _artifact_url(round_entry, name)}
            for name in THUMBNAILS
            if _artifact_storage_name(round_entry, name)
        ],
        "model_url": _artifact_url(round_entry, MODEL) if _artifact_storage_name(round_entry, MODEL) else "",
        "previous_url": reverse("frontend:judge-entry", args=[previous_id]) if previous_id else "",
        "next_url": reverse("frontend:judge-entry", args=[next_id]) if next_id else "",
    }
    return render(request, "judge/entry.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def judge_entry(request: HttpRequest, round_entry_id: int) -> HttpResponse:
    """An entry to judge. The form posts here without JavaScript: "save" keeps a draft, "submit" saves and locks."""
    round_entry = _round_entry_of(request, round_entry_id)
    try:
        sheet = _sheet_of(request, round_entry)
    except RuleError as error:
        messages.error(request, error.message)
        return redirect("frontend:judge-queue", round_id=round_entry.round_id)
    if request.method == "GET":
        return _render_entry(request, round_entry, sheet)
    if sheet is None:
        raise Http404
    posted = {key: str(value) for key, value in request.POST.items() if key != "csrfmiddlewaretoken"}
    submit = request.POST.get("action") == "submit"
    try:
        values = sheet_form.values_from(request.POST, _criteria_of(round_entry))
        version = sheet_form.version_from(request.POST.get("version"))
        sheet = services.sheet_save(
            sheet=sheet, judge=request.user, version=version, values=values, comment=request.POST.get("comment")
        )
        if submit:
            sheet = services.sheet_submit(sheet=sheet, judge=request.user, version=sheet.version)
    except StaleVersion:
        sheet.refresh_from_db()
        messages.error(
            request,
            _(
                "These scores were changed in another window after you opened this page. The newer values are "
                "shown below: check them and save again."
            ),
        )
        return _render_entry(request, round_entry, sheet, status=409)
    except RuleError as error:
        sheet.refresh_from_db()
        return _render_entry(
            request, round_entry, sheet, posted=posted, errors={sheet_form.form_field(error): error.message}, status=400
        )
    if submit:
        messages.success(request, _("Your scores are submitted. Thank you."))
    else:
        messages.success(request, _("Your draft is saved."))
    return redirect("frontend:judge-entry", round_entry_id=round_entry.pk)


@never_cache
@login_required
@require_POST
def judge_sheet_save(request: HttpRequest, round_entry_id: int) -> JsonResponse:
    """Save a draft from the page's script: ``{"version", "values": {criterion id: {"value", "comment"}},
    "comment"}``. Answers the new version; 409 with the stored sheet when ``version`` is not the latest; 400 with
    ``{code, detail, field}`` when a rule refuses (``field`` in the form's names, e.g. "score-12")."""
    round_entry = _round_entry_of(request, round_entry_id)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("values", {}), dict):
        return JsonResponse({"ok": False, "code": "invalid", "detail": _("The request is not valid.")}, status=400)
    data: dict[str, Any] = {"comment": body.get("comment")}
    for key, item in body.get("values", {}).items():
        if isinstance(item, dict):
            if "value" in item:
                data[sheet_form.score_field(key)] = item["value"]
            if "comment" in item:
                data[sheet_form.comment_field(key)] = item["comment"]
    try:
        # The page that sends this opened the sheet; sheet_save locks it and checks every rule again.
        sheet = _sheet_of(request, round_entry)
        if sheet is None:
            raise RuleError(_("This round is not open for scoring."), code="round_not_open")
        values = sheet_form.values_from(data, _criteria_of(round_entry))
        comment = data["comment"] if isinstance(data["comment"], str) else None
        sheet = services.sheet_save(
            sheet=sheet,
            judge=request.user,
            version=sheet_form.version_from(body.get("version")),
            values=values,
            comment=comment,
        )
    except StaleVersion as error:
        sheet = ScoreSheet.objects.get(pk=sheet.pk)
        return JsonResponse(
            {"ok": False, "code": error.code, "detail": error.message, "sheet": sheet_form.sheet_json(sheet)},
            status=409,
        )
    except RuleError as error:
        return JsonResponse(
            {"ok": False, "code": error.code, "detail": error.message, "field": sheet_form.form_field(error)},
            status=400,
        )
    return JsonResponse({"ok": True, "version": sheet.version, "status": sheet.status})


# --- Conflicts of interest ------------------------------------------------------------------------------------


@login_required
@require_POST
def judge_conflict_declare(request: HttpRequest, round_entry_id: int) -> HttpResponse:
    """The judge declares a conflict with the team of an entry they see by name (never in a blind round)."""
    round_entry = _round_entry_of(request, round_entry_id)
    if round_entry.round.is_blind:
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
def judge_conflicts(request: HttpRequest, round_id: int) -> HttpResponse:
    """Declare a conflict with any team of a round, listed by name: only where the round shows names anyway."""
    round = _round_of(request, round_id)
    if round.is_blind:
        raise Http404
    teams = (
        Team.objects.filter(entries__round_entries__round=round)
        .exclude(conflicts__judge=request.user)
        .distinct()
        .order_by("name")
    )
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
def judge_artifact(request: HttpRequest, round_entry_id: int, name: str) -> FileResponse:
    """A thumbnail ("hero", "front", "side", "top") or the 3D model ("model") of an entry the judge may open.

    Served inline under a download name made of the entry code only, never the uploaded file's name.
    """
    round_entry = _round_entry_of(request, round_entry_id)
    storage_name = _artifact_storage_name(round_entry, name)
    if not storage_name:
        raise Http404
    try:
        handle = default_storage.open(storage_name, "rb")
    except (FileNotFoundError, SuspiciousFileOperation):
        raise Http404 from None
    suffix = PurePosixPath(storage_name).suffix.lower()
    if name == MODEL:
        content_type, filename = "model/gltf-binary", f"{round_entry.blind_code}.glb"
    else:
        content_type = mimetypes.guess_type(storage_name)[0] or "application/octet-stream"
        filename = f"{round_entry.blind_code}-{name}{suffix}"
    response = FileResponse(handle, content_type=content_type, filename=filename)
    response["Cache-Control"] = "private, max-age=300"
    return response

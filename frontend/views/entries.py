"""An entry's page: its title and description, its revisions, the upload of a new file and the live status.

A file is uploaded either in one form post (without JavaScript) or, by static/js/upload.js, as a resumable upload
to the API's tus endpoint with the session login (``competitions.api.views.UploadView``). The status JSON lets
static/js/status.js follow processing stage by stage; processing outputs such as the hero thumbnail are served by
``revision_artifact``.

An entry is looked up among the entries of the requesting person's teams only, and an upload among the person's
own uploads; anyone else gets a 404.
"""

import mimetypes
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from competitions import selectors
from competitions.auth import AuthenticatedHttpRequest
from competitions.exceptions import RuleError, StorageFull
from competitions.models import Entry, EntryRevision
from competitions.pipeline.repair import FIXED_ARTIFACT
from competitions.selectors import deadline, reports, workers
from competitions.services import blind_warnings, entries
from frontend.forms import EntryEditForm, RevisionUploadForm, add_rule_error
from frontend.views.stats import stat_rows
from frontend.views.stored_files import stored_file_response

# The figures of a processed revision shown beside the current file, in this order.
STAT_LABELS = [
    ("triangles", gettext_lazy("Triangles")),
    ("vertices", gettext_lazy("Vertices")),
    ("draw_calls", gettext_lazy("Draw calls")),
    ("meshes", gettext_lazy("Meshes")),
    ("materials", gettext_lazy("Materials")),
    ("textures", gettext_lazy("Textures")),
    ("nodes", gettext_lazy("Nodes")),
    ("animations", gettext_lazy("Animations")),
]
# The figures of a ready revision in its row of the revisions table.
READY_STAT_LABELS = [
    ("triangles", gettext_lazy("Triangles")),
    ("vertices", gettext_lazy("Vertices")),
    ("materials", gettext_lazy("Materials")),
    ("textures", gettext_lazy("Textures")),
    ("draw_calls", gettext_lazy("Draw calls")),
]
SEVERITIES = ("error", "warning", "info")
# Bytes per request of the resumable upload (static/js/upload.js): big enough that request overhead does not
# matter, small enough that a dropped connection costs little.
UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024


def _entry_of(request: AuthenticatedHttpRequest, pk: int) -> Entry:
    return get_object_or_404(selectors.entries_visible_to(request.user), pk=pk)


# --- How a revision is shown ----------------------------------------------------------------------------------


def _group_title(severity: str, count: int) -> str:
    if severity == "error":
        return ngettext("%(count)d error", "%(count)d errors", count) % {"count": count}
    if severity == "warning":
        return ngettext("%(count)d warning", "%(count)d warnings", count) % {"count": count}
    return ngettext("%(count)d note", "%(count)d notes", count) % {"count": count}


def _message_groups(revision: EntryRevision, found: list[reports.ReportLine]) -> list[dict[str, Any]]:
    """The report's messages grouped by severity, errors first. A failed revision's are ours, not the entrant's."""
    if revision.status == EntryRevision.Status.FAILED:
        return []
    groups = []
    for severity in SEVERITIES:
        chosen = [m for m in found if m["severity"] == severity]
        if chosen:
            groups.append({"severity": severity, "title": _group_title(severity, len(chosen)), "messages": chosen})
    return groups


def _stages(revision: EntryRevision) -> list[dict[str, str]]:
    """Each processing stage with its state for the progress indicator: done, active, stopped or todo."""
    order = list(EntryRevision.Stage)
    status = revision.status
    if status == EntryRevision.Status.READY:
        current = len(order)
    elif revision.stage in order:
        current = order.index(EntryRevision.Stage(revision.stage))
    elif status == EntryRevision.Status.VALIDATING:
        current = order.index(EntryRevision.Stage.UNPACK)
    elif status == EntryRevision.Status.RENDERING:
        current = order.index(EntryRevision.Stage.RENDER)
    else:  # Received, or finished without a recorded stage.
        current = -1
    at_current = "stopped" if revision.is_final else "active"
    state_labels = {
        "done": _("done"),
        "active": _("in progress"),
        "stopped": _("stopped here"),
        "todo": _("waiting"),
    }
    stages = []
    for index, stage in enumerate(order):
        state = "done" if index < current else at_current if index == current else "todo"
        stages.append(
            {"key": stage.value, "label": str(stage.label), "state": state, "state_label": state_labels[state]}
        )
    return stages


def _artifact_url(revision: EntryRevision, name: str) -> str:
    artifacts = revision.artifacts if isinstance(revision.artifacts, dict) else {}
    if not isinstance(artifacts.get(name), str):
        return ""
    return reverse(
        "frontend:revision-artifact", kwargs={"pk": revision.entry_id, "revision_pk": revision.pk, "name": name}
    )


def _queues_down(revisions: list[EntryRevision]) -> set[str]:
    """The processing queues no live worker consumes, asked only while a revision waits on one."""
    if all(revision.is_final for revision in revisions):
        return set()
    return workers.queues_without_workers()


def _revision_view(revision: EntryRevision, queues_down: set[str], *, open_now: bool) -> dict[str, Any]:
    """What the entry page shows under a revision: stages while it is processed, then the outcome; and whether
    checking is delayed because no worker is alive for the queue it waits on. ``open_now``: the team may upload,
    so a fixed copy may be offered."""
    ready = revision.status == EntryRevision.Status.READY
    rejected = revision.status == EntryRevision.Status.REJECTED
    messages = reports.revision_report(revision)
    view = {
        "revision": revision,
        "delayed": workers.queue_of(revision) in queues_down,
        "stages": _stages(revision),
        "stopped_at": revision.get_stage_display() if revision.stage and revision.is_final else "",
        "groups": _message_groups(revision, messages),
        "has_pointers": any(m["pointer"] for m in messages),
        "folded": False,
        "stats": stat_rows(revision.stats or {}, READY_STAT_LABELS) if ready else [],
        "hero_url": _artifact_url(revision, "hero") if ready else "",
        # A file refused only for padding: the same scene re-padded, to download or to use in one click.
        "fixed_url": _artifact_url(revision, FIXED_ARTIFACT) if rejected and open_now else "",
    }
    view["visible"] = not ready or bool(view["groups"] or view["stats"] or view["hero_url"])
    return view


def _current_view(entry: Entry, revisions: list[EntryRevision]) -> dict[str, Any]:
    current = entry.current_revision
    judged_file = deadline.judged_file_of(entry, revisions=revisions)
    if current is None:
        return {"current": None, "current_stats": [], "current_hero_url": "", "judged": judged_file}
    return {
        "judged": judged_file,
        "current": current,
        "current_stats": stat_rows(current.stats or {}, STAT_LABELS),
        "current_hero_url": _artifact_url(current, "hero"),
    }


# --- Pages ----------------------------------------------------------------------------------------------------


def _render_entry(
    request: HttpRequest,
    entry: Entry,
    *,
    edit_form: EntryEditForm | None = None,
    upload_form: RevisionUploadForm | None = None,
) -> HttpResponse:
    competition = entry.team.competition
    revisions = list(selectors.revisions_of(entry))
    queues_down = _queues_down(revisions)
    open_now = entry.team.submission_is_open()
    rows = [_revision_view(revision, queues_down, open_now=open_now) for revision in revisions]
    # The newest finished revision's report stays open (with any still being checked); older ones are folded: on a
    # phone they made the page many screens long.
    finished = [row for row in rows if row["revision"].is_final]
    for older in finished[1:]:
        older["folded"] = True
    now = timezone.now()
    context = {
        "entry": entry,
        "team": entry.team,
        "competition": competition,
        "revisions": revisions,
        "revision_rows": rows,
        # The JSON-pointer footnote, once under the list, when any report points into the file.
        "has_pointers": any(row["has_pointers"] for row in rows),
        **_current_view(entry, revisions),
        "pending": any(not revision.is_final for revision in revisions),
        "now": now,
        "submission_open": entry.team.submission_is_open(now),
        "edit_form": edit_form or EntryEditForm(initial={"title": entry.title, "description": entry.description}),
        "upload_form": upload_form or RevisionUploadForm(competition=competition),
        "upload_chunk_bytes": UPLOAD_CHUNK_BYTES,
        # Shown while the title, description or newest file name still gives the team away to blind judges.
        "identifying_mentions": blind_warnings.identifying_mentions(entry, revisions[0] if revisions else None),
    }
    return render(request, "portal/entry_detail.html", context)


@login_required
def entry_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The entry's page. The upload script comes back to it with ``?upload=<id>`` once a resumable upload of the
    person's has become a revision; the page then says so, as it does after the form's upload."""
    entry = _entry_of(request, pk)
    received = _revision_of_upload(request, entry)
    if received is not None:
        _received_message(request, received)
    return _render_entry(request, entry)


def _revision_of_upload(request: AuthenticatedHttpRequest, entry: Entry) -> EntryRevision | None:
    try:
        upload_id = UUID(request.GET.get("upload", ""))
    except ValueError:
        return None
    sessions = selectors.upload_sessions_of(request.user).filter(entry=entry, pk=upload_id).select_related("revision")
    session = sessions.first()
    return session.revision if session is not None else None


@login_required
@require_POST
def entry_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = _entry_of(request, pk)
    form = EntryEditForm(request.POST)
    if form.is_valid():
        try:
            entries.entry_update(entry=entry, user=request.user, **form.cleaned_data)
        except RuleError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The entry is saved."))
            return redirect("frontend:entry-detail", pk=entry.pk)
    return _render_entry(request, entry, edit_form=form)


def _received_message(request: HttpRequest, revision: EntryRevision) -> None:
    messages.success(
        request,
        _("Revision %(number)d (“%(name)s”) is received. We are checking it now; its status shows below.")
        % {"number": revision.number, "name": revision.original_name},
    )


@login_required
@require_POST
def revision_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Receive a new file in one request: the form without JavaScript. (Scripts use the API.)"""
    entry = _entry_of(request, pk)
    form = RevisionUploadForm(request.POST, request.FILES, competition=entry.team.competition)
    if form.is_valid():
        try:
            revision = entries.revision_receive(entry=entry, user=request.user, upload=form.cleaned_data["file"])
        except StorageFull as error:
            add_rule_error(form, error)
            return _disk_full(request, entry, form, error)
        except RuleError as error:
            add_rule_error(form, error)
        else:
            _received_message(request, revision)
            return redirect(reverse("frontend:entry-detail", kwargs={"pk": entry.pk}) + "#revisions")
    return _render_entry(request, entry, upload_form=form)


@login_required
@require_POST
def revision_use_fixed(request: AuthenticatedHttpRequest, pk: int, revision_pk: int) -> HttpResponse:
    """Make the fixed copy of a revision refused only for padding the entry's next revision (one click)."""
    revision = get_object_or_404(selectors.revisions_visible_to(request.user), pk=revision_pk, entry_id=pk)
    try:
        fixed = entries.revision_use_fixed(revision=revision, user=request.user)
    except RuleError as error:  # a full disk included
        messages.error(request, str(error))
    else:
        _received_message(request, fixed)
    return redirect(reverse("frontend:entry-detail", kwargs={"pk": pk}) + "#revisions")


def _disk_full(request: HttpRequest, entry: Entry, form: RevisionUploadForm, error: StorageFull) -> HttpResponse:
    """The form again with the message, as 507 with Retry-After: the disk filled up and nothing was kept."""
    response = _render_entry(request, entry, upload_form=form)
    response.status_code = error.status
    response["Retry-After"] = str(error.retry_after_seconds)
    return response


# --- Status and outputs ---------------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def entry_status(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """The status of each revision, for the entry page to follow processing without reloading.

    Each revision comes with its stage, the stages' labels and states, its messages with their JSON pointers, the
    URL of its hero thumbnail when there is one, and ``html``: the block the page shows under it, rendered by the
    same template as the page, so the script only swaps it in.
    """
    entry = _entry_of(request, pk)
    revisions = []
    rows = list(selectors.revisions_of(entry))
    queues_down = _queues_down(rows)
    open_now = entry.team.submission_is_open()
    for revision in rows:
        view = _revision_view(revision, queues_down, open_now=open_now)
        revisions.append(
            {
                "id": revision.pk,
                "number": revision.number,
                "status": revision.status,
                "label": revision.get_status_display(),
                "final": revision.is_final,
                "stage": revision.stage,
                "stage_label": revision.get_stage_display() if revision.stage else "",
                "stages": [{key: stage[key] for key in ("key", "label", "state")} for stage in view["stages"]],
                "messages": [] if revision.status == EntryRevision.Status.FAILED else reports.revision_report(revision),
                "hero_url": view["hero_url"] or None,
                "visible": view["visible"],
                "html": render_to_string("portal/includes/revision_detail.html", {"row": view}, request=request),
            }
        )
    current = entry.current_revision
    return JsonResponse(
        {
            "pending": any(not revision["final"] for revision in revisions),
            "current_revision": current.number if current else None,
            "current_html": render_to_string(
                "portal/includes/current_file.html", _current_view(entry, rows), request=request
            ),
            "revisions": revisions,
        }
    )


@login_required
@require_GET
def revision_artifact(request: AuthenticatedHttpRequest, pk: int, revision_pk: int, name: str) -> FileResponse:
    """A processing output of a revision (its hero thumbnail, ...), for the entry's team only; 404 otherwise.

    Only names the revision's ``artifacts`` list are served, from the storage name recorded there.
    """
    revision = get_object_or_404(selectors.revisions_visible_to(request.user), pk=revision_pk, entry_id=pk)
    artifacts = revision.artifacts if isinstance(revision.artifacts, dict) else {}
    storage_name = artifacts.get(name)
    if not isinstance(storage_name, str) or not storage_name:
        raise Http404
    content_type = mimetypes.guess_type(storage_name)[0] or "application/octet-stream"
    return stored_file_response(storage_name, content_type=content_type)

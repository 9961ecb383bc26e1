"""An entry's page: its title and description, its revisions, the upload of a new file and the live status.

An entry is looked up among the entries of the requesting person's teams only; anyone else gets a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from competitions import selectors
from competitions.exceptions import RuleError
from competitions.models import Entry, EntryRevision
from competitions.services import entries
from frontend.forms import EntryEditForm, RevisionUploadForm, add_rule_error

# The figures of a processed revision shown on the entry page, in this order.
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


def _entry_of(request: HttpRequest, pk: int) -> Entry:
    return get_object_or_404(selectors.entries_visible_to(request.user), pk=pk)


def _is_xhr(request: HttpRequest) -> bool:
    return request.headers.get("x-requested-with") == "XMLHttpRequest"


def _render_entry(
    request: HttpRequest,
    entry: Entry,
    *,
    edit_form: EntryEditForm | None = None,
    upload_form: RevisionUploadForm | None = None,
) -> HttpResponse:
    competition = entry.team.competition
    revisions = list(selectors.revisions_of(entry))
    current = entry.current_revision
    now = timezone.now()
    context = {
        "entry": entry,
        "team": entry.team,
        "competition": competition,
        "revisions": revisions,
        "current": current,
        "current_stats": [(label, current.stats[key]) for key, label in STAT_LABELS if key in current.stats]
        if current
        else [],
        "pending": any(not revision.is_final for revision in revisions),
        "now": now,
        "submission_open": competition.submission_is_open(now),
        "edit_form": edit_form or EntryEditForm(initial={"title": entry.title, "description": entry.description}),
        "upload_form": upload_form or RevisionUploadForm(competition=competition),
    }
    return render(request, "portal/entry_detail.html", context)


@login_required
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_entry(request, _entry_of(request, pk))


@login_required
@require_POST
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
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


@login_required
@require_POST
def revision_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Receive a new file for the entry. The upload script asks for JSON; a plain form post gets a page."""
    entry = _entry_of(request, pk)
    form = RevisionUploadForm(request.POST, request.FILES, competition=entry.team.competition)
    if form.is_valid():
        try:
            revision = entries.revision_receive(entry=entry, user=request.user, upload=form.cleaned_data["file"])
        except RuleError as error:
            add_rule_error(form, error)
        else:
            messages.success(
                request,
                _("Revision %(number)d (“%(name)s”) is received. We are checking it now; its status shows below.")
                % {"number": revision.number, "name": revision.original_name},
            )
            url = reverse("frontend:entry-detail", kwargs={"pk": entry.pk}) + "#revisions"
            if _is_xhr(request):
                return JsonResponse({"ok": True, "redirect": url})
            return redirect(url)
    if _is_xhr(request):
        errors = {field: [str(message) for message in messages_] for field, messages_ in form.errors.items()}
        return JsonResponse({"ok": False, "errors": errors}, status=400)
    return _render_entry(request, entry, upload_form=form)


def _report_messages(revision: EntryRevision) -> list[dict[str, str]]:
    report = revision.report if isinstance(revision.report, dict) else {}
    return [
        {"severity": str(m.get("severity", "")), "message": str(m.get("message", "")), "code": str(m.get("code", ""))}
        for m in report.get("messages") or []
        if isinstance(m, dict)
    ]


@never_cache
@login_required
@require_GET
def entry_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The status of each revision, for the entry page to follow processing without reloading."""
    entry = _entry_of(request, pk)
    revisions = [
        {
            "id": revision.pk,
            "number": revision.number,
            "status": revision.status,
            "label": revision.get_status_display(),
            "final": revision.is_final,
            "messages": _report_messages(revision) if revision.status != EntryRevision.Status.READY else [],
        }
        for revision in selectors.revisions_of(entry)
    ]
    return JsonResponse(
        {
            "pending": any(not revision["final"] for revision in revisions),
            "current_revision": entry.current_revision.number if entry.current_revision else None,
            "revisions": revisions,
        }
    )

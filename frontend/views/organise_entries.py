"""The organiser console's entries of a competition: the list (by track and status), disqualifying and reinstating
an entry with a reason, processing a revision again (or every failed one), and a team's own deadline.

Entries, revisions and teams are looked up only inside a competition the person organises (``competition_of``), so
another competition's are a 404. Every change goes through a service, which audits it.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competitions.auth import AuthenticatedHttpRequest
from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Competition, Entry, EntryRevision
from competitions.selectors import entry_console
from competitions.services import entry_lifecycle
from competitions.services.processing import rerun
from frontend.forms import add_rule_error
from frontend.forms_lifecycle import EntryFilterForm, ReasonForm, TeamDeadlineForm
from frontend.views.organise import competition_of, organiser_required

ENTRIES_PAGE_SIZE = 50


def _entry_in(competition: Competition, entry_id: int) -> Entry:
    return get_object_or_404(
        Entry.objects.select_related("team__competition"), pk=entry_id, track__competition=competition
    )


def _back_to_entries(request: AuthenticatedHttpRequest, competition: Competition) -> HttpResponse:
    """Back to the list the action was taken from (its filters and page), or to its first page."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("frontend:organise-entries", slug=competition.slug)


@organiser_required
@require_GET
def entries_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    competition = competition_of(request, slug)
    filters = EntryFilterForm(request.GET or None, competition=competition)
    track, status = None, ""
    if filters.is_valid():
        track, status = filters.cleaned_data["track"], filters.cleaned_data["status"]
    entries = entry_console.entries_for_console(competition, track=track, status=status)
    page = Paginator(entries, ENTRIES_PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in (("track", track.pk if track else ""), ("status", status)) if v})
    context = {
        "competition": competition,
        "filters": filters,
        "page": page,
        "query": query,
        "here": request.get_full_path(),
        "failed_count": entry_console.failed_revision_count(competition),
        "reason_max_length": entry_lifecycle.REASON_MAX_LENGTH,
    }
    return render(request, "organiser/entries.html", context)


def _with_reason(
    request: AuthenticatedHttpRequest, slug: str, entry_id: int, change: Callable[..., Entry], done: str
) -> HttpResponse:
    """Call ``change`` (a service taking ``entry``, ``actor`` and ``reason``) with the reason posted, flash
    ``done`` (or the refusal) and go back to the list."""
    competition = competition_of(request, slug)
    entry = _entry_in(competition, entry_id)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise RuleError(_("Give a reason."), code=ErrorCode.REASON_REQUIRED)
        change(entry=entry, actor=request.user, reason=form.cleaned_data["reason"])
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"entry": entry.title})
    return _back_to_entries(request, competition)


@organiser_required
@require_POST
def entry_disqualify(request: AuthenticatedHttpRequest, slug: str, entry_id: int) -> HttpResponse:
    done = _("“%(entry)s” is disqualified.")
    return _with_reason(request, slug, entry_id, entry_lifecycle.entry_disqualify, done)


@organiser_required
@require_POST
def entry_reinstate(request: AuthenticatedHttpRequest, slug: str, entry_id: int) -> HttpResponse:
    done = _("“%(entry)s” is reinstated.")
    return _with_reason(request, slug, entry_id, entry_lifecycle.entry_reinstate, done)


@organiser_required
@require_POST
def revision_rerun(request: AuthenticatedHttpRequest, slug: str, revision_id: int) -> HttpResponse:
    competition = competition_of(request, slug)
    revision = get_object_or_404(
        EntryRevision.objects.select_related("entry"), pk=revision_id, entry__track__competition=competition
    )
    try:
        rerun.revision_rerun(revision=revision, actor=request.user)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Revision %(number)d of “%(entry)s” is being checked again.")
            % {"number": revision.number, "entry": revision.entry.title},
        )
    return _back_to_entries(request, competition)


@organiser_required
@require_POST
def rerun_failed(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    competition = competition_of(request, slug)
    ids = rerun.revisions_rerun_failed(competition=competition, actor=request.user)
    if ids:
        messages.success(request, _("Failed files being checked again: %(count)d.") % {"count": len(ids)})
    else:
        messages.info(request, _("No failed file to check again."))
    return _back_to_entries(request, competition)


@organiser_required
@require_http_methods(["GET", "POST"])
def team_deadline(request: AuthenticatedHttpRequest, slug: str, team_id: int) -> HttpResponse:
    """Give one team until a later instant to upload, read in the competition's time zone."""
    competition = competition_of(request, slug)
    team = get_object_or_404(entry_console.teams_for_console(competition), pk=team_id)
    initial = {"deadline": team.submission_deadline}
    with timezone.override(competition.zone):
        form = TeamDeadlineForm(request.POST or None, initial=initial)
        valid = request.method == "POST" and form.is_valid()
    if valid:
        try:
            entry_lifecycle.team_extend_deadline(team=team, actor=request.user, **form.cleaned_data)
        except RuleError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("Team “%(team)s” may now upload until the new deadline.") % {"team": team.name})
            return redirect("frontend:organise-entries", slug=competition.slug)
    status = 400 if request.method == "POST" else 200
    context = {"competition": competition, "team": team, "form": form}
    return render(request, "organiser/team_deadline.html", context, status=status)

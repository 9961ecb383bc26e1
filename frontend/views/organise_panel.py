"""The organiser console's panel pages of a round: the judges (invite, withdraw) and their conflicts of interest;
the assignments (run the automatic assignment, add or remove one by hand), each judge's load and progress, and the
reopening of a submitted score sheet."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competitions.auth import AuthenticatedHttpRequest
from competitions.exceptions import RuleError
from competitions.models import Conflict, Round
from competitions.selectors import organiser as organiser_selectors
from competitions.services import assignment as assignment_service
from competitions.services import judging
from frontend.forms import AssignmentAddForm, ConflictForm, JudgeInviteForm, SheetReopenForm, add_rule_error
from frontend.views.organise import organiser_required, round_of

# --- Judges and conflicts -------------------------------------------------------------------------------------


def _render_panel(
    request: AuthenticatedHttpRequest,
    round: Round,
    *,
    invite_form: JudgeInviteForm | None = None,
    conflict_form: ConflictForm | None = None,
    status: int = 200,
) -> HttpResponse:
    competition = round.competition
    context = {
        "round": round,
        "competition": competition,
        "panelists": organiser_selectors.panelists_of(round),
        "conflicts": organiser_selectors.conflicts_of_panel(round),
        "invite_form": invite_form or JudgeInviteForm(tracks=competition.tracks.all()),
        "conflict_form": conflict_form or _conflict_form(round),
        "section": "panel",
    }
    return render(request, "organiser/round_panel.html", context, status=status)


def _conflict_form(round: Round, data: Any = None) -> ConflictForm:
    teams = organiser_selectors.teams_of_competition(round.competition)
    return ConflictForm(data, judges=organiser_selectors.panel_users(round), teams=teams)


def _panel_url(round: Round, anchor: str = "") -> str:
    return reverse("frontend:organise-round-panel", kwargs={"pk": round.pk}) + (f"#{anchor}" if anchor else "")


@organiser_required
@require_GET
def round_panel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_panel(request, round_of(request, pk))


@organiser_required
@require_POST
def judge_invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round = round_of(request, pk)
    form = JudgeInviteForm(request.POST, tracks=round.competition.tracks.all())
    if form.is_valid():
        data = form.cleaned_data
        try:
            judging.judge_invite(
                round=round, email=data["email"], actor=request.user, name=data["name"], tracks=list(data["tracks"])
            )
        except RuleError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("%(email)s is invited; we sent them an email.") % {"email": data["email"]})
            return redirect(_panel_url(round, "judges"))
    return _render_panel(request, round, invite_form=form, status=400)


@organiser_required
@require_http_methods(["GET", "POST"])
def judge_withdraw(request: AuthenticatedHttpRequest, pk: int, panelist_id: int) -> HttpResponse:
    """GET asks for confirmation (saying what happens to the judge's entries and scores); POST withdraws."""
    round = round_of(request, pk)
    panelist = get_object_or_404(organiser_selectors.panelists_of(round), pk=panelist_id)
    if request.method == "GET":
        load = organiser_selectors.judge_load(round, panelist)
        context = {"round": round, "panelist": panelist, "assigned": load.assigned, "submitted": load.submitted}
        return render(request, "organiser/judge_withdraw.html", context)
    try:
        judging.judge_withdraw(panelist=panelist, actor=request.user)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(email)s is withdrawn. Run the assignment again to give their entries to other judges.")
            % {"email": panelist.user.email},
        )
    return redirect(_panel_url(round, "judges"))


@organiser_required
@require_POST
def conflict_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round = round_of(request, pk)
    form = _conflict_form(round, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            judging.conflict_declare(
                competition=round.competition,
                judge=data["judge"],
                team=data["team"],
                actor=request.user,
                reason=data["reason"],
                source=Conflict.Source.ORGANISER,
            )
        except RuleError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The conflict is recorded; that judge will not be given the team's entries."))
            return redirect(_panel_url(round, "conflicts"))
    return _render_panel(request, round, conflict_form=form, status=400)


@organiser_required
@require_POST
def conflict_remove(request: AuthenticatedHttpRequest, pk: int, conflict_id: int) -> HttpResponse:
    round = round_of(request, pk)
    conflict = get_object_or_404(organiser_selectors.conflicts_of_panel(round), pk=conflict_id)
    try:
        judging.conflict_remove(conflict=conflict, actor=request.user)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The conflict is removed."))
    return redirect(_panel_url(round, "conflicts"))


# --- Assignments and progress ---------------------------------------------------------------------------------


def _assignment_form(round: Round, data: Any = None) -> AssignmentAddForm:
    return AssignmentAddForm(
        data,
        judges=organiser_selectors.panel_users(round, active_only=True),
        round_entries=organiser_selectors.round_entries_by_code(round),
    )


def _assignments_url(round: Round, anchor: str = "") -> str:
    return reverse("frontend:organise-round-assignments", kwargs={"pk": round.pk}) + (f"#{anchor}" if anchor else "")


def _render_assignments(
    request: AuthenticatedHttpRequest, round: Round, *, add_form: AssignmentAddForm | None = None, status: int = 200
) -> HttpResponse:
    overview = organiser_selectors.assignments_overview(round, request.GET.get("page"))
    context = {
        "round": round,
        "competition": round.competition,
        "loads": overview.loads,
        "tracks": overview.tracks,
        "page": overview.page,
        "rows": overview.rows,
        "judge_graphs": organiser_selectors.judge_graphs_of(round),
        "add_form": add_form or _assignment_form(round),
        "section": "assignments",
    }
    return render(request, "organiser/round_assignments.html", context, status=status)


@organiser_required
@require_GET
def round_assignments(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_assignments(request, round_of(request, pk))


def _report_messages(
    request: AuthenticatedHttpRequest, round: Round, report: assignment_service.AssignmentReport
) -> None:
    if not report.unfilled:
        messages.success(request, report.message)
        return
    codes = organiser_selectors.entry_codes(round, report.unfilled)
    messages.warning(
        request,
        _("%(report)s Entries short of judges: %(codes)s.") % {"report": report.message, "codes": ", ".join(codes)},
    )


@organiser_required
@require_POST
def round_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round = round_of(request, pk)
    try:
        report = assignment_service.round_assign(round=round, actor=request.user)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        _report_messages(request, round, report)
    return redirect(_assignments_url(round))


@organiser_required
@require_POST
def assignment_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round = round_of(request, pk)
    form = _assignment_form(round, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            assignment_service.assignment_add(
                round=round, judge=data["judge"], round_entry=data["round_entry"], actor=request.user
            )
        except RuleError as error:
            add_rule_error(form, error)
        else:
            messages.success(
                request,
                _("%(email)s now judges %(code)s.")
                % {"email": data["judge"].email, "code": data["round_entry"].blind_code},
            )
            return redirect(_assignments_url(round, "entries"))
    return _render_assignments(request, round, add_form=form, status=400)


@organiser_required
@require_POST
def assignment_remove(request: AuthenticatedHttpRequest, pk: int, assignment_id: int) -> HttpResponse:
    round = round_of(request, pk)
    assignment = get_object_or_404(organiser_selectors.assignments_of(round), pk=assignment_id)
    try:
        assignment_service.assignment_remove(assignment=assignment, actor=request.user)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(email)s no longer judges %(code)s.")
            % {"email": assignment.judge.email, "code": assignment.round_entry.blind_code},
        )
    return redirect(_assignments_url(round, "entries"))


@organiser_required
@require_http_methods(["GET", "POST"])
def sheet_reopen(request: AuthenticatedHttpRequest, pk: int, sheet_id: int) -> HttpResponse:
    round = round_of(request, pk)
    sheet = get_object_or_404(organiser_selectors.sheets_of(round), pk=sheet_id)
    form = SheetReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            judging.sheet_reopen(sheet=sheet, actor=request.user, reason=form.cleaned_data["reason"])
        except RuleError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The sheet of %(email)s for %(code)s is reopened.")
                % {"email": sheet.judge.email, "code": sheet.round_entry.blind_code},
            )
        return redirect(_assignments_url(round, "entries"))
    context = {"round": round, "competition": round.competition, "sheet": sheet, "form": form}
    return render(request, "organiser/sheet_reopen.html", context)

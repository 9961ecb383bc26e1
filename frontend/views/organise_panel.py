"""The organiser console's panel pages of a round: the judges (invite, withdraw) and their conflicts of interest;
the assignments (run the automatic assignment, add or remove one by hand), each judge's load and progress, and the
reopening of a submitted score sheet."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competitions.exceptions import RuleError
from competitions.models import Assignment, Conflict, Panelist, Round, ScoreSheet, Team
from competitions.services import assignment as assignment_service
from competitions.services import judging
from frontend.forms import AssignmentAddForm, ConflictForm, JudgeInviteForm, SheetReopenForm, add_rule_error
from frontend.views.organise import organiser_required, round_of

User = get_user_model()
ENTRIES_PAGE_SIZE = 50


# --- Reads ----------------------------------------------------------------------------------------------------


def _panelists(round: Round) -> QuerySet[Panelist]:
    return round.panelists.select_related("user__profile").prefetch_related("tracks")


def _panel_users(round: Round, *, active_only: bool = False) -> QuerySet:
    seats = round.panelists.filter(withdrawn_at__isnull=True) if active_only else round.panelists.all()
    return User.objects.filter(pk__in=seats.values("user_id")).select_related("profile").order_by("email")


def _conflicts(round: Round) -> QuerySet[Conflict]:
    return (
        Conflict.objects.filter(competition=round.competition, judge__panel_seats__round=round)
        .select_related("judge__profile", "team")
        .order_by("judge__email", "team__name")
    )


def _judge_loads(round: Round) -> list[dict[str, Any]]:
    """Each judge of the panel with their number of assignments and of submitted sheets."""
    assigned = dict(
        Assignment.objects.filter(round=round).values("judge").annotate(n=Count("pk")).values_list("judge", "n")
    )
    submitted = dict(
        ScoreSheet.objects.filter(round=round, status=ScoreSheet.Status.SUBMITTED)
        .values("judge")
        .annotate(n=Count("pk"))
        .values_list("judge", "n")
    )
    return [
        {
            "panelist": panelist,
            "assigned": assigned.get(panelist.user_id, 0),
            "submitted": submitted.get(panelist.user_id, 0),
        }
        for panelist in _panelists(round)
    ]


def _track_progress(round: Round) -> list[dict[str, Any]]:
    """Per track: entries, assignments and submitted sheets."""
    entries = round.round_entries.values("track__pk", "track__name", "track__name_zh").annotate(
        entries=Count("pk", distinct=True),
        assigned=Count("assignments", distinct=True),
        submitted=Count("sheets", filter=Q(sheets__status=ScoreSheet.Status.SUBMITTED), distinct=True),
    )
    return sorted(entries, key=lambda row: row["track__name"])


def _entry_rows(round: Round, page_number: str | None) -> tuple[Any, list[dict[str, Any]]]:
    """A page of the round's entries, each with its judges and the state of each judge's sheet."""
    entries = round.round_entries.select_related("entry__team", "track").prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("judge__profile").order_by("judge__email"))
    )
    page = Paginator(entries, ENTRIES_PAGE_SIZE).get_page(page_number)
    ids = [round_entry.pk for round_entry in page.object_list]
    sheets: dict[tuple[int, int], ScoreSheet] = {
        (sheet.round_entry_id, sheet.judge_id): sheet
        for sheet in ScoreSheet.objects.filter(round_entry_id__in=ids).only(
            "pk", "round_entry_id", "judge_id", "status", "submitted_at"
        )
    }
    rows = []
    for round_entry in page.object_list:
        judges = [
            {"assignment": assignment, "sheet": sheets.get((round_entry.pk, assignment.judge_id))}
            for assignment in round_entry.assignments.all()
        ]
        rows.append({"round_entry": round_entry, "judges": judges, "missing": round.judges_per_entry - len(judges)})
    return page, rows


# --- Judges and conflicts -------------------------------------------------------------------------------------


def _render_panel(
    request: HttpRequest,
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
        "panelists": _panelists(round),
        "conflicts": _conflicts(round),
        "invite_form": invite_form or JudgeInviteForm(tracks=competition.tracks.all()),
        "conflict_form": conflict_form or _conflict_form(round),
        "section": "panel",
    }
    return render(request, "organiser/round_panel.html", context, status=status)


def _conflict_form(round: Round, data: Any = None) -> ConflictForm:
    teams = Team.objects.filter(competition=round.competition).order_by("name")
    return ConflictForm(data, judges=_panel_users(round), teams=teams)


def _panel_url(round: Round, anchor: str = "") -> str:
    return reverse("frontend:organise-round-panel", kwargs={"pk": round.pk}) + (f"#{anchor}" if anchor else "")


@organiser_required
@require_GET
def round_panel(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_panel(request, round_of(pk))


@organiser_required
@require_POST
def judge_invite(request: HttpRequest, pk: int) -> HttpResponse:
    round = round_of(pk)
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
def judge_withdraw(request: HttpRequest, pk: int, panelist_id: int) -> HttpResponse:
    """GET asks for confirmation (saying what happens to the judge's entries and scores); POST withdraws."""
    round = round_of(pk)
    panelist = get_object_or_404(round.panelists.select_related("user__profile"), pk=panelist_id)
    if request.method == "GET":
        context = {
            "round": round,
            "panelist": panelist,
            "assigned": round.assignments.filter(judge_id=panelist.user_id).count(),
            "submitted": round.sheets.filter(judge_id=panelist.user_id, status=ScoreSheet.Status.SUBMITTED).count(),
        }
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
def conflict_create(request: HttpRequest, pk: int) -> HttpResponse:
    round = round_of(pk)
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
def conflict_remove(request: HttpRequest, pk: int, conflict_id: int) -> HttpResponse:
    round = round_of(pk)
    conflict = get_object_or_404(_conflicts(round), pk=conflict_id)
    try:
        judging.conflict_remove(conflict=conflict, actor=request.user)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The conflict is removed."))
    return redirect(_panel_url(round, "conflicts"))


# --- Assignments and progress ---------------------------------------------------------------------------------


def _assignment_form(round: Round, data: Any = None) -> AssignmentAddForm:
    round_entries = round.round_entries.select_related("entry").order_by("blind_code")
    return AssignmentAddForm(data, judges=_panel_users(round, active_only=True), round_entries=round_entries)


def _assignments_url(round: Round, anchor: str = "") -> str:
    return reverse("frontend:organise-round-assignments", kwargs={"pk": round.pk}) + (f"#{anchor}" if anchor else "")


def _render_assignments(
    request: HttpRequest, round: Round, *, add_form: AssignmentAddForm | None = None, status: int = 200
) -> HttpResponse:
    page, rows = _entry_rows(round, request.GET.get("page"))
    context = {
        "round": round,
        "competition": round.competition,
        "loads": _judge_loads(round),
        "tracks": _track_progress(round),
        "page": page,
        "rows": rows,
        "add_form": add_form or _assignment_form(round),
        "section": "assignments",
    }
    return render(request, "organiser/round_assignments.html", context, status=status)


@organiser_required
@require_GET
def round_assignments(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_assignments(request, round_of(pk))


def _report_messages(request: HttpRequest, round: Round, report: assignment_service.AssignmentReport) -> None:
    if not report.unfilled:
        messages.success(request, report.message)
        return
    codes = (
        round.round_entries.filter(pk__in=report.unfilled).order_by("blind_code").values_list("blind_code", flat=True)
    )
    messages.warning(
        request,
        _("%(report)s Entries short of judges: %(codes)s.") % {"report": report.message, "codes": ", ".join(codes)},
    )


@organiser_required
@require_POST
def round_assign(request: HttpRequest, pk: int) -> HttpResponse:
    round = round_of(pk)
    try:
        report = assignment_service.round_assign(round=round, actor=request.user)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        _report_messages(request, round, report)
    return redirect(_assignments_url(round))


@organiser_required
@require_POST
def assignment_add(request: HttpRequest, pk: int) -> HttpResponse:
    round = round_of(pk)
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
def assignment_remove(request: HttpRequest, pk: int, assignment_id: int) -> HttpResponse:
    round = round_of(pk)
    assignment = get_object_or_404(round.assignments.select_related("judge", "round_entry"), pk=assignment_id)
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
def sheet_reopen(request: HttpRequest, pk: int, sheet_id: int) -> HttpResponse:
    round = round_of(pk)
    sheet = get_object_or_404(
        ScoreSheet.objects.filter(round=round).select_related("judge__profile", "round_entry__entry__team"),
        pk=sheet_id,
    )
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

"""Teams: create, join, the team page, the captain's actions, leaving, new entries, and invitations by email.

A team is looked up among the requesting person's own teams only, so anyone else gets a 404, as for a team that
does not exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from competitions import selectors
from competitions.auth import AuthenticatedHttpRequest
from competitions.exceptions import RuleError
from competitions.models import Membership, Team
from competitions.selectors.invitations import invitation_by_token, invitations_pending
from competitions.selectors.notifications import banners_for
from competitions.services import entries, invitations, teams
from frontend.forms import EntryCreateForm, TeamCreateForm, TeamInvitationForm, TeamJoinForm, add_rule_error
from frontend.templatetags.portal import display_name


def _team_of(request: AuthenticatedHttpRequest, pk: int) -> Team:
    return get_object_or_404(selectors.teams_of(request.user), pk=pk)


def _membership_in(team: Team, user_id: int) -> Membership:
    """A member of ``team`` from its prefetched memberships; 404 for anyone else."""
    for membership in team.memberships.all():
        if membership.user_id == user_id:
            return membership
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    competition = get_object_or_404(selectors.competitions_visible(), slug=slug)
    form = TeamCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = teams.team_create(competition=competition, user=request.user, name=form.cleaned_data["name"])
        except RuleError as error:
            add_rule_error(form, error)
        else:
            messages.success(
                request,
                _("Team “%(team)s” is created and you are its captain. Share the invite code with your team.")
                % {"team": team.name},
            )
            return redirect("frontend:team-detail", pk=team.pk)
    return render(request, "portal/team_create.html", {"competition": competition, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def team_join(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TeamJoinForm(request.POST or None, initial={"invite_code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        try:
            team = teams.team_join(user=request.user, invite_code=form.cleaned_data["invite_code"])
        except RuleError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("You joined team “%(team)s”.") % {"team": team.name})
            return redirect("frontend:team-detail", pk=team.pk)
    return render(request, "portal/team_join.html", {"form": form})


@login_required
def team_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _team_page(request, _team_of(request, pk))


def _team_page(
    request: AuthenticatedHttpRequest, team: Team, invitation_form: TeamInvitationForm | None = None
) -> HttpResponse:
    """The team page of a member, with the invitation form as it was sent back when it had errors."""
    competition = team.competition
    now = timezone.now()
    membership = _membership_in(team, request.user.pk)
    context = {
        "team": team,
        "competition": competition,
        "memberships": team.memberships.all(),
        "membership": membership,
        "is_captain": membership.is_captain,
        "entries": team.entries.all(),
        "registration_open": competition.registration_is_open(now),
        "submission_open": team.submission_is_open(now),
        "deadline_passed": now >= team.submission_deadline,
        "entry_form": EntryCreateForm(tracks=competition.tracks.all()),
        "invitation_form": invitation_form or TeamInvitationForm(),
        "invitations": invitations_pending(team, now),
        "banners": banners_for(user=request.user, team=team, now=now),
    }
    return render(request, "portal/team_detail.html", context)


@login_required
@require_POST
def team_rotate_code(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    team = _team_of(request, pk)
    try:
        code = teams.team_rotate_invite_code(team=team, by=request.user)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The new invite code is %(code)s. The old one no longer works.") % {"code": code})
    return redirect("frontend:team-detail", pk=team.pk)


def _confirm_page(request: AuthenticatedHttpRequest, team: Team, **context: object) -> HttpResponse:
    return render(request, "portal/team_confirm.html", {"team": team, "competition": team.competition, **context})


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: AuthenticatedHttpRequest, pk: int, user_id: int) -> HttpResponse:
    team = _team_of(request, pk)
    member = _membership_in(team, user_id).user
    if request.method == "GET":
        return _confirm_page(request, team, action="remove", member=member)
    try:
        teams.team_remove_member(team=team, by=request.user, member=member)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is no longer in the team.") % {"name": display_name(member)})
    return redirect("frontend:team-detail", pk=team.pk)


@login_required
@require_http_methods(["GET", "POST"])
def member_make_captain(request: AuthenticatedHttpRequest, pk: int, user_id: int) -> HttpResponse:
    team = _team_of(request, pk)
    member = _membership_in(team, user_id).user
    if request.method == "GET":
        return _confirm_page(request, team, action="captain", member=member)
    try:
        teams.team_transfer_captaincy(team=team, by=request.user, to=member)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is now the team captain.") % {"name": display_name(member)})
    return redirect("frontend:team-detail", pk=team.pk)


@login_required
@require_http_methods(["GET", "POST"])
def team_leave(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    team = _team_of(request, pk)
    if request.method == "GET":
        return _confirm_page(request, team, action="leave")
    try:
        dissolved = teams.team_leave(team=team, user=request.user)
    except RuleError as error:
        messages.error(request, error.message)
        return redirect("frontend:team-detail", pk=team.pk)
    if dissolved:
        message = _("You left “%(team)s”; it had no other members, so it is gone.")
    else:
        message = _("You left “%(team)s”.")
    messages.success(request, message % {"team": team.name})
    return redirect("frontend:competition-detail", slug=team.competition.slug)


@login_required
@require_http_methods(["GET", "POST"])
def entry_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    team = _team_of(request, pk)
    form = EntryCreateForm(request.POST or None, tracks=team.competition.tracks.all())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = entries.entry_create(
                team=team, track=data["track"], user=request.user, title=data["title"], description=data["description"]
            )
        except RuleError as error:
            add_rule_error(form, error)
        else:
            messages.success(
                request, _("Entry “%(title)s” is created. Upload its scene file below.") % {"title": entry.title}
            )
            return redirect("frontend:entry-detail", pk=entry.pk)
    return render(request, "portal/entry_create.html", {"team": team, "competition": team.competition, "form": form})


# --- Invitations by email ----------------------------------------------------------------------------------------


@login_required
@require_POST
def invitation_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    team = _team_of(request, pk)
    form = TeamInvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitations.invitation_create(team=team, email=form.cleaned_data["email"], user=request.user)
        except RuleError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("We emailed an invitation to %(email)s.") % {"email": invitation.email})
            return redirect("frontend:team-detail", pk=team.pk)
    return _team_page(request, team, invitation_form=form)


@login_required
@require_POST
def invitation_revoke(request: AuthenticatedHttpRequest, pk: int, invitation_id: int) -> HttpResponse:
    team = _team_of(request, pk)
    invitation = get_object_or_404(team.invitations, pk=invitation_id)
    try:
        invitations.invitation_revoke(invitation=invitation, user=request.user)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The invitation to %(email)s is withdrawn; its link no longer works.") % {"email": invitation.email},
        )
    return redirect("frontend:team-detail", pk=team.pk)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """What the invitation's link opens: what the person is joining and a button; only the POST joins."""
    invitation = invitation_by_token(token)
    if invitation is None:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            team = invitations.invitation_accept(invitation=invitation, user=request.user)
        except RuleError as refusal:
            error = refusal.message
        else:
            messages.success(request, _("You joined team “%(team)s”.") % {"team": team.name})
            return redirect("frontend:team-detail", pk=team.pk)
    try:
        invitations.check_invitation_usable(invitation, request.user)
    except RuleError as refusal:
        usable, error = False, error or refusal.message
    else:
        usable = True
    team = invitation.team
    context = {
        "invitation": invitation,
        "team": team,
        "competition": team.competition,
        "usable": usable,
        "error": error,
    }
    return render(request, "portal/team_invitation.html", context)

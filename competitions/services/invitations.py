"""Invitations to a team by email: a member invites an address, the person signed in with that address accepts
through the link, and joins by the same rules as with the invite code (``teams.membership_create``).

Rows are locked team first, then invitation, as everywhere a team's members change.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Membership, Team, TeamInvitation
from competitions.models.teams import INVITATION_LIFETIME
from competitions.services.accounts import checked_email, normalise_email
from competitions.services.notifications import in_languages, mail_languages
from competitions.services.teams import check_registration_open, check_team_has_room, lock_team, membership_create


def _check_member(team: Team, user: User) -> None:
    if not Membership.objects.filter(team=team, user=user).exists():
        raise RuleError(_("You are not a member of this team."), code=ErrorCode.NOT_MEMBER)


@transaction.atomic
def invitation_create(*, team: Team, email: str, user: User) -> TeamInvitation:
    """A member of ``team`` (captain or not) invites ``email`` while registration is open and the team has room.

    Refuses an address that is already a member's. An address with a pending invitation to this team gets that one
    renewed (the same link, a new expiry). The invitation expires after ``INVITATION_LIFETIME`` or when registration
    closes, whichever comes first. Locks the team row. The email is sent after commit.
    """
    team = lock_team(team)
    _check_member(team, user)
    competition = team.competition
    check_registration_open(competition)
    email = checked_email(email)
    if team.memberships.filter(Q(user__email__iexact=email) | Q(user__username__iexact=email)).exists():
        raise RuleError(
            _("%(email)s is already a member of this team.") % {"email": email},
            code=ErrorCode.ALREADY_IN_TEAM,
            field="email",
        )
    check_team_has_room(team)
    expires_at = min(timezone.now() + INVITATION_LIFETIME, competition.registration_closes_at)
    invitation, created = TeamInvitation.objects.get_or_create(
        team=team,
        email=email,
        status=TeamInvitation.Status.PENDING,
        defaults={"invited_by": user, "expires_at": expires_at},
    )
    if not created:
        invitation.invited_by = user
        invitation.expires_at = expires_at
        invitation.save(update_fields=["invited_by", "expires_at"])
    language = translation.get_language()
    transaction.on_commit(lambda: invitation_send(invitation=invitation, language=language))
    return invitation


def invitation_send(*, invitation: TeamInvitation, language: str | None = None) -> None:
    """Email the invitation's link to the invited address, in English and Chinese, ``language`` first: the address
    may have no account (and so no known language) yet, and the people one invites most likely share one's
    language."""
    team = invitation.team
    context = {
        "invitation": invitation,
        "team": team,
        "competition": team.competition,
        "inviter": invitation.invited_by,
        "link": settings.SITE_URL + reverse("frontend:invitation-accept", kwargs={"token": invitation.token}),
        "site_name": settings.SITE_NAME,
    }

    def render() -> tuple[str, str]:
        subject = _("Join team “%(team)s” in %(competition)s") % {
            "team": team.name,
            "competition": team.competition.display_name,
        }
        return subject, render_to_string("emails/team_invitation.txt", context)

    subject, body = in_languages(mail_languages(None, first=language), render)
    send_mail(
        subject=subject,
        message=body,
        from_email=None,
        recipient_list=[invitation.email],
    )


def check_invitation_usable(invitation: TeamInvitation, user: User) -> None:
    """Refuse an invitation that was accepted, revoked or has expired, or that was sent to another address than
    ``user``'s (compared without regard to case)."""
    if invitation.status == TeamInvitation.Status.ACCEPTED:
        raise RuleError(_("This invitation has already been used."), code=ErrorCode.INVITATION_USED)
    if invitation.status == TeamInvitation.Status.REVOKED:
        raise RuleError(
            _("The team withdrew this invitation. Ask them for a new one if you still want to join."),
            code=ErrorCode.INVITATION_REVOKED,
        )
    if invitation.is_expired():
        raise RuleError(
            _("This invitation has expired. Ask the team to invite you again."), code=ErrorCode.INVITATION_EXPIRED
        )
    if invitation.email not in {normalise_email(user.email), normalise_email(user.username)}:
        raise RuleError(
            _(
                "This invitation was sent to another email address than the one you are logged in with. Log in "
                "with the address the email came to, or ask the team to invite %(email)s."
            )
            % {"email": user.email},
            code=ErrorCode.WRONG_ADDRESS,
        )


@transaction.atomic
def invitation_accept(*, invitation: TeamInvitation, user: User) -> Team:
    """``user``, signed in with the invited address, joins the team by the rules of ``teams.membership_create``.

    Locks the team, then the invitation; the invitation is used up only when the person joined: after a refusal
    (team full, already in a team, registration closed) it stays pending.
    """
    team = lock_team(invitation.team)
    invitation = TeamInvitation.objects.select_for_update().get(pk=invitation.pk)
    check_invitation_usable(invitation, user)
    team = membership_create(team=team, user=user)
    invitation.status = TeamInvitation.Status.ACCEPTED
    invitation.accepted_by = user
    invitation.closed_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "closed_at"])
    return team


@transaction.atomic
def invitation_revoke(*, invitation: TeamInvitation, user: User) -> None:
    """A member of the invitation's team withdraws it: its link stops working. Revoking twice changes nothing."""
    invitation = TeamInvitation.objects.select_for_update().get(pk=invitation.pk)
    _check_member(invitation.team, user)
    if invitation.status == TeamInvitation.Status.ACCEPTED:
        raise RuleError(_("This invitation has already been used."), code=ErrorCode.INVITATION_USED)
    if invitation.status == TeamInvitation.Status.PENDING:
        invitation.status = TeamInvitation.Status.REVOKED
        invitation.closed_at = timezone.now()
        invitation.save(update_fields=["status", "closed_at"])

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Competition, Membership, Team
from competitions.models.teams import new_invite_code


def _check_account_confirmed(user: User) -> None:
    if not user.is_active:
        raise RuleError(_("Confirm your email address first."), code=ErrorCode.EMAIL_UNCONFIRMED)


def check_registration_open(competition: Competition) -> None:
    now = timezone.now()
    if now < competition.registration_opens_at:
        raise RuleError(
            _("Registration for this competition has not opened yet."), code=ErrorCode.REGISTRATION_NOT_OPEN
        )
    if now >= competition.registration_closes_at:
        raise RuleError(_("Registration for this competition has closed."), code=ErrorCode.REGISTRATION_CLOSED)


def _check_before_deadline(competition: Competition) -> None:
    if timezone.now() >= competition.submission_deadline:
        raise RuleError(
            _("The submission deadline has passed; teams can no longer change."), code=ErrorCode.AFTER_DEADLINE
        )


def _check_not_in_a_team(competition: Competition, user: User) -> None:
    if Membership.objects.filter(competition=competition, user=user).exists():
        raise RuleError(_("You are already in a team in this competition."), code=ErrorCode.ALREADY_IN_TEAM)


def lock_team(team: Team) -> Team:
    """Lock the team row: every change to a team's members happens under this lock, so counts are exact."""
    return Team.objects.select_for_update().select_related("competition").get(pk=team.pk)


def _check_captain(team: Team, user: User) -> None:
    if not Membership.objects.filter(team=team, user=user, role=Membership.Role.CAPTAIN).exists():
        raise RuleError(_("Only the team captain can do this."), code=ErrorCode.NOT_CAPTAIN)


@transaction.atomic
def team_create(*, competition: Competition, user: User, name: str) -> Team:
    """Create a team with ``user`` as its captain, during registration, if the user has no team there yet."""
    _check_account_confirmed(user)
    check_registration_open(competition)
    name = " ".join(name.split())
    if not name:
        raise RuleError(_("Give your team a name."), code=ErrorCode.NAME_REQUIRED, field="name")
    _check_not_in_a_team(competition, user)
    if Team.objects.filter(competition=competition, name__iexact=name).exists():
        raise RuleError(
            _("A team with this name already exists in this competition."), code=ErrorCode.NAME_TAKEN, field="name"
        )
    try:
        with transaction.atomic():
            team = Team.objects.create(competition=competition, name=name)
            Membership.objects.create(team=team, competition=competition, user=user, role=Membership.Role.CAPTAIN)
    except IntegrityError:
        # Two requests raced past the checks above; the database constraints decided.
        raise RuleError(_("You are already in a team, or the name was just taken."), code=ErrorCode.CONFLICT) from None
    return team


def check_team_has_room(team: Team) -> None:
    """Refuse when the team has as many members as its competition allows. Exact only with the team row locked."""
    team_size_max = team.competition.team_size_max
    if team.memberships.count() >= team_size_max:
        raise RuleError(
            _("This team is full (at most %(max)d members).") % {"max": team_size_max}, code=ErrorCode.TEAM_FULL
        )


@transaction.atomic
def membership_create(*, team: Team, user: User) -> Team:
    """Put ``user`` in ``team``: the one way into a team, whether by invite code or by an emailed invitation.

    The rules: a confirmed account, registration open, no team yet in the competition, room in the team. Locks the
    team row (until the caller's transaction ends); returns the locked team. A refusal writes nothing.
    """
    _check_account_confirmed(user)
    team = lock_team(team)
    competition = team.competition
    check_registration_open(competition)
    _check_not_in_a_team(competition, user)
    check_team_has_room(team)
    try:
        with transaction.atomic():
            Membership.objects.create(team=team, competition=competition, user=user)
    except IntegrityError:
        raise RuleError(_("You are already in a team in this competition."), code=ErrorCode.ALREADY_IN_TEAM) from None
    return team


@transaction.atomic
def team_join(*, user: User, invite_code: str) -> Team:
    """Join the team whose invite code this is, by the rules of ``membership_create``."""
    _check_account_confirmed(user)
    code = invite_code.strip().upper().replace(" ", "").replace("-", "")
    team = Team.objects.filter(invite_code=code).first()
    if team is None:
        raise RuleError(
            _("No team has this invite code. Check it with your captain."),
            code=ErrorCode.BAD_INVITE_CODE,
            field="invite_code",
        )
    return membership_create(team=team, user=user)


@transaction.atomic
def team_leave(*, team: Team, user: User) -> bool:
    """Leave a team before the deadline. Returns True when the team was dissolved (its last member left).

    A captain hands over captaincy before leaving; a last member may leave only a team without entries.
    """
    team = lock_team(team)
    membership = Membership.objects.filter(team=team, user=user).first()
    if membership is None:
        raise RuleError(_("You are not a member of this team."), code=ErrorCode.NOT_MEMBER)
    _check_before_deadline(team.competition)
    others = team.memberships.exclude(pk=membership.pk).count()
    if membership.is_captain and others:
        raise RuleError(
            _("Hand over captaincy to another member before you leave."), code=ErrorCode.CAPTAIN_MUST_HAND_OVER
        )
    if not others:
        if team.entries.exists():
            raise RuleError(
                _("You are the last member and the team has entries, so it cannot be left."),
                code=ErrorCode.LAST_MEMBER_WITH_ENTRIES,
            )
        team.delete()
        return True
    membership.delete()
    return False


@transaction.atomic
def team_remove_member(*, team: Team, by: User, member: User) -> None:
    """The captain removes another member, before the deadline."""
    team = lock_team(team)
    _check_captain(team, by)
    _check_before_deadline(team.competition)
    if member.pk == by.pk:
        raise RuleError(
            _("To leave the team yourself, hand over captaincy and leave."), code=ErrorCode.CANNOT_REMOVE_SELF
        )
    deleted, _rows = Membership.objects.filter(team=team, user=member).delete()
    if not deleted:
        raise RuleError(_("This person is not a member of the team."), code=ErrorCode.NOT_MEMBER)


@transaction.atomic
def team_transfer_captaincy(*, team: Team, by: User, to: User) -> None:
    """The captain makes another member captain and becomes a member."""
    team = lock_team(team)
    _check_captain(team, by)
    target = Membership.objects.filter(team=team, user=to).first()
    if target is None or target.user_id == by.pk:
        raise RuleError(_("Choose another member of the team."), code=ErrorCode.NOT_MEMBER)
    Membership.objects.filter(team=team, user=by).update(role=Membership.Role.MEMBER)
    Membership.objects.filter(pk=target.pk).update(role=Membership.Role.CAPTAIN)


@transaction.atomic
def team_rotate_invite_code(*, team: Team, by: User) -> str:
    """Replace the invite code; the old one stops working at once."""
    team = lock_team(team)
    _check_captain(team, by)
    team.invite_code = new_invite_code()
    team.save(update_fields=["invite_code"])
    return team.invite_code

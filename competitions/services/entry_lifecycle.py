"""An entry's life outside its files: an organiser disqualifies and reinstates it, its team withdraws and restores
it, and an organiser gives one team more time.

Disqualified: the entry keeps its rows (its revisions, the round entries frozen for it, the judges' sheets) but every
judging read leaves it out: it is in no judge's queue, cannot be scored or assigned, is not ranked on a round's
leaderboard, and so takes no place in the results of a round published while it is disqualified. The results of a
round already published are a snapshot (``RoundResult``) and are kept as they were published. Reinstating clears the
disqualification: the entry is back in every round not yet published, with the sheets judges had already written.
The reason is shown to the team as the organiser typed it.

Withdrawn: the team's own choice, by any member, before the team's deadline. The entry is no longer submitted: none
of its files is judged and no file can be uploaded to it. A member may restore it, also before the deadline; after
the deadline it stays as it is.
"""

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Entry, Membership, Round, Team
from competitions.services import notifications
from competitions.services.audit import record

REASON_MAX_LENGTH = 2000


def _locked_entry(entry: Entry) -> Entry:
    return Entry.objects.select_for_update(of=("self",)).select_related("team__competition").get(pk=entry.pk)


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(_("Give a reason."), code=ErrorCode.REASON_REQUIRED, field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise RuleError(
            _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX_LENGTH},
            code=ErrorCode.REASON_REQUIRED,
            field="reason",
        )
    return reason


# --- Disqualification (organisers) -------------------------------------------------------------------------------


@transaction.atomic
def entry_disqualify(*, entry: Entry, actor: User, reason: str) -> Entry:
    """Disqualify ``entry`` for ``reason`` (required, kept as typed and shown to the team). Holds the entry's row
    lock. Judging leaves it out from now on (see the module's docstring); nothing is deleted. Audited
    ("entry.disqualified")."""
    reason = _clean_reason(reason)
    entry = _locked_entry(entry)
    if entry.is_disqualified:
        raise RuleError(_("This entry is already disqualified."), code=ErrorCode.ALREADY_DISQUALIFIED)
    entry.disqualified_at = timezone.now()
    entry.disqualified_reason = reason
    entry.disqualified_by = actor
    entry.save(update_fields=["disqualified_at", "disqualified_reason", "disqualified_by", "updated_at"])
    record(
        competition=entry.team.competition,
        actor=actor,
        action="entry.disqualified",
        target=entry,
        data={"entry": entry.pk, "team": entry.team_id, "reason": reason},
    )
    entry_id = entry.pk
    transaction.on_commit(lambda: notifications.entry_disqualified_notify(entry_id=entry_id), robust=True)
    return entry


@transaction.atomic
def entry_reinstate(*, entry: Entry, actor: User, reason: str) -> Entry:
    """Lift the disqualification of ``entry``; ``reason`` is required and audited ("entry.reinstated", with the
    reason it had been disqualified for). The entry is back in the rounds not yet published, with its sheets.
    Holds the entry's row lock."""
    reason = _clean_reason(reason)
    entry = _locked_entry(entry)
    if not entry.is_disqualified:
        raise RuleError(_("This entry is not disqualified."), code=ErrorCode.NOT_DISQUALIFIED)
    before = entry.disqualified_reason
    entry.disqualified_at = None
    entry.disqualified_reason = ""
    entry.disqualified_by = None
    entry.save(update_fields=["disqualified_at", "disqualified_reason", "disqualified_by", "updated_at"])
    record(
        competition=entry.team.competition,
        actor=actor,
        action="entry.reinstated",
        target=entry,
        data={"entry": entry.pk, "team": entry.team_id, "reason": reason, "disqualified_for": before},
    )
    return entry


# --- Withdrawal (the team) -----------------------------------------------------------------------------------------


def _check_member_before_deadline(entry: Entry, user: User) -> None:
    if not Membership.objects.filter(team_id=entry.team_id, user=user).exists():
        raise RuleError(_("You are not a member of this team."), code=ErrorCode.NOT_MEMBER)
    if timezone.now() >= entry.team.submission_deadline:
        raise RuleError(_("The submission deadline has passed."), code=ErrorCode.AFTER_DEADLINE)


def _set_withdrawn(entry: Entry, user: User, *, withdrawn: bool) -> Entry:
    entry = _locked_entry(entry)
    _check_member_before_deadline(entry, user)
    if entry.is_withdrawn == withdrawn:
        if withdrawn:
            raise RuleError(_("This entry is already withdrawn."), code=ErrorCode.ALREADY_WITHDRAWN)
        raise RuleError(_("This entry is not withdrawn."), code=ErrorCode.NOT_WITHDRAWN)
    entry.withdrawn_at = timezone.now() if withdrawn else None
    entry.withdrawn_by = user if withdrawn else None
    entry.save(update_fields=["withdrawn_at", "withdrawn_by", "updated_at"])
    record(
        competition=entry.team.competition,
        actor=user,
        action="entry.withdrawn" if withdrawn else "entry.restored",
        target=entry,
        data={"entry": entry.pk, "team": entry.team_id},
    )
    return entry


@transaction.atomic
def entry_withdraw(*, entry: Entry, user: User) -> Entry:
    """The team withdraws its own entry: a member, before the team's deadline. It is no longer submitted (nothing of
    it is judged, no file can be uploaded to it) until a member restores it. Holds the entry's row lock. Audited
    ("entry.withdrawn")."""
    return _set_withdrawn(entry, user, withdrawn=True)


@transaction.atomic
def entry_restore(*, entry: Entry, user: User) -> Entry:
    """Undo the team's withdrawal: a member, before the team's deadline; the entry is submitted again with its
    files as they are. Holds the entry's row lock. Audited ("entry.restored")."""
    return _set_withdrawn(entry, user, withdrawn=False)


# --- A team's own deadline (organisers) -------------------------------------------------------------------------


@transaction.atomic
def team_extend_deadline(*, team: Team, actor: User, deadline: datetime, reason: str) -> Team:
    """Give ``team`` until ``deadline`` to upload (``Team.extended_deadline``: the uploads and the judged-file rule
    honour it). It must be after the competition's deadline, and judging must not have started (a round that opened
    has frozen what is judged). Holds the team's row lock. Audited ("team.deadline_extended", with the deadline
    before and after and the reason)."""
    reason = _clean_reason(reason)
    team = Team.objects.select_for_update(of=("self",)).select_related("competition").get(pk=team.pk)
    competition = team.competition
    if deadline <= competition.submission_deadline:
        raise RuleError(
            _("The new deadline must be after the competition's deadline."),
            code=ErrorCode.BAD_DEADLINE,
            field="deadline",
        )
    if Round.objects.filter(competition=competition).exclude(status=Round.Status.DRAFT).exists():
        raise RuleError(
            _("Judging has started: what is judged is fixed, and no deadline can be extended."),
            code=ErrorCode.JUDGING_STARTED,
        )
    before = team.extended_deadline
    team.extended_deadline = deadline
    team.save(update_fields=["extended_deadline"])
    record(
        competition=competition,
        actor=actor,
        action="team.deadline_extended",
        target=team,
        data={"team": team.pk, "before": before, "after": deadline, "reason": reason},
    )
    return team

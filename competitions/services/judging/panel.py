"""The judge panel (invitations, withdrawals) and conflicts of interest."""

from collections.abc import Iterable
from dataclasses import replace

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import (
    Assignment,
    Competition,
    Conflict,
    Membership,
    Notification,
    Panelist,
    Round,
    ScoreSheet,
    Team,
    Track,
)
from competitions.services.accounts import checked_email, invited_account, password_setup_link
from competitions.services.audit import record
from competitions.services.judging.common import lock_round
from competitions.services.notifications import Message, notify, render_message

# --- The panel ---------------------------------------------------------------------------------------------------


@transaction.atomic
def judge_invite(*, round: Round, email: str, actor: User, name: str = "", tracks: Iterable[Track] = ()) -> Panelist:
    """Seat the person with ``email`` on the round's panel, for ``tracks`` (none: every track).

    Creates their account when there is none (the invitation then carries a link to choose a password) or links the
    existing one; reinstates a withdrawn judge. Detects the judge's conflicts. The email is sent after commit.
    Audited.
    """
    email = checked_email(email)
    round = lock_round(round)
    if round.status in (Round.Status.CLOSED, Round.Status.PUBLISHED):
        raise RuleError(_("Judging in this round has finished."), code=ErrorCode.ROUND_FINISHED)
    tracks = list(tracks)
    if any(track.competition_id != round.competition_id for track in tracks):
        raise RuleError(_("Choose tracks of this competition."), code=ErrorCode.BAD_TRACK, field="tracks")
    user, created = invited_account(email=email, name=name)
    panelist, _new = Panelist.objects.get_or_create(round=round, user=user, defaults={"invited_by": actor})
    if not _new and panelist.is_active:
        raise RuleError(_("This judge is already on the panel."), code=ErrorCode.ALREADY_ON_PANEL, field="email")
    if panelist.withdrawn_at is not None:
        panelist.withdrawn_at = None
        panelist.invited_by = actor
        panelist.save(update_fields=["withdrawn_at", "invited_by"])
    panelist.tracks.set(tracks)
    conflicts_detect(competition=round.competition, judges=[user])
    record(
        competition=round.competition,
        actor=actor,
        action="judge.invited",
        target=panelist,
        data={"round": round.pk, "judge": user.pk, "email": email, "tracks": [t.pk for t in tracks], "new": created},
    )
    language = translation.get_language()
    transaction.on_commit(lambda: judge_send_invitation(panelist=panelist, new_account=created, language=language))
    return panelist


def judge_send_invitation(*, panelist: Panelist, new_account: bool, language: str | None = None) -> None:
    """Email the invitation in the judge's language (in both while it is unknown, ``language``, the inviter's,
    first) and list it in their notifications. A new account's email carries a one-time link to choose a
    password, which the notification leaves out."""
    user = panelist.user
    round = panelist.round
    message = Message(
        kind=Notification.Kind.JUDGE_INVITED,
        subject=lambda: _("You are invited to judge %(competition)s") % {"competition": round.competition.display_name},
        template="emails/judge_invitation.txt",
        context={"round": round, "competition": round.competition, "password_link": ""},
        link=reverse("frontend:judge-home"),
        competition=round.competition,
        first_language=language,
    )
    password_link = password_setup_link(user) if new_account or not user.has_usable_password() else ""
    with_link = replace(message, context={**message.context, "password_link": password_link})
    subject, body = render_message(with_link, user)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])
    notify(message=message, recipients=[user], emailed=True)


@transaction.atomic
def judge_withdraw(*, panelist: Panelist, actor: User) -> Panelist:
    """Take a judge off the panel: they no longer reach the round's entries. Their submitted scores stay; their
    assignments are moved by the next ``round_assign``. Audited."""
    panelist = Panelist.objects.select_for_update(of=("self",)).select_related("round__competition").get(pk=panelist.pk)
    if panelist.withdrawn_at is None:
        panelist.withdrawn_at = timezone.now()
        panelist.save(update_fields=["withdrawn_at"])
        record(
            competition=panelist.round.competition,
            actor=actor,
            action="judge.withdrawn",
            target=panelist,
            data={"round": panelist.round_id, "judge": panelist.user_id},
        )
    return panelist


# --- Conflicts of interest ---------------------------------------------------------------------------------------


def _clear_conflicted_work(conflict: Conflict) -> tuple[int, int]:
    """Remove the judge's assignments to the team's entries and their draft sheets, in rounds not yet published.

    Submitted sheets stay as evidence: the results leave out every sheet of a conflicted (judge, team) pair.
    """
    scope = {"judge_id": conflict.judge_id, "round_entry__entry__team_id": conflict.team_id}
    unpublished = {"round__status__in": [Round.Status.DRAFT, Round.Status.OPEN, Round.Status.CLOSED]}
    _total, deleted = ScoreSheet.objects.filter(**scope, **unpublished, status=ScoreSheet.Status.DRAFT).delete()
    drafts = deleted.get(ScoreSheet._meta.label, 0)
    assignments = Assignment.objects.filter(**scope, **unpublished)
    removed = assignments.count()
    assignments.delete()
    return removed, drafts


def _conflict_added(conflict: Conflict, actor: User | None, action: str) -> None:
    assignments, drafts = _clear_conflicted_work(conflict)
    record(
        competition=conflict.competition,
        actor=actor,
        action=action,
        target=conflict,
        data={
            "judge": conflict.judge_id,
            "team": conflict.team_id,
            "source": conflict.source,
            "reason": conflict.reason,
            "assignments_removed": assignments,
            "drafts_removed": drafts,
        },
    )


@transaction.atomic
def conflict_declare(
    *,
    competition: Competition,
    judge: User,
    team: Team,
    actor: User,
    reason: str = "",
    source: str = Conflict.Source.DECLARED,
) -> Conflict:
    """Record that ``judge`` must never see ``team``'s entries (idempotent: an existing conflict is returned).

    Removes the judge's assignments to the team's entries and their draft sheets in rounds not yet published.
    Sheets already submitted stay, and ``services.results`` leaves them out. Audited.
    """
    if team.competition_id != competition.pk:
        raise RuleError(_("This team is not in this competition."), code=ErrorCode.BAD_TEAM, field="team")
    try:
        with transaction.atomic():
            conflict, created = Conflict.objects.get_or_create(
                judge=judge,
                team=team,
                defaults={"competition": competition, "source": source, "reason": reason.strip()[:300]},
            )
    except IntegrityError:
        conflict, created = Conflict.objects.get(judge=judge, team=team), False
    if created:
        _conflict_added(conflict, actor, "conflict.declared")
    return conflict


@transaction.atomic
def conflict_remove(*, conflict: Conflict, actor: User) -> None:
    """Delete a conflict: the judge may be assigned the team's entries again. Audited."""
    record(
        competition=conflict.competition,
        actor=actor,
        action="conflict.removed",
        target=conflict,
        data={"judge": conflict.judge_id, "team": conflict.team_id, "source": conflict.source},
    )
    conflict.delete()


def _organisation_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


@transaction.atomic
def conflicts_detect(*, competition: Competition, judges: Iterable[User] | None = None) -> list[Conflict]:
    """Record the conflicts found between judges (default: every active judge of the competition's rounds) and the
    competition's teams: a judge in the team, the same organisation as a member (blank organisations never match),
    or the same email domain (except public mail domains). Returns the conflicts newly recorded; each is applied
    like a declared one (assignments and drafts removed) and audited."""
    if judges is None:
        judges = User.objects.filter(
            panel_seats__round__competition=competition, panel_seats__withdrawn_at__isnull=True
        ).distinct()
    judge_ids = [judge.pk for judge in judges]
    judge_rows = User.objects.filter(pk__in=judge_ids).select_related("profile")
    public = {domain.lower() for domain in settings.METASCENE_PUBLIC_EMAIL_DOMAINS}
    by_member: dict[int, set[int]] = {}
    by_organisation: dict[str, set[int]] = {}
    by_domain: dict[str, set[int]] = {}
    for membership in Membership.objects.filter(competition=competition).select_related("user__profile"):
        by_member.setdefault(membership.user_id, set()).add(membership.team_id)
        profile = getattr(membership.user, "profile", None)
        if profile is not None and _organisation_key(profile.organisation):
            by_organisation.setdefault(_organisation_key(profile.organisation), set()).add(membership.team_id)
        domain = _email_domain(membership.user.email)
        if domain and domain not in public:
            by_domain.setdefault(domain, set()).add(membership.team_id)
    existing = set(Conflict.objects.filter(judge_id__in=judge_ids).values_list("judge_id", "team_id"))
    found: dict[tuple[int, int], tuple[Conflict.Source, str]] = {}
    for judge in judge_rows:
        profile = getattr(judge, "profile", None)
        organisation = _organisation_key(profile.organisation) if profile is not None else ""
        domain = _email_domain(judge.email)
        # The reason is the evidence (what matched), not the source's label again.
        named = profile.organisation.strip() if profile is not None else ""
        reasons = [
            (by_member.get(judge.pk, set()), Conflict.Source.ORGANISATION, _("The judge is a member of this team.")),
            (by_organisation.get(organisation, set()) if organisation else set(), Conflict.Source.ORGANISATION,
             _("Organisation: %(organisation)s") % {"organisation": named}),
            (by_domain.get(domain, set()) if domain not in public else set(), Conflict.Source.EMAIL_DOMAIN,
             _("Email addresses at %(domain)s") % {"domain": domain}),
        ]  # fmt: skip
        for team_ids, source, reason in reasons:
            for team_id in team_ids:
                if (judge.pk, team_id) not in existing:
                    found.setdefault((judge.pk, team_id), (source, reason))
    conflicts = []
    for (judge_id, team_id), (source, reason) in found.items():
        try:
            with transaction.atomic():
                conflict = Conflict.objects.create(
                    competition=competition, judge_id=judge_id, team_id=team_id, source=source, reason=reason
                )
        except IntegrityError:
            continue  # Recorded meanwhile by someone else.
        _conflict_added(conflict, None, "conflict.detected")
        conflicts.append(conflict)
    return conflicts

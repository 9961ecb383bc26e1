"""Who runs a competition: its organisers, added by email by another organiser of it (or site staff)."""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Competition, CompetitionOrganiser
from competitions.services.accounts import checked_email, invited_account, password_setup_link
from competitions.services.audit import record


@transaction.atomic
def organiser_add(*, competition: Competition, email: str, actor: User, name: str = "") -> CompetitionOrganiser:
    """Make the person with ``email`` an organiser of ``competition``: their account is created when there is none
    (the invitation then carries a link to choose a password). The email is sent after commit. Audited."""
    email = checked_email(email)
    user, created = invited_account(email=email, name=name)
    organiser, new = CompetitionOrganiser.objects.get_or_create(
        competition=competition, user=user, defaults={"added_by": actor}
    )
    if not new:
        raise RuleError(
            _("%(email)s already organises this competition.") % {"email": email},
            code=ErrorCode.ALREADY_ORGANISER,
            field="email",
        )
    record(
        competition=competition,
        actor=actor,
        action="organiser.added",
        target=organiser,
        data={"organiser": user.pk, "email": email, "new_account": created},
    )
    language = translation.get_language()
    transaction.on_commit(
        lambda: organiser_send_invitation(organiser=organiser, new_account=created, language=language)
    )
    return organiser


def organiser_send_invitation(*, organiser: CompetitionOrganiser, new_account: bool, language: str | None) -> None:
    """Tell the new organiser, in the language of the one who added them; a new account's email carries a one-time
    link to choose a password."""
    user = organiser.user
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "competition": organiser.competition,
            "added_by": organiser.added_by,
            "password_link": password_setup_link(user) if new_account or not user.has_usable_password() else "",
            "link": settings.SITE_URL + reverse("frontend:organise-home"),
            "site_name": settings.SITE_NAME,
        }
        send_mail(
            subject=_("You are an organiser of %(competition)s") % {"competition": organiser.competition.display_name},
            message=render_to_string("emails/organiser_invitation.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )


@transaction.atomic
def organiser_remove(*, organiser: CompetitionOrganiser, actor: User) -> None:
    """Take an organiser off the competition. The last organiser stays unless site staff remove them, so that a
    competition is never left without anyone to run it by mistake. Audited."""
    competition = Competition.objects.select_for_update().get(pk=organiser.competition_id)
    if competition.organisers.count() <= 1 and not actor.is_staff:
        raise RuleError(
            _("A competition keeps at least one organiser. Add another before removing this one."),
            code=ErrorCode.LAST_ORGANISER,
        )
    record(
        competition=competition,
        actor=actor,
        action="organiser.removed",
        target=organiser,
        data={"organiser": organiser.user_id, "email": organiser.user.email},
    )
    organiser.delete()

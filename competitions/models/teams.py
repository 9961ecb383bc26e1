import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .competition import Competition

# Unambiguous characters only: invite codes are read aloud and typed from screenshots.
INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
INVITE_CODE_LENGTH = 10


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_CODE_LENGTH))


class Team(models.Model):
    """A team in one competition. Its members and captain are its memberships."""

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="teams", verbose_name=_("competition")
    )
    name = models.CharField(_("name"), max_length=100)
    invite_code = models.CharField(_("invite code"), max_length=16, unique=True, default=new_invite_code)
    # An organiser may give one team more time (an outage on their side, a disability accommodation): their uploads
    # are accepted and judged up to this instant instead of the competition's deadline.
    extended_deadline = models.DateTimeField(_("extended deadline"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["competition", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["competition", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def submission_deadline(self) -> datetime:
        """The instant this team's uploads must arrive by: its extended deadline, else the competition's. The one
        definition of the team's deadline, for uploads, for the judged file and for what the pages show."""
        return self.extended_deadline or self.competition.submission_deadline

    def submission_is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.competition.submission_opens_at <= now < self.submission_deadline


class Membership(models.Model):
    """A person's place in a team. A person is in at most one team per competition; a team has one captain."""

    class Role(models.TextChoices):
        CAPTAIN = "captain", _("Captain")
        MEMBER = "member", _("Member")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team"))
    # Copied from the team so that the database itself enforces one team per person per competition.
    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="+", verbose_name=_("competition")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["team", "joined_at"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["competition", "user"], name="membership_one_team_per_competition"),
            models.UniqueConstraint(fields=["team"], condition=Q(role="captain"), name="membership_one_captain"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"

    @property
    def is_captain(self) -> bool:
        return self.role == self.Role.CAPTAIN


# How long an emailed invitation stays valid, at most: it also ends when registration closes.
INVITATION_LIFETIME = timedelta(days=14)


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class TeamInvitation(models.Model):
    """An invitation, sent by email, to join a team. The token in its link is the secret: the invited person opens
    the link signed in with the invited address and joins through the same rules as with the invite code.

    At most one pending invitation per team and address; inviting the address again renews that one.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("team"))
    # Normalised to lower case by the service, so one address is one invitation.
    email = models.EmailField(_("email"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_invitation_token)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    # When it was accepted (by whom) or revoked.
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    class Meta:
        ordering = ["team", "created_at"]
        verbose_name = _("team invitation")
        verbose_name_plural = _("team invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "email"], condition=Q(status="pending"), name="team_invitation_one_pending_per_email"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.team}"

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    def is_usable(self, now: datetime | None = None) -> bool:
        """Pending and not expired: its link can still be accepted."""
        return self.status == self.Status.PENDING and not self.is_expired(now)

import secrets
from datetime import datetime

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

"""Messages to people: the notifications each person sees in the site (and was emailed), the reminders already
sent (so each goes once), and the organisers' announcements with who dismissed their banner.

Written by ``competitions.services.notifications``, ``.reminders`` and ``.announcements``.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .competition import Competition, Track
from .teams import Team


class Notification(models.Model):
    """One message to one person, as it was written for them: the subject and body are rendered in the recipient's
    language when it is created (both languages while theirs is unknown), exactly as the email says it, so the
    list shows what was sent even after the texts or the competition change.

    The row is also the email's outbox: ``emailed_at`` is set by the one sender that claims it (a conditional
    update), and cleared again when sending failed, so a later sweep tries once more and no email goes twice.
    """

    class Kind(models.TextChoices):
        REVISION_READY = "revision_ready", _("File ready")
        REVISION_REJECTED = "revision_rejected", _("File rejected")
        DEADLINE_REMINDER = "deadline_reminder", _("Deadline reminder")
        JUDGE_INVITED = "judge_invited", _("Invitation to judge")
        JUDGE_ASSIGNED = "judge_assigned", _("Entries to score")
        JUDGING_REMINDER = "judging_reminder", _("Judging reminder")
        RESULTS_PUBLISHED = "results_published", _("Results published")
        ANNOUNCEMENT = "announcement", _("Announcement")
        ENTRY_DISQUALIFIED = "entry_disqualified", _("Entry disqualified")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    competition = models.ForeignKey(
        Competition,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("competition"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    # Where the message leads in the site: a path, made absolute in the email.
    link = models.CharField(_("link"), max_length=300, blank=True)
    email = models.EmailField(_("emailed to"), blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.subject}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class SentReminder(models.Model):
    """A reminder that went out: the database refuses a second row for the same (kind, object, milestone), so two
    beat runs or two workers never send the same reminder twice."""

    class Kind(models.TextChoices):
        DEADLINE = "deadline", _("Submission deadline (a team)")
        JUDGING = "judging", _("Round closing (a judge's seat on the panel)")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The team (deadline) or the panelist (judging) reminded.
    object_id = models.PositiveBigIntegerField(_("object"))
    # Hours before the deadline or the close: 72, 24 or 1.
    milestone = models.PositiveSmallIntegerField(_("hours before"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "milestone"], name="sent_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} {self.milestone}h"


class Announcement(models.Model):
    """An organiser's message to the teams of a competition: all of them, one track's, or those without a ready
    entry (chosen when it is sent). Emailed, listed in each member's notifications and shown as a banner on the
    competition and team pages until ``shown_until`` or until the person dismisses it."""

    class Audience(models.TextChoices):
        ALL = "all", _("All teams")
        TRACK = "track", _("The teams with an entry in one track")
        NOT_READY = "not_ready", _("Teams without a ready entry")

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="announcements", verbose_name=_("competition")
    )
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices, default=Audience.ALL)
    track = models.ForeignKey(
        Track, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("track")
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    # The teams reached when it was sent: the banner shows to their members only.
    teams = models.ManyToManyField(Team, related_name="announcements", verbose_name=_("teams"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("sent by")
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    shown_until = models.DateTimeField(_("banner shown until"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.subject

    def is_shown(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) < self.shown_until


class AnnouncementDismissal(models.Model):
    """A person closed an announcement's banner: it stays in their notifications, not on the pages."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="dismissals", verbose_name=_("announcement")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    dismissed_at = models.DateTimeField(_("dismissed"), default=timezone.now)

    class Meta:
        verbose_name = _("dismissed announcement")
        verbose_name_plural = _("dismissed announcements")
        constraints = [models.UniqueConstraint(fields=["announcement", "user"], name="announcement_dismissed_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.announcement}"

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .competition import Track
from .teams import Team


class Entry(models.Model):
    """A team's entry in one track. Its files are revisions; the current revision is the last ready one."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="entries", verbose_name=_("team"))
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="entries", verbose_name=_("track"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    current_revision = models.ForeignKey(
        "EntryRevision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current revision"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Set by an organiser (competitions.services.entry_lifecycle): the entry is left out of judging and of the
    # results of rounds published afterwards; the team reads the reason, as the organiser typed it.
    disqualified_at = models.DateTimeField(_("disqualified"), null=True, blank=True)
    disqualified_reason = models.TextField(_("reason for the disqualification"), blank=True)
    disqualified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("disqualified by"),
    )
    # Set by a member of the team before its deadline: the entry is no longer submitted (not judged), until a
    # member restores it before the deadline.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    class Meta:
        ordering = ["team", "track", "created_at"]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")

    def __str__(self) -> str:
        return self.title

    @property
    def is_disqualified(self) -> bool:
        return self.disqualified_at is not None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


def revision_storage_name(instance: "EntryRevision", filename: str) -> str:
    """A server-made path: the entrant's file name is display text only and never reaches the disk."""
    suffix = PurePath(filename).suffix.lower()
    return f"revisions/{instance.entry_id}/{uuid.uuid4().hex}{suffix}"


class EntryRevision(models.Model):
    """One uploaded file of an entry, and what processing found in it."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        VALIDATING = "validating", _("Validating")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")

    class Stage(models.TextChoices):
        UNPACK = "unpack", _("Unpacking")
        VALIDATE = "validate", _("Validating against the glTF 2.0 spec")
        INSPECT = "inspect", _("Measuring")
        RENDER = "render", _("Rendering thumbnails")
        PACKAGE = "package", _("Preparing the viewer copy")

    FINAL_STATUSES = (Status.READY, Status.REJECTED, Status.FAILED)

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("entry"))
    number = models.PositiveIntegerField(_("number"))
    file = models.FileField(_("file"), upload_to=revision_storage_name, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    report = models.JSONField(_("report"), default=dict, blank=True)
    stats = models.JSONField(_("statistics"), default=dict, blank=True)
    # The stage a worker is in (or last finished), for the entrant's progress indicator.
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, blank=True)
    # Outputs of processing, as storage names relative to MEDIA_ROOT: {"hero": "...", "viewer": "...", ...}.
    artifacts = models.JSONField(_("artifacts"), default=dict, blank=True)
    # Workers that took the current stage (validation, then rendering, each counted from zero): a file that keeps
    # killing its worker is failed after METASCENE_MAX_PROCESSING_ATTEMPTS instead of looping forever.
    attempts = models.PositiveSmallIntegerField(_("attempts at the current stage"), default=0)
    # The task holding the current stage (its Celery task id) and since when. A claim older than the stage's hard
    # time limit belongs to a worker that died, and another task may take the stage over.
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    # When a task for the current stage was last queued; the sweep queues another when none has claimed it in time.
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    # When the file's last byte reached the server: what the deadline is measured against, however long
    # processing takes afterwards.
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        ordering = ["entry", "-number"]
        verbose_name = _("entry revision")
        verbose_name_plural = _("entry revisions")
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="revision_unique_number")]
        indexes = [models.Index(fields=["status", "status_changed_at"], name="revision_status_idx")]

    def __str__(self) -> str:
        return f"{self.entry} #{self.number}"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES


class UploadSession(models.Model):
    """A resumable upload in progress: bytes are appended to a partial file until ``received == size``.

    The browser asks for ``received`` after a dropped connection and continues from there. Completing the session
    hands the file to ``revision_receive``, which creates the revision.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="upload_sessions", verbose_name=_("entry"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    received = models.PositiveBigIntegerField(_("bytes received"), default=0)
    revision = models.OneToOneField(
        EntryRevision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("revision")
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last chunk"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("upload session")
        verbose_name_plural = _("upload sessions")
        constraints = [
            models.CheckConstraint(condition=models.Q(received__lte=models.F("size")), name="upload_within_size")
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.received}/{self.size})"

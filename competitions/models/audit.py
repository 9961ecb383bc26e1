from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from .competition import Competition


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One line of the append-only audit log: who did what to which object, and the values before and after.

    Rows are only ever created (``competitions.services.audit.record``); saving an existing row, updating or
    deleting raise. On PostgreSQL triggers refuse UPDATE, and DELETE unless the competition goes too (migrations
    0006 and 0008; ``services.audit.competition_delete``).
    """

    competition = models.ForeignKey(
        Competition, on_delete=models.PROTECT, related_name="audit_events", verbose_name=_("competition")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by")
    )
    action = models.CharField(_("action"), max_length=40, db_index=True)
    # The object acted on, e.g. ("scoresheet", 17).
    target_type = models.CharField(_("object type"), max_length=40)
    target_id = models.PositiveBigIntegerField(_("object id"))
    data = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")

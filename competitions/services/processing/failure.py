"""Failure: processing stopped through our fault, not the file's. The revision is marked failed with a reason for
the entrant, and the organisers are told by email after commit."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.models import EntryRevision
from competitions.observability import metrics
from competitions.selectors import organiser_emails

logger = logging.getLogger(__name__)

FAILED_AFTER_ATTEMPTS = (
    "We could not process this file after %(attempts)d attempts. The problem is on our side, not in your file; "
    "the organisers have been told."
)
FAILED_INTERNAL = (
    "An internal error stopped processing. The problem is on our side, not in your file; the organisers have been told."
)
FAILED_TOO_LONG = "Processing took too long and was stopped; the organisers have been told."


def revision_fail(*, revision_id: int, reason: str, claim: str | None = None, detail: str = "") -> bool:
    """Our fault, not the file's: record ``reason`` for the entrant, keep the report so far, tell the organisers
    after commit. With ``claim``, only while that task holds the revision. The entry keeps its current revision.
    Returns whether the revision was failed (False when it was already finished or another task holds it)."""
    condition = Q(pk=revision_id) & ~Q(status__in=EntryRevision.FINAL_STATUSES)
    if claim:
        condition &= Q(claimed_by=claim)
    return fail_where(condition, reason=reason, detail=detail)


@transaction.atomic
def fail_where(condition: Q, *, reason: str, detail: str) -> bool:
    """Fail the revision matching ``condition``, locked first, as ``revision_fail`` does; False when none does."""
    revision = EntryRevision.objects.select_for_update().filter(condition).first()
    if revision is None:
        return False
    now = timezone.now()
    failure = {"severity": "error", "code": "PROCESSING_FAILED", "message": reason, "pointer": ""}
    revision.report = {**revision.report, "messages": [*revision.report.get("messages", []), failure]}
    stage = "rendering" if revision.status == EntryRevision.Status.RENDERING else "validation"
    revision.status = EntryRevision.Status.FAILED
    revision.processed_at = now
    revision.status_changed_at = now
    revision.claimed_by = ""
    revision.claimed_at = None
    revision.save(update_fields=["report", "status", "processed_at", "status_changed_at", "claimed_by", "claimed_at"])
    transaction.on_commit(lambda: _tell_organisers(revision.pk, reason, detail))
    transaction.on_commit(lambda: metrics.revision_failed(stage=stage, reason=_metric_reason(reason)))
    return True


def _metric_reason(reason: str) -> str:
    """The reason's label in metascene_revisions_failed_total: one of a few words, never the sentence."""
    if reason.startswith(FAILED_AFTER_ATTEMPTS.split("%")[0]):
        return "attempts"
    return {FAILED_INTERNAL: "internal", FAILED_TOO_LONG: "time_limit"}.get(reason, "other")


def _tell_organisers(revision_id: int, reason: str, detail: str) -> None:
    """Log the failure and email the staff, who run the competition; a mail server that is down changes nothing."""
    revision = EntryRevision.objects.select_related("entry__team__competition").get(pk=revision_id)
    logger.error("Processing revision %s failed: %s %s", revision_id, reason, detail)
    recipients = organiser_emails()
    if not recipients:
        return
    entry = revision.entry
    subject = _("Processing failed: revision %(number)d of “%(entry)s”") % {"number": revision.number, "entry": entry}
    body = _(
        "Revision %(number)d of “%(entry)s” by team “%(team)s” in %(competition)s could not be processed, "
        "through no fault of the file.\n\nReason: %(reason)s\n%(detail)s\n\nThe entry keeps its current revision. "
        "Administration: %(url)s"
    ) % {
        "number": revision.number,
        "entry": entry,
        "team": entry.team,
        "competition": entry.team.competition,
        "reason": reason,
        "detail": detail,
        "url": f"{settings.SITE_URL}/admin/competitions/entryrevision/{revision.pk}/change/",
    }
    send_mail(subject, body, None, recipients, fail_silently=True)

"""Writing uploads to a disk that can fill up.

On deadline day hundreds of files arrive at once, and the volume under ``MEDIA_ROOT`` may run out of room. A write
that fails with ENOSPC (or EDQUOT, a quota) keeps nothing of what the request brought: the partial file is
removed, no revision row is written, and a resumable upload's offset stays where it was, so the client resumes
from it later. The person gets ``StorageFull`` (507 Insufficient Storage, with Retry-After); the error is logged
and the organisers (staff) are emailed, at most once every ``REPORT_EVERY``, since a full disk fails every upload
until someone frees space.

With object storage (``METASCENE_S3_BUCKET``) files are written to the bucket, and only the web process's spool
(resumable chunks on their way to the bucket, a completed upload being joined) and a worker's scratch are on the
local disk; the same handling applies to them.
"""

import contextlib
import errno
import logging
import shutil
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competitions.exceptions import StorageFull
from competitions.selectors import organiser_emails

logger = logging.getLogger(__name__)

DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
# One email per period while the disk stays full, however many uploads fail meanwhile.
REPORT_EVERY = timedelta(minutes=15)
_REPORTED_KEY = "metascene:storage-full-reported"

FILE_NOT_SAVED = gettext_lazy(
    "The server's disk is full; your file was not saved. Try again in a few minutes; the organisers have been told."
)
CHUNK_NOT_SAVED = gettext_lazy(
    "The server's disk is full; the last part of your upload was not saved, the parts before it are kept. Try "
    "again in a few minutes to continue from there; the organisers have been told."
)


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS


def storage_full(*, where: str, message: str | Promise = FILE_NOT_SAVED) -> StorageFull:
    """Log that a write under ``where`` found the disk full, email the organisers (once per ``REPORT_EVERY``) and
    return the ``StorageFull`` to raise, carrying ``message`` for the person. A mail server that is down changes
    nothing."""
    free = _free_bytes()
    logger.error("The disk is full: a write under %s failed (%s bytes free)", where, free)
    if cache.add(_REPORTED_KEY, True, timeout=int(REPORT_EVERY.total_seconds())):
        _tell_organisers(where, free)
    return StorageFull(message)


def file_save(field_file: FieldFile, name: str, content: File) -> None:
    """``field_file.save(name, content, save=False)``, whole or not at all.

    On a full disk the partly written file is removed and ``StorageFull`` is raised (see ``storage_full``); any
    other error is raised as it is. Callers save the model row after this returns, so a failure writes no row.
    """
    target = field_file.field.generate_filename(field_file.instance, name)
    try:
        stored = field_file.storage.save(target, content, max_length=field_file.field.max_length)
    except OSError as exc:
        if not is_disk_full(exc):
            raise
        # The name is new and server-made (a UUID): a file there can only be what this save began.
        with contextlib.suppress(OSError):
            field_file.storage.delete(target)
        raise storage_full(where=target) from exc
    setattr(field_file.instance, field_file.field.attname, stored)


def _free_bytes() -> int | None:
    try:
        return shutil.disk_usage(settings.MEDIA_ROOT).free
    except (OSError, NotImplementedError):
        return None


def _tell_organisers(where: str, free: int | None) -> None:
    recipients = organiser_emails()
    if not recipients:
        return
    subject = _("The server's disk is full: uploads are failing")
    body = _(
        "At %(time)s a file could not be written under %(where)s because the disk is full (%(free)s bytes free). "
        "Every upload fails until there is room: entrants are told to try again in a few minutes, and nothing "
        "half-written is kept. Free some space or grow the volume of %(media_root)s.\n\n"
        "This email is sent at most once every %(minutes)d minutes while the disk stays full."
    ) % {
        "time": timezone.now().isoformat(timespec="seconds"),
        "where": where,
        "free": "?" if free is None else free,
        "media_root": getattr(default_storage, "location", settings.MEDIA_ROOT),
        "minutes": int(REPORT_EVERY.total_seconds() // 60),
    }
    send_mail(subject, body, None, recipients, fail_silently=True)

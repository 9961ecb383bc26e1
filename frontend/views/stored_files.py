"""Serving stored files (uploads, processing outputs, archives) once a view has checked who may have them.

Files are streamed through the web process from Django's default storage, on this machine's disk or in an S3
bucket, and never handed out as bucket URLs: the permission check runs on every request, browsers need not reach
the bucket at all (it may be on a private network), and a link copied from a judge's page is worth nothing to
anyone else, even for a few minutes. From a bucket the object's body is passed on as it arrives, not downloaded
whole first.
"""

from django.core.exceptions import SuspiciousOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404

# How long the browser may reuse a file it was given; private, so no shared cache keeps it.
CACHE_SECONDS = 300


def stored_file_response(
    storage_name: str,
    *,
    content_type: str,
    filename: str = "",
    as_attachment: bool = False,
    cache: bool = True,
) -> FileResponse:
    """A response streaming ``storage_name`` from storage, or a 404 when storage does not have it (or the name
    tries to leave storage). The caller has checked the person's right to the file."""
    try:
        handle = default_storage.open(storage_name, "rb")
    except (FileNotFoundError, SuspiciousOperation):
        raise Http404 from None
    size = None
    stored_object = getattr(handle, "obj", None)  # django-storages' S3 file: stream its body, not a local copy
    if stored_object is not None:
        fetched = stored_object.get()
        handle, size = fetched["Body"], fetched["ContentLength"]
    response = FileResponse(handle, content_type=content_type, filename=filename, as_attachment=as_attachment)
    if size is not None:
        response["Content-Length"] = str(size)
    if cache:
        response["Cache-Control"] = f"private, max-age={CACHE_SECONDS}"
    return response

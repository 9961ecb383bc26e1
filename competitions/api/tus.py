"""The tus 1.0 wire format (https://tus.io/protocols/resumable-upload), shared by the API and the portal.

Core protocol plus the ``creation`` and ``termination`` extensions:

- ``POST`` to an entry's uploads URL with ``Upload-Length`` and ``Upload-Metadata: filename <base64>`` opens a
  session (every rule is checked here) and answers ``201`` with its ``Location``;
- ``HEAD`` on the session answers ``Upload-Offset``: how many bytes the server has;
- ``PATCH`` with ``Content-Type: application/offset+octet-stream`` and ``Upload-Offset`` appends the body and
  answers ``204`` with the new offset; the wrong offset is ``409``, bytes past the size ``413``. The request that
  brings the last byte creates the revision;
- ``DELETE`` cancels the session.

Only header parsing and the protocol's response headers live here; the rules are in ``services.uploads``.
"""

import base64
import binascii
from collections.abc import Mapping

from django.utils.translation import gettext as _

from competitions.models import UploadSession

VERSION = "1.0.0"
EXTENSIONS = "creation,termination"
CHUNK_CONTENT_TYPE = "application/offset+octet-stream"


class ProtocolError(ValueError):
    """A request that does not follow the protocol; ``status`` is the HTTP status the protocol asks for."""

    def __init__(self, message: str, *, status: int = 400, code: str = "upload_protocol") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


def check_version(headers: Mapping[str, str]) -> None:
    """A client that names another protocol version gets 412; one that names none is served (e.g. curl)."""
    version = headers.get("Tus-Resumable")
    if version is not None and version != VERSION:
        raise ProtocolError(
            _("This server speaks tus %(version)s.") % {"version": VERSION}, status=412, code="upload_version"
        )


def _non_negative_integer(headers: Mapping[str, str], name: str) -> int:
    value = (headers.get(name) or "").strip()
    if not value.isascii() or not value.isdigit():
        raise ProtocolError(_("The %(header)s header must be a whole number of bytes.") % {"header": name})
    return int(value)


def upload_length(headers: Mapping[str, str]) -> int:
    return _non_negative_integer(headers, "Upload-Length")


def upload_offset(headers: Mapping[str, str]) -> int:
    return _non_negative_integer(headers, "Upload-Offset")


def chunk_length(headers: Mapping[str, str]) -> int:
    """The body's length from Content-Length, which a chunk must have (411 without it)."""
    if not headers.get("Content-Length"):
        raise ProtocolError(_("A chunk must say its length in Content-Length."), status=411)
    return _non_negative_integer(headers, "Content-Length")


def check_chunk_type(headers: Mapping[str, str]) -> None:
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != CHUNK_CONTENT_TYPE:
        raise ProtocolError(
            _("Send a chunk with Content-Type: %(type)s.") % {"type": CHUNK_CONTENT_TYPE},
            status=415,
            code="upload_content_type",
        )


def chunk_offset_and_length(headers: Mapping[str, str]) -> tuple[int, int]:
    """Check a PATCH's headers (version, content type) and return its Upload-Offset and Content-Length."""
    check_version(headers)
    check_chunk_type(headers)
    return upload_offset(headers), chunk_length(headers)


def file_name(headers: Mapping[str, str]) -> str:
    """The ``filename`` (or ``name``) of ``Upload-Metadata``: comma-separated ``key base64(value)`` pairs."""
    metadata: dict[str, str] = {}
    for pair in (headers.get("Upload-Metadata") or "").split(","):
        key, _space, encoded = pair.strip().partition(" ")
        if not key:
            continue
        try:
            metadata[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ProtocolError(_("Upload-Metadata values must be base64-encoded UTF-8.")) from None
    return metadata.get("filename") or metadata.get("name") or ""


def session_headers(session: UploadSession | None = None) -> dict[str, str]:
    """The headers every tus response carries, with the session's offset and length when there is one."""
    headers = {"Tus-Resumable": VERSION, "Tus-Version": VERSION, "Tus-Extension": EXTENSIONS}
    if session is not None:
        headers["Upload-Offset"] = str(session.received)
        headers["Upload-Length"] = str(session.size)
    return headers

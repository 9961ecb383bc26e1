"""The tus 1.0 wire format (https://tus.io/protocols/resumable-upload) of the API's resumable uploads.

The portal's upload page speaks it too, through tus-js-client (static/js/upload.js) with the session login.

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
import re
from collections.abc import Mapping

from django.utils.translation import gettext as _

from competitions.exceptions import ErrorCode
from competitions.models import UploadSession

VERSION = "1.0.0"
EXTENSIONS = "creation,termination"
CHUNK_CONTENT_TYPE = "application/offset+octet-stream"
# The largest count of bytes a header may carry: what a PostgreSQL bigint holds. Anything longer is refused before
# it becomes an int, so a header of thousands of digits costs no CPU and never reaches the database.
MAX_BYTES = 2**63 - 1
_WHOLE_NUMBER = re.compile(r"[0-9]{1,19}")
# Upload-Metadata: comma-separated pairs of a key (no spaces or commas) and an optional base64 value.
_METADATA_KEY = re.compile(r"[\x21-\x2b\x2d-\x7e]+")


class ProtocolError(ValueError):
    """A request that does not follow the protocol; ``status`` is the HTTP status the protocol asks for."""

    def __init__(
        self, message: str, *, status: int = 400, code: ErrorCode = ErrorCode.UPLOAD_PROTOCOL, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.field = field  # the header at fault

    def body(self) -> dict[str, str | None]:
        """The API's error body."""
        return {"code": self.code, "detail": self.message, "field": self.field}


def check_version(headers: Mapping[str, str]) -> None:
    """A client that names another protocol version gets 412; one that names none is served (e.g. curl)."""
    version = headers.get("Tus-Resumable")
    if version is not None and version != VERSION:
        raise ProtocolError(
            _("This server speaks tus %(version)s.") % {"version": VERSION},
            status=412,
            code=ErrorCode.UPLOAD_VERSION,
            field="Tus-Resumable",
        )


def _non_negative_integer(headers: Mapping[str, str], name: str) -> int:
    """A header holding a count of bytes: ASCII digits only (not "-1", "+1", "1e3" or "１２"), at most
    ``MAX_BYTES``."""
    value = (headers.get(name) or "").strip(" \t")
    if not _WHOLE_NUMBER.fullmatch(value) or int(value) > MAX_BYTES:
        raise ProtocolError(_("The %(header)s header must be a whole number of bytes.") % {"header": name}, field=name)
    return int(value)


def upload_length(headers: Mapping[str, str]) -> int:
    return _non_negative_integer(headers, "Upload-Length")


def upload_offset(headers: Mapping[str, str]) -> int:
    return _non_negative_integer(headers, "Upload-Offset")


def chunk_length(headers: Mapping[str, str]) -> int:
    """The body's length from Content-Length, which a chunk must have (411 without it)."""
    if not headers.get("Content-Length"):
        raise ProtocolError(_("A chunk must say its length in Content-Length."), status=411, field="Content-Length")
    return _non_negative_integer(headers, "Content-Length")


def check_chunk_type(headers: Mapping[str, str]) -> None:
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != CHUNK_CONTENT_TYPE:
        raise ProtocolError(
            _("Send a chunk with Content-Type: %(type)s.") % {"type": CHUNK_CONTENT_TYPE},
            status=415,
            code=ErrorCode.UPLOAD_CONTENT_TYPE,
            field="Content-Type",
        )


def chunk_offset_and_length(headers: Mapping[str, str]) -> tuple[int, int]:
    """Check a PATCH's headers (version, content type) and return its Upload-Offset and Content-Length."""
    check_version(headers)
    check_chunk_type(headers)
    return upload_offset(headers), chunk_length(headers)


def file_name(headers: Mapping[str, str]) -> str:
    """The ``filename`` (or ``name``) of ``Upload-Metadata``: comma-separated ``key base64(value)`` pairs.

    A pair with a key that is not printable ASCII, a value that is not base64 of UTF-8 text, more than one value,
    a key given twice or a name with control characters is refused as a whole."""
    metadata: dict[str, str] = {}
    for pair in (headers.get("Upload-Metadata") or "").split(","):
        parts = pair.strip(" ").split(" ")
        if parts == [""]:
            continue
        key, encoded = parts[0], parts[1] if len(parts) == 2 else ""
        if len(parts) > 2 or not _METADATA_KEY.fullmatch(key) or key in metadata:
            raise _bad_metadata()
        try:
            # A non-ASCII header value is a ValueError too (binascii.Error is one).
            value = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise _bad_metadata() from None
        metadata[key] = value
    name = metadata.get("filename") or metadata.get("name") or ""
    if any(ord(character) < 0x20 or ord(character) == 0x7F for character in name):
        raise _bad_metadata()
    return name


def _bad_metadata() -> ProtocolError:
    return ProtocolError(
        _("Upload-Metadata must be comma-separated pairs of a key and its base64-encoded UTF-8 value."),
        field="Upload-Metadata",
    )


def session_headers(session: UploadSession | None = None) -> dict[str, str]:
    """The headers every tus response carries, with the session's offset and length when there is one."""
    headers = {"Tus-Resumable": VERSION, "Tus-Version": VERSION, "Tus-Extension": EXTENSIONS}
    if session is not None:
        headers["Upload-Offset"] = str(session.received)
        headers["Upload-Length"] = str(session.size)
    return headers

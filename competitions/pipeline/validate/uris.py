"""What a URI in a scene may reach: a file inside the bundle, or a data URI; never a scheme, an absolute path or
anything outside the bundle (after percent-decoding and following symbolic links)."""

import base64
import binascii
import os
import re
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes

from competitions.pipeline.report import Message, error, gettext_noop

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DRIVE = re.compile(r"^[A-Za-z]:")


def resolve_uri(uri: str, base: Path, root: Path, pointer: str) -> tuple[Path | None, Message | None]:
    """The file a relative URI names inside ``root``, or the message saying why it may not be read."""
    shown = uri if len(uri) <= 120 else uri[:117] + "..."
    if (_SCHEME.match(uri) and not _DRIVE.match(uri)) or uri.startswith("//"):
        return None, error(
            "URI_EXTERNAL",
            gettext_noop(
                "The scene refers to '%(uri)s', outside the upload; it is never fetched. Put the file in the zip "
                "beside the scene file and refer to it by a relative path, or export as .glb."
            ),
            pointer,
            uri=shown,
        )
    path = unquote(re.split(r"[?#]", uri, maxsplit=1)[0]).replace("\\", "/")
    if path.startswith("/") or _DRIVE.match(path) or _DRIVE.match(uri):
        return None, error(
            "URI_ABSOLUTE",
            gettext_noop(
                "The scene refers to the absolute path '%(uri)s'; only paths relative to the .gltf file are allowed. "
                "Put the file in the zip and refer to it by a relative path."
            ),
            pointer,
            uri=shown,
        )
    if "\0" in path:
        return None, error("URI_MISSING", gettext_noop("The file '%(uri)s' is not in the upload."), pointer, uri=shown)
    lexical = os.path.normpath(Path(os.path.realpath(base)) / path)
    target = Path(os.path.realpath(lexical))
    if not Path(lexical).is_relative_to(root) or not target.is_relative_to(root):
        return None, error(
            "URI_ESCAPES_BUNDLE",
            gettext_noop(
                "The scene refers to '%(uri)s', which points outside the uploaded bundle; it is never read. Keep "
                "every file inside the zip and refer to it without leading '..'."
            ),
            pointer,
            uri=shown,
        )
    if not target.is_file():
        alike = []
        if target.parent.is_dir():
            alike = [p.name for p in target.parent.iterdir() if p.name.casefold() == target.name.casefold()]
        if alike:
            return None, error(
                "URI_MISSING",
                gettext_noop(
                    "The file '%(uri)s' is not in the upload. Add it to the zip beside the scene file. The zip holds "
                    "'%(alike)s': names are case-sensitive."
                ),
                pointer,
                uri=shown,
                alike=alike[0],
            )
        return None, error(
            "URI_MISSING",
            gettext_noop("The file '%(uri)s' is not in the upload. Add it to the zip beside the scene file."),
            pointer,
            uri=shown,
        )
    return target, None


def decode_data_uri(uri: str) -> bytes | None:
    header, comma, payload = uri.partition(",")
    if not comma:
        return None
    try:
        if header.lower().endswith(";base64"):
            return base64.b64decode(payload, validate=True)
        return unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return None  # the validator reports INVALID_URI

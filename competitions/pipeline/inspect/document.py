"""The glTF JSON of a .gltf or .glb, read whole (inspect runs after validate has measured it), and the lenient
accessors the measurements read it through: a malformed part counts as absent, never as an exception."""

import json
import struct
from pathlib import Path
from typing import Any

from competitions.pipeline.report import AssetRejected, error, gettext_noop

GLB_HEADER = struct.Struct("<4sII")
CHUNK_HEADER = struct.Struct("<II")
CHUNK_JSON, CHUNK_BIN = 0x4E4F534A, 0x004E4942


def read_document(path: Path) -> tuple[dict[str, Any], bool, tuple[int, int] | None]:
    """The glTF JSON, whether the file is a GLB, and for a GLB the offset and length of its binary chunk."""
    with open(path, "rb") as f:
        head = f.read(GLB_HEADER.size + CHUNK_HEADER.size)
        if head[:4] != b"glTF":
            return _parse_json(head + f.read()), False, None
        size = path.stat().st_size
        if len(head) < GLB_HEADER.size + CHUNK_HEADER.size:
            raise _unreadable(gettext_noop("The GLB file ends before its JSON chunk."))
        json_length, json_type = CHUNK_HEADER.unpack_from(head, GLB_HEADER.size)
        json_end = GLB_HEADER.size + CHUNK_HEADER.size + json_length
        if json_type != CHUNK_JSON or json_end > size:
            raise _unreadable(gettext_noop("The GLB file's first chunk is not a complete JSON chunk."))
        document = _parse_json(f.read(json_length))
        f.seek(json_end)
        bin_header = f.read(CHUNK_HEADER.size)
    if len(bin_header) == CHUNK_HEADER.size:
        bin_length, bin_type = CHUNK_HEADER.unpack(bin_header)
        start = json_end + CHUNK_HEADER.size
        if bin_type == CHUNK_BIN:
            return document, True, (start, min(bin_length, max(size - start, 0)))
    return document, True, None


def _parse_json(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _unreadable(gettext_noop("The glTF JSON cannot be parsed.")) from None
    if not isinstance(document, dict):
        raise _unreadable(gettext_noop("The glTF JSON must be an object."))
    return document


def _unreadable(reason: str) -> AssetRejected:
    """``reason``: a sentence of ours, marked with ``gettext_noop``."""
    template = gettext_noop("%(reason_text)s Export the scene again as glTF 2.0 (.glb).")
    return AssetRejected([error("FORMAT_UNREADABLE", template, reason_text=reason)])


def array_at(document: dict[str, Any], key: str) -> list[Any]:
    """The JSON array at ``key``; an empty list when there is none."""
    value = document.get(key)
    return value if isinstance(value, list) else []


def json_integer(value: Any) -> int | None:
    """A JSON integer; 3.0 counts as 3, as it does for the validator."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None

"""Lossless repairs: a GLB refused only for padding and alignment, rewritten as the same scene, correctly padded.

Some exporters write GLB chunks whose lengths are not multiples of 4, or place binary data where an accessor's
values do not start on a multiple of their component size. Nothing in the scene is wrong; only where the bytes sit.
``repadded_glb`` reads such a file tolerantly (each chunk where its header says it ends, padded or not), keeps the
JSON document and every buffer view's bytes, and writes them again: each view 16-byte aligned (``repack``), each
chunk padded (``glb_bytes``). The result is checked like any upload before it is offered (``run.validate_stage``).
"""

import json
import struct
from pathlib import Path

from .gltf_io import CHUNK_BIN, CHUNK_JSON, GLB_MAGIC, GltfError, glb_bytes, repack
from .report import ERROR, Message

# Validator errors that only the placement of bytes causes, which a rewrite of the same content fixes.
REPAIRABLE_CODES = frozenset({"GLB_CHUNK_LENGTH_UNALIGNED", "ACCESSOR_TOTAL_OFFSET_ALIGNMENT"})
FIXED_NAME = "fixed.glb"
# The revision artifact that holds the fixed copy.
FIXED_ARTIFACT = "fixed"


def is_repairable(messages: list[Message]) -> bool:
    """Whether ``messages`` hold errors and every one of them is about padding or alignment."""
    errors = [m for m in messages if m.severity == ERROR]
    return bool(errors) and all(m.code in REPAIRABLE_CODES for m in errors)


def _chunks(data: bytes) -> tuple[bytes | None, bytes | None]:
    """The JSON and BIN chunks of a GLB, read where each header says the chunk ends; a following chunk is looked
    for at that offset first, then at the next multiple of 4 (a padded file)."""
    if len(data) < 20 or data[:4] != GLB_MAGIC:
        raise GltfError("not a GLB file")
    length = min(struct.unpack_from("<I", data, 8)[0], len(data))
    offset, found = 12, dict[int, bytes]()
    while offset + 8 <= length:
        chunk_length, chunk_type = struct.unpack_from("<II", data, offset)
        start, end = offset + 8, offset + 8 + chunk_length
        if end > length:
            raise GltfError("GLB chunk runs past the end of the file")
        found.setdefault(chunk_type, data[start:end])
        offset = end
        if offset + 8 <= length and struct.unpack_from("<I", data, offset + 4)[0] not in (CHUNK_JSON, CHUNK_BIN):
            offset += -offset % 4
    return found.get(CHUNK_JSON), found.get(CHUNK_BIN)


def repadded_glb(path: Path) -> bytes | None:
    """The GLB at ``path`` rewritten with its chunks padded and its buffer views aligned; None when it cannot be
    read as a GLB with a JSON chunk (then it is not a padding problem)."""
    try:
        json_chunk, binary = _chunks(Path(path).read_bytes())
        if json_chunk is None:
            return None
        document = json.loads(json_chunk.rstrip(b" \0"))
    except (GltfError, ValueError, RecursionError):
        return None
    if not isinstance(document, dict):
        return None
    try:
        if binary is not None and document.get("buffers"):
            document, binary = repack(document, binary)
        return glb_bytes(document, binary)
    except (KeyError, TypeError, ValueError):
        return None

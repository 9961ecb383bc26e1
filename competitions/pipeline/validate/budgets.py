"""The cheap checks that guard the worker, measured before anything large is read, decoded or allocated: the size
of the JSON, of every data URI (on the raw bytes, never decoded) and the bytes every accessor would need; for a PLY,
the element counts its header declares."""

import io
import re
from typing import Any

from competitions.pipeline.limits import MB, Limits
from competitions.pipeline.report import Message, error, gettext_noop
from competitions.pipeline.unpack import Bundle

from .document import is_index, items

COMPONENT_BYTES = {5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4}
COMPONENTS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}
SCAN_CHUNK = 4 * MB

_PLY_ELEMENT = re.compile(rb"(?m)^element[ \t]+(\w+)[ \t]+(\d+)")


def json_too_large(size: int, limits: Limits) -> Message:
    return error(
        "JSON_TOO_LARGE",
        gettext_noop(
            "The glTF JSON is %(size)s MB; at most %(limit)s MB is allowed. Move binary data out of the JSON: export "
            "as .glb, or as .gltf with separate .bin files."
        ),
        size=f"{size / MB:.1f}",
        limit=limits.max_json_bytes // MB,
    )


def _data_uri_too_large(size: int, limits: Limits, pointer: str = "") -> Message:
    return error(
        "DATA_URI_TOO_LARGE",
        gettext_noop(
            "An embedded data URI holds about %(size)s MB; at most %(limit)s MB is allowed. Export as .glb, or as "
            ".gltf with separate .bin and image files."
        ),
        pointer,
        size=f"{size / MB:.1f}",
        limit=limits.max_data_uri_bytes // MB,
    )


def _data_uri_bytes(length: int, start: bytes) -> int:
    """Decoded size of a data URI ``length`` characters long, from its length and first characters alone."""
    header = start.split(b",", 1)[0].lower()
    return length * 3 // 4 if header.endswith(b";base64") else length


def scan_data_uris(f: io.BufferedReader, start: int, length: int, limits: Limits) -> list[Message]:
    """Measure every data URI on the raw JSON bytes, read in chunks, before any parsing or decoding."""
    messages: list[Message] = []
    f.seek(start)
    left, base, buf = length, start, b""  # base: the file offset of buf[0]
    opened, header = -1, b""  # the file offset of the quote opening the data URI we are inside, if any
    while True:
        chunk = f.read(min(SCAN_CHUNK, left)) if left > 0 else b""
        left -= len(chunk)
        buf += chunk
        at = 0
        while True:
            if opened < 0:
                found = buf.find(b'"data:', at)
                if found < 0:
                    break
                opened, header, at = base + found, buf[found + 1 : found + 513], found + 1
            close = buf.find(b'"', at)
            if close < 0:
                break
            size = _data_uri_bytes(base + close - opened - 1, header)
            if size > limits.max_data_uri_bytes:
                messages.append(_data_uri_too_large(size, limits))
            opened, at = -1, close + 1
        if not chunk:
            if opened >= 0 and _data_uri_bytes(base + len(buf) - opened - 1, header) > limits.max_data_uri_bytes:
                messages.append(_data_uri_too_large(_data_uri_bytes(base + len(buf) - opened - 1, header), limits))
            return messages
        # Outside a URI keep the last bytes, where an opening '"data:' may straddle two chunks.
        keep = min(5, len(buf) - at) if opened < 0 else 0
        base += len(buf) - keep
        buf = buf[len(buf) - keep :] if keep else b""


def check_data_uris(document: dict[str, Any], limits: Limits) -> list[Message]:
    messages = []
    for key in ("buffers", "images"):
        for index, item in items(document, key):
            uri = item.get("uri")
            if isinstance(uri, str) and uri[:5].lower() == "data:":
                size = _data_uri_bytes(len(uri), uri[:512].encode())
                if size > limits.max_data_uri_bytes:
                    messages.append(_data_uri_too_large(size, limits, f"/{key}/{index}/uri"))
    return messages


def check_accessor_budget(document: dict[str, Any], limits: Limits) -> list[Message]:
    """The memory the accessors would take once loaded, from the JSON alone: nothing is read or allocated."""
    messages, total = [], 0
    for index, accessor in items(document, "accessors"):
        count = accessor.get("count")
        # An unknown or missing type counts as the largest one: 4-byte components, 16 of them.
        component = COMPONENT_BYTES.get(accessor.get("componentType", 0), 4)
        element = component * COMPONENTS.get(accessor.get("type", ""), 16)
        need = count * element if is_index(count) else 0
        sparse = accessor.get("sparse")
        if isinstance(sparse, dict) and is_index(sparse.get("count")):
            need += sparse["count"] * (4 + element)
        total += need
        if need > limits.max_accessor_bytes:
            messages.append(
                error(
                    "BUDGET_ACCESSOR_MEMORY",
                    gettext_noop(
                        "This accessor declares %(count)s elements, %(size)s MB once loaded; at most %(limit)s MB is "
                        "allowed. The count is wrong or the mesh is far too large: simplify it or split the scene."
                    ),
                    f"/accessors/{index}/count",
                    count=f"{count:,}",
                    size=f"{need / MB:,.0f}",
                    limit=f"{limits.max_accessor_bytes // MB:,}",
                )
            )
    if not messages and total > limits.max_accessor_bytes:
        messages.append(
            error(
                "BUDGET_ACCESSOR_MEMORY",
                gettext_noop(
                    "The scene's geometry and animation data need %(size)s MB once loaded; at most %(limit)s MB is "
                    "allowed. Simplify the meshes or split the scene."
                ),
                "/accessors",
                size=f"{total / MB:,.0f}",
                limit=f"{limits.max_accessor_bytes // MB:,}",
            )
        )
    return messages


def check_ply_header(bundle: Bundle, limits: Limits) -> list[Message]:
    """The element counts a PLY header declares, against the memory budget, before a converter allocates them."""
    with open(bundle.scene, "rb") as f:
        header = f.read(65536).split(b"end_header", 1)[0]
    counts = {m.group(1).decode(): int(m.group(2)) for m in _PLY_ELEMENT.finditer(header)}
    need = counts.get("vertex", 0) * 12 + counts.get("face", 0) * 12
    if need > limits.max_accessor_bytes:
        return [
            error(
                "BUDGET_ACCESSOR_MEMORY",
                gettext_noop(
                    "The PLY header declares %(vertices)s vertices and %(faces)s faces, about %(size)s MB once "
                    "loaded; at most %(limit)s MB is allowed."
                ),
                vertices=f"{counts.get('vertex', 0):,}",
                faces=f"{counts.get('face', 0):,}",
                size=f"{need / MB:,.0f}",
                limit=f"{limits.max_accessor_bytes // MB:,}",
            )
        ]
    return []

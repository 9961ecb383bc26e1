"""Stage 2, validate: our own safety checks, then the Khronos glTF-Validator, then the competition's policy.

``validate(bundle, limits)`` returns the messages. In order:

1. Cheap checks that guard the worker, before anything large is read, decoded or allocated: the size of the JSON
   (from the file or GLB chunk header), the size of every data URI (measured on the raw JSON bytes, never decoded),
   and the bytes every accessor would need (``count * component size * components``). A failure here stops the
   stage: the validator is not run on a file that could exhaust it.
2. Every URI: a scheme (``http:``, ``file:``, ...) is ``URI_EXTERNAL``, an absolute path ``URI_ABSOLUTE``, a path
   that leaves the bundle (after percent-decoding and following symlinks) ``URI_ESCAPES_BUNDLE``, a missing file
   ``URI_MISSING``. Nothing outside the bundle is ever opened.
3. The Khronos validator in Node (``khronos.py`` runs ``node/validate.mjs``), started as soon as step 1 passes; it
   reads external resources only through a function that serves files inside the bundle root. While it runs,
   Python reads texture headers (dimensions, decompression bombs, files that are not images) and scans POSITION data
   for NaN/Inf with numpy on memory-mapped buffers.
4. Allowed extensions, then ``report.apply_policy``.

Our codes (never downgraded by the lenient policy): JSON_TOO_LARGE, JSON_TOO_DEEP, DATA_URI_TOO_LARGE,
BUDGET_ACCESSOR_MEMORY, URI_EXTERNAL, URI_ABSOLUTE, URI_ESCAPES_BUNDLE, URI_MISSING, TEXTURE_NOT_AN_IMAGE,
TEXTURE_UNREADABLE, TEXTURE_DECOMPRESSION_BOMB, LIMIT_TEXTURE_SIZE, FORMAT_NON_FINITE_POSITIONS (a POSITION value is
NaN or infinite: the mesh cannot be framed, rendered or measured), LIMIT_EXTENSION_NOT_ALLOWED and, as info,
LIMIT_VALIDATOR_TRUNCATED. The validator's codes pass through unchanged. ``ValidatorFailed`` (Node missing, crashed
or too slow) is our fault, not the file's: the caller retries or fails the stage.
"""

import base64
import binascii
import io
import json
import mmap
import os
import re
import struct
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

import numpy as np
from PIL import Image

from .khronos import NodeValidator, Validator, ValidatorFailed, validator_messages
from .limits import MB, Limits
from .report import Message, apply_policy, error, warning
from .unpack import Bundle, describe_content

__all__ = ["ValidatorFailed", "validate", "validate_with_report", "validator_report"]

CHUNK_JSON, CHUNK_BIN = 0x4E4F534A, 0x004E4942
COMPONENT_BYTES = {5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4}
COMPONENTS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"BM", b"\xabKTX 20\xbb\r\n\x1a\n")
ROWS_PER_SCAN = 1 << 20
SCAN_CHUNK = 4 * MB
# Our checks after which the validator is not run: it would decode or allocate what we just refused.
BLOCKING = frozenset({"JSON_TOO_LARGE", "JSON_TOO_DEEP", "DATA_URI_TOO_LARGE", "BUDGET_ACCESSOR_MEMORY"})

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DRIVE = re.compile(r"^[A-Za-z]:")


# --- the stage ---------------------------------------------------------------------------------------------------


def validator_report(bundle: Bundle, *, validator: Validator | None = None) -> dict[str, Any]:
    """The raw Khronos report for a glTF/GLB bundle. Run it only on a bundle that ``validate`` let through."""
    return (validator or NodeValidator()).start(bundle.scene, bundle.root).result()


def validate(bundle: Bundle, limits: Limits, *, validator: Validator | None = None) -> list[Message]:
    """Check ``bundle`` against the glTF 2.0 specification and our budgets; the policy is applied to the result."""
    return validate_with_report(bundle, limits, validator=validator)[0]


def validate_with_report(
    bundle: Bundle, limits: Limits, *, validator: Validator | None = None
) -> tuple[list[Message], dict[str, Any] | None]:
    """Like ``validate``, also returning the validator's raw report (None when our checks stopped it first)."""
    if bundle.kind == "obj":
        return apply_policy(_check_obj(bundle, limits), limits.policy), None
    if bundle.kind == "ply":
        return apply_policy(_check_ply_header(bundle, limits), limits.policy), None
    if bundle.kind not in ("glb", "gltf"):
        return [], None
    with ExitStack() as stack:
        scene = _Scene(bundle, stack)
        messages = scene.read_document(limits)
        if scene.document is not None:
            messages += _check_data_uris(scene.document, limits)
            messages += _check_accessor_budget(scene.document, limits)
            messages += scene.resolve_uris()
            messages += _check_extensions(scene.document, limits)
        if any(m.code in BLOCKING for m in messages):
            return apply_policy(messages, limits.policy), None
        validator = validator or NodeValidator(timeout=limits.cpu_seconds)
        running = validator.start(bundle.scene, bundle.root)
        try:
            if scene.document is not None:  # while Node works
                messages += scene.check_images(limits)
                messages += scene.check_positions()
        except BaseException:
            running.cancel()
            raise
        report = running.result()
    ours = {m.pointer for m in messages if m.code.startswith("URI_")}
    # A URI we refused also fails in the validator (IO_ERROR); our message already says why and what to do.
    messages += [m for m in validator_messages(report) if not (m.code == "IO_ERROR" and m.pointer in ours)]
    return apply_policy(messages, limits.policy), report


# --- our own checks ---------------------------------------------------------------------------------------------


class _Span:
    """``length`` bytes at ``offset`` of a memory map or a bytes object, sliced only when needed."""

    def __init__(self, data: bytes | mmap.mmap, offset: int = 0, length: int | None = None) -> None:
        self.data, self.offset = data, offset
        self.length = len(data) - offset if length is None else length

    def sub(self, offset: int, length: int) -> "_Span | None":
        if offset + length > self.length:
            return None
        return _Span(self.data, self.offset + offset, length)

    def bytes(self) -> bytes:
        return self.data[self.offset : self.offset + self.length]


class _Scene:
    """The JSON document of a .gltf/.glb and lazy, memory-mapped access to its buffers; all bounds-checked."""

    def __init__(self, bundle: Bundle, stack: ExitStack) -> None:
        self.bundle, self.stack = bundle, stack
        self.root = Path(os.path.realpath(bundle.root))
        self.document: dict[str, Any] | None = None
        self.glb_bin: tuple[int, int] | None = None  # offset and length of the GLB's BIN chunk
        self.buffer_files: dict[int, Path] = {}
        self.image_files: dict[int, Path] = {}
        self._buffers: dict[int, _Span | None] = {}
        self._maps: dict[Path, _Span] = {}

    def _map(self, path: Path) -> _Span:
        if path not in self._maps:
            f = self.stack.enter_context(open(path, "rb"))
            if os.fstat(f.fileno()).st_size == 0:
                self._maps[path] = _Span(b"")
            else:
                self._maps[path] = _Span(self.stack.enter_context(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)))
        return self._maps[path]

    def read_document(self, limits: Limits) -> list[Message]:
        """Read the JSON after measuring it and its data URIs on the raw bytes, streamed from the file."""
        path = self.bundle.scene
        with open(path, "rb") as f:
            json_at, json_length = 0, os.fstat(f.fileno()).st_size
            if self.bundle.kind == "glb":
                head = f.read(20)
                if len(head) < 20 or head[:4] != b"glTF":
                    return []  # the validator says what is wrong with the container
                json_length, json_type = struct.unpack_from("<II", head, 12)
                if json_type != CHUNK_JSON:
                    return []
                json_at = 20
                f.seek(json_at + json_length)
                bin_head = f.read(8)
                if len(bin_head) == 8 and struct.unpack("<II", bin_head)[1] == CHUNK_BIN:
                    self.glb_bin = (json_at + json_length + 8, struct.unpack("<II", bin_head)[0])
            too_large = _scan_data_uris(f, json_at, json_length, limits)
            if json_length > limits.max_json_bytes:
                return [_json_too_large(json_length, limits), *too_large]
            if too_large:
                return too_large
            f.seek(json_at)
            raw = f.read(json_length)
        if len(raw) < json_length:
            return []  # a truncated GLB: the validator reports it
        try:
            document = json.loads(raw)
        except RecursionError:
            return [error("JSON_TOO_DEEP", "The glTF JSON is nested too deeply to be read; export the scene again.")]
        except (ValueError, UnicodeDecodeError):
            return []  # the validator reports INVALID_JSON with the position
        if isinstance(document, dict):
            self.document = document
        return []

    def resolve_uris(self) -> list[Message]:
        assert self.document is not None
        messages = []
        for key, files in (("buffers", self.buffer_files), ("images", self.image_files)):
            for index, item in _items(self.document, key):
                uri = item.get("uri")
                if not isinstance(uri, str) or uri[:5].lower() == "data:":
                    continue
                target, problem = _resolve(uri, self.bundle.scene.parent, self.root, f"/{key}/{index}/uri")
                if problem:
                    messages.append(problem)
                elif target is not None:
                    files[index] = target
        return messages

    def buffer(self, index: int) -> _Span | None:
        """The bytes of buffer ``index`` (memory-mapped where it is a file), or None when they cannot be had."""
        if index not in self._buffers:
            self._buffers[index] = self._load_buffer(index)
        return self._buffers[index]

    def _load_buffer(self, index: int) -> _Span | None:
        assert self.document is not None
        buffers = self.document.get("buffers")
        if not isinstance(buffers, list) or not 0 <= index < len(buffers) or not isinstance(buffers[index], dict):
            return None
        uri = buffers[index].get("uri")
        if uri is None and index == 0 and self.glb_bin is not None:
            return self._map(self.bundle.scene).sub(*self.glb_bin)
        if isinstance(uri, str) and uri[:5].lower() == "data:":
            data = _decode_data_uri(uri)
            return _Span(data) if data is not None else None
        if index in self.buffer_files:
            return self._map(self.buffer_files[index])
        return None

    def _view(self, view_index: Any) -> tuple[_Span, dict[str, Any]] | None:
        views = self.document.get("bufferViews") if self.document else None
        if not _is_index(view_index) or not isinstance(views, list) or view_index >= len(views):
            return None
        view = views[view_index]
        if not isinstance(view, dict) or not _is_index(view.get("buffer")):
            return None
        offset, length = view.get("byteOffset", 0), view.get("byteLength")
        data = self.buffer(view["buffer"])
        if data is None or not _is_index(offset) or not _is_index(length):
            return None
        span = data.sub(offset, length)
        return (span, view) if span is not None else None

    def check_images(self, limits: Limits) -> list[Message]:
        assert self.document is not None
        messages = []
        for index, image in _items(self.document, "images"):
            pointer = f"/images/{index}"
            uri = image.get("uri")
            if index in self.image_files:
                with open(self.image_files[index], "rb") as f:
                    messages += _check_image(f, pointer, limits)
            elif isinstance(uri, str) and uri[:5].lower() == "data:":
                data = _decode_data_uri(uri)
                if data is not None:
                    messages += _check_image(io.BytesIO(data), pointer, limits)
            elif "bufferView" in image:
                found = self._view(image["bufferView"])
                if found is not None:
                    messages += _check_image(io.BytesIO(found[0].bytes()), pointer, limits)
        return messages

    def check_positions(self) -> list[Message]:
        """NaN or infinite vertex positions, read in place from the buffers with numpy."""
        assert self.document is not None
        accessors = self.document.get("accessors")
        if not isinstance(accessors, list):
            return []
        messages = []
        for index in sorted(_position_accessors(self.document)):
            if index >= len(accessors) or not isinstance(accessors[index], dict):
                continue
            bad = self._first_non_finite(accessors[index])
            if bad is not None:
                messages.append(
                    error(
                        "FORMAT_NON_FINITE_POSITIONS",
                        f"Vertex {bad} of this mesh has a position that is not a finite number (NaN or infinity); "
                        "the model cannot be framed, rendered or measured. Clean up the mesh and export again.",
                        f"/accessors/{index}",
                    )
                )
        return messages

    def _first_non_finite(self, accessor: dict[str, Any]) -> int | None:
        count, offset = accessor.get("count"), accessor.get("byteOffset", 0)
        if accessor.get("componentType") != 5126 or accessor.get("type") != "VEC3" or "sparse" in accessor:
            return None
        if not _is_index(count) or not _is_index(offset) or count == 0:
            return None
        found = self._view(accessor.get("bufferView"))
        if found is None:
            return None
        span, view = found
        stride = view.get("byteStride", 12)
        if not _is_index(stride) or stride < 12 or offset + stride * (count - 1) + 12 > span.length:
            return None  # out of bounds: the validator reports it
        positions = np.ndarray(
            (count, 3), dtype="<f4", buffer=span.data, offset=span.offset + offset, strides=(stride, 4)
        )
        for start in range(0, count, ROWS_PER_SCAN):
            finite = np.isfinite(positions[start : start + ROWS_PER_SCAN]).all(axis=1)
            if not finite.all():
                return start + int(np.argmin(finite))
        return None


def _items(document: dict[str, Any], key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    items = document.get(key)
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def _is_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _json_too_large(size: int, limits: Limits) -> Message:
    return error(
        "JSON_TOO_LARGE",
        f"The glTF JSON is {size / MB:.1f} MB; at most {limits.max_json_bytes // MB} MB is allowed. Move binary data "
        "out of the JSON: export as .glb, or as .gltf with separate .bin files.",
    )


def _data_uri_too_large(size: int, limits: Limits, pointer: str = "") -> Message:
    return error(
        "DATA_URI_TOO_LARGE",
        f"An embedded data URI holds about {size / MB:.1f} MB; at most {limits.max_data_uri_bytes // MB} MB is "
        "allowed. Export as .glb, or as .gltf with separate .bin and image files.",
        pointer,
    )


def _data_uri_bytes(length: int, start: bytes) -> int:
    """Decoded size of a data URI ``length`` characters long, from its length and first characters alone."""
    header = start.split(b",", 1)[0].lower()
    return length * 3 // 4 if header.endswith(b";base64") else length


def _scan_data_uris(f: io.BufferedReader, start: int, length: int, limits: Limits) -> list[Message]:
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


def _check_data_uris(document: dict[str, Any], limits: Limits) -> list[Message]:
    messages = []
    for key in ("buffers", "images"):
        for index, item in _items(document, key):
            uri = item.get("uri")
            if isinstance(uri, str) and uri[:5].lower() == "data:":
                size = _data_uri_bytes(len(uri), uri[:512].encode())
                if size > limits.max_data_uri_bytes:
                    messages.append(_data_uri_too_large(size, limits, f"/{key}/{index}/uri"))
    return messages


def _decode_data_uri(uri: str) -> bytes | None:
    header, comma, payload = uri.partition(",")
    if not comma:
        return None
    try:
        if header.lower().endswith(";base64"):
            return base64.b64decode(payload, validate=True)
        return unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return None  # the validator reports INVALID_URI


def _check_accessor_budget(document: dict[str, Any], limits: Limits) -> list[Message]:
    """The memory the accessors would take once loaded, from the JSON alone: nothing is read or allocated."""
    messages, total = [], 0
    for index, accessor in _items(document, "accessors"):
        count = accessor.get("count")
        element = COMPONENT_BYTES.get(accessor.get("componentType"), 4) * COMPONENTS.get(accessor.get("type"), 16)
        need = count * element if _is_index(count) else 0
        sparse = accessor.get("sparse")
        if isinstance(sparse, dict) and _is_index(sparse.get("count")):
            need += sparse["count"] * (4 + element)
        total += need
        if need > limits.max_accessor_bytes:
            messages.append(
                error(
                    "BUDGET_ACCESSOR_MEMORY",
                    f"This accessor declares {count:,} elements, {need / MB:,.0f} MB once loaded; at most "
                    f"{limits.max_accessor_bytes // MB:,} MB is allowed. The count is wrong or the mesh is far too "
                    "large: simplify it or split the scene.",
                    f"/accessors/{index}/count",
                )
            )
    if not messages and total > limits.max_accessor_bytes:
        messages.append(
            error(
                "BUDGET_ACCESSOR_MEMORY",
                f"The scene's geometry and animation data need {total / MB:,.0f} MB once loaded; at most "
                f"{limits.max_accessor_bytes // MB:,} MB is allowed. Simplify the meshes or split the scene.",
                "/accessors",
            )
        )
    return messages


def _resolve(uri: str, base: Path, root: Path, pointer: str) -> tuple[Path | None, Message | None]:
    """The file a relative URI names inside ``root``, or the message saying why it may not be read."""
    shown = uri if len(uri) <= 120 else uri[:117] + "..."
    if (_SCHEME.match(uri) and not _DRIVE.match(uri)) or uri.startswith("//"):
        return None, error(
            "URI_EXTERNAL",
            f"The scene refers to '{shown}', outside the upload; it is never fetched. Put the file in the zip "
            "beside the scene file and refer to it by a relative path, or export as .glb.",
            pointer,
        )
    path = unquote(re.split(r"[?#]", uri, maxsplit=1)[0]).replace("\\", "/")
    if path.startswith("/") or _DRIVE.match(path) or _DRIVE.match(uri):
        return None, error(
            "URI_ABSOLUTE",
            f"The scene refers to the absolute path '{shown}'; only paths relative to the .gltf file are allowed. "
            "Put the file in the zip and refer to it by a relative path.",
            pointer,
        )
    if "\0" in path:
        return None, error("URI_MISSING", f"The file '{shown}' is not in the upload.", pointer)
    lexical = os.path.normpath(Path(os.path.realpath(base)) / path)
    target = Path(os.path.realpath(lexical))
    if not Path(lexical).is_relative_to(root) or not target.is_relative_to(root):
        return None, error(
            "URI_ESCAPES_BUNDLE",
            f"The scene refers to '{shown}', which points outside the uploaded bundle; it is never read. Keep "
            "every file inside the zip and refer to it without leading '..'.",
            pointer,
        )
    if not target.is_file():
        hint = ""
        if target.parent.is_dir():
            alike = [p.name for p in target.parent.iterdir() if p.name.casefold() == target.name.casefold()]
            if alike:
                hint = f" The zip holds '{alike[0]}': names are case-sensitive."
        return None, error(
            "URI_MISSING",
            f"The file '{shown}' is not in the upload. Add it to the zip beside the scene file.{hint}",
            pointer,
        )
    return target, None


def _check_image(f: io.BufferedIOBase, pointer: str, limits: Limits) -> list[Message]:
    """Dimensions from the image header (nothing is decoded): not an image, a decompression bomb, or too large."""
    head = f.read(64)
    f.seek(0)
    if not (head.startswith(IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")):
        return [
            error(
                "TEXTURE_NOT_AN_IMAGE",
                f"This texture is not an image: its content is {describe_content(head)}. Use a PNG or JPEG texture.",
                pointer,
            )
        ]
    if head.startswith(IMAGE_MAGIC[-1]):
        width, height = struct.unpack_from("<II", head, 20)
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(f) as image:
                    width, height = image.size
        except Image.DecompressionBombError as exc:
            if head.startswith(IMAGE_MAGIC[0]):
                width, height = struct.unpack_from(">II", head, 16)
                return [_bomb(f"{width}x{height} pixels", pointer, limits)]
            pixels = re.search(r"\((\d+) pixels\)", str(exc))
            return [_bomb(f"{int(pixels.group(1)):,} pixels" if pixels else "too many pixels", pointer, limits)]
        except (OSError, SyntaxError, ValueError, struct.error, EOFError):
            return [
                error(
                    "TEXTURE_UNREADABLE",
                    "This texture's image header cannot be read; the image is damaged. Save it again as PNG or JPEG.",
                    pointer,
                )
            ]
    if width * height > limits.max_texture_pixels:
        return [_bomb(f"{width}x{height} pixels", pointer, limits)]
    if max(width, height) > limits.max_texture_size:
        return [
            error(
                "LIMIT_TEXTURE_SIZE",
                f"This texture is {width}x{height} pixels; this competition allows at most "
                f"{limits.max_texture_size} pixels per side. Resize it and export again.",
                pointer,
            )
        ]
    return []


def _bomb(detail: str, pointer: str, limits: Limits) -> Message:
    return error(
        "TEXTURE_DECOMPRESSION_BOMB",
        f"This texture is far too large to open safely ({detail}; at most {limits.max_texture_pixels:,} pixels). "
        f"Resize it to at most {limits.max_texture_size}x{limits.max_texture_size} and export again.",
        pointer,
    )


def _position_accessors(document: dict[str, Any]) -> set[int]:
    found = set()
    for _index, mesh in _items(document, "meshes"):
        primitives = mesh.get("primitives")
        for primitive in primitives if isinstance(primitives, list) else []:
            if not isinstance(primitive, dict):
                continue
            targets = primitive.get("targets")
            for attributes in [primitive.get("attributes"), *(targets if isinstance(targets, list) else [])]:
                if isinstance(attributes, dict) and _is_index(attributes.get("POSITION")):
                    found.add(attributes["POSITION"])
    return found


def _check_extensions(document: dict[str, Any], limits: Limits) -> list[Message]:
    if limits.allowed_extensions is None:
        return []
    used = document.get("extensionsUsed")
    allowed = ", ".join(limits.allowed_extensions) or "none"
    return [
        error(
            "LIMIT_EXTENSION_NOT_ALLOWED",
            f"The scene uses the glTF extension {name}, which this competition does not allow (allowed: {allowed}). "
            "Export without it.",
            f"/extensionsUsed/{index}",
        )
        for index, name in enumerate(used if isinstance(used, list) else [])
        if isinstance(name, str) and name not in limits.allowed_extensions
    ]


# --- OBJ and PLY ---------------------------------------------------------------------------------------------------

_MTL_MAP = re.compile(rb"(?mi)^[ \t]*(?:map_\w+|bump|disp|decal|refl|norm)[ \t]+([^\r\n]+)")
_PLY_ELEMENT = re.compile(rb"(?m)^element[ \t]+(\w+)[ \t]+(\d+)")


def _check_obj(bundle: Bundle, limits: Limits) -> list[Message]:
    """Every .mtl and texture an OBJ names must lie inside the bundle: the converter would read them."""
    root = Path(os.path.realpath(bundle.root))
    messages: list[Message] = []
    with _mapped(bundle.scene) as data:
        libraries = _mtllib_lines(data)
    for library in libraries:
        target, problem = _resolve(library, bundle.scene.parent, root, f"mtllib {library}")
        if problem:
            messages.append(_obj_problem(problem))
            continue
        assert target is not None
        if target.stat().st_size > limits.max_json_bytes:
            messages.append(error("JSON_TOO_LARGE", f"The material file {library} is too large to read.", library))
            continue
        for match in _MTL_MAP.finditer(target.read_bytes()):
            texture = match.group(1).decode(errors="replace").split()[-1]
            image, problem = _resolve(texture, target.parent, root, f"{library}: {texture}")
            if problem:
                messages.append(_obj_problem(problem))
            elif image is not None:
                with open(image, "rb") as f:
                    messages += _check_image(f, f"{library}: {texture}", limits)
    return messages


def _mtllib_lines(data: bytes | mmap.mmap) -> list[str]:
    """The names after each ``mtllib`` at the start of a line; found with ``find``, fast on a 500 MB OBJ."""
    names, at = [], data.find(b"mtllib")
    while at >= 0:
        line_start = max(data.rfind(b"\n", 0, at), data.rfind(b"\r", 0, at)) + 1
        end = min((i for i in (data.find(b"\n", at), data.find(b"\r", at)) if i >= 0), default=len(data))
        if not data[line_start:at].strip() and data[at + 6 : at + 7] in (b" ", b"\t"):
            names.append(data[at + 6 : end].decode(errors="replace").strip())
        at = data.find(b"mtllib", end)
    return names


def _obj_problem(problem: Message) -> Message:
    # A missing .mtl or texture leaves the model loadable (untextured): a warning; the others are refused reads.
    if problem.code == "URI_MISSING":
        return warning(problem.code, problem.message, problem.pointer)
    return problem


def _check_ply_header(bundle: Bundle, limits: Limits) -> list[Message]:
    """The element counts a PLY header declares, against the memory budget, before a converter allocates them."""
    with open(bundle.scene, "rb") as f:
        header = f.read(65536).split(b"end_header", 1)[0]
    counts = {m.group(1).decode(): int(m.group(2)) for m in _PLY_ELEMENT.finditer(header)}
    need = counts.get("vertex", 0) * 12 + counts.get("face", 0) * 12
    if need > limits.max_accessor_bytes:
        return [
            error(
                "BUDGET_ACCESSOR_MEMORY",
                f"The PLY header declares {counts.get('vertex', 0):,} vertices and {counts.get('face', 0):,} faces, "
                f"about {need / MB:,.0f} MB once loaded; at most {limits.max_accessor_bytes // MB:,} MB is allowed.",
            )
        ]
    return []


@contextmanager
def _mapped(path: Path) -> Iterator[bytes | mmap.mmap]:
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            yield b""
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            yield data

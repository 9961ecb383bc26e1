"""Reading and writing glTF 2.0 files for the render and package stages: the JSON document, its buffers and images.

The scene has already passed validation when these run, but nothing here trusts it: external URIs are resolved only
inside the bundle's root (``data:`` URIs are decoded; anything with a scheme, an absolute path or a ``..`` that leaves
the root reads as missing), and every accessor is bounds-checked against its buffer before numpy looks at it.
"""

import base64
import binascii
import copy
import json
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np

GLB_MAGIC = b"glTF"
CHUNK_JSON = 0x4E4F534A
CHUNK_BIN = 0x004E4942

COMPONENT_DTYPES: dict[int, np.dtype[Any]] = {
    5120: np.dtype("<i1"),
    5121: np.dtype("<u1"),
    5122: np.dtype("<i2"),
    5123: np.dtype("<u2"),
    5125: np.dtype("<u4"),
    5126: np.dtype("<f4"),
}
TYPE_SIZES = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}
# Largest value of each normalized integer type: the divisor that maps it to [0, 1] or [-1, 1].
_NORMALIZED_SCALE = {5120: 127.0, 5121: 255.0, 5122: 32767.0, 5123: 65535.0, 5125: 4294967295.0}
# Compressed buffer views carry their real location in one of these extensions.
MESHOPT_EXTENSIONS = ("EXT_meshopt_compression", "KHR_meshopt_compression")
ALIGNMENT = 16


class GltfError(Exception):
    """The file cannot be read as glTF (truncated, inconsistent, or referring outside its bundle)."""


def sniff_mime(data: bytes) -> str | None:
    """The image type from its first bytes, whatever the file claims."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"\xabKTX 20\xbb\r\n\x1a\n"):
        return "image/ktx2"
    return None


def _pad(data: bytes, fill: bytes) -> bytes:
    return data + fill * (-len(data) % 4)


def parse_glb(data: bytes) -> tuple[dict, bytes | None]:
    """The JSON document and the BIN chunk (None when absent) of a GLB file."""
    if len(data) < 20 or data[:4] != GLB_MAGIC:
        raise GltfError("not a GLB file")
    _, _version, length = struct.unpack_from("<4sII", data, 0)
    length = min(length, len(data))
    offset, document, binary = 12, None, None
    while offset + 8 <= length:
        chunk_length, chunk_type = struct.unpack_from("<II", data, offset)
        start, end = offset + 8, offset + 8 + chunk_length
        if end > length:
            raise GltfError("GLB chunk runs past the end of the file")
        if chunk_type == CHUNK_JSON and document is None:
            try:
                document = json.loads(data[start:end])
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise GltfError(f"the GLB's JSON chunk is not JSON: {error}") from error
        elif chunk_type == CHUNK_BIN and binary is None:
            binary = data[start:end]
        offset = end + (-end % 4)
    if not isinstance(document, dict):
        raise GltfError("GLB file has no JSON chunk")
    return document, binary


def glb_bytes(document: dict, binary: bytes | None) -> bytes:
    """A GLB file: the JSON chunk padded with spaces, the BIN chunk (when there is one) padded with zeros."""
    json_chunk = _pad(json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode(), b" ")
    chunks = [struct.pack("<II", len(json_chunk), CHUNK_JSON), json_chunk]
    if binary is not None:
        bin_chunk = _pad(binary, b"\0")
        chunks += [struct.pack("<II", len(bin_chunk), CHUNK_BIN), bin_chunk]
    body = b"".join(chunks)
    return struct.pack("<4sII", GLB_MAGIC, 2, 12 + len(body)) + body


@dataclass
class Document:
    """A glTF document with lazy access to its buffers and images."""

    json: dict
    base: Path
    root: Path
    glb_binary: bytes | None = None
    _buffers: dict[int, bytes | None] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, *, root: Path | None = None) -> "Document":
        """Reads ``path`` (.glb or .gltf); relative URIs resolve against its folder and must stay inside ``root``
        (the bundle's folder; defaults to the file's own folder)."""
        path = Path(path)
        data = path.read_bytes()
        if data[:4] == GLB_MAGIC:
            document, binary = parse_glb(data)
        else:
            try:
                document, binary = json.loads(data), None
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise GltfError(f"not a glTF file: {error}") from error
            if not isinstance(document, dict):
                raise GltfError("the glTF JSON is not an object")
        base = path.resolve().parent
        return cls(json=document, base=base, root=(Path(root).resolve() if root else base), glb_binary=binary)

    def items(self, key: str) -> list:
        value = self.json.get(key)
        return value if isinstance(value, list) else []

    # --- Raw bytes -------------------------------------------------------------------------------------------

    def read_uri(self, uri: str) -> bytes | None:
        """The bytes a URI points at, or None when it is missing or not allowed (a scheme, an absolute path, or a
        path leaving the bundle)."""
        if uri.startswith("data:"):
            header, _, payload = uri.partition(",")
            try:
                return base64.b64decode(payload) if header.endswith(";base64") else unquote(payload).encode()
            except (binascii.Error, ValueError):
                return None
        if ":" in uri.split("/")[0] or uri.startswith(("/", "\\")):
            return None
        target = (self.base / unquote(uri)).resolve()
        if not target.is_relative_to(self.root) or not target.is_file():
            return None
        return target.read_bytes()

    def buffer(self, index: int) -> bytes | None:
        if index not in self._buffers:
            buffers = self.items("buffers")
            data = None
            if 0 <= index < len(buffers):
                uri = buffers[index].get("uri")
                data = self.read_uri(uri) if isinstance(uri, str) else (self.glb_binary if index == 0 else None)
            self._buffers[index] = data
        return self._buffers[index]

    def view_bytes(self, index: int) -> memoryview:
        view = self.items("bufferViews")[index]
        data = self.buffer(view.get("buffer", 0))
        if data is None:
            raise GltfError(f"buffer view {index} has no data")
        start = view.get("byteOffset", 0)
        end = start + view["byteLength"]
        if end > len(data):
            raise GltfError(f"buffer view {index} runs past its buffer")
        return memoryview(data)[start:end]

    def image_bytes(self, index: int) -> bytes | None:
        images = self.items("images")
        if not 0 <= index < len(images):
            return None
        image = images[index]
        try:
            if "bufferView" in image:
                return bytes(self.view_bytes(image["bufferView"]))
        except (GltfError, IndexError, KeyError):
            return None
        uri = image.get("uri")
        return self.read_uri(uri) if isinstance(uri, str) else None

    # --- Accessors -------------------------------------------------------------------------------------------

    def _read(self, view_index: int, offset: int, count: int, dtype: np.dtype[Any], components: int) -> np.ndarray:
        data = self.view_bytes(view_index)
        itemsize = dtype.itemsize * components
        stride = self.items("bufferViews")[view_index].get("byteStride") or itemsize
        if count == 0:
            return np.zeros((0, components), dtype)
        if offset < 0 or offset + stride * (count - 1) + itemsize > len(data):
            raise GltfError(f"accessor data runs past buffer view {view_index}")
        return np.ndarray(
            (count, components), dtype, buffer=data, offset=offset, strides=(stride, dtype.itemsize)
        ).copy()

    def accessor(self, index: int) -> np.ndarray:
        """The accessor's elements as an (count, components) array of its own component type, sparse values
        applied."""
        accessor = self.items("accessors")[index]
        dtype = COMPONENT_DTYPES[accessor["componentType"]]
        components = TYPE_SIZES[accessor["type"]]
        count = accessor["count"]
        if "bufferView" in accessor:
            values = self._read(accessor["bufferView"], accessor.get("byteOffset", 0), count, dtype, components)
        else:
            values = np.zeros((count, components), dtype)
        sparse = accessor.get("sparse")
        if sparse:
            n = sparse["count"]
            indices = sparse["indices"]
            where = self._read(
                indices["bufferView"], indices.get("byteOffset", 0), n, COMPONENT_DTYPES[indices["componentType"]], 1
            )[:, 0]
            if len(where) and where.max() >= count:
                raise GltfError(f"sparse accessor {index} writes past its count")
            patch = sparse["values"]
            values[where.astype(np.int64)] = self._read(
                patch["bufferView"], patch.get("byteOffset", 0), n, dtype, components
            )
        return values

    def floats(self, index: int) -> np.ndarray:
        """The accessor as float32, normalized integers mapped to [0, 1] or [-1, 1]."""
        accessor = self.items("accessors")[index]
        values = self.accessor(index)
        if accessor.get("normalized") and values.dtype.kind in "iu":
            scale = _NORMALIZED_SCALE[accessor["componentType"]]
            return np.maximum(values.astype(np.float32) / scale, -1.0)
        return values.astype(np.float32, copy=False)

    # --- Embedding -------------------------------------------------------------------------------------------

    def embedded(self) -> tuple[dict, bytes]:
        """The document as one GLB: every buffer with data joined into buffer 0 (the BIN chunk) and every image
        file moved into a buffer view. Buffers without data (meshopt fallbacks) stay, without a URI."""
        document = copy.deepcopy(self.json)
        binary = bytearray()
        starts: dict[int, int] = {}
        remap: dict[int, int] = {}
        kept: list[dict] = []
        buffers = self.items("buffers")
        for index in range(len(buffers)):
            data = self.buffer(index)
            if data is None:
                continue
            binary += b"\0" * (-len(binary) % ALIGNMENT)
            starts[index] = len(binary)
            binary += data
        image_data = {}
        for index, image in enumerate(document.get("images", [])):
            uri = image.get("uri")
            data = self.read_uri(uri) if isinstance(uri, str) else None
            if data is not None:
                image_data[index] = data
        has_data = bool(starts) or bool(image_data)
        for index, buffer in enumerate(buffers):
            if index in starts:
                remap[index] = 0
            else:
                remap[index] = len(kept) + (1 if has_data else 0)
                kept.append({k: v for k, v in buffer.items() if k != "uri"})

        def relocate(target: dict) -> None:
            old = target.get("buffer", 0)
            target["buffer"] = remap.get(old, old)
            if old in starts:
                target["byteOffset"] = target.get("byteOffset", 0) + starts[old]

        for view in document.get("bufferViews", []):
            relocate(view)
            for name in MESHOPT_EXTENSIONS:
                extension = view.get("extensions", {}).get(name)
                if isinstance(extension, dict):
                    relocate(extension)
        for index, data in image_data.items():
            image = document["images"][index]
            binary += b"\0" * (-len(binary) % ALIGNMENT)
            views = document.setdefault("bufferViews", [])
            views.append({"buffer": 0, "byteOffset": len(binary), "byteLength": len(data)})
            binary += data
            del image["uri"]
            image["bufferView"] = len(views) - 1
            image["mimeType"] = sniff_mime(data) or image.get("mimeType") or "image/png"
        document["buffers"] = ([{"byteLength": len(binary)}] if has_data else []) + kept
        if not document["buffers"]:
            del document["buffers"]
        return document, bytes(binary)


def repack(document: dict, binary: bytes, replacements: dict[int, bytes] | None = None) -> tuple[dict, bytes]:
    """A new BIN chunk holding only what buffer 0's views (and their meshopt extensions) point at, each aligned,
    with the views in ``replacements`` (buffer view index -> new bytes) swapped for new contents. Bytes nothing
    points at are dropped; ``document`` is updated in place and returned."""
    replacements = replacements or {}
    out = bytearray()

    def copy_range(target: dict, data: bytes | memoryview) -> None:
        out.extend(b"\0" * (-len(out) % ALIGNMENT))
        target["byteOffset"] = len(out)
        target["byteLength"] = len(data)
        out.extend(data)

    source = memoryview(binary)
    for index, view in enumerate(document.get("bufferViews", [])):
        for name in MESHOPT_EXTENSIONS:
            extension = view.get("extensions", {}).get(name)
            if isinstance(extension, dict) and extension.get("buffer", 0) == 0:
                start = extension.get("byteOffset", 0)
                copy_range(extension, source[start : start + extension["byteLength"]])
        if view.get("buffer", 0) != 0:
            continue
        if index in replacements:
            copy_range(view, replacements[index])
        else:
            start = view.get("byteOffset", 0)
            copy_range(view, source[start : start + view["byteLength"]])
    if document.get("buffers"):
        document["buffers"][0]["byteLength"] = len(out)
    return document, bytes(out)


def load_glb_parts(path: Path, *, root: Path | None = None) -> tuple[dict, bytes]:
    """Any .glb or .gltf as (JSON document, BIN bytes) ready to be written as one GLB."""
    return Document.load(path, root=root).embedded()


def write_atomically(path: Path, data: bytes) -> Path:
    """Writes ``data`` to ``path`` under a temporary name, then renames it: a rerun overwrites, and a killed run
    leaves nothing half written. Returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return path

"""Our checks' view of a .gltf/.glb: the JSON, parsed only once its size and data URIs are measured, and its
buffers, memory-mapped and read only where a check needs them (texture headers, NaN and infinite positions, read
while the Khronos validator runs)."""

import io
import json
import mmap
import os
import struct
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np

from competitions.pipeline.limits import Limits
from competitions.pipeline.report import Message, error, gettext_noop
from competitions.pipeline.unpack import Bundle

from .budgets import json_too_large, scan_data_uris
from .document import is_index, items
from .textures import check_image
from .uris import decode_data_uri, resolve_uri

CHUNK_JSON, CHUNK_BIN = 0x4E4F534A, 0x004E4942
ROWS_PER_SCAN = 1 << 20


class Span:
    """``length`` bytes at ``offset`` of a memory map or a bytes object, sliced only when needed."""

    def __init__(self, data: bytes | mmap.mmap, offset: int = 0, length: int | None = None) -> None:
        self.data, self.offset = data, offset
        self.length = len(data) - offset if length is None else length

    def sub(self, offset: int, length: int) -> "Span | None":
        if offset + length > self.length:
            return None
        return Span(self.data, self.offset + offset, length)

    def bytes(self) -> bytes:
        return self.data[self.offset : self.offset + self.length]


class MappedScene:
    """The JSON document of a .gltf/.glb and lazy, memory-mapped access to its buffers; all bounds-checked."""

    def __init__(self, bundle: Bundle, stack: ExitStack) -> None:
        self.bundle, self.stack = bundle, stack
        self.root = Path(os.path.realpath(bundle.root))
        self.document: dict[str, Any] | None = None
        self.glb_bin: tuple[int, int] | None = None  # offset and length of the GLB's BIN chunk
        self.buffer_files: dict[int, Path] = {}
        self.image_files: dict[int, Path] = {}
        self._buffers: dict[int, Span | None] = {}
        self._maps: dict[Path, Span] = {}

    def _map(self, path: Path) -> Span:
        if path not in self._maps:
            f = self.stack.enter_context(open(path, "rb"))
            if os.fstat(f.fileno()).st_size == 0:
                self._maps[path] = Span(b"")
            else:
                self._maps[path] = Span(self.stack.enter_context(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)))
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
            too_large = scan_data_uris(f, json_at, json_length, limits)
            if json_length > limits.max_json_bytes:
                return [json_too_large(json_length, limits), *too_large]
            if too_large:
                return too_large
            f.seek(json_at)
            raw = f.read(json_length)
        if len(raw) < json_length:
            return []  # a truncated GLB: the validator reports it
        try:
            document = json.loads(raw)
        except RecursionError:
            return [
                error(
                    "JSON_TOO_DEEP",
                    gettext_noop("The glTF JSON is nested too deeply to be read; export the scene again."),
                )
            ]
        except (ValueError, UnicodeDecodeError):
            return []  # the validator reports INVALID_JSON with the position
        if isinstance(document, dict):
            self.document = document
        return []

    def resolve_uris(self) -> list[Message]:
        assert self.document is not None
        messages = []
        for key, files in (("buffers", self.buffer_files), ("images", self.image_files)):
            for index, item in items(self.document, key):
                uri = item.get("uri")
                if not isinstance(uri, str) or uri[:5].lower() == "data:":
                    continue
                target, problem = resolve_uri(uri, self.bundle.scene.parent, self.root, f"/{key}/{index}/uri")
                if problem:
                    messages.append(problem)
                elif target is not None:
                    files[index] = target
        return messages

    def buffer(self, index: int) -> Span | None:
        """The bytes of buffer ``index`` (memory-mapped where it is a file), or None when they cannot be had."""
        if index not in self._buffers:
            self._buffers[index] = self._load_buffer(index)
        return self._buffers[index]

    def _load_buffer(self, index: int) -> Span | None:
        assert self.document is not None
        buffers = self.document.get("buffers")
        if not isinstance(buffers, list) or not 0 <= index < len(buffers) or not isinstance(buffers[index], dict):
            return None
        uri = buffers[index].get("uri")
        if uri is None and index == 0 and self.glb_bin is not None:
            return self._map(self.bundle.scene).sub(*self.glb_bin)
        if isinstance(uri, str) and uri[:5].lower() == "data:":
            data = decode_data_uri(uri)
            return Span(data) if data is not None else None
        if index in self.buffer_files:
            return self._map(self.buffer_files[index])
        return None

    def _view(self, view_index: Any) -> tuple[Span, dict[str, Any]] | None:
        views = self.document.get("bufferViews") if self.document else None
        if not is_index(view_index) or not isinstance(views, list) or view_index >= len(views):
            return None
        view = views[view_index]
        if not isinstance(view, dict) or not is_index(view.get("buffer")):
            return None
        offset, length = view.get("byteOffset", 0), view.get("byteLength")
        data = self.buffer(view["buffer"])
        if data is None or not is_index(offset) or not is_index(length):
            return None
        span = data.sub(offset, length)
        return (span, view) if span is not None else None

    def check_images(self, limits: Limits) -> list[Message]:
        assert self.document is not None
        messages = []
        for index, image in items(self.document, "images"):
            pointer = f"/images/{index}"
            uri = image.get("uri")
            if index in self.image_files:
                with open(self.image_files[index], "rb") as f:
                    messages += check_image(f, pointer, limits)
            elif isinstance(uri, str) and uri[:5].lower() == "data:":
                data = decode_data_uri(uri)
                if data is not None:
                    messages += check_image(io.BytesIO(data), pointer, limits)
            elif "bufferView" in image:
                found = self._view(image["bufferView"])
                if found is not None:
                    messages += check_image(io.BytesIO(found[0].bytes()), pointer, limits)
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
                        gettext_noop(
                            "Vertex %(vertex)s of this mesh has a position that is not a finite number (NaN or "
                            "infinity); the model cannot be framed, rendered or measured. Clean up the mesh and "
                            "export again."
                        ),
                        f"/accessors/{index}",
                        vertex=int(bad),
                    )
                )
        return messages

    def _first_non_finite(self, accessor: dict[str, Any]) -> int | None:
        count, offset = accessor.get("count"), accessor.get("byteOffset", 0)
        if accessor.get("componentType") != 5126 or accessor.get("type") != "VEC3" or "sparse" in accessor:
            return None
        if not is_index(count) or not is_index(offset) or count == 0:
            return None
        found = self._view(accessor.get("bufferView"))
        if found is None:
            return None
        span, view = found
        stride = view.get("byteStride", 12)
        if not is_index(stride) or stride < 12 or offset + stride * (count - 1) + 12 > span.length:
            return None  # out of bounds: the validator reports it
        positions = np.ndarray(
            (count, 3), dtype="<f4", buffer=span.data, offset=span.offset + offset, strides=(stride, 4)
        )
        for start in range(0, count, ROWS_PER_SCAN):
            finite = np.isfinite(positions[start : start + ROWS_PER_SCAN]).all(axis=1)
            if not finite.all():
                return start + int(np.argmin(finite))
        return None


def _position_accessors(document: dict[str, Any]) -> set[int]:
    found = set()
    for _index, mesh in items(document, "meshes"):
        primitives = mesh.get("primitives")
        for primitive in primitives if isinstance(primitives, list) else []:
            if not isinstance(primitive, dict):
                continue
            targets = primitive.get("targets")
            for attributes in [primitive.get("attributes"), *(targets if isinstance(targets, list) else [])]:
                if isinstance(attributes, dict) and is_index(attributes.get("POSITION")):
                    found.add(attributes["POSITION"])
    return found

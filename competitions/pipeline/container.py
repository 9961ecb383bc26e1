"""First look at an uploaded file: is it the container it claims to be, and what does its glTF JSON hold?

This reads headers and the JSON only, never the binary payload, so it is cheap on files of any size.
Each problem is a message dict: ``{"severity", "code", "message", "pointer"}``.
"""

import json
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

GLB_MAGIC = b"glTF"
GLB_HEADER = struct.Struct("<4sII")
CHUNK_HEADER = struct.Struct("<II")
CHUNK_JSON = 0x4E4F534A
MAX_JSON_BYTES = 64 * 1024 * 1024
TRIANGLES = 4

Message = dict[str, str]


def _error(code: str, message: str, pointer: str = "") -> Message:
    return {"severity": "error", "code": code, "message": message, "pointer": pointer}


class ContainerError(Exception):
    def __init__(self, code: str, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.as_message = _error(code, message, pointer)


def read_glb_json(path: Path) -> dict[str, Any]:
    """Return the JSON chunk of a GLB file, checking the header against the file's real length."""
    with open(path, "rb") as f:
        head = f.read(GLB_HEADER.size + CHUNK_HEADER.size)
        return _parse_glb(head, path.stat().st_size, f.read)


def _parse_glb(head: bytes, size: int, read: Callable[[int], bytes]) -> dict[str, Any]:
    if len(head) < GLB_HEADER.size or head[:4] != GLB_MAGIC:
        raise ContainerError("GLB_BAD_MAGIC", "This is not a GLB file: it does not start with the bytes 'glTF'.")
    _magic, version, length = GLB_HEADER.unpack_from(head)
    if version != 2:
        raise ContainerError("GLB_BAD_VERSION", f"GLB version {version} is not supported; export glTF 2.0.")
    if length != size:
        raise ContainerError(
            "GLB_LENGTH_MISMATCH",
            f"The GLB header says {length} bytes but the file has {size}; the file is truncated or padded.",
        )
    if len(head) < GLB_HEADER.size + CHUNK_HEADER.size:
        raise ContainerError("GLB_NO_JSON_CHUNK", "The GLB file ends before its JSON chunk.")
    chunk_length, chunk_type = CHUNK_HEADER.unpack_from(head, GLB_HEADER.size)
    if chunk_type != CHUNK_JSON:
        raise ContainerError("GLB_NO_JSON_CHUNK", "The first chunk of a GLB file must be its JSON.")
    if chunk_length > MAX_JSON_BYTES or GLB_HEADER.size + CHUNK_HEADER.size + chunk_length > size:
        raise ContainerError("GLB_BAD_CHUNK_LENGTH", "The JSON chunk is longer than the file or than 64 MB.")
    return _parse_json(read(chunk_length))


def _parse_json(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContainerError("INVALID_JSON", f"The glTF JSON cannot be read: {exc}.") from None
    if not isinstance(document, dict):
        raise ContainerError("INVALID_JSON", "The glTF JSON must be an object.")
    asset = document.get("asset")
    if not isinstance(asset, dict) or asset.get("version") != "2.0":
        raise ContainerError("UNSUPPORTED_VERSION", 'The file must declare asset.version "2.0".', "/asset/version")
    return document


def count_stats(document: dict[str, Any]) -> dict[str, int]:
    """Counts read from the JSON alone. Triangles come from index or position accessor counts."""
    accessors = document.get("accessors") or []
    meshes = document.get("meshes") or []
    triangles = vertices = draw_calls = 0
    for mesh in meshes:
        for primitive in mesh.get("primitives") or []:
            draw_calls += 1
            position = primitive.get("attributes", {}).get("POSITION")
            if isinstance(position, int) and 0 <= position < len(accessors):
                vertices += int(accessors[position].get("count", 0))
            if primitive.get("mode", TRIANGLES) != TRIANGLES:
                continue
            source = primitive.get("indices", position)
            if isinstance(source, int) and 0 <= source < len(accessors):
                triangles += int(accessors[source].get("count", 0)) // 3
    return {
        "triangles": triangles,
        "vertices": vertices,
        "draw_calls": draw_calls,
        "meshes": len(meshes),
        "materials": len(document.get("materials") or []),
        "textures": len(document.get("textures") or []),
        "nodes": len(document.get("nodes") or []),
        "animations": len(document.get("animations") or []),
    }


def inspect_container(path: Path) -> tuple[list[Message], dict[str, int]]:
    """Check that ``path`` is a GLB, or a zip holding one .gltf or .glb, and count what its JSON describes."""
    try:
        if path.suffix.lower() == ".zip":
            document = _read_zip(path)
        else:
            document = read_glb_json(path)
    except ContainerError as exc:
        return [exc.as_message], {}
    return [], count_stats(document)


def _read_zip(path: Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(path) as archive:
            scenes = [
                info
                for info in archive.infolist()
                if not info.is_dir() and info.filename.lower().endswith((".gltf", ".glb"))
            ]
            if len(scenes) != 1:
                raise ContainerError(
                    "ZIP_SCENE_COUNT",
                    f"The zip must hold exactly one .gltf or .glb scene; it holds {len(scenes)}.",
                )
            scene = scenes[0]
            if scene.file_size > MAX_JSON_BYTES and scene.filename.lower().endswith(".gltf"):
                raise ContainerError("JSON_TOO_LARGE", "The .gltf JSON is larger than 64 MB.")
            with archive.open(scene) as f:
                if scene.filename.lower().endswith(".glb"):
                    head = f.read(GLB_HEADER.size + CHUNK_HEADER.size)
                    return _parse_glb(head, scene.file_size, f.read)
                return _parse_json(f.read(MAX_JSON_BYTES + 1))
    except zipfile.BadZipFile:
        raise ContainerError("ZIP_INVALID", "This .zip file is damaged or not a zip archive.") from None

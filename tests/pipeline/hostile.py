"""Hostile uploads, built on the spot for the tests: every file the pipeline must refuse without harm.

Each builder writes to ``path`` (a file, or a folder for the loose .gltf bundles) and returns it. Big files are
written in a stream, never held in memory: the 150 MB data URI is base64 written chunk by chunk, and the zip bomb
and the 20000x20000 PNG repeat one precompressed deflate block, so they take a second or less to build.
"""

import base64
import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

from competitions.pipeline.samples import box_glb

MB = 1024 * 1024
SENTINEL = b"METASCENE-SENTINEL: this file lies outside the bundle and must never be read\n"

# --- GLB plumbing ------------------------------------------------------------------------------------------------


def glb_parts(glb: bytes) -> tuple[dict[str, Any], bytes]:
    """The JSON document and BIN chunk of a well-formed GLB."""
    json_length = struct.unpack_from("<I", glb, 12)[0]
    document = json.loads(glb[20 : 20 + json_length])
    rest = glb[20 + json_length :]
    binary = rest[8 : 8 + struct.unpack_from("<I", rest)[0]] if rest else b""
    return document, binary


def glb_bytes(document: dict[str, Any], binary: bytes = b"") -> bytes:
    """A GLB holding ``document`` and, when given, ``binary`` as its BIN chunk."""
    json_chunk = json.dumps(document, separators=(",", ":")).encode()
    json_chunk += b" " * (-len(json_chunk) % 4)
    chunks = struct.pack("<I4s", len(json_chunk), b"JSON") + json_chunk
    if binary:
        binary += b"\0" * (-len(binary) % 4)
        chunks += struct.pack("<I4s", len(binary), b"BIN\0") + binary
    return struct.pack("<4sII", b"glTF", 2, 12 + len(chunks)) + chunks


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --- small images --------------------------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(width: int = 4, height: int = 4, rgb: tuple[int, int, int] = (200, 120, 40)) -> bytes:
    """A small valid RGB PNG of one colour."""
    row = b"\0" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(row * height))
        + _png_chunk(b"IEND", b"")
    )


def _zeros_deflate(size: int, *, raw: bool) -> bytes:
    """A deflate stream of ``size`` zero bytes (raw, or zlib-wrapped), built by repeating one fully flushed block:
    a second or less even for gigabytes."""
    block = 1 * MB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15 if raw else 15)
    full, rest = divmod(size, block)
    parts = []
    if full:
        zeros = bytes(block)
        parts.append(compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH))
        # After a full flush the compressor has forgotten the past: every further block compresses the same way.
        parts += [compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)] * (full - 1)
    parts.append(compressor.compress(bytes(rest)) + compressor.flush())
    stream = b"".join(parts)
    if not raw:  # the zlib trailer is the Adler-32 of all the data: for zeros, simple arithmetic
        stream = stream[:-4] + struct.pack(">I", ((size % 65521) << 16) | 1)
    return stream


def _zeros_crc(size: int) -> int:
    crc, zeros = 0, bytes(MB)
    for _ in range(size // MB):
        crc = zlib.crc32(zeros, crc)
    return zlib.crc32(bytes(size % MB), crc)


def huge_png(width: int = 20000, height: int = 20000) -> bytes:
    """A real, complete greyscale PNG of ``width`` x ``height`` black pixels (400 megapixels by default) that is about
    400 KB on disk: decoding it would take ``width * height`` bytes. Its header tells the size without decoding."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = _zeros_deflate((width + 1) * height, raw=False)  # each row: filter byte 0 then zero pixels
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")


HTML_PAGE = b"<!DOCTYPE html>\n<html><head><title>Not an image</title></head><body>Hello</body></html>\n"


# --- scenes --------------------------------------------------------------------------------------------------------


def textured_box_document(image: dict[str, Any], *, bin_uri: str | None) -> tuple[dict[str, Any], bytes]:
    """The box of ``samples.box_glb`` with UVs and one base-colour texture whose image is ``image``."""
    document, binary = glb_parts(box_glb())
    vertex_count = document["accessors"][0]["count"]
    uvs = struct.pack(f"<{vertex_count * 2}f", *([0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0] * (vertex_count // 4)))
    binary += b"\0" * (-len(binary) % 4)
    document["bufferViews"].append({"buffer": 0, "byteOffset": len(binary), "byteLength": len(uvs)})
    document["accessors"].append(
        {"bufferView": len(document["bufferViews"]) - 1, "componentType": 5126, "count": vertex_count, "type": "VEC2"}
    )
    binary += uvs
    document["meshes"][0]["primitives"][0]["attributes"]["TEXCOORD_0"] = len(document["accessors"]) - 1
    document["materials"][0]["pbrMetallicRoughness"]["baseColorTexture"] = {"index": 0}
    document["textures"] = [{"source": 0}]
    document["images"] = [image]
    document["buffers"] = [{"byteLength": len(binary), **({"uri": bin_uri} if bin_uri else {})}]
    return document, binary


def gltf_folder(folder: Path, *, buffer_uri: str = "scene.bin", image: bytes | None = None) -> Path:
    """A loose .gltf bundle in ``folder``: scene.gltf, and scene.bin unless ``buffer_uri`` points elsewhere; with
    ``image``, a texture.png beside it. Returns the .gltf path."""
    folder.mkdir(parents=True, exist_ok=True)
    if image is None:
        document, binary = glb_parts(box_glb())
        document["buffers"] = [{"byteLength": len(binary), "uri": buffer_uri}]
    else:
        document, binary = textured_box_document({"uri": "texture.png"}, bin_uri=buffer_uri)
        (folder / "texture.png").write_bytes(image)
    (folder / "scene.bin").write_bytes(binary)
    return _write(folder / "scene.gltf", json.dumps(document).encode())


def gltf_with_image_uri(folder: Path, image_uri: str) -> Path:
    """A loose textured .gltf bundle whose image is ``image_uri`` (which may point anywhere)."""
    folder.mkdir(parents=True, exist_ok=True)
    document, binary = textured_box_document({"uri": image_uri}, bin_uri="scene.bin")
    (folder / "scene.bin").write_bytes(binary)
    return _write(folder / "scene.gltf", json.dumps(document).encode())


def glb_with_buffer_uri(path: Path, uri: str) -> Path:
    """A GLB whose second buffer (holding the box's normals) is fetched from ``uri``: ../, /abs, file://, http://."""
    document, binary = glb_parts(box_glb())
    document["buffers"].append({"byteLength": 288, "uri": uri})
    document["bufferViews"][1] = {"buffer": 1, "byteOffset": 0, "byteLength": 288, "target": 34962}
    return _write(path, glb_bytes(document, binary))


def textured_glb(path: Path, image: bytes, mime_type: str = "image/png") -> Path:
    """A textured box GLB with ``image`` stored in its BIN chunk."""
    document, binary = textured_box_document({}, bin_uri=None)
    binary += b"\0" * (-len(binary) % 4)
    document["bufferViews"].append({"buffer": 0, "byteOffset": len(binary), "byteLength": len(image)})
    document["images"] = [{"bufferView": len(document["bufferViews"]) - 1, "mimeType": mime_type}]
    binary += image
    document["buffers"] = [{"byteLength": len(binary) + (-len(binary) % 4)}]
    return _write(path, glb_bytes(document, binary))


def data_uri_gltf(path: Path, uri_bytes: int = 150 * MB) -> Path:
    """A .gltf whose one buffer is a data URI about ``uri_bytes`` long, written to disk in a stream."""
    decoded = uri_bytes // 4 * 3
    prefix = '{"asset":{"version":"2.0"},"buffers":[{"byteLength":%d,"uri":"data:application/octet-stream;base64,'
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write((prefix % decoded).encode())
        chunk = base64.b64encode(bytes(3 * MB))
        written = 0
        while written + 3 * MB <= decoded:
            f.write(chunk)
            written += 3 * MB
        f.write(base64.b64encode(bytes(decoded - written)))
        f.write(b'"}]}')
    return path


def huge_accessor_glb(path: Path, count: int = 2_000_000_000) -> Path:
    """The box with its position accessor claiming ``count`` vertices (24 GB of floats) over 288 bytes of data."""
    document, binary = glb_parts(box_glb())
    document["accessors"][0]["count"] = count
    return _write(path, glb_bytes(document, binary))


def nan_positions_glb(path: Path) -> Path:
    """The box with one vertex at NaN and another at +infinity."""
    document, binary = glb_parts(box_glb())
    data = bytearray(binary)
    struct.pack_into("<f", data, 3 * 4, float("nan"))  # vertex 1, x
    struct.pack_into("<f", data, 5 * 12 + 8, float("inf"))  # vertex 5, z
    return _write(path, glb_bytes(document, bytes(data)))


def truncated_glb(path: Path) -> Path:
    """The box GLB cut off half way through its binary chunk."""
    glb = box_glb()
    return _write(path, glb[: len(glb) - 200])


def png_named_glb(path: Path) -> Path:
    """A PNG image saved with a .glb name."""
    return _write(path, png_bytes())


# --- zip archives --------------------------------------------------------------------------------------------------


def _zip(path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return path


def _gltf_entries() -> list[tuple[zipfile.ZipInfo | str, bytes]]:
    document, binary = glb_parts(box_glb())
    document["buffers"] = [{"byteLength": len(binary), "uri": "scene.bin"}]
    return [("scene.gltf", json.dumps(document).encode()), ("scene.bin", binary)]


def gltf_zip(path: Path) -> Path:
    """A valid zipped .gltf bundle: scene.gltf and scene.bin."""
    return _zip(path, _gltf_entries())


def zip_slip(path: Path, name: str = "../../outside.txt") -> Path:
    """A valid bundle plus an entry whose name climbs out of the extraction folder."""
    return _zip(path, [*_gltf_entries(), (name, SENTINEL)])


def zip_symlink(path: Path, target: str = "/etc/passwd") -> Path:
    """A valid bundle plus ``texture.png``, a symbolic link to ``target``."""
    link = zipfile.ZipInfo("texture.png")
    link.external_attr = (0o120777 << 16) | 0x20
    link.create_system = 3  # Unix, so the mode bits are read
    return _zip(path, [*_gltf_entries(), (link, target.encode())])


def zip_nested(path: Path) -> Path:
    """A valid bundle plus another zip inside it."""
    inner = Path(str(path) + ".inner.zip")
    gltf_zip(inner)
    data = inner.read_bytes()
    inner.unlink()
    return _zip(path, [*_gltf_entries(), ("more/extra.zip", data)])


def zip_duplicates(path: Path) -> Path:
    """A bundle holding scene.bin and SCENE.BIN: the same name ignoring case."""
    return _zip(path, [*_gltf_entries(), ("SCENE.BIN", b"\0" * 16)])


def zip_two_scenes(path: Path) -> Path:
    """A zip holding a .gltf bundle and a .glb: which one is the entry?"""
    return _zip(path, [*_gltf_entries(), ("other.glb", box_glb())])


def zip_png_as_glb(path: Path) -> Path:
    """A zip holding one model.glb that is really a PNG."""
    return _zip(path, [("model.glb", png_bytes())])


def _raw_zip(path: Path, name: str, stream: bytes, *, declared_size: int, crc: int) -> Path:
    """A one-entry deflated zip written by hand, so the headers say exactly what the caller wants."""
    encoded = name.encode()
    local = struct.pack(
        "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(stream), declared_size, len(encoded), 0
    )
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02",
        20,
        20,
        0,
        8,
        0,
        0x21,
        crc,
        len(stream),
        declared_size,
        len(encoded),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    directory = central + encoded
    start = len(local) + len(encoded) + len(stream)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), start, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(local + encoded)
        f.write(stream)
        f.write(directory + end)
    return path


def zip_bomb(path: Path, uncompressed: int = 1024 * MB) -> Path:
    """One entry, ``model.bin``, of ``uncompressed`` zero bytes in about a thousandth of that: correct headers."""
    stream = _zeros_deflate(uncompressed, raw=True)
    return _raw_zip(path, "model.bin", stream, declared_size=uncompressed, crc=_zeros_crc(uncompressed))


def zip_lying_sizes(path: Path, actual: int = 64 * MB, declared: int = 1024) -> Path:
    """One entry, ``scene.glb``, whose headers declare ``declared`` bytes while its data inflates to ``actual``."""
    stream = _zeros_deflate(actual, raw=True)
    return _raw_zip(path, "scene.glb", stream, declared_size=declared, crc=_zeros_crc(declared))


def many_entries_zip(path: Path, count: int) -> Path:
    """A bundle plus ``count`` tiny extra files."""
    return _zip(path, [*_gltf_entries(), *[(f"extra/{i}.txt", b"x") for i in range(count)]])

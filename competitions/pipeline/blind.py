"""The blind copy: a GLB a judge can open without learning who made it.

``package_blind`` removes the asset's copyright and generator, every ``extras``, XMP metadata, the metadata inside
embedded PNG, JPEG and WebP textures (pixels unchanged) and bytes no buffer view points at, and gives every named
object a neutral name ("node-3", "material-0"), whatever its name said: a name need not match the team's to give it
away ("Zhang's studio lobby"), and the viewer uses none (animations and references go by index). No image keeps a
URI. The pipeline applies it to the compressed viewer copy (``run.render_stage``), so judges of a blind round
download a file no larger than those of an open one.
"""

import struct
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, overload

from competitions.pipeline.gltf_io import glb_bytes, load_glb_parts, repack, sniff_mime, write_atomically

# PNG chunks that change how pixels look or are decoded; everything else (tEXt, zTXt, iTXt, eXIf, tIME, private
# chunks) is metadata and leaves the blind copy.
_PNG_KEEP = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB", b"cICP", b"mDCv",
    b"cLLi", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip
# JPEG segments kept: JFIF (APP0), ICC profiles (APP2 "ICC_PROFILE"), Adobe's colour transform (APP14) and the
# decoding tables; EXIF and XMP (APP1), IPTC (APP13), comments and the other APPn go.
_JPEG_APP0, _JPEG_APP2, _JPEG_APP14, _JPEG_SOS, _JPEG_EOI, _JPEG_COM = 0xE0, 0xE2, 0xEE, 0xDA, 0xD9, 0xFE
# WebP chunks that are metadata, and the VP8X flags that announce them.
_WEBP_DROP = {b"EXIF", b"XMP "}
_WEBP_FLAG_EXIF, _WEBP_FLAG_XMP = 0x08, 0x04
# Top-level glTF arrays whose objects carry a ``name``, and the word their neutral names start with.
_NEUTRAL = {
    "accessors": "accessor",
    "animations": "animation",
    "bufferViews": "buffer-view",
    "buffers": "buffer",
    "cameras": "camera",
    "images": "image",
    "materials": "material",
    "meshes": "mesh",
    "nodes": "node",
    "samplers": "sampler",
    "scenes": "scene",
    "skins": "skin",
    "textures": "texture",
}
_METADATA_EXTENSIONS = ("KHR_xmp_json_ld", "KHR_xmp")


def strip_png(data: bytes) -> bytes:
    """The PNG with only its image-defining chunks: the same pixels, no text, EXIF or time stamps."""
    signature = b"\x89PNG\r\n\x1a\n"
    if not data.startswith(signature):
        return data
    out, offset = [signature], len(signature)
    while offset + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, offset)
        kind = data[offset + 4 : offset + 8]
        end = offset + 12 + length
        if end > len(data):
            break
        if kind in _PNG_KEEP:
            out.append(data[offset:end])
        offset = end
        if kind == b"IEND":
            break
    return b"".join(out)


def strip_jpeg(data: bytes) -> bytes:
    """The JPEG without EXIF, XMP, IPTC, comments or other application segments: the same decoded pixels."""
    if not data.startswith(b"\xff\xd8"):
        return data
    out, offset, size = bytearray(b"\xff\xd8"), 2, len(data)
    while offset < size:
        if data[offset] != 0xFF:
            return data  # not where a marker should be: leave a file we do not understand as it is
        while offset < size and data[offset] == 0xFF:
            offset += 1
        if offset >= size:
            break
        marker = data[offset]
        offset += 1
        if marker == _JPEG_EOI:
            out += b"\xff\xd9"
            return bytes(out)  # anything after the end of the image is dropped too
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out += bytes((0xFF, marker))
            continue
        if offset + 2 > size:
            return data
        (length,) = struct.unpack_from(">H", data, offset)
        segment = data[offset : offset + length]
        offset += length
        metadata = marker == _JPEG_COM or (0xE1 <= marker <= 0xEF and marker != _JPEG_APP14)
        if marker == _JPEG_APP2 and segment[2:14] == b"ICC_PROFILE\0":
            metadata = False
        if marker == _JPEG_APP0 and segment[2:7] != b"JFIF\0":
            metadata = True  # JFXX carries a thumbnail
        if not metadata:
            out += bytes((0xFF, marker)) + segment
        if marker == _JPEG_SOS:
            # Entropy-coded data runs to the next marker that is neither a stuffed 0xFF00 nor a restart marker.
            scan = offset
            while True:
                scan = data.find(b"\xff", scan)
                if scan < 0 or scan + 1 >= size:
                    scan = size
                    break
                following = data[scan + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    scan += 1 if following == 0xFF else 2
                    continue
                break
            out += data[offset:scan]
            offset = scan
    return bytes(out)


def strip_webp(data: bytes) -> bytes:
    """The WebP without its EXIF and XMP chunks (and the VP8X flags announcing them)."""
    if not (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return data
    chunks, offset = [], 12
    while offset + 8 <= len(data):
        kind = data[offset : offset + 4]
        (length,) = struct.unpack_from("<I", data, offset + 4)
        end = offset + 8 + length + (length & 1)
        chunk = bytearray(data[offset:end])
        if kind == b"VP8X" and len(chunk) > 8:
            chunk[8] &= ~(_WEBP_FLAG_EXIF | _WEBP_FLAG_XMP) & 0xFF
        if kind not in _WEBP_DROP:
            chunks.append(bytes(chunk))
        offset = end
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def strip_image_metadata(data: bytes) -> bytes:
    """The image with its metadata removed and its pixels untouched; other formats come back as they are."""
    mime = sniff_mime(data)
    if mime == "image/png":
        return strip_png(data)
    if mime == "image/jpeg":
        return strip_jpeg(data)
    if mime == "image/webp":
        return strip_webp(data)
    return data


@overload
def _anonymise(value: dict[str, Any], label: str = "item") -> dict[str, Any]: ...
@overload
def _anonymise(value: object, label: str = "item") -> object: ...
def _anonymise(value: object, label: str = "item") -> object:
    """``value`` without ``extras`` or XMP metadata anywhere and with every ``name`` replaced by ``label-N`` (N its
    index in its array), or by ``label`` outside an array."""
    if isinstance(value, dict):
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            if key == "extras":
                continue
            if key == "extensions" and isinstance(item, dict):
                item = {k: v for k, v in item.items() if k not in _METADATA_EXTENSIONS}
                if not item:
                    continue
            if key == "name" and isinstance(item, str):
                cleaned[key] = label
                continue
            cleaned[key] = _anonymise(item, _NEUTRAL.get(key, key.rstrip("s") or "item"))
        return cleaned
    if isinstance(value, list):
        return [_anonymise(item, f"{label}-{i}") if isinstance(item, dict) else item for i, item in enumerate(value)]
    return value


def _placeholder_png() -> bytes:
    """A 1x1 mid-grey PNG: what an image whose file could not be read (an outside URL) becomes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\x80")) + chunk(b"IEND", b"")
    )


def package_blind(scene: Path, out: Path, *, identifying: Sequence[str] = (), root: Path | None = None) -> Path:
    """Writes ``out``: ``scene`` as one GLB a judge can open without learning who made it. Removed: the asset's
    copyright and generator, every ``extras``, XMP metadata (KHR_xmp_json_ld), EXIF/XMP/IPTC/text metadata inside
    embedded PNG, JPEG and WebP textures (pixels unchanged), and bytes no buffer view points at. Every name of
    nodes, meshes, materials, textures, images and every other named object becomes neutral ("node-3"), whatever
    it says; an image whose file could not be embedded (an outside URL) becomes a 1x1 grey PNG, so no URI
    remains. ``identifying`` (the team's words) is accepted for the callers and no longer needed. Returns
    ``out``."""
    del identifying  # every name goes, so none needs matching
    document, binary = load_glb_parts(Path(scene), root=root)
    asset = document.get("asset", {})
    for key in ("copyright", "generator"):
        asset.pop(key, None)
    for key in ("extensionsUsed", "extensionsRequired"):
        if key in document:
            document[key] = [name for name in document[key] if name not in _METADATA_EXTENSIONS]
            if not document[key]:
                del document[key]
    document = _anonymise(document, "item")
    replacements: dict[int, bytes] = {}
    for image in document.get("images", []):
        view = image.get("bufferView")
        if isinstance(view, int) and view not in replacements:
            entry = document["bufferViews"][view]
            start = entry.get("byteOffset", 0)
            original = binary[start : start + entry["byteLength"]]
            stripped = strip_image_metadata(original)
            if stripped != original:
                replacements[view] = stripped
    for image in document.get("images", []):
        if image.pop("uri", None) is not None:
            views = document.setdefault("bufferViews", [])
            views.append({"buffer": 0, "byteOffset": 0, "byteLength": 0})
            replacements[len(views) - 1] = _placeholder_png()
            image.update(bufferView=len(views) - 1, mimeType="image/png")
            document.setdefault("buffers", [{"byteLength": 0}])
    # A BIN chunk with nothing to strip and nothing hidden between its views is kept byte for byte (repacking
    # would only re-align it, making a compressed viewer copy's blind twin a few bytes larger).
    if replacements or _hides_bytes(document, binary):
        document, binary = repack(document, binary, replacements)
    return write_atomically(out, glb_bytes(document, binary if document.get("buffers") else None))


def _hides_bytes(document: dict[str, Any], binary: bytes) -> bool:
    """Whether buffer 0 holds anything but zeros outside the ranges its buffer views (and their meshopt
    extensions) point at: bytes a blind copy must not carry."""
    ranges = []
    for view in document.get("bufferViews", []):
        for extension in view.get("extensions", {}).values():
            if isinstance(extension, dict) and extension.get("buffer", 0) == 0 and "byteLength" in extension:
                ranges.append((extension.get("byteOffset", 0), extension["byteLength"]))
        if view.get("buffer", 0) == 0 and "byteLength" in view:
            ranges.append((view.get("byteOffset", 0), view["byteLength"]))
    position = 0
    for start, length in sorted(ranges):
        if binary[position:start].strip(b"\0"):
            return True
        position = max(position, start + length)
    return bool(binary[position:].strip(b"\0"))

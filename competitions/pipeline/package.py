"""What judges download: a viewer-ready GLB (meshopt-compressed by gltfpack, textures capped) and a blind copy with
whatever identifies the team removed.

Both take a .glb or a .gltf (its buffers and images are embedded first) and write one GLB, under a temporary name
then renamed, so a rerun overwrites and a killed run leaves nothing half written. Neither touches pixels beyond
the viewer copy's downscaling: the blind copy's textures keep their exact pixels and lose only their metadata.
"""

import io
import logging
import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path
from typing import Any, overload

from PIL import Image

from competitions.pipeline.gltf_io import GltfError, glb_bytes, load_glb_parts, parse_glb, repack, sniff_mime
from competitions.pipeline.report import Message, gettext_noop, info, warning

logger = logging.getLogger(__name__)

GLTFPACK = Path(__file__).resolve().parent / "node" / "node_modules" / "gltfpack" / "cli.js"
GLTFPACK_TIMEOUT_S = 300
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


def _write_atomically(path: Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return path


# --- Viewer copy --------------------------------------------------------------------------------------------


def capped_image(data: bytes, cap: int) -> bytes | None:
    """The image scaled down so neither side exceeds ``cap``, in its own format; None when it already fits or
    cannot be decoded here (KTX2 and other GPU formats are left alone)."""
    mime = sniff_mime(data)
    if mime not in ("image/png", "image/jpeg", "image/webp"):
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            if max(image.size) <= cap:
                return None
            if mime == "image/jpeg":
                image.draft("RGB", (cap, cap))
            mode = image.mode
            if mode not in ("L", "LA", "RGB", "RGBA", "I;16"):  # palettes, CMYK, 1-bit: resample in RGB(A)
                mode = "RGBA" if "A" in mode or "transparency" in image.info else "RGB"
            converted = image.convert(mode) if image.mode != mode else image.copy()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    converted.thumbnail((cap, cap), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if mime == "image/png":
        converted.save(out, "PNG", compress_level=6)
    elif mime == "image/jpeg":
        converted.save(out, "JPEG", quality=90, optimize=True)
    else:
        converted.save(out, "WEBP", quality=90)
    return out.getvalue()


def run_gltfpack(source: Path, target: Path, *options: str) -> str | None:
    """Runs gltfpack on ``source`` (a GLB) with ``options`` (default ``-cc``: meshopt compression) and checks that
    ``target`` is a readable GLB; returns None, or the reason it could not."""
    node = shutil.which("node")
    if node is None:
        return "Node.js is not installed"
    if not GLTFPACK.is_file():
        return f"gltfpack is not installed ({GLTFPACK} is missing)"
    command = [node, str(GLTFPACK), "-i", str(source), "-o", str(target), *(options or ("-cc",))]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=GLTFPACK_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return f"gltfpack ran longer than {GLTFPACK_TIMEOUT_S} seconds"
    if result.returncode != 0 or not target.is_file():
        return f"gltfpack failed: {(result.stderr or result.stdout).strip()[-500:]}"
    try:
        parse_glb(target.read_bytes())
    except (GltfError, ValueError) as error:
        return f"gltfpack wrote an unreadable file: {error}"
    return None


def package_viewer(
    scene: Path,
    out: Path,
    *,
    texture_cap: int = 2048,
    root: Path | None = None,
    messages: list[Message] | None = None,
) -> Path:
    """Writes ``out``: ``scene`` as one GLB for the browser viewer, textures larger than ``texture_cap`` scaled
    down (PNG, JPEG and WebP stay in their format) and geometry meshopt-compressed by gltfpack
    (EXT_meshopt_compression, which <model-viewer> decodes) unless that makes the file bigger, as it can for a tiny
    scene. When gltfpack is missing or fails the uncompressed GLB is written instead and a warning is appended to
    ``messages``; either way ``out`` is a valid GLB. Returns ``out``."""
    messages = messages if messages is not None else []
    document, binary = load_glb_parts(Path(scene), root=root)
    replacements: dict[int, bytes] = {}
    for index, image in enumerate(document.get("images", [])):
        view = image.get("bufferView")
        if not isinstance(view, int) or view in replacements:
            continue
        entry = document["bufferViews"][view]
        start = entry.get("byteOffset", 0)
        smaller = capped_image(binary[start : start + entry["byteLength"]], texture_cap)
        if smaller is not None:
            replacements[view] = smaller
            messages.append(
                info(
                    "TEXTURE_RESIZED_FOR_VIEWER",
                    gettext_noop(
                        "Texture %(index)s was scaled down to at most %(cap)s pixels a side in the viewer copy; "
                        "the original file keeps it at full size."
                    ),
                    f"/images/{index}",
                    index=index,
                    cap=texture_cap,
                )
            )
    document, binary = repack(document, binary, replacements)
    unpacked = glb_bytes(document, binary if document.get("buffers") else None)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".package-", dir=Path(out).parent) as folder:
        source, target = Path(folder) / "viewer-in.glb", Path(folder) / "viewer-out.glb"
        source.write_bytes(unpacked)
        failure = run_gltfpack(source, target)
        if failure is None:
            packed = target.read_bytes()
            return _write_atomically(out, packed if len(packed) <= len(unpacked) else unpacked)
    logger.warning("Viewer copy of %s left uncompressed: %s", scene, failure)
    messages.append(
        warning(
            "FORMAT_VIEWER_UNCOMPRESSED",
            gettext_noop(
                "The viewer copy could not be compressed, so judges download it at full size. The file itself is "
                "fine; the packager said: %(detail)s"
            ),
            detail=str(failure),
        )
    )
    return _write_atomically(out, unpacked)


# --- Blind copy ---------------------------------------------------------------------------------------------


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


def _identifies(text: str, identifying: list[str]) -> bool:
    folded = text.casefold()
    return any(term in folded for term in identifying)


@overload
def _anonymise(value: dict[str, Any], identifying: list[str], label: str = "item") -> dict[str, Any]: ...
@overload
def _anonymise(value: object, identifying: list[str], label: str = "item") -> object: ...
def _anonymise(value: object, identifying: list[str], label: str = "item") -> object:
    """``value`` without ``extras`` or XMP metadata anywhere and with every identifying ``name`` replaced by
    ``label-N`` (N its index in its array)."""
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            if key == "extras":
                continue
            if key == "extensions" and isinstance(item, dict):
                item = {k: v for k, v in item.items() if k not in _METADATA_EXTENSIONS}
                if not item:
                    continue
            cleaned[key] = _anonymise(item, identifying, _NEUTRAL.get(key, key.rstrip("s") or "item"))
        return cleaned
    if isinstance(value, list):
        return [
            _rename(_anonymise(item, identifying, label), identifying, f"{label}-{i}") for i, item in enumerate(value)
        ]
    return value


def _rename(item: object, identifying: list[str], neutral: str) -> object:
    if isinstance(item, dict) and isinstance(item.get("name"), str) and _identifies(item["name"], identifying):
        item["name"] = neutral
    return item


def package_blind(scene: Path, out: Path, *, identifying: list[str], root: Path | None = None) -> Path:
    """Writes ``out``: ``scene`` as one GLB a judge can open without learning who made it. Removed: the asset's
    copyright and generator, every ``extras``, XMP metadata (KHR_xmp_json_ld), EXIF/XMP/IPTC/text metadata inside
    embedded PNG, JPEG and WebP textures (pixels unchanged), and bytes no buffer view points at. Names of nodes,
    meshes, materials, textures, images and every other named object that contain one of ``identifying``
    (case-insensitive; team and member names) become neutral ("node-3"). Returns ``out``."""
    terms = [term.casefold().strip() for term in identifying if term and term.strip()]
    document, binary = load_glb_parts(Path(scene), root=root)
    asset = document.get("asset", {})
    for key in ("copyright", "generator"):
        asset.pop(key, None)
    for key in ("extensionsUsed", "extensionsRequired"):
        if key in document:
            document[key] = [name for name in document[key] if name not in _METADATA_EXTENSIONS]
            if not document[key]:
                del document[key]
    document = _anonymise(document, terms, "item")
    replacements: dict[int, bytes] = {}
    for image in document.get("images", []):
        view = image.get("bufferView")
        if isinstance(view, int) and view not in replacements:
            entry = document["bufferViews"][view]
            start = entry.get("byteOffset", 0)
            replacements[view] = strip_image_metadata(binary[start : start + entry["byteLength"]])
    document, binary = repack(document, binary, replacements)
    return _write_atomically(out, glb_bytes(document, binary if document.get("buffers") else None))

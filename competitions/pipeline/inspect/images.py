"""Texture sizes, read from each image's header wherever it is stored (a file in the bundle, a data URI, a buffer
view of the GLB), never by decoding it."""

import base64
import io
import struct
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from .document import array_at
from .resolver import BundleResolver

# Texture extensions whose image replaces ``texture.source`` in a viewer that supports them.
IMAGE_SOURCE_EXTENSIONS = ("KHR_texture_basisu", "EXT_texture_webp", "EXT_texture_avif", "MSFT_texture_dds")
MAX_JPEG_SEGMENTS = 1000


def texture_size(texture: Any, images: list[tuple[int, int] | None]) -> list[int] | None:
    """The size of the image a texture shows: an extension's image (KTX2, WebP...) where it names one."""
    if not isinstance(texture, dict):
        return None
    source = texture.get("source")
    extensions = texture.get("extensions")
    for name in IMAGE_SOURCE_EXTENSIONS:
        extension = extensions.get(name) if isinstance(extensions, dict) else None
        if isinstance(extension, dict) and isinstance(extension.get("source"), int):
            source = extension["source"]
            break
    if isinstance(source, int) and 0 <= source < len(images):
        size = images[source]
        return list(size) if size else None
    return None


def stored_image_size(
    document: dict[str, Any], index: int, path: Path, glb: tuple[int, int] | None, resolver: BundleResolver
) -> tuple[int, int] | None:
    """Width and height of image ``index``, read from its header wherever it is stored; None when unreadable."""
    image = array_at(document, "images")[index]
    if not isinstance(image, dict):
        return None
    try:
        if isinstance(image.get("uri"), str):
            return _size_at(image["uri"], resolver, 0, None)
        view = array_at(document, "bufferViews")[image["bufferView"]]
        buffer = array_at(document, "buffers")[view.get("buffer", 0)]
        offset, length = view.get("byteOffset", 0), view["byteLength"]
        if isinstance(buffer.get("uri"), str):
            return _size_at(buffer["uri"], resolver, offset, length)
        if glb is None or offset + length > glb[1]:
            return None
        with open(path, "rb") as f:
            return image_size(f, glb[0] + offset, length)
    except (KeyError, IndexError, TypeError, AttributeError, ValueError, OSError):
        return None


def _size_at(uri: str, resolver: BundleResolver, offset: int, length: int | None) -> tuple[int, int] | None:
    if uri.startswith("data:"):
        comma = uri.find(",")
        if comma < 0 or ";base64" not in uri[:comma]:
            return None
        data = base64.b64decode(uri[comma + 1 :])
        return image_size(io.BytesIO(data), offset, length)
    target = resolver.locate(uri)
    if target is None:
        return None
    with open(target, "rb") as f:
        return image_size(f, offset, length)


def image_size(f: IO[bytes], start: int = 0, length: int | None = None) -> tuple[int, int] | None:
    """Width and height of the PNG, JPEG, KTX2 or WebP image at ``start`` in ``f`` (within ``length`` bytes), read
    from its header without decoding; other formats are asked of Pillow, which reads headers only too."""

    def read(at: int, count: int) -> bytes:
        if length is not None:
            count = max(0, min(count, length - at))
        f.seek(start + at)
        return f.read(count)

    head = read(0, 32)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return struct.unpack(">II", head[16:24]) if head[12:16] == b"IHDR" and len(head) >= 24 else None
    if head.startswith(b"\xff\xd8"):
        return _jpeg_size(read)
    if head.startswith(b"\xabKTX 20\xbb\r\n\x1a\n") and len(head) >= 28:
        return struct.unpack_from("<II", head, 20)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _webp_size(head)
    return _pillow_size(read(0, 1024 * 1024))


def _jpeg_size(read: Callable[[int, int], bytes]) -> tuple[int, int] | None:
    at = 2
    for _ in range(MAX_JPEG_SEGMENTS):
        marker = read(at, 9)
        if len(marker) < 4 or marker[0] != 0xFF:
            return None
        code = marker[1]
        if code == 0xFF:  # fill byte
            at += 1
        elif code == 0x01 or 0xD0 <= code <= 0xD8:  # markers without a length
            at += 2
        elif code in (0xD9, 0xDA):  # end of image, start of scan: no frame header came first
            return None
        elif 0xC0 <= code <= 0xCF and code not in (0xC4, 0xC8, 0xCC):
            if len(marker) < 9:
                return None
            height, width = struct.unpack(">HH", marker[5:9])
            return width, height
        else:
            at += 2 + struct.unpack(">H", marker[2:4])[0]
    return None


def _webp_size(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8X" and len(head) >= 30:
        return 1 + int.from_bytes(head[24:27], "little"), 1 + int.from_bytes(head[27:30], "little")
    if chunk == b"VP8L" and len(head) >= 25 and head[20] == 0x2F:
        bits = int.from_bytes(head[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if chunk == b"VP8 " and len(head) >= 30 and head[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack_from("<HH", head, 26)
        return width & 0x3FFF, height & 0x3FFF
    return None


def _pillow_size(data: bytes) -> tuple[int, int] | None:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as picture:
                return picture.size
    except Exception:  # any unreadable header means "size unknown"
        return None

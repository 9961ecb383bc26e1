"""Texture sizes come from the image header (PNG, JPEG, WebP, KTX2, others through Pillow), read only within the
image's own bytes, and a file that is not an image has no size."""

import io
import struct
from typing import Any

import pytest
from PIL import Image

from competitions.pipeline.inspect import image_size
from tests.pipeline import hostile

# --- image headers -------------------------------------------------------------------------------------------------


def _pillow(format: str, **options: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA" if format == "WEBP" else "RGB", (300, 200), (200, 100, 50)).save(out, format, **options)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(lambda: hostile.png_bytes(300, 200), id="png"),
        pytest.param(lambda: _pillow("JPEG"), id="jpeg"),
        pytest.param(lambda: _pillow("JPEG", progressive=True, exif=b"Exif\0\0" + b"\0" * 60000), id="jpeg-exif"),
        pytest.param(lambda: _pillow("WEBP", lossless=True), id="webp-lossless"),
        pytest.param(lambda: _pillow("WEBP", quality=80), id="webp-lossy"),
        pytest.param(lambda: b"\xabKTX 20\xbb\r\n\x1a\n" + struct.pack("<IIII", 0, 1, 300, 200) + bytes(64), id="ktx2"),
        pytest.param(lambda: _pillow("BMP"), id="bmp-by-pillow"),
    ],
)
def test_image_size_reads_the_header(data: Any) -> None:
    assert image_size(io.BytesIO(data())) == (300, 200)


def test_image_size_reads_only_within_its_window() -> None:
    png = hostile.png_bytes(300, 200)
    f = io.BytesIO(b"x" * 100 + png + b"y" * 100)

    assert image_size(f, 100, len(png)) == (300, 200)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"<html><body>not an image</body></html>", id="html"),
        pytest.param(b"\x89PNG\r\n\x1a\n\0\0\0\rIH", id="truncated-png"),
        pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF", id="truncated-jpeg"),
        pytest.param(b"", id="empty"),
    ],
)
def test_image_size_of_a_non_image_is_unknown(data: bytes) -> None:
    assert image_size(io.BytesIO(data)) is None

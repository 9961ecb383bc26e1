"""Texture checks from the image header alone (nothing is decoded): a file that is not an image, a decompression
bomb, or a texture larger than the competition allows."""

import re
import struct
import warnings
from typing import IO

from PIL import Image

from competitions.pipeline.limits import Limits
from competitions.pipeline.report import Message, error
from competitions.pipeline.unpack import describe_content

IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"BM", b"\xabKTX 20\xbb\r\n\x1a\n")


def check_image(f: IO[bytes], pointer: str, limits: Limits) -> list[Message]:
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

"""Texture checks from the image header alone (nothing is decoded): a file that is not an image, a decompression
bomb, or a texture larger than the competition allows."""

import re
import struct
import warnings
from typing import IO

from PIL import Image

from competitions.pipeline.limits import Limits
from competitions.pipeline.report import Message, error, gettext_noop
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
                gettext_noop(
                    "This texture is not an image: its content is %(content_text)s. Use a PNG or JPEG texture."
                ),
                pointer,
                content_text=describe_content(head),
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
                return [_bomb(f"{width}x{height}", pointer, limits)]
            pixels = re.search(r"\((\d+) pixels\)", str(exc))
            return [_bomb(f"{int(pixels.group(1)):,}" if pixels else "", pointer, limits)]
        except (OSError, SyntaxError, ValueError, struct.error, EOFError):
            return [
                error(
                    "TEXTURE_UNREADABLE",
                    gettext_noop(
                        "This texture's image header cannot be read; the image is damaged. "
                        "Save it again as PNG or JPEG."
                    ),
                    pointer,
                )
            ]
    if width * height > limits.max_texture_pixels:
        return [_bomb(f"{width}x{height}", pointer, limits)]
    if max(width, height) > limits.max_texture_size:
        return [
            error(
                "LIMIT_TEXTURE_SIZE",
                gettext_noop(
                    "This texture is %(width)sx%(height)s pixels; this competition allows at most %(limit)s pixels "
                    "per side. Resize it and export again."
                ),
                pointer,
                width=width,
                height=height,
                limit=limits.max_texture_size,
            )
        ]
    return []


def _bomb(pixels: str, pointer: str, limits: Limits) -> Message:
    """``pixels``: "8000x8000" or a count, as far as the header tells; "" when it does not."""
    if pixels:
        template = gettext_noop(
            "This texture is far too large to open safely (%(pixels)s pixels; at most %(limit)s pixels). Resize it "
            "to at most %(side)sx%(side)s and export again."
        )
    else:
        template = gettext_noop(
            "This texture is far too large to open safely (at most %(limit)s pixels). Resize it to at most "
            "%(side)sx%(side)s and export again."
        )
    return error(
        "TEXTURE_DECOMPRESSION_BOMB",
        template,
        pointer,
        pixels=pixels,
        limit=f"{limits.max_texture_pixels:,}",
        side=limits.max_texture_size,
    )

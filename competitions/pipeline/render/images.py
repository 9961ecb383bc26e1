"""The pictures themselves: the background gradient every image is drawn on, the outline around the model, the files
written (each under a temporary name, then renamed) and the check that an image shows more than the background."""

import json
import os
from pathlib import Path

import numpy as np
from PIL import Image

TURNTABLE_MS_PER_FRAME = 100
# The background: a vertical gradient in sRGB, light at the top. ``is_blank`` compares against it.
BACKGROUND_TOP = (238, 240, 243)
BACKGROUND_BOTTOM = (196, 201, 209)
# How much the line around the silhouette darkens the background.
OUTLINE_STRENGTH = 0.45
_WEBP_QUALITY = 88
_TURNTABLE_QUALITY = 80


def outlined(pixels: np.ndarray) -> Image.Image:
    """The RGB image of RGBA ``pixels`` (float, 0-255) with a soft dark line just outside the model's silhouette,
    found from the alpha channel (coverage), so a white model stays legible on the light background."""
    coverage = pixels[..., 3] / 255.0
    height, width = coverage.shape
    radius = max(1, round(min(width, height) / 400))
    padded = np.pad(coverage, radius, mode="edge")
    grown = coverage.copy()
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            if 0 < dx * dx + dy * dy <= radius * radius + radius:
                np.maximum(grown, padded[radius + dy : radius + dy + height, radius + dx : radius + dx + width], grown)
    shade = 1.0 - OUTLINE_STRENGTH * (grown - coverage)
    return Image.fromarray((pixels[..., :3] * shade[..., None] + 0.5).astype(np.uint8))


def save(image: Image.Image, path: Path) -> Path:
    temporary = path.with_name(f".{path.name}.partial")
    # The encoders' faster settings: the same pixels and quality, files about 10% (WebP) and 35% (PNG) larger, at a
    # third and a half of the CPU; the views are encoded while the entrant waits for `ready`.
    if path.suffix == ".webp":
        image.save(temporary, "WEBP", quality=_WEBP_QUALITY, method=2)
    else:
        image.save(temporary, "PNG", compress_level=1)
    os.replace(temporary, path)
    return path


def save_json(data: dict[str, object], path: Path) -> Path:
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(temporary, path)
    return path


def save_turntable(frames: list[Image.Image], path: Path) -> Path:
    temporary = path.with_name(f".{path.name}.partial")
    frames[0].save(
        temporary,
        "WEBP",
        save_all=True,
        append_images=frames[1:],
        duration=TURNTABLE_MS_PER_FRAME,
        loop=0,
        quality=_TURNTABLE_QUALITY,
        method=2,
    )
    os.replace(temporary, path)
    return path


def background(width: int, height: int) -> np.ndarray:
    """The background gradient as an (height, width, 3) array, as the renderer paints it."""
    t = 1.0 - (np.arange(height, dtype=np.float64) + 0.5) / height
    top, bottom = np.array(BACKGROUND_TOP, float), np.array(BACKGROUND_BOTTOM, float)
    rows = bottom + (top - bottom) * t[:, None]
    return np.broadcast_to(rows[:, None, :], (height, width, 3))


def foreground_fraction(image: Image.Image, tolerance: int = 14) -> float:
    """The share of pixels that differ from the background gradient: how much of the picture the model covers."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    difference = np.abs(pixels - background(image.width, image.height)).max(axis=2)
    return float(np.mean(difference > tolerance))


def is_blank(image_path: Path) -> bool:
    """True when the image (the first frame of an animation) shows nothing but a uniform or background fill."""
    with Image.open(image_path) as image:
        image.seek(0)
        frame = image.convert("RGB")
    if np.asarray(frame, dtype=np.float64).std() < 1.0:
        return True
    return foreground_fraction(frame) < 0.002

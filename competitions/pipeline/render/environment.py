"""The one studio environment every picture of a scene is lit by: the thumbnails drawn here and the browser's 3D
viewer (model-viewer's ``environment-image``), so a thumbnail and the viewer's first frame agree.

``studio_environment()`` is the map itself, an equirectangular image of linear radiance, built from a formula (no
file is read): a grey dome, brighter towards the zenith over a darker floor, with three soft round lights, a key
above the front left, a fill low on the right and a rim behind. ``scripts/make_viewer_environment.py`` writes it
as Radiance RGBE (``frontend/static/viewer/studio.hdr``); a test checks the committed file is this map.

Both sides use the same mapping of directions to pixels, the one three.js uses for equirectangular maps: the
top row looks up (+Y), and the column at u = atan2(z, x) / 2pi + 1/2 looks along (x, z).

The renderer lights with the map's diffuse irradiance as nine spherical-harmonic coefficients
(``irradiance_coefficients``), the same exposure and the same tone mapping (Khronos PBR Neutral) as the viewer.
"""

import functools
import math

import numpy as np

WIDTH, HEIGHT = 256, 128
# The viewer's exposure and tone mapping; the thumbnails' shader applies the same.
EXPOSURE = 1.0
TONE_MAPPING = "neutral"

# (azimuth, elevation) in degrees, angular radius in degrees, radiance. Azimuth 0 looks along +Z (the front), 90
# along +X (the right), like the hero camera's (``camera._direction``).
_LIGHTS = (
    ((-30.0, 35.0), 30.0, 3.0),  # key: above the front left
    ((110.0, 10.0), 30.0, 0.6),  # fill: low on the right
    ((200.0, 40.0), 22.0, 1.2),  # rim: behind
)
_ZENITH, _HORIZON, _FLOOR = 0.7, 0.5, 0.2


def _directions(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit directions (height, width, 3) of the pixel centres, and each pixel's solid angle (height, 1)."""
    u = (np.arange(width) + 0.5) / width
    v = (np.arange(height) + 0.5) / height
    azimuth = (u - 0.5) * 2 * math.pi  # atan2(z, x)
    latitude = (0.5 - v) * math.pi  # row 0 is the top
    cos_lat = np.cos(latitude)[:, None]
    x = cos_lat * np.cos(azimuth)[None, :]
    z = cos_lat * np.sin(azimuth)[None, :]
    y = np.broadcast_to(np.sin(latitude)[:, None], x.shape)
    solid_angle = (2 * math.pi / width) * (math.pi / height) * cos_lat
    return np.stack([x, y, z], axis=-1), solid_angle


def _unit(azimuth_degrees: float, elevation_degrees: float) -> np.ndarray:
    azimuth, elevation = math.radians(azimuth_degrees), math.radians(elevation_degrees)
    return np.array(
        [math.sin(azimuth) * math.cos(elevation), math.sin(elevation), math.cos(azimuth) * math.cos(elevation)]
    )


def studio_environment(width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    """The studio map: linear radiance, float32 (height, width, 3), grey (the three channels are equal)."""
    directions, _ = _directions(width, height)
    y = directions[..., 1]
    sky = _HORIZON + (_ZENITH - _HORIZON) * np.clip(y, 0.0, 1.0) ** 0.7
    floor = _FLOOR + (_HORIZON - _FLOOR) * np.exp(np.minimum(y, 0.0) * 6.0)
    radiance = np.where(y >= 0.0, sky, floor)
    for (azimuth, elevation), radius, strength in _LIGHTS:
        angle = np.degrees(np.arccos(np.clip(directions @ _unit(azimuth, elevation), -1.0, 1.0)))
        # A disc with a soft edge: full inside 70% of its radius, fading to nothing at the radius.
        edge = np.clip((radius - angle) / (0.3 * radius), 0.0, 1.0)
        radiance = radiance + strength * edge * edge * (3 - 2 * edge)
    return np.repeat(radiance[..., None], 3, axis=-1).astype(np.float32)


def _sh_basis(directions: np.ndarray) -> np.ndarray:
    """The nine real spherical harmonics up to band 2 at ``directions`` (..., 3): (..., 9)."""
    x, y, z = directions[..., 0], directions[..., 1], directions[..., 2]
    return np.stack(
        [
            0.282095 * np.ones_like(x),
            0.488603 * y,
            0.488603 * z,
            0.488603 * x,
            1.092548 * x * y,
            1.092548 * y * z,
            0.315392 * (3 * z * z - 1),
            1.092548 * x * z,
            0.546274 * (x * x - y * y),
        ],
        axis=-1,
    )


# The clamped cosine's convolution weights per band (Ramamoorthi and Hanrahan, 2001), divided by pi: irradiance
# over pi is what a white Lambertian surface sends back.
_BAND_WEIGHTS = np.array([1.0, 2 / 3, 2 / 3, 2 / 3, 1 / 4, 1 / 4, 1 / 4, 1 / 4, 1 / 4])


def irradiance_coefficients_of(image: np.ndarray) -> np.ndarray:
    """(9, 3) coefficients such that ``diffuse_light(normal) = sh_basis(normal) @ coefficients`` is the radiance a
    white Lambertian surface facing ``normal`` sends back under the equirectangular ``image``."""
    height, width = image.shape[:2]
    directions, solid_angle = _directions(width, height)
    basis = _sh_basis(directions) * solid_angle[..., None]  # (h, w, 9)
    projected = np.einsum("hwk,hwc->kc", basis, image.astype(np.float64))
    return projected * _BAND_WEIGHTS[:, None]


@functools.cache
def irradiance_coefficients() -> np.ndarray:
    """The studio's coefficients (see ``irradiance_coefficients_of``) as the viewer sees the map (its .hdr file,
    decoded), computed once per process."""
    return irradiance_coefficients_of(rgbe_decode(rgbe_bytes(studio_environment())))


def diffuse_light(normals: np.ndarray, coefficients: np.ndarray | None = None) -> np.ndarray:
    """What the shader computes: the radiance a white Lambertian surface facing each of ``normals`` sends back."""
    coefficients = irradiance_coefficients() if coefficients is None else coefficients
    return _sh_basis(np.asarray(normals, dtype=np.float64)) @ coefficients


def neutral_tone_mapping(colour: np.ndarray, exposure: float = EXPOSURE) -> np.ndarray:
    """Khronos PBR Neutral, as three.js (and so model-viewer) applies it, on linear RGB (..., 3)."""
    colour = np.asarray(colour, dtype=np.float64) * exposure
    start, desaturation = 0.8 - 0.04, 0.15
    low = colour.min(axis=-1, keepdims=True)
    colour = colour - np.where(low < 0.08, low - 6.25 * low * low, 0.04)
    peak = colour.max(axis=-1, keepdims=True)
    d = 1.0 - start
    new_peak = 1.0 - d * d / (peak + d - start)
    compressed = colour * (new_peak / np.maximum(peak, 1e-12))
    g = 1.0 - 1.0 / (desaturation * (peak - new_peak) + 1.0)
    compressed = compressed * (1 - g) + new_peak * g
    return np.where(peak < start, colour, compressed)


def srgb_encode(linear: np.ndarray) -> np.ndarray:
    """The sRGB transfer function on linear values in [0, 1]."""
    linear = np.clip(np.asarray(linear, dtype=np.float64), 0.0, 1.0)
    return np.where(linear <= 0.0031308, linear * 12.92, 1.055 * np.power(linear, 1 / 2.4) - 0.055)


def rgbe_bytes(image: np.ndarray) -> bytes:
    """``image`` (linear float, (height, width, 3)) as a Radiance .hdr file: flat (uncompressed) RGBE scanlines,
    top row first, which three.js's RGBELoader reads. The bytes are rounded for three.js's decoding (byte / 255 *
    2^(exponent - 128)), which ``rgbe_decode`` repeats."""
    height, width = image.shape[:2]
    pixels = np.asarray(image, dtype=np.float64)
    brightest = pixels.max(axis=-1)
    lit = brightest > 1e-30
    _, exponent = np.frexp(np.where(lit, brightest, 1.0))
    scale = np.where(lit, 255.0 / np.ldexp(1.0, exponent), 0.0)
    rgbe = np.zeros((height, width, 4), dtype=np.uint8)
    rgbe[..., :3] = np.clip(np.rint(pixels * scale[..., None]), 0, 255).astype(np.uint8)
    rgbe[..., 3] = np.where(lit, exponent + 128, 0).astype(np.uint8)
    header = f"#?RADIANCE\n# Metascene studio environment\nFORMAT=32-bit_rle_rgbe\n\n-Y {height} +X {width}\n"
    return header.encode("ascii") + rgbe.tobytes()


def rgbe_decode(data: bytes) -> np.ndarray:
    """A flat RGBE file as ``rgbe_bytes`` writes it, decoded as three.js does: linear float32 (height, width, 3)."""
    end = data.index(b"\n\n") + 2
    size_line_end = data.index(b"\n", end)
    _, height, _, width = data[end:size_line_end].split()
    rgbe = np.frombuffer(data[size_line_end + 1 :], dtype=np.uint8).reshape(int(height), int(width), 4)
    scale = np.where(rgbe[..., 3] > 0, np.ldexp(1.0, rgbe[..., 3].astype(np.int32) - 128) / 255.0, 0.0)
    return (rgbe[..., :3] * scale[..., None]).astype(np.float32)

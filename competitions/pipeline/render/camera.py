"""Cameras framed from the scene's vertices so the model fills the picture: a perspective hero and turntable, and
orthographic front, side and top views. ``Framing.hero_orbit`` is the hero camera as the browser's viewer takes it
(model-viewer's camera-target, camera-orbit and field-of-view), so the viewer opens on the hero thumbnail's view."""

import math
from dataclasses import dataclass

import numpy as np

from competitions.pipeline.gltf_scene import Scene

FOV_Y_DEGREES = 30.0
_FOV_Y = math.radians(FOV_Y_DEGREES)
_MARGIN = 0.08  # fraction of the frame left free on each side
HERO_AZIMUTH, HERO_ELEVATION = 40.0, 22.0
# model-viewer's own limits on the orbit's radius, as multiples of the distance from the target to the farthest
# vertex: at least 2.2 of it, at most 1.05 of the distance that frames that sphere (``ModelScene``).
_VIEWER_MIN_RADIUS_RATIO = 2.2


def _basis(direction: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Camera right, up and back (towards the viewer) vectors for a camera looking along -``direction``."""
    back = direction / np.linalg.norm(direction)
    right = np.cross(up, back)
    right /= np.linalg.norm(right)
    return right, np.cross(back, right), back


def _view_matrix(eye: np.ndarray, right: np.ndarray, up: np.ndarray, back: np.ndarray) -> np.ndarray:
    view = np.eye(4)
    view[0, :3], view[1, :3], view[2, :3] = right, up, back
    view[:3, 3] = -view[:3, :3] @ eye
    return view


def _perspective(fov_y: float, aspect: float, near: float, far: float) -> np.ndarray:
    f = 1.0 / math.tan(fov_y / 2)
    return np.array(
        [
            [f / aspect, 0, 0, 0],
            [0, f, 0, 0],
            [0, 0, (far + near) / (near - far), 2 * far * near / (near - far)],
            [0, 0, -1, 0],
        ]
    )


def _orthographic(half_width: float, half_height: float, near: float, far: float) -> np.ndarray:
    return np.array(
        [
            [1 / half_width, 0, 0, 0],
            [0, 1 / half_height, 0, 0],
            [0, 0, -2 / (far - near), -(far + near) / (far - near)],
            [0, 0, 0, 1],
        ]
    )


@dataclass(frozen=True)
class Camera:
    view: np.ndarray  # world to camera, float64
    projection: np.ndarray


def _direction(azimuth_degrees: float, elevation_degrees: float) -> np.ndarray:
    """Unit vector from the model towards the camera; azimuth 0 is the front (+Z), 90 the right (+X)."""
    azimuth, elevation = math.radians(azimuth_degrees), math.radians(elevation_degrees)
    return np.array(
        [math.sin(azimuth) * math.cos(elevation), math.sin(elevation), math.cos(azimuth) * math.cos(elevation)]
    )


def _depth_range(depths: np.ndarray, radius: float) -> tuple[float, float]:
    near = max(float(depths.min()) - 0.05 * radius, 1e-4 * radius)
    far = float(depths.max()) + 0.05 * radius
    return near, max(far, near * 1.01 + 1e-6)


def perspective_camera(
    points: np.ndarray,
    centre: np.ndarray,
    radius: float,
    directions: list[np.ndarray],
    aspect: float,
    *,
    turntable: bool = False,
) -> list[Camera]:
    """Cameras looking at ``points`` from each direction, at the distance where they just fill the frame.

    With ``turntable`` every camera shares one distance and height and stays centred on the vertical axis through
    ``centre``, so the model turns in place instead of breathing. Otherwise each camera is shifted sideways and up
    so the projection of the points is centred exactly."""
    tan_y = math.tan(_FOV_Y / 2) * (1 - 2 * _MARGIN)
    tan_x = tan_y * aspect
    relative = points - centre
    up = np.array([0.0, 1.0, 0.0])
    fits = []
    for direction in directions:
        right, cam_up, back = _basis(direction, up)
        x, y, z = relative @ right, relative @ cam_up, relative @ back
        # Point i is inside the frame when |x - s| <= tan * (d - z): solved exactly for the shift s and distance d.
        a, b = np.max(x + tan_x * z), np.max(-x + tan_x * z)
        c, d = np.max(y + tan_y * z), np.max(-y + tan_y * z)
        fits.append((right, cam_up, back, z, a, b, c, d))
    if turntable:
        a_all = max(max(f[4], f[5]) for f in fits)
        c_all, d_all = max(f[6] for f in fits), max(f[7] for f in fits)
        distance = max(a_all / tan_x, (c_all + d_all) / (2 * tan_y), 1e-6)
        shifts = [(0.0, (c_all - d_all) / 2)] * len(fits)
        distances = [distance] * len(fits)
    else:
        distances = [max((f[4] + f[5]) / (2 * tan_x), (f[6] + f[7]) / (2 * tan_y), 1e-6) for f in fits]
        shifts = [((f[4] - f[5]) / 2, (f[6] - f[7]) / 2) for f in fits]
    cameras = []
    for (right, cam_up, back, z, *_), distance, (sx, sy) in zip(fits, distances, shifts, strict=True):
        eye = centre + sx * right + sy * cam_up + distance * back
        near, far = _depth_range(distance - z, radius)
        cameras.append(Camera(_view_matrix(eye, right, cam_up, back), _perspective(_FOV_Y, aspect, near, far)))
    return cameras


def orthographic_camera(
    points: np.ndarray, centre: np.ndarray, radius: float, direction: np.ndarray, up: np.ndarray, aspect: float
) -> Camera:
    right, cam_up, back = _basis(direction, up)
    relative = points - centre
    x, y, z = relative @ right, relative @ cam_up, relative @ back
    mid_x, mid_y = (x.max() + x.min()) / 2, (y.max() + y.min()) / 2
    half_height = max((y.max() - y.min()) / 2, (x.max() - x.min()) / 2 / aspect, 1e-6 * radius, 1e-9)
    half_height /= 1 - 2 * _MARGIN
    eye = centre + mid_x * right + mid_y * cam_up + (z.max() + radius) * back
    near, far = _depth_range(z.max() + radius - z, radius)
    return Camera(_view_matrix(eye, right, cam_up, back), _orthographic(half_height * aspect, half_height, near, far))


@dataclass(frozen=True)
class Orbit:
    """A perspective camera as an orbit around a target: the camera sits ``distance`` from ``target`` towards
    (``azimuth``, ``elevation``) in degrees (azimuth 0 is the front, +Z; 90 the right, +X), with a vertical field of
    view of ``fov_y`` degrees. ``min_distance`` and ``max_distance`` are the zoom limits to give the viewer so that
    its own limits never move the camera off ``distance``."""

    target: tuple[float, float, float]
    azimuth: float
    elevation: float
    distance: float
    fov_y: float
    min_distance: float
    max_distance: float

    def to_json(self) -> dict[str, object]:
        return {
            "target": list(self.target),
            "azimuth": self.azimuth,
            "elevation": self.elevation,
            "distance": self.distance,
            "fov_y": self.fov_y,
            "min_distance": self.min_distance,
            "max_distance": self.max_distance,
        }


class Framing:
    """Where the model is: sampled world-space vertices, the centre of their bounding box and its half diagonal."""

    def __init__(self, scene: Scene) -> None:
        points = scene.sample_points()
        points = points[np.all(np.isfinite(points), axis=1)]
        if len(points) == 0:  # nothing to draw: any camera will do
            points = np.zeros((1, 3))
        low, high = points.min(axis=0), points.max(axis=0)
        self.points = points
        self.centre = (low + high) / 2
        self.radius = max(float(np.linalg.norm(high - low)) / 2, 1e-6)

    def hero(self, aspect: float) -> Camera:
        """The 3/4 view from the front right and a little above."""
        return perspective_camera(
            self.points, self.centre, self.radius, [_direction(HERO_AZIMUTH, HERO_ELEVATION)], aspect
        )[0]

    def hero_orbit(self, aspect: float) -> Orbit:
        """The hero camera as an orbit: its target is the point straight ahead of it at the depth of the framing's
        centre (the hero camera is shifted sideways and up to centre the picture, so this is not the centre)."""
        view = self.hero(aspect).view
        rotation = view[:3, :3]
        eye = -rotation.T @ view[:3, 3]
        back = rotation[2]
        distance = float((eye - self.centre) @ back)
        target = eye - distance * back
        reach = max(float(np.linalg.norm(self.points - target, axis=1).max()), 1e-9)
        half_fov = math.radians(FOV_Y_DEGREES / 2)
        return Orbit(
            target=(float(target[0]), float(target[1]), float(target[2])),
            azimuth=HERO_AZIMUTH,
            elevation=HERO_ELEVATION,
            distance=distance,
            fov_y=FOV_Y_DEGREES,
            min_distance=min(distance, _VIEWER_MIN_RADIUS_RATIO * reach),
            max_distance=max(2 * distance, 1.05 * reach / math.sin(half_fov)),
        )

    def orthographic(self, name: str, aspect: float) -> Camera:
        """The "front", "side" (from the right) or "top" view, without perspective."""
        direction, up = {
            "front": ((0.0, 0.0, 1.0), (0.0, 1.0, 0.0)),
            "side": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0)),
            "top": ((0.0, 1.0, 0.0), (0.0, 0.0, -1.0)),
        }[name]
        return orthographic_camera(self.points, self.centre, self.radius, np.array(direction), np.array(up), aspect)

    def turntable(self, frames: int, aspect: float) -> list[Camera]:
        """``frames`` cameras turning once around the model at one distance and height."""
        directions = [_direction(40 + 360 * k / frames, 20) for k in range(frames)]
        return perspective_camera(self.points, self.centre, self.radius, directions, aspect, turntable=True)

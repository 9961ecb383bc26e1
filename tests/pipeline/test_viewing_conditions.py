"""The viewing conditions the thumbnails share with the 3D viewer (docs/viewing-conditions.md): the studio
environment and its committed .hdr file, its diffuse light as spherical harmonics, the viewer's tone mapping, the
shader that applies them, and the hero camera recorded for the viewer. The browser half is
tests/browser/test_viewer_conditions.py."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from competitions.pipeline import render, samples
from competitions.pipeline.gltf_io import glb_bytes, parse_glb
from competitions.pipeline.gltf_scene import load_scene
from competitions.pipeline.render import environment
from competitions.pipeline.render.camera import Framing, _direction
from competitions.selectors.viewing import viewer_camera_from

REPO = Path(__file__).resolve().parents[2]
COMMITTED_MAP = REPO / "frontend" / "static" / "viewer" / "studio.hdr"


def _directions(count: int) -> np.ndarray:
    points = np.random.default_rng(7).normal(size=(count, 3))
    return points / np.linalg.norm(points, axis=1, keepdims=True)


# --- The environment -------------------------------------------------------------------------------------------


def test_committed_environment_file_is_the_studio_formula() -> None:
    # The viewer's environment-image is the file; the renderer uses the formula: they must be the same map.
    assert COMMITTED_MAP.read_bytes() == environment.rgbe_bytes(environment.studio_environment()), (
        "frontend/static/viewer/studio.hdr is stale: run scripts/make_viewer_environment.py"
    )


def test_environment_file_decodes_to_the_map_within_rgbe_precision() -> None:
    image = environment.studio_environment()
    decoded = environment.rgbe_decode(environment.rgbe_bytes(image))
    assert decoded.shape == image.shape == (environment.HEIGHT, environment.WIDTH, 3)
    assert np.abs(decoded - image).max() <= image.max() / 128


def test_environment_is_grey_brighter_above_than_below() -> None:
    image = environment.studio_environment()
    assert np.array_equal(image[..., 0], image[..., 1]) and np.array_equal(image[..., 1], image[..., 2])
    assert image[: environment.HEIGHT // 4].mean() > 2 * image[-environment.HEIGHT // 4 :].mean()


def test_uniform_environment_lights_a_white_surface_to_its_own_radiance() -> None:
    # A white Lambertian surface under a uniform sky of radiance L sends back L, whichever way it faces.
    uniform = np.full((64, 128, 3), 0.7, dtype=np.float32)
    coefficients = environment.irradiance_coefficients_of(uniform)
    assert np.allclose(environment.diffuse_light(_directions(20), coefficients), 0.7, rtol=2e-3)


def test_spherical_harmonics_match_the_integrated_light_of_the_studio() -> None:
    image = environment.rgbe_decode(environment.rgbe_bytes(environment.studio_environment()))
    directions, solid_angle = environment._directions(environment.WIDTH, environment.HEIGHT)
    for normal in _directions(12):
        cosine = np.clip(directions @ normal, 0.0, None)
        exact = float((image[..., 0] * cosine * solid_angle).sum() / math.pi)
        approximate = float(environment.diffuse_light(normal)[0])
        assert approximate == pytest.approx(exact, rel=0.04, abs=0.02)


def test_studio_lights_the_top_most_the_key_side_more_than_the_fill_side_and_the_underside_least() -> None:
    up, down, front, right = environment.diffuse_light(np.array([[0, 1, 0], [0, -1, 0], [0, 0, 1], [1, 0, 0.0]]))[:, 0]
    assert up > front > right > down > 0


def test_neutral_tone_mapping_is_khronos_pbr_neutral() -> None:
    mapped = environment.neutral_tone_mapping(np.array([[0.5, 0.5, 0.5], [1.0, 1.0, 1.0], [0.05, 0.2, 0.4], [8, 8, 8]]))
    # Below the compression start only the small offset is taken off; above it, highlights roll off below 1.
    assert mapped[0] == pytest.approx([0.46] * 3)
    assert mapped[1] == pytest.approx([0.869091] * 3, abs=1e-6)
    low = 0.05 - 6.25 * 0.05**2
    assert mapped[2] == pytest.approx([0.05 - low, 0.2 - low, 0.4 - low])
    assert 0.99 < mapped[3][0] < 1.0


# --- The shader applies them ----------------------------------------------------------------------------------


def _box_front(tmp_path: Path, **material: object) -> np.ndarray:
    """The median colour of the middle of the front view of a box (its +Z face, facing the camera)."""
    document, binary = parse_glb(samples.box_glb(colour=(0.6, 0.3, 0.2)))
    document["materials"][0].update(material)
    if "extensions" in material:
        document["extensionsUsed"] = list(material["extensions"])  # type: ignore[call-overload]
    scene = tmp_path / "box.glb"
    scene.write_bytes(glb_bytes(document, binary))
    views = render.render_views(scene, tmp_path / "views", formats=("png",))
    with Image.open(views["front.png"]) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    h, w = pixels.shape[:2]
    return np.median(pixels[h * 2 // 5 : h * 3 // 5, w * 2 // 5 : w * 3 // 5].reshape(-1, 3), axis=0)


def test_unlit_colour_is_tone_mapped_and_srgb_encoded_like_the_viewer(tmp_path: Path) -> None:
    drawn = _box_front(tmp_path, extensions={"KHR_materials_unlit": {}})
    expected = environment.srgb_encode(environment.neutral_tone_mapping(np.array([0.6, 0.3, 0.2]))) * 255
    assert np.abs(drawn - expected).max() <= 2, (drawn, expected)


def test_lit_face_takes_the_studio_diffuse_light(tmp_path: Path) -> None:
    # A rough dielectric (roughness 0.8, metallic 0): mostly diffuse, plus the few per cent a dielectric reflects
    # (measured: 180, 128, 104 drawn against 179, 125, 98 for the diffuse light alone).
    drawn = _box_front(tmp_path)
    light = environment.diffuse_light(np.array([0.0, 0.0, 1.0]))
    diffuse = environment.srgb_encode(environment.neutral_tone_mapping(np.array([0.6, 0.3, 0.2]) * light)) * 255
    assert np.abs(drawn - diffuse).max() <= 8, (drawn, diffuse)
    assert drawn[0] > drawn[1] > drawn[2]


# --- The hero camera for the viewer ----------------------------------------------------------------------------


def _framing(boxes: list[samples.Box], tmp_path: Path) -> Framing:
    path = tmp_path / "scene.glb"
    path.write_bytes(samples.scene_glb(boxes))
    return Framing(load_scene(path))


SCENE = [
    samples.Box(centre=(0, 0.05, 0), size=(6, 0.1, 4), name="floor"),
    samples.Box(centre=(1.8, 0.9, 1), size=(0.6, 1.8, 0.6), name="robot"),
]


def test_hero_orbit_rebuilds_the_hero_camera(tmp_path: Path) -> None:
    framing = _framing(SCENE, tmp_path)
    view = framing.hero(16 / 9).view
    orbit = framing.hero_orbit(16 / 9)
    # Given model-viewer's camera: at distance from the target towards (azimuth, elevation), looking at the target
    eye = np.array(orbit.target) + orbit.distance * _direction(orbit.azimuth, orbit.elevation)
    back = _direction(orbit.azimuth, orbit.elevation)
    right = np.cross([0.0, 1.0, 0.0], back)
    right /= np.linalg.norm(right)
    up = np.cross(back, right)
    rebuilt = np.eye(4)
    rebuilt[0, :3], rebuilt[1, :3], rebuilt[2, :3] = right, up, back
    rebuilt[:3, 3] = -rebuilt[:3, :3] @ eye
    # Then it is the hero camera, with the same field of view
    assert np.allclose(rebuilt, view, atol=1e-9)
    assert orbit.fov_y == 30.0
    assert orbit.min_distance <= orbit.distance <= orbit.max_distance


def test_hero_camera_is_written_beside_the_hero_and_read_as_viewer_attributes(tmp_path: Path) -> None:
    scene = tmp_path / "scene.glb"
    scene.write_bytes(samples.scene_glb(SCENE))
    views = render.render_views(scene, tmp_path / "views", formats=("webp",))
    data = json.loads(views["hero_camera.json"].read_text())
    orbit = Framing(load_scene(scene)).hero_orbit(16 / 9)
    assert data == json.loads(json.dumps(orbit.to_json()))
    camera = viewer_camera_from(data)
    assert camera.orbit == f"40deg 68deg {orbit.distance:.6g}m"
    assert camera.field_of_view == "30deg"
    assert camera.target == " ".join(f"{v:.6g}m" for v in orbit.target)
    assert camera.min_orbit == f"auto auto {orbit.min_distance:.6g}m"
    assert camera.max_orbit == f"auto auto {orbit.max_distance:.6g}m"


@pytest.mark.parametrize(
    "change",
    [
        {"target": [0, 0]},
        {"target": [0, float("nan"), 0]},
        {"distance": -1.0},
        {"distance": "8m"},
        {"fov_y": 180.0},
        {"min_distance": 100.0},
        {"azimuth": True},
    ],
)
def test_a_malformed_hero_camera_is_refused(change: dict[str, object]) -> None:
    data = {
        "target": [0.0, 0.5, 0.0],
        "azimuth": 40.0,
        "elevation": 22.0,
        "distance": 8.0,
        "fov_y": 30.0,
        "min_distance": 8.0,
        "max_distance": 16.0,
    }
    with pytest.raises(ValueError):
        viewer_camera_from({**data, **change})
    with pytest.raises(ValueError):
        viewer_camera_from([data])

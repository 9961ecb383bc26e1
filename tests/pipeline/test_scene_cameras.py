"""The entrant's own glTF cameras: where each looks from, its projection fitted to 16:9, its viewer bookmark, the
cap, and the extra views the render stage draws from them."""

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from competitions.pipeline import render
from competitions.pipeline.gltf_io import glb_bytes, parse_glb
from competitions.pipeline.gltf_scene import load_scene
from competitions.pipeline.render.camera import Framing
from competitions.pipeline.render.scene_cameras import (
    CAMERAS_FILE,
    MAX_LABEL_LENGTH,
    clean_label,
    scene_camera_views,
)
from competitions.pipeline.run import Rendering, render_stage
from competitions.pipeline.samples import box_glb
from competitions.pipeline.scene_camera_names import MAX_SCENE_CAMERAS, is_view_name
from tests.pipeline.camera_scenes import orthographic, perspective, turned_about_x, turned_about_y, two_boxes_glb


def views_of(tmp_path: Path, glb: bytes) -> list:
    path = tmp_path / "scene.glb"
    path.write_bytes(glb)
    scene = load_scene(path)
    return scene_camera_views(scene, Framing(scene))


def in_camera_space(view, point: tuple[float, float, float]) -> np.ndarray:
    return (view.camera.view @ np.array([*point, 1.0]))[:3]


# --- Where a camera looks from -------------------------------------------------------------------------------------


def test_a_translated_and_rotated_camera_node_looks_along_its_local_minus_z(tmp_path: Path) -> None:
    # Given a camera at x = 5 turned 90 degrees about +Y: its local -Z points along world -X, at the scene
    glb = two_boxes_glb([(perspective(), {"translation": [5.0, 0.5, 0.0], "rotation": turned_about_y(90)})])

    (view,) = views_of(tmp_path, glb)

    # The scene's centre is straight ahead of it, 5 m away; +Y stays up; world +Z is on its left
    assert in_camera_space(view, (0.0, 0.5, 0.0)) == pytest.approx([0.0, 0.0, -5.0], abs=1e-9)
    assert in_camera_space(view, (5.0, 1.5, 0.0)) == pytest.approx([0.0, 1.0, 0.0], abs=1e-9)
    assert in_camera_space(view, (5.0, 0.5, 1.0))[0] == pytest.approx(-1.0)
    # And the viewer's bookmark orbits the same point from the camera's side (+X: theta 90, level: phi 90)
    assert view.bookmark["camera_orbit"] == "90deg 90deg 5m"
    assert view.bookmark["camera_target"] == "0m 0.5m 0m"
    assert view.bookmark["field_of_view"] == f"{math.degrees(0.8):.3f}deg"


def test_nested_nodes_place_the_camera_with_the_whole_hierarchy(tmp_path: Path) -> None:
    # Given a camera 4 m in front of its parent, the parent 2 m behind the origin and turned half round
    child = {"camera": perspective(name="Back"), "translation": [0.0, 0.5, 4.0], "scale": [3.0, 3.0, 3.0]}
    glb = two_boxes_glb(
        [(None, {"translation": [0.0, 0.0, -2.0], "rotation": turned_about_y(180), "children": [child]})]
    )

    (view,) = views_of(tmp_path, glb)

    # The camera stands at z = -6 looking along +Z at the boxes (its scale changes nothing): red (x = -1) on the right
    assert in_camera_space(view, (0.0, 0.5, 0.0)) == pytest.approx([0.0, 0.0, -6.0], abs=1e-9)
    assert in_camera_space(view, (-1.0, 0.5, 0.0))[0] == pytest.approx(1.0)
    assert view.bookmark["camera_orbit"] == "180deg 90deg 6m"
    assert view.label == "Back"


def test_a_camera_far_to_one_side_is_aimed_at_the_point_of_its_ray_nearest_the_scene(tmp_path: Path) -> None:
    # Given a camera at (3, 0.5, 6) looking along -Z: it passes the scene 3 m to the right
    glb = two_boxes_glb([(perspective(), {"translation": [3.0, 0.5, 6.0]})])

    (view,) = views_of(tmp_path, glb)

    # The bookmark's target is on its ray, level with the scene's centre, so orbiting keeps its direction
    assert view.bookmark["camera_target"] == "3m 0.5m 0m"
    assert view.bookmark["camera_orbit"] == "0deg 90deg 6m"


def test_a_camera_looking_away_from_the_scene_still_has_a_target_ahead_of_it(tmp_path: Path) -> None:
    glb = two_boxes_glb([(perspective(), {"translation": [0.0, 0.5, 6.0], "rotation": turned_about_y(180)})])

    (view,) = views_of(tmp_path, glb)

    theta, phi, radius = view.bookmark["camera_orbit"].split()
    assert (theta, phi) == ("180deg", "90deg") and float(radius.removesuffix("m")) > 0


# --- Projections ---------------------------------------------------------------------------------------------------


def test_a_perspective_camera_keeps_its_vertical_field_of_view_in_16_9_whatever_its_aspect_ratio(
    tmp_path: Path,
) -> None:
    square = perspective(yfov=0.9, aspectRatio=1.0)
    wide = perspective(yfov=0.9, aspectRatio=2.4, zfar=50.0)
    glb = two_boxes_glb([(square, {"translation": [0, 0.5, 6]}), (wide, {"translation": [0, 0.5, 6]})])

    first, second = views_of(tmp_path, glb)

    focal = 1 / math.tan(0.45)
    for view in (first, second):
        assert view.camera.projection[1, 1] == pytest.approx(focal)
        assert view.camera.projection[0, 0] == pytest.approx(focal / (16 / 9))
    # zfar honoured when given: the far plane maps to depth 1
    far = second.camera.projection @ np.array([0.0, 0.0, -50.0, 1.0])
    assert far[2] / far[3] == pytest.approx(1.0)


def test_an_orthographic_camera_keeps_its_ymag_and_becomes_a_perspective_bookmark(tmp_path: Path) -> None:
    glb = two_boxes_glb(
        [(orthographic(ymag=1.5, name="Plan"), {"translation": [0, 8, 0], "rotation": turned_about_x(-90)})]
    )

    (view,) = views_of(tmp_path, glb)

    assert view.kind == "orthographic"
    assert view.camera.projection[1, 1] == pytest.approx(1 / 1.5)
    assert view.camera.projection[0, 0] == pytest.approx(1 / (1.5 * 16 / 9))
    assert view.camera.projection[3, :].tolist() == [0, 0, 0, 1]
    # Looking straight down from 7.5 m above the centre; the far side (-Z) is up in the picture
    assert in_camera_space(view, (0.0, 0.5, 0.0)) == pytest.approx([0.0, 0.0, -7.5], abs=1e-9)
    assert in_camera_space(view, (0.0, 8.0, -1.0))[1] == pytest.approx(1.0)
    assert view.bookmark["camera_orbit"] == "0deg 0deg 7.5m"
    assert view.bookmark["field_of_view"] == f"{math.degrees(2 * math.atan(1.5 / 7.5)):.2f}deg"


def test_cameras_whose_numbers_make_no_picture_are_left_out_and_the_others_numbered_in_order(tmp_path: Path) -> None:
    broken: list[dict[str, Any]] = [
        {"type": "perspective", "perspective": {"yfov": 0, "znear": 0.1}},
        {"type": "perspective", "perspective": {"yfov": 0.8, "znear": 1.0, "zfar": 0.5}},
        {"type": "orthographic", "orthographic": {"xmag": 1, "ymag": 0, "znear": 0, "zfar": 10}},
        {"type": "fisheye"},
    ]
    cameras: list[tuple[dict[str, Any] | None, dict[str, Any]]] = [(c, {"translation": [0, 0.5, 6]}) for c in broken]
    cameras.append((perspective(name="Good"), {"translation": [0, 0.5, 6]}))
    cameras.append((perspective(), {"translation": [0, 0.5, 6], "scale": [0, 0, 0]}))

    views = views_of(tmp_path, two_boxes_glb(cameras))

    assert [(view.name, view.label) for view in views] == [("camera-1", "Good")]


# --- Which cameras, and their names -------------------------------------------------------------------------------


def test_a_scene_without_cameras_has_no_extra_views(tmp_path: Path) -> None:
    path = tmp_path / "box.glb"
    path.write_bytes(box_glb())

    files = render.render_views(path, tmp_path / "out", formats=("webp",))

    assert views_of(tmp_path, box_glb()) == []
    assert not [name for name in files if name.startswith("camera")]
    assert not (tmp_path / "out" / CAMERAS_FILE).exists()


def test_only_the_first_cameras_in_scene_graph_order_are_drawn(tmp_path: Path) -> None:
    # Given eight cameras, the third nested under the second's node
    cameras: list[tuple[dict[str, Any] | None, dict[str, Any]]] = [
        (perspective(name=f"Cam {n}"), {"translation": [n * 0.1, 0.5, 6]}) for n in (1, 2, 4, 5, 6, 7, 8)
    ]
    nested: dict[str, Any] = {"camera": perspective(name="Cam 3"), "translation": [0.0, 0.0, 0.0]}
    cameras[1][1]["children"] = [nested]

    views = views_of(tmp_path, two_boxes_glb(cameras))

    assert len(views) == MAX_SCENE_CAMERAS
    assert [view.label for view in views] == [f"Cam {n}" for n in range(1, 7)]
    assert [view.name for view in views] == [f"camera-{n}" for n in range(1, 7)]


def test_a_camera_is_named_by_the_camera_else_its_node_else_not_at_all(tmp_path: Path) -> None:
    cameras: list[tuple[dict[str, Any] | None, dict[str, Any]]] = [
        (perspective(name="Lobby"), {"name": "node-a", "translation": [0, 0.5, 6]}),
        (perspective(), {"name": "  Stair  ", "translation": [0, 0.5, 6]}),
        (perspective(), {"translation": [0, 0.5, 6]}),
    ]

    views = views_of(tmp_path, two_boxes_glb(cameras))

    assert [view.label for view in views] == ["Lobby", "Stair", ""]


def test_labels_are_cleaned_for_display() -> None:
    assert clean_label("Zhang's\tstudio\n\u202elobby\x00") == "Zhang's studio lobby"
    long = clean_label("A" * 100)
    assert len(long) == MAX_LABEL_LENGTH and long.endswith("…")


def test_view_names_are_recognised_only_within_the_cap() -> None:
    assert [is_view_name(n) for n in ("camera-1", "camera-6", "camera-7", "camera-0", "camera-x", "hero")] == [
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def test_cameras_outside_the_default_scene_are_ignored(tmp_path: Path) -> None:
    glb = two_boxes_glb([])
    document, binary = parse_glb(glb)
    document["cameras"] = [perspective()]
    document["nodes"].append({"camera": 0, "translation": [0, 0.5, 6]})
    document["scenes"].append({"nodes": [len(document["nodes"]) - 1]})

    assert views_of(tmp_path, glb_bytes(document, binary)) == []


# --- The render stage ----------------------------------------------------------------------------------------------


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.float64)


def test_a_scene_with_two_cameras_yields_two_extra_views_with_their_bookmarks(tmp_path: Path) -> None:
    # Given a GLB with a camera in front of the boxes and one looking down on them
    front = (perspective(name="Front door"), {"translation": [0.0, 0.5, 6.0]})
    plan = (orthographic(), {"name": "Plan", "translation": [0.0, 8.0, 0.0], "rotation": turned_about_x(-90)})
    scene = tmp_path / "cameras.glb"
    scene.write_bytes(two_boxes_glb([front, plan]))

    # When the render stage draws its views (as the sandbox hands them back)
    rendering = Rendering.from_json(render_stage(scene, tmp_path / "out", turntable=False, package=False).to_json())

    # Then two extra 1280x720 WebP views, no PNG copies, and the bookmarks beside them, not as a file to store
    assert {"camera-1", "camera-2"} <= rendering.artifacts.keys()
    assert not {"camera-1_png", "cameras_json"} & rendering.artifacts.keys()
    assert [(c["name"], c["label"], c["type"]) for c in rendering.cameras] == [
        ("camera-1", "Front door", "perspective"),
        ("camera-2", "Plan", "orthographic"),
    ]
    assert json.loads((tmp_path / "out" / CAMERAS_FILE).read_text()) == rendering.cameras
    hero, first, second = (pixels(rendering.artifacts[name]) for name in ("hero", "camera-1", "camera-2"))
    assert first.shape == second.shape == (720, 1280, 3)
    # Each shows the scene, and each differently from the hero and from the other
    assert not render.is_blank(rendering.artifacts["camera-1"]) and not render.is_blank(rendering.artifacts["camera-2"])
    for a, b in ((hero, first), (hero, second), (first, second)):
        assert np.abs(a - b).mean() > 3
    # The front camera sees the red box on the left, the blue on the right
    red = (first[..., 0] > 150) & (first[..., 2] < 110)
    blue = (first[..., 2] > 150) & (first[..., 0] < 110)
    assert np.nonzero(red)[1].mean() < 640 < np.nonzero(blue)[1].mean()


def test_a_rendering_without_cameras_reads_back_from_older_json() -> None:
    assert Rendering.from_json({"artifacts": {}, "messages": []}).cameras == []

"""Inspect's bounding box: from the vertices through every node's transform (a rotated node hugs its vertices), or
from the accessors' min/max when the vertices cannot be loaded; none for a scene without geometry."""

from pathlib import Path
from typing import Any

import pytest

from competitions.pipeline.inspect import inspect
from competitions.pipeline.limits import Limits
from competitions.pipeline.samples import Box, box_glb, scene_glb
from tests.pipeline import hostile
from tests.pipeline.inspection import with_document, write
from tests.pipeline.scenes import primitive_modes_glb


def test_size_is_the_scene_extent_in_metres(tmp_path: Path) -> None:
    path = write(tmp_path / "block.glb", scene_glb([Box(centre=(0, 1, 0), size=(4, 2, 3))]))

    stats, _ = inspect(path, Limits())

    assert stats["bounds"] == {"min": [-2.0, 0.0, -1.5], "max": [2.0, 2.0, 1.5]}
    assert stats["size"] == [4.0, 2.0, 3.0]


def test_bounds_cover_every_node_that_draws_a_shared_mesh(tmp_path: Path) -> None:
    path = write(tmp_path / "modes.glb", primitive_modes_glb())

    stats, _ = inspect(path, Limits())

    assert stats["bounds"]["min"][0] == -2.5
    assert stats["bounds"]["max"][0] == 2.5


def test_bounds_of_a_rotated_node_hug_its_vertices_not_its_rotated_box(tmp_path: Path) -> None:
    # The hexagon (corners at 0, 60, ... degrees, radius 1) turned 30 degrees about y: its corners then lie at
    # 30, 90, ... degrees, so x spans +-cos(30) = +-0.866; its turned bounding box would span +-1.299.
    def turn_shapes(document: dict[str, Any]) -> None:
        document["nodes"][2]["rotation"] = [0.0, 0.258819, 0.0, 0.965926]

    path = write(tmp_path / "turned.glb", with_document(primitive_modes_glb(), turn_shapes))

    stats, _ = inspect(path, Limits())

    assert stats["bounds_exact"] is True
    assert stats["bounds"]["max"][2] == pytest.approx(1.0, abs=1e-5)
    assert stats["bounds"]["min"][2] == pytest.approx(-1.0, abs=1e-5)


def test_bounds_come_from_accessor_min_max_when_the_vertices_cannot_be_loaded(tmp_path: Path) -> None:
    scene = hostile.gltf_folder(tmp_path / "bundle")
    (tmp_path / "bundle" / "scene.bin").unlink()

    stats, _ = inspect(scene, Limits())

    assert stats["bounds_exact"] is False
    assert stats["bounds"] == {"min": [-0.5, 0.0, -0.5], "max": [0.5, 1.0, 0.5]}
    assert stats["triangles"] == 12


def test_scene_without_geometry_has_no_bounds(tmp_path: Path) -> None:
    def empty(document: dict[str, Any]) -> None:
        document["nodes"] = [{"name": "empty"}]
        document.pop("meshes")

    path = write(tmp_path / "empty.glb", with_document(box_glb(), empty))

    stats, _ = inspect(path, Limits())

    assert (stats["triangles"], stats["bounds"], stats["size"]) == (0, None, None)

"""Inspect: the statistics of the project's own scenes, as plain JSON, and the competition's budgets, each message
saying the figure, the limit and what to do."""

import json
from pathlib import Path
from typing import Any

import pytest

from competitions.pipeline.inspect import inspect
from competitions.pipeline.limits import Limits
from competitions.pipeline.report import AssetRejected
from competitions.pipeline.samples import Box, box_glb, grid_scene_glb, grid_vertex_count, scene_glb
from tests.pipeline.inspection import write


def _codes(messages: list[Any]) -> list[str]:
    return [m.code for m in messages]


# --- the project's own scenes ------------------------------------------------------------------------------------


def test_grid_scene_gives_the_counts_it_was_built_with(tmp_path: Path) -> None:
    path = write(tmp_path / "grid.glb", grid_scene_glb(1001, textured=True, vertex_colours=True))

    stats, _ = inspect(path, Limits())

    assert stats["triangles"] == 1001
    assert stats["vertices"] == grid_vertex_count(1001)
    assert (stats["draw_calls"], stats["meshes"], stats["materials"], stats["nodes"]) == (1, 1, 1, 1)


def test_textured_scene_reports_each_texture_size_from_its_header(tmp_path: Path) -> None:
    path = write(tmp_path / "grid.glb", grid_scene_glb(200, textured=True, texture_size=(300, 200)))

    stats, _ = inspect(path, Limits())

    assert (stats["textures"], stats["texture_sizes"], stats["has_textures"]) == (1, [[300, 200]], True)


def test_vertex_coloured_scene_says_so(tmp_path: Path) -> None:
    path = write(tmp_path / "grid.glb", grid_scene_glb(200, vertex_colours=True))

    stats, _ = inspect(path, Limits())

    assert (stats["has_vertex_colours"], stats["has_textures"]) == (True, False)


def test_plain_box_has_neither_textures_nor_vertex_colours(tmp_path: Path) -> None:
    path = write(tmp_path / "box.glb", box_glb())

    stats, _ = inspect(path, Limits())

    assert (stats["has_vertex_colours"], stats["has_textures"], stats["texture_sizes"]) == (False, False, [])


STATS_KEYS = {
    "triangles", "vertices", "draw_calls", "meshes", "materials", "textures", "texture_sizes", "images",
    "image_sizes", "nodes", "animations", "skins", "extensions_used", "extensions_required", "has_textures",
    "has_vertex_colours", "bounds", "bounds_exact", "size", "file_size",
}  # fmt: skip


def test_stats_are_plain_json_with_every_documented_key(tmp_path: Path) -> None:
    path = write(tmp_path / "grid.glb", grid_scene_glb(200, textured=True, vertex_colours=True))

    stats, _ = inspect(path, Limits())

    assert set(stats) == STATS_KEYS
    assert json.loads(json.dumps(stats, allow_nan=False)) == stats


def test_text_that_is_not_gltf_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "scene.gltf", b"<html>not a scene</html>")

    with pytest.raises(AssetRejected) as caught:
        inspect(path, Limits())

    assert _codes(caught.value.messages) == ["FORMAT_UNREADABLE"]


# --- budgets -------------------------------------------------------------------------------------------------------


def test_scene_within_every_budget_has_no_messages(tmp_path: Path) -> None:
    path = write(tmp_path / "grid.glb", grid_scene_glb(1000, textured=True, texture_size=(256, 256)))
    limits = Limits(max_triangles=1000, max_materials=1, max_draw_calls=1, max_texture_size=256)

    _, messages = inspect(path, limits)

    assert messages == []


def test_too_many_triangles_says_the_figures_and_to_decimate(tmp_path: Path) -> None:
    path = write(tmp_path / "grid.glb", grid_scene_glb(1001))

    _, messages = inspect(path, Limits(max_triangles=1000))

    assert _codes(messages) == ["LIMIT_TRIANGLES"]
    assert messages[0].severity == "error"
    assert "1,001" in messages[0].message and "1,000" in messages[0].message
    assert "Decimate" in messages[0].message


def test_too_many_materials_says_the_figures_and_to_merge_materials(tmp_path: Path) -> None:
    path = write(tmp_path / "boxes.glb", scene_glb([Box(name="a"), Box(name="b"), Box(name="c")]))

    _, messages = inspect(path, Limits(max_materials=2))

    assert _codes(messages) == ["LIMIT_MATERIALS"]
    assert "3 materials" in messages[0].message and "at most 2" in messages[0].message
    assert "Merge materials" in messages[0].message


def test_too_many_draw_calls_says_the_figures_and_to_join_meshes(tmp_path: Path) -> None:
    path = write(tmp_path / "boxes.glb", scene_glb([Box(name="a"), Box(name="b"), Box(name="c")]))

    _, messages = inspect(path, Limits(max_draw_calls=2))

    assert _codes(messages) == ["LIMIT_DRAW_CALLS"]
    assert "3 draw calls" in messages[0].message and "at most 2" in messages[0].message
    assert "Join meshes" in messages[0].message


def test_texture_over_the_size_limit_names_the_image_and_says_to_resize(tmp_path: Path) -> None:
    path = write(tmp_path / "grid.glb", grid_scene_glb(200, textured=True, texture_size=(300, 200)))

    _, messages = inspect(path, Limits(max_texture_size=256))

    assert _codes(messages) == ["LIMIT_TEXTURE_SIZE"]
    assert messages[0].pointer == "/images/0"
    assert "300x200" in messages[0].message and "256" in messages[0].message and "Resize" in messages[0].message

from pathlib import Path

from competitions.pipeline.container import inspect_container
from competitions.pipeline.samples import Box, box_glb, scene_glb


def test_box_glb_is_a_valid_container_with_twelve_triangles(tmp_path: Path) -> None:
    path = tmp_path / "cube.glb"
    path.write_bytes(box_glb())

    messages, stats = inspect_container(path)

    assert messages == []
    assert stats["triangles"] == 12
    assert stats["vertices"] == 24
    assert stats["materials"] == 1


def test_scene_glb_counts_every_box(tmp_path: Path) -> None:
    path = tmp_path / "block.glb"
    path.write_bytes(scene_glb([Box(name="a"), Box(name="b"), Box(name="c")]))

    _messages, stats = inspect_container(path)

    assert stats["triangles"] == 36
    assert stats["draw_calls"] == 3

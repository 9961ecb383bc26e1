"""``check_asset`` and its two halves: the stages chained over one file, in the sandbox as the workers run them."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from competitions.pipeline.check import check_asset
from competitions.pipeline.gltf_io import parse_glb
from competitions.pipeline.limits import Limits
from competitions.pipeline.render import is_blank
from competitions.pipeline.run import (
    READY,
    REJECTED,
    limits_from_json,
    limits_to_json,
    render_stage,
    validate_stage,
)
from competitions.pipeline.samples import Box, box_glb, embedded_gltf, grid_scene_glb, scene_glb
from tests.pipeline import hostile
from tests.pipeline.scenes import cube_stl

LIMITS = Limits()


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def test_a_valid_glb_is_ready_with_its_statistics(tmp_path: Path) -> None:
    result = check_asset(write(tmp_path / "box.glb", box_glb()), LIMITS, workdir=tmp_path / "work")

    assert (result.status, result.messages, result.artifacts) == (READY, [], {})
    assert (result.stats["triangles"], result.stats["vertices"], result.stats["draw_calls"]) == (12, 24, 1)


def test_a_truncated_glb_is_rejected_with_the_validators_error(tmp_path: Path) -> None:
    result = check_asset(hostile.truncated_glb(tmp_path / "cut.glb"), LIMITS, workdir=tmp_path / "work")

    assert result.status == REJECTED
    assert [(m.severity, m.code) for m in result.messages] == [("error", "GLB_UNEXPECTED_END_OF_CHUNK_DATA")]


HOSTILE: dict[str, Callable[[Path], Path]] = {
    "zip bomb": lambda folder: hostile.zip_bomb(folder / "bomb.zip"),
    "zip slip": lambda folder: hostile.zip_slip(folder / "slip.zip"),
    "symlink in zip": lambda folder: hostile.zip_symlink(folder / "link.zip"),
    "accessor of two billion vertices": lambda folder: hostile.huge_accessor_glb(folder / "huge.glb"),
    "NaN positions": lambda folder: hostile.nan_positions_glb(folder / "nan.glb"),
    "a PNG named .glb": lambda folder: hostile.png_named_glb(folder / "image.glb"),
}


@pytest.mark.parametrize("build", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_file_is_rejected_with_a_reason_in_plain_words(tmp_path: Path, build: Callable) -> None:
    result = check_asset(build(tmp_path), LIMITS, workdir=tmp_path / "work", render_dir=tmp_path / "out")

    errors = [m for m in result.messages if m.severity == "error"]
    assert result.status == REJECTED
    assert errors and all(len(m.message) > 20 for m in errors)
    assert not (tmp_path / "out").exists()


def test_an_stl_is_converted_and_measured_when_the_rules_accept_stl(tmp_path: Path) -> None:
    result = check_asset(write(tmp_path / "cube.stl", cube_stl()), LIMITS, workdir=tmp_path / "work")

    assert (result.status, result.stats["triangles"]) == (READY, 12)


def test_an_stl_is_refused_when_the_rules_accept_only_gltf(tmp_path: Path) -> None:
    gltf_only = Limits(formats=("glb", "gltf"))

    result = check_asset(write(tmp_path / "cube.stl", cube_stl()), gltf_only, workdir=tmp_path / "work")

    assert result.status == REJECTED


def test_validation_announces_each_stage_as_it_begins(tmp_path: Path) -> None:
    stages: list[str] = []

    upload = write(tmp_path / "box.glb", box_glb())

    validation = validate_stage(upload, LIMITS, workdir=tmp_path, on_stage=stages.append)

    assert stages == ["unpack", "validate", "inspect"]
    assert validation.scene is not None and validation.scene.is_relative_to(tmp_path)


def test_a_rejected_file_stops_before_inspection(tmp_path: Path) -> None:
    stages: list[str] = []

    upload = hostile.truncated_glb(tmp_path / "cut.glb")

    validation = validate_stage(upload, LIMITS, workdir=tmp_path, on_stage=stages.append)

    assert (stages, validation.scene, validation.stats) == (["unpack", "validate"], None, {})


def test_rendering_writes_views_and_packaged_copies_under_fixed_names(tmp_path: Path) -> None:
    out = tmp_path / "out"

    result = check_asset(write(tmp_path / "box.glb", box_glb()), LIMITS, workdir=tmp_path / "work", render_dir=out)

    assert result.status == READY
    names = {name: path.relative_to(out).as_posix() for name, path in result.artifacts.items()}
    assert names["hero"] == "hero.webp" and names["hero_png"] == "hero.png"
    assert (names["viewer"], names["blind"], names["turntable"]) == ("viewer.glb", "blind.glb", "turntable.webp")
    assert {"front", "side", "top"} <= names.keys()
    assert Image.open(out / "hero.webp").size == (1280, 720)
    assert not is_blank(out / "hero.webp")


def test_a_self_contained_gltf_is_measured_rendered_and_packaged_like_its_glb(tmp_path: Path) -> None:
    out = tmp_path / "out"
    upload = write(tmp_path / "box.gltf", embedded_gltf(box_glb()))

    result = check_asset(upload, LIMITS, workdir=tmp_path / "work", render_dir=out)

    assert (result.status, result.messages) == (READY, [])
    assert (result.stats["triangles"], result.stats["vertices"]) == (12, 24)
    assert not is_blank(out / "hero.webp")
    assert (out / "viewer.glb").read_bytes()[:4] == b"glTF"


def test_rendering_again_into_the_same_folder_replaces_the_same_files(tmp_path: Path) -> None:
    scene = write(tmp_path / "box.glb", box_glb())
    render_stage(scene, tmp_path / "out", turntable=False)
    first = sorted(path.name for path in (tmp_path / "out").iterdir())

    render_stage(scene, tmp_path / "out", turntable=False)

    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == first


def test_the_blind_copy_leaves_out_the_team_name(tmp_path: Path) -> None:
    scene = write(tmp_path / "tower.glb", scene_glb([Box(name="Huangpu Digital Twins tower")]))

    rendering = render_stage(scene, tmp_path / "out", identifying=["Huangpu Digital Twins"], turntable=False)

    assert b"Huangpu" in scene.read_bytes()
    assert b"Huangpu" not in rendering.artifacts["blind"].read_bytes()


def test_the_blind_copy_is_the_compressed_viewer_copy_anonymised_and_still_valid(tmp_path: Path) -> None:
    scene = write(tmp_path / "grid.glb", grid_scene_glb(20_000, textured=True))

    rendering = render_stage(scene, tmp_path / "out", identifying=["Bench"], turntable=False)

    viewer, blind = rendering.artifacts["viewer"], rendering.artifacts["blind"]
    document = parse_glb(blind.read_bytes())[0]
    assert "EXT_meshopt_compression" in document["extensionsUsed"]
    assert blind.stat().st_size <= viewer.stat().st_size < scene.stat().st_size / 2
    check = validate_stage(blind, LIMITS, workdir=tmp_path / "check")
    assert not check.rejected, check.messages
    assert check.stats["triangles"] == 20_000


def test_the_limits_reach_the_child_process_unchanged() -> None:
    limits = Limits(max_triangles=5, allowed_extensions=("KHR_materials_unlit",), policy="lenient", formats=("glb",))

    assert limits_from_json(json.loads(json.dumps(limits_to_json(limits)))) == limits

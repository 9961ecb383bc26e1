"""Inspect reads a .gltf's sibling files from inside its bundle only: the resolver serves nothing from outside it,
and finds a file an exporter named by its author's absolute path."""

from pathlib import Path

import pytest

from competitions.pipeline.inspect import BundleResolver, inspect
from competitions.pipeline.limits import Limits
from tests.pipeline import hostile
from tests.pipeline.inspection import write


def test_gltf_with_sibling_files_is_measured_with_them(tmp_path: Path) -> None:
    png = hostile.png_bytes(300, 200)
    scene = hostile.gltf_folder(tmp_path / "bundle", image=png)

    stats, _ = inspect(scene, Limits(), root=tmp_path / "bundle")

    assert stats["texture_sizes"] == [[300, 200]]
    assert stats["bounds_exact"] is True
    assert stats["file_size"] == sum(p.stat().st_size for p in (tmp_path / "bundle").iterdir())


def test_image_outside_the_bundle_is_never_read(tmp_path: Path) -> None:
    write(tmp_path / "outside.png", hostile.png_bytes(300, 200))
    scene = hostile.gltf_with_image_uri(tmp_path / "bundle", "../outside.png")

    stats, _ = inspect(scene, Limits(), root=tmp_path / "bundle")

    assert stats["image_sizes"] == [None]
    assert stats["file_size"] == sum(p.stat().st_size for p in (tmp_path / "bundle").iterdir())


@pytest.mark.parametrize("name", ["../outside.png", "%2E%2E/outside.png", "link.png", "file:///{outside}", "{outside}"])
def test_bundle_resolver_serves_nothing_from_outside_the_bundle(tmp_path: Path, name: str) -> None:
    outside = write(tmp_path / "outside.png", hostile.png_bytes())
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "link.png").symlink_to(outside)
    resolver = BundleResolver(bundle, bundle)

    with pytest.raises(FileNotFoundError):
        resolver.get(name.format(outside=outside))


def test_bundle_resolver_finds_a_file_named_by_its_authors_absolute_path_in_the_bundle(tmp_path: Path) -> None:
    texture = write(tmp_path / "bundle" / "wood.png", hostile.png_bytes())

    data = BundleResolver(tmp_path / "bundle", tmp_path / "bundle").get("C:\\Users\\ann\\textures\\wood.png")

    assert data == texture.read_bytes()

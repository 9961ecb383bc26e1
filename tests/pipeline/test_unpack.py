"""Stage 1, unpack: uploads are recognised by content, and hostile zips are refused before anything is extracted."""

import json
import time
import zipfile
from pathlib import Path

import pytest

from competitions.pipeline.limits import MB, Limits
from competitions.pipeline.report import AssetRejected
from competitions.pipeline.samples import box_glb, embedded_gltf
from competitions.pipeline.unpack import Bundle, unpack
from tests.pipeline import hostile

LIMITS = Limits()


def rejected_codes(upload: Path, workdir: Path, limits: Limits = LIMITS) -> set[str]:
    with pytest.raises(AssetRejected) as caught:
        unpack(upload, workdir, limits)
    return {m.code for m in caught.value.messages}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


# --- accepted uploads ---------------------------------------------------------------------------------------------


def test_glb_is_laid_out_as_a_bundle_of_its_own(tmp_path, workdir):
    # Given a GLB stored beside another upload
    upload = tmp_path / "uploads" / "abc.glb"
    upload.parent.mkdir()
    upload.write_bytes(box_glb())
    (upload.parent / "someone-else.bin").write_bytes(b"private")

    # When it is unpacked
    bundle = unpack(upload, workdir, LIMITS)

    # Then the bundle folder holds only the scene, so no URI in it can reach the other upload
    assert bundle == Bundle(root=workdir / "bundle", scene=workdir / "bundle" / "scene.glb", kind="glb")
    assert [p.name for p in bundle.root.iterdir()] == ["scene.glb"]
    assert bundle.scene.read_bytes() == box_glb()


def test_zipped_gltf_is_extracted_with_its_buffer(tmp_path, workdir):
    bundle = unpack(hostile.gltf_zip(tmp_path / "entry.zip"), workdir, LIMITS)

    assert bundle.kind == "gltf"
    assert bundle.scene == workdir / "bundle" / "scene.gltf"
    assert (bundle.root / "scene.bin").stat().st_size > 0


def test_zipped_glb_in_a_folder_is_found(tmp_path, workdir):
    upload = tmp_path / "entry.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        archive.writestr("export/My Scene.glb", box_glb())

    bundle = unpack(upload, workdir, LIMITS)

    assert (bundle.kind, bundle.scene) == ("glb", workdir / "bundle" / "export" / "My Scene.glb")


def test_macos_metadata_in_a_zip_is_ignored(tmp_path, workdir):
    upload = tmp_path / "entry.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        archive.writestr("scene.glb", box_glb())
        archive.writestr("__MACOSX/._scene.glb", b"\0\5\26\7")

    bundle = unpack(upload, workdir, LIMITS)

    assert bundle.scene.name == "scene.glb"
    assert not (bundle.root / "__MACOSX").exists()


def test_zipped_obj_is_accepted_as_obj(tmp_path, workdir):
    upload = tmp_path / "entry.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        archive.writestr("model.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")

    assert unpack(upload, workdir, LIMITS).kind == "obj"


def test_binary_stl_is_accepted(tmp_path, workdir):
    upload = tmp_path / "part.stl"
    upload.write_bytes(b"\0" * 80 + (1).to_bytes(4, "little") + b"\0" * 50)

    assert unpack(upload, workdir, LIMITS).kind == "stl"


def test_ply_is_recognised_by_its_header(tmp_path, workdir):
    upload = tmp_path / "scan.ply"
    upload.write_bytes(b"ply\nformat ascii 1.0\nelement vertex 0\nend_header\n")

    assert unpack(upload, workdir, LIMITS).kind == "ply"


def test_rerun_replaces_the_previous_bundle(tmp_path, workdir):
    upload = hostile.gltf_zip(tmp_path / "entry.zip")
    unpack(upload, workdir, LIMITS)
    (workdir / "bundle" / "stale.txt").write_text("left over")

    bundle = unpack(upload, workdir, LIMITS)

    assert not (bundle.root / "stale.txt").exists()


# --- refused formats ------------------------------------------------------------------------------------------------


def test_glb_that_is_a_png_is_a_format_mismatch(tmp_path, workdir):
    with pytest.raises(AssetRejected) as caught:
        unpack(hostile.png_named_glb(tmp_path / "model.glb"), workdir, LIMITS)

    [message] = caught.value.messages
    assert message.code == "FORMAT_MISMATCH"
    assert "PNG image" in message.message


def test_glb_in_a_zip_that_is_a_png_is_a_format_mismatch(tmp_path, workdir):
    assert rejected_codes(hostile.zip_png_as_glb(tmp_path / "entry.zip"), workdir) == {"FORMAT_MISMATCH"}
    assert not (workdir / "bundle").exists()


def test_unknown_format_is_refused_naming_what_is_accepted(tmp_path, workdir):
    upload = tmp_path / "model.fbx"
    upload.write_bytes(b"Kaydara FBX Binary  \0")

    with pytest.raises(AssetRejected) as caught:
        unpack(upload, workdir, LIMITS)

    [message] = caught.value.messages
    assert message.code == "FORMAT_NOT_ACCEPTED"
    for accepted in (".glb", ".zip", ".gltf", ".obj", ".stl", ".ply"):
        assert accepted in message.message


def test_format_the_competition_does_not_allow_is_refused(tmp_path, workdir):
    upload = tmp_path / "part.stl"
    upload.write_bytes(b"solid part\nendsolid part\n")

    assert rejected_codes(upload, workdir, Limits(formats=("glb", "gltf"))) == {"FORMAT_NOT_ACCEPTED"}


def test_upload_over_the_size_limit_is_refused_before_reading(tmp_path, workdir):
    upload = tmp_path / "big.glb"
    upload.write_bytes(box_glb())

    assert rejected_codes(upload, workdir, Limits(max_upload_bytes=100)) == {"UPLOAD_TOO_LARGE"}


# --- hostile zips -------------------------------------------------------------------------------------------------


def test_zip_bomb_is_refused_before_extraction(tmp_path, workdir):
    # Given 1 GB of zeros compressed a thousandfold
    upload = hostile.zip_bomb(tmp_path / "bomb.zip")
    assert upload.stat().st_size < 2 * MB

    # When it is unpacked
    started = time.monotonic()
    codes = rejected_codes(upload, workdir)

    # Then the ratio check refuses it at once, and nothing was written
    assert "ZIP_BOMB" in codes
    assert time.monotonic() - started < 1
    assert not (workdir / "bundle").exists()


def test_zip_over_the_total_size_budget_is_refused(tmp_path, workdir):
    upload = hostile.zip_bomb(tmp_path / "bomb.zip", uncompressed=8 * MB)

    assert "ZIP_TOO_LARGE" in rejected_codes(upload, workdir, Limits(max_zip_uncompressed_bytes=4 * MB))


def test_entry_inflating_past_its_declared_size_is_stopped(tmp_path, workdir):
    # Given an entry whose headers declare 1 KB but whose data inflates to 64 MB
    upload = hostile.zip_lying_sizes(tmp_path / "lying.zip", actual=64 * MB, declared=1024)

    # When it is unpacked, then the running counter stops it and the partial bundle is removed
    assert rejected_codes(upload, workdir) == {"ZIP_SIZE_MISMATCH"}
    assert not (workdir / "bundle").exists()


def test_zip_slip_entry_is_refused_and_nothing_is_written_outside(tmp_path, workdir):
    upload = hostile.zip_slip(tmp_path / "slip.zip", name="../../outside.txt")

    assert rejected_codes(upload, workdir) == {"ZIP_UNSAFE_PATH"}
    assert not (tmp_path / "outside.txt").exists()
    assert not (workdir / "outside.txt").exists()


def test_zip_entry_with_absolute_path_is_refused(tmp_path, workdir):
    upload = hostile.zip_slip(tmp_path / "abs.zip", name="/tmp/metascene-absolute.txt")

    assert rejected_codes(upload, workdir) == {"ZIP_UNSAFE_PATH"}


def test_zip_entry_with_backslash_climb_is_refused(tmp_path, workdir):
    upload = hostile.zip_slip(tmp_path / "slip.zip", name="..\\..\\outside.txt")

    assert rejected_codes(upload, workdir) == {"ZIP_UNSAFE_PATH"}


def test_symlink_in_zip_is_refused(tmp_path, workdir):
    assert rejected_codes(hostile.zip_symlink(tmp_path / "link.zip"), workdir) == {"ZIP_SYMLINK"}
    assert not (workdir / "bundle").exists()


def test_nested_archive_is_refused(tmp_path, workdir):
    assert rejected_codes(hostile.zip_nested(tmp_path / "nested.zip"), workdir) == {"ZIP_NESTED_ARCHIVE"}


def test_names_differing_only_in_case_are_refused(tmp_path, workdir):
    assert rejected_codes(hostile.zip_duplicates(tmp_path / "dups.zip"), workdir) == {"ZIP_DUPLICATE_NAME"}


def test_zip_with_two_scenes_is_refused(tmp_path, workdir):
    with pytest.raises(AssetRejected) as caught:
        unpack(hostile.zip_two_scenes(tmp_path / "two.zip"), workdir, LIMITS)

    [message] = caught.value.messages
    assert message.code == "ZIP_SCENE_COUNT"
    assert "scene.gltf" in message.message and "other.glb" in message.message


def test_zip_without_a_scene_is_refused(tmp_path, workdir):
    upload = tmp_path / "textures.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        archive.writestr("texture.png", hostile.png_bytes())

    assert rejected_codes(upload, workdir) == {"ZIP_SCENE_COUNT"}


def test_zip_with_too_many_entries_is_refused(tmp_path, workdir):
    upload = hostile.many_entries_zip(tmp_path / "many.zip", count=30)

    assert rejected_codes(upload, workdir, Limits(max_zip_entries=20)) == {"ZIP_TOO_MANY_ENTRIES"}


def test_damaged_zip_is_refused(tmp_path, workdir):
    upload = tmp_path / "broken.zip"
    upload.write_bytes(hostile.gltf_zip(tmp_path / "entry.zip").read_bytes()[:60])

    assert rejected_codes(upload, workdir) == {"ZIP_INVALID"}


# --- a bare .gltf -------------------------------------------------------------------------------------------------


def test_self_contained_gltf_is_accepted_as_a_bundle_of_its_own(tmp_path, workdir):
    upload = tmp_path / "abc.gltf"
    upload.write_bytes(embedded_gltf(box_glb()))

    bundle = unpack(upload, workdir, LIMITS)

    assert bundle.kind == "gltf"
    assert bundle.scene.read_bytes() == upload.read_bytes()
    assert [p.name for p in bundle.root.iterdir()] == ["scene.gltf"]


def test_gltf_that_refers_to_files_is_refused_naming_each_file_to_zip_with_it(tmp_path, workdir):
    upload = tmp_path / "abc.gltf"
    document = {
        "asset": {"version": "2.0"},
        "buffers": [{"uri": "harbour.bin", "byteLength": 4}],
        "images": [{"uri": "textures/water.png"}, {"uri": "data:image/png;base64,AAAA"}, {"uri": "harbour.bin"}],
    }
    upload.write_text(json.dumps(document))

    with pytest.raises(AssetRejected) as caught:
        unpack(upload, workdir, LIMITS)

    [message] = caught.value.messages
    assert message.code == "FORMAT_GLTF_NEEDS_ZIP"
    assert "refers to 2 other files, which a single .gltf upload cannot bring: 'harbour.bin', 'textures/water.png'. " \
        "Put the .gltf and these files in one .zip" in message.message  # fmt: skip
    assert not (workdir / "bundle").exists()


def test_gltf_with_one_file_and_with_many_files_says_so_in_words(tmp_path, workdir):
    one, many = tmp_path / "one.gltf", tmp_path / "many.gltf"
    one.write_text(json.dumps({"asset": {"version": "2.0"}, "buffers": [{"uri": "a.bin", "byteLength": 4}]}))
    many.write_text(json.dumps({"asset": {"version": "2.0"}, "images": [{"uri": f"t{i}.png"} for i in range(12)]}))

    with pytest.raises(AssetRejected) as first:
        unpack(one, workdir, LIMITS)
    with pytest.raises(AssetRejected) as second:
        unpack(many, workdir, LIMITS)

    assert (
        "refers to another file, which a single .gltf upload cannot bring: 'a.bin'." in first.value.messages[0].message
    )
    assert "'t9.png' and 2 more." in second.value.messages[0].message


def test_gltf_is_refused_when_the_competition_takes_only_glb(tmp_path, workdir):
    upload = tmp_path / "abc.gltf"
    upload.write_bytes(embedded_gltf(box_glb()))

    assert rejected_codes(upload, workdir, Limits(formats=("glb",))) == {"FORMAT_NOT_ACCEPTED"}


def test_gltf_that_is_not_json_is_a_format_mismatch(tmp_path, workdir):
    upload = tmp_path / "abc.gltf"
    upload.write_bytes(box_glb())  # a GLB under the wrong name is still read as what it is
    assert unpack(upload, workdir, LIMITS).kind == "glb"
    upload.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert rejected_codes(upload, workdir) == {"FORMAT_MISMATCH"}


def test_unreadable_gltf_json_is_left_to_the_validator_to_explain(tmp_path, workdir):
    upload = tmp_path / "abc.gltf"
    upload.write_text('{"asset": {"version": "2.0"}, "buffers": [')

    assert unpack(upload, workdir, LIMITS).kind == "gltf"

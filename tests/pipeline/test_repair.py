"""Lossless repairs: a GLB refused only for padding and alignment is offered back re-padded, and passes."""

import json
import struct
from pathlib import Path

from competitions.pipeline.check import check_asset
from competitions.pipeline.limits import Limits
from competitions.pipeline.repair import is_repairable, repadded_glb
from competitions.pipeline.report import error, gettext_noop, warning
from competitions.pipeline.run import validate_stage
from competitions.pipeline.samples import box_glb
from tests.pipeline.scenes import unpadded_glb

LIMITS = Limits()


def test_an_unpadded_glb_is_rejected_with_a_fixed_copy_that_passes(tmp_path: Path) -> None:
    upload = tmp_path / "scene.glb"
    upload.write_bytes(unpadded_glb(box_glb()))

    validation = validate_stage(upload, LIMITS, workdir=tmp_path / "work")

    assert validation.rejected
    assert {m.code for m in validation.messages if m.severity == "error"} == {"GLB_CHUNK_LENGTH_UNALIGNED"}
    assert validation.fixed is not None
    fixed = check_asset(validation.fixed, LIMITS, workdir=tmp_path / "again")
    assert (fixed.status, fixed.messages) == ("ready", [])
    assert (fixed.stats["triangles"], fixed.stats["vertices"]) == (12, 24)


def test_the_fixed_copy_holds_the_same_scene(tmp_path: Path) -> None:
    original = box_glb()
    upload = tmp_path / "scene.glb"
    upload.write_bytes(unpadded_glb(original))

    fixed = repadded_glb(upload)

    assert fixed is not None and len(fixed) % 4 == 0
    (json_length,) = struct.unpack_from("<I", fixed, 12)
    (original_length,) = struct.unpack_from("<I", original, 12)
    fixed_document = json.loads(fixed[20 : 20 + json_length])
    original_document = json.loads(original[20 : 20 + original_length])
    assert fixed_document["meshes"] == original_document["meshes"]
    assert fixed_document["accessors"] == original_document["accessors"]


def test_a_file_with_other_errors_gets_no_fixed_copy(tmp_path: Path) -> None:
    upload = tmp_path / "scene.glb"
    upload.write_bytes(box_glb()[:-8])  # truncated: no rewrite restores what is missing

    validation = validate_stage(upload, LIMITS, workdir=tmp_path / "work")

    assert validation.rejected and validation.fixed is None


def test_only_padding_and_alignment_errors_are_repairable() -> None:
    unaligned = error("GLB_CHUNK_LENGTH_UNALIGNED", gettext_noop("Unaligned."))
    other = error("ACCESSOR_INDEX_OOB", gettext_noop("Out of bounds."))
    note = warning("NODE_EMPTY", gettext_noop("Empty node."))

    assert is_repairable([unaligned, note])
    assert not is_repairable([unaligned, other])
    assert not is_repairable([note])


def test_something_that_is_not_a_glb_is_not_repaired(tmp_path: Path) -> None:
    path = tmp_path / "scene.glb"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))

    assert repadded_glb(path) is None

"""Stage 2, validate: valid files pass, the Khronos validator reports what is wrong with the container and the
geometry, the competition's extensions and policy are applied, and a validator that fails is our fault."""

from pathlib import Path

import pytest

from competitions.pipeline.khronos import NodeValidator, ValidatorFailed, ValidatorServer
from competitions.pipeline.limits import Limits
from competitions.pipeline.report import ERROR, WARNING, has_errors
from competitions.pipeline.samples import box_glb
from competitions.pipeline.unpack import unpack
from competitions.pipeline.validate import validate, validate_with_report
from tests.pipeline import hostile
from tests.pipeline.validation import LIMITS, NEEDS_VALIDATOR, errors, glb_bundle

pytestmark = NEEDS_VALIDATOR


# --- valid files ----------------------------------------------------------------------------------------------------


def test_valid_box_glb_has_no_errors(tmp_path):
    bundle = glb_bundle(tmp_path, lambda p: p.write_bytes(box_glb()) and p)

    assert not has_errors(validate(bundle, LIMITS))


def test_valid_zipped_gltf_has_no_errors(tmp_path):
    bundle = unpack(hostile.gltf_zip(tmp_path / "entry.zip"), tmp_path / "work", LIMITS)

    assert not has_errors(validate(bundle, LIMITS))


def test_valid_textured_glb_has_no_errors(tmp_path):
    bundle = glb_bundle(tmp_path, lambda p: hostile.textured_glb(p, hostile.png_bytes(64, 64)))

    assert not has_errors(validate(bundle, LIMITS))


def test_report_comes_back_with_the_validators_counts(tmp_path):
    bundle = glb_bundle(tmp_path, lambda p: p.write_bytes(box_glb()) and p)

    _messages, report = validate_with_report(bundle, LIMITS)

    assert report is not None
    assert report["info"]["totalTriangleCount"] == 12


# --- geometry and the container -----------------------------------------------------------------------------------


def test_nan_and_infinite_positions_are_errors(tmp_path):
    bundle = glb_bundle(tmp_path, hostile.nan_positions_glb)

    messages = validate(bundle, LIMITS)

    [ours] = [m for m in messages if m.code == "FORMAT_NON_FINITE_POSITIONS"]
    assert (ours.severity, ours.pointer) == (ERROR, "/accessors/0")
    assert "Vertex 1 " in ours.message
    assert "ACCESSOR_INVALID_FLOAT" in errors(messages)


def test_truncated_glb_is_an_error(tmp_path):
    bundle = glb_bundle(tmp_path, hostile.truncated_glb)

    assert {code for code in errors(validate(bundle, LIMITS)) if code.startswith("GLB_")}


# --- extensions and policy ----------------------------------------------------------------------------------------


def unlit_glb(path: Path) -> Path:
    document, binary = hostile.glb_parts(box_glb())
    document["extensionsUsed"] = ["KHR_materials_unlit"]
    document["materials"][0]["extensions"] = {"KHR_materials_unlit": {}}
    path.write_bytes(hostile.glb_bytes(document, binary))
    return path


def test_extension_outside_the_allowed_list_is_refused(tmp_path):
    bundle = glb_bundle(tmp_path, unlit_glb)

    messages = validate(bundle, Limits(allowed_extensions=("KHR_texture_transform",)))

    [message] = [m for m in messages if m.severity == ERROR]
    assert (message.code, message.pointer) == ("LIMIT_EXTENSION_NOT_ALLOWED", "/extensionsUsed/0")


def test_allowed_extension_passes(tmp_path):
    bundle = glb_bundle(tmp_path, unlit_glb)

    assert not has_errors(validate(bundle, Limits(allowed_extensions=("KHR_materials_unlit",))))


def wrong_bounds_glb(path: Path) -> Path:
    document, binary = hostile.glb_parts(box_glb())
    document["accessors"][0]["max"] = [9.0, 9.0, 9.0]
    path.write_bytes(hostile.glb_bytes(document, binary))
    return path


def test_lenient_policy_turns_validator_errors_into_warnings(tmp_path):
    bundle = glb_bundle(tmp_path, wrong_bounds_glb)

    strict = validate(bundle, Limits(policy="strict"))
    lenient = validate(bundle, Limits(policy="lenient"))

    assert "ACCESSOR_MAX_MISMATCH" in errors(strict)
    assert not has_errors(lenient)
    assert any(m.code == "ACCESSOR_MAX_MISMATCH" and m.severity == WARNING for m in lenient)


def test_lenient_policy_keeps_our_safety_errors(tmp_path):
    bundle = glb_bundle(tmp_path, lambda p: hostile.glb_with_buffer_uri(p, "../secret.bin"))

    assert "URI_ESCAPES_BUNDLE" in errors(validate(bundle, Limits(policy="lenient")))


# --- the validator process ------------------------------------------------------------------------------------------


def test_validator_that_does_not_finish_in_time_fails_the_stage(tmp_path):
    bundle = glb_bundle(tmp_path, lambda p: p.write_bytes(box_glb()) and p)

    with pytest.raises(ValidatorFailed):
        validate(bundle, LIMITS, validator=NodeValidator(timeout=0.001))


def test_long_lived_validator_gives_the_same_messages(tmp_path):
    bundle = glb_bundle(tmp_path, wrong_bounds_glb)

    with ValidatorServer(tmp_path) as server:
        served = [validate(bundle, LIMITS, validator=server) for _ in range(2)]

    assert served[0] == served[1] == validate(bundle, LIMITS)

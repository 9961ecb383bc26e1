"""Stage 2, validate: our budgets stop hostile files before anything large is read, decoded or allocated (the JSON,
its data URIs, the accessors' memory, a PLY header's counts), and the validator is not run on them."""

from competitions.pipeline.limits import MB, Limits
from competitions.pipeline.report import ERROR
from competitions.pipeline.samples import box_glb
from competitions.pipeline.unpack import Bundle
from competitions.pipeline.validate import validate
from tests.pipeline import hostile
from tests.pipeline.validation import LIMITS, NEEDS_VALIDATOR, MustNotRun, errors, glb_bundle, run_isolated

pytestmark = NEEDS_VALIDATOR


# --- budgets checked before anything is allocated ---------------------------------------------------------------------


def test_accessor_count_of_two_billion_is_refused_before_the_validator_runs(tmp_path):
    bundle = glb_bundle(tmp_path, hostile.huge_accessor_glb)

    messages = validate(bundle, LIMITS, validator=MustNotRun())

    [message] = [m for m in messages if m.severity == ERROR]
    assert (message.code, message.pointer) == ("BUDGET_ACCESSOR_MEMORY", "/accessors/0/count")
    assert "2,000,000,000" in message.message


def test_accessor_count_of_two_billion_needs_no_memory(tmp_path):
    scene = hostile.huge_accessor_glb(tmp_path / "scene.glb")

    result = run_isolated(f"""
        before = peak_mb()
        messages = validate(Bundle(Path({str(tmp_path)!r}), Path({str(scene)!r}), "glb"), Limits())
        print(json.dumps({{"codes": [m.code for m in messages], "growth": peak_mb() - before}}))
    """)

    assert "BUDGET_ACCESSOR_MEMORY" in result["codes"]
    assert result["growth"] < 30


def test_150_mb_data_uri_is_refused_without_decoding_or_parsing_it(tmp_path):
    # Given a .gltf holding a 150 MB data URI, built on disk in a stream
    scene = hostile.data_uri_gltf(tmp_path / "scene.gltf", uri_bytes=150 * MB)

    # When it is validated in a fresh process in which decoding base64 or parsing JSON fails loudly
    result = run_isolated(f"""
        import base64, binascii, json as json_module
        def refuse(*args, **kwargs):
            raise AssertionError("decoded or parsed")
        base64.b64decode = base64.standard_b64decode = binascii.a2b_base64 = json_module.loads = refuse
        before = peak_mb()
        messages = validate(Bundle(Path({str(tmp_path)!r}), Path({str(scene)!r}), "gltf"), Limits())
        print(json.dumps({{"codes": [m.code for m in messages], "growth": peak_mb() - before}}))
    """)

    # Then both budgets fire, and the process never held the file in memory
    assert set(result["codes"]) == {"JSON_TOO_LARGE", "DATA_URI_TOO_LARGE"}
    assert result["growth"] < 30


def test_data_uri_over_its_budget_is_refused_even_when_the_json_is_small_enough(tmp_path):
    scene = hostile.data_uri_gltf(tmp_path / "scene.gltf", uri_bytes=2 * MB)

    messages = validate(Bundle(tmp_path, scene, "gltf"), Limits(max_data_uri_bytes=1 * MB), validator=MustNotRun())

    assert errors(messages) == {"DATA_URI_TOO_LARGE"}


def test_json_too_large_in_a_glb_is_refused_from_the_chunk_header(tmp_path):
    bundle = glb_bundle(tmp_path, lambda p: p.write_bytes(box_glb()) and p)

    messages = validate(bundle, Limits(max_json_bytes=64), validator=MustNotRun())

    assert errors(messages) == {"JSON_TOO_LARGE"}


def test_deeply_nested_json_is_refused(tmp_path):
    scene = tmp_path / "scene.gltf"
    scene.write_text("[" * 200_000 + "]" * 200_000)

    messages = validate(Bundle(tmp_path, scene, "gltf"), LIMITS, validator=MustNotRun())

    assert errors(messages) == {"JSON_TOO_DEEP"}


# --- PLY --------------------------------------------------------------------------------------------------------------


def test_ply_header_declaring_billions_of_vertices_is_refused(tmp_path):
    scene = tmp_path / "scene.ply"
    scene.write_bytes(
        b"ply\nformat binary_little_endian 1.0\nelement vertex 2000000000\nproperty float x\nend_header\n"
    )

    assert errors(validate(Bundle(tmp_path, scene, "ply"), LIMITS)) == {"BUDGET_ACCESSOR_MEMORY"}

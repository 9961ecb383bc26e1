"""Stage 2, validate: textures are checked from their image headers alone: a decompression bomb is refused without
decoding it, a texture larger than the competition allows is refused, and a file that is not an image says so."""

from competitions.pipeline.limits import MB, Limits
from competitions.pipeline.report import ERROR
from competitions.pipeline.unpack import Bundle
from competitions.pipeline.validate import validate
from tests.pipeline import hostile
from tests.pipeline.validation import LIMITS, NEEDS_VALIDATOR, errors, glb_bundle, run_isolated

pytestmark = NEEDS_VALIDATOR


# --- textures -----------------------------------------------------------------------------------------------------


def test_20000_pixel_texture_is_a_decompression_bomb_read_from_its_header(tmp_path):
    # Given a GLB whose 400 KB PNG texture is 20000 x 20000 pixels
    scene = hostile.textured_glb(tmp_path / "scene.glb", hostile.huge_png(20000, 20000))
    assert scene.stat().st_size < 1 * MB

    # When it is validated in a fresh process
    result = run_isolated(f"""
        before = peak_mb()
        messages = validate(Bundle(Path({str(tmp_path)!r}), Path({str(scene)!r}), "glb"), Limits())
        print(json.dumps({{"errors": [[m.code, m.message] for m in messages if m.severity == "error"],
                          "growth": peak_mb() - before}}))
    """)

    # Then it is refused with its size, and its 400 MB of pixels were never decoded
    [[code, message]] = result["errors"]
    assert code == "TEXTURE_DECOMPRESSION_BOMB"
    assert "20000x20000" in message
    assert result["growth"] < 30


def test_texture_larger_than_the_competition_allows_is_refused(tmp_path):
    bundle = glb_bundle(tmp_path, lambda p: hostile.textured_glb(p, hostile.png_bytes(64, 32)))

    messages = validate(bundle, Limits(max_texture_size=32))

    [message] = [m for m in messages if m.severity == ERROR]
    assert (message.code, message.pointer) == ("LIMIT_TEXTURE_SIZE", "/images/0")
    assert "64x32" in message.message


def test_texture_that_is_an_html_page_is_not_an_image(tmp_path):
    bundle = glb_bundle(tmp_path, lambda p: hostile.textured_glb(p, hostile.HTML_PAGE))

    messages = validate(bundle, LIMITS)

    [ours] = [m for m in messages if m.code == "TEXTURE_NOT_AN_IMAGE"]
    assert ours.severity == ERROR
    assert "HTML" in ours.message


def test_texture_file_that_is_an_html_page_is_not_an_image(tmp_path):
    scene = hostile.gltf_folder(tmp_path, image=hostile.HTML_PAGE)

    assert "TEXTURE_NOT_AN_IMAGE" in errors(validate(Bundle(tmp_path, scene, "gltf"), LIMITS))

"""The file-check report in the reader's language: our own sentences are rebuilt from their translated templates;
the glTF validator's common codes are explained in plain Chinese with the validator's own line kept beside them."""

import ast
from pathlib import Path

import pytest
from django.urls import reverse

from competitions.models import EntryRevision
from competitions.pipeline.khronos import validator_messages
from competitions.pipeline.limits import Limits
from competitions.pipeline.report import AssetRejected, error, gettext_noop
from competitions.pipeline.unpack import unpack
from tests.factories import EntryFactory, EntryRevisionFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def entry(team, track):
    return EntryFactory(team=team, track=track, title="Bund at night")


def _rejected_report(upload: Path, workdir: Path) -> dict:
    with pytest.raises(AssetRejected) as rejected:
        unpack(upload, workdir, Limits())
    return {"messages": [m.to_dict() for m in rejected.value.messages]}


def _page(client, entry, language: str = "en") -> str:
    client.cookies["django_language"] = language
    return client.get(reverse("frontend:entry-detail", kwargs={"pk": entry.pk})).content.decode()


def test_our_own_message_reads_in_chinese_with_its_values_and_in_english_unchanged(client, entry, bob, tmp_path):
    upload = tmp_path / "bund.glb"
    upload.write_bytes(PNG)
    EntryRevisionFactory(entry=entry, status=EntryRevision.Status.REJECTED, report=_rejected_report(upload, tmp_path))
    client.force_login(bob)

    english, chinese = _page(client, entry), _page(client, entry, "zh-hans")

    assert "The file is named .glb but its content is a PNG image. Export the scene again as a real .glb file." in (
        english
    )
    # The sentence and the words filled into it ("a PNG image") are both Chinese; the file name stays as it is.
    assert "文件名是 .glb，但内容是PNG 图片。请把场景重新导出为真正的 .glb 文件。" in chinese
    assert "The file is named" not in chinese


def test_a_list_of_accepted_formats_is_translated_item_by_item(client, entry, bob, tmp_path):
    upload = tmp_path / "scene.fbx"
    upload.write_bytes(b"Kaydara FBX Binary  \0" + b"\0" * 64)
    EntryRevisionFactory(entry=entry, status=EntryRevision.Status.REJECTED, report=_rejected_report(upload, tmp_path))
    client.force_login(bob)

    chinese = _page(client, entry, "zh-hans")

    assert "不接受 .fbx 文件。请上传以下之一：.glb（或包含一个 .glb 的 .zip）" in chinese
    assert "包含一个 .obj 及其 .mtl 和纹理的 .zip" in chinese


def test_a_common_validator_code_is_explained_in_chinese_with_the_validators_line_beside_it(client, entry, bob):
    report = {
        "issues": {
            "messages": [
                {
                    "code": "GLB_CHUNK_LENGTH_UNALIGNED",
                    "message": "Length of 0x4e4f534a chunk is not aligned to 4-byte boundaries.",
                    "severity": 0,
                    "pointer": "",
                }
            ]
        }
    }
    messages = validator_messages(report)
    EntryRevisionFactory(
        entry=entry, status=EntryRevision.Status.REJECTED, report={"messages": [m.to_dict() for m in messages]}
    )
    client.force_login(bob)

    english, chinese = _page(client, entry), _page(client, entry, "zh-hans")

    validator_line = "Length of JSON chunk (0x4e4f534a) is not aligned to 4-byte boundaries."
    assert f"{validator_line} The GLB chunks are not padded to 4 bytes; re-export with a current exporter." in english
    assert "校验器原文" not in english
    assert "GLB 的数据块没有按 4 字节补齐；请用较新的导出工具重新导出。" in chinese
    assert '校验器原文：</span> <span lang="en">' + validator_line + "</span>" in chinese
    assert "GLB_CHUNK_LENGTH_UNALIGNED" in chinese  # the code stays, for searching and for the organisers


def test_an_uncommon_validator_code_is_shown_as_the_validator_wrote_it(client, entry, bob):
    stored = {"severity": "warning", "code": "NODE_EMPTY", "message": "Empty node encountered.", "pointer": "/nodes/0"}
    EntryRevisionFactory(entry=entry, status=EntryRevision.Status.REJECTED, report={"messages": [stored]})
    client.force_login(bob)

    assert "Empty node encountered." in _page(client, entry, "zh-hans")


def test_a_report_stored_before_templates_were_kept_still_shows_its_english(client, entry, bob):
    stored = {"severity": "error", "code": "UPLOAD_EMPTY", "message": "The file is empty (old words).", "pointer": ""}
    EntryRevisionFactory(entry=entry, status=EntryRevision.Status.REJECTED, report={"messages": [stored]})
    client.force_login(bob)

    assert "The file is empty (old words)." in _page(client, entry, "zh-hans")


def test_a_template_whose_values_do_not_fit_falls_back_to_the_stored_english(client, entry, bob):
    template = gettext_noop("The file is %(size)s; this competition accepts files up to %(limit)s.")
    stored = error("UPLOAD_TOO_LARGE", template, size="9 MB", limit="8 MB").to_dict()
    del stored["params"]["limit"]
    EntryRevisionFactory(entry=entry, status=EntryRevision.Status.REJECTED, report={"messages": [stored]})
    client.force_login(bob)

    assert "The file is 9 MB; this competition accepts files up to 8 MB." in _page(client, entry, "zh-hans")


def test_the_api_gives_the_report_in_the_requests_language(client, entry, bob, tmp_path):
    upload = tmp_path / "bund.glb"
    upload.write_bytes(PNG)
    revision = EntryRevisionFactory(
        entry=entry, status=EntryRevision.Status.REJECTED, report=_rejected_report(upload, tmp_path)
    )
    client.force_login(bob)

    url = reverse("api:revision-detail", kwargs={"pk": revision.pk})
    english = client.get(url, headers={"accept-language": "en"}).json()["messages"][0]
    chinese = client.get(url, headers={"accept-language": "zh-hans"}).json()["messages"][0]

    assert english["message"].startswith("The file is named .glb but its content is a PNG image.")
    assert chinese["message"].startswith("文件名是 .glb，但内容是PNG 图片。")
    assert english["original"] == chinese["original"] == ""
    assert set(chinese) == {"severity", "code", "message", "pointer", "original"}


def test_every_message_of_ours_is_written_from_a_marked_template():
    """An f-string or a bare string given to error()/warning()/info() would reach a Chinese page in English: each
    message of the pipeline is a ``gettext_noop`` template (or a variable holding one) filled from keyword values."""
    pipeline = Path(__file__).resolve().parents[2] / "competitions" / "pipeline"
    unmarked = []
    for path in pipeline.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id in ("error", "warning", "info") and len(node.args) >= 2:
                text = node.args[1]
                if isinstance(text, ast.JoinedStr | ast.Constant | ast.BinOp):
                    unmarked.append(f"{path.relative_to(pipeline)}:{node.lineno}")

    assert unmarked == []

"""What a newcomer meets on a 390 px phone, in English and in Chinese (issue 14): the rules in words, not Python
tuples; a bare .gltf that needs its files zipped is explained at the file field before a byte is sent; a rejected
file's report in the reader's language; older reports folded under the current file; the menu on one line."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from competitions.models import EntryRevision
from competitions.pipeline.samples import box_glb, embedded_gltf
from tests.browser.conftest import PHONE, SCREENSHOTS, signed_in_page
from tests.factories import CompetitionFactory, EntryFactory, TeamFactory, TrackFactory, UserFactory
from tests.worker_process import Worker

pytestmark = pytest.mark.browser


@pytest.fixture
def entry(db):
    captain = UserFactory(username="ada@example.com")
    competition = CompetitionFactory(name="Metaverse Scenario Design Competition", name_zh="元宇宙场景设计大赛")
    track = TrackFactory(competition=competition, name="Industrial metaverse", name_zh="工业元宇宙")
    return EntryFactory(team=TeamFactory(competition=competition, captain=captain), track=track, title="Harbour")


@pytest.fixture
def phone(browser, live_server, entry, request) -> Iterator[object]:
    page = signed_in_page(browser, live_server, entry.team.memberships.get().user, language=request.param, device=PHONE)
    yield page
    page.context.close()


@pytest.mark.parametrize(
    ("phone", "hint"),
    [
        ("en", "This .gltf refers to other files: “harbour.bin”, “textures/water.png”. A single .gltf cannot"),
        ("zh-hans", "这个 .gltf 引用了其他文件：“harbour.bin”, “textures/water.png”。单独上传 .gltf 无法"),
    ],
    indirect=["phone"],
)
def test_a_gltf_that_refers_to_files_is_explained_at_the_field_before_anything_is_sent(
    phone, live_server, entry, tmp_path, hint
) -> None:
    scene = tmp_path / "harbour.gltf"
    document = {"asset": {"version": "2.0"}, "buffers": [{"uri": "harbour.bin", "byteLength": 4}],
                "images": [{"uri": "textures/water.png"}]}  # fmt: skip
    scene.write_text(json.dumps(document))
    requests: list[str] = []
    console: list[tuple[str, str]] = []
    phone.on("request", lambda request: requests.append(request.url))
    phone.on("console", lambda message: console.append((message.type, message.text)))

    phone.goto(f"{live_server.url}/entries/{entry.pk}/")
    requests.clear()
    phone.locator("input[type=file]").set_input_files(str(scene))
    phone.locator("[data-upload-submit]").click()

    phone.locator("#id_file_error", has_text=hint).wait_for()
    assert phone.locator("input[type=file]").get_attribute("aria-invalid") == "true"
    assert not any("/api/" in url for url in requests), requests
    assert [text for kind, text in console if kind == "error"] == []
    assert not EntryRevision.objects.exists()


@pytest.mark.worker
def test_in_chinese_on_a_phone_a_rejected_file_reads_in_chinese_and_a_self_contained_gltf_becomes_ready(
    browser, live_server, worker: Worker, tmp_path: Path
) -> None:
    captain = UserFactory(username="ada@example.com")
    competition = CompetitionFactory(name="Metaverse Scenario Design Competition", name_zh="元宇宙场景设计大赛")
    track = TrackFactory(competition=competition, name="Industrial metaverse", name_zh="工业元宇宙")
    entry = EntryFactory(team=TeamFactory(competition=competition, captain=captain), track=track, title="Harbour")
    phone = signed_in_page(browser, live_server, captain, language="zh-hans", device=PHONE)
    picture, scene = tmp_path / "harbour.glb", tmp_path / "harbour.gltf"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(1000))
    scene.write_bytes(embedded_gltf(box_glb()))

    # The rules in words: no Python tuple, the bare .gltf among what is accepted.
    phone.goto(f"{live_server.url}/competitions/{competition.slug}/")
    rules = phone.locator("#asset-rules-title").locator("xpath=..").inner_text()
    assert "('" not in rules and "')" not in rules
    assert ".gltf" in rules

    # A picture saved as .glb: rejected, and the report says why in Chinese.
    phone.goto(f"{live_server.url}/entries/{entry.pk}/")
    phone.locator("input[type=file]").set_input_files(str(picture))
    phone.locator("[data-upload-submit]").click()
    phone.get_by_text("文件名是 .glb，但内容是PNG 图片。请把场景重新导出为真正的 .glb 文件。").wait_for(timeout=60_000)

    # A self-contained .gltf: accepted, checked and ready; the rejected report is folded beneath it.
    phone.locator("input[type=file]").set_input_files(str(scene))
    phone.locator("[data-upload-submit]").click()
    phone.locator("[data-revision-status]").first.filter(has_text="就绪").wait_for(timeout=60_000)
    phone.reload()
    folded = phone.locator("details.older-report")
    assert folded.count() == 1
    assert folded.evaluate_all("details => details.every(d => !d.open)")
    assert not phone.get_by_text("文件名是 .glb").first.is_visible()
    current_top = phone.locator("[data-current-file]").bounding_box()["y"]
    assert current_top < phone.locator("#revisions").bounding_box()["y"]
    tops = phone.eval_on_selector_all(
        "nav.site-bar .site-nav > li", "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, tops
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "entry-zh-phone.png"), full_page=True)
    phone.context.close()

"""Resumable uploads and the live processing view in headless Chromium.

A scene of about a megabyte is sent in 64 KB chunks by the entry page's script (tus-js-client, to the API with the
session login); one chunk is lost on the way, then the network goes down and the page is reloaded mid-upload.
Choosing the same file again continues from the server's last byte, and the file that arrives is exactly the one
sent. Also saves screenshots of the entry page (docs/screenshots/)."""

import hashlib
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from competitions.models import EntryRevision, UploadSession, WorkerHeartbeat
from competitions.pipeline.samples import Box, scene_glb
from tests.browser.conftest import SCREENSHOTS
from tests.factories import EntryFactory, EntryRevisionFactory, TeamFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.browser

CHUNK = 64 * 1024
SESSION_URL = re.compile(r".*/api/uploads/[0-9a-f-]{36}/$")


@pytest.fixture
def entrant(db):
    return UserFactory(username="ada@example.com", profile__display_name="Ada Chen")


@pytest.fixture
def page(browser, live_server, entrant) -> Iterator[object]:
    """A logged-in entrant's page (the session cookie of a test client, handed to the browser)."""
    client = Client()
    client.force_login(entrant)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "Leave the page?" while uploading: yes
    yield page
    context.close()


@pytest.fixture
def entry(entrant):
    team = TeamFactory(captain=entrant, name="Huangpu Digital Twins")
    track = TrackFactory(competition=team.competition, name="Culture and tourism")
    return EntryFactory(team=team, track=track, title="Bund at night")


class Network:
    """Sits between the page and the server: counts the bytes of every chunk the server receives, and can lose
    one chunk, or all of them for a while (the network is down)."""

    def __init__(self) -> None:
        self.delivered: list[tuple[int, int]] = []  # (Upload-Offset, bytes) of each chunk let through
        self.lose_chunk_number: int | None = None
        self.down_from_chunk: int | None = None
        self.chunks_seen = 0

    @property
    def down(self) -> bool:
        return self.down_from_chunk is not None and self.chunks_seen >= self.down_from_chunk

    def handle(self, route) -> None:
        request = route.request
        if request.method != "PATCH":
            route.continue_()
            return
        self.chunks_seen += 1
        if self.chunks_seen == self.lose_chunk_number or self.down:
            route.abort("connectionreset")
            return
        self.delivered.append((int(request.headers["upload-offset"]), len(request.post_data_buffer or b"")))
        route.continue_()


def wait_until(page, condition: Callable[[], bool], seconds: float = 10) -> None:
    """Wait for ``condition``, letting the page run meanwhile (its routes are handled only while Playwright waits)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        page.wait_for_timeout(50)


def choose_and_upload(page, scene: Path) -> None:
    page.eval_on_selector("form[data-upload]", f"form => form.dataset.chunkSize = '{CHUNK}'")
    page.locator("input[type=file]").set_input_files(str(scene))
    page.get_by_role("button", name="Upload", exact=True).click()


def test_upload_survives_a_lost_chunk_and_a_reload_and_resumes_from_the_servers_offset(
    page, live_server, entry, tmp_path: Path
) -> None:
    content = scene_glb([Box(centre=(i % 60, 0.5, i // 60), size=(0.8, 1, 0.8), name=f"c{i}") for i in range(3000)])
    assert len(content) > 12 * CHUNK
    scene = tmp_path / "harbour.glb"
    scene.write_bytes(content)
    network = Network()
    network.lose_chunk_number = 3
    network.down_from_chunk = 9
    page.route(SESSION_URL, network.handle)
    entry_url = f"{live_server.url}/entries/{entry.pk}/"

    # Upload: chunk 3 is lost and retried; from chunk 9 the network is down, so the page keeps retrying.
    page.goto(entry_url)
    choose_and_upload(page, scene)
    page.get_by_text("The connection dropped.").wait_for()
    while not network.down:
        page.wait_for_timeout(100)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_text("The connection dropped.").wait_for()
    page.locator(".upload-panel").screenshot(path=str(SCREENSHOTS / "upload-retrying.png"))
    before_reload = UploadSession.objects.get().received
    assert before_reload == sum(length for _offset, length in network.delivered) > 0

    # Reload mid-upload with the network back: the page mentions the unfinished upload; the same file continues.
    network.down_from_chunk = None
    page.reload()
    page.get_by_text("An upload of “harbour.glb” stopped at").wait_for()
    first_after_reload = len(network.delivered)
    choose_and_upload(page, scene)
    page.locator("[data-revision-status]").first.wait_for(timeout=30_000)

    # The server got every byte exactly once, in order, and nothing was sent again from zero.
    offsets = [offset for offset, _length in network.delivered]
    assert offsets[0] == 0
    assert network.delivered[first_after_reload][0] == before_reload
    assert all(
        later == offset + length
        for (offset, length), (later, _next) in zip(network.delivered, network.delivered[1:], strict=False)
    )
    assert sum(length for _offset, length in network.delivered) == len(content)
    revision = EntryRevision.objects.get()
    assert revision.sha256 == hashlib.sha256(content).hexdigest()
    assert (revision.size, revision.original_name) == (len(content), "harbour.glb")
    assert network.chunks_seen > len(network.delivered)  # the lost chunk and those sent while down were retried
    assert UploadSession.objects.get().revision == revision  # one session from start to end
    assert page.evaluate("Object.keys(localStorage).filter(k => k.includes('metascene-upload:')).length") == 0


def test_a_file_the_rules_refuse_is_named_at_the_file_field_and_nothing_is_kept(
    page, live_server, entry, tmp_path
) -> None:
    picture = tmp_path / "bund.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(1000))

    page.goto(f"{live_server.url}/entries/{entry.pk}/")
    page.locator("input[type=file]").set_input_files(str(picture))
    page.get_by_role("button", name="Upload", exact=True).click()

    page.locator("#id_file_error", has_text="Upload one of: .glb, .zip, .gltf.").wait_for()
    assert page.locator("input[type=file]").get_attribute("aria-invalid") == "true"
    assert page.get_by_role("button", name="Upload", exact=True).is_enabled()
    assert not UploadSession.objects.exists()
    assert not EntryRevision.objects.exists()


def test_cancel_stops_the_upload_and_the_server_forgets_it(page, live_server, entry, tmp_path) -> None:
    scene = tmp_path / "harbour.glb"
    scene.write_bytes(scene_glb([Box(centre=(i, 0.5, 0), size=(0.8, 1, 0.8), name=f"c{i}") for i in range(300)]))
    held = []  # PATCH requests that never get through: the upload is in progress when Cancel is pressed
    page.route(SESSION_URL, lambda route: held.append(route) if route.request.method == "PATCH" else route.continue_())

    page.goto(f"{live_server.url}/entries/{entry.pk}/")
    choose_and_upload(page, scene)
    wait_until(page, lambda: bool(held))
    page.get_by_role("button", name="Cancel upload").click()

    page.get_by_text("Upload cancelled.").wait_for()
    wait_until(page, lambda: not UploadSession.objects.exists())  # the page asked the server to forget it
    assert page.get_by_role("button", name="Upload", exact=True).is_enabled()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.includes('metascene-upload:')).length") == 0


def test_entry_page_follows_processing_and_groups_a_rejected_files_messages(page, live_server, entry) -> None:
    EntryRevisionFactory(
        entry=entry,
        number=1,
        original_name="bund-v1.glb",
        status=EntryRevision.Status.REJECTED,
        stage=EntryRevision.Stage.VALIDATE,
        report={
            "messages": [
                {
                    "severity": "error",
                    "code": "ACCESSOR_MIN_MISMATCH",
                    "message": "Accessor 3 declares a minimum of 0.0 but its data holds -0.25. Export the scene "
                    "again, or fix the accessor's min and max.",
                    "pointer": "/accessors/3/min/1",
                },
                {
                    "severity": "error",
                    "code": "URI_OUTSIDE_BUNDLE",
                    "message": "Image 0 points outside the upload (../textures/brick.png). Put the texture in the "
                    "zip beside the .gltf and refer to it by a relative path.",
                    "pointer": "/images/0/uri",
                },
                {
                    "severity": "warning",
                    "code": "UNUSED_OBJECT",
                    "message": "Mesh 2 is not used by any node; remove it to make the file smaller.",
                    "pointer": "/meshes/2",
                },
                {
                    "severity": "info",
                    "code": "NODE_EMPTY",
                    "message": "Node 7 has no mesh, camera or children.",
                    "pointer": "/nodes/7",
                },
            ]
        },
    )
    processing = EntryRevisionFactory(
        entry=entry,
        number=2,
        original_name="bund-v2.glb",
        status=EntryRevision.Status.VALIDATING,
        stage=EntryRevision.Stage.VALIDATE,
    )

    # This test plays the worker's part, moving the revision on; a live worker's heartbeat goes with it.
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        name="browser-test@host", queues="validation,rendering", pid=1, started_at=now, seen_at=now
    )

    page.goto(f"{live_server.url}/entries/{entry.pk}/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert page.get_by_text("2 errors").is_visible()
    assert not page.get_by_text("Checking is delayed").is_visible()
    assert page.locator("code.pointer", has_text="/accessors/3/min/1").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "entry-rejected.png"), full_page=True)

    # The worker moves on; the page follows without a reload.
    EntryRevision.objects.filter(pk=processing.pk).update(
        status=EntryRevision.Status.RENDERING, stage=EntryRevision.Stage.RENDER
    )
    active = page.locator('li.stage-active[data-stage="render"]')
    active.wait_for(timeout=10_000)
    assert page.locator(f'tr[data-revision="{processing.pk}"] .badge').inner_text() == "Rendering"
    page.locator('td[data-revision-detail]:has(li[data-stage="render"])').screenshot(
        path=str(SCREENSHOTS / "entry-stages.png")
    )

    EntryRevision.objects.filter(pk=processing.pk).update(
        status=EntryRevision.Status.READY,
        stage=EntryRevision.Stage.PACKAGE,
        stats={
            "triangles": 35124,
            "vertices": 21870,
            "materials": 6,
            "textures": 4,
            "draw_calls": 9,
            "size": [48.5, 12.25, 30.0],
        },
    )
    page.get_by_text("48.50 × 12.25 × 30.00 m").first.wait_for(timeout=10_000)
    assert page.get_by_text("Checking is finished.").is_visible()

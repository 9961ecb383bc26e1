"""Resumable uploads (tus 1.0) as the entry page's upload script makes them: to the API's endpoints, with the session
login and the CSRF token: open, learn the offset, send chunks, complete, cancel; who may touch an upload; and what
the page says afterwards. The portal has no tus endpoint of its own. Alice captains team Aurora, Bob is in it,
Charlie is not."""

import base64
import hashlib

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from competitions.models import Entry, EntryRevision, UploadSession
from competitions.pipeline.samples import Box, scene_glb
from tests.factories import EntryFactory

SCENE = scene_glb([Box(centre=(x, 0.5, 0), size=(0.8, 1, 0.8), name=f"lantern-{x}") for x in range(8)])
CHUNK = 1024
TUS = {"Tus-Resumable": "1.0.0"}
CHUNK_TYPE = "application/offset+octet-stream"


@pytest.fixture
def entry(team, track):
    return EntryFactory(team=team, track=track, title="Bund at night")


def metadata(name: str) -> str:
    return "filename " + base64.b64encode(name.encode()).decode()


def start_url(entry: Entry) -> str:
    return reverse("api:entry-uploads", kwargs={"pk": entry.pk})


def open_upload(client: Client, entry: Entry, *, size: int = len(SCENE), name: str = "bund.glb", **headers: str):
    return client.post(
        start_url(entry), headers={**TUS, "Upload-Length": str(size), "Upload-Metadata": metadata(name), **headers}
    )


def patch(client: Client, url: str, data: bytes, offset: int, content_type: str = CHUNK_TYPE, **headers: str):
    # The test client leaves out the content headers of an empty body; a browser sends them.
    return client.generic(
        "PATCH",
        url,
        data,
        headers={**TUS, "Upload-Offset": str(offset), **headers},
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(len(data)),
    )


def send_everything(client: Client, url: str):
    for offset in range(0, len(SCENE), CHUNK):
        response = patch(client, url, SCENE[offset : offset + CHUNK], offset)
        assert response.status_code == 204, response.content
    return response


# --- Opening ---------------------------------------------------------------------------------------------------


def test_member_opens_an_upload_and_is_told_where_to_send_it(client, entry, bob):
    client.force_login(bob)

    response = open_upload(client, entry, name="外滩.glb")

    session = UploadSession.objects.get()
    url = "http://testserver" + reverse("api:upload-detail", kwargs={"pk": session.pk})
    assert response.status_code == 201
    assert response["Location"] == url
    assert (response["Tus-Resumable"], response["Upload-Offset"]) == ("1.0.0", "0")
    assert response.json()["url"] == url
    assert (session.user, session.original_name, session.size) == (bob, "外滩.glb", len(SCENE))


def test_opening_an_upload_of_a_png_is_refused_naming_the_accepted_types(client, entry, bob):
    client.force_login(bob)

    response = open_upload(client, entry, name="shot.png")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("format_not_allowed", "file")
    assert "Upload one of: .glb, .zip, .gltf." in response.json()["detail"]
    assert not UploadSession.objects.exists()


def test_opening_an_upload_larger_than_allowed_is_refused_before_any_byte(client, entry, bob):
    client.force_login(bob)

    response = open_upload(client, entry, size=entry.team.competition.max_upload_bytes + 1)

    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"


def test_opening_an_upload_after_the_deadline_is_refused_with_the_reason(client, entry, bob):
    with time_machine.travel(entry.team.competition.submission_deadline):
        client.force_login(bob)
        response = open_upload(client, entry)

    assert response.status_code == 400
    assert (response.json()["detail"], response.json()["field"]) == ("The submission deadline has passed.", None)


def test_opening_an_upload_without_its_length_is_a_protocol_error(client, entry, bob):
    client.force_login(bob)

    response = client.post(start_url(entry), headers=TUS)

    assert response.status_code == 400
    assert response.json()["code"] == "upload_protocol"


def test_another_tus_version_is_412(client, entry, bob):
    client.force_login(bob)

    response = client.post(
        start_url(entry),
        headers={"Tus-Resumable": "0.2.2", "Upload-Length": "10", "Upload-Metadata": metadata("a.glb")},
    )

    assert response.status_code == 412
    assert response["Tus-Version"] == "1.0.0"


def test_non_member_cannot_open_an_upload_on_the_entry(client, entry, charlie):
    client.force_login(charlie)

    response = open_upload(client, entry)

    assert response.status_code == 404
    assert not UploadSession.objects.exists()


# --- Chunks ----------------------------------------------------------------------------------------------------


def test_head_answers_how_many_bytes_the_server_has(client, entry, bob):
    client.force_login(bob)
    url = open_upload(client, entry)["Location"]
    patch(client, url, SCENE[:CHUNK], 0)

    response = client.head(url, headers=TUS)

    assert response.status_code == 200
    assert (response["Upload-Offset"], response["Upload-Length"]) == (str(CHUNK), str(len(SCENE)))
    assert "no-store" in response["Cache-Control"]


def test_chunk_is_appended_and_answered_with_the_new_offset(client, entry, bob):
    client.force_login(bob)
    url = open_upload(client, entry)["Location"]

    response = patch(client, url, SCENE[:CHUNK], 0)

    assert response.status_code == 204
    assert response["Upload-Offset"] == str(CHUNK)
    assert UploadSession.objects.get().received == CHUNK


def test_chunk_at_a_wrong_offset_is_409_with_the_servers_offset(client, entry, bob):
    client.force_login(bob)
    url = open_upload(client, entry)["Location"]
    patch(client, url, SCENE[:CHUNK], 0)

    response = patch(client, url, SCENE[:CHUNK], 0)

    assert response.status_code == 409
    assert response["Upload-Offset"] == str(CHUNK)
    assert UploadSession.objects.get().received == CHUNK


def test_chunk_past_the_announced_size_is_413(client, entry, bob):
    client.force_login(bob)
    url = open_upload(client, entry, size=CHUNK)["Location"]

    response = patch(client, url, SCENE[: CHUNK + 1], 0)

    assert response.status_code == 413
    assert UploadSession.objects.get().received == 0


def test_chunk_without_the_tus_content_type_is_415(client, entry, bob):
    client.force_login(bob)
    url = open_upload(client, entry)["Location"]

    response = patch(client, url, SCENE[:CHUNK], 0, content_type="application/octet-stream")

    assert response.status_code == 415
    assert UploadSession.objects.get().received == 0


def signed_in_with_csrf_checks(user, entry) -> tuple[Client, str]:
    """A client that, like a browser, is refused an unsafe request without the CSRF token; and the token the entry
    page gives the upload script."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get(reverse("frontend:entry-detail", kwargs={"pk": entry.pk}))
    return client, str(page.context["csrf_token"])


def test_the_api_takes_an_upload_from_the_session_login_with_the_csrf_token(entry, bob):
    client, token = signed_in_with_csrf_checks(bob, entry)

    url = open_upload(client, entry, **{"X-CSRFToken": token})["Location"]
    answers = [patch(client, url, SCENE, 0, **{"X-CSRFToken": token}).status_code, client.get(url).status_code]

    assert answers == [204, 200]
    assert UploadSession.objects.get().revision is not None


def test_opening_an_upload_without_the_csrf_token_is_refused(entry, bob):
    client, _token = signed_in_with_csrf_checks(bob, entry)

    response = open_upload(client, entry)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not UploadSession.objects.exists()


def test_chunk_without_the_csrf_token_is_refused(entry, bob):
    client, _token = signed_in_with_csrf_checks(bob, entry)
    session = UploadSession.objects.create(entry=entry, user=bob, original_name="bund.glb", size=len(SCENE))
    url = reverse("api:upload-detail", kwargs={"pk": session.pk})

    response = patch(client, url, SCENE[:CHUNK], 0)

    assert response.status_code == 403
    assert UploadSession.objects.get().received == 0


def test_last_chunk_creates_the_revision_and_the_upload_says_so(client, entry, bob, django_capture_on_commit_callbacks):
    client.force_login(bob)
    url = open_upload(client, entry)["Location"]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_everything(client, url)
    body = client.get(url).json()

    revision = EntryRevision.objects.get()
    assert revision.sha256 == hashlib.sha256(SCENE).hexdigest()
    assert (revision.original_name, revision.uploaded_by, revision.size) == ("bund.glb", bob, len(SCENE))
    assert len(callbacks) == 1
    assert (body["complete"], body["revision"]["number"], body["offset"]) == (True, 1, len(SCENE))


def test_the_page_after_the_upload_says_the_revision_is_received(client, entry, bob):
    client.force_login(bob)
    url = open_upload(client, entry)["Location"]
    send_everything(client, url)

    upload_id = client.get(url).json()["id"]
    content = client.get(reverse("frontend:entry-detail", kwargs={"pk": entry.pk}), {"upload": upload_id})

    assert "Revision 1 (“bund.glb”) is received." in content.content.decode()


def test_the_page_says_nothing_of_an_unfinished_or_someone_elses_upload(client, entry, alice, bob):
    client.force_login(alice)
    opened = open_upload(client, entry)
    send_everything(client, opened["Location"])
    alices = opened.json()["id"]
    client.force_login(bob)
    unfinished = open_upload(client, entry).json()["id"]
    page = reverse("frontend:entry-detail", kwargs={"pk": entry.pk})

    contents = [client.get(page, {"upload": upload_id}).content.decode() for upload_id in (alices, unfinished)]

    assert contents[0].count("is received.") == contents[1].count("is received.") == 0


def test_sending_the_last_chunk_again_does_not_make_a_second_revision(client, entry, bob):
    client.force_login(bob)
    url = open_upload(client, entry)["Location"]
    send_everything(client, url)

    again = patch(client, url, b"", len(SCENE))

    assert again.status_code == 204
    assert EntryRevision.objects.count() == 1


def test_delete_cancels_the_upload(client, entry, bob):
    client.force_login(bob)
    url = open_upload(client, entry)["Location"]

    response = client.delete(url, headers=TUS)

    assert response.status_code == 204
    assert not UploadSession.objects.exists()
    assert client.head(url).status_code == 404


# --- Whose upload ----------------------------------------------------------------------------------------------


def test_teammate_cannot_touch_someone_elses_upload(client, entry, alice, bob):
    client.force_login(alice)
    url = open_upload(client, entry)["Location"]
    client.force_login(bob)

    answers = [client.head(url).status_code, patch(client, url, SCENE[:CHUNK], 0).status_code]
    answers.append(client.delete(url).status_code)

    assert answers == [404, 404, 404]
    assert UploadSession.objects.get().received == 0


def test_outsider_gets_404_for_an_upload(client, entry, bob, charlie):
    client.force_login(bob)
    url = open_upload(client, entry)["Location"]
    client.force_login(charlie)

    assert client.head(url).status_code == 404
    assert client.get(url).status_code == 404


def test_the_portal_has_no_upload_endpoint_of_its_own(client, entry, bob):
    client.force_login(bob)
    session_id = open_upload(client, entry).json()["id"]

    opened = client.post(f"/entries/{entry.pk}/uploads/", headers={**TUS, "Upload-Length": "10"})
    asked = client.head(f"/entries/{entry.pk}/uploads/{session_id}/", headers=TUS)

    assert (opened.status_code, asked.status_code) == (404, 404)


def test_upload_form_carries_the_resumable_upload_settings(client, entry, bob):
    client.force_login(bob)

    content = client.get(reverse("frontend:entry-detail", kwargs={"pk": entry.pk})).content.decode()

    assert f'data-endpoint="{start_url(entry)}"' in content
    assert "vendor/tus.min.js" in content
    assert 'data-chunk-size="8388608"' in content
    assert 'enctype="multipart/form-data"' in content  # the form still works without JavaScript

"""The API's resumable uploads (tus 1.0): what a script with a token sees, status codes and shapes included."""

import base64
import hashlib

import pytest
import time_machine

from competitions.models import EntryRevision, UploadSession
from competitions.pipeline.samples import Box, scene_glb
from tests.factories import EntryFactory, TeamFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

SCENE = scene_glb([Box(centre=(0, z, 0), size=(1, 0.2, 1), name=f"floor-{z}") for z in range(10)])
CHUNK = 1500
TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


@pytest.fixture
def alice():
    return UserFactory()


@pytest.fixture
def entry(alice):
    return EntryFactory(team=TeamFactory(captain=alice))


def open_upload(client, entry, *, size: int = len(SCENE), name: str = "harbour.glb"):
    encoded = base64.b64encode(name.encode()).decode()
    return client.post(
        f"/api/entries/{entry.pk}/uploads/",
        HTTP_UPLOAD_LENGTH=str(size),
        HTTP_UPLOAD_METADATA=f"filename {encoded}",
        **TUS,
    )


def patch(client, url: str, data: bytes, offset: int, content_type: str = "application/offset+octet-stream"):
    return client.generic(
        "PATCH",
        url,
        data,
        content_type=content_type,
        HTTP_UPLOAD_OFFSET=str(offset),
        CONTENT_LENGTH=str(len(data)),
        **TUS,
    )


def test_opening_an_upload_answers_201_with_its_location(client_for, alice, entry):
    response = open_upload(client_for(alice), entry)

    session = UploadSession.objects.get()
    url = f"http://testserver/api/uploads/{session.pk}/"
    assert response.status_code == 201
    assert response["Location"] == url
    assert response["Tus-Resumable"] == "1.0.0"
    assert response.json() == {
        "id": str(session.pk),
        "entry": entry.pk,
        "original_name": "harbour.glb",
        "size": len(SCENE),
        "offset": 0,
        "complete": False,
        "revision": None,
        "created_at": response.json()["created_at"],
        "url": url,
    }


def test_opening_an_upload_of_a_type_not_accepted_is_400_with_the_rules_code(client_for, alice, entry):
    response = open_upload(client_for(alice), entry, name="harbour.fbx")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("format_not_allowed", "file")
    assert not UploadSession.objects.exists()


def test_opening_an_upload_too_large_is_400_before_any_byte(client_for, alice, entry):
    response = open_upload(client_for(alice), entry, size=entry.team.competition.max_upload_bytes + 1)

    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"


def test_opening_an_upload_on_another_teams_entry_is_404(client_for, entry):
    response = open_upload(client_for(UserFactory()), entry)

    assert response.status_code == 404
    assert not UploadSession.objects.exists()


def test_head_answers_the_servers_offset(client_for, alice, entry):
    client = client_for(alice)
    url = open_upload(client, entry)["Location"]
    patch(client, url, SCENE[:CHUNK], 0)

    response = client.head(url, **TUS)

    assert response.status_code == 200
    assert (response["Upload-Offset"], response["Upload-Length"]) == (str(CHUNK), str(len(SCENE)))


def test_chunk_is_answered_204_with_the_new_offset(client_for, alice, entry):
    client = client_for(alice)
    url = open_upload(client, entry)["Location"]

    response = patch(client, url, SCENE[:CHUNK], 0)

    assert response.status_code == 204
    assert response["Upload-Offset"] == str(CHUNK)


def test_chunk_at_a_wrong_offset_is_409_with_the_servers_offset(client_for, alice, entry):
    client = client_for(alice)
    url = open_upload(client, entry)["Location"]
    patch(client, url, SCENE[:CHUNK], 0)

    response = patch(client, url, SCENE[2 * CHUNK : 3 * CHUNK], 2 * CHUNK)

    assert response.status_code == 409
    assert response["Upload-Offset"] == str(CHUNK)
    assert (response.json()["code"], response.json()["offset"]) == ("upload_offset_mismatch", CHUNK)


def test_chunk_past_the_announced_size_is_413(client_for, alice, entry):
    client = client_for(alice)
    url = open_upload(client, entry, size=10)["Location"]

    response = patch(client, url, SCENE[:11], 0)

    assert response.status_code == 413
    assert response.json()["code"] == "upload_too_long"
    assert UploadSession.objects.get().received == 0


def test_chunk_with_another_content_type_is_415(client_for, alice, entry):
    client = client_for(alice)
    url = open_upload(client, entry)["Location"]

    response = patch(client, url, SCENE[:CHUNK], 0, content_type="multipart/form-data; boundary=x")

    assert response.status_code == 415


def test_chunk_arriving_after_the_deadline_is_400_after_deadline(client_for, alice, entry):
    client = client_for(alice)
    url = open_upload(client, entry)["Location"]

    with time_machine.travel(entry.team.competition.submission_deadline):
        response = patch(client, url, SCENE[:CHUNK], 0)

    assert response.status_code == 400
    assert response.json()["code"] == "after_deadline"


def test_the_last_chunk_creates_one_revision_with_the_files_sha256(client_for, alice, entry):
    client = client_for(alice)
    url = open_upload(client, entry)["Location"]

    for offset in range(0, len(SCENE), CHUNK):
        assert patch(client, url, SCENE[offset : offset + CHUNK], offset).status_code == 204
    body = client.get(url).json()

    revision = EntryRevision.objects.get()
    assert body["complete"] is True
    assert body["revision"]["id"] == revision.pk
    assert body["revision"]["sha256"] == hashlib.sha256(SCENE).hexdigest() == revision.sha256
    assert (body["revision"]["status"], body["revision"]["size"]) == ("received", len(SCENE))


def test_teammate_cannot_see_or_change_someone_elses_upload(client_for, alice, entry):
    teammate = add_member(entry.team)
    url = open_upload(client_for(alice), entry)["Location"]
    client = client_for(teammate)

    answers = [
        client.head(url).status_code,
        client.get(url).status_code,
        patch(client, url, SCENE[:CHUNK], 0).status_code,
        client.delete(url).status_code,
    ]

    assert answers == [404, 404, 404, 404]
    assert UploadSession.objects.get().received == 0


def test_anonymous_cannot_touch_an_upload(anonymous, client_for, alice, entry):
    url = open_upload(client_for(alice), entry)["Location"]

    assert anonymous.head(url).status_code == 401


def test_delete_cancels_the_upload(client_for, alice, entry):
    client = client_for(alice)
    url = open_upload(client, entry)["Location"]

    response = client.delete(url, **TUS)

    assert response.status_code == 204
    assert not UploadSession.objects.exists()


def test_schema_describes_the_resumable_upload(anonymous):
    paths = anonymous.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]

    assert "post" in paths["/api/entries/{id}/uploads/"]
    patch_request = paths["/api/uploads/{id}/"]["patch"]["requestBody"]["content"]
    assert list(patch_request) == ["application/offset+octet-stream"]

import hashlib
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from competitions.models import EntryRevision
from competitions.pipeline.samples import box_glb
from competitions.services import entries as entry_services
from competitions.services import processing
from tests.factories import EntryFactory, EntryRevisionFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return UserFactory()


@pytest.fixture
def entry(alice):
    return EntryFactory(team=TeamFactory(captain=alice))


def upload(client, entry, data: bytes, name: str = "harbour.glb"):
    return client.post(
        f"/api/entries/{entry.pk}/revisions/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
    )


def test_upload_creates_a_received_revision_with_size_and_sha256(client_for, alice, entry):
    glb = box_glb()

    response = upload(client_for(alice), entry, glb)

    assert response.status_code == 201
    body = response.json()
    revision = EntryRevision.objects.get()
    assert body["id"] == revision.pk
    assert (body["number"], body["status"], body["is_final"]) == (1, "received", False)
    assert (body["size"], body["sha256"]) == (len(glb), hashlib.sha256(glb).hexdigest())
    assert body["original_name"] == "harbour.glb"
    assert body["status_url"] == f"http://testserver/api/revisions/{revision.pk}/"
    assert revision.file.read() == glb


def test_upload_queues_processing_only_after_commit(client_for, alice, entry, django_capture_on_commit_callbacks):
    with mock.patch.object(entry_services, "_enqueue_processing") as enqueue:
        # When the upload's transaction has not committed yet, nothing is queued
        with django_capture_on_commit_callbacks() as callbacks:
            response = upload(client_for(alice), entry, box_glb())
        assert not enqueue.called

        # Then on commit the revision is queued by id
        for callback in callbacks:
            callback()
    enqueue.assert_called_once_with(response.json()["id"])


def test_large_upload_streamed_through_a_temporary_file_keeps_its_sha256(client_for, alice, entry, settings):
    # Given a file larger than what Django keeps in memory
    data = box_glb() + b"\0" * (settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = upload(client_for(alice), entry, data)

    assert response.status_code == 201
    assert (response.json()["size"], response.json()["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())


def test_second_upload_becomes_revision_two(client_for, alice, entry):
    client = client_for(alice)
    upload(client, entry, box_glb())

    response = upload(client, entry, box_glb(colour=(1.0, 0.0, 0.0)))

    assert response.json()["number"] == 2


def test_upload_after_the_deadline_is_refused(client_for, alice, entry):
    client = client_for(alice)

    with time_machine.travel(entry.team.competition.submission_deadline + timedelta(seconds=1)):
        response = upload(client, entry, box_glb())

    assert response.status_code == 400
    assert response.json()["code"] == "after_deadline"
    assert not EntryRevision.objects.exists()


def test_upload_with_an_extension_the_competition_does_not_accept_is_refused(client_for, alice, entry):
    response = upload(client_for(alice), entry, b"solid cube\nendsolid cube\n", name="cube.stl")

    assert response.status_code == 400
    assert response.json()["code"] == "format_not_allowed"
    assert response.json()["field"] == "file"
    assert not EntryRevision.objects.exists()


def test_upload_without_a_file_is_reported_on_the_file_field(client_for, alice, entry):
    response = client_for(alice).post(f"/api/entries/{entry.pk}/revisions/", {}, format="multipart")

    assert response.status_code == 400
    assert response.json()["field"] == "file"


def test_upload_as_json_is_refused_as_unsupported(client_for, alice, entry):
    response = client_for(alice).post(f"/api/entries/{entry.pk}/revisions/", {"file": "abc"}, format="json")

    assert response.status_code == 415


def test_upload_to_another_teams_entry_is_not_found(client_for, alice):
    other = EntryFactory()

    response = upload(client_for(alice), other, box_glb())

    assert response.status_code == 404
    assert not EntryRevision.objects.exists()


def test_revision_list_of_another_teams_entry_is_not_found(client_for, alice):
    other = EntryRevisionFactory().entry

    response = client_for(alice).get(f"/api/entries/{other.pk}/revisions/")

    assert response.status_code == 404


def test_revision_list_shows_the_newest_first(client_for, alice, entry):
    EntryRevisionFactory(entry=entry, number=1)
    EntryRevisionFactory(entry=entry, number=2)

    response = client_for(alice).get(f"/api/entries/{entry.pk}/revisions/")

    assert [r["number"] for r in response.json()["results"]] == [2, 1]


def test_revision_detail_shows_status_report_and_stats(client_for, alice, entry):
    message = {"severity": "error", "code": "GLB_BAD_MAGIC", "message": "Not a GLB file.", "pointer": ""}
    revision = EntryRevisionFactory(
        entry=entry, status=EntryRevision.Status.REJECTED, report={"messages": [message]}, stats={"triangles": 12}
    )

    body = client_for(alice).get(f"/api/revisions/{revision.pk}/").json()

    assert (body["status"], body["is_final"]) == ("rejected", True)
    assert body["messages"] == [{**message, "original": ""}]
    assert body["stats"] == {"triangles": 12}


def test_polling_an_uploaded_revision_shows_it_ready_once_processed(client_for, alice, entry):
    # Given an upload, and the worker having processed it
    client = client_for(alice)
    revision_id = upload(client, entry, box_glb()).json()["id"]
    processing.revision_process(revision_id=revision_id)

    # When the script polls its status
    body = client.get(f"/api/revisions/{revision_id}/").json()

    # Then it is ready, with the counts read from the file, and the entry points at it
    assert (body["status"], body["is_final"]) == ("ready", True)
    assert body["stats"]["triangles"] == 12
    assert client.get(f"/api/entries/{entry.pk}/").json()["current_revision"]["id"] == revision_id


def test_guessed_revision_ids_of_other_teams_are_not_found(client_for, alice, entry):
    # Given Alice's revision among other teams' revisions
    own = EntryRevisionFactory(entry=entry)
    others = [EntryRevisionFactory().pk for _n in range(3)]
    client = client_for(alice)

    # When she walks the ids around her own
    statuses = {pk: client.get(f"/api/revisions/{pk}/").status_code for pk in [*others, max(others) + 1]}

    # Then every one that is not hers is a 404, exactly like one that does not exist
    assert client.get(f"/api/revisions/{own.pk}/").status_code == 200
    assert set(statuses.values()) == {404}


def test_revision_list_query_count_does_not_grow_with_revisions(
    client_for, alice, entry, django_assert_max_num_queries
):
    EntryRevisionFactory.create_batch(8, entry=entry)
    client = client_for(alice)

    with django_assert_max_num_queries(4):
        response = client.get(f"/api/entries/{entry.pk}/revisions/")

    assert len(response.json()["results"]) == 8

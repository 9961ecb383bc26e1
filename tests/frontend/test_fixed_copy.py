"""A GLB refused only for padding: the entry page offers the same scene re-padded, and one click makes it the next
revision while the refused one stays in the history."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from competitions.models import EntryRevision
from competitions.pipeline.samples import box_glb
from competitions.services import processing
from tests.factories import EntryFactory, EntryRevisionFactory, TeamFactory
from tests.pipeline.scenes import unpadded_glb


@pytest.fixture
def entry(team, track):
    return EntryFactory(team=team, track=track, title="Bund at night")


@pytest.fixture
def refused(client, entry, bob, django_capture_on_commit_callbacks) -> EntryRevision:
    """Revision 1: a box whose GLB chunks are not padded, uploaded and processed (rejected, with a fixed copy)."""
    client.force_login(bob)
    upload = SimpleUploadedFile("harbour.glb", unpadded_glb(box_glb()), content_type="model/gltf-binary")
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("frontend:revision-upload", kwargs={"pk": entry.pk}), {"file": upload})
    revision = processing.revision_process(revision_id=entry.revisions.get().pk)
    assert revision is not None
    return revision


def _use_fixed_url(revision: EntryRevision) -> str:
    return reverse("frontend:revision-use-fixed", kwargs={"pk": revision.entry_id, "revision_pk": revision.pk})


def _page(client, entry, language: str = "en") -> str:
    client.cookies["django_language"] = language
    return client.get(reverse("frontend:entry-detail", kwargs={"pk": entry.pk})).content.decode()


def test_a_file_refused_only_for_padding_is_offered_back_fixed(client, entry, refused):
    content = _page(client, entry)

    assert refused.status == EntryRevision.Status.REJECTED
    assert "fixed" in refused.artifacts
    assert "We can fix this file for you." in content
    assert f'action="{_use_fixed_url(refused)}"' in content
    fixed = client.get(reverse("frontend:revision-artifact", kwargs={"pk": entry.pk, "revision_pk": refused.pk,
                                                                   "name": "fixed"}))  # fmt: skip
    assert b"".join(fixed.streaming_content)[:4] == b"glTF"


def test_the_offer_reads_in_chinese(client, entry, refused):
    content = _page(client, entry, "zh-hans")

    assert "我们可以帮你修复这个文件。" in content
    assert "使用修复后的文件" in content


def test_using_the_fixed_file_adds_a_revision_that_becomes_ready_and_keeps_the_refused_one(
    client, entry, bob, refused, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(_use_fixed_url(refused))

    assert response.status_code == 302
    fixed = entry.revisions.get(number=2)
    assert (fixed.original_name, fixed.uploaded_by, fixed.status) == ("harbour-fixed.glb", bob, "received")
    assert len(callbacks) == 1  # processing queued, like any upload
    refused.refresh_from_db()
    assert (refused.status, refused.original_name) == (EntryRevision.Status.REJECTED, "harbour.glb")
    assert processing.revision_process(revision_id=fixed.pk).status == EntryRevision.Status.READY
    entry.refresh_from_db()
    assert entry.current_revision == fixed
    assert "Revision 2 (“harbour-fixed.glb”) is received." in _page(client, entry)


def test_someone_outside_the_team_cannot_use_the_fixed_file(client, entry, refused, charlie):
    TeamFactory(competition=entry.team.competition, captain=charlie)
    client.force_login(charlie)

    assert client.post(_use_fixed_url(refused)).status_code == 404
    assert entry.revisions.count() == 1


def test_a_revision_without_a_fixed_copy_adds_nothing_and_says_why(client, entry, bob):
    plain = EntryRevisionFactory(entry=entry, number=1, status=EntryRevision.Status.REJECTED, report={})
    client.force_login(bob)

    response = client.post(_use_fixed_url(plain), follow=True)

    assert entry.revisions.count() == 1
    assert "This revision has no fixed copy to use." in response.content.decode()


def test_after_the_deadline_the_offer_is_gone_and_the_fixed_file_is_refused(client, entry, bob, refused):
    with time_machine.travel(entry.team.competition.submission_deadline):
        client.force_login(bob)  # the session of before would have expired
        content = _page(client, entry)
        response = client.post(_use_fixed_url(refused), follow=True)

    assert "We can fix this file for you." not in content
    assert "The submission deadline has passed." in response.content.decode()
    assert entry.revisions.count() == 1


def test_the_offer_only_appears_on_a_rejected_revision(client, entry, bob):
    ready = EntryRevisionFactory(entry=entry, number=1, status=EntryRevision.Status.READY, artifacts={"fixed": "x"})
    entry.current_revision = ready
    entry.save()
    client.force_login(bob)

    assert "We can fix this file for you." not in _page(client, entry)

"""Entry pages and uploads. The processing task is queued on commit; the test transaction never commits, so these
tests capture the on-commit callbacks without running them (no broker is touched) and count them instead."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from competitions.models import Entry, EntryRevision
from competitions.pipeline.samples import box_glb
from tests.factories import EntryFactory, EntryRevisionFactory, TeamFactory, TrackFactory


@pytest.fixture
def entry(team, track):
    return EntryFactory(team=team, track=track, title="Bund at night")


def _glb(name: str = "bund.glb") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, box_glb(), content_type="model/gltf-binary")


def _upload_url(entry: Entry) -> str:
    return reverse("frontend:revision-upload", kwargs={"pk": entry.pk})


def test_member_creates_an_entry_in_a_track(client, team, track, bob):
    client.force_login(bob)

    response = client.post(
        reverse("frontend:entry-create", kwargs={"pk": team.pk}),
        {"track": track.pk, "title": "Yu Garden", "description": "A walk at dusk."},
    )

    entry = Entry.objects.get(team=team)
    assert response["Location"] == reverse("frontend:entry-detail", kwargs={"pk": entry.pk})
    assert (entry.title, entry.track) == ("Yu Garden", track)


def test_second_entry_in_a_track_is_refused_next_to_the_track_field(client, entry, bob):
    client.force_login(bob)

    response = client.post(
        reverse("frontend:entry-create", kwargs={"pk": entry.team.pk}),
        {"track": entry.track.pk, "title": "Another"},
    )

    assert response.status_code == 200
    assert "already has 1 entry" in response.context["form"].errors["track"][0]
    assert 'value="Another"' in response.content.decode()


def test_entry_form_offers_only_the_competitions_tracks(client, team, track, alice):
    elsewhere = TrackFactory(name="Somewhere else")
    client.force_login(alice)

    response = client.post(
        reverse("frontend:entry-create", kwargs={"pk": team.pk}), {"track": elsewhere.pk, "title": "Sneaky"}
    )

    assert response.context["form"].errors["track"]
    assert not Entry.objects.filter(title="Sneaky").exists()


def test_upload_of_a_valid_glb_creates_a_revision_and_queues_processing(
    client, entry, bob, django_capture_on_commit_callbacks
):
    client.force_login(bob)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(_upload_url(entry), {"file": _glb()})

    revision = entry.revisions.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:entry-detail", kwargs={"pk": entry.pk}) + "#revisions"
    assert (revision.number, revision.original_name, revision.uploaded_by) == (1, "bund.glb", bob)
    assert revision.sha256 == hashlib.sha256(box_glb()).hexdigest()
    assert revision.status == EntryRevision.Status.RECEIVED
    assert len(callbacks) == 1


def test_upload_of_a_png_is_refused_naming_the_accepted_types(client, entry, bob):
    client.force_login(bob)

    response = client.post(_upload_url(entry), {"file": SimpleUploadedFile("shot.png", b"\x89PNG....")})

    assert response.status_code == 200
    assert (
        "“shot.png” is not an accepted file. Upload one of: .glb, .zip, .gltf."
        in response.context["upload_form"].errors["file"]
    )
    assert entry.revisions.count() == 0


def test_upload_after_the_deadline_is_refused_with_a_message(client, entry, bob):
    with time_machine.travel(entry.team.competition.submission_deadline):
        client.force_login(bob)
        response = client.post(_upload_url(entry), {"file": _glb()})

    assert response.status_code == 200
    assert "The submission deadline has passed." in response.content.decode()
    assert entry.revisions.count() == 0


def test_upload_form_accepts_only_the_competitions_file_types(client, entry, bob):
    client.force_login(bob)

    content = client.get(reverse("frontend:entry-detail", kwargs={"pk": entry.pk})).content.decode()

    assert 'accept=".glb,.zip,.gltf"' in content
    assert "At most 500 MB." in content


def test_non_member_gets_404_on_an_entry_page(client, entry, charlie):
    client.force_login(charlie)

    response = client.get(reverse("frontend:entry-detail", kwargs={"pk": entry.pk}))

    assert response.status_code == 404


def test_non_member_gets_404_on_an_entry_status(client, entry, charlie):
    client.force_login(charlie)

    response = client.get(reverse("frontend:entry-status", kwargs={"pk": entry.pk}))

    assert response.status_code == 404


def test_non_member_cannot_upload_a_revision(client, entry, charlie):
    TeamFactory(competition=entry.team.competition, captain=charlie)
    client.force_login(charlie)

    response = client.post(_upload_url(entry), {"file": _glb()})

    assert response.status_code == 404
    assert entry.revisions.count() == 0


def test_non_member_cannot_edit_an_entry(client, entry, charlie):
    client.force_login(charlie)

    response = client.post(reverse("frontend:entry-edit", kwargs={"pk": entry.pk}), {"title": "Mine now"})

    entry.refresh_from_db()
    assert response.status_code == 404
    assert entry.title == "Bund at night"


def test_member_edits_the_entry_before_the_deadline(client, entry, bob):
    client.force_login(bob)

    client.post(reverse("frontend:entry-edit", kwargs={"pk": entry.pk}), {"title": "The Bund", "description": "Neon."})

    entry.refresh_from_db()
    assert (entry.title, entry.description) == ("The Bund", "Neon.")


def test_status_json_lists_revisions_with_status_and_report(client, entry, bob):
    EntryRevisionFactory(entry=entry, number=1, status=EntryRevision.Status.READY)
    EntryRevisionFactory(
        entry=entry,
        number=2,
        status=EntryRevision.Status.REJECTED,
        report={"messages": [{"severity": "error", "code": "GLB_BAD_MAGIC", "message": "Not a GLB.", "pointer": ""}]},
    )
    EntryRevisionFactory(entry=entry, number=3, status=EntryRevision.Status.VALIDATING)
    client.force_login(bob)

    body = client.get(reverse("frontend:entry-status", kwargs={"pk": entry.pk})).json()

    assert body["pending"] is True
    assert [(r["number"], r["status"], r["label"], r["final"]) for r in body["revisions"]] == [
        (3, "validating", "Validating", False),
        (2, "rejected", "Rejected", True),
        (1, "ready", "Ready", True),
    ]
    assert body["revisions"][1]["messages"] == [
        {"severity": "error", "message": "Not a GLB.", "code": "GLB_BAD_MAGIC", "pointer": "", "original": ""}
    ]


def test_entry_page_shows_revision_times_in_the_competitions_zone(client, entry, bob):
    revision = EntryRevisionFactory(entry=entry, number=1)
    client.force_login(bob)

    content = client.get(reverse("frontend:entry-detail", kwargs={"pk": entry.pk})).content.decode()

    assert "CST (Asia/Shanghai)" in content
    assert revision.sha256[:12] in content


def test_entry_page_shows_the_report_of_a_rejected_revision(client, entry, bob):
    EntryRevisionFactory(
        entry=entry,
        status=EntryRevision.Status.REJECTED,
        report={"messages": [{"severity": "error", "code": "GLB_BAD_MAGIC", "message": "Not a GLB.", "pointer": ""}]},
    )
    client.force_login(bob)

    content = client.get(reverse("frontend:entry-detail", kwargs={"pk": entry.pk})).content.decode()

    assert "Not a GLB." in content


def test_older_reports_are_folded_and_the_pointer_footnote_is_given_once(client, entry, bob):
    def rejected(number: int) -> None:
        message = {"severity": "error", "code": "ACCESSOR_INVALID", "message": f"Bad {number}.", "pointer": "/a/0"}
        EntryRevisionFactory(
            entry=entry, number=number, status=EntryRevision.Status.REJECTED, report={"messages": [message]}
        )

    for number in (1, 2, 3):
        rejected(number)
    client.force_login(bob)

    content = client.get(reverse("frontend:entry-detail", kwargs={"pk": entry.pk})).content.decode()

    # The newest report is open; the two older ones are folded under a summary, their text still there.
    assert content.count('<details class="older-report">') == 2
    assert "<summary>Report of revision 2</summary>" in content and "<summary>Report of revision 1</summary>" in content
    assert "Report of revision 3" not in content
    assert all(f"Bad {number}." in content for number in (1, 2, 3))
    assert content.count("is a JSON pointer") == 1


def test_while_a_new_file_is_checked_the_last_finished_report_stays_open(client, entry, bob):
    message = {"severity": "error", "code": "ACCESSOR_INVALID", "message": "Bad 1.", "pointer": ""}
    EntryRevisionFactory(entry=entry, number=1, status=EntryRevision.Status.REJECTED, report={"messages": [message]})
    EntryRevisionFactory(entry=entry, number=2, status=EntryRevision.Status.VALIDATING)
    client.force_login(bob)

    content = client.get(reverse("frontend:entry-detail", kwargs={"pk": entry.pk})).content.decode()

    assert "Bad 1." in content
    assert '<details class="older-report">' not in content


def test_entry_page_queries_do_not_grow_with_revisions(client, entry, bob, django_assert_max_num_queries):
    for number in range(1, 6):
        EntryRevisionFactory(entry=entry, number=number, uploaded_by=bob)
    client.force_login(bob)

    # Two more than before deadline day: whether a round froze the judged file, and (while files wait) whether a
    # worker is alive.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("frontend:entry-detail", kwargs={"pk": entry.pk}))

    assert len(response.context["revisions"]) == 5


def test_non_member_cannot_create_an_entry_in_another_team(client, team, track, charlie):
    client.force_login(charlie)

    response = client.post(reverse("frontend:entry-create", kwargs={"pk": team.pk}), {"track": track.pk, "title": "X"})

    assert response.status_code == 404
    assert not Entry.objects.filter(team=team).exists()


# --- Which file is judged --------------------------------------------------------------------------------------


def _judged_text(client, entry) -> str:
    page = client.get(reverse("frontend:entry-detail", kwargs={"pk": entry.pk})).content.decode()
    start = page.index("data-judged-file")
    return " ".join(page[start : page.index("</div>", start)].split())


def test_before_the_deadline_the_entry_page_says_which_file_would_be_judged(client, entry, bob):
    ready = EntryRevisionFactory(entry=entry, number=1, status=EntryRevision.Status.READY, original_name="bund.glb")
    entry.current_revision = ready
    entry.save()
    client.force_login(bob)

    text = _judged_text(client, entry)

    assert "If the deadline were now, revision 1 (“bund.glb”) would be judged." in text
    assert "A file counts when its last byte arrives before the deadline, even if checking finishes after it." in text


def test_after_the_deadline_the_entry_page_says_a_file_still_being_checked_is_safe_and_will_be_judged(
    client, entry, bob
):
    ready = EntryRevisionFactory(entry=entry, number=1, status=EntryRevision.Status.READY)
    entry.current_revision = ready
    entry.save()
    EntryRevisionFactory(entry=entry, number=2, status=EntryRevision.Status.RENDERING)

    with time_machine.travel(entry.team.competition.submission_deadline):
        client.force_login(bob)
        text = _judged_text(client, entry)

    assert "Revision 2 arrived before the deadline and is still being checked." in text
    assert "your upload is safe" in text
    assert "If it does not pass, revision 1 is judged." in text


def test_after_the_deadline_the_entry_page_says_which_file_will_be_judged_in_chinese(client, entry, bob):
    ready = EntryRevisionFactory(entry=entry, number=1, status=EntryRevision.Status.READY, original_name="bund.glb")
    entry.current_revision = ready
    entry.save()

    with time_machine.travel(entry.team.competition.submission_deadline):
        client.force_login(bob)
        english = _judged_text(client, entry)
        client.cookies["django_language"] = "zh-hans"
        chinese = _judged_text(client, entry)

    assert "Revision 1 (“bund.glb”) will be judged" in english
    assert "将评审第 1 版（“bund.glb”）" in chinese


def test_a_team_given_more_time_sees_its_own_deadline_and_may_still_upload(client, entry, bob):
    deadline = entry.team.competition.submission_deadline
    entry.team.extended_deadline = deadline + timedelta(hours=2)
    entry.team.save()

    with time_machine.travel(deadline + timedelta(hours=1)):
        client.force_login(bob)
        page = client.get(reverse("frontend:entry-detail", kwargs={"pk": entry.pk})).content.decode()
        response = client.post(_upload_url(entry), {"file": _glb()})

    assert "extended for your team" in page
    assert "data-upload" in page
    assert response.status_code == 302
    assert entry.revisions.count() == 1

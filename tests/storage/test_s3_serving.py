"""Files served from object storage: streamed through the app after the same permission checks as from disk (a
judge gets the bytes of an entry assigned to them; a judge of another round, an outsider or a visitor gets nothing),
and the export archive is written to the bucket and downloaded from it."""

import io
import shutil
import zipfile
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from competitions.models import EntryRevision, Membership, RoundEntry
from competitions.services import exports
from tests.factories import UserFactory
from tests.frontend.judge_panel_cast import ALL_ARTIFACTS, open_judged_round, urls

from .conftest import Bucket, local_files

pytestmark = pytest.mark.django_db


def artifacts_in_bucket(round_entry: RoundEntry) -> EntryRevision:
    """The judged revision's outputs as the worker would have stored them, in the bucket only."""
    revision = round_entry.revision
    artifacts = {}
    for name in ALL_ARTIFACTS:
        suffix = "glb" if name in ("viewer", "blind") else "webp"
        artifacts[name] = default_storage.save(
            f"revisions/{revision.entry_id}/{revision.pk}/{name}.{suffix}", ContentFile(f"{name} from S3".encode())
        )
    EntryRevision.objects.filter(pk=revision.pk).update(artifacts=artifacts)
    revision.refresh_from_db()
    # Nothing may be left on the local disk: only the bucket can answer.
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    return revision


def streamed(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_the_assigned_judge_gets_the_thumbnail_and_model_streamed_from_the_bucket(s3: Bucket, client: Client) -> None:
    round, judge, (round_entry,) = open_judged_round()
    artifacts_in_bucket(round_entry)
    client.force_login(judge)

    hero = client.get(urls(round_entry)["hero"])
    model = client.get(urls(round_entry)["artifact"])

    assert hero.status_code == 200 and streamed(hero) == b"hero from S3"
    assert hero["Content-Length"] == str(len(b"hero from S3"))
    assert streamed(model) == b"blind from S3"  # the round is blind: the stripped copy
    assert model["Content-Disposition"] == f'inline; filename="{round_entry.blind_code}.glb"'
    assert hero["Cache-Control"] == "private, max-age=300"
    assert local_files(settings.MEDIA_ROOT) == []


def test_a_judge_of_another_round_an_outsider_and_a_visitor_get_nothing(s3: Bucket, client: Client) -> None:
    _round, _judge, (round_entry,) = open_judged_round()
    artifacts_in_bucket(round_entry)
    _other_round, other_judge, _ = open_judged_round()

    for user in (other_judge, UserFactory()):
        client.force_login(user)
        assert client.get(urls(round_entry)["hero"]).status_code == 404
        assert client.get(urls(round_entry)["artifact"]).status_code == 404
    client.logout()
    assert client.get(urls(round_entry)["hero"]).status_code == 302


def test_the_team_gets_its_revisions_thumbnail_from_the_bucket_and_others_do_not(s3: Bucket, client: Client) -> None:
    _round, _judge, (round_entry,) = open_judged_round()
    revision = artifacts_in_bucket(round_entry)
    url = reverse("frontend:revision-artifact", args=[revision.entry_id, revision.pk, "hero"])

    captain = round_entry.entry.team.memberships.get(role=Membership.Role.CAPTAIN).user
    client.force_login(captain)
    assert streamed(client.get(url)) == b"hero from S3"
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_the_export_archive_is_written_to_the_bucket_and_downloaded_from_it(s3: Bucket, client: Client) -> None:
    round, _judge, (round_entry,) = open_judged_round()
    revision = artifacts_in_bucket(round_entry)
    organiser = UserFactory(is_staff=True)
    with mock.patch("competitions.services.queue.export_task_send"):
        job = exports.export_archive_request(competition=round.competition, actor=organiser)

    job = exports.export_archive_build(job_id=job.pk)

    assert f"site/{job.file}" in s3.keys("site/exports/")
    url = reverse("frontend:organise-export-download", kwargs={"slug": round.competition.slug, "job_id": job.pk})
    client.force_login(organiser)
    response = client.get(url)
    archive = zipfile.ZipFile(io.BytesIO(streamed(response)))
    folder = f"files/entry-{revision.entry_id}"
    assert archive.read(f"{folder}/{revision.original_name}") == s3.read(f"site/{revision.file.name}")
    assert archive.read(f"{folder}/thumbnails/hero.webp") == b"hero from S3"
    assert "manifest.csv" in archive.namelist()
    assert local_files(settings.MEDIA_ROOT) == []
    client.force_login(UserFactory())  # not an organiser
    assert client.get(url).status_code == 404


def test_a_file_missing_from_the_bucket_is_a_404_for_its_judge(s3: Bucket, client: Client) -> None:
    _round, judge, (round_entry,) = open_judged_round()
    revision = artifacts_in_bucket(round_entry)
    default_storage.delete(revision.artifacts["hero"])
    client.force_login(judge)

    assert client.get(urls(round_entry)["hero"]).status_code == 404

"""Exports: the three tables read back from CSV and XLSX and compared with the database; the archive of judged
files opened and each file's hash checked against its revision and the manifest; the build's progress and its
claim (a rerun does nothing)."""

import csv
import hashlib
import io
import zipfile
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from openpyxl import load_workbook  # type: ignore[import-untyped]

from competitions.models import AuditEvent, Entry, EntryRevision, ExportJob, Membership, Round
from competitions.selectors import exports as selectors
from competitions.services import exports
from tests.factories import TeamFactory, TrackFactory, UserFactory, ready_entry
from tests.services.judging_cast import organiser
from tests.services.test_results import close_and_publish, scored_round

pytestmark = pytest.mark.django_db


def read_csv(rows: object) -> list[list[str]]:
    text = "".join(exports.table_csv(rows))  # type: ignore[arg-type]
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(rows: object, title: str = "table") -> list[list[object]]:
    buffer = io.BytesIO()
    exports.table_xlsx(rows, title=title, into=buffer)  # type: ignore[arg-type]
    buffer.seek(0)
    sheet = load_workbook(buffer, read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def with_file(entry: Entry, content: bytes, thumbnails: tuple[str, ...] = ("hero", "front")) -> EntryRevision:
    """Give the entry's revision real bytes in storage, their SHA-256, and rendered thumbnails."""
    revision = entry.current_revision
    assert revision is not None
    revision.file.save(f"scene-{entry.pk}.glb", ContentFile(content), save=False)
    revision.sha256 = hashlib.sha256(content).hexdigest()
    revision.size = len(content)
    revision.artifacts = {
        name: default_storage.save(f"thumbs/{entry.pk}-{name}.png", ContentFile(b"PNG" + name.encode()))
        for name in thumbnails
    }
    revision.save()
    return revision


@pytest.fixture
def olga() -> User:
    return organiser()


@pytest.fixture
def published_round(olga: User) -> Round:
    round, _entries, _judges = scored_round({("J1", "A"): 9, ("J1", "B"): 6, ("J2", "A"): 7}, method="mean")
    return close_and_publish(round, olga)


# --- Tables -------------------------------------------------------------------------------------------------------


def test_teams_table_lists_every_member_of_every_team_in_csv_and_xlsx() -> None:
    track = TrackFactory()
    team = TeamFactory(competition=track.competition, name="=HYPERLINK(1)")
    Membership.objects.create(team=team, competition=track.competition, user=UserFactory(username="zoe@example.org"))
    TeamFactory(name="Other competition")

    as_csv = read_csv(selectors.teams_table(track.competition))
    as_xlsx = read_xlsx(selectors.teams_table(track.competition))

    members = Membership.objects.filter(team__competition=track.competition).select_related("user", "team")
    expected = {(str(m.team_id), m.team.name, m.user.email, m.role) for m in members}
    assert as_csv[0] == selectors.TEAMS_HEADER
    assert {(r[0], r[1].removeprefix("'"), r[3], r[4]) for r in as_csv[1:]} == expected
    assert as_csv[1][1] == "'=HYPERLINK(1)"  # made safe for spreadsheets
    assert {(str(r[0]), r[1], r[3], r[4]) for r in as_xlsx[1:]} == expected
    assert as_xlsx[1][1] == "=HYPERLINK(1)" and isinstance(as_xlsx[1][0], int)  # text stays text, ids are numbers
    assert [r[4] for r in as_csv[1:]] == ["captain", "member"]


def test_entries_table_has_each_entry_with_its_revision_figures_and_status() -> None:
    track = TrackFactory()
    ready = ready_entry(track, title="Harbour at dusk")
    disqualified = ready_entry(track, title="Copied scene")
    Entry.objects.filter(pk=disqualified.pk).update(disqualified_at=disqualified.created_at)

    as_csv = {row[0]: dict(zip(selectors.ENTRIES_HEADER, row, strict=True))
              for row in read_csv(selectors.entries_table(track.competition))[1:]}  # fmt: skip
    as_xlsx = read_xlsx(selectors.entries_table(track.competition))

    revision = ready.current_revision
    assert revision is not None
    row = as_csv[str(ready.pk)]
    assert (row["title"], row["team"], row["track"], row["status"]) == (
        "Harbour at dusk", ready.team.name, track.name, "ready"
    )  # fmt: skip
    assert (row["sha256"], row["size_bytes"], row["triangles"]) == (revision.sha256, str(revision.size), "5000")
    assert as_csv[str(disqualified.pk)]["status"] == "disqualified"
    xlsx_rows = {r[0]: dict(zip(selectors.ENTRIES_HEADER, r, strict=True)) for r in as_xlsx[1:]}
    assert xlsx_rows[ready.pk]["triangles"] == 5000 and xlsx_rows[ready.pk]["sha256"] == revision.sha256
    assert len(as_xlsx) - 1 == Entry.objects.filter(team__competition=track.competition).count()


def test_results_table_holds_the_published_results_only(published_round: Round) -> None:
    competition = published_round.competition

    as_csv = read_csv(selectors.results_table(competition))
    as_xlsx = read_xlsx(selectors.results_table(competition))

    results = list(published_round.results.select_related("round_entry__entry").order_by("rank"))
    assert [(int(r[2]), int(r[3]), Decimal(r[6]), r[7]) for r in as_csv[1:]] == [
        (r.rank, r.round_entry.entry_id, r.score, r.award) for r in results
    ]
    assert [(r[2], r[3], Decimal(str(r[6]))) for r in as_xlsx[1:]] == [
        (r.rank, r.round_entry.entry_id, r.score) for r in results
    ]
    Round.objects.filter(pk=published_round.pk).update(status=Round.Status.CLOSED)
    assert read_csv(selectors.results_table(competition)) == [selectors.RESULTS_HEADER]


# --- The archive --------------------------------------------------------------------------------------------------


def test_archive_holds_each_judged_file_with_its_thumbnails_and_a_manifest_of_hashes(
    published_round: Round, olga: User, django_capture_on_commit_callbacks
) -> None:
    competition = published_round.competition
    revisions = {}
    for round_entry in published_round.round_entries.select_related("entry"):
        revision = with_file(round_entry.entry, f"scene of {round_entry.pk}".encode() * 1000)
        type(round_entry).objects.filter(pk=round_entry.pk).update(sha256=revision.sha256)
        revisions[round_entry.entry_id] = revision

    with mock.patch("competitions.services.queue.export_task_send") as send:
        with django_capture_on_commit_callbacks(execute=True):
            job = exports.export_archive_request(competition=competition, actor=olga)
    send.assert_called_once_with(job.pk)
    job = exports.export_archive_build(job_id=job.pk)

    assert (job.status, job.done, job.total) == (ExportJob.Status.DONE, 6, 6)  # 2 entries x (file + 2 thumbnails)
    with default_storage.open(job.file, "rb") as handle, zipfile.ZipFile(handle) as archive:
        names = set(archive.namelist())
        manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
        for entry_id, revision in revisions.items():
            path = f"files/entry-{entry_id}/{revision.original_name}"
            assert hashlib.sha256(archive.read(path)).hexdigest() == revision.sha256
            assert f"files/entry-{entry_id}/thumbnails/hero.png" in names
        for row in manifest:
            assert hashlib.sha256(archive.read(row["path"])).hexdigest() == row["sha256"]
            assert row["recorded_sha256"] in ("", row["sha256"])
        assert {"teams.csv", "entries.csv", "results.csv"} <= names
        assert len(manifest) == 6
    assert job.file.startswith("exports/") and job.size == default_storage.size(job.file)
    assert AuditEvent.objects.filter(action="export.requested", competition=competition).count() == 1


def test_archive_takes_the_revision_the_round_froze_not_a_later_upload(published_round: Round, olga: User) -> None:
    round_entry = published_round.round_entries.select_related("entry", "revision").first()
    assert round_entry is not None
    judged = with_file(round_entry.entry, b"judged bytes", thumbnails=())
    later = EntryRevision.objects.create(
        entry=round_entry.entry, number=2, file=ContentFile(b"later", name="later.glb"), original_name="later.glb",
        size=5, sha256=hashlib.sha256(b"later").hexdigest(), status=EntryRevision.Status.READY,
    )  # fmt: skip
    Entry.objects.filter(pk=round_entry.entry_id).update(current_revision=later)

    archived = {revision.entry_id: revision for revision in selectors.judged_revisions_to_archive(
        published_round.competition)}  # fmt: skip

    assert archived[round_entry.entry_id] == judged


def test_a_rerun_of_a_finished_build_does_nothing_and_a_second_request_waits_for_the_first(
    published_round: Round, olga: User
) -> None:
    competition = published_round.competition
    for round_entry in published_round.round_entries.select_related("entry"):
        with_file(round_entry.entry, b"x" * 10, thumbnails=())
    with mock.patch("competitions.services.queue.export_task_send"):
        job = exports.export_archive_request(competition=competition, actor=olga)
        again = exports.export_archive_request(competition=competition, actor=olga)
    assert again == job

    first = exports.export_archive_build(job_id=job.pk)
    rerun = exports.export_archive_build(job_id=job.pk)

    assert first.status == rerun.status == ExportJob.Status.DONE
    assert (rerun.file, rerun.finished_at) == (first.file, first.finished_at)


def test_a_missing_file_fails_the_build_with_the_reason_on_the_job(published_round: Round, olga: User) -> None:
    for round_entry in published_round.round_entries.select_related("entry", "revision"):
        default_storage.delete(round_entry.revision.file.name)
    with mock.patch("competitions.services.queue.export_task_send"):
        job = exports.export_archive_request(competition=published_round.competition, actor=olga)

    with pytest.raises(FileNotFoundError):
        exports.export_archive_build(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and "FileNotFoundError" in job.error
    assert job.finished_at is not None

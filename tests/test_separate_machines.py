"""Web, validation and rendering on separate machines, simulated: no shared disk is needed.

Two web servers (gunicorn, two processes each), a validation worker (``-Q validation``) and a rendering worker
(``-Q rendering``) run as separate processes, each with a media folder and a scratch folder of its own (A + A2,
D + D2, B + B2, C + C2), sharing only the test database on PostgreSQL, a Redis database and an S3 bucket (moto in
server mode). Over HTTP an entrant signs in and uploads a GLB with tus in two chunks, the first to one web server
and the second to the other, waits for it to be ready, and a judge of an open round fetches the entry's page, its
3D model and its hero thumbnail; the bytes are in the bucket, and no machine's media folder holds a file.

It needs PostgreSQL and Redis (DATABASE_URL and REDIS_URL): the embedded default's SQLite file and folder broker
are on one machine's disk by design, so there it skips with that reason (.ci/run requires it on the PostgreSQL +
Redis pass only).
"""

import base64
import json
import urllib.parse
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from competitions.models import Competition, EntryRevision, Panelist, RoundEntry
from competitions.pipeline.samples import box_glb
from competitions.selectors.judging import judge_artifact
from competitions.services import assignment, entries, teams
from competitions.services.judging.rounds import round_open
from tests.factories import CompetitionFactory, CriterionFactory, JudgeFactory, RoundFactory, TrackFactory, UserFactory
from tests.separate_machines import (
    Browser,
    ObjectStore,
    forget_spare_redis,
    local_files,
    object_store,
    spare_redis_url,
    start_web,
)
from tests.worker_process import Worker, start_worker, stop_worker, wait_for

pytestmark = pytest.mark.worker
__all__ = ["object_store"]  # the fixture, used by name

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
PROCESSING_TIMEOUT = 180
TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture
def postgres_and_redis() -> None:
    if connection.vendor != "postgresql" or not django_settings.REDIS_URL:
        pytest.skip(
            "needs PostgreSQL and Redis (DATABASE_URL and REDIS_URL): separate machines share only the database, "
            "Redis and S3, and the embedded default's SQLite file and folder broker live on one machine's disk"
        )


@pytest.fixture
def machines(
    postgres_and_redis: None, transactional_db: None, tmp_path: Path, object_store: ObjectStore
) -> Iterator[dict]:
    """The four machines, each on its own folders, stopped after the test; their folders and the web addresses."""
    folders = {name: tmp_path / name for name in ("A", "A2", "D", "D2", "B", "B2", "C", "C2")}
    for folder in folders.values():
        folder.mkdir()
    shared = {**object_store.env(), "REDIS_URL": spare_redis_url()}
    started: list[Worker] = []
    try:
        addresses = []
        for media, work in (("A", "A2"), ("D", "D2")):
            web, address = start_web(folders[media], folders[work], tmp_path / f"web-{media}.log", shared)
            started.append(web)
            addresses.append(address)
        for queue, media, work in (("validation", "B", "B2"), ("rendering", "C", "C2")):
            env = {**shared, "METASCENE_WORK_DIR": str(folders[work])}
            log = tmp_path / f"{queue}.log"
            started.append(start_worker(folders[media], log, extra_env=env, name=queue, queues=(queue,)))
        yield {"addresses": addresses, "folders": folders, "processes": started}
    finally:
        for process in started:
            stop_worker(process)
        forget_spare_redis()


def logs(machines: dict) -> str:
    return "\n\n".join(f"== {p.name} ==\n{p.log_tail()}" for p in machines["processes"])


def upload_in_two_chunks(browser: Browser, second_web: str, entry_id: int, content: bytes) -> int:
    """A resumable (tus) upload begun on the browser's web machine and finished on ``second_web``, as behind a load
    balancer: the first chunk goes to the first machine, the second chunk to the other; the revision's id."""
    metadata = f"filename {base64.b64encode(b'plaza.glb').decode()}"
    status, headers, body = browser.request(
        "POST",
        f"/api/entries/{entry_id}/uploads/",
        headers={**TUS, "Upload-Length": str(len(content)), "Upload-Metadata": metadata},
    )
    assert status == 201, body
    path = urllib.parse.urlsplit(headers["Location"]).path
    half = len(content) // 2
    for address, offset, chunk in ((browser.address, 0, content[:half]), (second_web, half, content[half:])):
        status, _, body = browser.request(
            "PATCH",
            f"{address}{path}",
            chunk,
            {**TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"},
        )
        assert status == 204, body
    status, _, body = browser.request("GET", f"{second_web}{path}", headers=TUS)
    assert status == 200, body
    return json.loads(body)["revision"]["id"]


def open_round_for(competition: Competition, judge: User) -> int:
    """Close submissions now, open a round of the competition with one judge assigned; the round entry's id."""
    now = timezone.now()
    Competition.objects.filter(pk=competition.pk).update(
        submission_deadline=now, judging_starts_at=now, judging_ends_at=now + timedelta(days=10)
    )
    competition.refresh_from_db()
    organiser = UserFactory(is_staff=True)
    round = RoundFactory(competition=competition, judges_per_entry=1)
    CriterionFactory(round=round)
    Panelist.objects.create(round=round, user=judge)
    round_open(round=round, actor=organiser)
    assignment.round_assign(round=round, actor=organiser)
    return round.assignments.get(judge=judge).round_entry_id


def test_web_and_workers_on_separate_machines_share_only_database_redis_and_s3(
    machines: dict, object_store: ObjectStore
) -> None:
    competition = CompetitionFactory(max_upload_bytes=64 * 1024**2)
    track = TrackFactory(competition=competition)
    entrant = UserFactory()
    team = teams.team_create(competition=competition, user=entrant, name="Far apart")
    entry = entries.entry_create(team=team, track=track, user=entrant, title="Plaza")
    content = box_glb()

    first_web, second_web = machines["addresses"]
    browser = Browser(first_web)
    browser.sign_in(entrant.email, PASSWORD)
    revision_id = upload_in_two_chunks(browser, second_web, entry.pk, content)

    def final() -> bool:
        return bool(browser.json(f"/api/revisions/{revision_id}/")["is_final"])

    assert wait_for(final, PROCESSING_TIMEOUT, interval=0.5), logs(machines)
    assert browser.json(f"/api/revisions/{revision_id}/")["status"] == "ready", logs(machines)
    revision = EntryRevision.objects.get(pk=revision_id)
    assert wait_for(lambda: "turntable" in EntryRevision.objects.get(pk=revision_id).artifacts, PROCESSING_TIMEOUT), (
        logs(machines)
    )
    revision.refresh_from_db()

    judge_user = JudgeFactory()
    round_entry_id = open_round_for(competition, judge_user)
    judge = Browser(second_web)
    judge.sign_in(judge_user.email, PASSWORD)
    status, _, page = judge.get(f"/judging/entries/{round_entry_id}/")
    assert status == 200, page[:500]
    assert f"/judging/entries/{round_entry_id}/hero".encode() in page
    round_entry = RoundEntry.objects.select_related("revision", "round").get(pk=round_entry_id)
    for name in ("model", "hero"):
        status, _, body = judge.get(f"/judging/entries/{round_entry_id}/{name}")
        assert status == 200, body[:500]
        assert body == object_store.read(judge_artifact(round_entry, name))
    assert judge.get(f"/judging/entries/{round_entry_id}/model")[2][:4] == b"glTF"
    # The entrant is no judge of the round: the same addresses give them nothing.
    assert browser.get(f"/judging/entries/{round_entry_id}/hero")[0] in (403, 404)

    keys = object_store.keys()
    assert object_store.read(revision.file.name) == content
    for name in revision.artifacts.values():
        if isinstance(name, str):
            assert f"site/{name}" in keys, keys
    folders = machines["folders"]
    assert local_files(folders["A"], folders["D"], folders["B"], folders["C"]) == []

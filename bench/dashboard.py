"""The organiser's dashboard of a big competition: its render time and SQL queries, next to /healthz.

    .venv/bin/python bench/dashboard.py [--entries 2000] [--judges 30] [--k 3] [--criteria 3] [--repeat 9]

Builds, in a throwaway SQLite database (the embedded default), a competition of ``--entries`` teams of two with one
entry each in 3 tracks, 1 to 3 revisions per entry received over the submission window (the last one ready, but
every tenth still being checked and every twentieth rejected), and an open round of the ready entries assigned to
``--judges`` judges, K per entry, every sheet submitted with ``--criteria`` marks. Then requests the dashboard and
/healthz through the Django test client as a signed-in organiser and prints, for each, the median and the fastest
of ``--repeat`` requests (after one warm-up), the SQL queries and the page size: the very first view (the cache
emptied: the score charts computed in the request from the round's leaderboard), a view after a sheet changed (the
last score figures shown, marked as being brought up to date, while a worker recomputes them), and a view with
nothing changed; then the worker's recomputation alone. Target: <= 300 ms for 2,000 entries.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "platform")]
os.environ["DJANGO_SETTINGS_MODULE"] = "metascene.settings.test"
os.environ["METASCENE_VAR_DIR"] = tempfile.mkdtemp(prefix="metascene-bench-dashboard-")
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.judging import fill_sheets  # noqa: E402
from competitions.models import (  # noqa: E402
    Competition,
    Entry,
    EntryRevision,
    Membership,
    Panelist,
    Round,
    RoundEntry,
    ScoreSheet,
    Team,
    WorkerHeartbeat,
)
from competitions.selectors.dashboard import round_scores_refresh  # noqa: E402
from competitions.services.assignment import round_assign  # noqa: E402
from tests.factories import CriterionFactory, JudgeFactory, RoundFactory, TrackFactory, UserFactory  # noqa: E402


def build(*, entries: int, judges: int, criteria: int, k: int, rng: random.Random) -> Competition:
    round = RoundFactory(judges_per_entry=k, method=Round.Method.NORMALISED)
    competition = round.competition
    tracks = [TrackFactory(competition=competition) for _ in range(3)]
    for position in range(criteria):
        CriterionFactory(round=round, position=position, weight=Decimal(rng.choice([1, 2, 3])), step=Decimal("0.5"))
    users = User.objects.bulk_create(
        [User(username=f"entrant{i}@example.com", email=f"entrant{i}@example.com") for i in range(2 * entries)]
    )
    teams = Team.objects.bulk_create(
        [Team(competition=competition, name=f"Team {i}", invite_code=f"D{i}") for i in range(entries)]
    )
    Membership.objects.bulk_create(
        [
            Membership(team=team, competition=competition, user=users[2 * i + j],
                       role=Membership.Role.CAPTAIN if j == 0 else Membership.Role.MEMBER)
            for i, team in enumerate(teams)
            for j in range(2)
        ]
    )  # fmt: skip
    made = Entry.objects.bulk_create(
        [Entry(team=team, track=tracks[i % 3], title=f"Scene {i}") for i, team in enumerate(teams)]
    )
    window = (competition.submission_deadline - competition.submission_opens_at).total_seconds()
    revisions, last = [], []
    for i, entry in enumerate(made):
        count = rng.choice([1, 1, 2, 3])
        times = sorted(rng.betavariate(3, 1) * window for _ in range(count))  # most arrive near the deadline
        final = (
            EntryRevision.Status.RECEIVED if i % 10 == 1 else EntryRevision.Status.REJECTED if i % 20 == 2 else "ready"
        )
        for number, seconds in enumerate(times, start=1):
            revision = EntryRevision(
                entry=entry, number=number, file=f"revisions/{entry.pk}/{number}.glb", original_name="scene.glb",
                size=4, sha256=f"{entry.pk:056x}{number:08x}", received_at=competition.submission_opens_at
                + timedelta(seconds=seconds),
                status=final if number == count else EntryRevision.Status.READY,
            )  # fmt: skip
            revisions.append(revision)
        last.append(revisions[-1])
    EntryRevision.objects.bulk_create(revisions, batch_size=2000)
    ready = [(entry, revision) for entry, revision in zip(made, last, strict=True) if revision.status == "ready"]
    for entry, revision in ready:
        entry.current_revision = revision
    Entry.objects.bulk_update([entry for entry, _r in ready], ["current_revision"], batch_size=2000)
    RoundEntry.objects.bulk_create(
        [
            RoundEntry(round=round, entry=entry, track=entry.track, revision=revision, sha256=revision.sha256,
                       blind_code=f"{i:06d}")
            for i, (entry, revision) in enumerate(ready)
        ]
    )  # fmt: skip
    Panelist.objects.bulk_create([Panelist(round=round, user=JudgeFactory()) for _ in range(judges)])
    Round.objects.filter(pk=round.pk).update(status=Round.Status.OPEN, frozen_at=timezone.now())
    round.refresh_from_db()
    organiser = User.objects.get(is_staff=True)
    round_assign(round=round, actor=organiser)
    fill_sheets(round, rng)
    now = timezone.now()
    for name, queues in (("validation@bench", "validation"), ("rendering@bench", "rendering")):
        WorkerHeartbeat.objects.create(name=name, queues=queues, pid=1, started_at=now, seen_at=now)
    return competition


@dataclass(frozen=True)
class Timing:
    median: float
    fastest: float
    queries: int
    size: int


def timed(client: Client, url: str, repeat: int, *, before: Callable[[], object] | None = None) -> Timing:
    """Median and fastest seconds of ``repeat`` requests after a warm-up, the queries and the bytes of one;
    ``before`` runs before each request (emptying the cache, changing a sheet)."""
    assert client.get(url).status_code == 200, url
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, url
    if before is not None:
        before()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return Timing(statistics.median(times), min(times), len(queries), len(response.content))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--judges", type=int, default=30)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--criteria", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    organiser = UserFactory(is_staff=True)
    started = time.perf_counter()
    competition = build(
        entries=args.entries, judges=args.judges, criteria=args.criteria, k=args.k, rng=random.Random(2026)
    )
    built_s = time.perf_counter() - started
    revisions = EntryRevision.objects.filter(entry__track__competition=competition).count()
    sheets = Round.objects.get(competition=competition).sheets.count()
    print(
        f"SQLite (embedded default), {args.entries} entries, {revisions} revisions, {args.judges} judges, "
        f"K={args.k}, {sheets} submitted sheets of {args.criteria} criteria; built in {built_s:.1f} s"
    )
    client = Client()
    client.force_login(organiser)
    dashboard = reverse("frontend:organise-dashboard", kwargs={"slug": competition.slug})
    round = Round.objects.get(competition=competition)
    sheet = round.sheets.first()
    assert sheet is not None

    def sheet_changed() -> None:
        """A judge saves a sheet: the score figures are out of date (the page shows the last ones meanwhile)."""
        ScoreSheet.objects.filter(pk=sheet.pk).update(version=F("version") + 1)
        cache.delete(f"dashboard-scores-asked:{round.pk}")  # each change asks the worker again

    print(f"{'page':<44} {'median ms':>9} {'fastest ms':>10} {'queries':>7} {'KB':>6}")
    for name, url, before in (
        ("/healthz", reverse("frontend:healthz"), None),
        ("dashboard, first view (scores computed)", dashboard, cache.clear),
        ("dashboard, a sheet changed (last scores)", dashboard, sheet_changed),
        ("dashboard, nothing changed", dashboard, None),
        ("live fragment, a sheet changed (last scores)", dashboard + "?fragment=figures", sheet_changed),
        ("live fragment, nothing changed", dashboard + "?fragment=figures", None),
    ):
        timing = timed(client, url, args.repeat, before=before)
        print(
            f"{name:<44} {timing.median * 1000:>9.1f} {timing.fastest * 1000:>10.1f} {timing.queries:>7} "
            f"{timing.size / 1024:>6.1f}"
        )
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        round_scores_refresh(round=round)
        times.append(time.perf_counter() - started)
    name = "the worker brings the scores up to date"
    print(f"{name:<44} {statistics.median(times) * 1000:>9.1f} {min(times) * 1000:>10.1f}")


if __name__ == "__main__":
    main()

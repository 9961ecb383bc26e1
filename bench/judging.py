"""Judging at competition scale: assignment and leaderboard times, and the SQL queries of a judge's pages.

    .venv/bin/python bench/judging.py [--sizes 200,2000] [--judges 60] [--criteria 5] [--k 5] [--repeat 3]

For each size, builds a competition in a throwaway SQLite database (3 tracks, ``--judges`` judges for every track,
``--criteria`` criteria on 0..10, K judges per entry, an open round), then prints:

- the time of ``round_assign`` on the fresh round (the balanced min-cost flow, the insert, the audit event and the
  judges' emails after commit, as a request runs it), the best of ``--repeat`` runs, each after deleting the
  assignments of the one before, and of it the commit and the emails' (60 notifications, each claimed by its own
  committed update, so the disk's load shows there);
- after every assignment has a submitted score sheet with random marks (judges with their own leniency), the time
  of ``round_leaderboard`` with the normalised method (weighted totals, per-judge z-scores, trimmed means, ranks,
  Kendall's W per track, outlier judges), the best of ``--repeat`` runs, and the queries it runs;
- the number of SQL queries to render a judge's queue page and an entry's page through the Django test client,
  which must be the same for every size.

Then the targets of issue 11 at 2,000 entries (60 judges, K=5): the leaderboard in 0.5 s and the assignment in 2 s,
each met or not, with the times of a one-row query and a one-row committed update as references for the machine.
"""

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "platform")]
os.environ["DJANGO_SETTINGS_MODULE"] = "metascene.settings.test"
os.environ["METASCENE_VAR_DIR"] = tempfile.mkdtemp(prefix="metascene-bench-judging-")
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from competitions.models import (  # noqa: E402
    Assignment,
    Entry,
    EntryRevision,
    Panelist,
    Round,
    RoundEntry,
    Score,
    ScoreSheet,
    Team,
)
from competitions.selectors.leaderboard import round_leaderboard  # noqa: E402
from competitions.services.assignment import round_assign  # noqa: E402
from tests.factories import CriterionFactory, JudgeFactory, RoundFactory, TrackFactory, UserFactory  # noqa: E402

TARGET_SIZE = 2000
LEADERBOARD_TARGET_S = 0.5
ASSIGN_TARGET_S = 2.0


def build(*, entries: int, judges: int, criteria: int, k: int, rng: random.Random) -> Round:
    """An open round of ``entries`` ready entries (one team each) in 3 tracks, with its panel and rubric."""
    round = RoundFactory(judges_per_entry=k, method=Round.Method.NORMALISED)
    competition = round.competition
    tracks = [TrackFactory(competition=competition) for _ in range(3)]
    for position in range(criteria):
        CriterionFactory(round=round, position=position, weight=Decimal(rng.choice([1, 2, 3])), step=Decimal("0.5"))
    teams = Team.objects.bulk_create(
        [Team(competition=competition, name=f"Team {i}", invite_code=f"B{round.pk}-{i}") for i in range(entries)]
    )
    made = Entry.objects.bulk_create(
        [Entry(team=team, track=tracks[i % 3], title=f"Scene {i}") for i, team in enumerate(teams)]
    )
    stats = {"triangles": 5000, "vertices": 2601, "materials": 1, "textures": 1, "draw_calls": 1}
    revisions = EntryRevision.objects.bulk_create(
        [
            EntryRevision(entry=entry, number=1, file=f"revisions/{entry.pk}/scene.glb", original_name="scene.glb",
                          size=4, sha256=f"{entry.pk:064x}", status=EntryRevision.Status.READY, stats=stats)
            for entry in made
        ]
    )  # fmt: skip
    for entry, revision in zip(made, revisions, strict=True):
        entry.current_revision = revision
    Entry.objects.bulk_update(made, ["current_revision"])
    RoundEntry.objects.bulk_create(
        [
            RoundEntry(round=round, entry=entry, track=entry.track, revision=revision, sha256=revision.sha256,
                       blind_code=f"{i:06d}")
            for i, (entry, revision) in enumerate(zip(made, revisions, strict=True))
        ]
    )  # fmt: skip
    Panelist.objects.bulk_create([Panelist(round=round, user=JudgeFactory()) for _ in range(judges)])
    Round.objects.filter(pk=round.pk).update(status=Round.Status.OPEN, frozen_at=timezone.now())
    round.refresh_from_db()
    return round


def fill_sheets(round: Round, rng: random.Random) -> int:
    """A submitted sheet for every assignment: marks around the entry's quality plus the judge's leniency."""
    quality = {pk: rng.gauss(6, 1.5) for pk in RoundEntry.objects.filter(round=round).values_list("pk", flat=True)}
    pairs = list(Assignment.objects.filter(round=round).values_list("judge_id", "round_entry_id"))
    leniency = {judge: rng.gauss(0, 1) for judge, _e in pairs}
    now = timezone.now()
    sheets = ScoreSheet.objects.bulk_create(
        [
            ScoreSheet(round=round, judge_id=judge, round_entry_id=entry, sha256="0" * 64,
                       status=ScoreSheet.Status.SUBMITTED, submitted_at=now, version=1)
            for judge, entry in pairs
        ],
        batch_size=2000,
    )  # fmt: skip
    criteria = list(round.criteria.all())
    scores = []
    for sheet in sheets:
        seen = quality[sheet.round_entry_id] + leniency[sheet.judge_id]
        for criterion in criteria:
            value = min(max(round_half(seen + rng.gauss(0, 0.7)), 0), 10)
            scores.append(Score(sheet=sheet, criterion=criterion, value=Decimal(str(value))))
    Score.objects.bulk_create(scores, batch_size=5000)
    return len(sheets)


def round_half(value: float) -> float:
    return round(value * 2) / 2


def page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,2000")
    parser.add_argument("--judges", type=int, default=60)
    parser.add_argument("--criteria", type=int, default=5)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing; the best is printed")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    organiser = UserFactory(is_staff=True)
    rng = random.Random(2026)
    print(
        f"SQLite, {args.judges} judges (every track), {args.criteria} criteria, K={args.k}, 3 tracks; "
        f"times: the best of {args.repeat} runs"
    )
    header = (
        f"{'entries':>7} {'assign s':>9} {'emails s':>8} {'assignments':>11} {'load':>7} {'sheets':>7} "
        f"{'leaderboard s':>13} {'lb queries':>10} {'queue queries':>13} {'entry queries':>13}"
    )
    print(header)
    verdicts: list[tuple[float, float]] = []
    for size in [int(s) for s in args.sizes.split(",")]:
        round = build(entries=size, judges=args.judges, criteria=args.criteria, k=args.k, rng=rng)
        assign_s, emails_s = math.inf, math.inf
        for attempt in range(args.repeat):
            if attempt:
                Assignment.objects.filter(round=round).delete()
            # In an outer transaction, so that the judges' emails (sent after commit) are timed apart.
            with transaction.atomic():
                started = time.perf_counter()
                report = round_assign(round=round, actor=organiser)
                returned = time.perf_counter()
            ended = time.perf_counter()
            if ended - started < assign_s:
                assign_s, emails_s = ended - started, ended - returned
        loads = sorted(Assignment.objects.filter(round=round).values_list("judge", flat=True))
        per_judge = [loads.count(j) for j in set(loads)]
        sheets = fill_sheets(round, rng)

        leaderboard_s = math.inf
        for _attempt in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                board = round_leaderboard(round)
                leaderboard_s = min(leaderboard_s, time.perf_counter() - started)
        assert sum(len(t.rows) for t in board.tracks) == size

        judge_id = Panelist.objects.filter(round=round).values_list("user_id", flat=True)[0]
        client = Client()
        client.force_login(Panelist.objects.get(round=round, user_id=judge_id).user)
        round_entry_id = Assignment.objects.filter(round=round, judge_id=judge_id).values_list(
            "round_entry_id", flat=True
        )[0]
        queue = page_queries(client, reverse("frontend:judge-queue", kwargs={"round_id": round.pk}))
        entry = page_queries(client, reverse("frontend:judge-entry", kwargs={"round_entry_id": round_entry_id}))
        print(
            f"{size:>7} {assign_s:>9.2f} {emails_s:>8.2f} {report.created:>11} "
            f"{min(per_judge):>3}-{max(per_judge):<3} {sheets:>7} "
            f"{leaderboard_s:>13.2f} {len(queries):>10} {queue:>13} {entry:>13}"
        )
        if size == TARGET_SIZE:
            verdicts.append((leaderboard_s, assign_s))
    read_ms, write_ms = reference_ms(round.pk)
    print(f"reference: a one-row query takes {read_ms:.3f} ms and a one-row update with its commit {write_ms:.3f} ms")
    if verdicts and (args.judges, args.k) != (60, 5):
        print("(the targets are for 60 judges and K=5)")
    for leaderboard_s, assign_s in verdicts:
        print(
            f"issue 11 targets at {TARGET_SIZE:,} entries: leaderboard {verdict(leaderboard_s, LEADERBOARD_TARGET_S)}; "
            f"assignment {verdict(assign_s, ASSIGN_TARGET_S)}"
        )


def verdict(seconds: float, target: float) -> str:
    return f"{seconds:.2f} s <= {target} s: {'met' if seconds <= target else 'NOT MET'}"


def reference_ms(round_id: int) -> tuple[float, float]:
    """The median times of a one-row query and of a one-row update committed on its own (the judges' emails are
    claimed so, one by one), yardsticks for the machine's speed and its disk's load."""
    reads, writes = [], []
    for _ in range(200):
        started = time.perf_counter()
        Round.objects.filter(pk=round_id).exists()
        reads.append(time.perf_counter() - started)
        started = time.perf_counter()
        Round.objects.filter(pk=round_id).update(advance_count=0)
        writes.append(time.perf_counter() - started)
    return statistics.median(reads) * 1000, statistics.median(writes) * 1000


if __name__ == "__main__":
    main()

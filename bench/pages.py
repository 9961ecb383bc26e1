"""The pages people wait on at the floor: throughput and latency of the judge's queue, the judge's entry page and
the public competition page, each next to /healthz in the same run.

    .venv/bin/python bench/pages.py [--entries 300] [--per-judge 40] [--seconds 10] [--gunicorn-workers 4]
                                    [--gunicorn-threads 1] [--connections 32] [--latency-connections 8]

Starts gunicorn (``--gunicorn-workers`` sync workers, or gthread with ``--gunicorn-threads`` > 1; DEBUG off; the
embedded default: SQLite and the file cache in a temporary folder) after building, in that database, a competition
past its deadline with ``--entries`` teams of two, one ready entry each in 3 tracks (thumbnails, browser-ready and
blind copies, figures), and an open round of a 5-criterion rubric, 3 judges per entry, assigned to as many judges as
give each about ``--per-judge`` entries. The judge measured has a third of their sheets submitted and a sixth in
draft; they sign in through the login page before the measurement.

Then, for each page in turn (the judge's entry page cycles through the judge's entries): ``--connections``
closed-loop connections for ``--seconds`` give the requests per second, and ``--latency-connections`` for as long
give p50/p95 latency. The load is bench/pages_load.py, an asyncio HTTP/1.1 client in a process of its own; the
table gives the CPU it used (% of one core) beside the server's CPU per request, so a client that saturates
itself shows. Each page's throughput is also given as a share of /healthz's in the same run. Targets (issue 11):
the judge queue, the judge entry and the competition page >= 1/10 of /healthz; p95 <= 100 ms at 8 connections.
"""

import argparse
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1])]

from bench.harness import REPO, tree_cpu_seconds  # noqa: E402
from bench.pages_load import LoadResult, run_load  # noqa: E402
from bench.rush_site import sign_in, wait_for, warm_up  # noqa: E402

PASSWORD = "pages-bench-password-2026"
HOST = "127.0.0.1"


def build(*, entries: int, per_judge: int, rng: random.Random) -> dict[str, object]:
    """The judged competition, its round and judges, in the site's database (this process has its settings); the
    measured judge's email, their round and round entries, and the competition's slug."""
    import factory
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.utils import timezone

    from competitions.models import Entry, EntryRevision, Membership, Panelist, Round, RoundEntry, Team
    from competitions.services import judging
    from competitions.services.assignment import round_assign
    from tests.factories import CriterionFactory, JudgeFactory, RoundFactory, TrackFactory, UserFactory

    password = factory.Transformer.Force(make_password(PASSWORD))  # hashed once, for every account
    organiser = UserFactory(is_staff=True, password=password)
    round = RoundFactory(judges_per_entry=3, blind=Round.Blind.NEVER, method=Round.Method.NORMALISED)
    competition = round.competition
    tracks = [TrackFactory(competition=competition, name=name) for name in ("Culture", "Industry", "Campus")]
    for position in range(5):
        CriterionFactory(round=round, position=position, weight=position + 1)
    users = User.objects.bulk_create(
        [User(username=f"entrant{i}@example.com", email=f"entrant{i}@example.com") for i in range(2 * entries)]
    )
    teams = Team.objects.bulk_create(
        [Team(competition=competition, name=f"Studio {i}", invite_code=f"P{i}") for i in range(entries)]
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
        [
            Entry(team=team, track=tracks[i % 3], title=f"Scene {i}", description="A harbour at dusk.\n" * 3)
            for i, team in enumerate(teams)
        ]
    )
    revisions = []
    for entry in made:
        folder = f"revisions/{entry.pk}"
        revisions.append(
            EntryRevision(
                entry=entry, number=1, file=f"{folder}/scene.glb", original_name="scene.glb", size=18_000_000,
                sha256=f"{entry.pk:064x}", status=EntryRevision.Status.READY, processed_at=timezone.now(),
                received_at=competition.submission_deadline - timedelta(hours=rng.uniform(1, 48)),
                artifacts={**{name: f"{folder}/{name}.webp" for name in ("hero", "front", "side", "top")},
                           "viewer": f"{folder}/viewer.glb", "blind": f"{folder}/blind.glb"},
                stats={"triangles": rng.randrange(50_000, 2_000_000), "vertices": rng.randrange(30_000, 1_000_000),
                       "materials": rng.randrange(1, 40), "textures": rng.randrange(1, 60),
                       "draw_calls": rng.randrange(1, 200)},
            )
        )  # fmt: skip
    EntryRevision.objects.bulk_create(revisions)
    for entry, revision in zip(made, revisions, strict=True):
        entry.current_revision = revision
    Entry.objects.bulk_update(made, ["current_revision"])
    RoundEntry.objects.bulk_create(
        [
            RoundEntry(round=round, entry=entry, track=entry.track, revision=revision, sha256=revision.sha256,
                       blind_code=f"{rng.randrange(10**6):06d}")
            for entry, revision in zip(made, revisions, strict=True)
        ]
    )  # fmt: skip
    judges = [JudgeFactory(password=password) for _ in range(max(3, math.ceil(entries * 3 / per_judge)))]
    Panelist.objects.bulk_create([Panelist(round=round, user=judge) for judge in judges])
    Round.objects.filter(pk=round.pk).update(status=Round.Status.OPEN, frozen_at=timezone.now())
    round.refresh_from_db()
    round_assign(round=round, actor=organiser)
    judge = judges[0]
    assigned = list(round.round_entries.filter(assignments__judge=judge).order_by("pk"))
    criteria = list(round.criteria.all())
    for number, round_entry in enumerate(assigned[: len(assigned) // 2]):
        values = {criterion.pk: {"value": str(rng.randrange(0, 21) / 2), "comment": "Clear."} for criterion in criteria}
        sheet = judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values=values, comment="Good.")
        if number % 3 != 2:
            judging.sheet_submit(round_entry=round_entry, judge=judge, version=sheet.version)
    return {
        "judge": judge.email,
        "round": round.pk,
        "round_entries": [round_entry.pk for round_entry in assigned],
        "slug": competition.slug,
        "judges": len(judges),
    }


@dataclass(frozen=True)
class PageFigures:
    name: str
    throughput: LoadResult
    server_cpu_ms: float  # server CPU per request at full throughput
    latency: LoadResult

    @property
    def per_second(self) -> float:
        return len(self.throughput.latencies) / self.throughput.elapsed

    def latency_ms(self, share: float) -> float:
        times = sorted(self.latency.latencies)
        return 1000 * times[min(len(times) - 1, int(share * len(times)))] if times else math.nan


def measure(
    pool: ProcessPoolExecutor, server_pid: int, name: str, paths: list[str], cookie: str, args: argparse.Namespace
) -> PageFigures:
    pool.submit(run_load, HOST, args.port, paths, cookie, args.connections, 1.0).result()  # warm-up
    cpu = tree_cpu_seconds(server_pid)
    throughput = pool.submit(run_load, HOST, args.port, paths, cookie, args.connections, args.seconds).result()
    server_cpu = tree_cpu_seconds(server_pid) - cpu
    latency = pool.submit(run_load, HOST, args.port, paths, cookie, args.latency_connections, args.seconds).result()
    for result in (throughput, latency):
        if result.errors or set(result.statuses) != {200}:
            raise RuntimeError(f"{name}: answers {result.statuses}, {result.errors} errors")
    requests = max(1, len(throughput.latencies))
    return PageFigures(name, throughput, 1000 * server_cpu / requests, latency)


def print_table(figures: list[PageFigures], args: argparse.Namespace) -> None:
    health = figures[0].per_second
    at, at_latency = f"@{args.connections}", f"@{args.latency_connections}"
    print(
        f"\n{'page':<34} {'req/s ' + at:>9} {'of /healthz':>11} {'server CPU ms':>13} "
        f"{'client CPU':>10} {'p50 ms ' + at_latency:>9} {'p95 ms ' + at_latency:>9}"
    )
    for page in figures:
        client = 100 * page.throughput.client_cpu / page.throughput.elapsed
        print(
            f"{page.name:<34} {page.per_second:>9.0f} {'1/' + format(health / page.per_second, '.1f'):>11} "
            f"{page.server_cpu_ms:>13.2f} {client:>9.0f}% {page.latency_ms(0.5):>9.1f} {page.latency_ms(0.95):>9.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=300)
    parser.add_argument("--per-judge", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument("--gunicorn-threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--latency-connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8793)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="metascene-bench-pages-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "metascene.settings.local",
        "METASCENE_VAR_DIR": str(work / "var"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_DEBUG": "false",
        "PYTHONPATH": f"{REPO}:{REPO / 'platform'}",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",  # the assignment emails
    }
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(REPO / "platform"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    (work / "var" / "static").mkdir(parents=True, exist_ok=True)  # WhiteNoise's folder (the pages link to it)
    started = time.perf_counter()
    data = build(entries=args.entries, per_judge=args.per_judge, rng=random.Random(2026))
    connections.close_all()
    round_entries: list[int] = data["round_entries"]  # type: ignore[assignment]
    print(
        f"SQLite (embedded default), DEBUG off; {args.entries} entries, {data['judges']} judges, the judge measured "
        f"has {len(round_entries)} entries; built in {time.perf_counter() - started:.1f} s"
    )

    threads = args.gunicorn_threads
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--pythonpath", "platform", "-b", f"{HOST}:{args.port}",
         "-w", str(args.gunicorn_workers), *(["-k", "gthread", "--threads", str(threads)] if threads > 1 else []),
         "--timeout", "120", "--log-level", "warning", "metascene.wsgi"],
        cwd=REPO, env=env,
    )  # fmt: skip
    try:
        site = f"http://{HOST}:{args.port}"
        wait_for(f"{site}/healthz", 60)
        warm_up(site, args.gunicorn_workers)
        cookies, _ = sign_in(site, [str(data["judge"])], PASSWORD)
        cookie = "; ".join(f"{key}={value}" for key, value in cookies[str(data["judge"])].items())
        slug = data["slug"]
        pages = [
            ("/healthz", ["/healthz"], ""),
            ("home (visitor)", ["/"], ""),
            ("competition page (visitor)", [f"/competitions/{slug}/"], ""),
            ("competition page (judge)", [f"/competitions/{slug}/"], cookie),
            ("judge queue", [f"/judging/rounds/{data['round']}/"], cookie),
            ("judge entry", [f"/judging/entries/{pk}/" for pk in round_entries], cookie),
        ]
        kind = f"gthread, {threads} threads each" if threads > 1 else "sync"
        print(
            f"gunicorn {args.gunicorn_workers} workers ({kind}), "
            f"{os.cpu_count()} CPUs; load: bench/pages_load.py (asyncio, one process), {args.seconds:.0f} s per figure"
        )
        with ProcessPoolExecutor(max_workers=1) as pool:
            figures = [measure(pool, server.pid, name, paths, key, args) for name, paths, key in pages]
        print_table(figures, args)
        verdicts = [
            f"{page.name}: {'ok' if page.per_second >= figures[0].per_second / 10 else 'below 1/10'} (throughput), "
            f"{'ok' if page.latency_ms(0.95) <= 100 else 'over 100 ms'} (p95)"
            for page in figures
            if page.name in ("judge queue", "judge entry", "competition page (visitor)", "competition page (judge)")
        ]
        print("\n" + "\n".join(verdicts))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

"""How the pipeline's throughput grows with workers: uploads processed per minute with 1, 2 and 4 worker processes,
on PostgreSQL + Redis.

    .venv/bin/python bench/scaling.py [--workers 1,2,4] [--uploads 8] [--triangles 20000] [--size-mb 1]
                                      [--database-url postgres://...] [--redis redis://127.0.0.1:6379/13]

On a throwaway PostgreSQL database (created beside ``--database-url``, dropped after) and a Redis database of its
own (``--redis``, emptied before, between runs and after), it starts gunicorn and then, for each count in
``--workers``, that many *separate worker processes* (``celery worker -Q validation,rendering -c 1`` each, as one
would add machines or containers; not one worker with a higher ``-c``). Once they have all reported in, it feeds
``--uploads`` uploads at once through the real HTTP API (one per entry, four at a time) and times them until every
revision is final and every ready one has its turntable, the last thing the pipeline makes for an upload. It prints
uploads processed per minute at each count and the ratio to one worker.

The scene is generated (competitions/pipeline/samples.py): ``--triangles`` triangles, textured and vertex-coloured,
or with ``--triangles 0`` the sample cube padded to ``--size-mb`` MB (processing then costs little whatever the
size, so that run measures the pipeline's fixed costs: queueing, the sandboxed stages, the database).

Every stage is CPU work (validation, software-rendered thumbnails on Mesa, gltfpack), and a worker runs its stages
in sandboxed child processes: workers beyond the number of CPUs only share the same cores, so growth is sub-linear
and flattens there. The CPU count is printed beside the figures, and the load average before each run: other
processes on the machine take from the same cores.
"""

import argparse
import os
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1])]

from bench.harness import REPO, upload_glb  # noqa: E402
from bench.rush_site import Processes, admin_sql, database_urls, wait_for  # noqa: E402
from bench.upload import padded_glb  # noqa: E402

CPUS = os.cpu_count() or 1


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2,4", help="comma-separated worker process counts, one run each")
    parser.add_argument("--uploads", type=int, default=8, help="uploads fed to each run")
    parser.add_argument("--triangles", type=int, default=20_000, help="triangles of the scene (0: a padded cube)")
    parser.add_argument("--size-mb", type=int, default=1, help="size of the padded cube, with --triangles 0")
    parser.add_argument("--timeout", type=int, default=900, help="seconds a run may take before it is abandoned")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("RUSH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server to create the throwaway database metascene_rush_<pid> on",
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get("SCALING_REDIS_URL", "redis://127.0.0.1:6379/13"),
        help="a Redis database for the broker and cache: emptied before, between runs and after",
    )
    parser.add_argument("--port", type=int, default=8794)
    return parser.parse_args()


def make_scene(args: argparse.Namespace, folder: Path) -> Path:
    if not args.triangles:
        return padded_glb(args.size_mb, folder)
    from competitions.pipeline.samples import grid_scene_glb

    path = folder / f"scene-{args.triangles}.glb"
    path.write_bytes(grid_scene_glb(args.triangles, textured=True, vertex_colours=True))
    return path


def make_entries(count: int) -> list[tuple[int, str]]:
    """A competition open for submissions with ``count`` teams, each with an entry and an API token."""
    from rest_framework.authtoken.models import Token

    from competitions.services import entries, teams
    from tests.factories import CompetitionFactory, TrackFactory, UserFactory

    competition = CompetitionFactory(max_upload_bytes=4 * 1024**3, max_triangles=5_000_000)
    track = TrackFactory(competition=competition)
    made = []
    for number in range(count):
        user = UserFactory()
        team = teams.team_create(competition=competition, user=user, name=f"Scaling team {number}")
        entry = entries.entry_create(team=team, track=track, user=user, title=f"Scaling scene {number}")
        made.append((entry.pk, Token.objects.create(user=user).key))
    return made


def start_workers(processes: Processes, count: int, run: str) -> list[str]:
    """``count`` separate worker processes on both queues; returns the names they report in under."""
    names = []
    for number in range(count):
        name = f"scaling-{run}-{number}"
        processes.start(
            name,
            [sys.executable, "-m", "celery", "-A", "metascene", "worker", "-Q", "validation,rendering", "-c", "1",
             "-n", f"{name}@%h", "-l", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        )  # fmt: skip
        names.append(name)
    return names


def wait_reported_in(names: list[str], processes: Processes, timeout: float = 120) -> None:
    from competitions.models import WorkerHeartbeat

    deadline = time.monotonic() + timeout
    nodes = [f"{name}@" for name in names]
    while sum(WorkerHeartbeat.objects.filter(name__startswith=node).exists() for node in nodes) < len(names):
        processes.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(f"the workers did not report in: see the logs in {processes.folder}")
        time.sleep(0.2)


def stop(processes: Processes, names: list[str]) -> None:
    for name in names:
        processes.started[name].terminate()
    for name in names:
        processes.started.pop(name).wait(timeout=60)


def one_run(args: argparse.Namespace, processes: Processes, count: int, scene: Path) -> dict[str, float]:
    """Feed the uploads to ``count`` workers; the seconds until every revision is final and until every upload is
    fully processed (ready ones with their turntable), and how many became ready."""
    import redis

    from competitions.models import EntryRevision

    redis.Redis.from_url(args.redis).flushdb()
    made = make_entries(args.uploads)
    names = start_workers(processes, count, f"{count}w")
    try:
        wait_reported_in(names, processes)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=4) as pool:
            ids = list(pool.map(lambda e: upload_glb(args.port, e[1], e[0], scene)["id"], made))
        uploaded = time.monotonic() - started
        revisions = EntryRevision.objects.filter(pk__in=ids)
        final_at = None
        while time.monotonic() - started < args.timeout:
            processes.check_alive()
            rows = list(revisions.values_list("status", "artifacts"))
            if final_at is None and all(status in EntryRevision.FINAL_STATUSES for status, _ in rows):
                final_at = time.monotonic() - started
            if final_at is not None and all(s != EntryRevision.Status.READY or "turntable" in a for s, a in rows):
                return {
                    "uploaded": uploaded,
                    "final": final_at,
                    "done": time.monotonic() - started,
                    "ready": sum(s == EntryRevision.Status.READY for s, _ in rows),
                }
            time.sleep(0.25)
        raise RuntimeError(f"{count} worker(s) did not finish {args.uploads} uploads in {args.timeout} s")
    finally:
        stop(processes, names)


def main() -> int:
    args = parse_args()
    counts = [int(c) for c in args.workers.split(",")]
    work = Path(tempfile.mkdtemp(prefix="metascene-scaling-"))
    (work / "tmp").mkdir()
    run_url, admin_url = database_urls(args.database_url)
    name = urllib.parse.urlsplit(run_url).path.lstrip("/")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "metascene.settings.local",
        "DJANGO_DEBUG": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": run_url,
        "REDIS_URL": args.redis,
        "METASCENE_VAR_DIR": str(work / "var"),
        "TMPDIR": str(work / "tmp"),
        "PYTHONPATH": f"{REPO}:{REPO / 'platform'}",
    }
    import redis

    admin_sql(admin_url, f'CREATE DATABASE "{name}"')
    os.environ.update(env)
    sys.path.insert(0, str(REPO / "platform"))
    processes = Processes(work, env)
    results: dict[int, dict[str, float]] = {}
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        scene = make_scene(args, work)
        processes.start(
            "web",
            [sys.executable, "-m", "gunicorn", "--pythonpath", "platform", "-b", f"127.0.0.1:{args.port}",
             "-w", "1", "--threads", "4", "-k", "gthread", "--timeout", "300", "--log-level", "warning",
             "metascene.wsgi"],
        )  # fmt: skip
        wait_for(f"http://127.0.0.1:{args.port}/healthz", 60)
        what = f"{args.triangles} triangles" if args.triangles else f"a {args.size_mb} MB padded cube"
        print(f"{args.uploads} uploads of {scene.stat().st_size / 2**20:.1f} MB ({what}) per run; {CPUS} CPUs.")
        for count in counts:
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            print(f"  {count} worker(s): starting (load average before: {load})", flush=True)
            results[count] = one_run(args, processes, count, scene)
            r = results[count]
            print(
                f"  {count} worker(s): uploaded in {r['uploaded']:.1f} s, all final in {r['final']:.1f} s, "
                f"fully processed in {r['done']:.1f} s ({r['ready']:.0f} ready)",
                flush=True,
            )
    finally:
        processes.stop()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        redis.Redis.from_url(args.redis).flushdb()
    report(args, results)
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    return 0


def report(args: argparse.Namespace, results: dict[int, dict[str, float]]) -> None:
    """Per minute: uploads fully processed (ready with their turntable, or refused) and uploads final (ready or
    refused, the turntable may still follow), each with its ratio to the fewest workers."""
    first = results[min(results)]
    print(f"\nUploads per minute (separate worker processes, each -c 1 on both queues; {CPUS} CPUs):")
    print(f"{'workers':>8} {'processed/min':>14} {'ratio':>6} {'final/min':>10} {'ratio':>6} {'ideal':>6}")
    for count, r in sorted(results.items()):
        done, final = args.uploads / r["done"] * 60, args.uploads / r["final"] * 60
        print(
            f"{count:>8} {done:>14.1f} {first['done'] / r['done']:>6.2f} "
            f"{final:>10.1f} {first['final'] / r['final']:>6.2f} {count / min(results):>6.0f}"
        )
    print(
        f"\nEvery stage is CPU work and each worker runs it in sandboxed children, so workers past the {CPUS} CPUs "
        "of this machine share the same cores: growth is sub-linear and flattens beyond that. On more cores, or "
        "with each worker on its own machine, it keeps growing until PostgreSQL, Redis or storage becomes the limit."
    )


if __name__ == "__main__":
    sys.exit(main())

"""The deadline rush: entrants uploading, judges scoring and organisers watching, all at once, against the real
processes, with locust as the load generator.

    .venv/bin/python bench/rush.py [--seconds 120] [--entrants 50] [--judges 30] [--organisers 2] [--size-mb 20]
                                   [--gunicorn-workers 8] [--gunicorn-threads 4] [--worker-nice 19] [--check]
    (experiments: --worker-cpus all lets the workers use every CPU, --work-dir /dev/shm puts media and the upload
    spool there, --conn-max-age 0 opens a database connection per request; --help for the rest)

On 127.0.0.1, on a throwaway PostgreSQL database (created beside ``--database-url``, dropped after), a Redis
database of its own (``--redis``, emptied before and after) and a temporary media folder, it starts gunicorn
(gthread), a Celery worker for the validation queue and one for the rendering queue (each ``-c 1``, under
``nice`` and pinned to the last CPU, so that the web always has the others: one machine on deadline day), and sets
up:

- a competition whose submission window is open, with one team, entry and API token per entrant;
- a second competition past its deadline whose first round is open and assigned: 2 entries per judge in 3
  tracks, a 5-criterion rubric, 3 judges per entry; besides the judges of the load, a third as many again
  submitted their sheets before the rush (so the leaderboard has figures);
- staff organisers.

Then locust (bench/rush_locustfile.py, headless) runs for ``--seconds``: every entrant uploads a valid GLB of
``--size-mb`` MB (the sample cube with an unused tail: the validator only warns, so the revision becomes ready,
and processing costs the same whatever the size), half in one multipart POST and half with tus, polls the
revision every 2 seconds until it is final, thinks 5-15 seconds and uploads again; judges log in and score from
their queue, saving drafts as the page does; organisers refresh the leaderboard; a health check asks /healthz.
When the time is up the uploads in flight finish, and the queue is followed until every revision is final.

It prints the uploads accepted, the p50/p95/p99 of each page type, the answers by status, the peak memory of
gunicorn (all its processes) and of the workers (with their sandboxed children), the time the queue took to
drain after the load stopped, the CPU used by each role, and the invariants: no 5xx, no lost upload (uploads
accepted = revisions in the database = files on disk = revisions final) and judge pages p95 <= 300 ms.
``--check`` exits non-zero on a 5xx or a request left without an answer, a lost upload, or no upload accepted at
all (the judge target is reported, not enforced: it depends on the machine).

Beside this file: bench/rush_data.py makes the people and records, bench/rush_site.py runs the throwaway site and
its processes, bench/rush_locustfile.py is the load, bench/rush_report.py the figures.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1])]

from bench.harness import REPO, tree_cpu_all_seconds  # noqa: E402
from bench.rush_data import set_up_data  # noqa: E402
from bench.rush_report import percentile, print_report, stored_originals  # noqa: E402
from bench.rush_site import (  # noqa: E402
    WORKER_QUEUES,
    Processes,
    admin_sql,
    database_urls,
    sign_in,
    start_site,
    wait_for,
    warm_up,
)
from bench.upload import padded_glb  # noqa: E402

LOCUSTFILE = REPO / "bench" / "rush_locustfile.py"
CPUS = os.cpu_count() or 1


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120, help="how long the load runs")
    parser.add_argument("--entrants", type=int, default=50)
    parser.add_argument("--judges", type=int, default=30)
    parser.add_argument("--organisers", type=int, default=2)
    parser.add_argument("--size-mb", type=int, default=20, help="size of each uploaded GLB")
    parser.add_argument("--gunicorn-workers", type=int, default=8, help="gunicorn processes")
    parser.add_argument("--gunicorn-threads", type=int, default=4, help="threads per process (1: sync workers)")
    parser.add_argument("--worker-nice", type=int, default=19, help="niceness of the Celery workers (0: none)")
    parser.add_argument(
        "--worker-cpus",
        default=str(CPUS - 1) if CPUS > 1 else None,
        help="CPUs the Celery workers may use, as taskset takes them (default: the last CPU, so that the web always "
        "has the others; 'all' for no pinning)",
    )
    parser.add_argument(
        "--conn-max-age", type=int, default=60, help="DATABASE_CONN_MAX_AGE of the site (0: a connection per request)"
    )
    parser.add_argument("--spawn-rate", type=float, default=20, help="users started per second")
    parser.add_argument("--drain-timeout", type=int, default=600, help="seconds to wait for the queue after the load")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("RUSH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server to create the throwaway database metascene_rush_<pid> on",
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get("RUSH_REDIS_URL", "redis://127.0.0.1:6379/12"),
        help="a Redis database for the broker and cache: emptied before and after",
    )
    parser.add_argument("--port", type=int, default=8793)
    parser.add_argument(
        "--work-dir", help="where the temporary folder (media, uploads in progress, logs) goes; default: the system's"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 on any 5xx, unanswered request or lost upload")
    return parser.parse_args()


def run_load(args: argparse.Namespace, env: dict[str, str], work: Path, site: str, glb: Path) -> float:
    """Run locust headless for ``args.seconds`` (the uploads in flight then finish); it writes ``result.json`` in
    ``work``. Returns the CPU seconds the load generator used."""
    users = {"Entrant": args.entrants, "Judge": args.judges, "Organiser": args.organisers, "LoadBalancer": 1}
    chosen = [cls for cls, count in users.items() if count]
    load_env = {
        **env,
        "RUSH_SETUP": str(work / "setup.json"),
        "RUSH_GLB": str(glb),
        "RUSH_RESULT": str(work / "result.json"),
        "RUSH_ENTRANTS": str(args.entrants),
        "RUSH_JUDGES": str(args.judges),
        "RUSH_ORGANISERS": str(args.organisers),
    }
    print(f"Load: {args.seconds} s of {sum(users.values())} users against {site}.", flush=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with (work / "locust.log").open("wb") as log:
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", site,
             "-u", str(sum(users.values())), "-r", str(args.spawn_rate), "-t", f"{args.seconds}s",
             "--stop-timeout", "300", "--only-summary", "--loglevel", "WARNING", *chosen],
            cwd=REPO, env=load_env, stdout=log, stderr=subprocess.STDOUT, timeout=args.seconds + 600,
        )  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - (before.ru_utime + before.ru_stime)


def main() -> int:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="metascene-rush-", dir=args.work_dir))
    (work / "tmp").mkdir()
    rush_url, admin_url = database_urls(args.database_url)
    name = urllib.parse.urlsplit(rush_url).path.lstrip("/")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "metascene.settings.local",
        "DJANGO_DEBUG": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": rush_url,
        "DATABASE_CONN_MAX_AGE": str(args.conn_max_age),
        "REDIS_URL": args.redis,
        "METASCENE_VAR_DIR": str(work / "var"),
        # Where gunicorn spools uploads and the workers unpack and render: on the same volume as the media.
        "TMPDIR": str(work / "tmp"),
        "PYTHONPATH": f"{REPO}:{REPO / 'platform'}",
    }
    import redis

    broker = redis.Redis.from_url(args.redis)
    broker.flushdb()
    admin_sql(admin_url, f'CREATE DATABASE "{name}"')
    os.environ.update(env)
    sys.path.insert(0, str(REPO / "platform"))
    processes = Processes(work, env)
    started = time.monotonic()
    keep = False  # the logs, after a failure; RUSH_KEEP=1 keeps the whole folder, media included
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from competitions.models import EntryRevision

        call_command("migrate", verbosity=0)
        setup = set_up_data(entrants=args.entrants, judges=args.judges, organisers=args.organisers)
        (work / "setup.json").write_text(json.dumps(setup))
        glb = padded_glb(args.size_mb, work)
        print(f"Set up in {time.monotonic() - started:.0f} s; starting the site.", flush=True)

        site = start_site(processes, args)
        wait_for(f"{site}/healthz", 60)
        warm_up(site, args.gunicorn_workers)
        setup["sessions"], sign_in_ms = sign_in(site, setup["judges"] + setup["organisers"], setup["password"])
        (work / "setup.json").write_text(json.dumps(setup))
        if sign_in_ms:
            print(
                f"Signed in {len(sign_in_ms)} judges and organisers through the login page before the load "
                f"(four at a time, p50 {percentile(sign_in_ms, 0.5):.0f} ms each).",
                flush=True,
            )
        processes.check_alive()
        processes.start_sampling()

        load_cpu_seconds = run_load(args, env, work, site, glb)
        load_stopped = time.monotonic()
        result = json.loads((work / "result.json").read_text())
        processes.check_alive()

        revisions = EntryRevision.objects.filter(entry__track__competition_id=setup["competition"])
        drain_seconds = None
        print("Load stopped; waiting for every revision to be final.", flush=True)
        while time.monotonic() - load_stopped < args.drain_timeout:
            if not revisions.exclude(status__in=EntryRevision.FINAL_STATUSES).exists():
                drain_seconds = time.monotonic() - load_stopped
                break
            time.sleep(0.5)
        entry_ids = [entrant["entry"] for entrant in setup["entrants"]]
        rows = set(revisions.values_list("pk", flat=True))
        figures = {
            **processes.peak,
            "cpu": {
                "web": tree_cpu_all_seconds(processes.started["web"].pid),
                "workers": sum(tree_cpu_all_seconds(processes.started[q].pid) for q in WORKER_QUEUES),
                "load generator": load_cpu_seconds,
            },
            "drain_seconds": drain_seconds,
            "rows": len(rows),
            "files": stored_originals(Path(settings.MEDIA_ROOT), entry_ids),
            "final": revisions.filter(status__in=EntryRevision.FINAL_STATUSES).count(),
            "by_status": ", ".join(
                f"{s}: {c}" for s, c in sorted(Counter(revisions.values_list("status", flat=True)).items())
            ),
            "unknown": sorted(set(result["accepted"]) - rows),
        }
        broken = print_report(args, result, figures)
        print(f"\nTotal {time.monotonic() - started:.0f} s (set-up, load, drain).")
        if broken:
            keep = True
            print("\n".join(["", "Broken:", *broken]))
        return 1 if args.check and broken else 0
    except BaseException:
        keep = True
        raise
    finally:
        processes.stop()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        broker.flushdb()
        if os.environ.get("RUSH_KEEP"):
            print(f"Logs and media kept in {work}")
        elif keep:
            # The logs tell what broke; a gigabyte of uploads does not.
            shutil.rmtree(work / "var", ignore_errors=True)
            shutil.rmtree(work / "tmp", ignore_errors=True)
            for glb in work.glob("*.glb"):
                glb.unlink()
            print(f"Logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

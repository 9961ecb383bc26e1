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
"""

import argparse
import http.cookiejar
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil

sys.path[:0] = [str(Path(__file__).resolve().parents[1])]

from bench.harness import REPO, tree_rss_mb, tree_rss_sum_mb  # noqa: E402
from bench.upload import padded_glb  # noqa: E402

PASSWORD = "rush-bench-password-2026"
JUDGE_P95_TARGET_MS = 300
# Longer than any pause of a client between two requests (gunicorn's default is 2 s): a connection the server closes
# just as the client reuses it is a request lost, which browsers retry and the load generator does not.
KEEP_ALIVE = 30
STEADY_AFTER = 30
LOCUSTFILE = REPO / "bench" / "rush_locustfile.py"
JUDGE_PAGES = ("judge home", "judge queue", "judge entry", "sheet save")
ORDER = (
    "entrant upload plain", "tus create", "tus patch", "tus upload (get)", "status poll",
    *JUDGE_PAGES, "leaderboard", "/healthz",
)  # fmt: skip


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
        default=str(os.cpu_count() - 1) if (os.cpu_count() or 1) > 1 else None,
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


# --- The throwaway site ---------------------------------------------------------------------------------------


def database_urls(server_url: str) -> tuple[str, str]:
    """The URL of the throwaway database and of the server's maintenance database, from any URL on the server."""
    parts = urllib.parse.urlsplit(server_url)
    rush = parts._replace(path=f"/metascene_rush_{os.getpid()}").geturl()
    return rush, parts._replace(path="/postgres").geturl()


def admin_sql(admin_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(statement)


def set_up_data(*, entrants: int, judges: int, organisers: int) -> dict[str, Any]:
    """The accounts, entries and the open, assigned round of the rush, made through the services (in this process,
    with the site's settings). Every account has the same password, hashed once."""
    import factory
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from competitions.models import Panelist, Round
    from competitions.services import assignment, entries, judging, teams
    from tests.factories import (
        CompetitionFactory,
        CriterionFactory,
        JudgeFactory,
        RoundFactory,
        TeamFactory,
        TrackFactory,
        UserFactory,
        ready_entry,
    )

    password = factory.Transformer.Force(make_password(PASSWORD))  # the hash as it is, not hashed again
    organiser_users = [UserFactory(is_staff=True, password=password) for _ in range(max(organisers, 1))]

    competition = CompetitionFactory(max_upload_bytes=4 * 1024**3, max_triangles=5_000_000)
    track = TrackFactory(competition=competition)
    entrant_rows = []
    for number in range(entrants):
        user = UserFactory(password=password)
        team = teams.team_create(competition=competition, user=user, name=f"Rush team {number}")
        entry = entries.entry_create(team=team, track=track, user=user, title=f"Rush scene {number}")
        entrant_rows.append({"entry": entry.pk, "token": Token.objects.create(user=user).key})

    # A third more judges than the load's, who scored before the rush: the leaderboard has something to rank.
    seeded = max(1, judges // 3)
    round = RoundFactory(judges_per_entry=min(3, judges + seeded), method=Round.Method.NORMALISED)
    judged = round.competition
    tracks = [TrackFactory(competition=judged) for _ in range(3)]
    for position in range(5):
        CriterionFactory(round=round, position=position, weight=position + 1)
    for number in range(max(2 * (judges + seeded), 6)):
        captain = UserFactory(password=password)
        ready_entry(tracks[number % 3], team=TeamFactory(competition=judged, captain=captain))
    panel = [JudgeFactory(password=password) for _ in range(judges + seeded)]
    Panelist.objects.bulk_create([Panelist(round=round, user=judge) for judge in panel])
    organiser = organiser_users[0]
    judging.round_open(round=round, actor=organiser)
    assignment.round_assign(round=round, actor=organiser)
    criteria = list(round.criteria.all())
    for judge in panel[judges:]:
        for item in round.assignments.filter(judge=judge).select_related("round_entry"):
            values = {criterion.pk: {"value": f"{(item.pk * 7 + criterion.pk) % 21 / 2}"} for criterion in criteria}
            sheet = judging.sheet_save(round_entry=item.round_entry, judge=judge, version=0, values=values, comment="")
            judging.sheet_submit(round_entry=item.round_entry, judge=judge, version=sheet.version)
    return {
        "password": PASSWORD,
        "entrants": entrant_rows,
        "judges": [judge.email for judge in panel[:judges]],
        "organisers": [user.email for user in organiser_users],
        "round": round.pk,
        "competition": competition.pk,
    }


class Processes:
    """The site's processes, their logs in ``folder``, and a sampler of their peak memory."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.started: dict[str, subprocess.Popen[bytes]] = {}
        self.peak = {"web_pss": 0.0, "web_rss": 0.0, "workers_pss": 0.0, "workers_rss": 0.0}
        self._sampling = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def start(self, name: str, command: list[str]) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.started[name] = subprocess.Popen(command, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_sampling(self) -> None:
        self._sampling.set()
        self._sampler.start()

    def _sample(self) -> None:
        while self._sampling.is_set():
            web = self.started["web"].pid
            workers = [self.started[name].pid for name in ("validation", "rendering")]
            for key, value in (
                ("web_pss", tree_rss_mb(web)),
                ("web_rss", tree_rss_sum_mb(web)),
                ("workers_pss", sum(tree_rss_mb(pid) for pid in workers)),
                ("workers_rss", sum(tree_rss_sum_mb(pid) for pid in workers)),
            ):
                self.peak[key] = max(self.peak[key], value)
            time.sleep(1)

    def check_alive(self) -> None:
        for name, process in self.started.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}: see {self.folder / name}.log")

    def stop(self) -> None:
        self._sampling.clear()
        for process in self.started.values():
            process.terminate()
        for process in self.started.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def tree_cpu_all_seconds(pid: int) -> float:
    """CPU time used by a process, its living children and the children they have already reaped (the sandboxed
    stages of a worker end after each job)."""
    try:
        process = psutil.Process(pid)
        tree = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for p in tree:
        try:
            total += sum(p.cpu_times()[:4])
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def warm_up(site: str, processes: int) -> None:
    """A few requests in parallel, so that every gunicorn process has loaded its URLs, templates and translations
    before the load starts, as on a server that has been up for a while before the deadline."""

    def get(path: str) -> None:
        with urllib.request.urlopen(f"{site}{path}", timeout=60) as response:
            response.read()

    with ThreadPoolExecutor(max_workers=4 * processes) as pool:
        list(pool.map(get, ["/accounts/login/", "/healthz", "/"] * 4 * processes))


def sign_in(site: str, emails: list[str], password: str) -> tuple[dict[str, dict[str, str]], list[float]]:
    """Sign each judge and organiser in through the real login page before the rush, as people whose working day
    started earlier: {email: session cookies}, and how long each sign-in took (ms). The rush is then what the
    issue describes (uploads, browsing, scoring), not 32 password hashes in the same second."""

    def one(email: str) -> tuple[str, dict[str, str], float]:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        started = time.monotonic()
        opener.open(f"{site}/accounts/login/", timeout=60).read()
        csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        form = urllib.parse.urlencode({"username": email, "password": password, "csrfmiddlewaretoken": csrf})
        request = urllib.request.Request(
            f"{site}/accounts/login/", data=form.encode(), headers={"Referer": f"{site}/accounts/login/"}
        )
        opener.open(request, timeout=60).read()
        cookies = {cookie.name: cookie.value for cookie in jar}
        if "sessionid" not in cookies:
            raise RuntimeError(f"{email} could not sign in")
        return email, cookies, (time.monotonic() - started) * 1000

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(one, emails))
    return {email: cookies for email, cookies, _ in results}, [ms for _, _, ms in results]


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.3)


# --- Figures --------------------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``fraction`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def stored_originals(media_root: Path, entry_ids: list[int]) -> int:
    """Uploaded files on disk: ``revisions/<entry>/<uuid>.glb`` (a revision's artifacts are in a folder below)."""
    count = 0
    for entry_id in entry_ids:
        folder = media_root / "revisions" / str(entry_id)
        if folder.is_dir():
            count += sum(1 for path in folder.iterdir() if path.is_file())
    return count


def print_report(args: argparse.Namespace, result: dict[str, Any], figures: dict[str, Any]) -> list[str]:
    """Print the tables; return the broken invariants that ``--check`` fails on."""
    times, statuses = result["times"], result["statuses"]
    mode = "sync" if args.gunicorn_threads == 1 else f"gthread x{args.gunicorn_threads}"
    print(
        f"\nDeadline rush: {args.seconds} s, {args.entrants} entrants ({args.size_mb} MB GLBs, half tus), "
        f"{args.judges} judges, {args.organisers} organisers; gunicorn {args.gunicorn_workers} workers {mode}; "
        f"Celery workers -Q validation and -Q rendering (-c 1, nice {args.worker_nice}); {os.cpu_count()} cores"
    )
    print(f"\n{'page type':<22} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    for name in [*ORDER, *sorted(set(times) - set(ORDER))]:
        values = times.get(name) or []
        if not values:
            continue
        answered = ", ".join(f"{status}: {count}" for status, count in sorted(statuses[name].items()))
        print(
            f"{name:<22} {len(values):>8} {statistics.median(values):>8.0f} {percentile(values, 0.95):>8.0f} "
            f"{percentile(values, 0.99):>8.0f}  {answered}"
        )
    judge_times = [t for name in JUDGE_PAGES for t in times.get(name, [])]
    judge_p95 = percentile(judge_times, 0.95) if judge_times else float("nan")
    steady = [
        t
        for name in JUDGE_PAGES
        for t, at in zip(times.get(name, []), result["started_at"].get(name, []), strict=True)
        if at >= STEADY_AFTER
    ]
    steady_p95 = percentile(steady, 0.95) if steady else float("nan")
    totals: Counter[str] = Counter()
    for counts in statuses.values():
        totals.update(counts)
    errors = {status: count for status, count in totals.items() if not status.startswith(("2", "3"))}
    server_errors = sum(count for status, count in totals.items() if status.startswith("5"))
    unanswered = sum(count for status, count in totals.items() if status.startswith("no answer"))

    accepted = len(result["accepted"])
    print()
    print(f"uploads accepted                {accepted} ({accepted * args.size_mb:,} MB)")
    print(
        f"judge pages p95                 {judge_p95:.0f} ms (target <= {JUDGE_P95_TARGET_MS} ms)"
        + (f"; {steady_p95:.0f} ms after the first {STEADY_AFTER} s (every entrant's first upload)" if steady else "")
    )
    print(f"errors by status                {', '.join(f'{s}: {c}' for s, c in sorted(errors.items())) or 'none'}")
    print(f"web peak memory (gunicorn, all) {figures['web_pss']:.0f} MB PSS, {figures['web_rss']:.0f} MB RSS")
    print(f"workers peak memory (both)      {figures['workers_pss']:.0f} MB PSS, {figures['workers_rss']:.0f} MB RSS")
    drain = figures["drain_seconds"]
    print(
        "queue drained after the load    "
        + (f"{drain:.1f} s" if drain is not None else f"not within {args.drain_timeout} s")
    )
    cpu = ", ".join(f"{role} {seconds:.0f}" for role, seconds in figures["cpu"].items())
    print(f"CPU seconds used                {cpu}")
    print(
        f"revisions                       {figures['rows']} in the database, {figures['files']} files on disk, "
        f"{figures['final']} final ({figures['by_status']})"
    )
    lost = not accepted == figures["rows"] == figures["files"] == figures["final"] or figures["unknown"]
    print()
    print(f"invariant: zero 5xx, all answered {'yes' if not server_errors and not unanswered else 'NO'}")
    print(f"invariant: zero lost uploads      {'yes' if not lost else 'NO'}")
    print(f"target: judge pages p95 <= {JUDGE_P95_TARGET_MS} ms {'yes' if judge_p95 <= JUDGE_P95_TARGET_MS else 'NO'}")
    broken = []
    if server_errors:
        broken.append(f"{server_errors} answers were 5xx")
    if unanswered:
        broken.append(f"{unanswered} requests had no answer (connection reset or closed)")
    if args.entrants and not accepted:
        broken.append("no upload was accepted")
    if lost:
        broken.append(
            f"lost uploads: {accepted} accepted, {figures['rows']} revisions in the database, {figures['files']} "
            f"files on disk, {figures['final']} final; accepted but not in the database: {figures['unknown']}"
        )
    return broken


# --- The run --------------------------------------------------------------------------------------------------


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
        from django.db import connections

        from competitions.models import EntryRevision

        call_command("migrate", verbosity=0)
        setup = set_up_data(entrants=args.entrants, judges=args.judges, organisers=args.organisers)
        (work / "setup.json").write_text(json.dumps(setup))
        glb = padded_glb(args.size_mb, work)
        print(f"Set up in {time.monotonic() - started:.0f} s; starting the site.", flush=True)

        python = sys.executable
        nice = ["nice", "-n", str(args.worker_nice)] if args.worker_nice else []
        if args.worker_cpus and args.worker_cpus != "all":
            nice = ["taskset", "-c", args.worker_cpus, *nice]
        processes.start(
            "web",
            [python, "-m", "gunicorn", "--pythonpath", "platform", "-b", f"127.0.0.1:{args.port}",
             "-w", str(args.gunicorn_workers), "--threads", str(args.gunicorn_threads),
             "-k", "sync" if args.gunicorn_threads == 1 else "gthread",
             "--timeout", "300", "--keep-alive", str(KEEP_ALIVE), "--log-level", "warning", "metascene.wsgi"],
        )  # fmt: skip
        for queue in ("validation", "rendering"):
            processes.start(
                queue,
                [*nice, python, "-m", "celery", "-A", "metascene", "worker", "-Q", queue, "-c", "1",
                 "-n", f"rush-{queue}@%h", "-l", "warning", "--without-gossip", "--without-mingle",
                 "--without-heartbeat"],
            )  # fmt: skip
        site = f"http://127.0.0.1:{args.port}"
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
        load_cpu_before = before.ru_utime + before.ru_stime
        with (work / "locust.log").open("wb") as log:
            subprocess.run(
                [python, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", site,
                 "-u", str(sum(users.values())), "-r", str(args.spawn_rate), "-t", f"{args.seconds}s",
                 "--stop-timeout", "300", "--only-summary", "--loglevel", "WARNING", *chosen],
                cwd=REPO, env=load_env, stdout=log, stderr=subprocess.STDOUT, timeout=args.seconds + 600,
            )  # fmt: skip
        load_stopped = time.monotonic()
        load_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        load_cpu_seconds = load_cpu.ru_utime + load_cpu.ru_stime - load_cpu_before
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
                "workers": sum(tree_cpu_all_seconds(processes.started[q].pid) for q in ("validation", "rendering")),
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

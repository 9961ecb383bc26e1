"""The throwaway site of the deadline rush (bench/rush.py): its database on a PostgreSQL server, its processes
(gunicorn and a Celery worker per queue, with their logs, peak memory and CPU time), and the requests made before
the load (waiting for it, warming it up, signing the judges and organisers in)."""

import argparse
import http.cookiejar
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.harness import REPO, tree_rss_mb, tree_rss_sum_mb

# Longer than any pause of a client between two requests (gunicorn's default is 2 s): a connection the server closes
# just as the client reuses it is a request lost, which browsers retry and the load generator does not.
KEEP_ALIVE = 30
WORKER_QUEUES = ("validation", "rendering")
Cookies = dict[str, str | None]  # name: value, as http.cookiejar has them


def database_urls(server_url: str) -> tuple[str, str]:
    """The URL of the throwaway database and of the server's maintenance database, from any URL on the server."""
    parts = urllib.parse.urlsplit(server_url)
    rush = parts._replace(path=f"/metascene_rush_{os.getpid()}").geturl()
    return rush, parts._replace(path="/postgres").geturl()


def admin_sql(admin_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(statement)


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
            workers = [self.started[name].pid for name in WORKER_QUEUES]
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


def start_site(processes: Processes, args: argparse.Namespace) -> str:
    """Start gunicorn and a Celery worker for each queue (``-c 1``, under ``nice`` and pinned as ``args`` say);
    return the site's address."""
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
    for queue in WORKER_QUEUES:
        processes.start(
            queue,
            [*nice, python, "-m", "celery", "-A", "metascene", "worker", "-Q", queue, "-c", "1",
             "-n", f"rush-{queue}@%h", "-l", "warning", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
        )  # fmt: skip
    return f"http://127.0.0.1:{args.port}"


def warm_up(site: str, processes: int) -> None:
    """A few requests in parallel, so that every gunicorn process has loaded its URLs, templates and translations
    before the load starts, as on a server that has been up for a while before the deadline."""

    def get(path: str) -> None:
        with urllib.request.urlopen(f"{site}{path}", timeout=60) as response:
            response.read()

    with ThreadPoolExecutor(max_workers=4 * processes) as pool:
        list(pool.map(get, ["/accounts/login/", "/healthz", "/"] * 4 * processes))


def sign_in(site: str, emails: list[str], password: str) -> tuple[dict[str, Cookies], list[float]]:
    """Sign each judge and organiser in through the real login page before the rush, as people whose working day
    started earlier: {email: session cookies}, and how long each sign-in took (ms). The rush is then what the
    issue describes (uploads, browsing, scoring), not 32 password hashes in the same second."""

    def one(email: str) -> tuple[str, Cookies, float]:
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

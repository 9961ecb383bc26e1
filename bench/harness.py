"""What the benchmarks share: a throwaway site (gunicorn, optionally a Celery worker) on a temporary folder, an
entrant with a token and an entry, and a streaming multipart upload through the real HTTP API."""

import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
PORT = 8791
SETUP = """
from competitions.services import teams, entries
from tests.factories import CompetitionFactory, TrackFactory, UserFactory
from rest_framework.authtoken.models import Token
competition = CompetitionFactory(max_upload_bytes=4 * 1024**3, max_triangles=5_000_000)
track = TrackFactory(competition=competition)
user = UserFactory()
team = teams.team_create(competition=competition, user=user, name="Bench")
entry = entries.entry_create(team=team, track=track, user=user, title="Bench scene")
print(entry.pk, Token.objects.create(user=user).key)
"""


class Site:
    """gunicorn on 127.0.0.1:PORT and, with ``worker=True``, a Celery worker on both queues, on SQLite in a
    temporary folder and the filesystem broker there, or Redis at ``redis_url`` (the production broker). Use as a
    context manager."""

    def __init__(self, *, worker: bool = False, redis_url: str | None = None) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="metascene-bench-"))
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "metascene.settings.local",
            "METASCENE_VAR_DIR": str(self.work / "var"),
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_DEBUG": "false",
            "PYTHONPATH": f"{REPO}:{REPO / 'platform'}",
        }
        self.env.pop("DATABASE_URL", None)
        self.env.pop("REDIS_URL", None)
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.with_worker = worker
        self.processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> "Site":
        python = sys.executable
        subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=REPO, env=self.env, check=True)
        out = subprocess.run(
            [python, "manage.py", "shell", "-c", SETUP], cwd=REPO, env=self.env, check=True, capture_output=True,
            text=True,
        ).stdout.split()  # fmt: skip
        self.entry_id, self.token = int(out[-2]), out[-1]
        self.server = self._start(
            [python, "-m", "gunicorn", "--pythonpath", "platform", "-w", "1", "-b", f"127.0.0.1:{PORT}",
             "--timeout", "600", "--log-level", "warning", "metascene.wsgi"],
        )  # fmt: skip
        if self.with_worker:
            self.worker = self._start(
                [python, "-m", "celery", "-A", "metascene", "worker", "-Q", "validation,rendering", "-P", "solo",
                 "-c", "1", "-l", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            )  # fmt: skip
        self._wait_for_server()
        return self

    def __exit__(self, *exc: object) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def _start(self, command: list[str]) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(command, cwd=REPO, env=self.env)
        self.processes.append(process)
        return process

    def _wait_for_server(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.request("GET", "/healthz")
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def request(self, method: str, path: str) -> tuple[int, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
        connection.request(method, path, headers={"Authorization": f"Token {self.token}"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")

    def upload(self, path: Path) -> dict:
        """Stream ``path`` to POST /api/entries/<id>/revisions/ in 1 MB pieces; returns the revision's JSON."""
        return upload_glb(PORT, self.token, self.entry_id, path)

    def wait_idle(self, quiet_seconds: float = 0.5, timeout: float = 120) -> None:
        """Wait until the worker and its children have used no CPU for ``quiet_seconds`` (the turntable that
        follows a ready revision is finished), so the next upload meets an idle worker."""
        deadline = time.monotonic() + timeout
        last = tree_cpu_seconds(self.worker.pid)
        while time.monotonic() < deadline:
            time.sleep(quiet_seconds)
            now = tree_cpu_seconds(self.worker.pid)
            if now - last < 0.02 * quiet_seconds:
                return
            last = now

    def wait_for_worker(self, timeout: float = 60) -> None:
        """Wait until the worker has reported in (its first heartbeat: connected and consuming), as the site's
        processing page would show it; with the SQLite database of this site only."""
        import sqlite3

        database = self.work / "var" / "metascene.sqlite3"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with sqlite3.connect(database) as connection:
                    if connection.execute("SELECT COUNT(*) FROM competitions_workerheartbeat").fetchone()[0]:
                        return
            except sqlite3.OperationalError:
                pass  # the table is being migrated or locked
            time.sleep(0.05)
        raise RuntimeError("the worker did not report in")

    def server_worker_pid(self) -> int:
        return psutil.Process(self.server.pid).children()[0].pid


def upload_glb(port: int, token: str, entry_id: int, path: Path) -> dict:
    """Stream ``path`` to POST /api/entries/<entry_id>/revisions/ on 127.0.0.1:``port`` in 1 MB pieces (multipart
    built on the fly, never whole in memory), signed in by API ``token``; returns the revision's JSON."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: model/gltf-binary\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.putrequest("POST", f"/api/entries/{entry_id}/revisions/")
    connection.putheader("Authorization", f"Token {token}")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + path.stat().st_size + len(tail)))
    connection.endheaders()
    for chunk in _body(head, path, tail):
        connection.send(chunk)
    response = connection.getresponse()
    payload = json.loads(response.read())
    connection.close()
    if response.status != 201:
        raise RuntimeError(f"upload refused ({response.status}): {payload}")
    return payload


def _body(head: bytes, path: Path, tail: bytes) -> Iterator[bytes]:
    yield head
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            yield chunk
    yield tail


def tree_rss_mb(pid: int) -> float:
    """Memory of a process and all its children, in MB (0 if it is gone): the sum of their proportional set sizes,
    so pages shared between a parent and its forked children are counted once, not once per process."""
    return _tree_sum(pid, lambda p: p.memory_full_info().pss) / 2**20


def tree_rss_sum_mb(pid: int) -> float:
    """Resident memory of a process and all its children, in MB: their resident set sizes summed, so a page shared
    between processes is counted once per process (an upper bound; ``tree_rss_mb`` is the fair share)."""
    return _tree_sum(pid, lambda p: p.memory_info().rss) / 2**20


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its living children."""
    return _tree_sum(pid, lambda p: sum(p.cpu_times()[:2]))


def tree_cpu_all_seconds(pid: int) -> float:
    """CPU time used by a process, its living children and the children they have already reaped (the sandboxed
    stages of a worker end after each job)."""
    return _tree_sum(pid, lambda p: sum(p.cpu_times()[:4]))


def _tree_sum(pid: int, measure: Callable[[psutil.Process], float]) -> float:
    """``measure`` summed over a process and its children, skipping any that end or hide meanwhile."""
    try:
        process = psutil.Process(pid)
        processes = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for p in processes:
        try:
            total += measure(p)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total

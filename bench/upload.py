"""Upload throughput and server memory through the real HTTP API, against a real server process.

    .venv/bin/python bench/upload.py [--sizes 1,64,256]

It starts gunicorn (one sync worker) on a throwaway SQLite database in a temporary folder, creates an entrant
with a token, then for each size (MB) streams a valid GLB to POST /api/entries/<id>/revisions/ from disk in 1 MB
chunks (multipart built on the fly, never whole in memory) and prints the time, the throughput, and the server
worker's peak resident memory (VmHWM). The server streams uploads to a temporary file and hashes while copying,
so its peak should stay flat as files grow. Processing is not measured here (no Celery worker runs).
"""

import argparse
import http.client
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PORT = 8791
SETUP = """
from competitions.services import teams, entries
from tests.factories import CompetitionFactory, TrackFactory, UserFactory
from rest_framework.authtoken.models import Token
competition = CompetitionFactory(max_upload_bytes=4 * 1024**3)
track = TrackFactory(competition=competition)
user = UserFactory()
team = teams.team_create(competition=competition, user=user, name="Bench")
entry = entries.entry_create(team=team, track=track, user=user, title="Bench scene")
print(entry.pk, Token.objects.create(user=user).key)
"""


def padded_glb(size_mb: int, folder: Path) -> Path:
    """A valid GLB of about ``size_mb`` MB: the sample cube with a large, unused tail in its BIN chunk."""
    sys.path[:0] = [str(REPO)]
    from competitions.pipeline.samples import box_glb

    glb = box_glb()
    bin_at = 20 + struct.unpack_from("<I", glb, 12)[0]
    bin_length = struct.unpack_from("<I", glb, bin_at)[0]
    extra = size_mb * 1024 * 1024
    path = folder / f"scene-{size_mb}mb.glb"
    with path.open("wb") as f:
        f.write(struct.pack("<4sII", b"glTF", 2, len(glb) + extra))
        f.write(glb[12:bin_at])
        f.write(struct.pack("<I4s", bin_length + extra, b"BIN\0"))
        f.write(glb[bin_at + 8 :])
        block = b"\0" * (1024 * 1024)
        for _ in range(size_mb):
            f.write(block)
    return path


def multipart(path: Path, boundary: str) -> tuple[int, Iterator[bytes]]:
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: model/gltf-binary\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        with path.open("rb") as f:
            while chunk := f.read(1024 * 1024):
                yield chunk
        yield tail

    return len(head) + path.stat().st_size + len(tail), body()


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,64,256", help="comma-separated sizes in MB")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]

    work = Path(tempfile.mkdtemp(prefix="metascene-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "metascene.settings.local",
        "METASCENE_VAR_DIR": str(work / "var"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_DEBUG": "false",
        "PYTHONPATH": f"{REPO}:{REPO / 'platform'}",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=REPO, env=env, check=True)
    out = subprocess.run(
        [python, "manage.py", "shell", "-c", SETUP], cwd=REPO, env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    entry_id, token = out[-2], out[-1]

    server = subprocess.Popen(
        [python, "-m", "gunicorn", "--pythonpath", "platform", "-w", "1", "-b", f"127.0.0.1:{PORT}",
         "--timeout", "600", "--log-level", "warning", "metascene.wsgi"],
        cwd=REPO, env={**env, "DJANGO_SETTINGS_MODULE": "metascene.settings.local"},
    )  # fmt: skip
    try:
        time.sleep(3)
        worker_pid = int(subprocess.check_output(["pgrep", "-P", str(server.pid)]).split()[0])
        print(f"POST /api/entries/<id>/revisions/ on gunicorn (1 sync worker), SQLite, {os.cpu_count()} cores")
        print(f"{'size MB':>8} {'seconds':>8} {'MB/s':>7} {'server peak RSS MB':>19}")
        for size in sizes:
            path = padded_glb(size, work)
            boundary = uuid.uuid4().hex
            length, body = multipart(path, boundary)
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
            started = time.perf_counter()
            connection.putrequest("POST", f"/api/entries/{entry_id}/revisions/")
            connection.putheader("Authorization", f"Token {token}")
            connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
            connection.putheader("Content-Length", str(length))
            connection.endheaders()
            for chunk in body:
                connection.send(chunk)
            response = connection.getresponse()
            payload = json.loads(response.read())
            elapsed = time.perf_counter() - started
            assert response.status == 201, payload
            print(f"{size:>8} {elapsed:>8.2f} {size / elapsed:>7.0f} {peak_rss_mb(worker_pid):>19.0f}")
            path.unlink()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()

"""Upload throughput and server memory through the real HTTP API, against a real server process.

    .venv/bin/python bench/upload.py [--sizes 1,64,256]

Starts gunicorn (one sync worker) on a throwaway SQLite database, then for each size (MB) streams a valid GLB to
POST /api/entries/<id>/revisions/ from disk (multipart built on the fly, never whole in memory) and prints the
time, the throughput, and the server worker's peak resident memory (VmHWM). The server streams uploads to a
temporary file and hashes them on the way, so its peak should stay flat as files grow. No Celery worker runs.
"""

import argparse
import struct
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1])]

from bench.harness import Site  # noqa: E402
from competitions.pipeline.samples import box_glb  # noqa: E402


def padded_glb(size_mb: int, folder: Path) -> Path:
    """A valid GLB of about ``size_mb`` MB: the sample cube with a large, unused tail in its BIN chunk."""
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


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,64,256", help="comma-separated sizes in MB")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    with Site() as site:
        server = site.server_worker_pid()
        print("POST /api/entries/<id>/revisions/ on gunicorn (1 sync worker), SQLite")
        print(f"{'size MB':>8} {'seconds':>8} {'MB/s':>7} {'server peak RSS MB':>19}")
        for size in sizes:
            path = padded_glb(size, site.work)
            started = time.perf_counter()
            site.upload(path)
            elapsed = time.perf_counter() - started
            print(f"{size:>8} {elapsed:>8.2f} {size / elapsed:>7.0f} {peak_rss_mb(server):>19.0f}")
            path.unlink()


if __name__ == "__main__":
    main()

"""The figures of the deadline rush (bench/rush.py): percentiles by page type, answers by status, memory, drain
and CPU, and the invariants ``--check`` fails on."""

import argparse
import math
import os
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

JUDGE_P95_TARGET_MS = 300
STEADY_AFTER = 30
JUDGE_PAGES = ("judge home", "judge queue", "judge entry", "sheet save")
ORDER = (
    "entrant upload plain", "tus create", "tus patch", "tus upload (get)", "status poll",
    *JUDGE_PAGES, "leaderboard", "/healthz",
)  # fmt: skip


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

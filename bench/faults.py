"""Deadline day, something breaks: run each fault's tests and print what the person sees, how long recovery took
and whether it passed.

    .venv/bin/python bench/faults.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/faults REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/faults.py

Each fault is scripted in its tests against real processes: a PostgreSQL connection terminated from another one
(``pg_terminate_backend``; PostgreSQL only, skipped on SQLite), a sandboxed stage child that sleeps until the wall
clock stops it, a private ``redis-server`` restarted without persistence under a real Celery worker; the full disk
is simulated at the write (ENOSPC after the first bytes) and, when run as root, is a real full tmpfs. This script
runs them with pytest, one fault at a time, and reads the outcome and the recovery time the tests record
(``record_property("recovery_seconds", ...)``) from pytest's JUnit report. Nothing here is estimated: a fault whose
tests were skipped says so, and why.
"""

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Fault:
    name: str
    tests: tuple[str, ...]
    user_sees: str
    recovery: str  # what the recovery time measures


FAULTS = (
    Fault(
        "PostgreSQL backend terminated mid-request",
        ("tests/frontend/test_database_outage.py",),
        "503 page in the site's layout, “Back in a moment … try again in a few seconds” (JSON "
        "`database_unavailable` under /api/), Retry-After: 30",
        "from the failed request to the next page served",
    ),
    Fault(
        "Media disk full (ENOSPC) during an upload",
        (
            "tests/services/test_storage_full.py",
            "tests/services/test_storage_really_full.py",
            "tests/api/test_storage_full.py",
            "tests/frontend/test_storage_full.py",
        ),
        "507, “The server's disk is full; your file was not saved. Try again in a few minutes; the organisers have "
        "been told.”; no file, no revision; a tus chunk keeps the offset",
        "the next upload once there is room",
    ),
    Fault(
        "A render that hangs (stage child sleeps, no CPU)",
        ("tests/pipeline/test_sandbox.py", "tests/services/test_stage_hangs.py"),
        "“An internal error stopped processing. The problem is on our side, not in your file; the organisers have "
        "been told.” after 3 attempts; staff emailed; a busy file still gets LIMIT_TIME",
        "from the first attempt to failed (three 1-second wall limits)",
    ),
    Fault(
        "Redis restarted with tasks queued",
        ("tests/test_redis_restart.py",),
        "nothing: every upload is accepted, even one made while Redis is down; each revision becomes ready once",
        "from the sweep to every revision ready",
    ),
)


@dataclass
class Outcome:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    skip_reason: str = ""
    seconds: float = 0.0
    recovery_seconds: float | None = None

    def result(self) -> str:
        if self.failed:
            return f"**FAILED** {self.failed} of {self.passed + self.failed}"
        if self.passed:
            skipped = f", {self.skipped} skipped" if self.skipped else ""
            return f"passed {self.passed}{skipped}"
        return f"skipped: {self.skip_reason}"


def run(fault: Fault, report: Path) -> Outcome:
    command = [
        sys.executable, "-m", "pytest", "--ds=metascene.settings.test", "-q", "-p", "no:cacheprovider",
        f"--junitxml={report}", *fault.tests,
    ]  # fmt: skip
    subprocess.run(command, cwd=REPO, env=os.environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    outcome = Outcome()
    for case in ElementTree.parse(report).iter("testcase"):
        outcome.seconds += float(case.get("time", 0))
        skipped = case.find("skipped")
        if case.find("failure") is not None or case.find("error") is not None:
            outcome.failed += 1
        elif skipped is not None:
            outcome.skipped += 1
            outcome.skip_reason = (skipped.get("message") or "").removeprefix("Skipped: ")
        else:
            outcome.passed += 1
        for prop in case.iter("property"):
            if prop.get("name") == "recovery_seconds":
                value = float(prop.get("value", 0))
                outcome.recovery_seconds = max(outcome.recovery_seconds or 0.0, value)
    return outcome


def main() -> int:
    database = os.environ.get("DATABASE_URL", "SQLite").split("@")[-1]
    broker = os.environ.get("REDIS_URL", "filesystem broker")
    print(f"Database: {database}; broker of the other tests: {broker}\n")
    print("| fault | what the user sees | recovery | tests | time |")
    print("| --- | --- | --- | --- | --- |")
    failed = False
    with tempfile.TemporaryDirectory(prefix="metascene-faults-") as folder:
        for index, fault in enumerate(FAULTS):
            outcome = run(fault, Path(folder) / f"fault-{index}.xml")
            failed = failed or outcome.failed > 0
            recovery = (
                f"{outcome.recovery_seconds:.2f} s ({fault.recovery})"
                if outcome.recovery_seconds is not None
                else fault.recovery
            )
            print(
                f"| {fault.name} | {fault.user_sees} | {recovery} | {outcome.result()} | {outcome.seconds:.1f} s |",
                flush=True,
            )
    print(
        "| A worker killed mid-render | the revision goes back to the queue and becomes ready once "
        "| see tests/test_worker_kill.py | not run here | |"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

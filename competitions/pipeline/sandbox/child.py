"""The sandbox's child process, ``python -m competitions.pipeline.sandbox.child``: it imports the ``preload``
modules (and calls the warm-up function of an entry written "module:function"), says it is ready, waits on stdin
for one job, sets its limits before it reads a byte of the file, runs the job and reports on its pipe as JSON
lines: the job's progress events, then the result (or why there is none)."""

import contextlib
import ctypes
import importlib
import json
import math
import os
import resource
import signal
import sys
import traceback
from typing import Any

from competitions.pipeline.report import AssetRejected
from competitions.pipeline.sandbox import EXIT_MEMORY, Job

# How far past its CPU soft limit (SIGXCPU) a child may go before the kernel's SIGKILL.
CPU_GRACE_SECONDS = 2
PR_SET_PDEATHSIG = 1


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to kill this process when the worker that started it dies (SIGKILL included)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _limit(memory_bytes: int, address_space: bool, cpu_seconds: int) -> None:
    kind = resource.RLIMIT_AS if address_space else resource.RLIMIT_DATA
    resource.setrlimit(kind, (memory_bytes, memory_bytes))
    # RLIMIT_CPU counts from the process's start: the seconds spent importing are added, not charged to the file.
    spent = math.ceil(_cpu_seconds())
    resource.setrlimit(resource.RLIMIT_CPU, (spent + cpu_seconds, spent + cpu_seconds + CPU_GRACE_SECONDS))
    # SIGXCPU dumps core by default: a hostile file must not fill the disk with cores either.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _usage(cpu_before_job: float) -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        # ru_maxrss is in kilobytes on Linux.
        "max_rss_bytes": max(own.ru_maxrss, children.ru_maxrss) * 1024,
        "cpu_seconds": own.ru_utime + own.ru_stime - cpu_before_job,
    }


def child_main(parent_pid: int, events_fd: int, preload: list[str]) -> int:
    """Import ``preload``, wait for one job on stdin, run it within its limits and report on ``events_fd``."""
    _die_with_parent(parent_pid)
    events = os.fdopen(events_fd, "w", buffering=1)

    def send(message: dict[str, Any]) -> None:
        events.write(json.dumps(message) + "\n")

    failed_import = None
    for entry in preload:
        module, _, warm_up = entry.partition(":")
        try:
            loaded = importlib.import_module(module)
        except Exception as exc:  # reported when the job comes, as the job's failure
            failed_import = exc, traceback.format_exc()
            break
        if warm_up:
            try:
                getattr(loaded, warm_up)()
            except Exception:  # the job meets the same trouble and reports it as its own
                traceback.print_exc()
    send({"type": "ready"})  # imported and warmed up (``sandbox.prestart(wait=...)`` waits for this)
    line = sys.stdin.readline()
    if not line:  # dismissed without a job
        return 0
    request = json.loads(line)
    cpu_before_job = _cpu_seconds()
    # The parent charges the job only with the CPU spent after this: a cold child's own start (its imports) is
    # not the file's doing, and would otherwise make a job that hangs look busy.
    send({"type": "started", "cpu_seconds": cpu_before_job})
    _limit(request["memory_bytes"], request["address_space"], request["cpu_seconds"])
    try:
        if failed_import:
            send({"type": "error", "error": repr(failed_import[0]), "traceback": failed_import[1]})
            return 1
        module_name, _, function_name = request["target"].partition(":")
        job: Job = getattr(importlib.import_module(module_name), function_name)
        value = job(request["payload"], lambda event: send({"type": "stage-event", "event": event}))
        send({"type": "result", "value": value, "usage": _usage(cpu_before_job)})
    except MemoryError:
        try:
            send({"type": "memory"})
        except MemoryError:
            return EXIT_MEMORY
    except AssetRejected as exc:
        send({"type": "rejected", "messages": [m.to_dict() for m in exc.messages]})
    except Exception as exc:
        send({"type": "error", "error": repr(exc), "traceback": traceback.format_exc()})
        return 1
    return 0


if __name__ == "__main__":
    code = child_main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:])
    # The job's files are written and its report sent: leave without the interpreter's teardown (unloading
    # numpy, moderngl and Mesa's threads takes longer than a small scene's whole job) while the worker waits.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

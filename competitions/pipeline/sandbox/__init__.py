"""Run a heavy stage in a child process with memory, CPU and wall-clock limits, so a hostile file cannot take the
worker down with it.

``run_in_sandbox("competitions.pipeline.run:validation_job", payload, budget, workdir=...)`` hands the job to a
child, ``python -m competitions.pipeline.sandbox.child``: a fresh interpreter, so nothing of the worker's state,
database connections or threads is inherited. The child sets its limits before it reads a byte of the file, calls
``job(payload, emit)`` and sends JSON lines back over a pipe: ``emit``'s progress events, then the result. The
parent watches the child's whole process tree (a stage may start Node) and kills it when the tree's resident
memory passes the budget or the wall clock runs out (``watch``). A child runs one job and exits.

Starting Python and importing trimesh, numpy and moderngl costs about a second, more than validating or rendering a
small scene. With ``keep_warm``, the next child is started as soon as a job ends: it imports the ``preload`` modules
(our code, before any limit: the file is not there yet) and waits on stdin for its job, so a worker pays that
second while it is idle rather than while an entrant waits.

A child stopped by a limit means the file is at fault: ``AssetRejected`` with a LIMIT_MEMORY, LIMIT_CPU_TIME or
LIMIT_TIME message. Any other death (a segfault, the kernel's OOM killer, an exception in our code) is ours:
``SandboxError``, which the tasks retry a bounded number of times. So is a child that ran out of wall clock while
its process tree used almost no CPU (``SandboxHung``): it was waiting on something (a lock, a pipe, a stuck mount),
not working through a heavy file, and another try may well pass.

Memory is limited with RLIMIT_AS (every byte of address space) for stages that can afford it, and RLIMIT_DATA
(private writable memory only) for stages whose libraries reserve address space they never use: V8 reserves
about 10 GB for each WebAssembly memory (gltfpack), and Mesa's llvmpipe maps more the more cores there are. Both
fail an allocation over the budget at once, so Python raises MemoryError instead of the machine swapping.
"""

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from competitions.pipeline.report import AssetRejected, Message, error, gettext_noop

from .watch import Watch

REPO = Path(__file__).resolve().parents[3]
# What a child runs, with ``python -m``.
CHILD_MODULE = "competitions.pipeline.sandbox.child"
# Exit status of a child that ran out of memory in Python (MemoryError), when it could not even report it.
EXIT_MEMORY = 3
# BLAS and OpenMP pools sized to the machine would reserve memory per core and compete with the worker's other
# processes; the stages gain nothing from them.
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# A child stopped by the wall clock whose process tree spent less CPU than this share of the wall-clock budget was
# hung, not busy: even four heavy stages sharing one core would each get a quarter of it.
HUNG_CPU_SHARE = 0.1

Emit = Callable[[dict[str, Any]], None]
Job = Callable[[dict[str, Any], Emit], dict[str, Any]]


@dataclass(frozen=True)
class Budget:
    """What one run of a stage may use. ``address_space`` False limits RLIMIT_DATA instead of RLIMIT_AS."""

    memory_bytes: int
    cpu_seconds: int
    wall_seconds: float
    address_space: bool = True


@dataclass(frozen=True)
class Finished:
    """A stage's result and what it cost: peak resident memory of the child and its children, CPU seconds."""

    value: dict[str, Any]
    peak_rss_bytes: int
    cpu_seconds: float
    wall_seconds: float


class SandboxError(Exception):
    """Our fault, not the file's: the child raised an unexpected exception or died of something we did not limit."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message)
        self.log = log


class SandboxCancelled(SandboxError):
    """The caller no longer wanted the job (its ``cancel`` event was set) and the child was stopped."""


class SandboxCrashed(SandboxError):
    """The child died of a signal we did not send (a segfault, an abort, the kernel's OOM killer)."""


class SandboxHung(SandboxCrashed):
    """The wall clock ran out while the child's process tree was all but idle: it hung, through no fault of the
    file. Transient, like a crash: the tasks retry it."""


def run_in_sandbox(
    target: str,
    payload: dict[str, Any],
    budget: Budget,
    *,
    workdir: Path,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    preload: Sequence[str] = (),
    keep_warm: bool = False,
    cancel: threading.Event | None = None,
) -> Finished:
    """Run ``target`` ("package.module:function") on ``payload`` in a child process within ``budget``.

    Blocks until the child is done; its output is kept in ``workdir``. ``on_event`` is called in this process for
    each event the job emits. ``preload`` names modules the child imports before its job ("module:function" also
    calls that function, without arguments, to warm the module up: its failure is left for the job to meet); with
    ``keep_warm`` the next child for the same ``preload`` is started as soon as no job runs in this process. Raises
    AssetRejected when a limit stops the child (or the job rejects the file) and SandboxError when the child fails
    for any other reason. The child and everything it started are gone when this returns. Setting ``cancel`` (from
    another thread) stops the child within a tenth of a second: SandboxCancelled.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    key = tuple(preload)
    child = _take(key)
    started = time.monotonic()
    watch = Watch(
        child.process, memory_bytes=budget.memory_bytes, deadline=started + budget.wall_seconds, cancel=cancel
    )
    request = {
        "target": target,
        "payload": payload,
        "memory_bytes": budget.memory_bytes,
        "address_space": budget.address_space,
        "cpu_seconds": budget.cpu_seconds,
    }
    _job_started()
    try:
        watch.start()
        with contextlib.suppress(BrokenPipeError):  # the child died before its job: told by its exit status
            child.process.stdin.write(json.dumps(request).encode() + b"\n")
            child.process.stdin.close()
        final = watch.follow(child.events, on_event or _ignore)
    except BaseException:
        watch.kill()
        raise
    finally:
        try:
            os.close(child.events)
            watch.stop()
            log = workdir / f"sandbox-{target.rpartition(':')[2]}.log"
            shutil.move(child.log, log)
        finally:
            _job_ended(key if keep_warm else None)
    return _outcome(final, watch, budget, time.monotonic() - started, log)


def _ignore(event: dict[str, Any]) -> None:
    pass


def _child_environment() -> dict[str, str]:
    env = {**os.environ, **SINGLE_THREADED}
    paths = [str(REPO), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


class _Child:
    """A started child, importing its modules or done with them, waiting on stdin for its one job."""

    def __init__(self, preload: tuple[str, ...]) -> None:
        self.owner = os.getpid()
        read_end, write_end = os.pipe()
        log_fd, log = tempfile.mkstemp(prefix="metascene-sandbox-", suffix=".log")
        self.log = Path(log)
        try:
            self.process = psutil.Popen(
                [sys.executable, "-m", CHILD_MODULE, str(os.getpid()), str(write_end), *preload],
                cwd=REPO,
                env=_child_environment(),
                stdin=subprocess.PIPE,
                stdout=log_fd,
                stderr=log_fd,
                pass_fds=(write_end,),
                # Its own process group, so that killing the group takes the child's own children (Node) too.
                start_new_session=True,
            )
        except BaseException:
            os.close(read_end)
            self.log.unlink(missing_ok=True)
            raise
        finally:
            os.close(write_end)
            os.close(log_fd)
        self.events = read_end
        self.ready = False  # its "ready" line read by wait_ready (follow() skips it otherwise)

    def wait_ready(self, timeout: float) -> bool:
        """Wait until the child has imported and warmed up its modules (its "ready" line); False if it has not
        within ``timeout`` seconds or died first. Only before its job: the line is consumed here."""
        deadline = time.monotonic() + timeout
        received = b""
        while not received.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.events], [], [], remaining)[0]:
                return False
            chunk = os.read(self.events, 1 << 12)
            if not chunk:
                return False
            received += chunk
        return True

    def usable(self) -> bool:
        return self.owner == os.getpid() and self.process.poll() is None

    def discard(self) -> None:
        if self.owner != os.getpid():  # a copy inherited through fork: the child belongs to the parent process
            return
        with contextlib.suppress(psutil.NoSuchProcess, ProcessLookupError):
            self.process.kill()
            self.process.wait()
        os.close(self.events)
        self.log.unlink(missing_ok=True)


_warm: dict[tuple[str, ...], _Child] = {}
_warm_lock = threading.Lock()
# Jobs running in this process, and the children to start warm once none is: a child importing its modules while
# other jobs run (two stages side by side) would take the CPU they are waiting for.
_running = 0
_to_prestart: list[tuple[str, ...]] = []


def _job_started() -> None:
    global _running
    with _warm_lock:
        _running += 1


def _job_ended(keep_warm: tuple[str, ...] | None) -> None:
    global _running
    with _warm_lock:
        _running -= 1
        if keep_warm is not None and keep_warm not in _to_prestart:
            _to_prestart.append(keep_warm)
        if _running:
            return
        keys = list(_to_prestart)
        _to_prestart.clear()
    for key in keys:
        _prestart(key)


def _take(key: tuple[str, ...]) -> _Child:
    """The warm child for ``key`` if one is waiting, or a new one."""
    with _warm_lock:
        child = _warm.pop(key, None)
    if child is not None and child.usable():
        return child
    if child is not None:
        child.discard()
    return _Child(key)


def prestart(preload: Sequence[str], *, wait: float = 0) -> bool:
    """Start a warm child for ``preload`` now, if none is waiting: a worker calls this as it starts, so that even its
    first job finds its modules imported and warmed up (``run_in_sandbox`` with ``keep_warm`` does it after each
    job). With ``wait``, waits up to that many seconds for the child to be ready; returns whether it is."""
    key = tuple(preload)
    _prestart(key)
    if not wait:
        return True
    with _warm_lock:
        child = _warm.get(key)
        if child is None or child.ready:
            return child is not None
        child.ready = child.wait_ready(wait)
        return child.ready


def _prestart(key: tuple[str, ...]) -> None:
    with _warm_lock:
        if key in _warm and _warm[key].usable():
            return
        _warm[key] = _Child(key)


@atexit.register
def _dismiss_warm_children() -> None:
    with _warm_lock:
        children = list(_warm.values())
        _warm.clear()
    for child in children:
        child.discard()


def _outcome(final: dict[str, Any] | None, watch: Watch, budget: Budget, wall: float, log_path: Path) -> Finished:
    kind = (final or {}).get("type")
    code = watch.returncode
    if final is not None and kind == "result" and code == 0:
        usage = final.get("usage", {})
        return Finished(
            value=final["value"],
            peak_rss_bytes=max(watch.peak_rss, int(usage.get("max_rss_bytes", 0))),
            cpu_seconds=float(usage.get("cpu_seconds", watch.job_cpu_seconds)),
            wall_seconds=wall,
        )
    if final is not None and kind == "rejected":
        raise AssetRejected([Message.from_dict(m) for m in final["messages"]])
    if watch.killed_for == "cancelled":
        raise SandboxCancelled("The stage was cancelled by its caller.", _tail(log_path))
    if watch.killed_for == "memory" or kind == "memory" or code == EXIT_MEMORY:
        raise AssetRejected([memory_exceeded(budget.memory_bytes)])
    if code == -signal.SIGXCPU or (code == -signal.SIGKILL and watch.job_cpu_seconds >= budget.cpu_seconds):
        raise AssetRejected([cpu_time_exceeded(budget.cpu_seconds)])
    log = _tail(log_path)
    if watch.killed_for == "time" and watch.job_tree_cpu_seconds < HUNG_CPU_SHARE * budget.wall_seconds:
        raise SandboxHung(
            f"The stage's process hung: it was stopped after {budget.wall_seconds:.0f} seconds, having used "
            f"{watch.job_tree_cpu_seconds:.1f} seconds of CPU.",
            log,
        )
    if watch.killed_for == "time":
        raise AssetRejected([time_exceeded(budget.wall_seconds)])
    if final is not None and kind == "error":
        raise SandboxError(f"The stage failed: {final.get('error')}\n{final.get('traceback', '')}", log)
    if code is not None and code < 0:
        raise SandboxCrashed(f"The stage's process died of {_signal_name(-code)}.", log)
    raise SandboxError(f"The stage's process exited with status {code} without a result.", log)


def memory_exceeded(limit: int) -> Message:
    return error(
        "LIMIT_MEMORY",
        gettext_noop(
            "Processing this file needed more than %(megabytes)s MB of memory, the most one upload may use. "
            "Make the scene lighter (fewer or simpler meshes, smaller textures) and upload it again."
        ),
        megabytes=limit // 2**20,
    )


def cpu_time_exceeded(seconds: int) -> Message:
    return error(
        "LIMIT_CPU_TIME",
        gettext_noop(
            "Processing this file needed more than %(seconds)s seconds of CPU time, the most one upload may use. "
            "Make the scene lighter (fewer or simpler meshes, smaller textures) and upload it again."
        ),
        seconds=seconds,
    )


def time_exceeded(seconds: float) -> Message:
    return error(
        "LIMIT_TIME",
        gettext_noop(
            "Processing this file took longer than %(seconds)s seconds, the most one upload may take. "
            "Make the scene lighter (fewer or simpler meshes, smaller textures) and upload it again."
        ),
        seconds=f"{seconds:.0f}",
    )


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-limit:]
    except OSError:
        return ""

"""Follows a sandbox child while it runs: reads its events, samples its process tree's memory and CPU, and kills
the whole tree when the memory budget or the wall clock runs out."""

import contextlib
import json
import os
import select
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import psutil

POLL_SECONDS = 0.1


class Watch:
    """Follows a running child: reads its events, samples its tree's memory and CPU, enforces the wall clock."""

    def __init__(
        self, process: psutil.Popen, *, memory_bytes: int, deadline: float, cancel: threading.Event | None = None
    ) -> None:
        self.process = process
        self.cancel = cancel  # set by the caller's other thread: stop the child
        self.memory_bytes = memory_bytes
        self.deadline = deadline  # on the time.monotonic() clock
        self.killed_for: str | None = None
        self.peak_rss = 0
        # CPU seconds the child spent starting (imports, before its job): not charged to the file. Sampled when the
        # job is sent, and raised to what the child reports when it starts the job (a cold child imports after).
        self.cpu_before_job = 0.0
        self.cpu_seconds = 0.0
        # CPU seconds of the child and everything it started (Node included), the finished ones too.
        self.tree_cpu_seconds = 0.0
        self.returncode: int | None = None
        # Every process the child was seen to start, so that none outlives it even if it left the process group.
        self.seen: set[psutil.Process] = set()

    def start(self) -> None:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = self.process.cpu_times()
            self.cpu_before_job = times.user + times.system

    def follow(self, fd: int, on_event: Callable[[dict[str, Any]], None]) -> dict[str, Any] | None:
        buffered = b""
        final: dict[str, Any] | None = None
        while True:
            readable, _, _ = select.select([fd], [], [], POLL_SECONDS)
            if readable:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    break
                buffered += chunk
                *lines, buffered = buffered.split(b"\n")
                for line in lines:
                    event = json.loads(line)
                    if event.get("type") == "stage-event":
                        on_event(event["event"])
                    elif event.get("type") == "ready":
                        continue  # done preloading, before the job came
                    elif event.get("type") == "started":
                        self.cpu_before_job = max(self.cpu_before_job, float(event["cpu_seconds"]))
                    else:
                        final = event
            if self.process.poll() is not None and not readable:
                break
            self._sample()
            if self.killed_for is None and self.peak_rss > self.memory_bytes:
                self._kill("memory")
            elif self.killed_for is None and time.monotonic() > self.deadline:
                self._kill("time")
            elif self.killed_for is None and self.cancel is not None and self.cancel.is_set():
                self._kill("cancelled")
        return final

    @property
    def job_cpu_seconds(self) -> float:
        return max(0.0, self.cpu_seconds - self.cpu_before_job)

    @property
    def job_tree_cpu_seconds(self) -> float:
        return max(0.0, self.tree_cpu_seconds - self.cpu_before_job)

    def _sample(self) -> None:
        try:
            processes = [self.process, *self.process.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        self.seen.update(processes[1:])
        rss = 0
        tree_cpu = 0.0
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                rss += process.memory_info().rss
                times = process.cpu_times()
                # A process's children_* times are those of its children it has waited for (gone from the tree).
                tree_cpu += times.user + times.system + times.children_user + times.children_system
                if process.pid == self.process.pid:
                    self.cpu_seconds = max(self.cpu_seconds, times.user + times.system)
        self.peak_rss = max(self.peak_rss, rss)
        self.tree_cpu_seconds = max(self.tree_cpu_seconds, tree_cpu)

    def kill(self) -> None:
        """Stop the child and everything it started, at once."""
        with contextlib.suppress(psutil.NoSuchProcess):
            self.seen.update(self.process.children(recursive=True))
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        for process in [self.process, *self.seen]:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()

    def _kill(self, reason: str) -> None:
        self.killed_for = reason
        self.kill()

    def stop(self) -> None:
        """Reap the child; whatever it left running is killed, and gone when this returns."""
        if self.process.poll() is None and self.killed_for is None:
            # The pipe closed but the child lives on (it handed the pipe to a process of its own): not expected.
            try:
                self.process.wait(timeout=max(0.0, self.deadline - time.monotonic()))
            except psutil.TimeoutExpired:
                self._kill("time")
        self.returncode = self.process.wait()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        leftovers = [process for process in self.seen if alive(process)]
        for process in leftovers:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        psutil.wait_procs(leftovers, timeout=5)


def alive(process: psutil.Process) -> bool:
    """Running and not a zombie (a killed orphan waits for init to reap it, but it does nothing any more)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False

"""A disk that fills up, simulated at the edge: files opened for writing under one folder take so many bytes in
all, then every write fails with ENOSPC, as on a real volume that ran out of room. What fitted is written first,
so the code under test finds a half-written file to clean up, exactly as it would on a full disk."""

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock


class _FillingFile:
    """A file object whose writes stop with ENOSPC once the shared ``room`` is used up."""

    def __init__(self, file: Any, room: list[int]) -> None:
        self._file = file
        self._room = room

    def write(self, data: bytes) -> int:
        if len(data) > self._room[0]:
            self._file.write(data[: self._room[0]])
            self._room[0] = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room[0] -= len(data)
        return self._file.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)

    def __enter__(self) -> "_FillingFile":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._file.close()


@contextmanager
def disk_full_under(folder: Path | str, *, room: int = 100) -> Iterator[None]:
    """Within the block, files opened with ``os.fdopen`` for writing under ``folder`` (Django's file storage and the
    upload services open their files so) share ``room`` bytes; the write that needs more fails with ENOSPC."""
    real_fdopen = os.fdopen
    left = [room]
    folder = Path(folder).resolve()

    def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        file = real_fdopen(fd, mode, *args, **kwargs)
        path = Path(os.readlink(f"/proc/self/fd/{fd}"))  # Linux: the path the descriptor was opened with
        if any(flag in mode for flag in "wa+") and path.is_relative_to(folder):
            return _FillingFile(file, left)
        return file

    with mock.patch("os.fdopen", fdopen):
        yield

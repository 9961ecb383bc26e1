"""The load of bench/pages.py: a closed-loop HTTP/1.1 client on asyncio, run in a process of its own so that the
bench's Python (and its data building) never shares an interpreter with it.

Each of ``connections`` tasks sends one GET after another for ``seconds``, cycling through its paths, and times
each request from the moment it is sent (or its connection opened) to the last byte of the answer. A connection is
kept while the server keeps it (gunicorn's gthread worker does; the sync worker closes it after each answer, so each
request then opens a new one, as a proxy in front of a sync worker would). The answer is read by its
Content-Length, or to the end when the server closes.
"""

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    """What one run measured: the seconds each request took, the answers by status, the errors (connection refused
    or reset, a timeout), the run's length and the CPU time the client itself used."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    elapsed: float = 0.0
    client_cpu: float = 0.0


def _request_bytes(path: str, host: str, cookie: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "User-Agent: metascene-bench", "Accept: text/html"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """(status, whether the connection may be reused) of one answer read to its last byte."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip().lower()
    keep = headers.get("connection") != "close"
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
        return status, keep
    await reader.read()  # no length: the answer ends when the server closes
    return status, False


async def _connection(
    host: str, port: int, requests: list[bytes], offset: int, deadline: float, result: LoadResult
) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    number = offset
    while time.monotonic() < deadline:
        request = requests[number % len(requests)]
        number += 1
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            assert reader is not None
            writer.write(request)
            status, keep = await asyncio.wait_for(_read_answer(reader), timeout=60)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError):
            result.errors += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        result.latencies.append(time.perf_counter() - started)
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if not keep:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _run(host: str, port: int, paths: list[str], cookie: str, connections: int, seconds: float) -> LoadResult:
    result = LoadResult()
    requests = [_request_bytes(path, f"{host}:{port}", cookie) for path in paths]
    cpu, started = time.process_time(), time.monotonic()
    deadline = started + seconds
    await asyncio.gather(
        *(_connection(host, port, requests, number, deadline, result) for number in range(connections))
    )
    result.elapsed = time.monotonic() - started
    result.client_cpu = time.process_time() - cpu
    return result


def run_load(host: str, port: int, paths: list[str], cookie: str, connections: int, seconds: float) -> LoadResult:
    """``connections`` closed-loop connections asking ``paths`` in turn for ``seconds``; call it in a process of
    its own (``concurrent.futures.ProcessPoolExecutor``)."""
    return asyncio.run(_run(host, port, paths, cookie, connections, seconds))

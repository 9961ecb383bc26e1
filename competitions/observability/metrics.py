"""The metrics each process counts as it works, and their exposition in Prometheus' text format.

Counted where things happen: web requests (``frontend.observability.RequestMetricsMiddleware``), stage durations,
rejections and failures (``competitions.services.processing``). Read when Prometheus scrapes: queue depth,
revisions by status, workers' heartbeats (``competitions.observability.pipeline``).

Several processes (gunicorn's workers, Celery's prefork pool): with ``PROMETHEUS_MULTIPROC_DIR`` set before the
processes start, prometheus_client keeps every process's values in that folder and an exposition adds them up;
production settings set it to a fresh folder of the process that loads them (gunicorn's master with preload_app,
Celery's main process), so the processes it forks share it. Without it, each process counts for itself.
"""

import logging
import os
import time
from collections.abc import Iterable
from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    Metric,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# A request that matched no route; a method outside METHODS. Labels stay a small, fixed set.
UNMATCHED = "<unmatched>"
OTHER = "other"

http_requests = Counter(
    "metascene_http_requests",
    "Web requests answered, by method, route name (not path) and status class.",
    ["method", "route", "status"],
)
http_request_duration = Histogram(
    "metascene_http_request_duration_seconds",
    "Time from the request reaching Django to its response, by method and route name.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
stage_duration = Histogram(
    "metascene_stage_duration_seconds",
    "Time a processing stage took, from its claim to its verdict: validation, rendering, turntable.",
    ["stage"],
    buckets=(0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200),
)
revisions_rejected = Counter(
    "metascene_revisions_rejected",
    "Revisions rejected (the file's fault), by stage and the code of the first error.",
    ["stage", "reason"],
)
revisions_failed = Counter(
    "metascene_revisions_failed",
    "Revisions failed through our fault, by stage and reason (attempts, internal, time_limit, other).",
    ["stage", "reason"],
)


def request_observe(*, method: str, route: str | None, status: int, seconds: float) -> None:
    method = method if method in METHODS else OTHER
    route = route or UNMATCHED
    http_requests.labels(method=method, route=route, status=f"{status // 100}xx").inc()
    http_request_duration.labels(method=method, route=route).observe(seconds)


def stage_finished(stage: str, started: float) -> None:
    """``stage`` reached its verdict; ``started`` is the ``time.monotonic()`` of its claim."""
    stage_duration.labels(stage=stage).observe(time.monotonic() - started)


def revision_rejected(*, stage: str, error_codes: list[str]) -> None:
    """A revision was rejected at ``stage``; its reason is the code of its first error (the pipeline's codes, a
    fixed set)."""
    revisions_rejected.labels(stage=stage, reason=error_codes[0] if error_codes else OTHER).inc()


def revision_failed(*, stage: str, reason: str) -> None:
    revisions_failed.labels(stage=stage, reason=reason).inc()


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def counted_registry() -> CollectorRegistry:
    """The values this process counted, or, in multiprocess mode, those of every process sharing the folder."""
    if multiprocess_dir() is None:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


class _Together(Collector):
    def __init__(self, *collectors: Collector) -> None:
        self.collectors = collectors

    def collect(self) -> Iterable[Metric]:
        for collector in self.collectors:
            yield from collector.collect()


def exposition(*extra: Collector) -> bytes:
    """The text Prometheus reads: what was counted, then the ``extra`` collectors, read now."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Together(counted_registry(), *extra))
    return generate_latest(registry)


def worker_metrics_serve(port: int, addr: str = "0.0.0.0") -> WSGIServer | None:
    """Serve this worker's counted metrics (its pool's too, in multiprocess mode) on ``port``, from a thread. A port
    already taken (two workers on one machine given the same port) is logged and the worker runs on without it."""
    try:
        server, _thread = start_http_server(port, addr=addr, registry=counted_registry())
    except OSError as exc:
        logger.error("Worker metrics not served: port %s could not be opened (%s)", port, exc)
        return None
    return server

"""The web's part of observability: each request's id (for the JSON log lines, echoed in ``X-Request-ID``) and its
count and latency for Prometheus (``competitions.observability.metrics``), labelled by route name, never by path."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from competitions.observability import logs, metrics


class RequestMetricsMiddleware:
    """First in MIDDLEWARE, so that its time and status include everything the other middleware does."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        token = logs.request_id.set(logs.request_id_from(request.headers.get("X-Request-ID")))
        try:
            response = self.get_response(request)
            response.headers.setdefault("X-Request-ID", logs.request_id.get() or "")
        finally:
            logs.request_id.reset(token)
        match = request.resolver_match
        metrics.request_observe(
            method=request.method or "",
            route=match.view_name if match is not None else None,
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response

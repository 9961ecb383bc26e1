"""What a person sees when the site's own machinery fails for a moment: a page in the site's layout (or, under
``/api/``, the API's error body) that says what happened and when to try again, never a traceback.

- The database connection broke or the server cannot be reached (``OperationalError``, ``InterfaceError``: a
  backend terminated mid-request, PostgreSQL restarting, a failover): 503 with ``Retry-After``. The broken
  connection is closed at once, so the next request opens a fresh one.
- The disk is full where no service caught it (``OSError`` ENOSPC, e.g. while Django spools a large upload to its
  temporary file): 507 with ``Retry-After``, and the organisers are told (``services.storage``).

``ServiceUnavailableMiddleware`` answers exceptions raised by views (DRF's included: its handler leaves unknown
exceptions to Django); ``server_error``, the site's ``handler500``, answers the same failures anywhere else (in a
middleware, while a session is saved).
"""

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

from competitions.exceptions import ErrorCode
from competitions.services import storage

logger = logging.getLogger(__name__)

DATABASE_RETRY_AFTER_SECONDS = 30


def unavailable_response(request: HttpRequest, exception: BaseException | None) -> HttpResponse | None:
    """The 503 or 507 answer for ``exception`` when it is a database outage or a full disk; None otherwise."""
    if isinstance(exception, OperationalError | InterfaceError):
        logger.error("The database failed during %s %s", request.method, request.path, exc_info=exception)
        _close_broken_connections()
        return _answer(
            request,
            status=503,
            code=ErrorCode.DATABASE_UNAVAILABLE,
            title=_("Back in a moment"),
            message=_(
                "The site lost its connection to its database, so your request could not be completed. "
                "Please try again in a few seconds."
            ),
            retry_after=DATABASE_RETRY_AFTER_SECONDS,
        )
    if exception is not None and storage.is_disk_full(exception):
        full = storage.storage_full(where=request.path)
        return _answer(
            request,
            status=full.status,
            code=full.code,
            title=_("The server's disk is full"),
            message=full.message,
            retry_after=full.retry_after_seconds,
        )
    return None


def _close_broken_connections() -> None:
    """Close every connection a database error left unusable, so the next query reconnects. A connection inside a
    transaction is left to the code that opened it."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def _answer(
    request: HttpRequest, *, status: int, code: ErrorCode, title: str, message: str, retry_after: int
) -> HttpResponse:
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"code": code, "detail": message, "field": None}, status=status)
    else:
        retry_url = request.get_full_path() if request.method == "GET" else None
        html = render_to_string("503.html", {"title": title, "message": message, "retry_url": retry_url})
        response = HttpResponse(html, status=status)
    response["Retry-After"] = str(retry_after)
    return response


class ServiceUnavailableMiddleware:
    """Answers a view's database outage or full disk with ``unavailable_response``. Last in MIDDLEWARE, so it is
    the first to see a view's exception."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return unavailable_response(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """The site's 500 page, or the 503/507 answer when the error being handled is an outage."""
    return unavailable_response(request, sys.exc_info()[1]) or defaults.server_error(request)

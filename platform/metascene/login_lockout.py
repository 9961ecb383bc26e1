"""The wiring of django-axes, which locks out password guessing on the login pages (``/accounts/login/`` and
``/admin/login/``): failures are counted per account and per client address, and either reaching the limit locks
it for the cool-off (settings ``AXES_FAILURE_LIMIT`` and ``AXES_COOLOFF_TIME``)."""

from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from competitions.exceptions import ErrorCode


class LoginPageLockoutBackend(AxesStandaloneBackend):
    """Refuses every login of a locked-out account or address, before the password is checked.

    Axes' own backend raises when ``authenticate()`` is called without a request; this one passes such a call on to
    the next backend, uncounted (axes needs the request to know the address). The login pages and the API token
    service give the request; the test client's ``login()`` does not.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> AbstractBaseUser | None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind ``METASCENE_PROXY_COUNT`` trusted reverse proxies the
    address the outermost proxy saw, counted from the right of ``X-Forwarded-For``.

    Behind a proxy every request comes from the proxy's own address, which would lock out the whole site at
    once; and the left of ``X-Forwarded-For`` is whatever the client chose to send, so only the proxies' own
    entries (on the right) are believed.
    """
    proxies = settings.METASCENE_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """What a locked-out login gets, 429 with Retry-After, in the visitor's language: the API's error body under
    ``/api/`` (the token endpoint), otherwise a page in the site's layout."""
    cool_off = get_cool_off(request) or timedelta(0)
    minutes = max(1, round(cool_off.total_seconds() / 60))
    if request.path.startswith("/api/"):
        detail = ngettext(
            "Too many failed logins: logging in to this account or from this address is paused for %(minutes)d minute.",
            "Too many failed logins: logging in to this account or from this address is paused for %(minutes)d "
            "minutes.",
            minutes,
        ) % {"minutes": minutes}
        response: HttpResponse = JsonResponse(
            {"code": ErrorCode.LOCKED_OUT, "detail": detail, "field": None}, status=429
        )
    else:
        context = {"minutes": minutes, "failure_limit": get_failure_limit(request, credentials)}
        response = render(request, "portal/accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response

"""How the API reports a request the competition's rules refuse."""

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from competitions.exceptions import RuleError, StaleVersion, StorageFull


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn a ``RuleError`` from a service into ``400 {"code", "detail", "field"}``; leave the rest to DRF.

    Every refusal is a 400, conflicts included, so a script needs to read only ``code`` to know what happened;
    the exceptions are ``StaleVersion`` (a save based on an older version), a 409 with the same body plus the
    current ``version`` when the error carries it, and ``StorageFull`` (the server's disk is full, nobody's rule),
    a 507 with ``Retry-After``.
    """
    if isinstance(exc, StorageFull):
        body = {"code": exc.code, "detail": exc.message, "field": exc.field}
        return Response(body, status=exc.status, headers={"Retry-After": str(exc.retry_after_seconds)})
    if isinstance(exc, StaleVersion):
        body = {"code": exc.code, "detail": exc.message, "field": exc.field}
        body["version"] = getattr(exc, "current_version", None)
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RuleError):
        body = {"code": exc.code, "detail": exc.message, "field": exc.field}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)

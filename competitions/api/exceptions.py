"""How the API reports an error: every 4xx has the body ``{"code", "detail", "field"}``.

A rule's refusal, invalid input, a missing or wrong token, a missing object, a method, media type or rate the
endpoint does not take: a script reads ``code`` to know what happened and ``field`` to know where. Invalid input
with several problems adds ``errors``, all of them, the first one repeated at the top.
"""

import inspect
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any, TypeVar

from django.core import validators as django_validators
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, fields, relations, serializers, status, validators
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from competitions.exceptions import ErrorCode, RuleError, StaleVersion, StorageFull

ErrorBody = dict[str, Any]
T = TypeVar("T")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn an exception raised in an API view into its error response; ``None`` (a 500) for anything else.

    Every refusal by the rules (``RuleError``) is a 400, so a script needs to read only ``code`` to know what
    happened; the one exception is ``StaleVersion`` (a save based on an older version), a 409 with the same body
    plus the current ``version`` when the error carries it. DRF's own exceptions keep their status and headers
    (``WWW-Authenticate``, ``Retry-After``) and get this body.
    """
    if isinstance(exc, StorageFull):
        # The server's disk is full, nobody's rule: 507 with Retry-After (competitions.services.storage).
        body = {"code": exc.code, "detail": exc.message, "field": exc.field}
        return Response(body, status=exc.status, headers={"Retry-After": str(exc.retry_after_seconds)})
    if isinstance(exc, StaleVersion):
        body = {"code": exc.code, "detail": exc.message, "field": exc.field}
        body["version"] = getattr(exc, "current_version", None)
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RuleError):
        body = {"code": exc.code, "detail": exc.message, "field": exc.field}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.APIException):
        response.data = error_body(exc)
    return response


def error_body(exc: exceptions.APIException) -> ErrorBody:
    """``{"code", "detail", "field"}`` for ``exc``; with ``errors`` for a validation error."""
    if not isinstance(exc, exceptions.ValidationError):
        codes = exc.get_codes()
        return {"code": codes if isinstance(codes, str) else exc.default_code, "detail": str(exc.detail), "field": None}
    errors = _flatten(exc.detail, ())
    if not errors:
        errors = [{"code": exc.default_code, "detail": str(exc.default_detail), "field": None}]
    return {**errors[0], "errors": errors}


def _flatten(detail: Any, path: Sequence[str]) -> list[ErrorBody]:
    """Every error of a ValidationError's detail (nested dicts and lists), each with the dotted path of its field."""
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
            errors += _flatten(value, path if key == api_settings.NON_FIELD_ERRORS_KEY else (*path, str(key)))
        return errors
    if isinstance(detail, list):
        errors = []
        for index, value in enumerate(detail):
            errors += _flatten(value, (*path, str(index)) if isinstance(value, dict | list) else path)
        return errors
    code = getattr(detail, "code", None) or "invalid"
    return [{"code": code, "detail": str(detail), "field": ".".join(path) or None}]


@cache
def error_codes() -> list[str]:
    """Every ``code`` an API error body can carry, sorted; the schema lists them as the enumeration of ``code``.

    Our own (``ErrorCode``: the rules' refusals, the upload protocol's, the site's 503/507/429), DRF's exceptions
    (``not_found``, ``throttled``...), and the codes of invalid input: those of DRF's fields (``required``,
    ``max_length``...) and of the Django validators they run (``null_characters_not_allowed``...).
    """
    codes = {code.value for code in ErrorCode}
    codes |= {cls.default_code for cls in _subclasses(exceptions.APIException)}
    for field_class in _subclasses(fields.Field):
        codes |= set(getattr(field_class, "default_error_messages", {}))
    codes |= set(serializers.Serializer.default_error_messages) | set(relations.RelatedField.default_error_messages)
    codes |= {
        validator.code
        for _name, validator in inspect.getmembers(django_validators, inspect.isclass)
        if isinstance(getattr(validator, "code", None), str)
    }
    codes |= {validators.ProhibitSurrogateCharactersValidator.code}
    return sorted(codes)


def _subclasses(cls: type[T]) -> Iterator[type[T]]:
    yield cls
    for subclass in cls.__subclasses__():
        yield from _subclasses(subclass)


# The enumeration's name in the OpenAPI schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
ERROR_CODES = error_codes()


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404 page, or for an /api/ URL that matches no route (an upload id that is not a UUID, an entry
    id that is not a number) the API's error body."""
    if request.path.startswith("/api/"):
        body = {"code": "not_found", "detail": _("Not found."), "field": None}
        return JsonResponse(body, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)

"""The OpenAPI schema's error responses: every operation documents the errors it can answer, with the one error
body of ``competitions.api.exceptions``, so a client (or a schema checker) finds each status it may get."""

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import Direction
from rest_framework.permissions import AllowAny

from .serializers import ErrorSerializer

# What each status means, when the view did not say.
DESCRIPTIONS = {
    "400": "Invalid input (a malformed body, parameter or header), or refused by the competition's rules.",
    "401": "No valid token or session: log in, or send `Authorization: Token <key>`.",
    "403": "Not allowed: a session request without its CSRF token, or an account that may not do this.",
    "404": "No such object, or not one the caller may see (the same answer, so ids reveal nothing).",
    "415": "The request body's Content-Type is not one this operation reads.",
    "429": "Too many requests: wait for the seconds in the Retry-After header.",
}
BODY_METHODS = {"POST", "PUT", "PATCH"}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the error responses each operation can give:

    - 400 where there is input (a body or parameters), 415 where there is a body;
    - 401 where the view authenticates (a wrong token), 403 where it requires more than nothing;
    - 404 where the path names an object, or the list is paged (a page past the end);
    - 429 where the view is throttled.

    Responses the view documents itself (a 409 with the current version, a tus 412) are kept; an error response
    it documents without a body gets the error body.
    """

    def _error_statuses(self) -> list[str]:
        parameters = self._get_parameters()
        has_body = self.method in BODY_METHODS
        statuses = []
        if has_body or any(parameter["in"] != "path" for parameter in parameters):
            statuses.append("400")
        if self.view.authentication_classes:  # a wrong token is a 401 even where anyone may read
            statuses.append("401")
        if not all(permission is AllowAny for permission in self.view.permission_classes):
            statuses.append("403")
        paged = self._is_list_view() and getattr(self.view, "pagination_class", None) is not None
        if any(parameter["in"] == "path" for parameter in parameters) or paged:
            statuses.append("404")
        if has_body and self.get_request_serializer() is not None:
            statuses.append("415")
        if self.view.throttle_classes:
            statuses.append("429")
        return statuses

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self._error_statuses():
            responses.setdefault(code, self._get_response_for_code(ErrorSerializer, code, direction=direction))
            responses[code]["description"] = responses[code].get("description") or DESCRIPTIONS[code]
        for code, response in responses.items():
            if code.startswith("4") and "content" not in response:
                error = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["content"] = error["content"]
        return responses

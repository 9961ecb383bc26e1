"""Every API error has the documented body {"code", "detail", "field"} (invalid input adds "errors"), keeps its
status and headers, and is documented on the operations that can give it."""

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from competitions.api.exceptions import error_body
from tests.factories import EntryFactory, UserFactory

pytestmark = pytest.mark.django_db

KEYS = {"code", "detail", "field"}


@pytest.fixture
def alice():
    return UserFactory()


def test_invalid_input_with_several_problems_names_the_first_and_lists_them_all(client_for, alice):
    response = client_for(alice).post("/api/teams/", {"name": ""}, format="json")

    body = response.json()
    assert response.status_code == 400
    assert {error["field"] for error in body["errors"]} == {"competition", "name"}
    assert {key: body[key] for key in KEYS} == body["errors"][0]
    assert all(set(error) == KEYS and error["code"] and error["detail"] for error in body["errors"])


def test_a_nested_field_is_named_by_its_path_and_a_non_field_error_by_none():
    exc = ValidationError({"scores": [{}, {"value": ["Not a number."]}], "non_field_errors": ["Save first."]})

    body = error_body(exc)

    assert body["errors"] == [
        {"code": "invalid", "detail": "Not a number.", "field": "scores.1.value"},
        {"code": "invalid", "detail": "Save first.", "field": None},
    ]
    assert body["field"] == "scores.1.value"


def test_malformed_json_is_a_400_parse_error(client_for, alice):
    response = client_for(alice).post("/api/teams/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["field"] is None


def test_no_token_is_a_401_that_says_how_to_authenticate(anonymous):
    response = anonymous.get("/api/teams/")

    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "detail": response.json()["detail"], "field": None}
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_a_401_even_where_anyone_may_read(anonymous):
    anonymous.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = anonymous.get("/api/competitions/")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_session_request_without_its_csrf_token_is_a_403(alice):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post("/api/teams/", {"competition": "x", "name": "y"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert set(response.json()) == KEYS


def test_another_teams_entry_is_a_404_with_the_error_body(client_for, alice):
    entry = EntryFactory()

    response = client_for(alice).get(f"/api/entries/{entry.pk}/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found.", "field": None}


@pytest.mark.parametrize("path", ["/api/uploads/not-a-uuid/", "/api/judging/entries/abc/", "/api/no-such-thing/"])
def test_an_api_url_that_matches_no_route_is_a_json_404(client_for, alice, path):
    response = client_for(alice).get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": "Not found.", "field": None}


def test_a_page_that_does_not_exist_is_still_the_sites_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_method_the_endpoint_does_not_take_is_a_405(client_for, alice):
    response = client_for(alice).delete("/api/teams/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_a_body_in_an_unreadable_media_type_is_a_415(client_for, alice):
    response = client_for(alice).post("/api/teams/", "name=x", content_type="text/plain")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_too_many_token_requests_is_a_429_with_retry_after(anonymous):
    for _attempt in range(11):
        response = anonymous.post("/api/auth/token/", {"email": "a@example.com", "password": "x"}, format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_a_rules_refusal_keeps_its_code_and_field(client_for, alice):
    response = client_for(alice).post("/api/teams/join/", {"invite_code": "NOPE"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == KEYS
    assert response.json()["code"] not in ("invalid", "required")


def test_errors_are_in_chinese_when_chinese_is_asked_for(anonymous):
    response = anonymous.get("/api/teams/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not response.json()["detail"].isascii()


# --- The schema -------------------------------------------------------------------------------------------------


@pytest.fixture
def schema(anonymous):
    return anonymous.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def _error_schema(response: dict) -> str:
    return response["content"]["application/json"]["schema"]["$ref"]


def test_every_error_response_in_the_schema_has_the_error_body(schema):
    errors = [
        (path, method, status, response)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if status.startswith("4")
    ]

    assert len(errors) > 100
    for path, method, status, response in errors:
        assert _error_schema(response).rsplit("/", 1)[1] in {"Error", "StaleVersion", "UploadConflict"}, (
            path,
            method,
            status,
        )


def test_the_schema_documents_each_operations_errors(schema):
    paths = schema["paths"]

    assert {"400", "415", "429"} <= set(paths["/api/auth/token/"]["post"]["responses"])
    assert "401" not in paths["/api/auth/token/"]["post"]["responses"]
    assert {"400", "401", "403", "404", "415"} <= set(paths["/api/entries/{id}/"]["patch"]["responses"])
    assert {"401", "404"} <= set(paths["/api/competitions/{slug}/"]["get"]["responses"])
    assert {"409", "412", "413", "415"} <= set(paths["/api/uploads/{id}/"]["patch"]["responses"])
    assert "412" in paths["/api/entries/{id}/uploads/"]["post"]["responses"]
    assert "409" in paths["/api/judging/entries/{round_entry_id}/sheet/"]["put"]["responses"]


def test_the_error_body_lists_every_problem_in_errors(schema):
    error = schema["components"]["schemas"]["Error"]

    assert error["required"] == ["code", "detail", "field"]
    assert error["properties"]["errors"]["items"]["$ref"].endswith("/ErrorItem")

import pytest
from django.core.management import call_command

from competitions.api.exceptions import error_codes
from competitions.exceptions import ErrorCode
from tests.factories import EntryFactory, TeamFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_schema_is_served_and_describes_the_upload_as_multipart(anonymous):
    response = anonymous.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    upload = response.json()["paths"]["/api/entries/{id}/revisions/"]["post"]
    assert list(upload["requestBody"]["content"]) == ["multipart/form-data"]


def test_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn exits non-zero on any warning, e.g. a serializer field spectacular cannot type.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


def test_swagger_docs_page_is_served(anonymous):
    response = anonymous.get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger-ui" in response.content


def test_the_schema_lists_every_error_code_as_one_enumeration(anonymous):
    schema = anonymous.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    listed = schema["components"]["schemas"]["ErrorCodeEnum"]["enum"]
    assert {code.value for code in ErrorCode} <= set(listed)
    assert {"not_found", "throttled", "required", "null_characters_not_allowed"} <= set(listed)
    code = schema["components"]["schemas"]["Error"]["properties"]["code"]
    assert code["allOf"][0]["$ref"] == "#/components/schemas/ErrorCodeEnum"


def test_a_rule_refusal_answers_with_a_code_of_the_enumeration(client_for):
    alice = UserFactory()
    team = TeamFactory(captain=alice)
    games = TrackFactory(competition=team.competition, slug="games")
    EntryFactory(team=team, track=games)

    response = client_for(alice).post(
        "/api/entries/", {"team": team.pk, "track": "games", "title": "Two"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == ErrorCode.TRACK_LIMIT == "track_limit"
    assert response.json()["code"] in error_codes()

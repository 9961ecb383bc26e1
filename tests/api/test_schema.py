import pytest
from django.core.management import call_command

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

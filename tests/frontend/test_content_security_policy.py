"""Every kind of response carries the Content-Security-Policy, and nowhere does it allow inline scripts or styles
(ReDoc's page alone allows inline styles, see metascene/urls.py). The browser tests prove the site works under it."""

import base64
import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from competitions.models import EntryRevision
from tests.factories import EntryFactory, EntryRevisionFactory, UserFactory

WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
MODEL_VIEWER = Path(settings.BASE_DIR) / "frontend" / "static" / "vendor" / "model-viewer.min.js"


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_strict(response) -> None:
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    for name in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[name]
        assert "'unsafe-eval'" not in policy[name]
        assert "*" not in policy[name]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_page_carries_the_strict_policy(client):
    response = client.get(reverse("frontend:home"))

    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.django_db
def test_an_api_response_carries_the_strict_policy(client):
    response = client.get("/api/competitions/")

    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.django_db
def test_an_artifact_download_carries_the_strict_policy(client, team, track, bob):
    entry = EntryFactory(team=team, track=track)
    name = default_storage.save("revisions/1/hero.webp", ContentFile(WEBP))
    revision = EntryRevisionFactory(entry=entry, status=EntryRevision.Status.READY, artifacts={"hero": name})
    client.force_login(bob)

    response = client.get(
        reverse("frontend:revision-artifact", kwargs={"pk": entry.pk, "revision_pk": revision.pk, "name": "hero"})
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == WEBP
    assert_strict(response)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/no-such-page/", "/api/no-such-thing/"])
def test_a_404_carries_the_strict_policy(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert_strict(response)


@pytest.mark.django_db
def test_a_500_carries_the_strict_policy(monkeypatch):
    def broken() -> None:
        raise RuntimeError("a bug in a selector")

    monkeypatch.setattr("frontend.views.competitions.selectors.competitions_visible", broken)

    response = Client(raise_request_exception=False).get(reverse("frontend:home"))

    assert response.status_code == 500
    assert_strict(response)


@pytest.mark.django_db
def test_the_login_lockout_page_carries_the_strict_policy(client):
    UserFactory(username="alice@example.com")
    for _ in range(5):
        response = client.post(reverse("frontend:login"), {"username": "alice@example.com", "password": "wrong"})

    assert response.status_code == 429
    assert_strict(response)


@pytest.mark.django_db
def test_the_admin_and_the_swagger_ui_page_carry_the_strict_policy(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    admin = client.get("/admin/")
    swagger = client.get("/api/docs/")

    assert admin.status_code == swagger.status_code == 200
    assert_strict(admin)
    assert_strict(swagger)
    assert "<script>" not in admin.content.decode()
    assert "<style>" not in swagger.content.decode()
    assert "<script>" not in swagger.content.decode()


@pytest.mark.django_db
def test_only_the_redoc_page_allows_inline_styles_and_never_inline_scripts(client):
    response = client.get("/api/redoc/")

    policy = directives(response)
    assert response.status_code == 200
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["script-src"] == directives(client.get("/"))["script-src"]
    assert "<script>" not in response.content.decode()


def test_the_policy_allows_exactly_the_style_block_of_our_copy_of_model_viewer():
    source = MODEL_VIEWER.read_text(encoding="utf-8")
    start = source.index("<style>") + len("<style>")
    block = source[start : source.index("</style>", start)]

    digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()

    assert source.count("<style>") == 1, "model-viewer now has more than one <style> block: hash each of them"
    assert settings.MODEL_VIEWER_STYLE_HASH == f"'sha256-{digest}'", "model-viewer changed: update the hash"

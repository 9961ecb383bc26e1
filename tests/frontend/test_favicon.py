"""The site's icon: every page names it, and /favicon.ico (which browsers ask for on their own) leads to it."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_ico_redirects_to_the_icon_and_the_icon_is_served(client: Client) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("/favicon.svg")
    icon = finders.find("favicon.svg")
    assert isinstance(icon, str)
    assert "<svg" in Path(icon).read_text(encoding="utf-8")


def test_every_page_names_the_icon(client: Client) -> None:
    page = client.get(reverse("frontend:home")).content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page

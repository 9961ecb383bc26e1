import pytest
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse


def test_server_error_page_renders_without_a_request():
    html = render_to_string("500.html")

    assert "Something went wrong" in html


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_missing_page_uses_the_site_layout(client):
    response = client.get("/competitions/no-such-thing/")

    assert response.status_code == 404
    content = response.content.decode()
    assert "Page not found" in content
    assert reverse("frontend:home") in content

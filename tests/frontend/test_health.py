import platform

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_healthz_reports_the_stdlib_platform_and_the_database(client):
    response = client.get(reverse("frontend:healthz"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "python": platform.python_version(),
        "system": platform.system(),
        "database": "ok",
    }

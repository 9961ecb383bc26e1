"""The database connection dies under a request (an administrator's ``pg_terminate_backend``, a PostgreSQL restart
or failover): the person gets a page in the site's layout saying to try again in a few seconds (503, Retry-After),
a script gets the API's error body, nobody sees a traceback, and the next request works on a fresh connection.

The connection is really terminated, from another connection, so these tests need PostgreSQL: SQLite is a file in
the web process, with no server connection that could be cut.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from tests.factories import CompetitionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Terminating a database connection needs PostgreSQL (SQLite has no server connection to cut).")


@pytest.fixture(autouse=True)
def competition(_postgresql: None) -> None:
    CompetitionFactory(name="Metaverse Scenario Design Competition", slug="metaverse")


def terminate_the_web_connection() -> None:
    """Cut the connection the site's requests use, from a connection of our own, as an administrator would."""
    pid = connection.connection.info.backend_pid
    admin = connections.create_connection("default")
    try:
        with admin.cursor() as cursor:
            # Waits (up to five seconds) until the backend is gone.
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
            assert cursor.fetchone() == (True,)
    finally:
        admin.close()


@contextmanager
def terminated_before_query(number: int) -> Iterator[None]:
    """Within the block, the web connection is terminated just before the ``number``-th query it runs."""
    seen = 0

    def cut(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        nonlocal seen
        seen += 1
        if seen == number:
            terminate_the_web_connection()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(cut):
        yield


def test_a_page_whose_connection_was_terminated_while_idle_is_a_friendly_503_and_the_next_request_works(
    client: Client, record_property: Callable[[str, object], None]
) -> None:
    # Given a page served once, which leaves the site's connection open
    home = reverse("frontend:home")
    assert client.get(home).status_code == 200

    # When the connection is terminated between two requests
    terminate_the_web_connection()
    failed_at = time.monotonic()
    response = client.get(home)

    # Then the next request is a page saying to try again, in the site's layout, with no traceback
    content = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Back in a moment" in content
    assert "lost its connection to its database" in content
    assert 'class="brand"' in content
    assert "Traceback" not in content and "OperationalError" not in content
    # And the request after it works on a new connection
    assert client.get(home).status_code == 200
    record_property("recovery_seconds", time.monotonic() - failed_at)  # for bench/faults.py


def test_a_connection_terminated_in_the_middle_of_a_request_is_a_friendly_503(client: Client) -> None:
    home = reverse("frontend:home")
    client.get(home)

    with terminated_before_query(2):
        response = client.get(home)

    assert response.status_code == 503
    assert "Back in a moment" in response.content.decode()
    assert client.get(home).status_code == 200


def test_the_outage_page_speaks_chinese_to_a_chinese_browser(client: Client) -> None:
    home = reverse("frontend:home")
    client.get(home)

    terminate_the_web_connection()
    response = client.get(home, headers={"Accept-Language": "zh-hans"})

    assert response.status_code == 503
    assert "网站与数据库的连接中断" in response.content.decode()


def test_an_api_request_whose_connection_was_terminated_gets_the_apis_error_body(client: Client) -> None:
    assert client.get("/api/competitions/").status_code == 200

    terminate_the_web_connection()
    response = client.get("/api/competitions/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.json()
    assert (body["code"], body["field"]) == ("database_unavailable", None)
    assert "try again in a few seconds" in body["detail"]
    assert client.get("/api/competitions/").status_code == 200


def test_an_outage_no_view_caught_is_answered_by_the_error_handler_with_the_same_page(settings: Any) -> None:
    # Without the middleware, the error reaches Django's handler500, as one raised in a middleware would
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if not name.endswith("ServiceUnavailableMiddleware")]
    client = Client(raise_request_exception=False)
    home = reverse("frontend:home")
    client.get(home)

    terminate_the_web_connection()
    response = client.get(home)

    assert response.status_code == 503
    assert "Back in a moment" in response.content.decode()

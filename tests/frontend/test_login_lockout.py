"""Password guessing on the login pages: five failures for one account, or from one address, lock it for 15
minutes (the defaults) with a page that says so, in the site's layout and the visitor's language."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"
LOGIN = reverse("frontend:login")
ADMIN_LOGIN = "/admin/login/"

pytestmark = pytest.mark.django_db


def _log_in(client: Client, email: str, password: str, *, address: str = "203.0.113.7", url: str = LOGIN):
    return client.post(url, {"username": email, "password": password}, REMOTE_ADDR=address)


def _fail(client: Client, email: str, times: int, *, address: str = "203.0.113.7", url: str = LOGIN) -> None:
    for _ in range(times):
        _log_in(client, email, "wrong-password", address=address, url=url)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client):
    UserFactory(username="alice@example.com")
    first_four = [_log_in(client, "alice@example.com", "wrong-password").status_code for _ in range(4)]

    fifth = _log_in(client, "alice@example.com", "wrong-password")
    right = _log_in(client, "alice@example.com", PASSWORD)

    assert first_four == [200, 200, 200, 200]
    assert fifth.status_code == 429
    assert right.status_code == 429
    assert "Too many failed logins" in right.content.decode()
    assert "paused for 15 minutes" in right.content.decode()
    assert right["Retry-After"] == str(15 * 60)
    assert "_auth_user_id" not in client.session


def test_the_account_stays_locked_from_another_address(client):
    UserFactory(username="alice@example.com")
    _fail(client, "alice@example.com", 5, address="203.0.113.7")

    response = _log_in(Client(), "alice@example.com", PASSWORD, address="198.51.100.9")

    assert response.status_code == 429


def test_the_lockout_page_is_in_the_site_layout_and_in_chinese_for_a_chinese_visitor(client):
    UserFactory(username="alice@example.com")
    _fail(client, "alice@example.com", 5)

    response = client.post(
        LOGIN,
        {"username": "alice@example.com", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    page = response.content.decode()
    assert response.status_code == 429
    assert "登录失败次数过多" in page
    assert "15 分钟" in page
    assert reverse("frontend:password-reset") in page
    assert '<html lang="zh-hans"' in page


def test_wrong_passwords_spread_over_many_accounts_lock_the_address(client):
    UserFactory(username="victim@example.com")
    for number in range(5):
        _log_in(client, f"guess{number}@example.com", "wrong-password")

    from_that_address = _log_in(client, "victim@example.com", PASSWORD)
    from_elsewhere = _log_in(Client(), "victim@example.com", PASSWORD, address="198.51.100.9")

    assert from_that_address.status_code == 429
    assert from_elsewhere.status_code == 302


def test_a_successful_login_in_between_does_not_reset_the_count_of_failures(client):
    UserFactory(username="victim@example.com")
    UserFactory(username="mallory@example.com")
    _fail(client, "victim@example.com", 4)

    own = _log_in(Client(), "mallory@example.com", PASSWORD)
    fifth = _log_in(client, "victim@example.com", "wrong-password")

    assert own.status_code == 302
    assert fifth.status_code == 429


def test_a_successful_login_before_the_limit_logs_in(client):
    UserFactory(username="alice@example.com")
    _fail(client, "alice@example.com", 4)

    response = _log_in(client, "alice@example.com", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:dashboard")


def test_the_admin_login_is_locked_out_too(client):
    UserFactory(username="organiser@example.com", is_staff=True)
    _fail(client, "organiser@example.com", 4, url=ADMIN_LOGIN)

    fifth = _log_in(client, "organiser@example.com", "wrong-password", url=ADMIN_LOGIN)
    right = _log_in(client, "organiser@example.com", PASSWORD, url=ADMIN_LOGIN)

    assert fifth.status_code == 429
    assert right.status_code == 429
    assert "Too many failed logins" in right.content.decode()


def test_failures_on_the_admin_count_for_the_portal_login_as_well(client):
    UserFactory(username="organiser@example.com", is_staff=True)
    _fail(client, "organiser@example.com", 5, url=ADMIN_LOGIN)

    response = _log_in(Client(), "organiser@example.com", PASSWORD, address="198.51.100.9")

    assert response.status_code == 429


def test_login_works_again_after_the_cool_off(client):
    UserFactory(username="alice@example.com")
    _fail(client, "alice@example.com", 5)

    with time_machine.travel(timezone.now() + timedelta(minutes=14), tick=False):
        still_locked = _log_in(client, "alice@example.com", PASSWORD)
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=1), tick=False):
        response = _log_in(client, "alice@example.com", PASSWORD)

    assert still_locked.status_code == 429
    assert response.status_code == 302


def test_tries_during_the_lockout_do_not_extend_it(client):
    UserFactory(username="alice@example.com")
    _fail(client, "alice@example.com", 5)

    with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=False):
        _log_in(client, "alice@example.com", "wrong-password")
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=1), tick=False):
        response = _log_in(client, "alice@example.com", PASSWORD)

    assert response.status_code == 302


def test_the_limit_and_the_cool_off_come_from_settings(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    UserFactory(username="alice@example.com")
    _fail(client, "alice@example.com", 1)

    second = _log_in(client, "alice@example.com", "wrong-password")

    assert second.status_code == 429
    assert "paused for 1 minute." in second.content.decode()


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, settings):
    settings.METASCENE_PROXY_COUNT = 1
    UserFactory(username="victim@example.com")
    for number in range(5):
        # The attacker forges the left of X-Forwarded-For; the proxy appends the address it saw.
        client.post(
            LOGIN,
            {"username": f"guess{number}@example.com", "password": "wrong-password"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.7",
        )

    attacker = client.post(
        LOGIN,
        {"username": "victim@example.com", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7",
    )
    someone_else = Client().post(
        LOGIN,
        {"username": "victim@example.com", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )

    assert attacker.status_code == 429
    assert someone_else.status_code == 302


def test_the_test_clients_login_and_force_login_still_work(client):
    user = UserFactory(username="alice@example.com")

    assert client.login(username="alice@example.com", password=PASSWORD)
    other = Client()
    other.force_login(user)
    assert other.get(reverse("frontend:dashboard")).status_code == 200

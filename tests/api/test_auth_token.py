import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

URL = "/api/auth/token/"
PASSWORD = "correct-horse-battery"

pytestmark = pytest.mark.django_db


def test_confirmed_account_gets_its_token(anonymous):
    # Given a confirmed account
    user = UserFactory(username="alice@example.com")

    # When she exchanges her email and password
    response = anonymous.post(URL, {"email": "alice@example.com", "password": PASSWORD}, format="json")

    # Then she gets her token
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key}


def test_email_is_matched_whatever_its_case_and_spaces(anonymous):
    UserFactory(username="alice@example.com")

    response = anonymous.post(URL, {"email": "  Alice@Example.COM ", "password": PASSWORD}, format="json")

    assert response.status_code == 200


def test_token_authenticates_later_requests(anonymous):
    UserFactory(username="alice@example.com")
    token = anonymous.post(URL, {"email": "alice@example.com", "password": PASSWORD}, format="json").json()["token"]

    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = anonymous.get("/api/teams/")

    assert response.status_code == 200


def test_wrong_password_is_refused(anonymous):
    UserFactory(username="alice@example.com")

    response = anonymous.post(URL, {"email": "alice@example.com", "password": "wrong-horse"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_credentials",
        "detail": "The email or password is not correct.",
        "field": None,
    }


def test_unknown_email_is_refused_like_a_wrong_password(anonymous):
    response = anonymous.post(URL, {"email": "nobody@example.com", "password": PASSWORD}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_credentials"


def test_unconfirmed_account_is_told_to_confirm_its_email(anonymous):
    # Given an account whose email link was never opened
    UserFactory(username="bob@example.com", is_active=False)

    # When he asks for a token with the right password
    response = anonymous.post(URL, {"email": "bob@example.com", "password": PASSWORD}, format="json")

    # Then he is told what to do, and gets no token
    assert response.status_code == 400
    assert response.json()["code"] == "email_unconfirmed"
    assert "Confirm your email" in response.json()["detail"]
    assert not Token.objects.exists()


def test_unconfirmed_account_with_wrong_password_is_not_revealed(anonymous):
    UserFactory(username="bob@example.com", is_active=False)

    response = anonymous.post(URL, {"email": "bob@example.com", "password": "wrong-horse"}, format="json")

    assert response.json()["code"] == "bad_credentials"


def test_missing_password_is_reported_on_its_field(anonymous):
    response = anonymous.post(URL, {"email": "alice@example.com"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "required",
        "detail": "This field is required.",
        "field": "password",
        "errors": [{"code": "required", "detail": "This field is required.", "field": "password"}],
    }


def test_repeated_token_requests_are_throttled(anonymous):
    UserFactory(username="alice@example.com")
    for _attempt in range(10):
        anonymous.post(URL, {"email": "alice@example.com", "password": "wrong-horse"}, format="json")

    response = anonymous.post(URL, {"email": "alice@example.com", "password": PASSWORD}, format="json")

    assert response.status_code == 429


def test_wrong_passwords_on_the_token_endpoint_lock_the_account_on_the_login_page_too(anonymous):
    UserFactory(username="alice@example.com")
    statuses = [
        anonymous.post(URL, {"email": "alice@example.com", "password": "wrong-horse"}, format="json").status_code
        for _attempt in range(5)
    ]

    login = Client().post(
        "/accounts/login/", {"username": "alice@example.com", "password": PASSWORD}, REMOTE_ADDR="198.51.100.9"
    )

    assert statuses == [400, 400, 400, 400, 429]
    assert login.status_code == 429


def test_an_account_locked_on_the_login_page_gets_no_token_even_with_the_right_password(anonymous):
    UserFactory(username="alice@example.com")
    for _attempt in range(5):
        Client().post("/accounts/login/", {"username": "alice@example.com", "password": "wrong-horse"})

    response = anonymous.post(URL, {"email": "alice@example.com", "password": PASSWORD}, format="json")

    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert response.json() == {
        "code": "locked_out",
        "detail": "Too many failed logins: logging in to this account or from this address is paused for 15 minutes.",
        "field": None,
    }
    assert not Token.objects.exists()

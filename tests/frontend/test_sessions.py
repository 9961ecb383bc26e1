"""Sessions are read from the cache (issue 11) and stay revocable: a cookie kept after logging out, or from before a
password change, signs nobody in. The menu names the signed-in person from its own query."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def signed_in_copy(client: Client) -> Client:
    """Another browser holding the same session cookie as ``client``."""
    copy = Client()
    copy.cookies = client.cookies.__class__(client.cookies)
    return copy


def test_a_session_cookie_kept_after_logout_signs_nobody_in(client: Client) -> None:
    client.force_login(UserFactory())
    kept = signed_in_copy(client)
    assert kept.get(reverse("frontend:dashboard")).status_code == 200

    client.post(reverse("frontend:logout"))

    assert kept.get(reverse("frontend:dashboard")).status_code == 302


def test_a_password_change_ends_the_persons_other_sessions(client: Client) -> None:
    person = UserFactory()
    client.force_login(person)
    assert client.get(reverse("frontend:dashboard")).status_code == 200

    person.set_password("a-new-password-2026")
    person.save()

    assert client.get(reverse("frontend:dashboard")).status_code == 302


def test_the_menu_names_a_person_by_their_display_name(client: Client) -> None:
    client.force_login(UserFactory(profile__display_name="Alice Wang"))

    html = client.get(reverse("frontend:home")).content.decode()

    assert 'class="nav-user" title="Your profile">Alice Wang</a>' in html


def test_the_menu_names_an_account_without_a_profile_by_its_email(client: Client) -> None:
    client.force_login(User.objects.create_user(username="admin", email="admin@example.com"))

    html = client.get(reverse("frontend:home")).content.decode()

    assert 'class="nav-user" title="Your profile">admin@example.com</a>' in html

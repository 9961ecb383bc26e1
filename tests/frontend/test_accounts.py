import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

SIGN_UP = {
    "email": "Dana@Example.com",
    "display_name": "Dana Zhou",
    "organisation": "Tongji University",
    "password1": "a-long-scene-password",
    "password2": "a-long-scene-password",
}


def _link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://\S+", str(message.body))
    assert match, message.body
    return match.group(0)


def _sign_up(client, django_capture_on_commit_callbacks, **changes):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("frontend:sign-up"), {**SIGN_UP, **changes})


@pytest.mark.django_db
def test_sign_up_sends_a_confirmation_email_and_shows_check_inbox(client, django_capture_on_commit_callbacks):
    response = _sign_up(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:check-inbox")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dana@example.com"]
    assert "/accounts/confirm/" in _link_in(mail.outbox[0])
    assert not User.objects.get(username="dana@example.com").is_active
    page = client.get(response["Location"])
    assert "dana@example.com" in page.content.decode()


@pytest.mark.django_db
def test_confirmation_link_activates_the_account_and_logs_in(client, django_capture_on_commit_callbacks):
    _sign_up(client, django_capture_on_commit_callbacks)
    path = _link_in(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]

    response = client.get("/" + path, follow=True)

    assert User.objects.get(username="dana@example.com").is_active
    assert response.redirect_chain[-1][0] == reverse("frontend:dashboard")
    assert response.context["user"].username == "dana@example.com"
    assert "Your email is confirmed" in response.content.decode()


@pytest.mark.django_db
def test_used_confirmation_link_shows_an_error_with_a_resend_form(client, django_capture_on_commit_callbacks):
    _sign_up(client, django_capture_on_commit_callbacks)
    path = "/" + _link_in(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    client.get(path)
    client.logout()

    response = client.get(path)

    assert response.status_code == 400
    content = response.content.decode()
    assert "invalid or has already been used" in content
    assert reverse("frontend:resend-confirmation") in content


@pytest.mark.django_db
def test_resend_confirmation_sends_a_new_link_to_an_unconfirmed_account(client):
    UserFactory(username="eve@example.com", is_active=False)

    response = client.post(reverse("frontend:resend-confirmation"), {"email": "eve@example.com"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["eve@example.com"]


@pytest.mark.django_db
def test_sign_up_with_a_taken_email_shows_the_error_next_to_the_email_and_keeps_the_input(
    client, django_capture_on_commit_callbacks
):
    UserFactory(username="dana@example.com")

    response = _sign_up(client, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["email"][0]
    content = response.content.decode()
    assert 'id="id_email_error"' in content
    assert 'aria-invalid="true"' in content
    assert 'value="Dana Zhou"' in content
    assert mail.outbox == []


@pytest.mark.django_db
def test_sign_up_refuses_a_password_that_fails_the_validators(client, django_capture_on_commit_callbacks):
    response = _sign_up(client, django_capture_on_commit_callbacks, password1="12345678", password2="12345678")

    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(username="dana@example.com").exists()


@pytest.mark.django_db
def test_unconfirmed_account_cannot_log_in_and_is_told_to_confirm(client):
    UserFactory(username="eve@example.com", is_active=False)

    response = client.post(
        reverse("frontend:login"), {"username": "eve@example.com", "password": "correct-horse-battery"}
    )

    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    content = response.content.decode()
    assert "not confirmed yet" in content
    assert reverse("frontend:resend-confirmation") + "?email=eve%40example.com" in content


@pytest.mark.django_db
def test_unconfirmed_account_with_a_wrong_password_hears_only_that_the_login_failed(client):
    UserFactory(username="eve@example.com", is_active=False)

    response = client.post(reverse("frontend:login"), {"username": "eve@example.com", "password": "wrong-password"})

    content = response.content.decode()
    assert "do not match an account" in content
    assert "not confirmed" not in content


@pytest.mark.django_db
def test_login_with_email_in_any_case_goes_to_the_dashboard(client, alice):
    response = client.post(
        reverse("frontend:login"), {"username": "Alice@Example.com", "password": "correct-horse-battery"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:dashboard")
    assert client.get(reverse("frontend:dashboard")).status_code == 200


@pytest.mark.django_db
def test_logout_is_a_post_that_ends_the_session(client, alice):
    client.force_login(alice)

    refused = client.get(reverse("frontend:logout"))
    response = client.post(reverse("frontend:logout"), follow=True)

    assert refused.status_code == 405
    assert response.redirect_chain == [(reverse("frontend:home"), 302)]
    assert "You are logged out." in response.content.decode()
    assert client.get(reverse("frontend:dashboard")).status_code == 302


@pytest.mark.django_db
def test_password_reset_sends_an_email_with_a_working_link(client, alice):
    response = client.post(reverse("frontend:password-reset"), {"email": "alice@example.com"})

    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:password-reset-done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    link = _link_in(mail.outbox[0])
    page = client.get(link.split("testserver", 1)[1], follow=True)
    assert page.context["validlink"]


@pytest.mark.django_db
def test_profile_edit_saves_display_name_and_organisation(client, alice):
    client.force_login(alice)

    response = client.post(
        reverse("frontend:profile"), {"display_name": "Alice W.", "organisation": "Shanghai Jiao Tong University"}
    )

    assert response.status_code == 302
    alice.profile.refresh_from_db()
    assert alice.profile.display_name == "Alice W."
    assert alice.profile.organisation == "Shanghai Jiao Tong University"

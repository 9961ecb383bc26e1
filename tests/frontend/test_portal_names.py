"""The portal's name filters: a person is shown by their display name, or by their email when they have no profile."""

import pytest
from django.contrib.auth.models import AnonymousUser, User

from frontend.templatetags.portal import display_name, organisation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_person_with_a_profile_is_shown_by_display_name_and_organisation() -> None:
    person = UserFactory(profile__display_name="Alice Wang", profile__organisation="Tongji University")

    assert (display_name(person), organisation(person)) == ("Alice Wang", "Tongji University")


def test_an_account_without_a_profile_is_shown_by_its_email_and_no_organisation() -> None:
    made_in_the_shell = User.objects.create_user(username="admin", email="admin@example.com")

    assert (display_name(made_in_the_shell), organisation(made_in_the_shell)) == ("admin@example.com", "")


def test_nobody_and_the_anonymous_visitor_have_no_name_to_show() -> None:
    assert (display_name(None), organisation(None)) == ("", "")
    assert (display_name(AnonymousUser()), organisation(AnonymousUser())) == ("AnonymousUser", "")

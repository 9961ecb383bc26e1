"""The notification list, its badge in the menu, the announcement banners and the language a person reads."""

import pytest
from django.urls import reverse

from competitions.models import Notification
from competitions.services import announcements
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def note(user, subject: str, *, read: bool = False) -> Notification:
    from django.utils import timezone

    return Notification.objects.create(
        recipient=user,
        kind=Notification.Kind.REVISION_READY,
        subject=subject,
        body=f"Body of {subject}",
        read_at=timezone.now() if read else None,
    )


def test_the_list_shows_only_my_notifications_newest_first_with_unread_marked(client, alice, bob):
    note(alice, "Older one", read=True)
    note(alice, "Newer one")
    note(bob, "Bob's secret")
    client.force_login(alice)

    page = client.get(reverse("frontend:notifications")).content.decode()

    assert page.index("Newer one") < page.index("Older one")
    assert "Bob's secret" not in page
    assert page.count("data-unread>") == 1


def test_the_menu_badge_counts_unread_notifications(client, alice):
    note(alice, "One")
    note(alice, "Two")
    note(alice, "Read", read=True)
    client.force_login(alice)

    page = client.get(reverse("frontend:home")).content.decode()

    assert 'data-unread-count title="2 unread notifications">2</span>' in page


def test_mark_all_read_marks_only_mine(client, alice, bob):
    note(alice, "Mine")
    theirs = note(bob, "Theirs")
    client.force_login(alice)

    response = client.post(reverse("frontend:notifications-read"))

    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("frontend:notifications"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_announcement_banner_shows_to_the_teams_members_until_dismissed(client, competition, team, alice, charlie):
    organiser = UserFactory(is_staff=True)
    sent = announcements.announcement_send(
        competition=competition, audience="all", subject="Venue change", body="Hall B.", actor=organiser
    )
    url = reverse("frontend:competition-detail", kwargs={"slug": competition.slug})

    client.force_login(charlie)
    assert "Venue change" not in client.get(url).content.decode()
    assert client.post(reverse("frontend:announcement-dismiss", kwargs={"pk": sent.pk})).status_code == 404

    client.force_login(alice)
    assert "Venue change" in client.get(url).content.decode()
    assert "Venue change" in client.get(reverse("frontend:team-detail", kwargs={"pk": team.pk})).content.decode()
    response = client.post(reverse("frontend:announcement-dismiss", kwargs={"pk": sent.pk}), {"next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert "Venue change" not in client.get(url).content.decode()


def test_switching_language_remembers_it_for_a_signed_in_person(client, alice):
    client.force_login(alice)

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    alice.profile.refresh_from_db()
    assert alice.profile.language == "zh-hans"


def test_the_list_and_its_button_read_in_chinese(client, alice):
    note(alice, "One")
    client.force_login(alice)

    page = client.get(reverse("frontend:notifications"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "全部标为已读" in page and "通知" in page

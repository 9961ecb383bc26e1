"""The console's announcements page: organisers of the competition write to its teams; anyone else gets a 404."""

import pytest
from django.core import mail
from django.urls import reverse

from competitions.models import Announcement, CompetitionOrganiser
from tests.factories import CompetitionFactory, UserFactory

pytestmark = pytest.mark.django_db


def page_of(round) -> str:
    return reverse("frontend:organise-announcements", kwargs={"slug": round.competition.slug})


def test_an_organiser_sends_an_announcement_to_all_teams(
    client, olga, round, alice, django_capture_on_commit_callbacks
):
    client.force_login(olga)
    data = {"audience": "all", "subject": "Jury day", "body": "The jury meets on Friday.", "days": 3}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_of(round), data)

    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert announcement.created_by == olga and announcement.teams.count() == 1
    assert [message.to for message in mail.outbox] == [[alice.email]]
    assert "Jury day" in client.get(page_of(round)).content.decode()


def test_a_track_announcement_without_a_track_shows_the_error_next_to_the_field(client, olga, round):
    client.force_login(olga)

    response = client.post(page_of(round), {"audience": "track", "subject": "S", "body": "B", "days": 3})

    assert response.status_code == 400
    assert not Announcement.objects.exists()


def test_the_console_home_links_to_the_announcements(client, olga, round):
    client.force_login(olga)

    assert page_of(round) in client.get(reverse("frontend:organise-home")).content.decode()


def test_a_non_organiser_gets_404(client, round, alice):
    client.force_login(alice)

    assert client.get(page_of(round)).status_code == 404
    assert client.post(page_of(round), {"audience": "all", "subject": "S", "body": "B", "days": 1}).status_code == 404
    assert not Announcement.objects.exists()


def test_an_organiser_of_another_competition_gets_404(client, round):
    other = UserFactory()
    CompetitionOrganiser.objects.create(competition=CompetitionFactory(), user=other)
    client.force_login(other)

    assert client.get(page_of(round)).status_code == 404


def test_the_page_reads_in_chinese(client, olga, round):
    client.force_login(olga)

    page = client.get(page_of(round), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "发送公告" in page

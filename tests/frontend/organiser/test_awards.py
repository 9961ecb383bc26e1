"""The Awards page of a competition: one form per track (prizes, honourable mentions, entries needed for a first
prize), saved through ``track_awards_update``. Who may reach it is checked with the rest of the console
(test_console.py). See conftest.py for the cast."""

import pytest
from django.conf import settings
from django.urls import reverse

from competitions.models import AuditEvent, Round, Track
from tests.factories import TrackFactory

pytestmark = pytest.mark.django_db


def _url(round: Round) -> str:
    return reverse("frontend:organise-awards", kwargs={"slug": round.competition.slug})


def _data(track: Track, prizes: str = "3", mentions: str = "0", minimum: str = "3") -> dict[str, str]:
    prefix = f"track-{track.pk}-"
    names = ("prizes", "honourable_mentions", "min_entries_for_first_prize")
    return {prefix + name: value for name, value in zip(names, (prizes, mentions, minimum), strict=True)}


def _settings(track: Track) -> tuple[int, int, int]:
    track.refresh_from_db()
    return track.prizes, track.honourable_mentions, track.min_entries_for_first_prize


def test_home_links_each_competition_to_its_awards(client, olga, round):
    client.force_login(olga)

    response = client.get(reverse("frontend:organise-home"))

    assert _url(round) in response.content.decode()


def test_awards_page_has_three_labelled_numbers_per_track(client, olga, round, track):
    TrackFactory(competition=round.competition, name="Games")
    client.force_login(olga)

    response = client.get(_url(round))

    content = response.content.decode()
    assert response.status_code == 200
    assert content.count("<legend>") == 2 and "<legend>Culture and tourism</legend>" in content
    for name in ("prizes", "honourable_mentions", "min_entries_for_first_prize"):
        assert f'<label for="id_track-{track.pk}-{name}">' in content
        assert f'type="number" name="track-{track.pk}-{name}"' in content


def test_saving_changes_the_tracks_and_flashes_the_competitions_name(client, olga, round, track):
    games = TrackFactory(competition=round.competition, name="Games")
    client.force_login(olga)

    response = client.post(_url(round), _data(track, "2", "4", "5") | _data(games), follow=True)

    assert response.redirect_chain == [(_url(round), 302)]
    assert _settings(track) == (2, 4, 5)
    assert _settings(games) == (3, 0, 3)
    assert [round.competition.name in str(m) for m in response.context["messages"]] == [True]
    assert AuditEvent.objects.filter(action="track.awards_changed").count() == 1


def test_bad_numbers_show_errors_at_their_fields_and_change_nothing(client, olga, round, track):
    games = TrackFactory(competition=round.competition, name="Games")
    client.force_login(olga)

    response = client.post(_url(round), _data(track, "4", "2", "0") | _data(games, mentions="1"))

    assert response.status_code == 400
    form = dict(response.context["rows"])[track]
    assert set(form.errors) == {"prizes", "min_entries_for_first_prize"}
    assert 'aria-invalid="true"' in response.content.decode()
    assert _settings(track) == (3, 0, 3)
    assert _settings(games) == (3, 0, 3)
    assert not AuditEvent.objects.filter(action="track.awards_changed").exists()


def test_a_number_that_is_not_a_number_is_an_error_at_its_field(client, olga, round, track):
    client.force_login(olga)

    response = client.post(_url(round), _data(track, mentions="many"))

    assert response.status_code == 400
    assert list(dict(response.context["rows"])[track].errors) == ["honourable_mentions"]


def test_sending_the_same_numbers_changes_nothing(client, olga, round, track):
    client.force_login(olga)

    response = client.post(_url(round), _data(track), follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Nothing changed."]
    assert not AuditEvent.objects.filter(action="track.awards_changed").exists()


def test_in_chinese_the_page_and_its_flash_are_in_chinese(client, olga, round, track):
    competition = round.competition
    competition.name_zh = "元宇宙场景设计大赛"
    competition.save(update_fields=["name_zh"])
    client.force_login(olga)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    page = client.get(_url(round)).content.decode()
    saved = client.post(_url(round), _data(track, mentions="2"), follow=True)

    assert "奖项" in page and "优秀奖" in page and "Honourable mentions" not in page
    (message,) = [str(m) for m in saved.context["messages"]]
    assert "元宇宙场景设计大赛" in message and "saved" not in message

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.factories import CompetitionFactory, TeamFactory


@pytest.mark.django_db
def test_home_lists_published_competitions_only(client):
    CompetitionFactory(name="Open Worlds 2026")
    CompetitionFactory(name="Secret Draft", is_published=False)

    content = client.get(reverse("frontend:home")).content.decode()

    assert "Open Worlds 2026" in content
    assert "Secret Draft" not in content


@pytest.mark.django_db
def test_unpublished_competition_page_is_not_found(client):
    competition = CompetitionFactory(is_published=False)

    response = client.get(reverse("frontend:competition-detail", kwargs={"slug": competition.slug}))

    assert response.status_code == 404


@pytest.mark.django_db
def test_competition_page_shows_the_deadline_in_shanghai_time_with_the_zone_named(client, competition):
    competition.submission_deadline = datetime(2099, 12, 1, 15, 59, tzinfo=UTC)
    competition.judging_starts_at = datetime(2099, 12, 2, tzinfo=UTC)
    competition.judging_ends_at = datetime(2099, 12, 10, tzinfo=UTC)
    competition.results_at = datetime(2099, 12, 20, tzinfo=UTC)
    competition.save()

    content = client.get(reverse("frontend:competition-detail", kwargs={"slug": competition.slug})).content.decode()

    assert "1 Dec 2099, 23:59 CST (Asia/Shanghai)" in content
    assert 'data-deadline="2099-12-01T15:59:00+00:00"' in content


@pytest.mark.django_db
def test_competition_page_asks_a_visitor_to_log_in_to_take_part(client, competition):
    content = client.get(reverse("frontend:competition-detail", kwargs={"slug": competition.slug})).content.decode()

    assert "Log in to take part" in content
    assert reverse("frontend:team-create", kwargs={"slug": competition.slug}) not in content


@pytest.mark.django_db
def test_competition_page_offers_create_and_join_to_a_person_without_a_team(client, competition, charlie):
    client.force_login(charlie)

    content = client.get(reverse("frontend:competition-detail", kwargs={"slug": competition.slug})).content.decode()

    assert reverse("frontend:team-create", kwargs={"slug": competition.slug}) in content
    assert 'name="invite_code"' in content


@pytest.mark.django_db
def test_competition_page_sends_a_member_to_their_team(client, competition, alice):
    team = TeamFactory(competition=competition, captain=alice)
    client.force_login(alice)

    content = client.get(reverse("frontend:competition-detail", kwargs={"slug": competition.slug})).content.decode()

    assert reverse("frontend:team-detail", kwargs={"pk": team.pk}) in content
    assert 'name="invite_code"' not in content


@pytest.mark.django_db
def test_competition_page_shows_the_asset_rules(client, competition):
    competition.max_upload_bytes = 300 * 2**20
    competition.save()

    content = client.get(reverse("frontend:competition-detail", kwargs={"slug": competition.slug})).content.decode()

    assert "300 MB" in content
    assert "<code>.glb, .zip</code>" in content
    assert "<code>.gltf, .zip</code> — glTF (.gltf with everything embedded" in content
    assert "2,000,000" in content


@pytest.mark.django_db
def test_page_is_in_chinese_when_the_browser_asks_for_it(client, competition):
    response = client.get(reverse("frontend:home"), headers={"accept-language": "zh-hans"})

    assert '<html lang="zh-hans"' in response.content.decode()


@pytest.mark.django_db
def test_page_is_in_chinese_when_the_language_cookie_says_so(client, settings, competition):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = client.get(reverse("frontend:competition-detail", kwargs={"slug": competition.slug}))

    assert '<html lang="zh-hans"' in response.content.decode()


@pytest.mark.django_db
def test_language_switcher_sets_the_language_and_returns_to_the_page(client, settings, competition):
    page = reverse("frontend:competition-detail", kwargs={"slug": competition.slug})

    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": page})

    assert response.status_code == 302
    assert response["Location"] == page
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"

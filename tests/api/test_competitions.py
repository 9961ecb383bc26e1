from datetime import UTC, datetime

import pytest

from tests.factories import CompetitionFactory, TrackFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_lists_published_competitions_only(anonymous):
    CompetitionFactory(slug="open-call")
    CompetitionFactory(slug="draft", is_published=False)

    response = anonymous.get("/api/competitions/")

    assert response.status_code == 200
    assert [c["slug"] for c in response.json()["results"]] == ["open-call"]


def test_unpublished_competition_is_not_found(anonymous):
    CompetitionFactory(slug="draft", is_published=False)

    response = anonymous.get("/api/competitions/draft/")

    assert response.status_code == 404


def test_competition_detail_gives_tracks_timeline_and_asset_rules(anonymous):
    # Given a competition in Shanghai with a deadline at 23:59 local time
    competition = CompetitionFactory(
        slug="metaverse",
        time_zone="Asia/Shanghai",
        submission_deadline=datetime(2031, 6, 30, 15, 59, tzinfo=UTC),
        judging_starts_at=datetime(2031, 7, 1, tzinfo=UTC),
        judging_ends_at=datetime(2031, 7, 10, tzinfo=UTC),
        team_size_min=2,
        team_size_max=4,
        allowed_formats=["stl"],
        max_upload_bytes=1024,
    )
    TrackFactory(competition=competition, slug="culture", name="Culture", position=2)
    TrackFactory(competition=competition, slug="games", name="Games", position=1)

    # When anyone reads it
    body = anonymous.get("/api/competitions/metaverse/").json()

    # Then times carry the competition's offset, and the rules a script needs are there
    assert body["time_zone"] == "Asia/Shanghai"
    assert body["timeline"]["submission_deadline"] == "2031-06-30T23:59:00+08:00"
    assert (body["team_size_min"], body["team_size_max"], body["entries_per_team_per_track"]) == (2, 4, 1)
    assert body["asset_rules"]["accepted_extensions"] == [".stl"]
    assert body["asset_rules"]["max_upload_bytes"] == 1024
    assert [t["slug"] for t in body["tracks"]] == ["games", "culture"]


def test_competition_list_query_count_does_not_grow_with_competitions(anonymous, django_assert_max_num_queries):
    for _n in range(5):
        TrackFactory.create_batch(3, competition=CompetitionFactory())

    with django_assert_max_num_queries(3):
        response = anonymous.get("/api/competitions/")

    assert len(response.json()["results"]) == 5

"""Migration 0011: the awards move from the round to the track. Each track takes its competition's largest round
value of honourable mentions; a competition without rounds keeps the default (none)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("competitions", "0010_team_invitation")]
AFTER = [("competitions", "0011_track_awards")]


def _migrate(target: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_tracks_take_their_competitions_largest_round_honourable_mentions() -> None:
    apps = _migrate(BEFORE).loader.project_state(BEFORE).apps
    Competition, Track, Round = (apps.get_model("competitions", name) for name in ("Competition", "Track", "Round"))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    times = {
        name: start + timedelta(days=day)
        for day, name in enumerate(
            ["registration_opens_at", "registration_closes_at", "submission_opens_at", "submission_deadline",
             "judging_starts_at", "judging_ends_at", "results_at"]
        )
    }  # fmt: skip
    judged = Competition.objects.create(name="Judged", slug="judged", **times)
    quiet = Competition.objects.create(name="Quiet", slug="quiet", **times)
    for slug in ("games", "culture"):
        Track.objects.create(competition=judged, name=slug, slug=slug)
    Track.objects.create(competition=quiet, name="games", slug="games")
    window = {"opens_at": start, "closes_at": start + timedelta(days=1)}
    Round.objects.create(competition=judged, name="Preliminary", position=1, honourable_mentions=2, **window)
    Round.objects.create(competition=judged, name="Final", position=2, honourable_mentions=5, **window)

    try:
        apps = _migrate(AFTER).loader.project_state(AFTER).apps
        Track = apps.get_model("competitions", "Track")
        settings = dict(Track.objects.values_list("competition__slug", "honourable_mentions").distinct())
        assert settings == {"judged": 5, "quiet": 0}
        assert {(t.prizes, t.min_entries_for_first_prize) for t in Track.objects.all()} == {(3, 3)}
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("competitions"))

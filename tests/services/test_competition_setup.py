"""Setting up a competition without a developer: create (from an empty site), clone, the timeline, the team and asset
rules (each honoured by the pipeline's ``limits_for``), tracks, and publishing; every change audited."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from competitions.exceptions import RuleError
from competitions.models import AuditEvent, Competition, CompetitionOrganiser, Track
from competitions.models.competition import MB, AssetFormat, ValidationPolicy
from competitions.services import competitions as setup
from competitions.services import judging
from competitions.services.processing.stages import limits_for
from tests.factories import CompetitionFactory, EntryFactory, RoundFactory, TeamFactory, TrackFactory, UserFactory
from tests.services.conftest import refused

pytestmark = pytest.mark.django_db


def timeline(start: datetime | None = None) -> dict[str, datetime]:
    """A timeline in order, a day apart."""
    start = start or timezone.now() + timedelta(days=1)
    names = [
        "registration_opens_at", "registration_closes_at", "submission_opens_at", "submission_deadline",
        "judging_starts_at", "judging_ends_at", "results_at",
    ]  # fmt: skip
    days = {"registration_opens_at": 0, "registration_closes_at": 20, "submission_opens_at": 5}
    return {name: start + timedelta(days=days.get(name, 20 + index)) for index, name in enumerate(names)}


@pytest.fixture
def staff(db):
    return UserFactory(username="olga@example.org", is_staff=True)


@pytest.fixture
def created(staff):
    return setup.competition_create(actor=staff, slug="expo-2027", name="Expo 2027", **timeline())


def test_staff_create_the_first_competition_of_an_empty_site_unpublished_and_organise_it(staff):
    assert not Competition.objects.exists()

    competition = setup.competition_create(actor=staff, slug="expo-2027", name="Expo 2027", **timeline())

    assert competition.is_published is False
    assert CompetitionOrganiser.objects.filter(competition=competition, user=staff).exists()
    event = AuditEvent.objects.get(action="competition.created")
    assert (event.competition, event.actor, event.data["slug"]) == (competition, staff, "expo-2027")


def test_an_organiser_of_another_competition_may_create_one_and_organises_it():
    oscar = UserFactory()
    CompetitionOrganiser.objects.create(competition=CompetitionFactory(), user=oscar)

    competition = setup.competition_create(actor=oscar, slug="new-one", name_zh="元宇宙设计大赛", **timeline())

    assert CompetitionOrganiser.objects.filter(competition=competition, user=oscar).exists()


def test_an_entrant_may_not_create_a_competition():
    with refused("not_organiser"):
        setup.competition_create(actor=UserFactory(), slug="mine", name="Mine", **timeline())
    assert not Competition.objects.exists()


def test_a_chinese_name_alone_is_enough_and_shown_in_english_too(staff):
    competition = setup.competition_create(actor=staff, slug="zh-only", name_zh="元宇宙场景设计大赛", **timeline())

    assert competition.display_name == "元宇宙场景设计大赛"
    assert str(competition) == "元宇宙场景设计大赛"


def test_a_competition_without_a_name_in_either_language_is_refused_at_the_name(staff):
    with refused("name_required"):
        setup.competition_create(actor=staff, slug="nameless", name=" ", name_zh="", **timeline())


def test_a_slug_already_taken_is_refused_at_the_slug(staff, created):
    with pytest.raises(RuleError) as error:
        setup.competition_create(actor=staff, slug="expo-2027", name="Again", **timeline())
    assert (error.value.code, error.value.field) == ("slug_taken", "slug")


# (the date moved, next to which date, how many hours after it, the field refused)
OUT_OF_ORDER = [
    ("registration_closes_at", "registration_opens_at", -1, "registration_closes_at"),
    ("submission_opens_at", "submission_deadline", 1, "submission_deadline"),
    ("judging_starts_at", "submission_deadline", -1, "judging_starts_at"),
    ("judging_ends_at", "judging_starts_at", -1, "judging_ends_at"),
    ("results_at", "judging_ends_at", -1, "results_at"),
]


@pytest.mark.parametrize(("moved", "anchor", "hours", "field"), OUT_OF_ORDER)
def test_dates_out_of_order_are_refused_at_the_field_at_fault(staff, moved, anchor, hours, field):
    dates = timeline()
    dates[moved] = dates[anchor] + timedelta(hours=hours)

    with pytest.raises(RuleError) as error:
        setup.competition_create(actor=staff, slug="bad-dates", name="Bad dates", **dates)

    assert (error.value.code, error.value.field) == ("bad_window", field)
    assert not Competition.objects.filter(slug="bad-dates").exists()


def test_judging_may_not_start_at_the_deadline(staff, created):
    with pytest.raises(RuleError) as error:
        setup.competition_update(competition=created, actor=staff, judging_starts_at=created.submission_deadline)
    assert (error.value.code, error.value.field) == ("bad_window", "judging_starts_at")


def test_a_timeline_change_is_saved_and_audited_with_before_and_after(staff, created):
    old = created.submission_deadline
    new = old.replace(microsecond=0) + timedelta(hours=6)

    setup.competition_update(competition=created, actor=staff, submission_deadline=new)

    created.refresh_from_db()
    assert created.submission_deadline == new
    event = AuditEvent.objects.get(action="competition.changed")
    assert set(event.data["before"]) == set(event.data["after"]) == {"submission_deadline"}
    assert datetime.fromisoformat(event.data["after"]["submission_deadline"]) == new


def test_an_update_that_changes_nothing_writes_nothing(staff, created):
    setup.competition_update(competition=created, actor=staff, name=created.name)

    assert not AuditEvent.objects.filter(action="competition.changed").exists()


def test_team_rules_are_saved_and_a_maximum_below_the_minimum_is_refused(staff, created):
    setup.competition_update(
        competition=created, actor=staff, team_size_min=2, team_size_max=6, entries_per_team_per_track=3
    )
    created.refresh_from_db()
    assert (created.team_size_min, created.team_size_max, created.entries_per_team_per_track) == (2, 6, 3)

    with pytest.raises(RuleError) as error:
        setup.competition_update(competition=created, actor=staff, team_size_min=7)
    assert error.value.field == "team_size_max"


@pytest.mark.parametrize(
    ("field", "value", "limit", "expected"),
    [
        ("max_upload_bytes", 42 * MB, "max_upload_bytes", 42 * MB),
        ("max_triangles", 123_456, "max_triangles", 123_456),
        ("max_texture_size", 2048, "max_texture_size", 2048),
        ("max_materials", 17, "max_materials", 17),
        ("max_draw_calls", 99, "max_draw_calls", 99),
        ("allowed_formats", ["stl", "ply"], "formats", ("stl", "ply")),
        ("allowed_extensions", ["KHR_materials_unlit"], "allowed_extensions", ("KHR_materials_unlit",)),
        ("validation_policy", ValidationPolicy.LENIENT, "policy", "lenient"),
    ],
)
def test_each_asset_rule_is_saved_and_honoured_by_the_pipeline(staff, created, field, value, limit, expected):
    assert getattr(limits_for(created), limit) != expected

    setup.competition_update(competition=created, actor=staff, **{field: value})

    assert getattr(limits_for(Competition.objects.get(pk=created.pk)), limit) == expected


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("allowed_extensions", ["KHR_materials_unlit", "not an extension"]),
        ("allowed_formats", []),
        ("allowed_formats", ["fbx"]),
        ("max_texture_size", 0),
        ("max_upload_bytes", 0),
        ("validation_policy", "whatever"),
    ],
)
def test_a_wrong_asset_rule_is_refused_at_its_field(staff, created, field, value):
    with pytest.raises(RuleError) as error:
        setup.competition_update(competition=created, actor=staff, **{field: value})

    assert (error.value.code, error.value.field) == ("bad_value", field)
    created.refresh_from_db()
    assert getattr(created, field) != value


def test_a_clone_copies_texts_tracks_awards_and_rules_but_not_the_timeline_or_the_people(staff):
    source = CompetitionFactory(
        name="Expo 2026", name_zh="博览会 2026", rules="Be kind.", rules_zh="友善。", team_size_max=4,
        max_materials=12, allowed_extensions=["KHR_texture_transform"], validation_policy="lenient",
        allowed_formats=[AssetFormat.GLB, AssetFormat.OBJ],
    )  # fmt: skip
    TrackFactory(competition=source, name="Culture", name_zh="文化", slug="culture", position=1, prizes=1)
    track = TrackFactory(competition=source, name="Games", slug="games", position=2, honourable_mentions=4)
    EntryFactory(track=track, team=TeamFactory(competition=source))
    RoundFactory(competition=source)
    dates = timeline(source.results_at + timedelta(days=300))

    clone = setup.competition_clone(source=source, actor=staff, slug="expo-2027", name="Expo 2027", **dates)

    assert (clone.name, clone.name_zh, clone.rules, clone.rules_zh) == (
        "Expo 2027",
        "博览会 2026",
        "Be kind.",
        "友善。",
    )
    assert (clone.team_size_max, clone.max_materials, clone.validation_policy) == (4, 12, "lenient")
    assert clone.allowed_extensions == ["KHR_texture_transform"]
    assert clone.allowed_formats == ["glb", "obj"]
    assert clone.submission_deadline == dates["submission_deadline"]
    assert clone.is_published is False
    tracks = list(clone.tracks.values_list("slug", "name_zh", "prizes", "honourable_mentions"))
    assert tracks == [("culture", "文化", 1, 0), ("games", "", 3, 4)]
    assert not clone.teams.exists() and not clone.rounds.exists()
    assert AuditEvent.objects.get(action="competition.cloned").data == {"from": source.slug, "tracks": 2}


def test_a_clone_needs_a_new_slug(staff):
    source = CompetitionFactory(slug="expo-2026")
    with refused("slug_taken"):
        setup.competition_clone(source=source, actor=staff, slug="expo-2026", name="Again", **timeline())


# --- Tracks -------------------------------------------------------------------------------------------------------


def test_tracks_are_added_in_order_with_a_name_in_either_language(staff, created):
    first = setup.track_create(competition=created, actor=staff, name="Culture", slug="culture")
    second = setup.track_create(competition=created, actor=staff, name_zh="工业元宇宙", slug="industry")

    assert (first.position, second.position) == (1, 2)
    assert second.display_name == "工业元宇宙"
    assert AuditEvent.objects.filter(action="track.created").count() == 2


def test_a_track_needs_a_name_and_a_slug_of_its_own(staff, created):
    setup.track_create(competition=created, actor=staff, name="Culture", slug="culture")

    with refused("name_required"):
        setup.track_create(competition=created, actor=staff, slug="nameless")
    with refused("slug_taken"):
        setup.track_create(competition=created, actor=staff, name="Culture again", slug="culture")


def test_the_same_track_slug_in_another_competition_is_fine(staff, created):
    TrackFactory(slug="culture")

    assert setup.track_create(competition=created, actor=staff, name="Culture", slug="culture").pk


def test_a_track_is_edited_and_audited(staff, created):
    track = setup.track_create(competition=created, actor=staff, name="Culture", slug="culture")

    setup.track_update(track=track, actor=staff, name_zh="文化旅游", description="Places and people.")

    track.refresh_from_db()
    assert (track.name_zh, track.description) == ("文化旅游", "Places and people.")
    event = AuditEvent.objects.get(action="track.changed")
    assert event.data["after"] == {"description": "Places and people.", "name_zh": "文化旅游"}


def test_tracks_move_up_and_down_and_stay_put_at_the_ends(staff, created):
    a, b, c = (setup.track_create(competition=created, actor=staff, name=n, slug=n) for n in ("a", "b", "c"))

    setup.track_move(track=c, actor=staff, offset=-1)
    assert list(created.tracks.values_list("slug", flat=True)) == ["a", "c", "b"]
    setup.track_move(track=a, actor=staff, offset=1)
    assert list(created.tracks.values_list("slug", flat=True)) == ["c", "a", "b"]
    setup.track_move(track=b, actor=staff, offset=1)
    assert list(created.tracks.values_list("slug", flat=True)) == ["c", "a", "b"]
    assert list(created.tracks.values_list("position", flat=True)) == [1, 2, 3]
    assert AuditEvent.objects.filter(action="track.moved").count() == 2


def test_an_empty_track_is_removed_and_one_with_entries_is_not(staff, created):
    empty = setup.track_create(competition=created, actor=staff, name="Empty", slug="empty")
    entered = setup.track_create(competition=created, actor=staff, name="Entered", slug="entered")
    EntryFactory(track=entered, team=TeamFactory(competition=created))

    setup.track_delete(track=empty, actor=staff)
    with refused("track_has_entries"):
        setup.track_delete(track=entered, actor=staff)

    assert list(created.tracks.values_list("slug", flat=True)) == ["entered"]
    assert AuditEvent.objects.get(action="track.deleted").data["slug"] == "empty"


# --- Publishing -----------------------------------------------------------------------------------------------------


def test_publishing_needs_a_track_then_shows_the_competition_and_is_audited(staff, created):
    with refused("no_tracks"):
        setup.competition_publish(competition=created, actor=staff)

    TrackFactory(competition=created)
    setup.competition_publish(competition=created, actor=staff)
    setup.competition_publish(competition=created, actor=staff)  # again: nothing more

    created.refresh_from_db()
    assert created.is_published
    assert AuditEvent.objects.filter(action="competition.published").count() == 1


def test_unpublishing_hides_it_again_and_is_audited(staff, created):
    TrackFactory(competition=created)
    setup.competition_publish(competition=created, actor=staff)

    setup.competition_unpublish(competition=created, actor=staff)

    assert Competition.objects.get(pk=created.pk).is_published is False
    assert AuditEvent.objects.filter(action="competition.unpublished").count() == 1


def test_a_round_still_needs_a_name_in_one_language_by_the_same_rule(staff, created):
    with refused("name_required"):
        judging.round_create(
            competition=created, actor=staff, name="", name_zh=" ", opens_at=created.judging_starts_at,
            closes_at=created.judging_ends_at,
        )  # fmt: skip
    assert Track.objects.count() == 0

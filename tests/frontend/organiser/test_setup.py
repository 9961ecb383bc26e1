"""The console's competition setup pages: new competition (and a copy), settings in four sections, tracks, preview and
publishing; each from the wrong side too (an organiser of another competition, a judge, an entrant, a visitor)."""

import pytest
from django.conf import settings
from django.urls import reverse

from competitions.models import AuditEvent, Competition, CompetitionOrganiser, Track
from competitions.models.competition import MB
from competitions.services.processing.stages import limits_for
from tests.factories import CompetitionFactory, EntryFactory, TeamFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = reverse("frontend:organise-competition-create")
DATES = {
    "registration_opens_at": "2027-03-01T09:00",
    "registration_closes_at": "2027-05-01T18:00",
    "submission_opens_at": "2027-03-15T09:00",
    "submission_deadline": "2027-05-31T23:59",
    "judging_starts_at": "2027-06-01T09:00",
    "judging_ends_at": "2027-06-20T18:00",
    "results_at": "2027-06-30T10:00",
}


def _url(name: str, competition: Competition, **kwargs: object) -> str:
    return reverse(f"frontend:{name}", kwargs={"slug": competition.slug, **kwargs})


def _setup_urls(competition: Competition, track: Track) -> list[str]:
    names = [
        "organise-competition-settings",
        "organise-competition-preview",
        "organise-competition-publish",
        "organise-competition-unpublish",
        "organise-tracks",
    ]
    per_track = ["organise-track-update", "organise-track-move", "organise-track-delete"]
    return [_url(name, competition) for name in names] + [
        _url(name, competition, track_id=track.pk) for name in per_track
    ]


@pytest.fixture
def competition(round):
    return round.competition


# --- New competition and a copy -------------------------------------------------------------------------------


def test_staff_create_the_first_competition_from_an_empty_site_in_its_time_zone(client, db):
    olga = UserFactory(is_staff=True)
    assert not Competition.objects.exists()
    client.force_login(olga)
    home = client.get(reverse("frontend:organise-home")).content.decode()
    assert NEW in home

    response = client.post(NEW, {"name": "Expo 2027", "slug": "expo-2027", "time_zone": "Asia/Shanghai", **DATES})

    competition = Competition.objects.get(slug="expo-2027")
    assert response.status_code == 302
    assert response["Location"] == _url("organise-competition-settings", competition)
    assert competition.submission_deadline.isoformat() == "2027-05-31T15:59:00+00:00"  # 23:59 in Shanghai
    assert not competition.is_published
    assert CompetitionOrganiser.objects.filter(competition=competition, user=olga).exists()


def test_a_competition_named_in_chinese_only_is_created(client, olga):
    client.force_login(olga)

    client.post(
        NEW, {"name": "", "name_zh": "元宇宙场景设计大赛", "slug": "zh-only", "time_zone": "Asia/Shanghai", **DATES}
    )

    assert Competition.objects.get(slug="zh-only").display_name == "元宇宙场景设计大赛"


def test_a_competition_named_in_neither_language_is_refused_at_the_name_field(client, olga):
    client.force_login(olga)

    response = client.post(NEW, {"name": " ", "slug": "nameless", "time_zone": "Asia/Shanghai", **DATES})

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["Give the competition a name, in English or in Chinese."]


def test_every_date_out_of_order_is_marked_at_its_own_field(client, olga):
    client.force_login(olga)
    dates = {**DATES, "registration_closes_at": "2027-02-01T09:00", "judging_ends_at": "2027-05-01T09:00"}

    response = client.post(NEW, {"name": "Bad dates", "slug": "bad-dates", "time_zone": "Asia/Shanghai", **dates})

    errors = response.context["form"].errors
    assert response.status_code == 400
    assert errors["registration_closes_at"] == ["Registration must close after it opens."]
    assert errors["judging_ends_at"] == ["Judging must end after it starts."]
    assert "submission_deadline" not in errors
    assert not Competition.objects.filter(slug="bad-dates").exists()


def test_a_taken_slug_is_refused_at_the_slug_field(client, olga, competition):
    client.force_login(olga)

    response = client.post(NEW, {"name": "Again", "slug": competition.slug, "time_zone": "Asia/Shanghai", **DATES})

    assert response.context["form"].errors["slug"] == ["Another competition already has this slug; choose a new one."]


def test_a_copy_offers_the_texts_and_copies_tracks_and_rules(client, olga, competition):
    competition.rules_zh = "规则"
    competition.max_draw_calls = 77
    competition.save()
    TrackFactory(competition=competition, name="Culture", slug="culture", honourable_mentions=2)
    client.force_login(olga)

    page = client.get(NEW, {"from": competition.slug})
    response = client.post(
        f"{NEW}?from={competition.slug}",
        {**page.context["form"].initial, "name": "Next year", "slug": "next-year", **DATES},
    )

    assert response.status_code == 302
    clone = Competition.objects.get(slug="next-year")
    assert (clone.name, clone.rules_zh, clone.max_draw_calls) == ("Next year", "规则", 77)
    assert list(clone.tracks.values_list("slug", "honourable_mentions")) == [("culture", 2)]


def test_an_organiser_may_not_copy_a_competition_he_does_not_run(client, competition):
    oscar = UserFactory()
    CompetitionOrganiser.objects.create(competition=CompetitionFactory(), user=oscar)
    client.force_login(oscar)

    assert client.get(NEW, {"from": competition.slug}).status_code == 404
    assert client.get(NEW).status_code == 200  # his own new competition is fine


@pytest.mark.parametrize("who", ["alice", "jules"])
def test_entrants_and_judges_get_a_404_for_a_new_competition(client, alice, jules, who):
    client.force_login({"alice": alice, "jules": jules}[who])

    assert client.get(NEW).status_code == 404
    assert client.post(NEW, {"name": "Mine", "slug": "mine", "time_zone": "Asia/Shanghai", **DATES}).status_code == 404
    assert not Competition.objects.filter(slug="mine").exists()


def test_setup_pages_send_a_visitor_to_the_login_page(client, competition, track):
    for url in [NEW, *_setup_urls(competition, track)]:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("frontend:login")), url


@pytest.mark.parametrize("who", ["alice", "jules", "oscar"])
def test_setup_pages_of_a_competition_are_a_404_from_the_wrong_side(client, competition, track, alice, jules, who):
    oscar = UserFactory()
    CompetitionOrganiser.objects.create(competition=CompetitionFactory(), user=oscar)
    client.force_login({"alice": alice, "jules": jules, "oscar": oscar}[who])

    for url in _setup_urls(competition, track):
        assert client.get(url).status_code in (404, 405), url
        data = {"section": "texts", "texts-name": "Hijacked", "new-name": "Hijacked"}
        assert client.post(url, data).status_code in (404, 405), url
    competition.refresh_from_db()
    assert competition.name != "Hijacked"
    assert not Track.objects.filter(name="Hijacked").exists()
    assert Track.objects.filter(pk=track.pk).exists()


# --- Settings ---------------------------------------------------------------------------------------------


def _post_section(client, competition: Competition, section: str, values: dict[str, object]):
    data = {"section": section, **{f"{section}-{name}": value for name, value in values.items()}}
    return client.post(_url("organise-competition-settings", competition), data)


def test_texts_are_saved_and_audited(client, olga, competition):
    client.force_login(olga)

    texts = {"name": competition.name, "summary": competition.summary, "name_zh": "大赛", "rules_zh": "规则"}
    response = _post_section(client, competition, "texts", texts)

    assert response.status_code == 302
    competition.refresh_from_db()
    assert (competition.name_zh, competition.rules_zh) == ("大赛", "规则")
    assert AuditEvent.objects.get(action="competition.changed").data["after"] == {"name_zh": "大赛", "rules_zh": "规则"}


def test_a_timeline_error_is_shown_at_its_field_and_nothing_is_saved(client, olga, competition):
    client.force_login(olga)
    before = competition.judging_starts_at
    dates = {**DATES, "judging_starts_at": "2027-05-30T09:00"}

    response = _post_section(client, competition, "timeline", {"time_zone": "Asia/Shanghai", **dates})

    assert response.status_code == 400
    form = dict((name, form) for name, _title, form in response.context["sections"])["timeline"]
    assert form.errors["judging_starts_at"] == ["Judging must start after the submission deadline."]
    competition.refresh_from_db()
    assert competition.judging_starts_at == before


def test_team_rules_are_saved(client, olga, competition):
    client.force_login(olga)

    _post_section(
        client, competition, "team-rules", {"team_size_min": 2, "team_size_max": 4, "entries_per_team_per_track": 2}
    )

    competition.refresh_from_db()
    assert (competition.team_size_min, competition.team_size_max, competition.entries_per_team_per_track) == (2, 4, 2)


def test_every_asset_rule_is_saved_from_the_page_and_honoured_by_the_pipeline(client, olga, competition):
    client.force_login(olga)

    response = _post_section(
        client,
        competition,
        "asset-rules",
        {
            "allowed_formats": ["glb", "stl"],
            "max_upload_mb": 64,
            "max_triangles": 300000,
            "max_texture_size": 2048,
            "max_materials": 9,
            "max_draw_calls": 40,
            "allowed_extensions": "KHR_materials_unlit\nKHR_texture_transform, KHR_materials_unlit",
            "validation_policy": "lenient",
        },
    )

    assert response.status_code == 302
    limits = limits_for(Competition.objects.get(pk=competition.pk))
    assert limits.formats == ("glb", "stl")
    assert limits.max_upload_bytes == 64 * MB
    assert (limits.max_triangles, limits.max_texture_size, limits.max_materials, limits.max_draw_calls) == (
        300000, 2048, 9, 40,
    )  # fmt: skip
    assert limits.allowed_extensions == ("KHR_materials_unlit", "KHR_texture_transform")
    assert limits.policy == "lenient"


def test_a_wrong_extension_name_is_refused_at_its_field(client, olga, competition):
    client.force_login(olga)
    values = {"allowed_formats": ["glb"], "max_upload_mb": 500, "max_triangles": 1, "max_texture_size": 1}
    values |= {"max_materials": 1, "max_draw_calls": 1, "validation_policy": "strict"}

    response = _post_section(client, competition, "asset-rules", {**values, "allowed_extensions": "KHR_ok, not-one"})

    form = dict((name, form) for name, _title, form in response.context["sections"])["asset-rules"]
    assert response.status_code == 400
    assert "not-one" in form.errors["allowed_extensions"][0]
    assert Competition.objects.get(pk=competition.pk).max_triangles != 1


def test_the_settings_page_is_in_chinese(client, olga, competition):
    client.force_login(olga)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    content = client.get(_url("organise-competition-settings", competition)).content.decode()

    for label in (
        "名称和文字",
        "赛程",
        "团队规则",
        "资源规则",
        "允许的 glTF 扩展",
        "报名截止时间",
        "三角面数上限",
        "预览",
    ):
        assert label in content, label


# --- Tracks -----------------------------------------------------------------------------------------------


def test_tracks_are_added_edited_reordered_and_removed(client, olga, competition, track):
    client.force_login(olga)
    tracks = _url("organise-tracks", competition)

    client.post(tracks, {"new-name": "", "new-name_zh": "工业元宇宙", "new-slug": "industry"})
    added = Track.objects.get(slug="industry")
    client.post(_url("organise-track-update", competition, track_id=added.pk), {
        f"track-{added.pk}-name": "Industry", f"track-{added.pk}-name_zh": "工业元宇宙",
        f"track-{added.pk}-slug": "industry", f"track-{added.pk}-description": "Factories.",
    })  # fmt: skip
    client.post(_url("organise-track-move", competition, track_id=added.pk), {"direction": "up"})

    assert list(competition.tracks.values_list("slug", flat=True)) == ["industry", track.slug]
    assert Track.objects.get(pk=added.pk).description == "Factories."
    client.post(_url("organise-track-delete", competition, track_id=added.pk))
    assert list(competition.tracks.values_list("slug", flat=True)) == [track.slug]


def test_a_track_with_entries_is_not_removed_and_the_page_says_why(client, olga, competition, track):
    EntryFactory(track=track, team=TeamFactory(competition=competition))
    client.force_login(olga)

    response = client.post(_url("organise-track-delete", competition, track_id=track.pk), follow=True)

    assert Track.objects.filter(pk=track.pk).exists()
    assert "This track has entries, so it cannot be removed." in response.content.decode()


def test_a_new_track_with_a_taken_slug_is_refused_at_the_slug_field(client, olga, competition, track):
    client.force_login(olga)

    response = client.post(_url("organise-tracks", competition), {"new-name": "Twin", "new-slug": track.slug})

    assert response.status_code == 400
    assert response.context["new"].errors["slug"] == ["Another track of this competition already has this slug."]


def test_a_track_of_another_competition_is_a_404_through_this_one(client, olga, competition):
    other = TrackFactory()
    client.force_login(olga)

    response = client.post(_url("organise-track-delete", competition, track_id=other.pk))

    assert response.status_code == 404
    assert Track.objects.filter(pk=other.pk).exists()


# --- Preview and publishing ---------------------------------------------------------------------------------


def test_an_unpublished_competition_is_previewed_by_its_organiser_then_published(client, olga, competition, track):
    competition.is_published = False
    competition.save()
    client.force_login(UserFactory())
    assert client.get(reverse("frontend:competition-detail", kwargs={"slug": competition.slug})).status_code == 404
    client.force_login(olga)

    preview = client.get(_url("organise-competition-preview", competition))
    content = preview.content.decode()
    assert preview.status_code == 200
    assert competition.name in content and track.name in content
    assert _url("organise-competition-publish", competition) in content
    response = client.post(_url("organise-competition-publish", competition))

    assert response["Location"] == reverse("frontend:competition-detail", kwargs={"slug": competition.slug})
    assert Competition.objects.get(pk=competition.pk).is_published
    assert AuditEvent.objects.filter(action="competition.published", actor=olga).count() == 1
    client.force_login(UserFactory())
    assert client.get(reverse("frontend:competition-detail", kwargs={"slug": competition.slug})).status_code == 200


def test_a_competition_without_tracks_is_not_published_and_the_preview_says_why(client, olga):
    competition = CompetitionFactory(is_published=False)
    client.force_login(olga)

    response = client.post(_url("organise-competition-publish", competition), follow=True)

    assert not Competition.objects.get(pk=competition.pk).is_published
    assert "Add a track before publishing" in response.content.decode()


def test_unpublishing_hides_the_competition_again(client, olga, competition, track):
    client.force_login(olga)

    client.post(_url("organise-competition-unpublish", competition))

    assert not Competition.objects.get(pk=competition.pk).is_published
    assert AuditEvent.objects.filter(action="competition.unpublished").exists()


def test_the_home_page_links_each_competitions_setup_in_chinese(client, olga, competition):
    client.force_login(olga)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    content = client.get(reverse("frontend:organise-home")).content.decode()

    assert _url("organise-competition-settings", competition) in content
    assert _url("organise-tracks", competition) in content
    assert _url("organise-competition-preview", competition) in content
    assert "新建比赛" in content

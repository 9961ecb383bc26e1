"""Pinned comments on the site's pages: the judge's own on their entry page, every judge's (named) on the organiser's
page of an entry, and the team's (anonymised) with its published results.

The cast: Alice captains Aurora, Bob is in it, Charlie is in no team (tests/frontend/conftest.py); Nebula is another
team; judges Jules and Judith score both entries and pin comments to them; Oscar organises.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from competitions.models import Assignment, Conflict, Panelist, Round, RoundEntry
from competitions.services import judging, results
from competitions.services.judging import pins
from tests.factories import (
    CriterionFactory,
    JudgeFactory,
    RoundFactory,
    TeamFactory,
    UserFactory,
    add_member,
    ready_entry,
)

pytestmark = pytest.mark.django_db

UP = [0.0, 1.0, 0.0]


@pytest.fixture
def oscar(db: None) -> User:
    return UserFactory(username="oscar@metascene.example.org", is_staff=True)


@pytest.fixture
def jules(db: None) -> User:
    return JudgeFactory(profile__display_name="Jules Verne-Judge")


@pytest.fixture
def judith(db: None) -> User:
    return JudgeFactory(profile__display_name="Judith Sharp-Judge")


def _judged(competition, track, team, oscar, jules, judith, *, blind: str) -> Round:
    """An open round over Aurora's and Nebula's entries (each with a viewer copy and a hero thumbnail), both judged
    by Jules and Judith: Jules pins two comments to Aurora and one to Nebula, Judith one to Aurora."""
    round = RoundFactory(competition=competition, name="Online preliminary", judges_per_entry=2, blind=blind)
    CriterionFactory(round=round, name="Atmosphere", weight=Decimal("1"))
    nebula = TeamFactory(competition=competition, name="Nebula")
    for owner, title in ((team, "Harbour at dusk"), (nebula, "Desert bloom")):
        revision = ready_entry(track, team=owner, title=title).current_revision
        assert revision is not None
        revision.artifacts = {
            "viewer": f"revisions/{revision.pk}/viewer.glb",
            "hero": f"revisions/{revision.pk}/hero.webp",
        }
        revision.save(update_fields=["artifacts"])
    for judge in (jules, judith):
        Panelist.objects.create(round=round, user=judge, invited_by=oscar)
    judging.round_open(round=round, actor=oscar, now=competition.submission_deadline + timedelta(seconds=1))
    for round_entry in RoundEntry.objects.filter(round=round):
        for judge in (jules, judith):
            Assignment.objects.create(round=round, judge=judge, round_entry=round_entry)
    aurora, nebula_entry = _entry(round, "Aurora"), _entry(round, "Nebula")
    _pin(aurora, jules, "Jules: the lantern glare hides the quay.", [1, 2, 3])
    _pin(aurora, jules, "Jules: lovely reflections.", [0, 0.5, 0])
    _pin(aurora, judith, "Judith: the bridge railing floats.", [-1, 0, 2])
    _pin(nebula_entry, jules, "Jules: dunes tile visibly.", [4, 0, 4])
    round.refresh_from_db()
    return round


def _entry(round: Round, team_name: str) -> RoundEntry:
    return RoundEntry.objects.get(round=round, entry__team__name=team_name)


def _pin(round_entry: RoundEntry, judge: User, text: str, position: list[float]) -> None:
    pins.pin_add(round_entry=round_entry, judge=judge, position=position, normal=UP, text=text)


def _submit_all(round: Round) -> None:
    criterion = round.criteria.get()
    for assignment in Assignment.objects.filter(round=round).select_related("round_entry", "judge"):
        values = {criterion.pk: {"value": Decimal("7")}}
        sheet = judging.sheet_save(
            round_entry=assignment.round_entry, judge=assignment.judge, version=0, values=values, comment="Kind words."
        )
        judging.sheet_submit(round_entry=assignment.round_entry, judge=assignment.judge, version=sheet.version)


def _publish(round: Round, oscar: User) -> None:
    judging.round_close(round=round, actor=oscar)
    results.round_publish(round=round, actor=oscar)


@pytest.fixture
def judged(competition, track, team, oscar, jules, judith) -> Round:
    return _judged(competition, track, team, oscar, jules, judith, blind=Round.Blind.NEVER)


@pytest.fixture
def blind_judged(competition, track, team, oscar, jules, judith) -> Round:
    return _judged(competition, track, team, oscar, jules, judith, blind=Round.Blind.ALWAYS)


def _after_the_deadline(round: Round) -> time_machine.travel:
    return time_machine.travel(round.competition.submission_deadline + timedelta(days=2))


# --- The judge's entry page ------------------------------------------------------------------------------------


def test_the_judge_page_lists_only_the_judges_own_pins_with_their_points(client, judged, jules):
    client.force_login(jules)

    content = client.get(reverse("frontend:judge-entry", args=[_entry(judged, "Aurora").pk])).content.decode()

    assert "Jules: the lantern glare hides the quay." in content and "Jules: lovely reflections." in content
    assert "Judith" not in content
    assert 'data-position="1.000000 2.000000 3.000000"' in content
    assert 'data-normal="0.000000 1.000000 0.000000"' in content
    assert "data-pin-toggle" in content and "data-pin-edit" in content
    assert reverse("api:judging-pins", args=[_entry(judged, "Aurora").pk]) in content


def test_the_judge_page_is_read_only_once_the_sheet_is_submitted(client, judged, jules):
    _submit_all(judged)
    client.force_login(jules)

    content = client.get(reverse("frontend:judge-entry", args=[_entry(judged, "Aurora").pk])).content.decode()

    assert "Jules: lovely reflections." in content
    assert "data-pin-toggle" not in content and "data-pin-edit" not in content and "data-api" not in content


def test_a_blind_round_judge_page_shows_pins_and_no_names(client, blind_judged, jules):
    client.force_login(jules)

    content = client.get(reverse("frontend:judge-entry", args=[_entry(blind_judged, "Aurora").pk])).content.decode()

    assert "Jules: lovely reflections." in content
    assert "Aurora" not in content and "Alice" not in content


# --- The organiser -----------------------------------------------------------------------------------------------


def _organiser_url(round: Round, team_name: str) -> str:
    return reverse("frontend:organise-entry-pins", args=[round.pk, _entry(round, team_name).pk])


def test_the_organiser_sees_every_judges_pins_with_their_names_numbered(client, judged, oscar):
    client.force_login(oscar)

    response = client.get(_organiser_url(judged, "Aurora"))

    assert response.status_code == 200
    shown = [(p.number, p.author, p.pin.text) for p in response.context["pins"]]
    assert shown == [
        (1, "Jules Verne-Judge", "Jules: the lantern glare hides the quay."),
        (2, "Jules Verne-Judge", "Jules: lovely reflections."),
        (3, "Judith Sharp-Judge", "Judith: the bridge railing floats."),
    ]
    content = response.content.decode()
    assert "Jules: dunes tile visibly." not in content  # Nebula's
    assert reverse("frontend:organise-entry-model", args=[judged.pk, _entry(judged, "Aurora").pk]) in content
    assert "model-viewer" in content and "data-pin-scene" in content


def test_the_organiser_sees_the_pins_of_a_blind_round_too(client, blind_judged, oscar):
    client.force_login(oscar)

    response = client.get(_organiser_url(blind_judged, "Aurora"))

    assert len(response.context["pins"]) == 3


def test_the_leaderboard_links_each_entry_to_its_pins(client, judged, oscar):
    client.force_login(oscar)

    content = client.get(reverse("frontend:organise-leaderboard", args=[judged.pk])).content.decode()

    assert _organiser_url(judged, "Aurora") in content and _organiser_url(judged, "Nebula") in content


def test_judges_teams_and_visitors_never_reach_the_organisers_pins_page(client, judged, jules, alice, charlie):
    url = _organiser_url(judged, "Aurora")
    model_url = reverse("frontend:organise-entry-model", args=[judged.pk, _entry(judged, "Aurora").pk])

    assert client.get(url).status_code == 302  # to the login page
    for person in (jules, alice, charlie):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.get(model_url).status_code == 404


def test_an_entry_of_another_round_is_404_on_the_organisers_pins_page(client, judged, oscar):
    other = RoundFactory(competition=judged.competition, position=2)
    client.force_login(oscar)

    assert (
        client.get(reverse("frontend:organise-entry-pins", args=[other.pk, _entry(judged, "Aurora").pk])).status_code
        == 404
    )


def test_the_organiser_downloads_the_viewer_copy_for_the_3d_view(client, judged, oscar):
    revision = _entry(judged, "Aurora").revision
    stored = default_storage.save(revision.artifacts["viewer"], ContentFile(b"glTF-viewer-copy"))
    client.force_login(oscar)
    try:
        response = client.get(reverse("frontend:organise-entry-model", args=[judged.pk, _entry(judged, "Aurora").pk]))

        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"glTF-viewer-copy"
        assert response["Content-Type"] == "model/gltf-binary"
    finally:
        default_storage.delete(stored)


# --- The team ----------------------------------------------------------------------------------------------------


def _team_page(client, team, user: User) -> str:
    with _after_the_deadline(team.competition.rounds.get()):
        client.force_login(user)
        response = client.get(reverse("frontend:team-detail", args=[team.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_team_sees_no_pins_before_publication(client, judged, team, alice):
    _submit_all(judged)
    judging.round_close(round=judged, actor=UserFactory(is_staff=True))

    content = _team_page(client, team, alice)

    assert "lantern glare" not in content and "data-pins" not in content


def test_after_publication_the_team_sees_its_pins_anonymised_in_a_3d_view(client, judged, team, alice, oscar):
    _submit_all(judged)
    _publish(judged, oscar)

    content = _team_page(client, team, alice)

    for text in ("the lantern glare hides the quay.", "lovely reflections.", "the bridge railing floats."):
        assert text in content
    assert "Jules Verne" not in content and "Judith Sharp" not in content
    assert "dunes tile visibly" not in content  # Nebula's
    # Numbered as the judges' comments are: the judge whose sheet came first is "Judge 1".
    first_judge = sorted(_entry(judged, "Aurora").sheets.values_list("pk", "judge__profile__display_name"))[0][1]
    first_label, second_label = ("Judge 1", "Judge 2") if first_judge.startswith("Jules") else ("Judge 2", "Judge 1")
    assert content.index(first_label) < content.index("the lantern glare")
    assert f'data-pin-author>{second_label}</p>\n    <p class="pin-text" data-pin-text>Judith:' in content
    revision = _entry(judged, "Aurora").revision
    viewer_url = reverse("frontend:revision-artifact", args=[revision.entry_id, revision.pk, "viewer"])
    assert viewer_url in content and "data-pin-scene" in content
    assert 'data-position="1.000000 2.000000 3.000000"' in content


def test_the_team_never_reads_pins_of_draft_sheets_or_conflicted_judges(client, judged, team, alice, oscar, judith):
    _submit_all(judged)
    Conflict.objects.create(competition=judged.competition, judge=judith, team=team, source="declared")
    _publish(judged, oscar)

    content = _team_page(client, team, alice)

    assert "the lantern glare hides the quay." in content
    assert "the bridge railing floats." not in content


def test_another_team_sees_only_its_own_pins(client, judged, oscar):
    _submit_all(judged)
    _publish(judged, oscar)
    nebula = judged.competition.teams.get(name="Nebula")
    member = add_member(nebula, UserFactory())

    content = _team_page(client, nebula, member)

    assert "dunes tile visibly." in content
    assert "lantern glare" not in content and "bridge railing" not in content


def test_someone_outside_the_team_cannot_open_its_page(client, judged, team, oscar, charlie):
    _submit_all(judged)
    _publish(judged, oscar)
    client.force_login(charlie)

    assert client.get(reverse("frontend:team-detail", args=[team.pk])).status_code == 404


def test_in_a_blind_round_the_team_sees_its_pins_anonymised_too(client, blind_judged, team, alice, oscar):
    _submit_all(blind_judged)
    _publish(blind_judged, oscar)

    content = _team_page(client, team, alice)

    assert "lovely reflections." in content and "Jules Verne" not in content


# --- The admin ---------------------------------------------------------------------------------------------------


def test_the_admin_shows_a_sheets_pins_read_only(client, judged, jules):
    sheet = _entry(judged, "Aurora").sheets.get(judge=jules)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:competitions_scoresheet_change", args=[sheet.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Jules: the lantern glare hides the quay." in content
    assert 'name="pins-0-text"' not in content  # shown, never editable


# --- The audit log ------------------------------------------------------------------------------------------------


def test_the_audit_log_tells_each_pin_change_as_a_sentence_under_scores(client, judged, oscar, jules):
    aurora = _entry(judged, "Aurora")
    pin = aurora.sheets.get(judge=jules).pins.order_by("pk").first()
    assert pin is not None
    pins.pin_update(round_entry=aurora, judge=jules, pin_id=pin.pk, text="Jules: glare fixed?")
    pins.pin_delete(round_entry=aurora, judge=jules, pin_id=pin.pk)
    client.force_login(oscar)

    response = client.get(reverse("frontend:organise-audit"), {"kind": "score", "who": "Jules"})

    sentences = [line.sentence for line, _details in response.context["lines"]]
    code = aurora.blind_code
    assert f"Jules Verne-Judge pinned a comment to entry {code}." in sentences
    assert f"Jules Verne-Judge changed a pinned comment on entry {code}." in sentences
    assert f"Jules Verne-Judge deleted a pinned comment on entry {code}." in sentences

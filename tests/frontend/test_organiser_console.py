"""The organiser console: only staff users reach it (everyone else gets a 404, a visitor the login page first);
rounds, rubrics, panels, assignments, results and the audit log are driven from it through the services.

The cast: Olga organises (staff), Alice captains the team Aurora and has an entry, Jules judges the round.
"""

import csv
import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competitions.models import (
    Assignment,
    AuditEvent,
    Conflict,
    Criterion,
    EntryRevision,
    Panelist,
    Round,
    RoundResult,
    ScoreSheet,
)
from competitions.services import assignment as assignment_service
from competitions.services import judging
from tests.factories import (
    CriterionFactory,
    EntryRevisionFactory,
    JudgeFactory,
    RoundFactory,
    TeamFactory,
    TrackFactory,
    UserFactory,
    ready_entry,
)

pytestmark = pytest.mark.django_db


# --- The cast -------------------------------------------------------------------------------------------------


@pytest.fixture
def olga(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="olga@metascene.example.org", is_staff=True, profile__display_name="Olga Organiser")


@pytest.fixture
def round(db):  # type: ignore[no-untyped-def]
    return RoundFactory(name="Online preliminary", judges_per_entry=2)


@pytest.fixture
def track(round):  # type: ignore[no-untyped-def]
    return TrackFactory(competition=round.competition, name="Culture and tourism")


@pytest.fixture
def alice(round, track):  # type: ignore[no-untyped-def]
    alice = UserFactory(username="alice@example.com")
    ready_entry(track, team=TeamFactory(competition=round.competition, captain=alice, name="Aurora"))
    return alice


@pytest.fixture
def jules(round):  # type: ignore[no-untyped-def]
    jules = JudgeFactory()
    Panelist.objects.create(round=round, user=jules)
    return jules


@pytest.fixture
def criterion(round):  # type: ignore[no-untyped-def]
    return CriterionFactory(round=round, name="Atmosphere", weight=Decimal("2"))


def _open(round: Round, organiser: object, *, entries: int = 0, track: object = None) -> Round:
    for _ in range(entries):
        ready_entry(track)
    return judging.round_open(round=round, actor=organiser)


def _score(round: Round, judge: object, value: str = "7") -> ScoreSheet:
    """``judge`` scores and submits every entry assigned to them."""
    sheet = None
    for assignment in Assignment.objects.filter(round=round, judge=judge).select_related("round_entry"):
        values = {c.pk: {"value": Decimal(value), "comment": "Fine work."} for c in round.criteria.all()}
        sheet = judging.sheet_save(
            round_entry=assignment.round_entry, judge=judge, version=0, values=values, comment="Bravo"
        )
        sheet = judging.sheet_submit(round_entry=assignment.round_entry, judge=judge, version=sheet.version)
    assert sheet is not None
    return sheet


# --- Who may see the console ----------------------------------------------------------------------------------


def _console_urls(round: Round) -> list[str]:
    ids = {"pk": round.pk}
    names = [
        "organise-round",
        "organise-round-update",
        "organise-round-open",
        "organise-round-close",
        "organise-criterion-create",
        "organise-round-panel",
        "organise-judge-invite",
        "organise-conflict-create",
        "organise-round-assignments",
        "organise-round-assign",
        "organise-assignment-add",
        "organise-leaderboard",
        "organise-round-publish",
        "organise-shortlist",
        "organise-scores-csv",
    ]
    return [
        reverse("frontend:organise-home"),
        reverse("frontend:organise-audit"),
        reverse("frontend:organise-round-create", kwargs={"slug": round.competition.slug}),
        reverse("frontend:organise-criterion-update", kwargs={**ids, "criterion_id": 1}),
        reverse("frontend:organise-criterion-delete", kwargs={**ids, "criterion_id": 1}),
        reverse("frontend:organise-judge-withdraw", kwargs={**ids, "panelist_id": 1}),
        reverse("frontend:organise-conflict-remove", kwargs={**ids, "conflict_id": 1}),
        reverse("frontend:organise-assignment-remove", kwargs={**ids, "assignment_id": 1}),
        reverse("frontend:organise-sheet-reopen", kwargs={**ids, "sheet_id": 1}),
    ] + [reverse(f"frontend:{name}", kwargs=ids) for name in names]


def test_console_sends_a_visitor_to_the_login_page(client, round):
    for url in _console_urls(round):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("frontend:login")), url


@pytest.mark.parametrize("who", ["alice", "jules"])
def test_console_is_a_404_for_entrants_and_judges(client, round, alice, jules, criterion, who):
    client.force_login({"alice": alice, "jules": jules}[who])
    for url in _console_urls(round):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "Hijacked"}).status_code == 404, url
    assert not Round.objects.filter(name="Hijacked").exists()
    assert not Criterion.objects.filter(name="Hijacked").exists()


def test_organise_link_shows_in_the_menu_for_staff_only(client, olga, alice):
    client.force_login(alice)
    assert reverse("frontend:organise-home") not in client.get(reverse("frontend:dashboard")).content.decode()
    client.force_login(olga)
    assert reverse("frontend:organise-home") in client.get(reverse("frontend:dashboard")).content.decode()


# --- Rounds and rubrics ---------------------------------------------------------------------------------------


def test_home_lists_competitions_with_their_rounds(client, olga, round):
    client.force_login(olga)

    response = client.get(reverse("frontend:organise-home"))

    content = response.content.decode()
    assert response.status_code == 200
    assert round.competition.name in content
    assert "Online preliminary" in content
    assert reverse("frontend:organise-round", kwargs={"pk": round.pk}) in content


def test_create_round_reads_times_in_the_competitions_time_zone(client, olga, round):
    client.force_login(olga)
    data = {
        "name": "Final",
        "name_zh": "决赛",
        "position": "5",
        "opens_at": "2026-12-01T09:00",
        "closes_at": "2026-12-08T18:00",
        "blind": "never",
        "judges_per_entry": "4",
        "advancement": "manual",
        "advance_count": "0",
        "method": "trimmed",
        "honourable_mentions": "2",
    }

    response = client.post(reverse("frontend:organise-round-create", kwargs={"slug": round.competition.slug}), data)

    final = Round.objects.get(name="Final")
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:organise-round", kwargs={"pk": final.pk})
    assert final.opens_at == datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert (final.position, final.judges_per_entry, final.blind, final.method) == (5, 4, "never", "trimmed")
    assert AuditEvent.objects.filter(action="round.created", target_id=final.pk).exists()


def test_create_round_closing_before_it_opens_shows_the_error_next_to_the_field(client, olga, round):
    client.force_login(olga)
    data = {"name": "Final", "position": "5", "opens_at": "2026-12-08T09:00", "closes_at": "2026-12-01T09:00"}
    data |= {"blind": "always", "judges_per_entry": "3", "advancement": "top_n", "advance_count": "5"}
    data |= {"method": "mean", "honourable_mentions": "0"}

    response = client.post(reverse("frontend:organise-round-create", kwargs={"slug": round.competition.slug}), data)

    assert response.status_code == 200
    assert "Judging must close after it opens." in response.context["form"].errors["closes_at"][0]
    assert not Round.objects.filter(name="Final").exists()


def test_organiser_adds_a_criterion_to_a_draft_round(client, olga, round):
    client.force_login(olga)
    data = {"new-criterion-name": "Atmosphere", "new-criterion-weight": "2", "new-criterion-scale_min": "0"}
    data |= {"new-criterion-scale_max": "10", "new-criterion-step": "0.5", "new-criterion-position": "1"}

    response = client.post(reverse("frontend:organise-criterion-create", kwargs={"pk": round.pk}), data)

    assert response.status_code == 302
    criterion = round.criteria.get()
    assert (criterion.name, criterion.weight, criterion.step) == ("Atmosphere", Decimal("2"), Decimal("0.5"))


def test_organiser_edits_and_deletes_a_criterion_of_a_draft_round(client, olga, round, criterion):
    client.force_login(olga)
    prefix = f"criterion-{criterion.pk}-"
    data = {f"{prefix}name": "Mood", f"{prefix}weight": "3", f"{prefix}scale_min": "0", f"{prefix}scale_max": "5"}
    data |= {f"{prefix}step": "1", f"{prefix}position": "1"}
    ids = {"pk": round.pk, "criterion_id": criterion.pk}

    client.post(reverse("frontend:organise-criterion-update", kwargs=ids), data)
    criterion.refresh_from_db()
    assert (criterion.name, criterion.scale_max) == ("Mood", Decimal("5"))

    client.post(reverse("frontend:organise-criterion-delete", kwargs=ids))
    assert not round.criteria.exists()


def test_editing_the_rubric_of_an_open_round_is_refused_with_a_message(client, olga, round, track, criterion):
    _open(round, olga, entries=1, track=track)
    client.force_login(olga)
    prefix = f"criterion-{criterion.pk}-"
    data = {f"{prefix}name": "Mood", f"{prefix}weight": "9", f"{prefix}scale_min": "0", f"{prefix}scale_max": "10"}
    data |= {f"{prefix}step": "0.5", f"{prefix}position": "1"}
    ids = {"pk": round.pk, "criterion_id": criterion.pk}

    response = client.post(reverse("frontend:organise-criterion-update", kwargs=ids), data, follow=True)
    client.post(reverse("frontend:organise-criterion-delete", kwargs=ids))
    client.post(reverse("frontend:organise-criterion-create", kwargs={"pk": round.pk}), {"new-criterion-name": "X"})

    content = response.content.decode()
    assert "its rubric is locked" in content
    assert "The rubric is locked" in content
    assert reverse("frontend:organise-criterion-update", kwargs=ids) not in content
    criterion.refresh_from_db()
    assert (criterion.name, criterion.weight) == ("Atmosphere", Decimal("2"))
    assert round.criteria.count() == 1


def test_round_settings_are_saved_through_the_service(client, olga, round):
    client.force_login(olga)
    data = {"name": "Preliminary", "name_zh": "初赛", "position": str(round.position)}
    data |= {"opens_at": "2026-12-01T09:00", "closes_at": "2026-12-08T18:00", "blind": "always"}
    data |= {"judges_per_entry": "5", "advancement": "top_n", "advance_count": "10", "method": "normalised"}
    data |= {"honourable_mentions": "3"}

    response = client.post(reverse("frontend:organise-round-update", kwargs={"pk": round.pk}), data)

    assert response.status_code == 302
    round.refresh_from_db()
    assert (round.name, round.name_zh, round.judges_per_entry) == ("Preliminary", "初赛", 5)
    assert round.closes_at == datetime(2026, 12, 8, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_settings_page_shows_times_in_the_competitions_time_zone(client, olga, round):
    round.opens_at = datetime(2026, 12, 1, 1, 0, tzinfo=ZoneInfo("UTC"))
    round.save()
    client.force_login(olga)

    response = client.get(reverse("frontend:organise-round", kwargs={"pk": round.pk}))

    assert 'value="2026-12-01T09:00"' in response.content.decode()


def test_changing_the_blind_setting_of_an_open_round_shows_the_refusal_next_to_the_field(
    client, olga, round, track, criterion
):
    _open(round, olga, entries=1, track=track)
    client.force_login(olga)
    data = {"name": round.name, "position": str(round.position), "blind": "never", "judges_per_entry": "2"}
    data |= {"opens_at": "2026-12-01T09:00", "closes_at": "2026-12-08T18:00", "advancement": "top_n"}
    data |= {"advance_count": "10", "method": "normalised", "honourable_mentions": "3"}

    response = client.post(reverse("frontend:organise-round-update", kwargs={"pk": round.pk}), data)

    assert response.status_code == 400
    assert "this setting is locked" in response.context["form"].errors["blind"][0]
    round.refresh_from_db()
    assert round.blind == Round.Blind.ALWAYS


def test_open_asks_for_confirmation_then_freezes_the_entries(client, olga, round, track, criterion):
    ready_entry(track)
    client.force_login(olga)
    url = reverse("frontend:organise-round-open", kwargs={"pk": round.pk})

    assert "Open the round" in client.get(url).content.decode()
    round.refresh_from_db()
    assert round.status == Round.Status.DRAFT

    client.post(url)
    round.refresh_from_db()
    assert round.status == Round.Status.OPEN
    assert round.round_entries.count() == 1


def test_organiser_sees_the_files_still_being_checked_and_opening_is_refused_until_they_finish(
    client, olga, round, track, criterion
):
    ready_entry(track)
    waiting = ready_entry(track, title="Yangshan port twin")
    revision = EntryRevisionFactory(entry=waiting, number=2, status=EntryRevision.Status.VALIDATING)
    client.force_login(olga)
    url = reverse("frontend:organise-round-open", kwargs={"pk": round.pk})

    detail = client.get(reverse("frontend:organise-round", kwargs={"pk": round.pk})).content.decode()
    confirm = client.get(url).content.decode()
    refused = client.post(url, follow=True).content.decode()

    for page in (detail, confirm):
        assert "1 file uploaded before the deadline is still being checked." in page
        assert "“Yangshan port twin”: revision 2" in page
    assert "1 file uploaded before the deadline is still being checked: " in refused
    round.refresh_from_db()
    assert round.status == Round.Status.DRAFT
    EntryRevision.objects.filter(pk=revision.pk).update(status=EntryRevision.Status.REJECTED)
    client.post(url)
    round.refresh_from_db()
    assert round.status == Round.Status.OPEN


def test_close_asks_for_confirmation_then_closes_the_round(client, olga, round, track, criterion):
    _open(round, olga, entries=1, track=track)
    client.force_login(olga)
    url = reverse("frontend:organise-round-close", kwargs={"pk": round.pk})

    assert "Close the round" in client.get(url).content.decode()
    response = client.post(url, follow=True)

    round.refresh_from_db()
    assert round.status == Round.Status.CLOSED
    assert "The round is closed" in response.content.decode()


def test_open_without_criteria_shows_why_it_was_refused(client, olga, round, track):
    ready_entry(track)
    client.force_login(olga)

    response = client.post(reverse("frontend:organise-round-open", kwargs={"pk": round.pk}), follow=True)

    assert "Add at least one criterion" in response.content.decode()
    round.refresh_from_db()
    assert round.status == Round.Status.DRAFT


# --- Panel ----------------------------------------------------------------------------------------------------


def test_invite_judge_seats_them_and_sends_an_email(client, olga, round, track, django_capture_on_commit_callbacks):
    client.force_login(olga)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("frontend:organise-judge-invite", kwargs={"pk": round.pk}),
            {"email": "Wei@Jury.example.net", "name": "Wei Zhang", "tracks": [track.pk]},
        )

    assert response.status_code == 302
    panelist = round.panelists.get()
    assert panelist.user.email == "wei@jury.example.net"
    assert list(panelist.tracks.all()) == [track]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["wei@jury.example.net"]


def test_invite_with_a_bad_email_shows_the_error_next_to_the_field(client, olga, round):
    client.force_login(olga)

    response = client.post(reverse("frontend:organise-judge-invite", kwargs={"pk": round.pk}), {"email": "nope"})

    assert response.status_code == 400
    assert response.context["invite_form"].errors["email"]
    assert not round.panelists.exists()


def test_withdrawing_a_judge_asks_first_and_says_what_happens_to_their_entries(client, olga, round, jules):
    client.force_login(olga)
    panelist = round.panelists.get(user=jules)
    url = reverse("frontend:organise-judge-withdraw", kwargs={"pk": round.pk, "panelist_id": panelist.pk})

    panel = client.get(reverse("frontend:organise-round-panel", kwargs={"pk": round.pk})).content.decode()
    response = client.get(url)

    assert f'href="{url}"' in panel
    assert response.status_code == 200
    content = response.content.decode()
    assert "Run the assignment again afterwards" in content and 'method="post"' in content
    panelist.refresh_from_db()
    assert panelist.is_active


def test_withdraw_judge_keeps_the_seat_but_marks_it_withdrawn(client, olga, round, jules):
    client.force_login(olga)
    panelist = round.panelists.get(user=jules)

    client.post(reverse("frontend:organise-judge-withdraw", kwargs={"pk": round.pk, "panelist_id": panelist.pk}))

    panelist.refresh_from_db()
    assert not panelist.is_active


def test_organiser_records_and_removes_a_conflict(client, olga, round, alice, jules):
    client.force_login(olga)
    team = alice.memberships.get().team

    client.post(
        reverse("frontend:organise-conflict-create", kwargs={"pk": round.pk}),
        {"judge": jules.pk, "team": team.pk, "reason": "Former supervisor"},
    )
    conflict = Conflict.objects.get(judge=jules, team=team)
    assert (conflict.source, conflict.reason) == (Conflict.Source.ORGANISER, "Former supervisor")
    page = client.get(reverse("frontend:organise-round-panel", kwargs={"pk": round.pk})).content.decode()
    assert "Former supervisor" in page

    client.post(reverse("frontend:organise-conflict-remove", kwargs={"pk": round.pk, "conflict_id": conflict.pk}))
    assert not Conflict.objects.filter(judge=jules, team=team).exists()


# --- Assignments ----------------------------------------------------------------------------------------------


@pytest.fixture
def panel(round):  # type: ignore[no-untyped-def]
    judges = [JudgeFactory() for _ in range(3)]
    for judge in judges:
        Panelist.objects.create(round=round, user=judge)
    return judges


def test_run_assignment_gives_every_entry_its_judges_and_reports(client, olga, round, track, criterion, panel):
    _open(round, olga, entries=3, track=track)
    client.force_login(olga)

    response = client.post(reverse("frontend:organise-round-assign", kwargs={"pk": round.pk}), follow=True)

    assert Assignment.objects.filter(round=round).count() == 6
    content = response.content.decode()
    assert "6 assignments created, 0 kept, 0 removed." in content
    for judge in panel:
        assert judge.email in content or judge.profile.display_name in content


def test_manual_override_adds_and_removes_an_assignment(client, olga, round, track, criterion, panel):
    _open(round, olga, entries=1, track=track)
    round_entry = round.round_entries.get()
    client.force_login(olga)

    client.post(
        reverse("frontend:organise-assignment-add", kwargs={"pk": round.pk}),
        {"judge": panel[0].pk, "round_entry": round_entry.pk},
    )
    assignment = Assignment.objects.get(round=round, judge=panel[0], round_entry=round_entry)
    assert assignment.source == Assignment.Source.MANUAL

    client.post(reverse("frontend:organise-assignment-remove", kwargs={"pk": round.pk, "assignment_id": assignment.pk}))
    assert not Assignment.objects.filter(pk=assignment.pk).exists()


def test_manual_assignment_of_a_conflicted_judge_is_refused(client, olga, round, track, criterion, panel):
    _open(round, olga, entries=1, track=track)
    round_entry = round.round_entries.select_related("entry__team").get()
    Conflict.objects.create(
        competition=round.competition, judge=panel[0], team=round_entry.entry.team, source=Conflict.Source.ORGANISER
    )
    client.force_login(olga)

    response = client.post(
        reverse("frontend:organise-assignment-add", kwargs={"pk": round.pk}),
        {"judge": panel[0].pk, "round_entry": round_entry.pk},
    )

    assert response.status_code == 400
    assert "conflict of interest" in response.content.decode()
    assert not Assignment.objects.filter(round=round).exists()


def test_assignments_page_shows_loads_and_progress(client, olga, round, track, criterion, panel):
    _open(round, olga, entries=3, track=track)
    client.force_login(olga)
    client.post(reverse("frontend:organise-round-assign", kwargs={"pk": round.pk}))
    _score(round, panel[0])

    response = client.get(reverse("frontend:organise-round-assignments", kwargs={"pk": round.pk}))

    loads = {load["panelist"].user_id: (load["assigned"], load["submitted"]) for load in response.context["loads"]}
    assert loads[panel[0].pk] == (2, 2)
    assert response.context["tracks"][0]["submitted"] == 2
    assert response.context["tracks"][0]["assigned"] == 6


def _assigned_round(organiser: object, *, entries: int) -> Round:
    round = RoundFactory(judges_per_entry=2)
    track = TrackFactory(competition=round.competition)
    CriterionFactory(round=round)
    judges = [JudgeFactory() for _ in range(3)]
    for judge in judges:
        Panelist.objects.create(round=round, user=judge)
    _open(round, organiser, entries=entries, track=track)
    assignment_service.round_assign(round=round, actor=organiser)
    _score(round, round.assignments.order_by("pk").first().judge)
    return round


@pytest.mark.parametrize("name", ["organise-round-assignments", "organise-round-panel", "organise-leaderboard"])
def test_round_pages_make_as_many_queries_for_many_entries_as_for_few(client, olga, name):
    small, large = _assigned_round(olga, entries=2), _assigned_round(olga, entries=9)
    client.force_login(olga)

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(f"frontend:{name}", kwargs={"pk": small.pk})).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse(f"frontend:{name}", kwargs={"pk": large.pk})).status_code == 200

    assert len(many.captured_queries) == len(few.captured_queries)


def test_organiser_reopens_a_submitted_sheet_with_a_reason(client, olga, round, track, criterion, panel):
    _open(round, olga, entries=1, track=track)
    client.force_login(olga)
    client.post(reverse("frontend:organise-round-assign", kwargs={"pk": round.pk}))
    sheet = _score(round, round.assignments.first().judge)
    url = reverse("frontend:organise-sheet-reopen", kwargs={"pk": round.pk, "sheet_id": sheet.pk})

    assert client.get(url).status_code == 200
    client.post(url, {"reason": "Scored the wrong file"})

    sheet.refresh_from_db()
    assert sheet.status == ScoreSheet.Status.DRAFT
    event = AuditEvent.objects.get(action="score.reopened")
    assert "Scored the wrong file" in str(event.data)


# --- Audit log ------------------------------------------------------------------------------------------------


def test_audit_page_lists_events_and_filters_by_round(client, olga, round, criterion):
    other = RoundFactory(name="Elsewhere")
    judging.round_update(round=round, actor=olga, judges_per_entry=4)
    judging.round_update(round=other, actor=olga, judges_per_entry=5)
    client.force_login(olga)

    everything = client.get(reverse("frontend:organise-audit"))
    filtered = client.get(reverse("frontend:organise-audit"), {"round": round.pk})

    assert {event.target_id for event, _details in everything.context["events"]} == {round.pk, other.pk}
    assert [event.target_id for event, _details in filtered.context["events"]] == [round.pk]
    content = filtered.content.decode()
    assert "round.changed" in content
    assert "Olga Organiser" in content
    assert "&quot;judges_per_entry&quot;: 4" in content


# --- Results --------------------------------------------------------------------------------------------------


@pytest.fixture
def scored(olga, round, track, criterion, panel):  # type: ignore[no-untyped-def]
    """An open round of three entries, two criteria, each entry scored by two of the three judges."""
    CriterionFactory(round=round, name="Craft")
    _open(round, olga, entries=3, track=track)
    assignment_service.round_assign(round=round, actor=olga)
    for number, judge in enumerate(panel):
        _score(round, judge, value=str(5 + number))
    return round


def test_leaderboard_ranks_each_tracks_entries_with_every_method(client, olga, scored, track):
    client.force_login(olga)

    response = client.get(reverse("frontend:organise-leaderboard", kwargs={"pk": scored.pk}))

    assert response.status_code == 200
    content = response.content.decode()
    assert track.name in content
    assert "Agreement" in content
    board = response.context["board"]
    assert [row.rank for row in board.tracks[0].rows] != [None, None, None]
    for row in board.tracks[0].rows:
        assert row.code in content
        assert row.team_name in content
    assert "2 of 2" in content


def test_leaderboard_shows_agreement_and_highlights_a_judge_who_orders_against_the_panel(
    client, olga, round, track, criterion, panel
):
    Round.objects.filter(pk=round.pk).update(judges_per_entry=3)
    _open(round, olga, entries=3, track=track)
    assignment_service.round_assign(round=round, actor=olga)
    entries = list(round.round_entries.order_by("pk"))
    for judge, values in zip(panel, (("5", "6", "7"), ("5", "6", "7"), ("7", "6", "5")), strict=True):
        for round_entry, value in zip(entries, values, strict=True):
            scores = {criterion.pk: {"value": Decimal(value), "comment": ""}}
            sheet = judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values=scores)
            judging.sheet_submit(round_entry=round_entry, judge=judge, version=sheet.version)
    client.force_login(olga)

    response = client.get(reverse("frontend:organise-leaderboard", kwargs={"pk": round.pk}))

    content = response.content.decode()
    assert "Kendall" in content
    assert [judge.judge_id for judge in response.context["board"].flagged] == [panel[2].pk]
    assert f'<span class="flagged-judge">{panel[2].profile.display_name}</span>' in content
    assert content.count('class="flagged-judge" title="Flagged judge"') == 3


def test_publish_asks_for_confirmation_then_creates_results(client, olga, scored):
    client.force_login(olga)
    url = reverse("frontend:organise-round-publish", kwargs={"pk": scored.pk})

    assert "Publish results" in client.get(url).content.decode()
    assert not RoundResult.objects.filter(round=scored).exists()

    response = client.post(url)

    assert response.status_code == 302
    scored.refresh_from_db()
    assert scored.status == Round.Status.PUBLISHED
    assert RoundResult.objects.filter(round=scored).count() == 3
    assert RoundResult.objects.get(round=scored, rank=1).award == RoundResult.Award.FIRST


def test_publishing_a_draft_round_is_refused_with_a_message(client, olga, round):
    client.force_login(olga)

    response = client.post(reverse("frontend:organise-round-publish", kwargs={"pk": round.pk}), follow=True)

    assert "Only an open or closed round can be published." in response.content.decode()
    assert not RoundResult.objects.exists()


def test_shortlist_marks_exactly_the_ticked_entries_as_advancing(client, olga, scored):
    Round.objects.filter(pk=scored.pk).update(advancement=Round.Advancement.MANUAL)
    chosen = scored.round_entries.order_by("pk").first()
    client.force_login(olga)

    page = client.get(reverse("frontend:organise-leaderboard", kwargs={"pk": scored.pk})).content.decode()
    client.post(reverse("frontend:organise-shortlist", kwargs={"pk": scored.pk}), {"round_entry": [chosen.pk]})

    assert 'name="round_entry"' in page
    assert list(scored.round_entries.filter(advanced=True)) == [chosen]


def test_scores_csv_has_a_header_and_one_row_per_score(client, olga, scored):
    client.force_login(olga)

    response = client.get(reverse("frontend:organise-scores-csv", kwargs={"pk": scored.pk}))

    assert response.status_code == 200
    expected_name = f"{scored.competition.slug}-{scored.position}-scores.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{expected_name}"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["track", "entry_code", "team"]
    # Three entries, two judges each, two criteria.
    assert len(rows) - 1 == 3 * 2 * 2
    assert {row[5] for row in rows[1:]} == {"Atmosphere", "Craft"}

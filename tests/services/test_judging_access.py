"""Who reaches what in judging: invitations and the panel, and the judging selectors (a judge sees only their
assignments, never a conflicted entry, whatever id they try)."""

import re

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from pytest_django import DjangoCaptureOnCommitCallbacks

from competitions.exceptions import RuleError
from competitions.models import Assignment, Panelist, Profile, Round, RoundEntry, ScoreSheet
from competitions.selectors import judging as selectors
from competitions.services import judging
from tests.factories import JudgeFactory, TeamFactory, TrackFactory, UserFactory, add_member, ready_entry

from .conftest import refused
from .judging_cast import assign, criteria_of, draft_round, open_round, organiser, seat

pytestmark = pytest.mark.django_db


# --- Invitations -------------------------------------------------------------------------------------------------


def test_inviting_a_new_email_creates_an_account_and_mails_a_set_password_link(
    mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    round = draft_round(entries=0)

    with django_capture_on_commit_callbacks(execute=True):
        panelist = judging.judge_invite(
            round=round, email=" Li.Na@Design.example.net ", actor=organiser(), name="Li Na"
        )

    judge = panelist.user
    assert judge.username == judge.email == "li.na@design.example.net"
    assert judge.is_active and not judge.has_usable_password()
    assert judge.profile.display_name == "Li Na"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [judge.email]
    assert "/judging/" in mailoutbox[0].body
    link = re.search(r"/accounts/password-reset/([^/]+)/([^/]+)/", str(mailoutbox[0].body))
    assert link is not None
    uid, token = link.groups()
    assert force_str(urlsafe_base64_decode(uid)) == str(judge.pk)
    assert default_token_generator.check_token(judge, token)


def test_inviting_an_existing_account_links_it_without_a_password_link(
    mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    round = draft_round(entries=0)
    existing, inviter = JudgeFactory(), organiser()
    accounts = User.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        panelist = judging.judge_invite(round=round, email=existing.email.upper(), actor=inviter)

    assert panelist.user == existing
    assert User.objects.count() == accounts
    assert len(mailoutbox) == 1
    assert "password-reset" not in mailoutbox[0].body
    assert existing.check_password("correct-horse-battery")


def test_invitation_for_some_tracks_only_records_them() -> None:
    round = draft_round(entries=0)
    track = TrackFactory(competition=round.competition)

    panelist = judging.judge_invite(round=round, email="a@jury.example.net", actor=organiser(), tracks=[track])

    assert list(panelist.tracks.all()) == [track]


def test_tracks_of_another_competition_are_refused() -> None:
    with refused("bad_track"):
        judging.judge_invite(
            round=draft_round(), email="a@jury.example.net", actor=organiser(), tracks=[TrackFactory()]
        )


def test_inviting_a_seated_judge_again_is_refused_and_a_withdrawn_one_is_reinstated() -> None:
    round = draft_round(entries=0)
    panelist = judging.judge_invite(round=round, email="a@jury.example.net", actor=organiser())

    with refused("already_on_panel"):
        judging.judge_invite(round=round, email="a@jury.example.net", actor=organiser())
    judging.judge_withdraw(panelist=panelist, actor=organiser())
    again = judging.judge_invite(round=round, email="a@jury.example.net", actor=organiser())

    assert again.pk == panelist.pk and again.is_active


def test_bad_email_is_refused() -> None:
    with refused("bad_email"):
        judging.judge_invite(round=draft_round(), email="not an email", actor=organiser())


# --- The judge's queue -------------------------------------------------------------------------------------------


def judged_round(entries: int, *, blind: str = Round.Blind.ALWAYS) -> tuple[Round, User]:
    """An open round whose ``entries`` entries are all assigned to one judge, who has saved one sheet."""
    round = draft_round(entries=entries)
    Round.objects.filter(pk=round.pk).update(blind=blind)
    judge = seat(round)
    open_round(round)
    for round_entry in round.round_entries.all():
        assign(round_entry, judge)
    judging.sheet_save(round_entry=round.round_entries.order_by("pk")[0], judge=judge, version=0, values={})
    round.refresh_from_db()
    return round, judge


def test_queue_shows_the_judges_assignments_with_sheet_status_and_hides_teams_in_blind_rounds() -> None:
    round, judge = judged_round(3)
    seat(round, other := JudgeFactory())
    assign(round.round_entries.order_by("pk")[0], other)

    queue = selectors.judge_queue(user=judge, round=round)

    assert sorted(item.round_entry_id for item in queue) == sorted(round.round_entries.values_list("pk", flat=True))
    assert all(item.team_name is None for item in queue)
    assert sorted(str(item.sheet_status) for item in queue) == ["None", "None", "draft"]
    assert [item.round_entry_id for item in selectors.judge_queue(user=other, round=round)] == [
        round.round_entries.order_by("pk")[0].pk
    ]


def test_queue_names_teams_when_the_round_is_not_blind() -> None:
    round, judge = judged_round(1, blind=Round.Blind.NEVER)

    [item] = selectors.judge_queue(user=judge, round=round)

    assert item.team_name == item.round_entry.entry.team.name


@pytest.mark.parametrize("function", ["judge_queue", "judge_progress"])
def test_queue_reads_take_the_same_queries_for_3_and_30_entries(function: str) -> None:
    counts = []
    for entries in (3, 30):
        round, judge = judged_round(entries)
        with CaptureQueriesContext(connection) as queries:
            result = getattr(selectors, function)(user=judge, round=round)
            if function == "judge_queue":
                [(item.title, item.track.name, item.hero, item.code) for item in result]
        counts.append(len(queries))

    assert counts[0] == counts[1] <= 2


def test_progress_counts_submitted_sheets_of_the_judge() -> None:
    round, judge = judged_round(3)
    round_entry = round.round_entries.order_by("pk")[0]
    values = {c.pk: {"value": "5"} for c in criteria_of(round)}
    judging.sheet_save(round_entry=round_entry, judge=judge, version=1, values=values)
    judging.sheet_submit(round_entry=round_entry, judge=judge, version=2)

    assert selectors.judge_progress(user=judge, round=round) == (1, 3)


def test_neighbours_follow_the_queue_order() -> None:
    round, judge = judged_round(3)
    ids = [item.round_entry_id for item in selectors.judge_queue(user=judge, round=round)]
    middle = RoundEntry.objects.get(pk=ids[1])

    assert selectors.judge_entry_neighbours(user=judge, round_entry=middle) == (ids[0], ids[2])
    assert selectors.judge_entry_neighbours(user=judge, round_entry=RoundEntry.objects.get(pk=ids[0]))[0] is None


def test_withdrawn_judge_no_longer_reaches_the_rounds_entries() -> None:
    round, judge = judged_round(2)
    panelist = Panelist.objects.get(round=round, user=judge)

    judging.judge_withdraw(panelist=panelist, actor=organiser())

    assert selectors.judge_queue(user=judge, round=round) == []
    assert list(selectors.rounds_judged_by(judge)) == []
    with pytest.raises(RoundEntry.DoesNotExist):
        selectors.round_entry_for_judge(user=judge, round_entry_id=round.round_entries.order_by("pk")[0].pk)


def test_rounds_judged_by_lists_open_and_closed_rounds_of_active_seats_only() -> None:
    round, judge = judged_round(1)
    seat(RoundFactoryDraft := draft_round(entries=0), judge)  # a draft round is not shown yet

    assert list(selectors.rounds_judged_by(judge)) == [round]
    assert RoundFactoryDraft.status == Round.Status.DRAFT


def test_organiser_is_staff() -> None:
    assert selectors.is_organiser(organiser())
    assert not selectors.is_organiser(UserFactory())


# --- The sweep: every entry id, as every judge -------------------------------------------------------------------


def test_no_judge_reaches_an_entry_unless_assigned_and_free_of_conflict() -> None:
    """Build a round with conflicts (declared, detected and left behind by a stale assignment), a withdrawn judge
    and a draft round; then try every round entry id, as every judge, through the selector and the sheet service."""
    round = draft_round(entries=0)
    track = TrackFactory(competition=round.competition)
    teams = [TeamFactory(competition=round.competition) for _ in range(4)]
    for index in range(6):
        ready_entry(track, team=teams[index % 4])
    judges = [seat(round) for _ in range(4)]
    detected = seat(round, UserFactory(username="prof@tongji.edu.cn"))
    Profile.objects.filter(user=detected).update(organisation="Design Academy")
    judges.append(detected)
    add_member(teams[2], UserFactory(username="student@tongji.edu.cn"))  # detected: same email domain
    open_round(round)
    round_entries = list(round.round_entries.select_related("entry"))
    for index, judge in enumerate(judges):
        for offset in range(3):
            assign(round_entries[(index + offset) % len(round_entries)], judge)
    judging.conflict_declare(competition=round.competition, judge=judges[0], team=teams[1], actor=judges[0])
    # An assignment the conflict should have removed, as if written behind the services' back:
    conflicted_entry = next(e for e in round_entries if e.entry.team_id == teams[1].pk)
    Assignment.objects.get_or_create(round=round, judge=judges[0], round_entry=conflicted_entry)
    withdrawn = judges[3]
    Panelist.objects.filter(round=round, user=withdrawn).update(withdrawn_at=timezone.now())
    other_round = open_round(draft_round(entries=2))
    stranger = seat(other_round)
    for published_entry in other_round.round_entries.all():
        assign(published_entry, stranger)  # in a round whose results are published: read only
    Round.objects.filter(pk=other_round.pk).update(status=Round.Status.PUBLISHED)
    everyone = [*judges, stranger, UserFactory(), organiser()]
    every_id = [
        *RoundEntry.objects.values_list("pk", flat=True),
        max(RoundEntry.objects.values_list("pk", flat=True)) + 1,
    ]

    reachable = 0
    for user in everyone:
        for round_entry_id in every_id:
            round_entry = RoundEntry.objects.filter(pk=round_entry_id).select_related("entry", "round").first()
            allowed = (
                round_entry is not None
                and round_entry.round.status in (Round.Status.OPEN, Round.Status.CLOSED, Round.Status.PUBLISHED)
                and Assignment.objects.filter(judge=user, round_entry=round_entry).exists()
                and Panelist.objects.filter(round=round_entry.round, user=user, withdrawn_at__isnull=True).exists()
                and not user.conflicts.filter(team_id=round_entry.entry.team_id).exists()
            )
            try:
                selectors.round_entry_for_judge(user=user, round_entry_id=round_entry_id)
                found = True
            except RoundEntry.DoesNotExist:
                found = False
            assert found == allowed, (user, round_entry_id)
            if round_entry is not None:
                try:
                    with transaction.atomic():
                        judging.sheet_save(round_entry=round_entry, judge=user, version=0, values={})
                        transaction.set_rollback(True)
                    saved = True
                except RuleError:
                    saved = False
                assert saved == (allowed and round_entry.round.status == Round.Status.OPEN), (user, round_entry_id)
            reachable += found
        queue = {item.round_entry_id for item in selectors.judge_queue(user=user, round=round)}
        assert all(
            not user.conflicts.filter(team_id=RoundEntry.objects.get(pk=pk).entry.team_id).exists() for pk in queue
        )

    assert reachable > 0
    assert set(detected.conflicts.values_list("team_id", flat=True)) == {teams[2].pk}
    assert not selectors.judge_queue(user=withdrawn, round=round)


# --- The organiser's reads ---------------------------------------------------------------------------------------


def test_organiser_round_list_counts_criteria_judges_and_entries() -> None:
    round, judge = judged_round(3)
    seat(round)
    Panelist.objects.filter(user=judge).update(withdrawn_at=timezone.now())

    listed = selectors.rounds_for_organiser(UserFactory(is_staff=True)).get(pk=round.pk)

    assert (listed.criterion_count, listed.judge_count, listed.entry_count) == (2, 1, 3)


def test_audit_log_of_a_round_holds_its_events_and_not_another_rounds() -> None:
    round, judge = judged_round(1)
    other, _other_judge = judged_round(1)
    judging.sheet_save(round_entry=round.round_entries.get(), judge=judge, version=1, values={})
    staff = UserFactory(is_staff=True)

    actions = set(selectors.audit_events(organiser=staff, round=round).values_list("action", flat=True))

    assert {"round.opened", "score.created"} <= actions
    of_round = selectors.audit_events(organiser=staff, round=round)
    assert not of_round.filter(target_type="round", target_id=other.pk).exists()
    of_other = selectors.audit_events(organiser=staff, competition=other.competition)
    assert of_other.filter(action="round.opened").count() == 1


# --- The admin ---------------------------------------------------------------------------------------------------


def test_admin_shows_judging_and_never_offers_to_edit_the_audit_log(client: Client) -> None:
    round, judge = judged_round(1)
    sheet = ScoreSheet.objects.get(judge=judge)
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    event = selectors.audit_events(organiser=staff, round=round)[0]

    for model in ("round", "panelist", "conflict", "roundentry", "assignment", "scoresheet", "roundresult"):
        assert client.get(f"/admin/competitions/{model}/").status_code == 200, model
    assert client.get(f"/admin/competitions/scoresheet/{sheet.pk}/change/").status_code == 200
    assert client.get(f"/admin/competitions/round/{round.pk}/change/").status_code == 200
    assert client.get("/admin/competitions/auditevent/").status_code == 200
    assert client.get("/admin/competitions/auditevent/add/").status_code == 403
    assert client.get(f"/admin/competitions/auditevent/{event.pk}/delete/").status_code == 403
    page = client.get(f"/admin/competitions/auditevent/{event.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content

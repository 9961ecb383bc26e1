"""Automatic messages: each is a notification in the recipient's language (both languages while it is unknown)
and an email sent after commit; announcements reach the audience chosen."""

from datetime import timedelta

import pytest
from django.core import mail

from competitions.models import Announcement, AuditEvent, EntryRevision, Notification, Panelist, Round
from competitions.services import announcements, assignment, judging, notifications, results
from competitions.services.processing import stages
from tests.factories import (
    CriterionFactory,
    EntryRevisionFactory,
    JudgeFactory,
    RoundFactory,
    TeamFactory,
    TrackFactory,
    UserFactory,
    add_member,
    ready_entry,
)
from tests.services.conftest import refused

pytestmark = pytest.mark.django_db


def speaks(user, language: str) -> None:
    user.profile.language = language
    user.profile.save(update_fields=["language"])


def rendering_revision(entry) -> EntryRevision:
    return EntryRevisionFactory(entry=entry, number=1, status=EntryRevision.Status.RENDERING, claimed_by="claim-1")


def test_a_ready_revision_is_told_to_every_member_after_commit_in_their_language(
    entry, team, captain, django_capture_on_commit_callbacks
):
    speaks(captain, "zh-hans")
    bob = add_member(team)
    speaks(bob, "en")
    revision = rendering_revision(entry)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        stages._mark_ready(revision, "claim-1", {}, [], queue_extras=False)
    assert mail.outbox == [] and not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()

    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {captain.email, bob.email}
    assert "已就绪" in by_address[captain.email].subject
    assert "is ready" in by_address[bob.email].subject and "/entries/" in by_address[bob.email].body
    notification = Notification.objects.get(recipient=bob)
    assert notification.kind == Notification.Kind.REVISION_READY and notification.emailed_at is not None


def test_a_rejected_revision_is_told_in_both_languages_when_the_language_is_unknown(
    entry, captain, django_capture_on_commit_callbacks
):
    speaks(captain, "")
    revision = EntryRevisionFactory(entry=entry, number=1, status=EntryRevision.Status.VALIDATING, claimed_by="c")

    with django_capture_on_commit_callbacks(execute=True):
        stages._reject(revision, "c", [], {})

    [message] = mail.outbox
    assert "was not accepted" in message.subject and "未通过" in message.subject
    assert "was not accepted" in message.body and "未通过" in message.body
    assert Notification.objects.get().kind == Notification.Kind.REVISION_REJECTED


def test_a_failed_email_is_sent_again_by_the_sweep_and_never_twice(entry, captain, monkeypatch):
    notification = notifications.notify(
        message=notifications.Message(
            kind=Notification.Kind.REVISION_READY,
            subject=lambda: "Subject",
            template="emails/results_published.txt",
            context={"round": RoundFactory(), "competition": entry.team.competition},
        ),
        recipients=[captain],
    )[0]

    def broken(*args, **kwargs):
        raise OSError("SMTP away")

    monkeypatch.setattr(notifications, "send_mail", broken)
    assert notifications.notifications_email(ids=[notification.pk]) == 0
    monkeypatch.undo()

    assert notifications.notifications_email() == 1
    assert notifications.notifications_email() == 0
    assert len(mail.outbox) == 1


def test_results_published_are_told_to_the_teams_of_the_round(organiser, django_capture_on_commit_callbacks):
    round = RoundFactory()
    track = TrackFactory(competition=round.competition)
    CriterionFactory(round=round)
    entrant = UserFactory()
    ready_entry(track, team=TeamFactory(competition=round.competition, captain=entrant))
    outsider = TeamFactory(competition=round.competition)
    judging.round_open(round=round, actor=organiser)
    Round.objects.filter(pk=round.pk).update(status=Round.Status.CLOSED)

    with django_capture_on_commit_callbacks(execute=True):
        results.round_publish(round=round, actor=organiser)

    assert [message.to for message in mail.outbox] == [[entrant.email]]
    assert "/results/" in mail.outbox[0].body
    assert not Notification.objects.filter(recipient__memberships__team=outsider).exists()


def test_judges_given_entries_are_told_how_many(organiser, django_capture_on_commit_callbacks):
    round = RoundFactory(judges_per_entry=1)
    track = TrackFactory(competition=round.competition)
    CriterionFactory(round=round)
    ready_entry(track)
    ready_entry(track)
    judge = JudgeFactory()
    speaks(judge, "en")
    Panelist.objects.create(round=round, user=judge)
    judging.round_open(round=round, actor=organiser)

    with django_capture_on_commit_callbacks(execute=True):
        assignment.round_assign(round=round, actor=organiser)
    with django_capture_on_commit_callbacks(execute=True):
        assignment.round_assign(round=round, actor=organiser)

    [message] = mail.outbox
    assert message.to == [judge.email] and "2 entries to score" in message.body
    assert Notification.objects.get().kind == Notification.Kind.JUDGE_ASSIGNED


def test_the_judge_invitation_is_listed_without_its_password_link(organiser, django_capture_on_commit_callbacks):
    round = RoundFactory(status=Round.Status.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        judging.judge_invite(round=round, email="new.judge@jury.example.net", actor=organiser)

    [message] = mail.outbox
    notification = Notification.objects.get(kind=Notification.Kind.JUDGE_INVITED)
    assert "/accounts/password-reset/" in message.body
    assert "/accounts/password-reset/" not in notification.body
    assert notification.emailed_at is not None


def test_sign_up_and_switching_language_set_the_profile_language(db):
    from django.utils import translation

    from competitions.services import accounts

    with translation.override("zh-hans"):
        user = accounts.user_sign_up(email="mei@example.com", password="a-long-passphrase", display_name="Mei")
    assert user.profile.language == "zh-hans"

    notifications.profile_language_set(user=user, language="en")
    user.profile.refresh_from_db()
    assert user.profile.language == "en"

    notifications.profile_language_set(user=user, language="fr")
    user.profile.refresh_from_db()
    assert user.profile.language == "en"


# --- Announcements -------------------------------------------------------------------------------------------


def test_an_announcement_to_a_track_reaches_only_that_tracks_teams_and_is_audited(
    competition, track, team, captain, organiser, django_capture_on_commit_callbacks
):
    ready_entry(track, team=team)
    other_track = TrackFactory(competition=competition)
    elsewhere = UserFactory()
    ready_entry(other_track, team=TeamFactory(competition=competition, captain=elsewhere))

    with django_capture_on_commit_callbacks(execute=True):
        sent = announcements.announcement_send(
            competition=competition,
            audience=Announcement.Audience.TRACK,
            track=track,
            subject="Venue change",
            body="The ceremony moves to hall B.",
            actor=organiser,
        )

    assert list(sent.teams.all()) == [team]
    [message] = mail.outbox
    assert message.to == [captain.email] and "hall B" in message.body and "Venue change" in message.subject
    event = AuditEvent.objects.get(action="announcement.sent")
    assert event.data["teams"] == 1 and event.actor == organiser


def test_an_announcement_to_teams_without_a_ready_entry_skips_the_ready_ones(competition, track, team, organiser):
    ready_entry(track, team=team)
    late = TeamFactory(competition=competition)

    sent = announcements.announcement_send(
        competition=competition, audience="not_ready", subject="Hurry", body="Two days left.", actor=organiser
    )

    assert list(sent.teams.all()) == [late]
    assert sent.shown_until - sent.created_at == timedelta(days=announcements.DEFAULT_BANNER_DAYS)


def test_an_announcement_needs_a_track_of_the_competition_a_subject_and_a_message(competition, organiser):
    foreign = TrackFactory()
    with refused("bad_track"):
        announcements.announcement_send(
            competition=competition, audience="track", track=foreign, subject="S", body="B", actor=organiser
        )
    with refused("message_required"):
        announcements.announcement_send(competition=competition, audience="all", subject=" ", body="B", actor=organiser)
    with refused("out_of_range"):
        announcements.announcement_send(
            competition=competition, audience="all", subject="S", body="B", actor=organiser, days=0
        )
    assert not Announcement.objects.exists()


def test_a_large_announcement_is_emailed_by_the_sweep(competition, organiser, django_capture_on_commit_callbacks):
    for _ in range(notifications.INLINE_EMAILS + 1):
        TeamFactory(competition=competition)

    with django_capture_on_commit_callbacks(execute=True):
        announcements.announcement_send(competition=competition, audience="all", subject="S", body="B", actor=organiser)
    assert mail.outbox == []

    assert notifications.notifications_email() == notifications.INLINE_EMAILS + 1
    assert notifications.notifications_email() == 0

"""Messages to people, in their language: each is a ``Notification`` (the in-site list) and an email.

A message is written when it is created, in the recipient's language (``Profile.language``), or in English and
Chinese in one message while their language is unknown (``in_languages``, which the team invitations use too).
The rows are created in the caller's transaction; their emails are sent after commit (``notifications_email``,
which claims each row with a conditional update, so no email goes twice). A large batch (an announcement to every
team) is left to the beat task's sweep (``notifications_email`` without ids), which also retries failed sends.

The automatic messages: a revision ready or rejected (to the team), the judges' "entries to score", and results
published (to the teams of the round). Reminders are in ``competitions.services.reminders``, announcements in
``competitions.services.announcements``, the judge's invitation in ``competitions.services.judging.panel``.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from competitions.models import Competition, Entry, EntryRevision, Membership, Notification, Profile, Round, RoundEntry

logger = logging.getLogger(__name__)

MAIL_LANGUAGES = ("en", "zh-hans")
# Between the parts of a message written in both languages.
LANGUAGE_SEPARATOR = "\n---\n\n"
# Up to this many emails are sent right after commit; a bigger batch is sent by the beat task's sweep.
INLINE_EMAILS = 25
# A send that keeps failing (an address that no longer exists) is given up after this long.
EMAIL_RETRY_WINDOW = timedelta(days=1)
EMAIL_BATCH = 500


def language_code(language: str | None) -> str:
    """The site language ``language`` (a request's, a browser's: "zh-hans", "zh-cn", "en-gb") stands for, or ""."""
    language = (language or "").lower()
    if language.startswith("zh"):
        return "zh-hans"
    if language.startswith("en"):
        return "en"
    return ""


def mail_languages(language: str | None, *, first: str | None = None) -> list[str]:
    """The languages of a message to a person whose language is ``language``: that one, or both when it is
    unknown, ``first`` (the sender's language, say) first."""
    known = language_code(language)
    if known:
        return [known]
    leading = language_code(first) or settings.LANGUAGE_CODE
    return sorted(MAIL_LANGUAGES, key=lambda code: code != leading)


def in_languages(languages: Iterable[str], render: Callable[[], tuple[str, str]]) -> tuple[str, str]:
    """The subject and body that ``render`` writes, in each of ``languages``: subjects joined by " / " (an
    identical one once), bodies by a separator."""
    subjects: list[str] = []
    bodies: list[str] = []
    for code in languages:
        with translation.override(code):
            subject, body = render()
        if subject not in subjects:
            subjects.append(subject)
        bodies.append(body)
    return " / ".join(subjects), LANGUAGE_SEPARATOR.join(bodies)


def language_of(user: User) -> str:
    """The language ``user`` reads, "" while unknown."""
    try:
        return user.profile.language
    except ObjectDoesNotExist:
        return ""


@dataclass(frozen=True)
class Message:
    """What to tell people: ``subject`` is called and ``template`` rendered once per language (with ``context``,
    the recipient as ``user``, the absolute ``link`` and ``site_name``). ``lead`` is text the organisers wrote,
    put once before the parts in each language. ``first_language`` leads when both languages are written."""

    kind: str
    subject: Callable[[], str]
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    link: str = ""
    competition: Competition | None = None
    lead: str = ""
    first_language: str | None = None


def notify(*, message: Message, recipients: Iterable[User], emailed: bool = False) -> list[Notification]:
    """Create one notification per recipient (each person once), written in their language; email each after
    commit. ``emailed`` records rows whose email the caller sends itself. Recipients should come with their
    profile (``select_related("profile")``)."""
    now = timezone.now()
    rows, seen = [], set()
    for user in recipients:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        subject, body = render_message(message, user)
        rows.append(
            Notification(
                recipient=user,
                competition=message.competition,
                kind=message.kind,
                subject=subject[:300],
                body=body,
                link=message.link,
                email=user.email,
                emailed_at=now if emailed else None,
                created_at=now,
            )
        )
    created = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in created if row.email and not emailed]
    if ids and len(ids) <= INLINE_EMAILS:
        transaction.on_commit(lambda: notifications_email(ids=ids), robust=True)
    return created


def render_message(message: Message, user: User) -> tuple[str, str]:
    """The subject and body of ``message`` for ``user``, in their language(s)."""
    context = {
        **message.context,
        "user": user,
        "link": settings.SITE_URL + message.link if message.link else "",
        "site_name": settings.SITE_NAME,
    }

    def render() -> tuple[str, str]:
        return message.subject(), render_to_string(message.template, context).strip() + "\n"

    subject, body = in_languages(mail_languages(language_of(user), first=message.first_language), render)
    lead = message.lead.strip()
    return subject, f"{lead}\n{LANGUAGE_SEPARATOR}{body}" if lead else body


def notifications_email(*, ids: list[int] | None = None, limit: int = EMAIL_BATCH) -> int:
    """Email the notifications not emailed yet (those of ``ids``, or any from the last day), up to ``limit``;
    how many were sent. Each row is claimed by a conditional update before its email goes, so two senders never
    send the same one; a failed send releases the claim for the next sweep."""
    pending = Notification.objects.filter(emailed_at__isnull=True).exclude(email="")
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    else:
        pending = pending.filter(created_at__gte=timezone.now() - EMAIL_RETRY_WINDOW)
    sent = 0
    for notification in pending.order_by("pk")[:limit]:
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        try:
            send_mail(notification.subject, notification.body, None, [notification.email])
        except Exception:
            logger.exception("Could not email notification %s", notification.pk)
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            continue
        sent += 1
    return sent


def notifications_mark_read(*, user: User) -> int:
    """Mark every unread notification of ``user`` read; how many were."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def profile_language_set(*, user: User, language: str) -> None:
    """Remember the language ``user`` reads (a site language code; anything else is ignored)."""
    code = language_code(language)
    if code:
        Profile.objects.filter(user=user).exclude(language=code).update(language=code)


# --- The automatic messages ------------------------------------------------------------------------------------


def team_members(team_ids: Iterable[int]) -> list[User]:
    memberships = Membership.objects.filter(team_id__in=list(team_ids)).select_related("user__profile")
    return [membership.user for membership in memberships.order_by("team_id", "joined_at")]


def revision_outcome_notify(*, revision_id: int) -> list[Notification]:
    """Tell the members of the revision's team that it is ready or was rejected. Nothing for another status."""
    revision = EntryRevision.objects.select_related("entry__team__competition", "entry__track").get(pk=revision_id)
    entry = revision.entry
    subjects: dict[str, Callable[[], str]] = {
        EntryRevision.Status.READY: lambda: _("“%(entry)s”: your file (revision %(number)s) is ready")
        % {"entry": entry.title, "number": revision.number},
        EntryRevision.Status.REJECTED: lambda: _("“%(entry)s”: your file (revision %(number)s) was not accepted")
        % {"entry": entry.title, "number": revision.number},
    }
    if revision.status not in subjects:
        return []
    ready = revision.status == EntryRevision.Status.READY
    message = Message(
        kind=Notification.Kind.REVISION_READY if ready else Notification.Kind.REVISION_REJECTED,
        subject=subjects[revision.status],
        template="emails/revision_ready.txt" if ready else "emails/revision_rejected.txt",
        context={"entry": entry, "revision": revision, "team": entry.team, "competition": entry.team.competition},
        link=reverse("frontend:entry-detail", kwargs={"pk": entry.pk}),
        competition=entry.team.competition,
    )
    return notify(message=message, recipients=team_members([entry.team_id]))


def judges_assigned_notify(*, round_id: int, judge_ids: Iterable[int]) -> list[Notification]:
    """Tell each of ``judge_ids`` how many entries of the round they now have to score, and when judging opens
    (a draft round is assigned before it opens)."""
    round = Round.objects.select_related("competition").get(pk=round_id)
    judges = (
        User.objects.filter(pk__in=list(judge_ids))
        .select_related("profile")
        .annotate(assigned=Count("assignments", filter=Q(assignments__round=round)))
        .order_by("pk")
    )
    created = []
    for judge in judges:
        count = judge.assigned
        message = Message(
            kind=Notification.Kind.JUDGE_ASSIGNED,
            subject=lambda: _("Entries to score in %(round)s") % {"round": round.display_name},
            template="emails/judge_assigned.txt",
            context={"round": round, "competition": round.competition, "count": count},
            link=reverse("frontend:judge-home"),
            competition=round.competition,
        )
        created += notify(message=message, recipients=[judge])
    return created


def results_published_notify(*, round_id: int) -> list[Notification]:
    """Tell the members of every team with an entry in the round that its results are published."""
    round = Round.objects.select_related("competition").get(pk=round_id)
    if round.status != Round.Status.PUBLISHED:
        return []
    competition = round.competition
    team_ids = RoundEntry.objects.filter(round=round).values_list("entry__team_id", flat=True).distinct()
    message = Message(
        kind=Notification.Kind.RESULTS_PUBLISHED,
        subject=lambda: _("Results of %(round)s, %(competition)s")
        % {"round": round.display_name, "competition": competition.display_name},
        template="emails/results_published.txt",
        context={"round": round, "competition": competition},
        link=reverse("frontend:competition-results", kwargs={"slug": competition.slug}),
        competition=competition,
    )
    return notify(message=message, recipients=team_members(team_ids))


def entry_disqualified_notify(*, entry_id: int) -> list[Notification]:
    """Tell the members of the entry's team that it is disqualified, with the organisers' reason as they wrote it.
    Nothing if it was reinstated meanwhile."""
    entry = Entry.objects.select_related("team__competition").get(pk=entry_id)
    if not entry.is_disqualified:
        return []
    competition = entry.team.competition
    message = Message(
        kind=Notification.Kind.ENTRY_DISQUALIFIED,
        subject=lambda: _("“%(entry)s” is disqualified") % {"entry": entry.title},
        template="emails/entry_disqualified.txt",
        context={"entry": entry, "team": entry.team, "competition": competition},
        link=reverse("frontend:entry-detail", kwargs={"pk": entry.pk}),
        competition=competition,
    )
    return notify(message=message, recipients=team_members([entry.team_id]))

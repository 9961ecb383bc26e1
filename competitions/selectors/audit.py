"""The audit log as people read it: each event as a sentence ("Maria Rossi submitted her scores for entry 2BQTST"),
in the reader's language, with the names of the people and objects it is about, and the filters of the console's
audit page (who, what, which object, when).

An event's data names what it is about by id under fixed keys (``round``, ``round_entry``, ``judge``, ``team``,
``entry``, ``track``, ``organiser``, ``revision``: every service writes them so), and its target is one of those
objects. ``audit_lines`` looks the names up with one query per kind of object on the page, whatever its length.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from competitions.models import AuditEvent, Competition, Entry, EntryRevision, Round, RoundEntry, Team, Track
from competitions.selectors.judging import audit_events

# What each action says, with the names it needs. %(actor)s is the person who acted ("the system" when none).
SENTENCES = {
    "round.created": _("%(actor)s created the round %(round)s."),
    "round.changed": _("%(actor)s changed the settings of the round %(round)s."),
    "round.opened": _("%(actor)s opened the round %(round)s."),
    "round.closed": _("%(actor)s closed the round %(round)s."),
    "round.published": _("%(actor)s published the results of the round %(round)s."),
    "round.unpublished": _("%(actor)s withdrew the published results of the round %(round)s."),
    "round.shortlist": _("%(actor)s chose the entries of the round %(round)s that go on."),
    "criterion.created": _("%(actor)s added a criterion to the rubric of %(round)s."),
    "criterion.changed": _("%(actor)s changed a criterion of the rubric of %(round)s."),
    "criterion.deleted": _("%(actor)s removed a criterion from the rubric of %(round)s."),
    "judge.invited": _("%(actor)s invited %(judge)s to judge %(round)s."),
    "judge.withdrawn": _("%(actor)s took %(judge)s off the panel of %(round)s."),
    "conflict.declared": _("%(actor)s declared a conflict of interest between %(judge)s and the team %(team)s."),
    "conflict.detected": _("A conflict of interest between %(judge)s and the team %(team)s was detected."),
    "conflict.removed": _("%(actor)s removed the conflict of interest between %(judge)s and the team %(team)s."),
    "assignment.run": _("%(actor)s assigned the entries of %(round)s to the judges."),
    "assignment.added": _("%(actor)s gave entry %(round_entry)s to %(judge)s."),
    "assignment.removed": _("%(actor)s took entry %(round_entry)s away from %(judge)s."),
    "score.created": _("%(actor)s started scoring entry %(round_entry)s."),
    "score.changed": _("%(actor)s changed their scores for entry %(round_entry)s."),
    "score.submitted": _("%(actor)s submitted their scores for entry %(round_entry)s."),
    "score.reopened": _("%(actor)s reopened the scores of %(judge)s for entry %(round_entry)s."),
    "score.pin_added": _("%(actor)s pinned a comment to entry %(round_entry)s."),
    "score.pin_changed": _("%(actor)s changed a pinned comment on entry %(round_entry)s."),
    "score.pin_deleted": _("%(actor)s deleted a pinned comment on entry %(round_entry)s."),
    "competition.created": _("%(actor)s created the competition."),
    "competition.cloned": _("%(actor)s created the competition as a copy of another."),
    "competition.changed": _("%(actor)s changed the competition's settings."),
    "competition.published": _("%(actor)s published the competition's page."),
    "competition.unpublished": _("%(actor)s took the competition's page offline."),
    "track.created": _("%(actor)s added the track %(track)s."),
    "track.changed": _("%(actor)s changed the track %(track)s."),
    "track.moved": _("%(actor)s changed the order of the tracks."),
    "track.deleted": _("%(actor)s removed a track."),
    "track.awards_changed": _("%(actor)s changed the awards of the track %(track)s."),
    "organiser.added": _("%(actor)s made %(organiser)s an organiser."),
    "organiser.removed": _("%(actor)s removed %(organiser)s from the organisers."),
    "entry.disqualified": _("%(actor)s disqualified the entry %(entry)s of the team %(team)s."),
    "entry.reinstated": _("%(actor)s reinstated the entry %(entry)s of the team %(team)s."),
    "entry.withdrawn": _("%(actor)s withdrew the entry %(entry)s of the team %(team)s."),
    "entry.restored": _("%(actor)s restored the entry %(entry)s of the team %(team)s."),
    "team.deadline_extended": _("%(actor)s gave the team %(team)s more time to submit."),
    "revision.rerun": _("%(actor)s ran the checks again on a file of the entry %(entry)s."),
    "revision.rerun_failed": _("%(actor)s ran the checks again on every file that failed."),
    "announcement.sent": _("%(actor)s sent an announcement to the teams."),
}
FALLBACK = _("%(actor)s: %(action)s (%(object)s).")

# The kinds of action, for the page's "What" filter: a prefix of the action and its label.
ACTION_KINDS = {
    "competition": _("Competition settings"),
    "round": _("Rounds and results"),
    "criterion": _("Rubrics"),
    "judge": _("Judges"),
    "conflict": _("Conflicts of interest"),
    "assignment": _("Assignments"),
    "score": _("Scores"),
    "entry": _("Entries"),
    "team": _("Teams"),
    "revision": _("Files"),
    "organiser": _("Organisers"),
    "track": _("Tracks and awards"),
    "announcement": _("Announcements"),
}

# The data keys that name an object, and the target types that are one.
NAME_KEYS = ("round", "round_entry", "judge", "organiser", "team", "entry", "track", "revision")
TARGET_KEYS = {"round": "round", "roundentry": "round_entry", "team": "team", "entry": "entry", "track": "track",
               "entryrevision": "revision"}  # fmt: skip


@dataclass(frozen=True)
class AuditFilters:
    """What the audit page narrows the log to; every field optional."""

    competition: Competition | None = None
    round: Round | None = None
    who: str = ""  # part of the actor's name or email
    kind: str = ""  # a key of ACTION_KINDS
    object_type: str = ""  # a target type, e.g. "scoresheet", with object_id
    object_id: int | None = None
    since: date | None = None  # in the competition's time zone (UTC when none is chosen)
    until: date | None = None


@dataclass(frozen=True)
class AuditLine:
    event: AuditEvent
    sentence: str


def filtered_events(*, organiser: User, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The audit log of the competitions ``organiser`` runs (``judging.audit_events``, which also narrows it to a
    competition or a round), narrowed further by ``filters``."""
    events = audit_events(organiser=organiser, competition=filters.competition, round=filters.round)
    if filters.who:
        events = events.filter(
            Q(actor__profile__display_name__icontains=filters.who) | Q(actor__email__icontains=filters.who)
        )
    if filters.kind in ACTION_KINDS:
        events = events.filter(action__startswith=f"{filters.kind}.")
    if filters.object_type:
        events = events.filter(target_type=filters.object_type)
        if filters.object_id is not None:
            events = events.filter(target_id=filters.object_id)
    zone = filters.competition.zone if filters.competition is not None else timezone.get_fixed_timezone(0)
    if filters.since is not None:
        events = events.filter(at__gte=datetime.combine(filters.since, time.min, tzinfo=zone))
    if filters.until is not None:
        events = events.filter(at__lte=datetime.combine(filters.until, time.max, tzinfo=zone))
    return events


def _person(user: User | None) -> str:
    if user is None:
        return gettext("the system")
    profile = getattr(user, "profile", None)
    return (profile.display_name if profile else "") or user.email or user.get_username()


def _lookups(ids: dict[str, set[int]]) -> dict[str, dict[int, str]]:
    """The name of each object named on the page, by key and id: one query per key that occurs."""
    names: dict[str, dict[int, str]] = {}
    if ids["round"]:
        names["round"] = {r.pk: f"“{r.display_name}”" for r in Round.objects.filter(pk__in=ids["round"])}
    if ids["round_entry"]:
        entries = RoundEntry.objects.filter(pk__in=ids["round_entry"]).only("pk", "blind_code")
        names["round_entry"] = {e.pk: e.blind_code for e in entries}
    people = ids["judge"] | ids["organiser"]
    if people:
        users = {u.pk: _person(u) for u in User.objects.filter(pk__in=people).select_related("profile")}
        names["judge"] = names["organiser"] = users
    if ids["team"]:
        names["team"] = {t.pk: f"“{t.name}”" for t in Team.objects.filter(pk__in=ids["team"]).only("pk", "name")}
    if ids["entry"] or ids["revision"]:
        revisions = EntryRevision.objects.filter(pk__in=ids["revision"]).only("pk", "entry_id")
        of_revision = {r.pk: r.entry_id for r in revisions}
        wanted = ids["entry"] | set(of_revision.values())
        titles = {e.pk: f"“{e.title}”" for e in Entry.objects.filter(pk__in=wanted).only("pk", "title")}
        names["entry"] = titles
        names["revision"] = {pk: titles.get(entry, "") for pk, entry in of_revision.items()}
    if ids["track"]:
        names["track"] = {t.pk: f"“{t.display_name}”" for t in Track.objects.filter(pk__in=ids["track"])}
    return names


def _named(event: AuditEvent) -> dict[str, int]:
    """The ids the event names, by key: from its data, and its target where that is one of the named kinds."""
    data: dict[str, Any] = event.data if isinstance(event.data, dict) else {}
    named = {key: data[key] for key in NAME_KEYS if isinstance(data.get(key), int)}
    if event.target_type in TARGET_KEYS:
        named.setdefault(TARGET_KEYS[event.target_type], event.target_id)
    if event.action.startswith("score.") and "round_entry" not in named and isinstance(data.get("round_entry"), int):
        named["round_entry"] = data["round_entry"]
    return named


def audit_lines(events: Iterable[AuditEvent]) -> list[AuditLine]:
    """Each event with its sentence in the active language. Events come with ``actor__profile`` selected."""
    events = list(events)
    ids: dict[str, set[int]] = defaultdict(set)
    for event in events:
        for key, pk in _named(event).items():
            ids[key].add(pk)
    names = _lookups(ids)
    lines = []
    for event in events:
        values = {key: "—" for key in NAME_KEYS}
        for key, pk in _named(event).items():
            values[key] = names.get(key, {}).get(pk, f"#{pk}")
        values.update(actor=_person(event.actor), action=event.action, object=f"{event.target_type} #{event.target_id}")
        template = SENTENCES.get(event.action, FALLBACK)
        lines.append(AuditLine(event=event, sentence=gettext(template) % values))
    return lines

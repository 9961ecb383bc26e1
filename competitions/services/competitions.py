"""Setting up a competition from the organiser console: create one or clone a past one, change its texts,
timeline, team rules and asset rules, its tracks (add, change, reorder, remove while empty), and publish it.

The rules are the model's: its field validators (ranges, slug, time zone, glTF extension names), ``clean()`` (team
sizes, formats) with ``timeline_errors()`` (the order of the dates), and the two-language name rule
(``competitions.services.names``). Every change is audited in the same transaction.
"""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Competition, CompetitionOrganiser, Entry, Track
from competitions.selectors.judging import is_organiser
from competitions.services.audit import record
from competitions.services.names import name_required

TEXT_FIELDS = ("name", "name_zh", "summary", "summary_zh", "rules", "rules_zh")
TIMELINE_FIELDS = (
    "time_zone", "registration_opens_at", "registration_closes_at", "submission_opens_at", "submission_deadline",
    "judging_starts_at", "judging_ends_at", "results_at",
)  # fmt: skip
TEAM_RULE_FIELDS = ("team_size_min", "team_size_max", "entries_per_team_per_track")
# Every rule the pipeline reads (competitions.services.processing.stages.limits_for).
ASSET_RULE_FIELDS = (
    "allowed_formats", "max_upload_bytes", "max_triangles", "max_texture_size", "max_materials", "max_draw_calls",
    "allowed_extensions", "validation_policy",
)  # fmt: skip
SETTINGS_FIELDS = frozenset(TEXT_FIELDS + TIMELINE_FIELDS + TEAM_RULE_FIELDS + ASSET_RULE_FIELDS)
# What a clone takes from the competition it copies: everything but the timeline and the slug.
CLONED_FIELDS = TEXT_FIELDS + ("time_zone",) + TEAM_RULE_FIELDS + ASSET_RULE_FIELDS
TRACK_FIELDS = frozenset({"name", "name_zh", "slug", "description", "description_zh"})
TRACK_AWARD_FIELDS = ("prizes", "honourable_mentions", "min_entries_for_first_prize")


def _check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")


def _refusal(error: ValidationError, order: tuple[str, ...]) -> RuleError:
    """The first of the model's complaints, in the order of the form, as a refusal at its field."""
    complaints = error.message_dict
    field = next((name for name in order if name in complaints), next(iter(complaints)))
    code = ErrorCode.BAD_WINDOW if field in TIMELINE_FIELDS else ErrorCode.BAD_VALUE
    return RuleError(complaints[field][0], code=code, field=None if field == "__all__" else field)


def _check_competition(competition: Competition) -> None:
    name_required(competition, message=_("Give the competition a name, in English or in Chinese."))
    try:
        competition.full_clean(exclude=["created_at"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise _refusal(error, ("slug", *TEXT_FIELDS, *TIMELINE_FIELDS, *TEAM_RULE_FIELDS, *ASSET_RULE_FIELDS)) from None
    if Competition.objects.filter(slug=competition.slug).exclude(pk=competition.pk).exists():
        raise RuleError(
            _("Another competition already has this slug; choose a new one."), code=ErrorCode.SLUG_TAKEN, field="slug"
        )


def _save_new(competition: Competition) -> None:
    try:
        with transaction.atomic():
            competition.save()
    except IntegrityError:  # the same slug, taken by someone else between the check and the save
        raise RuleError(
            _("Another competition already has this slug; choose a new one."), code=ErrorCode.SLUG_TAKEN, field="slug"
        ) from None


@transaction.atomic
def competition_create(*, actor: User, slug: str, **fields: Any) -> Competition:
    """Create an unpublished competition with ``fields`` (texts, timeline, team and asset rules; the rest keep the
    model's defaults) and make ``actor`` its organiser. Only site staff and people who already organise a
    competition may ("not_organiser"). Refused at the field at fault when a name is missing in both languages, a
    value is out of range, the dates are out of order ("bad_window") or the slug is taken ("slug_taken").
    Audited ("competition.created")."""
    _check_fields(fields, SETTINGS_FIELDS)
    if not is_organiser(actor):
        raise RuleError(_("Only organisers can create a competition."), code=ErrorCode.NOT_ORGANISER)
    competition = Competition(slug=slug, is_published=False, **fields)
    _check_competition(competition)
    _save_new(competition)
    CompetitionOrganiser.objects.create(competition=competition, user=actor, added_by=actor)
    record(
        competition=competition,
        actor=actor,
        action="competition.created",
        target=competition,
        data={"slug": slug, "name": competition.name, "name_zh": competition.name_zh},
    )
    return competition


@transaction.atomic
def competition_clone(*, source: Competition, actor: User, slug: str, **fields: Any) -> Competition:
    """A new unpublished competition like ``source``: its texts, time zone, team rules, asset rules and tracks with
    their award settings, with ``fields`` (the new timeline, and any text changed) on top. Entries, teams, rounds
    and organisers stay behind; no date is shifted: the timeline is the caller's. Otherwise as
    ``competition_create``; audited ("competition.created", with the slug it was cloned from)."""
    _check_fields(fields, SETTINGS_FIELDS)
    copied = {name: getattr(source, name) for name in CLONED_FIELDS}
    competition = competition_create(actor=actor, slug=slug, **{**copied, **fields})
    Track.objects.bulk_create(
        Track(
            competition=competition,
            **{name: getattr(track, name) for name in (*TRACK_FIELDS, "position", *TRACK_AWARD_FIELDS)},
        )
        for track in source.tracks.all()
    )
    record(
        competition=competition,
        actor=actor,
        action="competition.cloned",
        target=competition,
        data={"from": source.slug, "tracks": competition.tracks.count()},
    )
    return competition


def _lock(competition: Competition) -> Competition:
    return Competition.objects.select_for_update().get(pk=competition.pk)


@transaction.atomic
def competition_update(*, competition: Competition, actor: User, **fields: Any) -> Competition:
    """Change the competition's texts, timeline, team rules or asset rules (the slug stays). The row is locked;
    the whole competition is checked as in ``competition_create`` before anything is written. Audited
    ("competition.changed") with the values before and after, unless nothing changed. New asset rules apply to
    the files checked from then on (``limits_for``)."""
    _check_fields(fields, SETTINGS_FIELDS)
    competition = _lock(competition)
    changed = sorted(name for name, value in fields.items() if getattr(competition, name) != value)
    if not changed:
        return competition
    before = {name: getattr(competition, name) for name in changed}
    for name in changed:
        setattr(competition, name, fields[name])
    _check_competition(competition)
    competition.save(update_fields=changed)
    record(
        competition=competition,
        actor=actor,
        action="competition.changed",
        target=competition,
        data={"before": before, "after": {name: fields[name] for name in changed}},
    )
    return competition


@transaction.atomic
def competition_publish(*, competition: Competition, actor: User) -> Competition:
    """Show the competition on the site. It needs a track to enter ("no_tracks"). The row is locked; publishing a
    published competition changes nothing. Audited ("competition.published")."""
    competition = _lock(competition)
    if competition.is_published:
        return competition
    if not competition.tracks.exists():
        raise RuleError(_("Add a track before publishing: entries are made per track."), code=ErrorCode.NO_TRACKS)
    competition.is_published = True
    competition.save(update_fields=["is_published"])
    record(competition=competition, actor=actor, action="competition.published", target=competition)
    return competition


@transaction.atomic
def competition_unpublish(*, competition: Competition, actor: User) -> Competition:
    """Hide the competition from the site again (its teams and entries stay). The row is locked; unpublishing a
    hidden competition changes nothing. Audited ("competition.unpublished")."""
    competition = _lock(competition)
    if not competition.is_published:
        return competition
    competition.is_published = False
    competition.save(update_fields=["is_published"])
    record(competition=competition, actor=actor, action="competition.unpublished", target=competition)
    return competition


# --- Tracks -------------------------------------------------------------------------------------------------------


def _check_track(track: Track) -> None:
    name_required(track, message=_("Give the track a name, in English or in Chinese."))
    try:
        track.clean_fields(exclude=[f.name for f in Track._meta.fields if f.name not in TRACK_FIELDS])
    except ValidationError as error:
        raise _refusal(error, ("name", "name_zh", "slug", "description", "description_zh")) from None
    if Track.objects.filter(competition_id=track.competition_id, slug=track.slug).exclude(pk=track.pk).exists():
        raise RuleError(
            _("Another track of this competition already has this slug."), code=ErrorCode.SLUG_TAKEN, field="slug"
        )


@transaction.atomic
def track_create(*, competition: Competition, actor: User, **fields: Any) -> Track:
    """Add a track after the competition's last one, with the model's default awards. The competition is locked
    so that two tracks added at once get different positions. Refused without a name in either language, or with
    a slug another track of the competition has ("slug_taken"). Audited ("track.created")."""
    _check_fields(fields, TRACK_FIELDS)
    competition = _lock(competition)
    last = competition.tracks.aggregate(last=Max("position"))["last"]
    track = Track(competition=competition, position=(last or 0) + 1, **fields)
    _check_track(track)
    track.save()
    record(competition=competition, actor=actor, action="track.created", target=track, data=dict(fields))
    return track


@transaction.atomic
def track_update(*, track: Track, actor: User, **fields: Any) -> Track:
    """Change a track's names, slug or description, checked as in ``track_create``. The track is locked; audited
    ("track.changed") with the values before and after, unless nothing changed."""
    _check_fields(fields, TRACK_FIELDS)
    track = Track.objects.select_for_update().select_related("competition").get(pk=track.pk)
    changed = sorted(name for name, value in fields.items() if getattr(track, name) != value)
    if not changed:
        return track
    before = {name: getattr(track, name) for name in changed}
    for name in changed:
        setattr(track, name, fields[name])
    _check_track(track)
    track.save(update_fields=changed)
    after = {name: fields[name] for name in changed}
    record(
        competition=track.competition,
        actor=actor,
        action="track.changed",
        target=track,
        data={"before": before, "after": after},
    )
    return track


@transaction.atomic
def track_move(*, track: Track, actor: User, offset: int) -> list[Track]:
    """Move a track ``offset`` places in its competition's order (-1: up, 1: down; at an end it stays), and number
    the tracks 1, 2, 3... The competition is locked, so two moves at once apply one after the other. Audited
    ("track.moved") when the order changed. Returns the tracks in their new order."""
    competition = _lock(track.competition)
    tracks = list(Track.objects.filter(competition=competition).order_by("position", "name", "pk"))
    index = next(i for i, t in enumerate(tracks) if t.pk == track.pk)
    target = min(max(index + offset, 0), len(tracks) - 1)
    if target != index:
        tracks.insert(target, tracks.pop(index))
        record(
            competition=competition,
            actor=actor,
            action="track.moved",
            target=tracks[target],
            data={"from": index + 1, "to": target + 1},
        )
    for position, each in enumerate(tracks, start=1):
        each.position = position
    Track.objects.bulk_update(tracks, ["position"])
    return tracks


@transaction.atomic
def track_delete(*, track: Track, actor: User) -> None:
    """Remove a track that has no entries ("track_has_entries" otherwise). The competition and the track are
    locked; an entry made in the track meanwhile makes the delete fail on the entry's protected foreign key, and
    nothing is removed. Audited ("track.deleted") with its names and slug."""
    competition = _lock(track.competition)
    track = Track.objects.select_for_update().get(pk=track.pk)
    if Entry.objects.filter(track=track).exists():
        raise RuleError(
            _("This track has entries, so it cannot be removed. You can rename it instead."),
            code=ErrorCode.TRACK_HAS_ENTRIES,
        )
    record(
        competition=competition,
        actor=actor,
        action="track.deleted",
        target=track,
        data={"name": track.name, "name_zh": track.name_zh, "slug": track.slug},
    )
    track.delete()

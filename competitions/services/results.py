"""A round's results, written: publication (a ``RoundResult`` snapshot of the leaderboard, awards and advancement),
the manual shortlist and each track's award settings. The leaderboard itself is read by
``competitions.selectors.leaderboard``; the award rule is ``competitions.selectors.scoring.awards_by_rank``."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Round, RoundEntry, RoundResult, Track
from competitions.selectors.publishing import AWARD_FIELDS, publication_of
from competitions.services import notifications
from competitions.services.audit import record


def round_publish(*, round: Round, actor: User | None) -> Round:
    """Publish a closed round (an open one must close first, which is where missing sheets are confirmed: see
    ``round_close``): a ``RoundResult`` per ranked entry (``selectors.publishing.publication_of``: rank, score by
    the round's method, and the award its track's settings give its rank), ``advanced`` set on the top
    ``advance_count`` ranks of each track when advancement is top N (a manual shortlist is left as it is), status
    published. An entry a compliance gate leaves unranked gets no result (the audit event names it and the checks
    it fails). Anything else is refused ("not_publishable"). One transaction with the round locked; audited
    ("round.published"). The teams of the round are told after commit."""
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if round.status != Round.Status.CLOSED:
            raise RuleError(
                _("Only a closed round can be published: close the round first."), code=ErrorCode.NOT_PUBLISHABLE
            )
        publication = publication_of(round)
        results = publication.results
        RoundResult.objects.filter(round=round).delete()
        RoundResult.objects.bulk_create(results)
        if round.advancement == Round.Advancement.TOP_N:
            RoundEntry.objects.filter(round=round).update(advanced=False)
            RoundEntry.objects.filter(pk__in=publication.advancing).update(advanced=True)
        round.status = Round.Status.PUBLISHED
        round.published_at = timezone.now()
        round.save(update_fields=["status", "published_at"])
        record(
            competition=round.competition,
            actor=actor,
            action="round.published",
            target=round,
            data={
                "round": round.pk,
                "method": round.method,
                "results": len(results),
                "advanced": RoundEntry.objects.filter(round=round, advanced=True).count(),
                # Left unranked by the compliance gate: round entry -> the checks it fails.
                "not_ranked": {str(pk): checks for pk, checks in publication.not_ranked.items()},
            },
        )
        round_id = round.pk
        transaction.on_commit(lambda: notifications.results_published_notify(round_id=round_id), robust=True)
    return round


def round_unpublish(*, round: Round, actor: User, reason: str) -> Round:
    """Take a published round's results down: the round is closed again (it can be published anew, from the scores
    as they are then) and public pages stop showing it. A ``reason`` is required ("reason_required"); a round
    that is not published is refused ("not_published"), and so is one whose next round has already opened with the
    entries it advanced ("later_round_opened").

    The ``RoundResult`` snapshot is deleted, not kept marked: every page and API reading results would otherwise
    have to skip withdrawn rows, and the next publication writes a fresh one anyway. What was public is not lost:
    the audit event ("round.unpublished") keeps the reason, the publication time and every result (entry, rank,
    score, award). Top-N advancement is undone (a manual shortlist stays). One transaction, the round locked."""
    reason = reason.strip()
    if not reason:
        raise RuleError(_("Say why the results are taken down."), code=ErrorCode.REASON_REQUIRED, field="reason")
    with transaction.atomic():
        round = Round.objects.select_for_update().select_related("competition").get(pk=round.pk)
        if round.status != Round.Status.PUBLISHED:
            raise RuleError(_("The results of this round are not published."), code=ErrorCode.NOT_PUBLISHED)
        later = Round.objects.filter(competition_id=round.competition_id, position__gt=round.position)
        if later.exclude(status=Round.Status.DRAFT).exists():
            raise RuleError(
                _("The next round has already opened with the entries this round advanced."),
                code=ErrorCode.LATER_ROUND_OPENED,
            )
        snapshot = [
            {"round_entry": r.round_entry_id, "rank": r.rank, "score": str(r.score), "award": r.award}
            for r in RoundResult.objects.filter(round=round).order_by("track__position", "track_id", "rank", "pk")
        ]
        published_at = round.published_at
        RoundResult.objects.filter(round=round).delete()
        if round.advancement == Round.Advancement.TOP_N:
            RoundEntry.objects.filter(round=round).update(advanced=False)
        round.status = Round.Status.CLOSED
        round.published_at = None
        round.save(update_fields=["status", "published_at"])
        record(
            competition=round.competition,
            actor=actor,
            action="round.unpublished",
            target=round,
            data={
                "round": round.pk,
                "reason": reason,
                "published_at": published_at.isoformat() if published_at else None,
                "results": snapshot,
            },
        )
    return round


def shortlist_set(*, round: Round, round_entry_ids: list[int], actor: User | None) -> list[int]:
    """Choose by hand the entries that advance from a round (advancement "manual"): exactly ``round_entry_ids``
    are marked advanced. Refused for a draft round, for top-N advancement ("not_manual") and for ids of another
    round ("not_in_round"). Audited ("round.shortlist"). Returns the ids, sorted."""
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if round.advancement != Round.Advancement.MANUAL:
            raise RuleError(
                _("This round advances the top entries of each track, not a shortlist."), code=ErrorCode.NOT_MANUAL
            )
        if round.status == Round.Status.DRAFT:
            raise RuleError(_("The round has not opened yet."), code=ErrorCode.ROUND_DRAFT)
        wanted = sorted(set(round_entry_ids))
        if RoundEntry.objects.filter(round=round, pk__in=wanted).count() != len(wanted):
            raise RuleError(_("Some of these entries are not part of the round."), code=ErrorCode.NOT_IN_ROUND)
        RoundEntry.objects.filter(round=round).exclude(pk__in=wanted).update(advanced=False)
        RoundEntry.objects.filter(round=round, pk__in=wanted).update(advanced=True)
        record(
            competition=round.competition,
            actor=actor,
            action="round.shortlist",
            target=round,
            data={"round": round.pk, "round_entries": wanted},
        )
    return wanted


def track_awards_update(
    *, track: Track, prizes: int, honourable_mentions: int, min_entries_for_first_prize: int, actor: User
) -> Track:
    """Set the awards a track gives when a round is published: ``prizes`` ranked prizes (0 to 3: first, second,
    third), then ``honourable_mentions`` (0 to 20) honourable mentions, and first prize only with at least
    ``min_entries_for_first_prize`` (1 to 1000) ranked entries (the rule: ``awards_by_rank``). A number out of its
    range is refused ("out_of_range", with the field). Allowed after a round is published: publication took a
    snapshot of the awards, which stays as it is; the next publication uses the new settings. The track is locked
    while it changes; audited ("track.awards_changed") with the values before and after, unless nothing changed."""
    after = {
        "prizes": prizes,
        "honourable_mentions": honourable_mentions,
        "min_entries_for_first_prize": min_entries_for_first_prize,
    }
    with transaction.atomic():
        track = Track.objects.select_for_update().select_related("competition").get(pk=track.pk)
        before = {name: getattr(track, name) for name in AWARD_FIELDS}
        for name, value in after.items():
            setattr(track, name, value)
        try:  # the ranges are the model fields' validators
            track.clean_fields(exclude=[f.name for f in Track._meta.fields if f.name not in AWARD_FIELDS])
        except ValidationError as error:
            name, messages = next(iter(error.message_dict.items()))
            raise RuleError(messages[0], code=ErrorCode.OUT_OF_RANGE, field=name) from None
        if before == after:
            return track
        track.save(update_fields=list(AWARD_FIELDS))
        record(
            competition=track.competition,
            actor=actor,
            action="track.awards_changed",
            target=track,
            data={"track": track.pk, "before": before, "after": after},
        )
    return track

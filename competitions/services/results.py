"""A round's results, written: publication (a ``RoundResult`` snapshot of the leaderboard, awards and advancement)
and the manual shortlist. The leaderboard itself is read by ``competitions.selectors.leaderboard``."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Round, RoundEntry, RoundResult
from competitions.selectors.leaderboard import round_leaderboard
from competitions.selectors.scoring import to_decimal
from competitions.services.audit import record

PRIZES = {1: RoundResult.Award.FIRST, 2: RoundResult.Award.SECOND, 3: RoundResult.Award.THIRD}


def round_publish(*, round: Round, actor: User | None) -> Round:
    """Publish an open or closed round: a ``RoundResult`` per ranked entry (rank, score by the round's method,
    award: first/second/third by rank, then honourable mentions for the next ``honourable_mentions`` ranks),
    ``advanced`` set on the top ``advance_count`` ranks of each track when advancement is top N (a manual shortlist
    is left as it is), status published. One transaction with the round locked; audited ("round.published")."""
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if round.status not in (Round.Status.OPEN, Round.Status.CLOSED):
            raise RuleError(_("Only an open or closed round can be published."), code=ErrorCode.NOT_PUBLISHABLE)
        board = round_leaderboard(round)
        results, advancing = [], []
        for track_board in board.tracks:
            for row in track_board.rows:
                if row.rank is None or row.score is None:
                    continue
                if row.rank in PRIZES:
                    award = PRIZES[row.rank]
                elif row.rank <= 3 + round.honourable_mentions:
                    award = RoundResult.Award.HONOURABLE
                else:
                    award = RoundResult.Award.NONE
                results.append(
                    RoundResult(round=round, round_entry=row.round_entry, track=track_board.track, rank=row.rank,
                                score=to_decimal(row.score), award=award)
                )  # fmt: skip
                if row.rank <= round.advance_count:
                    advancing.append(row.round_entry.pk)
        RoundResult.objects.filter(round=round).delete()
        RoundResult.objects.bulk_create(results)
        if round.advancement == Round.Advancement.TOP_N:
            RoundEntry.objects.filter(round=round).update(advanced=False)
            RoundEntry.objects.filter(pk__in=advancing).update(advanced=True)
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

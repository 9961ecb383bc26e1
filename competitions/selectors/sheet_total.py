"""What a judge's score sheet adds up to, as the judge sees it while scoring: each criterion's share of the rubric's
weight, and the sheet's weighted total over the criteria scored so far.

The total is ``scoring.weighted_total`` over the criteria that hold a score, on the rubric's range (the first
criterion's scale): the very number the leaderboard counts for the sheet once it is submitted (it leaves an empty
criterion out the same way). Each value is rescaled to 0..1 over its own criterion's scale, weighted by the
criterion's share, then put on the rubric's range; when every criterion shares one scale this is
sum(w * v) / sum(w). Weights that are all zero count as equal weights. static/js/scoresheet.js repeats the same
arithmetic as the judge types.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from competitions.models import Criterion
from competitions.selectors.scoring import Scale, weighted_total


@dataclass(frozen=True)
class SheetTotal:
    """A sheet's weighted total on ``low``..``high`` (None while nothing is scored), how many of the rubric's
    ``count`` criteria are ``scored``, and whether any criterion is on another scale than the rubric's (its values
    are then rescaled onto the rubric's range before weighting)."""

    value: float | None
    low: Decimal
    high: Decimal
    scored: int
    count: int
    rescaled: bool

    @property
    def shown(self) -> str:
        """The total to one decimal, halves rounded away from zero as JavaScript's ``toFixed(1)`` does: "7.4"."""
        if self.value is None:
            return ""
        return str(Decimal(self.value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    @property
    def complete(self) -> bool:
        return self.count > 0 and self.scored == self.count


def weight_shares(criteria: Sequence[Criterion]) -> dict[int, float]:
    """Each criterion's share of the rubric's total weight (0..1, summing to 1); equal shares when every weight is
    zero, as ``scoring.weighted_total`` counts them."""
    weights = [float(c.weight) for c in criteria]
    if not any(weights):
        weights = [1.0] * len(criteria)
    whole = sum(weights)
    return {c.pk: weight / whole for c, weight in zip(criteria, weights, strict=True)}


def score_in_scale(criterion: Criterion, value: Decimal | None) -> bool:
    """Whether ``value`` is a score ``criterion`` can hold (on its scale); a value the services would refuse never
    counts towards the total shown."""
    return value is not None and value.is_finite() and criterion.scale_min <= value <= criterion.scale_max


def sheet_total(criteria: Sequence[Criterion], values: Mapping[int, Decimal | None]) -> SheetTotal:
    """The weighted total of ``values`` (criterion id -> score, None or absent when not scored) over the rubric
    ``criteria`` in its order; see the module's docstring. Values off their criterion's scale are not counted."""
    if not criteria:
        return SheetTotal(None, Decimal("0"), Decimal("10"), 0, 0, rescaled=False)
    first = criteria[0]
    rescaled = any((c.scale_min, c.scale_max) != (first.scale_min, first.scale_max) for c in criteria)
    filled = [(c, values[c.pk]) for c in criteria if score_in_scale(c, values.get(c.pk))]
    value = None
    if filled:
        scales = [Scale(weight=float(c.weight), low=float(c.scale_min), high=float(c.scale_max)) for c, _v in filled]
        value = weighted_total(
            [float(v) for _c, v in filled if v is not None],
            scales,
            low=float(first.scale_min),
            high=float(first.scale_max),
        )
    return SheetTotal(value, first.scale_min, first.scale_max, len(filled), len(criteria), rescaled=rescaled)

"""The arithmetic of a round's results: plain functions over numbers (no Django), shared by the leaderboard
(``competitions.selectors.leaderboard``) and by ``bench/fairness.py``. Only submitted sheets of judges without a
conflict with the entry's team reach them.

The rules:

- A judge's total for an entry: each criterion's value rescaled to 0..1 over its scale, weighted (weights
  normalised to sum to 1; all zero: equal weights), then mapped onto the rubric's range, which is the scale of the
  first criterion (0..10 by default). When every criterion shares one scale this is sum(w * v) / sum(w).
- Mean: the mean of the judges' totals.
- Normalised: each total becomes a z-score within its judge's submitted sheets of the round,
  z = (total - judge's mean) / judge's standard deviation (population, ddof 0), then goes back onto the rubric's
  range as round mean + z * round standard deviation (over all totals of the round), clamped to the range. A judge
  with a single sheet, or who gave every entry the same total, tells us nothing about their own scale: z = 0, so
  their sheets count as the round's mean. The entry's score is the mean of its normalised totals.
- Calibrated: each judge's offset, scale and noise estimated jointly with the entries' quality
  (``calibration.calibrate``); the entry's score is what the panel's typical judge would give it.
- Trimmed: with three totals or more, the highest and the lowest are dropped (one each) before the mean; with
  fewer, the plain mean.
- Ranking, per track, by the round's method; ties are broken by the normalised score, then the raw mean, then the
  number of submitted sheets (all higher first). Entries still equal on all of these share a rank (1, 2, 2, 4), are
  listed by entry code, and share the award of that rank. Entries without any submitted sheet are not ranked.
- Awards, per track, by its organisers' numbers (``Track.prizes``, ``honourable_mentions``,
  ``min_entries_for_first_prize``): the awards in order are the first ``prizes`` of first, second and third
  prize, then ``honourable_mentions`` honourable mentions; rank r receives the r-th of them, nothing after the
  last. A track with fewer ranked entries than ``min_entries_for_first_prize`` withholds first prize: its awards
  start at second prize (one entry of three prizes: second prize; a track giving one prize: no prize, the
  honourable mentions still follow). Entries sharing a rank share its award (1, 2, 2, 4: both second-ranked
  entries receive the second award, the fourth the fourth).
- Agreement per track: Kendall's W. When every judge of the track scored every entry, the textbook W with the
  correction for ties; otherwise (the usual K-of-N design) the generalisation through the mean Spearman
  correlation of the judge pairs that share at least three entries (weighted by the entries shared):
  W = (rho * (m - 1) + 1) / m, with m the mean number of judges per entry, which equals the textbook W on
  complete data without ties. None when no such pair exists.
- Outlier flag: ``competitions.selectors.outliers`` (a judge who orders the entries against the rest of the panel,
  with enough shared entries to tell).
- Compliance, in a round whose compliance line is scored: after every method's score is computed from the judges'
  totals, the share of compliance checks the entry's judged revision passes (0..1) enters as one more criterion
  beside the rubric's: score = (W_r * judged + W_c * (low + share * (high - low))) / (W_r + W_c), with W_r the
  rubric's total weight (the number of criteria when every weight is zero), W_c the round's compliance weight and
  low..high the rubric's range. The same for every method (mean, normalised, trimmed, calibrated) and for the
  tie-breaks, so the ranking compares like with like. In a round whose compliance is a gate, an entry failing a
  check is not ranked (``competitions.selectors.leaderboard``), though its totals still tell normalisation and
  calibration how each judge marks; as information, scores are untouched.
"""

import math
import statistics
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

import numpy as np

from competitions.selectors.calibration import Calibration, calibrate

E = TypeVar("E", bound=Hashable)  # an entry
J = TypeVar("J", bound=Hashable)  # a judge

MEAN, NORMALISED, TRIMMED, CALIBRATED = "mean", "normalised", "trimmed", "calibrated"  # the values of Round.Method
FIRST, SECOND, THIRD, HONOURABLE, NO_AWARD = "first", "second", "third", "honourable", ""  # RoundResult.Award


@dataclass(frozen=True)
class Scale:
    weight: float
    low: float
    high: float


def weighted_total(
    values: Sequence[float], scales: Sequence[Scale], *, low: float | None = None, high: float | None = None
) -> float:
    """One judge's total for one entry, on ``low``..``high`` (by default the first criterion's scale)."""
    weights = [s.weight for s in scales]
    if not any(weights):
        weights = [1.0] * len(scales)
    fraction = sum(w * (v - s.low) / (s.high - s.low) for v, s, w in zip(values, scales, weights, strict=True))
    low = scales[0].low if low is None else low
    high = scales[0].high if high is None else high
    return low + (high - low) * fraction / sum(weights)


def weighted_totals(values: np.ndarray, scales: Sequence[Scale], *, low: float, high: float) -> np.ndarray:
    """``weighted_total`` of every row of ``values`` at once (a column per scale; NaN for a criterion left empty,
    which that row's total leaves out). The same operations in the same order, so equal to ``weighted_total``
    over the row's filled criteria bit for bit; a row without any filled criterion gives NaN."""
    filled = ~np.isnan(values)
    weighed = (filled & (np.array([float(s.weight) for s in scales]) != 0)).any(axis=1)  # else: equal weights
    fraction, weight_sum = np.zeros(len(values)), np.zeros(len(values))
    for column, s in enumerate(scales):
        used, value = filled[:, column], values[:, column]
        weight = np.where(weighed, s.weight, 1.0)
        fraction += np.where(used, weight * (value - s.low) / (s.high - s.low), 0.0)
        weight_sum += np.where(used, weight, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(filled.any(axis=1), low + (high - low) * fraction / weight_sum, np.nan)


def normalise(totals: Mapping[tuple[J, E], float], *, low: float, high: float) -> dict[tuple[J, E], float]:
    """Per-judge z-scores mapped back onto the range (see the module docstring)."""
    if not totals:
        return {}
    judge_of, values = _indexed([judge for judge, _entry in totals]), np.fromiter(totals.values(), float, len(totals))
    # The statistics module's exact mean and standard deviation, per judge and over the round, then numpy for the
    # same arithmetic on every total at once.
    mean, sd, count = np.zeros(judge_of.max() + 1), np.zeros(judge_of.max() + 1), np.bincount(judge_of)
    for judge, members in enumerate(_groups(judge_of)):
        mine = values[members].tolist()
        mean[judge], sd[judge] = statistics.fmean(mine), statistics.pstdev(mine)
    listed = values.tolist()
    centre, spread = statistics.fmean(listed), statistics.pstdev(listed)
    informative = (count[judge_of] > 1) & (sd[judge_of] > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(informative, (values - mean[judge_of]) / sd[judge_of], 0.0)
    result = np.minimum(np.maximum(centre + z * spread, low), high)
    return dict(zip(totals, result.tolist(), strict=True))


def _indexed(keys: Sequence[Hashable]) -> np.ndarray:
    """Each key's number: 0 for the first key met, 1 for the next new one, and so on."""
    numbers: dict[Hashable, int] = {}
    return np.fromiter((numbers.setdefault(key, len(numbers)) for key in keys), np.intp, len(keys))


def _groups(numbers: np.ndarray) -> list[np.ndarray]:
    """The positions of each number of ``_indexed`` (0, 1, ...), each in their order."""
    if not len(numbers):
        return []
    order = np.argsort(numbers, kind="stable")
    return np.split(order, np.cumsum(np.bincount(numbers))[:-1])


def trimmed_mean(values: Sequence[float]) -> float:
    """The mean without the highest and the lowest value when there are three values or more."""
    ordered = sorted(values)
    return statistics.fmean(ordered[1:-1] if len(ordered) >= 3 else ordered)


@dataclass(frozen=True)
class EntryScore:
    mean: float
    normalised: float
    trimmed: float
    count: int
    calibrated: float | None = None  # ``calibration.calibrate``; None where it was not computed

    def by(self, method: str) -> float:
        if method == CALIBRATED:
            return self.normalised if self.calibrated is None else self.calibrated
        return {MEAN: self.mean, NORMALISED: self.normalised, TRIMMED: self.trimmed}[method]


def entry_scores(
    totals: Mapping[tuple[J, E], float], *, low: float, high: float, calibration: Calibration | None = None
) -> dict[E, EntryScore]:
    """Every method's score for each entry with at least one total; normalisation and calibration run over all of
    ``totals`` (pass the whole round, not one track). ``calibration``: ``calibrate`` of the same totals, when the
    caller has it already."""
    normalised = normalise(totals, low=low, high=high)
    calibrated = (calibration or calibrate(totals, low=low, high=high)).scores
    entries = list(dict.fromkeys(entry for _judge, entry in totals))
    raw, norm = np.fromiter(totals.values(), float, len(totals)), np.fromiter(normalised.values(), float, len(totals))
    scores = {}
    for entry, members in zip(entries, _groups(_indexed([entry for _judge, entry in totals])), strict=True):
        values = raw[members].tolist()
        scores[entry] = EntryScore(
            mean=statistics.fmean(values),
            normalised=statistics.fmean(norm[members].tolist()),
            trimmed=trimmed_mean(values),
            count=len(values),
            calibrated=calibrated[entry],
        )
    return scores


def rank_entries(
    scores: Mapping[E, EntryScore], *, method: str, order: Mapping[E, str] | None = None
) -> list[tuple[E, int]]:
    """(entry, rank) best first, with the tie-break of the module docstring; ``order`` (e.g. entry codes) orders
    entries that share a rank. Scores are compared to 9 decimals, so rounding noise never breaks a tie."""

    def key(s: EntryScore) -> tuple[float, ...]:
        return tuple(round(-x, 9) for x in (s.by(method), s.normalised, s.mean, s.count))

    keys = {entry: key(s) for entry, s in scores.items()}
    ranked = sorted(scores, key=lambda e: (keys[e], (order or {}).get(e, ""), str(e)))
    result: list[tuple[E, int]] = []
    for position, entry in enumerate(ranked, start=1):
        if result and keys[entry] == keys[result[-1][0]]:
            result.append((entry, result[-1][1]))
        else:
            result.append((entry, position))
    return result


@dataclass(frozen=True)
class AwardRules:
    """A track's award settings (``Track.prizes``, ``honourable_mentions``, ``min_entries_for_first_prize``)."""

    prizes: int
    honourable_mentions: int
    min_entries_for_first_prize: int


def awards_by_rank(ranks: Sequence[int], rules: AwardRules) -> list[str]:
    """The award of each of a track's ranked entries, given their ranks (from ``rank_entries``: 1, 2, 2, 4); the
    rule is in the module docstring."""
    ladder = [FIRST, SECOND, THIRD][: rules.prizes]
    if len(ranks) < rules.min_entries_for_first_prize:
        ladder = ladder[1:]
    ladder += [HONOURABLE] * rules.honourable_mentions
    return [ladder[rank - 1] if rank <= len(ladder) else NO_AWARD for rank in ranks]


def _ranks(values: Sequence[float]) -> list[float]:
    """Ranks 1..n, ties sharing their mean rank."""
    first: dict[float, int] = {}
    last: dict[float, int] = {}
    for position, value in enumerate(sorted(values)):
        first.setdefault(value, position)
        last[value] = position
    return [(first[value] + last[value]) / 2 + 1 for value in values]


def kendalls_w(totals: Mapping[tuple[J, E], float]) -> float | None:
    """Agreement of the judges on the order of the entries (0: none, 1: complete); see the module docstring."""
    by_judge: dict[J, dict[E, float]] = defaultdict(dict)
    for (judge, entry), total in totals.items():
        by_judge[judge][entry] = total
    entries = {entry for _judge, entry in totals}
    judges = [j for j in by_judge if len(by_judge[j]) > 1]
    m, n = len(judges), len(entries)
    if m < 2 or n < 2:
        return None
    if all(len(by_judge[j]) == n for j in judges):
        ordered = sorted(entries, key=str)
        rank_sums = [0.0] * n
        ties = 0.0
        for judge in judges:
            values = [by_judge[judge][e] for e in ordered]
            for i, r in enumerate(_ranks(values)):
                rank_sums[i] += r
            ties += sum(c**3 - c for c in _group_sizes(values))
        mean = statistics.fmean(rank_sums)
        s = sum((r - mean) ** 2 for r in rank_sums)
        denominator = m**2 * (n**3 - n) - m * ties
        return 12 * s / denominator if denominator > 0 else None
    weighted, weight = 0.0, 0
    for rho, shared in _pair_correlations([by_judge[judge] for judge in judges]):
        if rho is not None:
            weighted += rho * shared
            weight += shared
    if not weight:
        return None
    per_entry = len(totals) / n
    return min(max((weighted / weight * (per_entry - 1) + 1) / per_entry, 0.0), 1.0)


def _pair_correlations(judges: Sequence[Mapping[E, float]]) -> list[tuple[float | None, int]]:
    """For each pair of judges (each their totals by entry) sharing three entries or more, in order (0, 1), (0, 2),
    ..., (1, 2), ...: the Spearman correlation of their totals over those entries (None when one gave them all the
    same total) and how many they share.

    Pairs sharing as many entries are ranked and correlated together on arrays. The ranks of n entries are halves
    summing to n(n + 1) / 2, so their mean is (n + 1) / 2 and every difference, product and sum below is exact:
    the result is the same float as ``outliers.pearson`` of ``_ranks`` gives, whatever the order of the entries."""
    seen = [totals.keys() for totals in judges]
    sizes: list[int] = []
    by_size: dict[int, tuple[list[int], list[float], list[float]]] = defaultdict(lambda: ([], [], []))
    for a in range(len(judges)):
        for b in range(a + 1, len(judges)):
            shared = seen[a] & seen[b]
            if len(shared) >= 3:
                pairs, xs, ys = by_size[len(shared)]
                pairs.append(len(sizes))
                sizes.append(len(shared))
                xs += [judges[a][e] for e in shared]
                ys += [judges[b][e] for e in shared]
    rhos: list[float | None] = [None] * len(sizes)
    for size, (pairs, xs, ys) in by_size.items():
        dx = _rank_rows(np.array(xs).reshape(-1, size)) - (size + 1) / 2
        dy = _rank_rows(np.array(ys).reshape(-1, size)) - (size + 1) / 2
        sxy, sxx, syy = (dx * dy).sum(axis=1), (dx * dx).sum(axis=1), (dy * dy).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = np.where((sxx > 0) & (syy > 0), sxy / np.sqrt(sxx * syy), np.nan)
        for pair, r in zip(pairs, rho.tolist(), strict=True):
            rhos[pair] = None if math.isnan(r) else r
    return list(zip(rhos, sizes, strict=True))


def _rank_rows(values: np.ndarray) -> np.ndarray:
    """``_ranks`` of each row."""
    below = (values[:, None, :] < values[:, :, None]).sum(axis=2)
    equal = (values[:, None, :] == values[:, :, None]).sum(axis=2)
    return (2 * below + equal - 1) / 2 + 1


def _group_sizes(values: Iterable[float]) -> list[int]:
    counts: dict[float, int] = defaultdict(int)
    for v in values:
        counts[v] += 1
    return [c for c in counts.values() if c > 1]


def rubric_weight(weights: Sequence[float]) -> float:
    """W_r of the compliance blend: the rubric's total weight, or its number of criteria when every weight is zero
    (``weighted_total`` then weighs them equally)."""
    return float(sum(weights)) if any(weights) else float(len(weights))


def with_compliance(
    score: EntryScore, *, share: float, rubric: float, weight: float, low: float, high: float
) -> EntryScore:
    """``score`` with the compliance line blended into every method's value (the rule in the module docstring):
    ``share`` of the checks passed, ``rubric`` the rubric's weight W_r, ``weight`` the compliance weight W_c."""
    if rubric + weight <= 0:
        return score
    line = low + share * (high - low)

    def blend(value: float) -> float:
        return (rubric * value + weight * line) / (rubric + weight)

    calibrated = None if score.calibrated is None else blend(score.calibrated)
    return EntryScore(
        mean=blend(score.mean),
        normalised=blend(score.normalised),
        trimmed=blend(score.trimmed),
        count=score.count,
        calibrated=calibrated,
    )


def to_decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 3)))

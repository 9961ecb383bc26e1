"""The outlier flag: a judge who orders the entries against the rest of the panel. Plain functions over numbers (no
Django), read by the leaderboard (``competitions.selectors.leaderboard``).

The rule:

- For each judge, the entries they share with at least one other judge (a submitted, counted total from both).
  On each such entry the judge's total is paired with the mean of the other judges' totals; ``r`` is the Pearson
  correlation over those pairs.
- Too few shared entries say nothing: with fewer than ``MIN_SHARED_ENTRIES`` (8) the judge is never flagged, and
  the organiser reads "not enough shared entries to tell (5 of 8)".
- With enough, the judge is flagged only when ``r`` is clearly negative: below the one-sided limit of a test at
  the 5% level (``LEVEL``) that the true correlation is zero, through Fisher's z:
  atanh(r) * sqrt(n - 3) < -1.645, that is r < tanh(-1.645 / sqrt(n - 3)): -0.63 over 8 shared entries, -0.46
  over 14, -0.30 over 32. A judge whose marks are unrelated to the panel's is flagged by chance about once in 20;
  a judge who marks in the panel's order but harsher or more leniently is never flagged (normalisation and
  calibration even that out).
- A judge who gave every shared entry the same total, or whose co-judges did, has no correlation (None): not
  flagged.
"""

import math
import statistics
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

E = TypeVar("E", bound=Hashable)  # an entry
J = TypeVar("J", bound=Hashable)  # a judge

MIN_SHARED_ENTRIES = 8  # below this, a correlation is too noisy to flag anyone
LEVEL = 0.05  # the one-sided test's level
Z_LIMIT = -1.6448536269514722  # the standard normal's LEVEL quantile: NormalDist().inv_cdf(LEVEL)


@dataclass(frozen=True)
class JudgeEvidence(Generic[J]):
    """What the flag rests on for one judge: ``r`` over ``shared`` entries (None where it is not defined) and the
    limit it was held against (None with too few shared entries)."""

    judge: J
    correlation: float | None
    shared: int
    limit: float | None
    flagged: bool

    @property
    def enough(self) -> bool:
        return self.shared >= MIN_SHARED_ENTRIES


def flag_limit(shared: int) -> float | None:
    """The correlation below which a judge with ``shared`` entries is flagged; None below the minimum."""
    if shared < MIN_SHARED_ENTRIES:
        return None
    return math.tanh(Z_LIMIT / math.sqrt(shared - 3))


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None when either side does not vary."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx, syy = sum((x - mx) ** 2 for x in xs), sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else None


def judge_evidence(totals: Mapping[tuple[J, E], float]) -> list[JudgeEvidence[J]]:
    """Every judge who shares at least one entry with another judge, with their evidence (see the module
    docstring), flagged first (most negative first), then by fewest shared entries; ties in the order judges
    first appear in ``totals``."""
    by_entry: dict[E, dict[J, float]] = defaultdict(dict)
    for (judge, entry), total in totals.items():
        by_entry[entry][judge] = total
    pairs: dict[J, list[tuple[float, float]]] = defaultdict(list)
    for scores in by_entry.values():
        if len(scores) < 2:
            continue
        whole = sum(scores.values())
        for judge, total in scores.items():
            pairs[judge].append((total, (whole - total) / (len(scores) - 1)))
    evidence = []
    for judge, points in pairs.items():
        limit = flag_limit(len(points))
        r = pearson([p[0] for p in points], [p[1] for p in points]) if len(points) >= 2 else None
        flagged = limit is not None and r is not None and r < limit
        evidence.append(JudgeEvidence(judge=judge, correlation=r, shared=len(points), limit=limit, flagged=flagged))
    return sorted(evidence, key=lambda e: (not e.flagged, e.correlation if e.flagged else 0.0, e.shared))


def outlier_judges(totals: Mapping[tuple[J, E], float]) -> dict[J, float]:
    """The flagged judges of ``judge_evidence``, with their correlation."""
    return {e.judge: e.correlation for e in judge_evidence(totals) if e.flagged and e.correlation is not None}

"""Calibrated scores: each judge's leniency, spread and noise estimated jointly with the entries' quality.

Per-judge z-scores (``scoring.normalise``) estimate a judge's mean and spread from the entries that judge happened to
get, so a judge who drew strong entries is taken for a harsh one. Here every total is modelled as

    total[j, e] = offset[j] + scale[j] * quality[e] + noise,   noise ~ N(0, sigma[j]^2)

and the four are fitted together by alternating least squares (``calibrate``). With the qualities fixed, each
judge's offset and scale are a regression of their totals on the qualities of their entries, each pulled toward the
panel's typical one as far as the judges' spread around it allows: that spread is estimated with them (empirical
Bayes), so judges who all mark alike are read as the typical judge (no noise added by estimating what is not there),
and a judge with few sheets stays close to neutral instead of being divided by a noisy spread. Each judge's noise
is their residual variance, pulled toward the panel's by ``PRIOR_SHEETS`` pseudo-sheets. The residuals are taken
against each entry's quality as the *other* judges of the entry put it (leave one out): an entry's quality is fitted
to its own judges, so a judge's plain residuals shrink with the weight the judge already has, and a judge taken for
precise would be trusted ever more on the next pass (with K = 3 a judge's noise was underestimated by about half).
With the judges fixed,
each entry's quality is the precision-weighted mean of what its judges' totals say about it, with a standard normal
prior. Qualities are re-centred to mean 0 and spread 1 after each pass. A scale is never below a tenth of the
panel's typical scale: a judge who orders the entries against the panel is the outlier flag's business
(``scoring.outlier_judges``), not a reason to turn their marks upside down.

The calibrated score of an entry is what the panel's typical judge would give it (typical offset + typical scale *
quality), clamped to the rubric's range, so it reads in the rubric's points like the other methods. Plain functions
over numbers (no Django), as ``scoring``.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

E = TypeVar("E", bound=Hashable)  # an entry
J = TypeVar("J", bound=Hashable)  # a judge

# How many sheets' worth of evidence pulls each judge's noise toward the panel's (bench/fairness.py: with
# leave-one-out residuals anything from 5 to 20 is within 0.001 of the others; 20 keeps a judge with few sheets
# near the panel's noise).
PRIOR_SHEETS = 20.0
PASSES = 50
MIN_SCALE_SHARE = 0.1


@dataclass(frozen=True)
class JudgeCalibration:
    """A judge's estimated leniency (``offset``: points above the panel's typical judge for the same entry, at
    average quality), ``scale`` (their spread relative to the typical judge's, 1 = the same) and ``noise`` (the SD
    of their totals around the model, in points), from ``sheets`` totals."""

    offset: float
    scale: float
    noise: float
    sheets: int


@dataclass(frozen=True)
class Calibration:
    scores: dict  # entry -> calibrated score on the rubric's range
    judges: dict  # judge -> JudgeCalibration


def calibrate(totals: Mapping[tuple[J, E], float], *, low: float, high: float) -> Calibration:
    """The calibrated score of each entry with at least one total, and each judge's estimated leniency, spread and
    noise (see the module docstring). Deterministic: the same totals give the same result."""
    if not totals:
        return Calibration({}, {})
    judges = list(dict.fromkeys(judge for judge, _entry in totals))
    entries = list(dict.fromkeys(entry for _judge, entry in totals))
    judge_index = {judge: i for i, judge in enumerate(judges)}
    entry_index = {entry: i for i, entry in enumerate(entries)}
    j = np.fromiter((judge_index[judge] for judge, _entry in totals), np.intp, len(totals))
    e = np.fromiter((entry_index[entry] for _judge, entry in totals), np.intp, len(totals))
    y = np.fromiter(totals.values(), float, len(totals))
    n_judges, n_entries = len(judges), len(entries)
    sheets = np.bincount(j, minlength=n_judges).astype(float)

    spread = float(y.std()) or 1.0
    offset = np.full(n_judges, float(y.mean()))
    scale = np.full(n_judges, spread)
    variance = np.full(n_judges, spread**2)
    # How far judges' offsets and scales spread around the panel's typical ones, estimated with them (empirical
    # Bayes): judges who all mark alike leave these near zero, and every judge is then read as the typical one.
    offset_spread, scale_spread = spread**2, spread**2
    quality = _standardised(np.bincount(e, weights=y, minlength=n_entries) / np.bincount(e, minlength=n_entries))
    leave_one_out = None  # the previous pass's entry sums, to take each total out of its entry's quality
    for _ in range(PASSES):
        offset0, scale0 = float(offset.mean()), float(max(scale.mean(), 1e-9))
        q = quality[e]
        # Each judge: their offset and scale by least squares on their entries' qualities, each pulled toward the
        # panel's typical one as far as the judges' spread around it and the judge's own noise say.
        # (never quite zero, so a judge with one sheet, or with entries all of one quality, still has a solution)
        pull_a, pull_b = np.maximum(variance / offset_spread, 1e-3), np.maximum(variance / scale_spread, 1e-3)
        a11, a12, a22 = sheets + pull_a, np.bincount(j, q, n_judges), np.bincount(j, q * q, n_judges) + pull_b
        b1 = np.bincount(j, y, n_judges) + pull_a * offset0
        b2 = np.bincount(j, q * y, n_judges) + pull_b * scale0
        det = a11 * a22 - a12 * a12
        offset = (b1 * a22 - a12 * b2) / det
        scale = np.maximum((a11 * b2 - a12 * b1) / det, MIN_SCALE_SHARE * scale0)
        offset_spread = max(float(np.mean((offset - offset.mean()) ** 2 + variance * a22 / det)), 1e-6)
        scale_spread = max(float(np.mean((scale - scale.mean()) ** 2 + variance * a11 / det)), 1e-6)
        if leave_one_out is None:
            residual = y - offset[j] - scale[j] * q
        else:
            numerator, precision, weight, centre, sd = leave_one_out
            others = (numerator[e] - weight * (y - offset[j])) / np.maximum(precision[e] - weight * scale[j], 1e-9)
            residual = y - offset[j] - scale[j] * (others - centre) / sd
        pooled = float(np.mean(residual**2)) or 1e-9
        variance = (np.bincount(j, residual**2, n_judges) + PRIOR_SHEETS * pooled) / (sheets + PRIOR_SHEETS)
        # Each entry: precision-weighted mean of what its judges say, with a standard normal prior.
        weight = scale[j] / variance[j]
        numerator = np.bincount(e, weight * (y - offset[j]), n_entries)
        precision = np.bincount(e, weight * scale[j], n_entries) + 1.0
        unscaled = numerator / precision
        centre, sd = float(unscaled.mean()), float(unscaled.std()) or 1.0
        quality = (unscaled - centre) / sd
        leave_one_out = (numerator, precision, weight, centre, sd)
    typical_offset, typical_scale = float(offset.mean()), float(scale.mean())
    scores = np.clip(typical_offset + typical_scale * quality, low, high)
    return Calibration(
        scores=dict(zip(entries, scores.tolist(), strict=True)),
        judges={
            judge: JudgeCalibration(
                offset=float(offset[i] - typical_offset),
                scale=float(scale[i] / typical_scale) if typical_scale else 1.0,
                noise=float(np.sqrt(variance[i])),
                sheets=int(sheets[i]),
            )
            for i, judge in enumerate(judges)
        },
    )


def _standardised(values: np.ndarray) -> np.ndarray:
    sd = float(values.std())
    return (values - values.mean()) / sd if sd > 0 else values - values.mean()

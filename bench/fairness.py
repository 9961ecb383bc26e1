"""How well each ranking method recovers the true order of entries, through the real assignment and scoring code.

    .venv/bin/python bench/fairness.py [--seeds 20] [--entries 300] [--judges 30] [--k 5]

Each simulated competition has entries with a hidden true quality q ~ N(0, 1) and judges who each have their own
offset (lenient or harsh), scale (how widely they spread their marks) and noise. The panel is assigned by
``balanced_assignment`` (K judges per entry, loads within one), every judge scores every criterion of a 0..10 rubric
in steps of 0.5:

    value = clamp(round_to_step(6 + scale_j * spread * q + offset_j + impression + noise), 0, 10)

where ``impression`` is the judge's noise on the entry as a whole (shared by its criteria) and ``noise`` is drawn
for each mark.
and the entries are ranked by ``weighted_total``, ``entry_scores`` and ``rank_entries`` exactly as a published round
is. For each seed the bench computes Kendall's tau between the true order and the published order of each method
and prints the mean over the seeds (1: the true order exactly), with its range, and beside it the mean for the
same panel without leniency or spread differences (offset 0, scale 1).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "platform")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metascene.settings.test")

import django  # noqa: E402

django.setup()

from scipy.stats import kendalltau  # noqa: E402

from competitions.selectors.scoring import Scale, entry_scores, rank_entries, weighted_total  # noqa: E402
from competitions.services.assignment import balanced_assignment  # noqa: E402

CRITERIA = [Scale(weight=w, low=0, high=10) for w in (3, 2, 2, 2, 1)]
METHODS = ("mean", "normalised", "trimmed")


def simulate(
    *,
    seed: int,
    entries: int,
    judges: int,
    k: int,
    spread: float,
    offset_sd: float,
    scale_low: float,
    scale_high: float,
    impression_sd: float,
    noise_sd: float,
) -> dict[str, float]:
    """One competition; returns Kendall's tau of each method's published order against the true order."""
    rng = random.Random(seed)
    quality = {e: rng.gauss(0, 1) for e in range(entries)}
    offset = {j: rng.gauss(0, offset_sd) for j in range(judges)}
    scale = {j: rng.uniform(scale_low, scale_high) for j in range(judges)}
    plan = balanced_assignment(entries=dict.fromkeys(quality, 0), judges={j: () for j in range(judges)}, per_entry=k)

    def marks(judge: int, entry: int) -> list[float]:
        seen = 6 + scale[judge] * spread * quality[entry] + offset[judge] + rng.gauss(0, impression_sd)
        return [min(max(round((seen + rng.gauss(0, noise_sd)) * 2) / 2, 0.0), 10.0) for _ in CRITERIA]

    totals = {(judge, entry): weighted_total(marks(judge, entry), CRITERIA) for judge, entry in sorted(plan.pairs)}
    scores = entry_scores(totals, low=0, high=10)
    truth = [quality[e] for e in sorted(quality)]
    taus = {}
    for method in METHODS:
        rank = dict(rank_entries(scores, method=method))
        taus[method] = kendalltau(truth, [-rank[e] for e in sorted(quality)]).statistic
    return taus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--entries", type=int, default=300)
    parser.add_argument("--judges", type=int, default=30)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--spread", type=float, default=1.5, help="points per SD of true quality")
    parser.add_argument("--offset-sd", type=float, default=1.2, help="SD of the judges' leniency, in points")
    parser.add_argument("--scale-low", type=float, default=0.6)
    parser.add_argument("--scale-high", type=float, default=1.4)
    parser.add_argument("--impression-sd", type=float, default=0.3, help="per judge and entry, in points")
    parser.add_argument("--noise-sd", type=float, default=0.5, help="per mark, in points")
    args = parser.parse_args()
    params = {
        "entries": args.entries, "judges": args.judges, "k": args.k, "spread": args.spread,
        "offset_sd": args.offset_sd, "scale_low": args.scale_low, "scale_high": args.scale_high,
        "impression_sd": args.impression_sd, "noise_sd": args.noise_sd,
    }  # fmt: skip
    print("parameters: " + ", ".join(f"{name}={value}" for name, value in params.items()))
    print(f"criteria: {len(CRITERIA)} on 0..10, step 0.5, weights {[c.weight for c in CRITERIA]}; seeds: {args.seeds}")
    started = time.perf_counter()
    # The same panel without leniency or spread differences: what normalisation costs when there is nothing to
    # even out.
    fair = {**params, "offset_sd": 0.0, "scale_low": 1.0, "scale_high": 1.0}
    print(f"{'method':>11} {'mean tau':>9} {'min':>6} {'max':>6}   {'unbiased judges: mean tau':>25}")
    results = {
        name: [simulate(seed=seed, **setting) for seed in range(args.seeds)]
        for name, setting in (("biased", params), ("fair", fair))
    }
    for method in METHODS:
        taus = [run[method] for run in results["biased"]]
        fair_mean = statistics.fmean(run[method] for run in results["fair"])
        print(f"{method:>11} {statistics.fmean(taus):>9.3f} {min(taus):>6.3f} {max(taus):>6.3f}   {fair_mean:>25.3f}")
    print(f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()

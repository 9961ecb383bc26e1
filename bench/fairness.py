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
is, and by ``calibration.calibrate`` (each judge's offset, scale and noise fitted jointly with the entries). The
oracle knows every judge's offset, scale and noise and weighs each total by what it says about the entry: no method
that sees only the totals can do better on average. For each setting (a small and a large panel; judges whose noise
does or does not grow with their spread) and each seed the bench computes Kendall's tau between the true order and
each method's order, and prints the mean over the seeds (1: the true order exactly), and the same for a panel
without leniency or spread differences (offset 0, scale 1).

    .venv/bin/python bench/fairness.py --settings     every setting in one table (the README's)
    .venv/bin/python bench/fairness.py --assignments [--seeds 200]

``--assignments`` compares three ways of assigning the small panels (120 entries, 20 judges, K = 3), the judges
and marks drawn alike for each: "rooms", the jury split into four rooms of five judges that each judge a quarter of
the entries (loads as even, but four groups of judges that share no entry); "random deal", the previous
``balanced_assignment``, recreated here (the same balanced loads, each entry taking the judges with the most
entries still to take, ties broken by a seeded draw, so co-judges mix by chance); and "mixed", today's, which
gives each entry the judges who have shared the fewest entries with each other. For each it prints the judges'
graph (groups, co-judges per judge, most entries two judges share) and the mean Kendall's tau of the normalised,
calibrated and oracle orders, then the mean paired difference of the calibrated tau against "mixed" with its
standard error.
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

from competitions.selectors.calibration import calibrate  # noqa: E402
from competitions.selectors.judge_graph import judge_graph  # noqa: E402
from competitions.selectors.scoring import Scale, entry_scores, rank_entries, weighted_total  # noqa: E402
from competitions.services.assignment_plan import balanced_assignment  # noqa: E402

CRITERIA = [Scale(weight=w, low=0, high=10) for w in (3, 2, 2, 2, 1)]
METHODS = ("mean", "normalised", "trimmed")
COLUMNS = (*METHODS, "calibrated", "oracle")
# (name, entries, judges, K, noise grows with the judge's spread)
SETTINGS = (
    ("small panel, even noise", 120, 20, 3, False),
    ("small panel, noise grows with spread", 120, 20, 3, True),
    ("large panel, even noise", 300, 30, 5, False),
    ("large panel, noise grows with spread", 300, 30, 5, True),
)
ASSIGNMENTS = ("rooms", "random deal", "mixed")
ROOMS = 4


def assign(how: str, *, entries: int, judges: int, k: int) -> frozenset[tuple[int, int]]:
    """The (judge, entry) pairs of one way of assigning one track (see the module docstring)."""
    if how == "rooms":
        pairs: set[tuple[int, int]] = set()
        for room in range(ROOMS):
            members = [j for j in range(judges) if j % ROOMS == room]
            room_entries = [e for e in range(entries) if e % ROOMS == room]
            plan = balanced_assignment(
                entries=dict.fromkeys(room_entries, 0), judges={j: () for j in members}, per_entry=k
            )
            pairs |= plan.pairs
        return frozenset(pairs)
    plan = balanced_assignment(
        entries=dict.fromkeys(range(entries), 0), judges={j: () for j in range(judges)}, per_entry=k
    )
    if how == "mixed":
        return plan.pairs
    # The previous deal: the flow's shares (on one panel, each judge's load), dealt to the entries in a seeded order,
    # each entry taking the judges with the most still to take, ties broken by a seeded draw.
    rng = random.Random(entries)
    remaining = plan.load()
    order = list(range(entries))
    rng.shuffle(order)
    dealt: set[tuple[int, int]] = set()
    for entry in order:
        tiebreak = {judge: rng.random() for judge in remaining}
        for judge in sorted(remaining, key=lambda j: (-remaining[j], tiebreak[j]))[:k]:
            remaining[judge] -= 1
            dealt.add((judge, entry))
    return frozenset(dealt)


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
    noise_grows: bool = False,
    assignment: str = "mixed",
) -> dict[str, float]:
    """One competition; returns Kendall's tau of each method's order against the true order."""
    rng = random.Random(seed)
    quality = {e: rng.gauss(0, 1) for e in range(entries)}
    offset = {j: rng.gauss(0, offset_sd) for j in range(judges)}
    scale = {j: rng.uniform(scale_low, scale_high) for j in range(judges)}
    # A judge who spreads their marks wider may be noisier in the same proportion.
    loud = {j: scale[j] if noise_grows else 1.0 for j in range(judges)}
    pairs = assign(assignment, entries=entries, judges=judges, k=k)

    def marks(judge: int, entry: int) -> list[float]:
        seen = 6 + scale[judge] * spread * quality[entry] + offset[judge] + rng.gauss(0, impression_sd * loud[judge])
        noise = noise_sd * loud[judge]
        return [min(max(round((seen + rng.gauss(0, noise)) * 2) / 2, 0.0), 10.0) for _ in CRITERIA]

    totals = {(judge, entry): weighted_total(marks(judge, entry), CRITERIA) for judge, entry in sorted(pairs)}
    scores = entry_scores(totals, low=0, high=10)
    order = sorted(quality)
    truth = [quality[e] for e in order]
    taus = {}
    for method in METHODS:
        rank = dict(rank_entries(scores, method=method))
        taus[method] = kendalltau(truth, [-rank[e] for e in order]).statistic
    calibrated = calibrate(totals, low=0, high=10).scores
    taus["calibrated"] = kendalltau(truth, [calibrated[e] for e in order]).statistic
    # The oracle: each total read with its judge's true offset, scale and noise (the weighted criteria's noise).
    weights = [c.weight for c in CRITERIA]
    mark_share = sum(w * w for w in weights) / sum(weights) ** 2
    said, precision = dict.fromkeys(order, 0.0), dict.fromkeys(order, 0.0)
    for (judge, entry), total in totals.items():
        slope = scale[judge] * spread
        variance = (impression_sd**2 + noise_sd**2 * mark_share) * loud[judge] ** 2 + 1 / 48  # + rounding to 0.5
        said[entry] += slope * (total - 6 - offset[judge]) / variance
        precision[entry] += slope * slope / variance
    taus["oracle"] = kendalltau(truth, [said[e] / precision[e] for e in order]).statistic
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
    parser.add_argument("--noise-grows", action="store_true", help="a judge's noise grows with their spread")
    parser.add_argument("--settings", action="store_true", help="the small and large panels, noise even and growing")
    parser.add_argument("--assignments", action="store_true", help="rooms, random deal and mixed, on small panels")
    args = parser.parse_args()
    params = {
        "entries": args.entries, "judges": args.judges, "k": args.k, "spread": args.spread,
        "offset_sd": args.offset_sd, "scale_low": args.scale_low, "scale_high": args.scale_high,
        "impression_sd": args.impression_sd, "noise_sd": args.noise_sd, "noise_grows": args.noise_grows,
    }  # fmt: skip
    print(f"criteria: {len(CRITERIA)} on 0..10, step 0.5, weights {[c.weight for c in CRITERIA]}; seeds: {args.seeds}")
    started = time.perf_counter()
    if args.assignments:
        compare_assignments(params, args.seeds)
        print(f"{time.perf_counter() - started:.1f} s")
        return
    if args.settings:
        settings = [
            (name, {**params, "entries": entries, "judges": judges, "k": k, "noise_grows": grows})
            for name, entries, judges, k, grows in SETTINGS
        ]
    else:
        settings = [("parameters: " + ", ".join(f"{name}={value}" for name, value in params.items()), params)]
    print(f"{'setting':<38} {'judges':<9}" + "".join(f"{c:>11}" for c in COLUMNS))
    for name, setting in settings:
        # The same panel without leniency or spread differences: what each method costs when there is nothing to
        # even out.
        fair = {**setting, "offset_sd": 0.0, "scale_low": 1.0, "scale_high": 1.0}
        for judges, values in (("biased", setting), ("unbiased", fair)):
            runs = [simulate(seed=seed, **values) for seed in range(args.seeds)]
            means = [statistics.fmean(run[column] for run in runs) for column in COLUMNS]
            print(f"{name:<38} {judges:<9}" + "".join(f"{m:>11.3f}" for m in means))
    print(f"{time.perf_counter() - started:.1f} s")


def compare_assignments(params: dict, seeds: int) -> None:
    """The table of ``--assignments``: each small-panel setting under each way of assigning."""
    columns = ("normalised", "calibrated", "oracle")
    print(
        f"{'setting':<38} {'assignment':<12} {'groups':>6} {'co-judges':>10} {'shared':>7}"
        + "".join(f"{c:>11}" for c in columns)
    )
    for name, entries, judges, k, grows in SETTINGS[:2]:
        setting = {**params, "entries": entries, "judges": judges, "k": k, "noise_grows": grows}
        runs = {how: [simulate(seed=seed, assignment=how, **setting) for seed in range(seeds)] for how in ASSIGNMENTS}
        for how in ASSIGNMENTS:
            graph = judge_graph(assign(how, entries=entries, judges=judges, k=k))
            means = [statistics.fmean(run[column] for run in runs[how]) for column in columns]
            print(
                f"{name:<38} {how:<12} {graph.groups:>6} {graph.co_judges:>10} {graph.most_shared:>7}"
                + "".join(f"{m:>11.3f}" for m in means)
            )
        for how in ASSIGNMENTS[:-1]:
            gain = [
                mixed["calibrated"] - other["calibrated"] for mixed, other in zip(runs["mixed"], runs[how], strict=True)
            ]
            error = statistics.stdev(gain) / len(gain) ** 0.5
            print(f"  calibrated, mixed minus {how}: {statistics.fmean(gain):+.4f} (standard error {error:.4f})")


if __name__ == "__main__":
    main()

"""How often the estimate's 95 % intervals hold a job's true total, by pilot size.

    python -m benchmarks.pilot_coverage [--trials 400] [--sizes 8 12 16 20 24]

Simulated 400-problem jobs: a population of per-problem completion tokens is drawn (skewed
lengths, judge calls of 0, 1 or 3 per problem, a normal length), an n-problem pilot is drawn from
it without replacement, and `k2batch.estimate.project` projects the total with its interval.
Prints, per pilot size and population, the share of trials whose interval held the true total
and the interval's mean width as a multiple of that total. No model runs; about a minute."""

from __future__ import annotations

import argparse

import numpy as np

from k2batch import estimate as est
from k2batch.config import load_config
from k2batch.testing import instant

POPULATIONS = {  # per-problem completion tokens of a 400-problem job
    "lognormal 0.8": lambda r: r.lognormal(6, 0.8, 400),
    "lognormal 1.2": lambda r: r.lognormal(6, 1.2, 400),
    "judge calls": lambda r: r.choice([0, 1, 3], 400, p=[0.5, 0.3, 0.2]) * r.normal(250, 20, 400),
    "normal": lambda r: r.normal(500, 100, 400),
}


def coverage(draw, n: int = 8, trials: int = 150, seed: int = 7) -> tuple[float, float]:
    """(share of trials whose interval held the total, mean width / total) of n-problem pilots."""
    instant.register()
    c, seen = load_config(sets=["backend.kind=instant"]), {"reasoning": set(), "unpriced": set()}
    rng, hit, width = np.random.default_rng(seed), 0, 0.0
    for t in range(trials):
        pop = draw(rng)
        x = np.zeros((n, len(est.COL)))
        x[:, est.COL["judge.completion"]], x[:, est.COL["latency"]] = rng.choice(pop, n, replace=False), 1
        e = est.project(c, x, len(pop), elapsed_s=60.0, seen=seen, seed=t)["tokens"]["judge"]["completion"]
        hit += e["lo"] <= pop.sum() <= e["hi"]
        width += (e["hi"] - e["lo"]) / pop.sum()
    return hit / trials, width / trials


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=400)
    ap.add_argument("--sizes", type=int, nargs="+", default=[8, 12, 16, 20, 24])
    args = ap.parse_args()
    print(f"pilot of n from 400 problems, {args.trials} trials; held / width (x the total); "
          f"default floor {est.MIN_PROBLEMS}")
    print(f"{'n':>4} " + " ".join(f"{name:>22}" for name in POPULATIONS))
    for n in args.sizes:
        cells = [coverage(draw, n, args.trials, seed=11) for draw in POPULATIONS.values()]
        print(f"{n:>4} " + " ".join(f"{held:>14.3f} / {w:>5.2f}" for held, w in cells), flush=True)


if __name__ == "__main__":
    main()

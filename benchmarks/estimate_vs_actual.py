"""`k2batch estimate` against the job it forecasts: the pilot, then the full run into the same OUT
(which reuses the pilot's calls), and each projection beside what the run did.

    python benchmarks/estimate_vs_actual.py [--problems 40] [--min-problems 8] [--set KEY=VALUE ...]

The embedded model (the default job) on the first N GSM8K problems of ../shared/data. Printed per
stage and in total: calls, prompt and completion tokens (projection [95 % CI] vs the run's
token_stats, pilot calls included, as the projection counts them), wall time of `solve` after the
estimate (the `remaining` projection) and of the whole job from nothing (pilot + solve, the
`total` projection), and verified-correct problems. Goal: every actual inside its CI. Wall time
assumes the machine does what it did during the pilot: run it alone."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k2batch.config import STAGES, load_config  # noqa: E402
from k2batch.estimate import estimate  # noqa: E402
from k2batch.job import run_solve  # noqa: E402


def actual_tokens(out: Path) -> dict:
    """Per stage (and total): calls, prompt and completion tokens of every call of the run."""
    sums = {s: {"calls": 0, "prompt": 0, "completion": 0} for s in [*STAGES, "total"]}
    for c in pq.read_table(out / "token_stats").to_pylist():
        for s in (c["stage"], "total"):
            if s in sums:
                sums[s]["calls"] += 1
                sums[s]["prompt"] += c["prompt_tokens"]
                sums[s]["completion"] += c["completion_tokens"]
    return sums


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=40)
    ap.add_argument("--min-problems", type=int, default=8,
                    help="pilot problems at least (8: the figures in RESULTS.md; `estimate`'s floor is 16)")
    ap.add_argument("--set", action="append", default=[], help="job settings, as `k2batch solve --set`")
    args = ap.parse_args()
    cfg = load_config(sets=args.set)
    rows = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        src, out = tmp / "gsm8k.parquet", tmp / "out"
        gsm = pq.read_table(ROOT.parent / "shared" / "data" / "gsm8k_test.parquet")
        pq.write_table(gsm.slice(0, args.problems), src)
        t0 = time.perf_counter()
        est = estimate(str(src), str(out), cfg, min_problems=args.min_problems)
        t1 = time.perf_counter()
        manifest = run_solve(str(src), str(out), cfg)
        t2 = time.perf_counter()
        got = actual_tokens(out)
        correct = sum(s["status"] == "correct" for s in pq.read_table(out / "solutions").to_pylist())
    for stage, kinds in est["tokens"].items():
        for kind in ("calls", "prompt", "completion"):
            if kind in kinds and got[stage]["calls"]:
                rows.append((f"{stage} {kind}", kinds[kind], got[stage][kind]))
    wall = est["wall_time_s"]
    rows.append(("wall s, solve after the estimate", wall["remaining"], t2 - t1))
    rows.append(("wall s, whole job (pilot + solve)", wall["total"], t2 - t0))
    rows.append(("verified correct problems", est["verified_yield"]["problems"], correct))
    calls = manifest["calls"]
    print(f"{args.problems} GSM8K problems, pilot of {est['pilot']['problems']}; job {manifest['status']}, "
          f"{calls['made']} calls made, {calls['reused']} reused from the pilot")  # fmt: skip
    print(f"{'quantity':<36} {'estimate':>10} {'95 % CI':>22} {'actual':>10} {'inside':>7}")
    inside_all = True
    for label, e, actual in rows:
        inside = e["lo"] <= actual <= e["hi"]
        inside_all &= inside
        ci = f"[{e['lo']:,.0f}, {e['hi']:,.0f}]"
        print(f"{label:<36} {e['point']:>10,.0f} {ci:>22} {actual:>10,.0f} {str(inside):>7}")
    print(f"goal (every actual inside its CI): {'met' if inside_all else 'NOT met'}")
    return 0 if inside_all else 1


if __name__ == "__main__":
    sys.exit(main())

"""Deadline-aware routing, measured: the primary alone vs primary + spill, side by side.

    python benchmarks/deadline.py [--problems 24] [--max-tokens 96] [--service-s 0.4] [--capacity 4]
                                  [--workers 1] [--set KEY=VALUE ...]

Primary: the embedded model through llama.cpp (one engine, 2 threads; with `--workers 2`, two
worker processes of one engine of 1 thread, each routing the problems it gets). Secondary: the project's
quota server (an OpenAI-compatible server on 127.0.0.1 that serves `capacity` requests at once,
`service-s` seconds each: a stand-in for a paid service; it is not a model). The job: GSM8K
problems, one sample each, no plan or judge, so a problem is one call. First the primary alone
runs the job (finish time T); then the routed job runs with a deadline of T / 2 from its start,
so the primary alone would take about twice the deadline. Printed: finish time vs deadline, the
share of problems spilled against the minimum the two measured paces imply, calls and tokens per
side, and dollars at an example price for the secondary ($0.60 / $1.20 per million input /
output tokens; the primary's marginal cost is counted as 0). Goal: routed finishes within the
deadline + 5 %, spilling no more than 10 % above the minimum share.

The minimum share: the primary can finish (deadline - start-up) x its pace problems by the
deadline. Start-up (Prefect, loading the model: the alone run's wall time less its busy time,
the sum of its call latencies, per engine) is spent in both runs, so it is not the primary's capacity.
The routed job runs twice, as a nightly job would, with the same deadline from its start: the
first plans for its problems to finish by the deadline (nothing learned), the next also for the
job's tail after its last problem, which the first measured (k2batch/router.py, `TAILS`).
All runs take the job's defaults: one wave each (before late binding the routed job ran in
waves of 8 problems per worker process; `--set runner.wave_size=8` brings that back).
Two paces are printed: the primary's alone, and the primary's during the routed run (its
problems / its busy time there), where the secondary's client and server share the cores; the
goal is judged against the latter, the capacity the primary actually had."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k2batch.config import load_config  # noqa: E402
from k2batch.job import run_solve  # noqa: E402
from k2batch.testing.quota_server import QuotaServer  # noqa: E402

PRICE = {"input": 0.6, "output": 1.2}
RUNS = ("routed, first job", "routed, next job")


def sets(args, *extra: str) -> list[str]:
    workers = [f"runner.workers={args.workers}", f"backend.n_threads={max(1, 2 // args.workers)}"]
    return [*(workers if args.workers > 1 else []), "samples=1", "plan.enabled=false", "judge.enabled=false",
            "backend.n_ctx=1024", f"stages.generate.max_tokens={args.max_tokens}",
            *extra]  # fmt: skip


def solve(src: Path, out: Path, settings: list[str]) -> tuple[float, list[dict], dict]:
    t0 = time.time()
    manifest = run_solve(str(src), str(out), load_config(sets=settings))
    return time.time() - t0, pq.read_table(out / "token_stats").to_pylist(), manifest


def sides(calls: list[dict]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for c in calls:
        if c["error"]:
            continue
        side = "spill" if c["model"] == "spill" else "primary"
        s = out.setdefault(side, {"problems": set(), "calls": 0, "tokens": 0, "usd": 0.0})
        s["problems"].add(c["problem_id"])
        s["calls"] += 1
        s["tokens"] += c["prompt_tokens"] + c["completion_tokens"]
        if side == "spill":
            s["usd"] += (c["prompt_tokens"] * PRICE["input"] + c["completion_tokens"] * PRICE["output"]) / 1e6
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=24)
    ap.add_argument("--max-tokens", type=int, default=96)
    ap.add_argument("--service-s", type=float, default=0.4, help="seconds the secondary takes per request")
    ap.add_argument("--capacity", type=int, default=4, help="requests the secondary serves at once")
    ap.add_argument("--workers", type=int, default=1, help="worker processes of the primary")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="for the routed run")
    args = ap.parse_args()
    server = QuotaServer(capacity=args.capacity, service_s=lambda body: args.service_s)
    routed = {}
    with tempfile.TemporaryDirectory() as d, server as srv:
        tmp = Path(d)
        os.environ["K2BATCH_STATE_DIR"] = str(tmp / "state")  # nothing learned by an earlier run
        src = tmp / "gsm.parquet"
        pq.write_table(
            pq.read_table(ROOT.parent / "shared" / "data" / "gsm8k_test.parquet").slice(0, args.problems), src
        )
        alone_s, alone_calls, _ = solve(src, tmp / "alone", sets(args))
        deadline_s = alone_s / 2
        os.environ.setdefault("K2B_BENCH_KEY", "local")
        for i, name in enumerate(RUNS):  # the next job plans for the tail the first one measured
            deadline = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=deadline_s)).isoformat()
            spill = ["backend.spill.kind=openai", f"backend.spill.base_url={srv.url}/v1",
                     "backend.spill.model=spill", "backend.spill.api_key_env=K2B_BENCH_KEY",
                     f"budget.deadline={deadline}", *args.set]  # fmt: skip
            routed[name] = solve(src, tmp / f"routed-{i}", sets(args, *spill))
    n = args.problems
    busy = sum(c["latency_s"] for c in alone_calls) / args.workers  # each engine, one call at a time
    start_up = max(0.0, alone_s - busy)
    primary_rate = n / busy  # problems per second of the engines' work, the primary alone

    def minimum(rate: float) -> float:
        return max(0.0, 1 - rate * max(0.0, deadline_s - start_up) / n)

    print(f"{n} GSM8K problems, one call each; secondary: {args.capacity} at once, {args.service_s} s each "
          f"({args.capacity / args.service_s:.1f} problems/s); start-up {start_up:.1f} s")  # fmt: skip
    print(f"primary pace alone: {primary_rate:.3f} problems/s (minimum share {minimum(primary_rate):.2f}); "
          "a routed run's minimum share is by its primary's pace there, beside the secondary's client")
    head = f"{'run':<24} {'finish s':>9} {'deadline s':>11} {'met':>5} {'spilled':>8}"
    print(f"{head} {'min share':>10} {'goal':>5}")
    met = str(alone_s <= deadline_s)
    print(f"{'primary alone':<24} {alone_s:>9.1f} {deadline_s:>11.1f} {met:>5} {0:>8.2f}")
    goals, sides_of = {}, {}
    for name, (routed_s, routed_calls, manifest) in routed.items():
        on_primary = [c for c in routed_calls if c["model"] != "spill" and not c["error"]]
        routed_busy = sum(c["latency_s"] for c in on_primary) / args.workers
        min_share = minimum(len(on_primary) / routed_busy if on_primary else primary_rate)
        sides_of[name] = split = sides(routed_calls)
        share = len(split.get("spill", {}).get("problems", ())) / n
        goals[name] = ok = routed_s <= deadline_s * 1.05 and share <= min_share + 0.10 and \
            manifest["status"] == "succeeded"  # fmt: skip
        print(f"{name:<24} {routed_s:>9.1f} {deadline_s:>11.1f} {str(routed_s <= deadline_s * 1.05):>5} "
              f"{share:>8.2f} {min_share:>10.2f} {'met' if ok else 'NOT':>5}")  # fmt: skip
    for name, split in sides_of.items():
        for side, s in sorted(split.items()):
            usd = f"${s['usd']:.5f}"
            print(f"  {name:<22} {side:<8} problems {len(s['problems']):>4}  calls {s['calls']:>4}  "
                  f"tokens {s['tokens']:>7,}  {usd}")  # fmt: skip
    print(json.dumps({name: {"status": m["status"], "rejects": m["counts"].get("rejects")}
                      for name, (_, _, m) in routed.items()}))  # fmt: skip
    print("goal (within deadline + 5 %, spill <= minimum share + 0.10): "
          + ", ".join(f"{name} {'met' if ok else 'NOT met'}" for name, ok in goals.items()))
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

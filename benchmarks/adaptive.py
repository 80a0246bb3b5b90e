"""Adaptive test-time compute vs fixed Best-of-3, side by side in one run.

    python benchmarks/adaptive.py [--problems 300] [--embedded 8] [--model GGUF]

(a) SIMULATION: a synthetic backend stands in for the model, so the numbers measure the
    *policy*, not any model. Stated distribution: each problem's chance that one sample is
    correct is drawn from Beta(1.3, 0.7) (mean 0.65: many easy problems, a tail of hard ones);
    a wrong sample gives one of three distractors with weights 0.6 / 0.3 / 0.1 (answers repeat,
    as real wrong answers do); replies run 400 tokens when right, 550 when wrong; triage 20,
    plans 80, judge replies 60. The judge, shown one correct and one wrong answer, prefers the
    correct one with probability 0.8; otherwise it prefers the response shown first with
    probability 0.6 (a position bias). Everything is a deterministic function of the request.
(b) The embedded model (or --model GGUF) on GSM8K problems: cost only (it is too weak for
    accuracy to mean anything).
Policies: fixed Best-of-3 (judge in both orders), the same with the confirming judge, adaptive
{min 2, max 3} and {min 1, max 5} with the confirming judge. Goal on the simulation: the same
Best-of-N accuracy (within its CI) as fixed Best-of-3 with <= 70 % of its tokens, and judge calls
per contested problem halved with no loss of judge accuracy."""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k2batch.backends import BACKENDS  # noqa: E402
from k2batch.backends.base import ChatResult  # noqa: E402
from k2batch.config import load_config  # noqa: E402
from k2batch.evidence import evidence  # noqa: E402
from k2batch.job import run_solve  # noqa: E402

KIND = "simulated"
POLICIES = {
    "fixed 3, judge both orders": (3, "pairs"),
    "fixed 3, confirming judge": (3, "confirm"),
    "adaptive {2, 3}, confirming": ({"min": 2, "max": 3}, "confirm"),
    "adaptive {1, 5}, confirming": ({"min": 1, "max": 5}, "confirm"),
}


def _rng(*parts) -> random.Random:
    return random.Random(hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest())


class SimulatedBackend:
    """The stated distribution, as a backend (see the module docstring)."""

    name = KIND

    def __init__(self, model: str = "simulated"):
        self.model = model

    @staticmethod
    def _problem(text: str) -> int:
        return int(re.search(r"Simulated problem (\d+)", text).group(1))

    def _reply(self, req) -> tuple[str, int]:
        user = req.messages[-1][1]
        if req.stage == "triage":
            return '{"hard": true, "topics": ["algebra"]}', 20
        if req.stage == "plan":
            return "<plan>Set up the equation, then solve it.</plan>", 80
        i = self._problem(user)
        if req.stage == "judge":
            first, second = re.findall(r"\\boxed\{(\d+)\}", user)[:2]
            rng, right = _rng("judge", req.seed, first, second), str(1000 + i)
            if (first == right) != (second == right):
                better = 1 if (first == right) == (rng.random() < 0.8) else 2
            else:
                better = 1 if rng.random() < 0.6 else 2
            return json.dumps({"better": better, "explanation": "simulated"}), 60
        p = _rng("difficulty", i).betavariate(1.3, 0.7)
        rng = _rng("sample", req.seed)
        if rng.random() < p:
            return f"<think>work</think>The answer is \\boxed{{{1000 + i}}}.", 400
        wrong = rng.choices([1, 2, 3], weights=[0.6, 0.3, 0.1])[0]
        return f"<think>work</think>The answer is \\boxed{{{1000 + i + wrong}}}.", 550

    def generate(self, requests, on_result=None, deadlines=None):
        out = []
        for i, req in enumerate(requests):
            text, tokens = self._reply(req)
            prompt = len(req.messages[-1][1]) // 4
            res = ChatResult(text, "stop", prompt_tokens=prompt, completion_tokens=tokens,
                             latency_s=0.0, backend=KIND, model=self.model)  # fmt: skip
            if on_result:
                on_result(i, res)
            out.append(res)
        return out


def from_config(cfg) -> SimulatedBackend:
    return SimulatedBackend(cfg.model or "simulated")


def run(policy: tuple, src: Path, out: Path, sets: list[str]) -> tuple[dict, dict, float]:
    samples, mode = policy
    cfg = load_config(sets=[*sets, f"judge.mode={mode}"], overrides={"samples": samples})
    t0 = time.perf_counter()
    run_solve(str(src), str(out), cfg)
    wall = time.perf_counter() - t0
    sols = pq.read_table(out / "solutions").to_pylist()
    calls = pq.read_table(out / "token_stats").to_pylist()
    contested = [r for r in sols if 0 < sum(c["verdict"] == "correct" for c in r["candidates"])
                 < len(r["candidates"])]  # fmt: skip
    ids = {r["id"] for r in contested}
    per = sum(c["stage"] == "judge" and c["problem_id"] in ids for c in calls)
    extra = {"calls": len(calls), "judge_calls": sum(c["stage"] == "judge" for c in calls),
             "judge_per_contested": per / len(contested) if contested else None}  # fmt: skip
    return evidence(sols, calls), extra, wall


def _ci(d: dict) -> str:
    ci = d.get("ci") or [float("nan")] * 2
    return f"{d['mean']:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"


def simulation(n: int, tmp: Path) -> bool:
    BACKENDS[KIND] = __name__
    rows = [{"id": f"s{i}", "problem": f"Simulated problem {i}: find x.", "answer": str(1000 + i)}
            for i in range(n)]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows), tmp / "sim.parquet")
    print(f"(a) SIMULATION, {n} problems (measures the policy, not a model; distribution in the docstring)")
    head = f"{'policy':<30} {'calls':>6} {'tokens':>10} {'ratio':>6} {'Best-of-N [95% CI]':>22} " \
           f"{'tok/verified':>12} {'judge/contested':>15} {'judge acc (contested)':>24}"  # fmt: skip
    print(head)
    base, results = None, {}
    for name, policy in POLICIES.items():
        out = tmp / name.replace(" ", "_")
        ev, extra, _ = run(policy, tmp / "sim.parquet", out, [f"backend.kind={KIND}"])
        base = base or ev["tokens"]
        results[name] = (ev, extra)
        audit = ev["judge_audit"]["accuracy"]["stored"]
        print(f"{name:<30} {extra['calls']:>6} {ev['tokens']:>10,} {ev['tokens'] / base:>6.2f} "
              f"{_ci(ev['best_of_n']):>22} {ev['tokens_per_verified'] or 0:>12,.0f} "
              f"{extra['judge_per_contested'] or 0:>15.2f} {_ci(audit):>24}")  # fmt: skip
    fixed, fixed_x = results["fixed 3, judge both orders"]
    conf, conf_x = results["fixed 3, confirming judge"]
    ada, _ = results["adaptive {2, 3}, confirming"]
    lo, hi = fixed["best_of_n"]["ci"]
    same = lo <= ada["best_of_n"]["mean"] <= hi
    cheaper = ada["tokens"] <= 0.7 * fixed["tokens"]
    halved = conf_x["judge_per_contested"] <= 0.5 * fixed_x["judge_per_contested"]
    judged = fixed["judge_audit"]["accuracy"]["stored"]
    judge_ok = conf["judge_audit"]["accuracy"]["stored"]["mean"] >= judged["ci"][0]
    print(f"goals: adaptive {{2,3}} accuracy within fixed's CI: {same}; tokens <= 70 %: {cheaper} "
          f"({ada['tokens'] / fixed['tokens']:.2f}); judge calls per contested problem halved: {halved}; "
          f"judge accuracy kept (within CI): {judge_ok}")  # fmt: skip
    return same and cheaper and halved and judge_ok


def embedded(n: int, model: str | None, tmp: Path) -> None:
    src = ROOT.parent / "shared" / "data" / "gsm8k_test.parquet"
    pq.write_table(pq.read_table(src).slice(0, n), tmp / "gsm.parquet")
    sets = ["stages.generate.max_tokens=96", "stages.plan.max_tokens=48", "stages.judge.max_tokens=48",
            "backend.n_ctx=2048"] + ([f"backend.model={model}"] if model else [])  # fmt: skip
    print(f"\n(b) {'--model ' + model if model else 'the embedded model'}, {n} GSM8K problems: cost only")
    print(f"{'policy':<30} {'calls':>6} {'tokens':>10} {'ratio':>6} {'wall s':>8}")
    base = None
    for name, policy in POLICIES.items():
        ev, extra, wall = run(policy, tmp / "gsm.parquet", tmp / ("gsm_" + name.replace(" ", "_")), sets)
        base = base or ev["tokens"]
        print(f"{name:<30} {extra['calls']:>6} {ev['tokens']:>10,} {ev['tokens'] / base:>6.2f} {wall:>8.1f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=300, help="simulated problems")
    ap.add_argument("--embedded", type=int, default=8, help="GSM8K problems on the real model (0: skip)")
    ap.add_argument("--model", help="a GGUF to measure instead of the embedded model")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        ok = simulation(args.problems, Path(d))
        if args.embedded:
            embedded(args.embedded, args.model, Path(d))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

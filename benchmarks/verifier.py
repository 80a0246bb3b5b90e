"""Verifier benchmark on the shared public sets: reference solutions must verify.

    python benchmarks/verifier.py [--shared ../shared/data] [--workers 2]

Prints, measured in one run: MATH-500 reference solutions (`solution`) vs `answer` (goal >= 99%),
HumanEval and LeetCode reference solutions through the code sandbox (goal: all pass), and
verifications per second for each."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k2batch.extract import extract_answer  # noqa: E402
from k2batch.verify.pool import VerifierPool  # noqa: E402


def math_tasks(path: Path) -> list[dict]:
    rows = pq.read_table(path).to_pylist()
    return [{"id": r["id"], "domain": "math", "reference": r["answer"],
             "answer": extract_answer(r["solution"], "math")[0]} for r in rows]  # fmt: skip


def code_tasks(path: Path, body_completes_prompt: bool) -> list[dict]:
    rows = pq.read_table(path).to_pylist()
    return [{
        "id": r["id"], "domain": "code", "answer": r["answer"], "tests": r["tests"],
        "entry_point": r.get("entry_point"), "prompt": r["problem"] if body_completes_prompt else "",
    } for r in rows]  # fmt: skip


def run(name: str, tasks: list[dict], pool: VerifierPool) -> tuple[int, int]:
    t0 = time.perf_counter()
    results = pool.check_all(tasks)
    dt = time.perf_counter() - t0
    ok = sum(s == "correct" for s, _ in results)
    rate = f"{len(tasks) / dt:7.1f} verifications/s"
    print(f"{name:<34} {ok:>4}/{len(tasks):<4} = {ok / len(tasks):7.2%}   {rate}")
    for t, (s, reason) in zip(tasks, results, strict=True):
        if s != "correct":
            print(f"    {t['id']}: {s}: {reason[:110]}")
    return ok, len(tasks)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    pool = VerifierPool(args.workers, timeout_s=20)
    try:
        pool.check_all([{"domain": "math", "reference": "1", "answer": "1"}] * args.workers)  # warm
        m_ok, m_n = run("MATH-500 solution vs answer", math_tasks(args.shared / "math500.parquet"), pool)
        h_ok, h_n = run(
            "HumanEval reference in sandbox", code_tasks(args.shared / "humaneval.parquet", True), pool
        )
        l_ok, l_n = run(
            "LeetCode reference in sandbox", code_tasks(args.shared / "leetcode_rllm.parquet", False), pool
        )
    finally:
        pool.close()
    goals = m_ok / m_n >= 0.99 and h_ok == h_n
    print(f"goals (MATH-500 >= 99 %, HumanEval 164/164): {'met' if goals else 'NOT met'}")
    return 0 if goals else 1


if __name__ == "__main__":
    sys.exit(main())

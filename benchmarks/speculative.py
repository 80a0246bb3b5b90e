"""Speculative decoding on the embedded model: decode speed with prompt-lookup drafts vs without,
per stage (judge, generate), greedy, on the same prompts, in one run.

    python benchmarks/speculative.py [--problems 8]

Each mode gets a fresh engine. Prints completion tokens/s per stage and mode, their ratio, and
whether the greedy outputs are equal (speculation must not change them)."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k2batch import recipe  # noqa: E402
from k2batch.backends.llamacpp import LlamaCppBackend, embedded_model_path  # noqa: E402
from k2batch.config import load_config  # noqa: E402


def stage_requests(n: int) -> dict[str, list]:
    """Greedy generate prompts, and judge prompts comparing two sampled answers per problem."""
    cfg = load_config(sets=["stages.generate.max_tokens=96", "stages.judge.max_tokens=64"])
    problems = [p for p in pq.read_table(ROOT / "data" / "sample_problems.parquet").to_pylist()][:n]
    gen = [replace(recipe.solve_request(p, 0, None, cfg), temperature=0.0) for p in problems]
    sampler = LlamaCppBackend(embedded_model_path(), n_ctx=2048)
    judge = []
    for p in problems:
        outs = sampler.generate([recipe.solve_request(p, s, None, cfg) for s in (0, 1)])
        cands = [
            {"sample": s, "answer": str(s), "response": o.text, "verdict": "unverified"}
            for s, o in enumerate(outs)
        ]
        comp = recipe.judge_comparisons(p, cands, cfg)[0]
        judge.append(replace(comp.request, json_schema=None))  # drafts and grammars do not mix
    sampler.close()
    return {"generate": gen, "judge": judge}


def measure(mode: str, reqs: list) -> tuple[float, list[str]]:
    engine = LlamaCppBackend(embedded_model_path(), n_ctx=2048, speculative=mode)
    engine.generate(reqs[:1])  # warm-up
    t0 = time.perf_counter()
    out = engine.generate(reqs)
    dt = time.perf_counter() - t0
    engine.close()
    return sum(o.completion_tokens for o in out) / dt, [o.text for o in out]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=8)
    args = ap.parse_args()
    by_stage = stage_requests(args.problems)
    print(f"{'stage':<9} {'off tok/s':>10} {'lookup tok/s':>13} {'ratio':>6} {'greedy outputs equal':>21}")
    for stage, reqs in by_stage.items():
        off, off_text = measure("off", reqs)
        on, on_text = measure("prompt_lookup", reqs)
        print(f"{stage:<9} {off:>10.1f} {on:>13.1f} {on / off:>6.2f} {off_text == on_text!s:>21}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""JSON replies on the embedded model: llama-cpp-python's grammar order (the whole vocabulary
checked every token) vs k2batch's likeliest tokens first, on the recipe's own triage and judge
requests for GSM8K problems, in one run.

    python benchmarks/grammar.py [--problems 8] [--threads 1]

The judge compares each problem's reference solution with the same solution ending in a wrong
number, at the recipe's settings (greedy, 192 tokens), and again sampled at temperature 0.7 (a
judge that samples writes longer replies). Prints seconds and completion tokens/s per stage and
order, their ratio, whether the replies are equal (they must be) and the share of tokens decided
on the likeliest tokens. Each request runs both ways, one right after the other (which goes
first alternates), so the machine's drift falls on both. Run it alone on the machine."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k2batch import recipe  # noqa: E402
from k2batch.backends.llamacpp import LlamaCppBackend, embedded_model_path  # noqa: E402
from k2batch.config import load_config  # noqa: E402


def stage_requests(shared: Path, n: int) -> dict[str, list]:
    cfg = load_config()
    rows = pq.read_table(shared / "gsm8k_test.parquet").slice(0, n).to_pylist()
    triage, judge = [], []
    for r in rows:
        p = {"id": r["id"], "problem": r["problem"], "answer": r["answer"], "domain": "math"}
        triage.append(recipe.triage_request(p, cfg))
        wrong = r["solution"].rsplit("####", 1)[0] + f"#### {int(float(r['answer'])) + 7}"
        cands = [
            {"sample": s, "answer": a, "response": text, "verdict": "unverified"}
            for s, (a, text) in enumerate([(r["answer"], r["solution"]), ("wrong", wrong)])
        ]
        judge.append(recipe.judge_comparisons(p, cands, cfg)[0].request)
    sampled = [dataclasses.replace(r, temperature=0.7) for r in judge]  # a judge that samples says more
    return {"triage": triage, "judge": judge, "judge 0.7": sampled}


def measure(engine: LlamaCppBackend, reqs: list) -> dict[bool, tuple[float, int, list[str]]]:
    """Each request in both orders, one after the other (which goes first alternates), so the
    machine's drift falls on both alike. -> by order: seconds, completion tokens, replies."""
    out = {False: [0.0, 0, []], True: [0.0, 0, []]}
    fast = full = 0
    for n, req in enumerate(reqs):
        for likeliest_first in (n % 2 == 0, n % 2 == 1):
            engine._llm.likeliest_first = likeliest_first
            t0 = time.perf_counter()
            reply = engine.generate([req])[0]
            acc = out[likeliest_first]
            acc[0] += time.perf_counter() - t0
            acc[1] += reply.completion_tokens
            acc[2].append(reply.text)
            if likeliest_first:
                fast, full = fast + engine._llm.last_grammar.fast, full + engine._llm.last_grammar.full
    out["share"] = fast / max(1, fast + full)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1, help="llama.cpp threads (the recipe's engines run 1)")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args()
    by_stage = stage_requests(args.shared, args.problems)
    engine = LlamaCppBackend(embedded_model_path(), n_ctx=4096, n_threads=args.threads)
    engine.generate(by_stage["triage"][:1])  # warm-up
    print(f"{'stage':<9} {'calls':>5} {'tokens':>6} {'library s':>10} {'first s':>8} {'library tok/s':>14} "
          f"{'first tok/s':>12} {'speed-up':>9} {'same replies':>13} {'on likeliest':>13}")  # fmt: skip
    for stage, reqs in by_stage.items():
        m = measure(engine, reqs)
        (lib_s, tokens, lib_text), (first_s, _, first_text) = m[False], m[True]
        print(f"{stage:<9} {len(reqs):>5} {tokens:>6} {lib_s:>10.1f} {first_s:>8.1f} {tokens / lib_s:>14.1f} "
              f"{tokens / first_s:>12.1f} {lib_s / first_s:>9.2f} {lib_text == first_text!s:>13} "
              f"{m['share']:>13.2f}")  # fmt: skip
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

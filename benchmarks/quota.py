"""Quota use against a rate-limited, faulty server: achieved tokens per window / allowed (as the
server counts them: prompt + reserved max_completion_tokens), 429s, failed rows.

    python benchmarks/quota.py [--requests 400] [--window 10] [--tpm 20000] [--faults 0.2]

Runs the OpenAI-compatible backend twice in one go: told the quota (paces itself) and not told
(learns it from 429 + Retry-After and x-ratelimit-* headers). Goals: use >= 0.95, failed rows 0."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k2batch.backends.base import ChatRequest  # noqa: E402
from k2batch.backends.openai import OpenAIBackend  # noqa: E402
from k2batch.config import load_config  # noqa: E402
from k2batch.testing.quota_server import QuotaServer  # noqa: E402


def requests(n: int) -> list[ChatRequest]:
    return [ChatRequest(messages=(("user", f"Problem {i}: what is {i} + {i}? " * 3),), max_tokens=200, seed=i)
            for i in range(n)]  # fmt: skip


def run(args, told: bool) -> dict:
    with QuotaServer(tpm=args.tpm, window_s=args.window, fault_rate=args.faults, hang_s=2.0, seed=1) as srv:
        sets = [f"backend.base_url={srv.url}/v1", "backend.model=m", "backend.kind=openai",
                f"backend.quota_window_s={args.window}", "backend.timeout_s=1.5", "backend.max_retries=12",
                "backend.max_concurrency=32"]  # fmt: skip
        if told:
            sets.append(f"backend.tpm={args.tpm}")
        backend = OpenAIBackend(load_config(sets=sets).backend)
        t0 = time.monotonic()
        results = backend.generate(requests(args.requests))
        elapsed = time.monotonic() - t0
        backend.close()
        return {
            "told": told,
            "use": srv.utilisation(),
            "429": srv.counts["429"],
            "faults": sum(v for k, v in srv.counts.items() if k.startswith("fault")),
            "failed": sum(1 for r in results if r.error),
            "duplicates": sum(v - 1 for v in srv.seeds.values()),
            "elapsed": elapsed,
        }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--window", type=float, default=10.0, help="quota window in seconds (a minute, shrunk)")
    ap.add_argument("--tpm", type=float, default=20000, help="tokens per window")
    ap.add_argument("--faults", type=float, default=0.2)
    args = ap.parse_args()
    os.environ["K2BATCH_STATE_DIR"] = tempfile.mkdtemp(prefix="k2batch-state-")  # both runs start cold
    rows = [run(args, told=True), run(args, told=False)]
    print(f"{'quota known':>12} {'tokens used/allowed':>20} {'429s':>6} {'faults':>7} {'failed rows':>12} "
          f"{'sent twice':>11} {'seconds':>8}")  # fmt: skip
    for r in rows:
        use = "n/a" if r["use"] is None else f"{r['use']:.3f}"
        print(f"{r['told']!s:>12} {use:>20} {r['429']:>6} {r['faults']:>7} {r['failed']:>12} "
              f"{r['duplicates']:>11} {r['elapsed']:>8.1f}")  # fmt: skip
    ok = all((r["use"] or 0) >= 0.95 and r["failed"] == 0 for r in rows)
    print(f"goals (use >= 0.95, failed rows 0): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

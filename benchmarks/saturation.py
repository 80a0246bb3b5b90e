"""Saturation: how much of a server's fixed concurrency k2batch keeps busy. A local
OpenAI-compatible server (k2batch/testing/quota_server.py, in its own process like a real engine)
serves `capacity` requests at once, each for 0.1-0.5 s (an engine's max_num_seqs and uneven
reply lengths); the rest queue. The whole recipe runs through `k2batch solve` on GSM8K
problems from ../shared/data.

    python benchmarks/saturation.py [--problems 100] [--capacity 16]

Busy share = slot-seconds serving / (capacity x the time from the first request served to the
last), measured on the server, for each batch-size setting side by side. Goal: >= 0.95."""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k2batch.config import load_config  # noqa: E402
from k2batch.job import run_solve  # noqa: E402
from k2batch.testing.quota_server import QuotaServer  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def service_s(body: dict) -> float:
    """0.1-0.5 s, fixed per request (its seed and prompt), so runs compare like for like."""
    h = hashlib.blake2b(f"{body.get('seed')}{body['messages']}".encode(), digest_size=2).digest()
    return 0.1 + 0.4 * int.from_bytes(h) / 65535


def _server(conn, capacity: int) -> None:
    with QuotaServer(capacity=capacity, service_s=service_s) as srv:
        conn.send(srv.url)
        conn.recv()  # the job is done
        conn.send((srv.served, srv.busy_share()))


def run(src: str, args, name: str, sets: list[str], tmp: Path) -> dict:
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=_server, args=(child, args.capacity))
    server.start()
    url = parent.recv()
    sets = ["backend.kind=openai", "backend.model=m", f"backend.base_url={url}/v1", f"limit={args.problems}",
            *sets]  # fmt: skip
    t0 = time.perf_counter()
    manifest = run_solve(src, str(tmp / name), load_config(sets=sets))
    elapsed = time.perf_counter() - t0
    parent.send("done")
    served, busy = parent.recv()
    server.join()
    return {"name": name, "calls": manifest["calls"]["made"], "job_s": elapsed, "busy": busy}


def main() -> int:
    import os

    os.environ.setdefault("OPENAI_API_KEY", "local")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=100)
    ap.add_argument("--capacity", type=int, default=16)
    args = ap.parse_args()
    c = args.capacity
    variants = {  # name -> job settings
        f"1 thread, {c} in flight": ["runner.mode=in_memory", f"backend.max_concurrency={c}"],
        f"1 thread, {2 * c} in flight": ["runner.mode=in_memory", f"backend.max_concurrency={2 * c}"],
        f"auto (4 threads), {c} in flight": [f"backend.max_concurrency={c}"],
        f"auto (4 threads), {2 * c} in flight": [f"backend.max_concurrency={2 * c}"],
    }
    src = str(SHARED / "gsm8k_test.parquet")
    with tempfile.TemporaryDirectory() as tmp:
        rows = [run(src, args, f"v{i}", sets, Path(tmp)) | {"name": name}
                for i, (name, sets) in enumerate(variants.items())]  # fmt: skip
    print(f"server capacity {c} requests at once, 0.1-0.5 s each; {args.problems} GSM8K problems")
    print(f"{'runner, client':<34} {'calls':>6} {'job s':>7} {'busy share':>11}")
    for r in rows:
        print(f"{r['name']:<34} {r['calls']:>6} {r['job_s']:>7.1f} {r['busy']:>11.3f}")
    return 0 if max(r["busy"] for r in rows) >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Scale: 1k, 10k and 100k problems through the whole pipeline (validate, triage, plan, 3
samples, verify, judge, write) with the synthetic instant backend (k2batch/testing/instant.py), so
what is measured is the pipeline alone. Each size runs in a fresh process, for its own peak RSS,
then again as a resumed run (manifest removed: every call is reused from the result store).

    python benchmarks/scale.py [--sizes 1000,10000,100000]

Prints seconds, milliseconds per problem, that per-problem time relative to the smallest size,
and peak RSS. Goals: time per problem flat (ratio near 1), peak RSS under 2 GB."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_problems(path: Path, n: int) -> None:
    """`n` sums; the instant backend answers the number after `answer` (or one more)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(
        pa.table({
            "id": [f"p{i}" for i in range(n)],
            "problem": [f"What is {i} + {i + 1}? (answer {2 * i + 1})" for i in range(n)],
            "answer": [str(2 * i + 1) for i in range(n)],
        }),
        path,
        row_group_size=10_000,
    )  # fmt: skip


def one(n: int, workdir: Path, resume: bool) -> dict:
    """Run one size in this process; returns what the parent prints."""
    from k2batch.config import load_config
    from k2batch.job import run_solve
    from k2batch.testing import instant

    instant.register()
    src, out = workdir / f"problems-{n}.parquet", workdir / f"out-{n}"
    if resume:
        (out / "manifest.json").unlink()  # as if the run had died just before committing
    else:
        write_problems(src, n)
    cfg = load_config(sets=["backend.kind=instant"])
    t0 = time.perf_counter()
    manifest = run_solve(str(src), str(out), cfg)
    elapsed = time.perf_counter() - t0
    counts = manifest["counts"]
    assert counts["solutions"] == n and counts["rejects"] == 0, counts
    assert not resume or manifest["calls"]["made"] == 0, manifest["calls"]
    return {
        "run": "resumed" if resume else "fresh",
        "n": n,
        "seconds": elapsed,
        "calls": manifest["calls"]["made"] + manifest["calls"]["reused"],
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: run one size here
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    ap.add_argument("--resume", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, Path(args.dir), args.resume)))
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            for resume in ([], ["--resume"]):
                cmd = [sys.executable, "-m", "benchmarks.scale", "--one", str(n), "--dir", tmp, *resume]
                out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
                rows.append(json.loads(out.strip().splitlines()[-1]))
                print(f"  {n} {rows[-1]['run']} in {rows[-1]['seconds']:.0f} s", file=sys.stderr)
    base = rows[0]["seconds"] / rows[0]["n"]
    head = (("problems", 9), ("run", 8), ("calls", 8), ("seconds", 8), ("ms/problem", 11), ("vs first", 9),
            ("peak RSS MB", 12))  # fmt: skip
    print(" ".join(f"{name:>{width}}" for name, width in head))
    for r in rows:
        per = r["seconds"] / r["n"]
        print(f"{r['n']:>9} {r['run']:>8} {r['calls']:>8} {r['seconds']:>8.1f} {per * 1000:>11.2f} "
              f"{per / base:>9.2f} {r['rss_mb']:>12.0f}")  # fmt: skip
    flat = all(r["seconds"] / r["n"] <= 1.5 * base for r in rows)
    small = all(r["rss_mb"] < 2048 for r in rows)
    print(f"time per problem flat (within 1.5x of the first): {flat}; peak RSS under 2 GB: {small}")
    return 0 if flat and small else 1


if __name__ == "__main__":
    sys.exit(main())

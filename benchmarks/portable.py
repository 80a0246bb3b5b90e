"""Portable runners vs the local one: the same calls (same seeds, same embedded model) on the
FnApiRunner (in-memory, the default, and with 2 worker processes), on Beam's Python job
service and on Prism, both with SDK workers from `k2batch worker-pool`, and on the local
Flink cluster (infra/flink/cluster.sh, 2 TaskManagers) where Beam's Flink job-server jar can be had.

    python benchmarks/portable.py [--problems 8]

Throughput: model calls per second over the whole job, and its ratio to the in-memory
FnApiRunner's. Fixed overhead: the same job again under another job id with every call stored
(the runner's own work, verification and writing), and a cold 1-problem job (start-up and
model load), side by side in one run."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k2batch.config import ConfigError, load_config  # noqa: E402
from k2batch.job import preflight, run_solve  # noqa: E402
from tests.portable import FAST, portable_sets, view, worker_pool  # noqa: E402

SAMPLE = ROOT / "data" / "sample_problems.parquet"


def timed(out: Path, sets: list[str], limit: int) -> tuple[float, dict]:
    t0 = time.perf_counter()
    manifest = run_solve(str(SAMPLE), str(out), load_config(sets=[*FAST, *sets, f"limit={limit}"]))
    return time.perf_counter() - t0, manifest


def flink_sets(port: int, tmp: Path) -> list[str] | None:
    """flink-local's options on a cluster brought up here, or None (why is printed)."""
    cfg = load_config(ROOT / "infra" / "runners" / "flink-local.toml")
    options = [o.replace("50077", str(port)) for o in cfg.runner.options]
    sets = ["runner.name=FlinkRunner", "runner.options=[" + ", ".join(f'"{o}"' for o in options) + "]"]
    try:
        preflight(str(SAMPLE), str(tmp / "probe"), load_config(sets=sets))
    except ConfigError as exc:
        print(f"flink: not run: {exc}")
        return None
    return sets


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--problems", type=int, default=8)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as d, worker_pool(Path(d)) as (port, _):
        tmp = Path(d)
        runners = {
            "FnApiRunner, in-memory": [],  # the local default: one engine
            "FnApiRunner, 2 workers": ["runner.workers=2"],
            "Python job service + pool": portable_sets("PortableRunner", port),
            "Prism + pool": portable_sets("PrismRunner", port),
        }
        fl = flink_sets(port, tmp)
        if fl:
            subprocess.run([ROOT / "infra" / "flink" / "cluster.sh", "up"], check=True)
            runners["Flink, 2 TaskManagers"] = fl
        try:
            for name, sets in runners.items():
                out = tmp / name.replace(" ", "_")
                job_s, m = timed(out, sets, args.problems)
                warm_s, _ = timed(tmp / f"{out.name}-overhead", sets, 1)  # cold store: model load + 1 problem
                again_s, _ = timed(out, [*sets, "job_id=again"], args.problems)  # every call stored
                rows.append((name, m["calls"]["made"], job_s, again_s, warm_s, view(out)))
        finally:
            if fl:
                subprocess.run([ROOT / "infra" / "flink" / "cluster.sh", "down"])
    base = rows[0]
    print(f"\n{args.problems} problems, {base[1]} model calls each run (SmolLM2-135M, 2 cores)")
    print(f"{'runner':28} {'job s':>7} {'calls/s':>8} {'ratio':>6} {'all stored s':>13} "
          f"{'1-problem s':>12}  same outputs")  # fmt: skip
    for name, calls, job_s, again_s, one_s, v in rows:
        print(f"{name:28} {job_s:7.1f} {calls / job_s:8.2f} {base[2] / job_s:6.2f} {again_s:13.1f} "
              f"{one_s:12.1f}  {v == base[5]}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

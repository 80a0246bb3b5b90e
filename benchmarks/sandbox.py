"""The sandbox, measured in one run: the hostile suite (forged verdicts and escapes, goal 0), the
public sets' reference solutions (goal: all still verify), and the cost of one sandboxed program
next to the sandbox k2batch had before (hand-written `unshare` flags, read from git at 817bad3).

    python benchmarks/sandbox.py [--shared ../shared/data] [--runs 40]"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.hostile import CASES, run_suite  # noqa: E402
from benchmarks.verifier import code_tasks  # noqa: E402
from k2batch.verify import sandbox  # noqa: E402
from k2batch.verify.pool import VerifierPool  # noqa: E402

BEFORE = "817bad3"  # the last commit with the unshare sandbox


def _old_sandbox():
    """k2batch's earlier sandbox module, from git (None outside a checkout that has it)."""
    src = subprocess.run(["git", "-C", str(ROOT), "show", f"{BEFORE}:k2batch/verify/sandbox.py"],
                         capture_output=True, text=True)  # fmt: skip
    if src.returncode:
        return None
    path = Path(tempfile.mkdtemp()) / "old_sandbox.py"
    path.write_text(src.stdout)
    spec = importlib.util.spec_from_file_location("old_sandbox", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_sandbox"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _per_run_ms(run_python, runs: int) -> float:
    run_python("print(1)")  # warm: probes, caches
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        assert run_python("print(1)").stdout == "1\n"
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--runs", type=int, default=40)
    args = ap.parse_args()
    m = sandbox.mechanisms()
    print(f"sandbox: {'bwrap ' + m.bwrap if m.bwrap else 'none'}, python {m.python}, "
          f"{'cgroups (memory + pids)' if m.cgroups else 'rlimit budget'}, problem: {m.problem}")  # fmt: skip

    rows = run_suite()
    by_kind = defaultdict(list)
    for r in rows:
        by_kind[r["kind"]].append(r)
    head = ("runs", 5), ("contained", 10), ("forged", 7), ("incorrect", 10), ("error", 6)
    print(f"\n{'hostile suite':<14} " + " ".join(f"{h:>{w}}" for h, w in head))
    for kind, rs in [*sorted(by_kind.items()), ("all", rows)]:
        count = {s: sum(r["status"] == s for r in rs) for s in ("correct", "incorrect", "error")}
        print(f"{kind:<14} {len(rs):>5} {sum(r['contained'] for r in rs):>10} {count['correct']:>7} "
              f"{count['incorrect']:>10} {count['error']:>6}")  # fmt: skip
    print(f"({len(CASES)} cases; mean {statistics.fmean(r['seconds'] for r in rows):.2f} s per run)")

    print(f"\n{'reference solutions':<22} {'verified':>10} {'per s':>8}")
    passing = True
    pool = VerifierPool(2, timeout_s=20)
    try:
        for name, file, prompt in (("HumanEval", "humaneval.parquet", True),
                                   ("LeetCode (rLLM)", "leetcode_rllm.parquet", False)):  # fmt: skip
            if not (args.shared / file).exists():
                print(f"{name:<22} {'(set not found)':>10}")
                continue
            tasks = code_tasks(args.shared / file, prompt)
            t0 = time.perf_counter()
            ok = sum(s == "correct" for s, _ in pool.check_all(tasks))
            rate = len(tasks) / (time.perf_counter() - t0)
            passing &= ok == len(tasks)
            print(f"{name:<22} {ok:>4}/{len(tasks):<5} {rate:>8.1f}")
    finally:
        pool.close()

    print(f"\n{'one sandboxed program':<28} {'median ms':>10}")
    new = _per_run_ms(sandbox.run_python, args.runs)
    print(f"{'now (bwrap)':<28} {new:>10.1f}")
    old = _old_sandbox()
    if old is not None:
        before = _per_run_ms(old.run_python, args.runs)
        print(f"{f'before ({BEFORE}, unshare)':<28} {before:>10.1f}   ratio now/before {new / before:.2f}")
    forged = sum(r["status"] == "correct" for r in rows)
    escaped = sum(not r["contained"] for r in rows)
    print(f"\ngoals: forged 0 ({forged}), escaped 0 ({escaped}), every reference verifies ({passing})")
    return 0 if not forged and not escaped and passing else 1


if __name__ == "__main__":
    sys.exit(main())

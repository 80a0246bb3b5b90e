"""Crash and resume: `kill -9` a solve job at several moments (shares of its calls finished, not
of its time: a loaded machine moves the time, and a job that ended before its kill proved nothing),
rerun it, and check that nothing is lost or duplicated, that the outputs equal a clean run's, and
that the calls finished before the kill are reused.

    python benchmarks/crash_resume.py [--problems 12] [--moments 0.4 0.6 0.8] [--s3]

A call counts as finished when the backend returned it (the store logs it at DEBUG before
persisting it); reused calls are the rerun's token_stats rows with cache_hit. The store promises
to persist a finished call within `resume.flush_s` (0.2 s), so the reuse rate counts the calls
that finished at least GRACE_S before the kill; those finished later are shown apart (a crash
may lose them, by design)."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq

from k2batch.testing import moto_s3

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample_problems.parquet"
FAST = [
    "stages.triage.max_tokens=24",
    "stages.plan.max_tokens=32",
    "stages.generate.max_tokens=48",
    "stages.judge.max_tokens=24",
    "backend.n_ctx=1024",
    "samples=2",
]
FINISHED = re.compile(r"call finished ([0-9a-f]+)")
GRACE_S = 1.0  # flush_s, the flush timer's period and the part's write, with room for a loaded machine


def solve_cmd(inp: str, out: str, problems: int) -> list[str]:
    sets = [x for s in FAST for x in ("--set", s)]
    return [sys.executable, "-m", "k2batch.cli", "--log-level", "DEBUG", "solve", inp,
            "--out", out, "--limit", str(problems), "--no-prefect", *sets]  # fmt: skip


def run(
    inp: str, out: str, problems: int, kill_after: int | None = None
) -> tuple[dict[str, float], float | None]:
    """Run a solve; with kill_after, SIGKILL it (and its verifier processes) as its kill_after-th
    call finishes. Returns (calls finished: key -> seconds from the start when its line was read,
    seconds from the start to the kill, or None where it was not killed: it ended first)."""
    t0 = time.monotonic()
    proc = subprocess.Popen(
        solve_cmd(inp, out, problems), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, start_new_session=True, cwd=ROOT,
    )  # fmt: skip
    finished: dict[str, float] = {}
    tail: list[str] = []
    due = threading.Event()

    def read() -> None:
        for line in proc.stderr:
            m = FINISHED.search(line)
            if m:
                finished.setdefault(m.group(1), time.monotonic() - t0)
                if kill_after and len(finished) >= kill_after:
                    due.set()
            else:
                tail[:] = (tail + [line])[-30:]

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    killed_at = None
    while proc.poll() is None and not due.wait(0.05):
        pass
    if proc.poll() is None:
        killed_at = time.monotonic() - t0
        os.killpg(proc.pid, signal.SIGKILL)  # no cleanup, no flush: a real crash
        proc.wait()
    reader.join(timeout=10)
    if kill_after is None and proc.returncode != 0:
        raise RuntimeError(f"solve failed ({proc.returncode}):\n{''.join(tail)}")
    return finished, killed_at


def read_out(out: str) -> dict:
    """What a comparison needs from an output: ids, per-problem outcome, reused call keys."""

    def table(name: str) -> list[dict]:
        import fsspec

        fs, path = fsspec.core.url_to_fs(f"{out.rstrip('/')}/{name}")
        return pq.read_table(path, filesystem=fs).to_pylist()

    sols, rejects, stats = table("solutions"), table("rejects"), table("token_stats")
    view = {
        s["id"]: (
            s["chosen_sample"],
            s["chosen_answer"],
            s["status"],
            [(c["response"], c["verdict"]) for c in s["candidates"]],
        )
        for s in sols
    }
    return {
        "ids": [s["id"] for s in sols] + [r["id"] for r in rejects],
        "view": view,
        "rejects": sorted((r["row_index"], r["reason"]) for r in rejects),
        "reused": {s["call_key"] for s in stats if s["cache_hit"]},
    }


def crash_and_resume(inp: str, base: str, problems: int, moments: list[float]) -> list[dict]:
    """A clean run, then per moment (a share of the clean run's calls) a run killed as that many
    calls have finished, and rerun to the end. One result dict per moment."""
    calls, _ = run(inp, f"{base}/clean", problems)
    clean = read_out(f"{base}/clean")
    results = []
    for m in moments:
        out = f"{base}/killed-{int(m * 100)}"
        finished, killed_at = run(inp, out, problems, kill_after=max(1, round(m * len(calls))))
        run(inp, out, problems)
        again = read_out(out)
        kill = killed_at if killed_at is not None else float("inf")
        durable = {k for k, t in finished.items() if t <= kill - GRACE_S}
        reused = len(durable & again["reused"])
        ids = again["ids"]
        results.append(
            {
                "moment": m,
                "killed": killed_at is not None,
                "kill_at_s": None if killed_at is None else round(killed_at, 1),
                "finished_before_kill": len(durable),
                "just_finished": len(finished) - len(durable),  # within GRACE_S of the kill
                "just_finished_reused": len((finished.keys() - durable) & again["reused"]),
                "reused": reused,
                "reuse_rate": reused / len(durable) if durable else None,
                "each_id_once": len(ids) == len(set(ids)) == problems,
                "equals_clean_run": again["view"] == clean["view"] and again["rejects"] == clean["rejects"],
                "differs": sorted(
                    k
                    for k in clean["view"].keys() | again["view"].keys()
                    if clean["view"].get(k) != again["view"].get(k)
                ),
            }
        )
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=12)
    ap.add_argument("--moments", type=float, nargs="+", default=[0.4, 0.6, 0.8])
    ap.add_argument("--s3", action="store_true", help="input, outputs and result store on moto S3")
    args = ap.parse_args()
    with contextlib.ExitStack() as stack:
        if args.s3:
            import s3fs

            stack.enter_context(moto_s3())
            fs = s3fs.S3FileSystem()
            fs.mkdir("k2batch-bench")
            fs.put(str(SAMPLE), "k2batch-bench/in/problems.parquet")
            inp, base = "s3://k2batch-bench/in/problems.parquet", "s3://k2batch-bench/out"
        else:
            inp, base = str(SAMPLE), stack.enter_context(tempfile.TemporaryDirectory())
        results = crash_and_resume(inp, base, args.problems, args.moments)
    print(f"finished: at least {GRACE_S} s before the kill; 'last': within it, reused of them")
    head = f"{'kill at':>8} {'finished':>9} {'reused':>7} {'reuse rate':>11} {'last':>6} {'ids once':>9}"
    print(f"{head} {'= clean':>8}")
    for r in results:
        rate = "n/a" if r["reuse_rate"] is None else f"{r['reuse_rate']:.1%}"
        print(
            f"{r['kill_at_s']!s:>7}s {r['finished_before_kill']:>9} {r['reused']:>7} {rate:>11} "
            f"{r['just_finished_reused']:>2}/{r['just_finished']:<3} "
            f"{r['each_id_once']!s:>9} {r['equals_clean_run']!s:>8}"
        )
        if r["differs"]:
            print(f"    differs from the clean run: {', '.join(r['differs'])}")
    ok = all(r["killed"] and r["each_id_once"] and r["equals_clean_run"] and (r["reuse_rate"] or 0) >= 0.95
             for r in results)
    print(f"goals (each id once, equal to a clean run, >= 95 % reused): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

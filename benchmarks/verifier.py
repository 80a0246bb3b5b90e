"""Verifier benchmark: do k2batch's verdicts agree with careful graders' conventions?

    python benchmarks/verifier.py [--shared ../shared/data] [--workers 2] [--quick]

Prints, measured in one run:
- math: agreement per kind on the project's own equivalence suite (benchmarks/cases/
  math_equivalence.jsonl, each case labelled with its convention; goal >= 0.97 overall) and on
  held-out sets written separately (math_holdout*.jsonl; `HELD_OUT` says which were tuned on
  since), each beside plain math-verify (`verify(parse(gold), parse(prediction))`) on the same
  cases;
- multiple choice: replies written apart (choice_holdout*.jsonl), beside simple-evals' pattern;
- MATH-500 reference solutions (`solution`) against `answer` (goal >= 99 %);
- code, both directions: the shared sets' reference solutions must pass (goal: all), and
  hand-written wrong ones (off by one, wrong format, timeout, crash, tampering) must fail, per
  kind (benchmarks/code_cases.py). `--quick` skips the timeout variants' long tail;
- with `--published FILE`: rows as their publishers ship them with whole replies, each labelled
  by its benchmark's own grader (sets copying published rows, kept outside the repository).
Verifications per second for each."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k2batch.verify import answer_of  # noqa: E402
from k2batch.verify.pool import VerifierPool  # noqa: E402

CASES = ROOT / "benchmarks" / "cases"
# Sets written apart from the code, each by someone who read public graders and not this one. Once
# a set's misses are fixed it no longer measures what the code was not tuned on; the next set does.
HELD_OUT = {
    "math_holdout.jsonl": "held-out set 1 (0.971 before its misses were fixed, 2026-12-03)",
    "math_holdout2.jsonl": "held-out set 2 (written blind: 0.930 before its misses were fixed, 2026-12-03)",
    "math_holdout3.jsonl": "held-out set 3 (written blind: 0.902 before its misses were fixed, 2026-12-03)",
    "math_holdout4.jsonl": "held-out set 4 (written blind, checked against math-verify: never tuned on)",
    "math_holdout5.jsonl": "held-out set 5 (written blind, hard cases: 0.714 before 3fcd93c, 0.732 before "
    "its misses were fixed, 2026-12-03)",
    "math_holdout6.jsonl": "held-out set 6 (written blind, hard cases, never tuned on: 0.796 before set 5's "
    "fixes)",
    "math_holdout7.jsonl": "held-out set 7 (written blind, hard cases: 0.773 at this session's start, 0.870 "
    "before its 4 regressions were fixed, 0.894 before its other kinds were, 2026-12-04)",
    "math_holdout8.jsonl": "held-out set 8 (written blind, hard cases: 0.907 at a23d211, 0.926 after set 7's "
    "kinds were fixed, before its own were, 2026-12-04)",
    "math_holdout9.jsonl": "held-out set 9 (written blind, hard cases, plain-text answers: 0.829 at a23d211, "
    "0.889 after sets 7 and 8 were fixed, before its own kinds were, 2026-12-04)",
    "math_holdout10.jsonl": "held-out set 10 (written blind, hard cases, half of them reasoning-model "
    "replies with a <think> block: 0.847 at a23d211, 0.935 after sets 7 to 9 were fixed, before its own "
    "kinds were, 2026-12-04)",
    "math_holdout11.jsonl": "held-out set 11 (written blind, hard cases, half of them reasoning-model "
    "replies: 0.977 at c790fc7, before its misses were fixed, 2026-12-04)",
    "math_holdout12.jsonl": "held-out set 12 (written blind, hard cases, several model families' answer "
    "styles: 0.963 at c9bc9ca, before its misses were fixed, 2026-12-04)",
    "math_holdout13.jsonl": "held-out set 13 (written blind, hard cases, answers followed by checks and "
    "glosses, plain-text forms: 0.819 at 369af8c, before its misses were fixed, 2026-12-04)",
    "math_holdout14.jsonl": "held-out set 14 (written blind, the answer formats of evaluation harnesses, "
    "datasets and model families: 0.954 at 0fba414, before its misses were fixed, 2026-12-04)",
    "math_holdout15.jsonl": "held-out set 15 (written blind, algebraic answers in plain text and in JSON, "
    "headings, code blocks and tags: 0.699 at 7732d89, before its misses were fixed, 2026-12-04)",
    "math_holdout16.jsonl": "held-out set 16 (written blind, multilingual replies and locale formats, MGSM "
    "style: 0.903 at 0a5870d, before its misses were fixed, 2026-12-04)",
    "math_holdout17.jsonl": "held-out set 17 (written blind, quantitative science answers: units, scientific "
    "notation, significant figures, SciBench / OlympiadBench / JEEBench styles: 0.713 at a1479b0, before its "
    "misses were fixed, 2026-12-04)",
    "math_holdout18.jsonl": "held-out set 18 (written blind after set 17 was fixed, quantitative answers "
    "across the sciences: non-SI units, scales, symbolic physics, JEEBench precision: 0.852 at ea4155c, "
    "before its misses were fixed, 2026-12-05)",
}


def suite_tasks(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [{"id": r["id"], "kind": r["kind"], "expected": r["expected"], "gold": r["gold"],
             "prediction": r["prediction"], "domain": "math", "reference": r["gold"],
             "answer": answer_of(r["prediction"], "math")[0], "prompt": r.get("problem") or "",
             "policy": r.get("policy")} for r in rows]  # fmt: skip


def plain_math_verify(gold: str, prediction: str | None) -> bool:
    """What most graders run: math-verify's parse of the whole reply and of the reference."""
    from math_verify import parse, verify

    if not prediction:
        return False
    return bool(verify(parse(f"${gold}$", parsing_timeout=None), parse(prediction, parsing_timeout=None),
                       timeout_seconds=None))  # fmt: skip


def agreement(name: str, tasks: list[dict], pool: VerifierPool) -> float:
    t0 = time.perf_counter()
    results = pool.check_all(tasks)
    dt = time.perf_counter() - t0
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    misses = []
    for t, (status, reason) in zip(tasks, results, strict=True):
        want = t["expected"] == "correct"
        ours = (status == "correct") == want
        plain = plain_math_verify(t["gold"], t["prediction"]) == want
        row = per[t["kind"]]
        row[0], row[1], row[2] = row[0] + ours, row[1] + plain, row[2] + 1
        if not ours:
            misses.append(f"    {t['id']}: expected {t['expected']}, got {status}: {reason[:90]}")
    print(f"\n{name}: {len(tasks)} cases, {len(tasks) / dt:.0f} verifications/s")
    print(f"  {'kind':<16} {'k2batch':>9} {'math-verify':>12} {'cases':>6}")
    for kind, (ours, plain, n) in sorted(per.items()):
        print(f"  {kind:<16} {ours / n:>9.3f} {plain / n:>12.3f} {n:>6}")
    ours, plain = sum(v[0] for v in per.values()), sum(v[1] for v in per.values())
    print(f"  {'overall':<16} {ours / len(tasks):>9.3f} {plain / len(tasks):>12.3f} {len(tasks):>6}")
    print("\n".join(misses))
    return ours / len(tasks)


SIMPLE_EVALS = r"(?i)Answer[ \t]*:[ \t]*\$?([A-J])\$?"  # openai/simple-evals' ANSWER_PATTERN_MULTICHOICE


CHOICE_HELD_OUT = {
    "choice_holdout.jsonl": "set 1 (0.890 before the fixes made on it, 2026-12-03)",
    "choice_holdout2.jsonl": "set 2 (written blind: 0.880 before the first fixes, 0.958 before 9469e99)",
    "choice_holdout3.jsonl": "set 3 (written blind, never tuned on: 1.000 before 9469e99 too)",
}


def choices(path: Path, label: str) -> float:
    """Multiple-choice replies (benchmarks/cases/choice_holdout.jsonl, written apart against
    simple-evals', MMLU-Pro's and lm-evaluation-harness' conventions): k2batch's verdict beside
    simple-evals' one pattern on the same replies."""
    import re

    from k2batch.verify import verify_answer

    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    ours = plain = 0
    misses = []
    for r in rows:
        letters = "ABCDEFGHIJ"[: r["n_choices"]]
        listed = dict(re.findall(r"^\s*\(?([A-J])[).:]\s*(.+)$", r["question"], re.M))
        opts = [listed.get(x, f"option {x}") for x in letters]
        v = verify_answer(r["gold"], r["reply"], "choice", choices=opts, prompt=r["question"])
        want = r["expected"] == "correct"
        ours += (v.status == "correct") == want
        found = re.findall(SIMPLE_EVALS, r["reply"])
        plain += (bool(found) and found[0].upper() == r["gold"]) == want
        if (v.status == "correct") != want:
            misses.append(f"    {r['id']}: expected {r['expected']}, got {v.status}: {v.reason[:80]}")
    print(f"\nmultiple choice, held-out replies, {label}: {len(rows)} cases: k2batch {ours / len(rows):.3f}, "
          f"simple-evals' pattern {plain / len(rows):.3f}")
    print("\n".join(misses))
    return ours / len(rows)


def math500_tasks(path: Path) -> list[dict]:
    rows = pq.read_table(path).to_pylist()
    return [{"id": r["id"], "domain": "math", "reference": r["answer"], "prompt": r["problem"],
             "answer": answer_of(r["solution"], "math")[0]} for r in rows]  # fmt: skip


def references(name: str, tasks: list[dict], pool: VerifierPool) -> tuple[int, int]:
    t0 = time.perf_counter()
    results = pool.check_all(tasks)
    dt = time.perf_counter() - t0
    ok = sum(s == "correct" for s, _ in results)
    rate = f"{len(tasks) / dt:7.1f} verifications/s"
    print(f"{name:<34} {ok:>4}/{len(tasks):<4} = {ok / len(tasks):7.2%}   {rate}")
    for t, (s, reason) in zip(tasks, results, strict=True):
        if s != "correct":
            print(f"    {t['id']}: {s}: {reason[:110]}")
    return ok, len(tasks)


def code(shared: Path, pool: VerifierPool, quick: bool) -> tuple[bool, bool]:
    """(every reference solution passes, every wrong solution fails), printed per kind."""
    from benchmarks import code_cases

    tasks = code_cases.cases(shared, **({"slow_per_format": 1} if quick else {}))
    t0 = time.perf_counter()
    results = pool.check_all(tasks)
    dt = time.perf_counter() - t0
    print(f"\ncode verdicts, both directions: {len(tasks)} cases, {len(tasks) / dt:.1f} verifications/s")
    summary = code_cases.summarise(tasks, results)
    for kind, (agree, n) in sorted(summary.items()):
        print(f"  {kind:<40} {agree:>4}/{n:<4} = {agree / n:7.2%}")
    for d in code_cases.disagreements(tasks, results):
        print(f"    {d}")
    refs = [(t, r) for t, r in zip(tasks, results, strict=True) if t["expected"] == "correct"]
    wrong = [(t, r) for t, r in zip(tasks, results, strict=True) if t["expected"] == "incorrect"]
    return all(r[0] == "correct" for _, r in refs), all(r[0] != "correct" for _, r in wrong)


def code_replies(path: Path, shared: Path, pool: VerifierPool) -> float:
    """Whole model replies to code problems in their published layouts (HumanEval rows by task id,
    read from the shared set), as a job verifies them: the row validated, the reply's program
    extracted, its verdict against the benchmark's own harness (benchmarks/cases/code_holdout.jsonl,
    written blind with a reimplementation of each harness as the oracle)."""
    from k2batch.validate import validate_row
    from k2batch.verify import task

    rows = pq.read_table(shared / "humaneval.parquet").to_pylist()
    humaneval = {r["id"]: {"task_id": r["id"], "prompt": r["problem"], "test": r["tests"],
                           "entry_point": r["entry_point"]} for r in rows}  # fmt: skip
    cases = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    tasks = []
    for i, c in enumerate(cases):
        row = humaneval[c["row"]["task_id"]] if c["format"] == "humaneval" else c["row"]
        reply = c["reply"].replace("{HUMANEVAL_PROMPT}", row.get("prompt", "").lstrip("\n"))
        problem, why = validate_row(dict(row), i)
        if problem is None:
            raise SystemExit(f"{c['id']}: the row was rejected: {why}")
        tasks.append(task(problem, answer_of(reply, "code")[0]))
    print("\ncode: whole replies, held-out set 1 (written blind: 0.903; not arguable 0.969, at c91747c)")
    return _tally(cases, pool.check_all(tasks), "format", every_miss=True)


def _tally(cases: list[dict], verdicts: list, group: str, every_miss: bool) -> float:
    """Agreement per `group` (arguable cases apart), the misses (the arguable ones too where
    `every_miss`), and the overall share; returns that share."""
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c, (status, reason) in zip(cases, verdicts, strict=True):
        key = c[group] + (" (arguable)" if c.get("arguable") else "")
        per[key] = [per[key][0] + (status == c["expected"]), per[key][1] + 1]
        if status != c["expected"] and (every_miss or not c.get("arguable")):
            print(f"    {c['id']}: expected {c['expected']}, got {status}: {reason[:90]}")
    for key, (agree, n) in sorted(per.items()):
        print(f"  {key:<32} {agree:>4}/{n:<4}")
    plain = [v for k, v in per.items() if "arguable" not in k]
    agree = sum(v[0] for v in per.values()) / len(cases)
    print(f"  overall {agree:.3f}; not arguable {sum(v[0] for v in plain)}/{sum(v[1] for v in plain)}")
    return agree


def published_rows(path: Path, pool: VerifierPool) -> float:
    """Rows as their publishers ship them (TheoremQA, SciBench, JEEBench, BIG-Bench Hard, GPQA, AIME...)
    with whole replies, each labelled by that benchmark's own grader (`{"benchmark", "row", "reply",
    "expected", "arguable"}` per line): scored as a job verifies them, the row through validation
    (a rejected row counts as a miss). These sets copy published rows, so they are kept outside the
    repository; pass them with `--published`."""
    from k2batch.config import MathPolicy
    from k2batch.validate import validate_row
    from k2batch.verify import task

    cases = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    tasks, rejected = [], {}
    policy = MathPolicy().model_dump()
    for i, c in enumerate(cases):
        problem, why = validate_row(dict(c["row"]), i)
        if problem is None:
            rejected[i] = why
            problem = {"domain": "exact", "answer": None, "problem": ""}
        answer = answer_of(c["reply"], problem["domain"], choices=problem.get("choices"))[0]
        tasks.append(task(problem, answer, policy=policy))
    print(f"\npublished rows with replies, each benchmark's own grader: {path}")
    verdicts = [("reject", rejected[i]) if i in rejected else v for i, v in enumerate(pool.check_all(tasks))]
    return _tally(cases, verdicts, "benchmark", every_miss=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="fewer timeout variants (each costs seconds)")
    ap.add_argument("--published", type=Path, action="append", default=[],
                    help="a held-out set of published rows with replies (outside the repo); repeatable")
    args = ap.parse_args()
    pool = VerifierPool(args.workers, timeout_s=20)
    try:
        pool.check_all([{"domain": "math", "reference": "1", "answer": "1"}] * args.workers)  # warm
        own = agreement("math: own equivalence suite", suite_tasks(CASES / "math_equivalence.jsonl"), pool)
        for name, label in HELD_OUT.items():
            if (CASES / name).exists():
                agreement(f"math: {label}", suite_tasks(CASES / name), pool)
        for name, label in CHOICE_HELD_OUT.items():
            if (CASES / name).exists():
                choices(CASES / name, label)
        print()
        math500 = math500_tasks(args.shared / "math500.parquet")
        m_ok, m_n = references("MATH-500 solution vs answer", math500, pool)
        refs_pass, wrong_fail = code(args.shared, pool, args.quick)
        if (CASES / "code_holdout.jsonl").exists():
            code_replies(CASES / "code_holdout.jsonl", args.shared, pool)
        for path in args.published:
            published_rows(path, pool)
    finally:
        pool.close()
    goals = own >= 0.97 and m_ok / m_n >= 0.99 and refs_pass and wrong_fail
    print(f"\ngoals (own suite >= 0.97, MATH-500 >= 99 %, every code reference passes, every wrong "
          f"solution fails): {'met' if goals else 'NOT met'}")  # fmt: skip
    return 0 if goals else 1


if __name__ == "__main__":
    sys.exit(main())

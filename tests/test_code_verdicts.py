"""Code verdicts agree in both directions (benchmarks/code_cases.py): reference solutions of every
test format are accepted, and wrong ones — off by one, another type, crashes, exits 0, timeouts,
tampering — are rejected. A deterministic subset: 5 references per shared set, every hand-written
reference, and the first case of each (format, wrong kind); the full set runs in
`python -m benchmarks.code_cases`."""

import pytest

from benchmarks.code_cases import build, summarise
from k2batch.verify.pool import VerifierPool
from tests.conftest import SHARED_DATA

# By design not `expected`: an object that is not plain data cannot cross the bridge (`error`).
EQUALS_ANYTHING = "tamper: equals-anything object"
SHADOWS_BUILTINS = "tamper: shadows builtins"


def _subset(cases: list[dict]) -> list[dict]:
    refs: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    out = []
    for c in cases:
        if c["expected"] == "correct" and c["kind"].endswith("reference"):
            refs[c["format"]] = refs.get(c["format"], 0) + 1
            if refs[c["format"]] <= 5:
                out.append(c)
        elif (c["format"], c["kind"]) not in seen:
            seen.add((c["format"], c["kind"]))
            out.append({**c, "timeout_s": 1.0} if "timeout_s" in c else c)
    return out


@pytest.fixture(scope="module")
def verdicts():
    if not (SHARED_DATA / "humaneval.parquet").exists():
        pytest.skip(f"shared benchmark sets not found at {SHARED_DATA}")
    cases = _subset(build(SHARED_DATA, per_format=1, slow_per_format=1).cases)
    pool = VerifierPool(2, timeout_s=20)
    try:
        results = pool.check_all(cases)
    finally:
        pool.close()
    return cases, results


def test_every_format_and_kind_is_covered(verdicts):
    cases, _ = verdicts
    formats = {c["format"] for c in cases}
    assert {"humaneval", "leetcode", "mbpp", "lcb-functional", "apps-call"} <= formats
    assert {"stdin (lcb)", "stdin (apps)", "stdin (stdio)"} <= formats
    kinds = {c["kind"] for c in cases}
    for kind in ("off-by-one", "wrong format", "timeout: infinite loop", "crash: syntax error",
                 "exit: sys.exit(0) at import", "exit: os._exit(0) at import", "tamper: prints passed",
                 "tamper: patches builtins", SHADOWS_BUILTINS, "stdin trailing whitespace",
                 "stdin missing last line"):  # fmt: skip
        assert kind in kinds
    assert sum(c["expected"] == "correct" for c in cases) >= 30
    assert sum(c["expected"] == "incorrect" for c in cases) >= 60


def test_verdicts_agree_with_expected(verdicts):
    cases, results = verdicts
    wrong = [(c["id"], c["expected"], s, r[:120]) for c, (s, r) in zip(cases, results, strict=True)
             if s != c["expected"] and not _known_gap(c)]  # fmt: skip
    assert not wrong, wrong
    summary = summarise(cases, results)
    assert summary["humaneval reference"] == (5, 5) and summary["leetcode reference"] == (5, 5)


def test_an_object_equal_to_anything_is_never_accepted(verdicts):
    cases, results = verdicts
    seen = [(c, s, r) for c, (s, r) in zip(cases, results, strict=True) if c["kind"] == EQUALS_ANYTHING]
    assert len(seen) >= 5
    for c, status, reason in seen:
        # through the bridge (check, assert scripts) it cannot cross: undecidable, an `error`;
        # call tests compare its repr, which equals nothing
        bridged = c["format"] in ("humaneval", "leetcode", "mbpp")
        assert status == ("error" if bridged else "incorrect"), (c["id"], status, reason)


def test_the_tests_use_the_real_builtins_not_the_candidates(verdicts):
    """`def abs(x): return 0` or `def range(*a): return []` next to a stub forges a plain harness
    (loops over range() run nothing, tolerance checks pass); check tests and assert scripts must
    still reject it."""
    cases, results = verdicts
    seen = [(c["format"], s) for c, (s, _) in zip(cases, results, strict=True) if c["kind"] == SHADOWS_BUILTINS]
    assert {"humaneval", "mbpp"} <= {f for f, _ in seen} and all(s == "incorrect" for _, s in seen), seen


def _known_gap(case: dict) -> bool:
    return case["kind"] == EQUALS_ANYTHING

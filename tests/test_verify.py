import json

import pyarrow.parquet as pq
import pytest

from k2batch.verify import verify_answer
from k2batch.verify.code import parse_tests, verify_code
from k2batch.verify.pool import VerifierPool
from k2batch.verify.sandbox import run_python


@pytest.mark.parametrize(
    "ref,resp",
    [
        ("\\frac{1}{2}", "<think>...</think> so \\boxed{0.5}"),
        ("\\frac{3}{4}", "\\boxed{\\dfrac{3}{4}}"),
        ("1000", "The final answer is 1,000."),
        ("\\left( 3, \\frac{\\pi}{2} \\right)", "\\boxed{(3, \\pi/2)}"),
        ("\\{-7, 7\\}", "\\boxed{\\{7, -7\\}}"),
        ("x^2+2x+1", "\\boxed{(x+1)^2}"),
        ("6", "6"),
    ],
)
def test_math_equivalent_forms(ref, resp):
    v = verify_answer(ref, resp, "math")
    assert v.correct, v.reason


@pytest.mark.parametrize(
    "ref,resp",
    [
        ("\\frac{1}{2}", "\\boxed{0.51}"),
        ("6", "\\boxed{-6}"),
        ("\\{-7, 7\\}", "\\boxed{7}"),
        ("42", "<think>it is 42 but I ran out of"),  # truncated: no answer part
        ("42", "I cannot solve this."),
    ],
)
def test_math_near_misses_and_malformed(ref, resp):
    v = verify_answer(ref, resp, "math")
    assert not v.correct and v.status in ("incorrect", "error"), v


@pytest.mark.parametrize(
    "ref,resp",
    [
        ("12", "\\boxed{12 dollars}"),
        ("3", "The final answer is three."),
        ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\boxed{\\begin{pmatrix}1\\\\2\\end{pmatrix}}"),
        ("[2, 5)", "\\boxed{x \\in [2,5)}"),
        ("2, 3", "\\boxed{x = 2 \\text{ or } x = 3}"),
        ("\\$1,000", "\\boxed{1000}"),
        ("50\\%", "\\boxed{50}"),
        ("7", "First \\boxed{5}, no wait: \\boxed{7}"),  # several boxes: the last counts
    ],
)
def test_math_cascade_and_forms_math_verify_alone_misses(ref, resp):
    v = verify_answer(ref, resp, "math")
    assert v.correct, v.reason


def test_several_boxes_take_the_last_not_any():
    assert not verify_answer("5", "\\boxed{5} or maybe \\boxed{7}", "math").correct


def test_no_reference_is_unverified_not_failed():
    v = verify_answer(None, "\\boxed{3}", "math")
    assert v.status == "unverified" and not v.correct


def test_choice_by_letter_or_option_text():
    assert verify_answer("B", "so \\boxed{B}", "choice", choices=["x", "y"]).correct
    assert verify_answer("y", "The answer is (B)", "choice", choices=["x", "y"]).correct
    assert not verify_answer("A", "\\boxed{B}", "choice", choices=["x", "y"]).correct


def test_code_reference_passes_and_wrong_code_fails():
    tests = {
        "type": "check",
        "entry_point": "add",
        "check": "def check(candidate):\n    assert candidate(1, 2) == 3\n",
    }
    good = "```python\ndef add(a, b):\n    return a + b\n```"
    bad = "```python\ndef add(a, b):\n    return a - b\n```"
    assert verify_answer(None, good, "code", tests=tests).correct
    v = verify_answer(None, bad, "code", tests=tests)
    assert v.status == "incorrect" and "AssertionError" in v.reason


def test_code_stdio_cases():
    tests = {"type": "stdio", "cases": [{"input": "3 4\n", "output": "12"}]}
    code = "a, b = map(int, input().split())\nprint(a * b)\n"
    assert verify_code(code, tests) == ("correct", "1 cases passed")
    assert verify_code("print(0)", tests)[0] == "incorrect"


def test_tests_shapes_of_shared_sets_are_read():
    he = parse_tests('{"type": "humaneval_check", "test": "def check(c): pass"}', "f")
    # HumanEval's harness runs the program bare; rLLM's (as LiveCodeBench's) after its imports
    assert he == {"type": "check", "check": "def check(c): pass", "entry_point": "f", "prelude": False}
    lc = parse_tests('{"functional": "check(Solution().f)"}')
    assert lc == {"type": "script", "code": "check(Solution().f)"}
    with pytest.raises(ValueError):
        parse_tests('{"type": "nope"}')
    with pytest.raises(ValueError, match="at least one case"):  # no cases would pass any program
        parse_tests({"type": "stdio", "cases": []})


def test_sandbox_contains_infinite_loop_and_scrubs_env(monkeypatch):
    monkeypatch.setenv("K2BATCH_TEST_SECRET", "s3cr3t")
    r = run_python("while True: pass", timeout_s=1)
    assert r.timed_out and not r.ok
    r = run_python("import os; print(os.environ.get('K2BATCH_TEST_SECRET'))", timeout_s=5)
    assert r.ok and r.stdout.strip() == "None"


def test_sandbox_caps_output():
    """A correct program may print 20,000 lines (it was cut at 64 KiB); past the cap, no more."""
    from k2batch.verify.sandbox import OUTPUT_CAP

    r = run_python("import sys\nfor _ in range(20):\n    sys.stdout.write('x' * (1 << 20))", timeout_s=10)
    assert len(r.stdout) <= OUTPUT_CAP + 100 and r.stdout.startswith("x" * 1000)
    assert "output truncated" in r.stdout or r.returncode != 0  # cut, or stopped by the file size limit


def test_pool_turns_hangs_into_error_verdicts():
    pool = VerifierPool(workers=1, timeout_s=1)
    try:
        hang = {
            "domain": "code",
            "answer": "import time\ntime.sleep(60)",
            "tests": json.dumps({"type": "script", "code": "pass"}),
            "timeout_s": 30,
        }
        ok = {"domain": "math", "reference": "1/2", "answer": "0.5"}  # symbolic: runs in the pool
        (s1, r1), (s2, _) = pool.check_all([hang, ok])
        assert s1 == "error" and "timeout" in r1
        assert s2 == "correct"  # the pool recovered from the killed worker
    finally:
        pool.close()


def test_pool_turns_crashes_and_bugs_into_error_verdicts():
    from tests import helpers

    for fn, needle in ((helpers.crash, "crashed"), (helpers.raise_error, "verifier bug")):
        pool = VerifierPool(workers=1, timeout_s=5, fn=fn)
        try:
            [(status, reason)] = pool.check_all([{"domain": "math"}])
            assert status == "error" and needle in reason
        finally:
            pool.close()


def test_humaneval_references_pass_in_sandbox(shared_data):
    rows = pq.read_table(shared_data / "humaneval.parquet").slice(0, 8).to_pylist()
    for row in rows:
        status, reason = verify_code(row["answer"], row["tests"], row["problem"], row["entry_point"])
        assert status == "correct", (row["id"], reason)


def test_math500_reference_solutions_verify(shared_data):
    rows = pq.read_table(shared_data / "math500.parquet").slice(0, 40).to_pylist()
    ok = sum(verify_answer(r["answer"], r["solution"], "math").correct for r in rows)
    assert ok >= 38, ok


def test_science_without_options_is_answered_like_math_and_no_output_is_no_answer():
    assert verify_answer("9.8", "<think>g</think>It is \\boxed{9.8}", "science").correct
    assert not verify_answer("9.8", "\\boxed{3}", "science").correct
    assert verify_answer("B", "\\boxed{B}", "science", choices=["x", "y"]).correct  # with options: letters
    assert verify_answer("4", None).status == "incorrect" and verify_answer("4", None).reason == "no answer"

"""Code verification: run generated code against the problem's tests (any accepted format,
normalised by `codetests`) in the sandbox. All tests must pass. For `stdio` and `call` tests the
program sees only the inputs; its outputs are compared here, outside the sandbox."""

from __future__ import annotations

import ast
import json
import math
import re
import uuid
from decimal import Decimal
from typing import Any

from k2batch.verify.bridge import AS_MODULE, run_tests
from k2batch.verify.codetests import normalize_tests
from k2batch.verify.sandbox import SandboxUnavailable, run_python

# What LiveCodeBench's grader puts before every program (LeetCode-style solutions assume these,
# as the judge sites do). `from builtins import *` last: `from math import *` took `pow`, and
# pow(2, n, mod) is common. Integers may print with up to 50,000 digits, recursion go 50,000 deep.
PRELUDE = (
    "from string import *\nfrom re import *\nfrom datetime import *\nfrom collections import *\n"
    "from heapq import *\nfrom bisect import *\nfrom copy import *\nfrom math import *\n"
    "from random import *\nfrom statistics import *\nfrom itertools import *\nfrom functools import *\n"
    "from operator import *\nfrom io import *\nfrom sys import *\nfrom json import *\n"
    "from builtins import *\nfrom typing import *\n"
    "import string, re, datetime, collections, heapq, bisect, copy, math, random, statistics, itertools\n"
    "import functools, operator, io, sys, json\nsys.setrecursionlimit(50000)\n"
    "if hasattr(sys, 'set_int_max_str_digits'):\n    sys.set_int_max_str_digits(50000)\n"
)
# Appended to the candidate for `call` tests: reads the argument lists from stdin, prints each
# result as JSON after a marker (the candidate's own prints are ignored). Values that JSON cannot
# hold are sent as their repr, so an object that claims to equal anything equals nothing.
_CALL_HARNESS = """
def __k2batch_plain(value):
    # a numpy scalar is its number, as LiveCodeBench's == compares it; anything else its repr
    if getattr(value, "shape", None) == () and hasattr(value, "item"):
        return value.item()
    return repr(value)


def __k2batch_run(marker, fn_name, class_name):
    import json, sys
    cases = json.loads(sys.stdin.read())
    scope = globals()
    # as LiveCodeBench decides: by what the answer defines (a LeetCode `class Solution`, or a plain
    # function), not by the starter code
    owner = scope.get(class_name) if class_name else None
    if owner is None and fn_name not in scope and isinstance(scope.get("Solution"), type):
        owner = scope["Solution"]
    target = getattr(owner(), fn_name) if owner is not None else scope[fn_name]
    for args in cases:
        try:
            out = {{"value": json.loads(json.dumps(target(*args), default=__k2batch_plain))}}
        except BaseException as exc:
            out = {{"error": (type(exc).__name__ + ": " + str(exc))[:300]}}
        sys.stdout.write("\\n" + marker + json.dumps(out) + "\\n")
        sys.stdout.flush()


__k2batch_run({marker!r}, {fn!r}, {cls!r})
"""


def parse_tests(tests: Any, entry_point: str | None = None, **context: Any) -> dict:
    """The normalised spec of `tests` (see k2batch.verify.codetests.normalize_tests)."""
    return normalize_tests(tests, entry_point=entry_point, **context)


def _given(prompt: str, entry_point: str, code: str) -> str:
    """What the prompt gives besides the function to write: its imports and the helpers it
    defines (HumanEval/10's `is_palindrome`, /38's `encode_cyclic`) that the answer does not
    define again. Only its imports where the prompt does not parse."""
    try:
        tree = ast.parse(prompt)
    except SyntaxError:
        return "\n".join(ln for ln in prompt.splitlines() if re.match(r"\s*(import|from)\s", ln))
    try:
        own = {n.name for n in ast.parse(code).body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    except SyntaxError:
        own = set()
    defs = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    keep = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)
            or isinstance(n, defs) and n.name not in own | {entry_point}]  # fmt: skip
    return "\n".join(ast.get_source_segment(prompt, n) or "" for n in keep)


def _with_prompt(code: str, prompt: str, entry_point: str | None) -> str:
    """A full definition stands alone, with what the prompt gives besides it; a bare body
    completes the prompt, HumanEval-style."""
    if entry_point and re.search(rf"^\s*def\s+{re.escape(entry_point)}\s*\(", code, flags=re.M):
        return f"{_given(prompt, entry_point, code)}\n{code}"
    return f"{prompt}{code}"


_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")  # 1e-05 is 0.00001, as Decimal compares


def _number(token: str) -> float | None:
    try:
        return float(token)
    except ValueError:
        return None


def same_stdout(got: str, expected: str, any_case: bool = False, exact: bool = False) -> bool:
    """Judge-site comparison: the same whitespace-separated tokens (in any letter case, where the
    tests say so); decimals equal as numbers ("2.0" for "2", as LiveCodeBench's and APPS's graders
    compare); where the expected token is a decimal, a number within 1e-6 (relative or absolute)
    matches it, unless `exact` (LiveCodeBench's own harness allows no tolerance)."""
    a, b = (got.lower(), expected.lower()) if any_case else (got, expected)
    a, b = a.split(), b.split()
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x == y or _DECIMAL.fullmatch(x) and _DECIMAL.fullmatch(y) and Decimal(x) == Decimal(y):
            continue
        fx, fy = _number(x), _number(y)
        real = re.search(r"[.eE]", y) and fx is not None and fy is not None  # not an integer token
        if exact or not real or not math.isclose(fx, fy, rel_tol=1e-6, abs_tol=1e-6):
            return False
    return True


def same_value(got: Any, expected: Any) -> bool:
    """Equality of JSON values; floats within 1e-9 (JSON round trips), bools never equal numbers."""
    if isinstance(got, bool) or isinstance(expected, bool):
        return type(got) is type(expected) and got == expected
    if isinstance(got, int | float) and isinstance(expected, int | float):
        return got == expected or math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(got, list) and isinstance(expected, list):
        return len(got) == len(expected) and all(map(same_value, got, expected))
    if isinstance(got, dict) and isinstance(expected, dict):
        return got.keys() == expected.keys() and all(same_value(got[k], expected[k]) for k in got)
    return got == expected


def _prelude(t: dict) -> str:
    """What runs before the candidate: LiveCodeBench's imports and recursion limit (its harness's,
    and APPS's and rLLM's alike), except where the tests come from a benchmark whose harness runs
    the program bare (HumanEval, MBPP, CodeContests: `math` used unimported is a NameError there),
    MBPP's own setup code and imports aside."""
    return PRELUDE if t.get("prelude", True) else (t.get("setup") or "") + "\n"


def _stdio(code: str, t: dict, timeout_s: float, strict: bool) -> tuple[str, str]:
    for i, case in enumerate(t["cases"]):
        r = run_python(_prelude(t) + code, stdin=case["input"], timeout_s=timeout_s, strict=strict)
        if r.timed_out:
            return "incorrect", f"case {i}: timeout"
        if r.returncode != 0:
            return "incorrect", f"case {i}: exit {r.returncode}: {r.stderr[-300:]}"
        if not same_stdout(r.stdout, case["output"], t.get("any_case", False), t.get("exact", False)):
            return "incorrect", f"case {i}: wrong output"
    return "correct", f"{len(t['cases'])} cases passed"


def _call(code: str, t: dict, timeout_s: float, strict: bool) -> tuple[str, str]:
    marker = f"@@k2batch-{uuid.uuid4().hex}@@"
    harness = _CALL_HARNESS.format(marker=marker, fn=t["fn_name"], cls=t.get("class_name"))
    stdin = json.dumps([c["args"] for c in t["cases"]])
    r = run_python(f"{PRELUDE}{AS_MODULE}{code}\n{harness}", stdin=stdin, timeout_s=timeout_s, strict=strict)
    results = [json.loads(ln[len(marker) :]) for ln in r.stdout.splitlines() if ln.startswith(marker)]
    for i, case in enumerate(t["cases"]):
        if i >= len(results):
            if r.timed_out:
                return "incorrect", f"case {i}: timeout"
            tail = (r.stderr.strip().splitlines() or [f"exit {r.returncode}"])[-1]
            return "incorrect", f"case {i}: no result ({tail[:300]})"
        got = results[i]
        if "error" in got:
            return "incorrect", f"case {i}: {got['error']}"
        value, expected = got["value"], case["expected"]
        unwrapped = t.get("unwrap") and isinstance(expected, list) and len(expected) == 1
        if not (same_value(value, expected) or (unwrapped and same_value(value, expected[0]))):
            return "incorrect", f"case {i}: wrong result"
    return "correct", f"{len(t['cases'])} cases passed"


def verify_code(
    code: str | None,
    tests: Any,
    prompt: str = "",
    entry_point: str | None = None,
    timeout_s: float = 10.0,
    strict: bool = True,
) -> tuple[str, str]:
    """(status, reason) for generated code against the tests. `strict=False` allows the weak
    sandbox where the strict one is unavailable (job setting `verify.sandbox = "weak"`)."""
    if not code:
        return "incorrect", "no code"
    try:
        t = parse_tests(tests, entry_point, problem=prompt)
    except ValueError as exc:
        return "error", f"bad tests: {exc}"
    try:
        if t["type"] == "stdio":
            return _stdio(code, t, timeout_s, strict)
        if t["type"] == "call":
            return _call(code, t, timeout_s, strict)
        if t["type"] == "check":  # the tests run apart from the candidate (k2batch.verify.bridge)
            candidate = _with_prompt(code, prompt, t["entry_point"])
            tests = f"{t['check']}\n\ncheck({t['entry_point']})\n"
            return run_tests(candidate, tests, PRELUDE, timeout_s, strict, own=_prelude(t))
        if t.get("shares") and strict:
            return "error", ("the tests share files or patched modules with the candidate, which the strict "
                             "sandbox keeps apart (verify.sandbox = 'weak' runs them)")  # fmt: skip
        return run_tests(code, t["code"], PRELUDE, timeout_s, strict, own=_prelude(t))
    except SandboxUnavailable as exc:  # never run generated code unconfined unless told to
        return "error", f"no sandbox: {exc} (or set verify.sandbox = 'weak')"

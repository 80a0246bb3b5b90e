"""Code verification: build a test program from the problem's `tests` (schemas/tests.md) and run
it in the sandbox. All tests must pass."""

from __future__ import annotations

import json
import re

from k2batch.verify.sandbox import run_python

# LeetCode-style solutions assume these are imported, as the judge sites do.
PRELUDE = (
    "from typing import *\nimport collections, heapq, bisect, itertools, functools, math, re, string\n"
    "from collections import *\nfrom functools import *\nfrom itertools import *\n"
    "from heapq import *\nfrom bisect import *\nfrom math import *\nfrom string import *\n"
)


def parse_tests(tests: str | dict | None, entry_point: str | None = None) -> dict:
    """The project's tests format from any accepted shape:
    {"type": "check", "check": "def check(candidate): ...", "entry_point": "f"} (HumanEval shape),
    {"type": "script", "code": "assert ..."} (LeetCode `functional`: calls check itself),
    {"type": "stdio", "cases": [{"input": "...", "output": "..."}]}."""
    if tests is None:
        raise ValueError("no tests")
    t = json.loads(tests) if isinstance(tests, str) else dict(tests)
    if t.get("type") == "humaneval_check" or ("test" in t and "type" not in t):
        t = {"type": "check", "check": t["test"], "entry_point": t.get("entry_point")}
    elif "functional" in t and "type" not in t:
        t = {"type": "script", "code": t["functional"]}
    if t.get("type") == "check":
        t["entry_point"] = t.get("entry_point") or entry_point
        if not t["entry_point"]:
            raise ValueError("check tests need an entry_point")
    if t.get("type") not in ("check", "script", "stdio"):
        raise ValueError(f"unknown tests type {t.get('type')!r}")
    return t


def _with_prompt(code: str, prompt: str, entry_point: str | None) -> str:
    """A full definition stands alone (plus the prompt's imports); a bare body completes the
    prompt, HumanEval-style."""
    if entry_point and re.search(rf"^\s*def\s+{re.escape(entry_point)}\s*\(", code, flags=re.M):
        imports = "\n".join(ln for ln in prompt.splitlines() if re.match(r"\s*(import|from)\s", ln))
        return f"{imports}\n{code}"
    return f"{prompt}{code}"


def verify_code(
    code: str | None,
    tests: str | dict | None,
    prompt: str = "",
    entry_point: str | None = None,
    timeout_s: float = 10.0,
) -> tuple[str, str]:
    """(status, reason) for generated code against the tests."""
    if not code:
        return "incorrect", "no code"
    try:
        t = parse_tests(tests, entry_point)
    except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        return "error", f"bad tests: {exc}"
    if t["type"] == "stdio":
        for i, case in enumerate(t["cases"]):
            r = run_python(PRELUDE + code, stdin=case.get("input", ""), timeout_s=timeout_s)
            if r.timed_out:
                return "incorrect", f"case {i}: timeout"
            if r.returncode != 0:
                return "incorrect", f"case {i}: exit {r.returncode}: {r.stderr[-300:]}"
            if r.stdout.strip() != str(case.get("output", "")).strip():
                return "incorrect", f"case {i}: wrong output"
        return "correct", f"{len(t['cases'])} cases passed"
    if t["type"] == "check":
        body = _with_prompt(code, prompt, t["entry_point"])
        program = f"{PRELUDE}{body}\n\n{t['check']}\n\ncheck({t['entry_point']})\n"
    else:
        program = f"{PRELUDE}{code}\n\n{t['code']}\n"
    r = run_python(program, timeout_s=timeout_s)
    if r.timed_out:
        return "incorrect", "timeout"
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["killed"])[-1]
        return "incorrect", f"tests failed (exit {r.returncode}): {last[:300]}"
    return "correct", "all tests passed"

"""The `tests` of a code problem, in any format public sets publish, normalised into one of the four
specs the verifier runs (schemas/tests.md). Pure functions: a malformed spec raises ValueError with
a reason for the rejects file, never anything else.

    check   {"type": "check", "check": "def check(candidate): ...", "entry_point": "f"}
    script  {"type": "script", "code": "assert f(1) == 2"}
    stdio   {"type": "stdio", "cases": [{"input": "1 2\\n", "output": "3"}]}
    call    {"type": "call", "fn_name": "f", "class_name": "Solution" | null,
             "cases": [{"args": [...], "expected": ...}], "unwrap": false}

`call` and `stdio` keep the expected values out of the sandbox: the program under test gets only
the inputs, and the comparison happens in the verifier."""

from __future__ import annotations

import json
import re
from typing import Any

from k2batch.verify import pytests

KINDS = ("check", "script", "stdio", "call")
# Columns that carry tests in published sets, read when a code row has no `tests` column value:
# HumanEval `test`, MBPP `test_list`, APPS/TACO `input_output`, LiveCodeBench `public_test_cases`.
TEST_COLUMNS = ("tests", "test", "test_list", "input_output", "public_test_cases")


def _load(value: Any) -> Any:
    """JSON text, or Python test code as published (HumanEval's `test` is code, not JSON)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        raise ValueError("empty tests")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if re.search(r"^\s*def\s+check\s*\(", text, flags=re.M):
            return {"test": text}
        if pytests.styled(text):  # KodCode's, BigCodeBench's: nothing in them runs their tests
            return {"type": "script", "code": pytests.as_script(text)}
        if re.search(r"^\s*assert\b", text, flags=re.M):
            return {"type": "script", "code": text}
        raise ValueError(f"tests are neither JSON nor Python test code ({exc})") from None


def fn_name_from(*sources: str | None) -> str | None:
    """The function a starter defines: the method of LiveCodeBench's `class Solution:` (the first
    `def name(self, ...)`), else the first top-level `def name(`."""
    for src in filter(None, sources):
        method = re.search(r"^class\s+\w+.*?^\s+def\s+(\w+)\s*\(\s*self\b", src, flags=re.M | re.S)
        fn = method or re.search(r"^def\s+(\w+)\s*\(", src, flags=re.M)
        if fn:
            return fn.group(1)
    return None


def owner_class(fn: str, *sources: str | None) -> str | None:
    """The class whose method `fn` is, in the first source that defines it as a method."""
    for src in filter(None, sources):
        for cls in re.finditer(r"^class\s+(\w+).*\n", src, flags=re.M):
            body = re.split(r"^\S", src[cls.end() :], maxsplit=1, flags=re.M)[0]  # up to the dedent
            if re.search(rf"^\s+def\s+{re.escape(fn)}\s*\(\s*self\b", body, flags=re.M):
                return cls.group(1)
    return None


def _metadata_fn(metadata: Any) -> str | None:
    """LiveCodeBench's metadata column: JSON with `func_name`."""
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except json.JSONDecodeError:
            return None
    return metadata.get("func_name") if isinstance(metadata, dict) else None


def _cases(kind: str, cases: Any) -> list:
    if not isinstance(cases, list) or not cases:
        raise ValueError(f"{kind} tests need at least one case")  # no cases would pass anything
    return cases


def _text(value: Any, what: str) -> str:
    """A stdio input or output: text, or a list of lines (APPS/TACO write both)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return "\n".join(str(v) for v in value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"stdio {what} must be text, got {type(value).__name__}")


# Codeforces: "You can output the answer in any case (upper or lower)."
_ANY_CASE = re.compile(r"\b(?:output|print)\w*\b[^.\n]{0,60}\bin any (?:letter )?(?:case|register)\b"
                       r"|\bcase[- ]insensitive", re.I)  # fmt: skip


def _own(t: dict, ctx: dict) -> dict:
    kind = t.get("type")
    if kind == "humaneval_check":
        check = {"type": "check", "check": t.get("test"), "entry_point": t.get("entry_point")}
        return _own(check | _HUMANEVAL, ctx)
    if kind == "check":
        # HumanEval-X's and MultiPL-E's tests call check themselves: that call names the entry point
        called = re.findall(r"^\s*check\((\w+)\)\s*$", str(t.get("check") or ""), re.M)
        entry = t.get("entry_point") or ctx["entry_point"] or (called[-1] if called else None)
        if not isinstance(t.get("check"), str) or not entry:
            raise ValueError("check tests need `check` code and an entry_point")
        return {"type": "check", "check": t["check"], "entry_point": entry} | _bare(t)
    if kind == "script":
        if not isinstance(t.get("code"), str) or not t["code"].strip():
            raise ValueError("script tests need `code`")
        shares = {"shares": True} if t.get("shares") else {}  # files or patches shared with the candidate
        return {"type": "script", "code": t["code"]} | shares | _bare(t)
    if kind == "stdio":
        cases = _cases("stdio", t.get("cases"))
        if not all(isinstance(c, dict) for c in cases):
            raise ValueError("stdio cases must be objects with input and output")
        spec = {"type": "stdio", "cases": [
            {"input": _text(c.get("input", ""), "input"), "output": _text(c.get("output", ""), "output")}
            for c in cases
        ]}  # fmt: skip
        # CodeContests' own checker lower-cases every token; a problem can say so itself
        any_case = t.get("any_case") or _ANY_CASE.search(ctx["sources"][1] or "")
        flags = {"any_case": bool(any_case), "exact": bool(t.get("exact"))}  # "exact": no float tolerance
        return spec | {k: True for k, on in flags.items() if on} | _bare(t)
    if kind == "call":
        cases = _cases("call", t.get("cases"))
        if not all(isinstance(c, dict) and isinstance(c.get("args"), list) and "expected" in c
                   for c in cases):  # fmt: skip
            raise ValueError("call cases must be objects with `args` (a list) and `expected`")
        fn, cls = _functional({**ctx, "fn_name": t.get("fn_name") or ctx["fn_name"]}, "call")
        return {"type": "call", "fn_name": fn, "class_name": t.get("class_name", cls),
                "cases": [{"args": c["args"], "expected": c["expected"]} for c in cases],
                "unwrap": bool(t.get("unwrap"))}  # fmt: skip
    raise ValueError(f"unknown tests type {kind!r} (known: {', '.join(KINDS)})")


_HUMANEVAL = {"prelude": False}  # HumanEval's and MBPP's harnesses run the program bare


def _bare(t: dict) -> dict:
    """`"prelude": false`: the candidate runs without LiveCodeBench's imports (k2batch.verify.code),
    after MBPP's `setup` (its test_setup_code / test_imports: the official program runs them first)."""
    if t.get("prelude") is not False:
        return {}
    setup = t.get("setup")
    return {"prelude": False} | ({"setup": setup} if isinstance(setup, str) and setup else {})


def _functional(ctx: dict, what: str) -> tuple[str, str | None]:
    fn = ctx["fn_name"]
    if not fn:
        raise ValueError(
            f"{what} tests need a function name: an entry_point column, metadata func_name, or a "
            "starter (starter_code column or the problem) with `class Solution` / `def name(`"
        )
    return fn, owner_class(fn, *ctx["sources"])


def _livecodebench(cases: list, ctx: dict) -> dict:
    """[{"input", "output", "testtype": "stdin" | "functional"}]: functional inputs are one JSON
    value per line (the arguments), outputs one JSON value."""
    kinds = {c.get("testtype") for c in cases}
    if kinds == {"stdin"}:
        return _own({"type": "stdio", "cases": cases, "exact": True}, ctx)  # its Decimal comparison
    if kinds != {"functional"}:
        got = ", ".join(sorted(map(str, kinds)))
        raise ValueError(f"LiveCodeBench cases must all be stdin or all functional, got {got}")
    fn, cls = _functional(ctx, "functional")
    out = []
    for i, c in enumerate(cases):
        try:
            lines = _text(c.get("input", ""), "input").splitlines()
            args = [json.loads(line) for line in lines if line.strip()]
            expected = json.loads(_text(c.get("output", ""), "output"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"functional case {i}: not JSON ({exc})") from None
        out.append({"args": args, "expected": expected})
    return {"type": "call", "fn_name": fn, "class_name": cls, "cases": out, "unwrap": False}


def _typed_cases(cases: list, ctx: dict) -> dict:
    """[{"input", "output", "type"?}] (DeepCoder's and PrimeIntellect's): stdin/stdout cases, or with
    "type": "function_call" (and `fn_name`) the arguments and the return value, as TACO's."""
    kinds = {str(c.get("type") or "stdin_stdout") for c in cases}
    if kinds <= {"stdin_stdout", "stdin", "stdio"}:
        return _own({"type": "stdio", "cases": cases}, ctx)
    if kinds != {"function_call"}:
        got = ", ".join(sorted(kinds))
        raise ValueError(f"cases must all be stdin/stdout or all function calls, got {got}")
    name = next((c["fn_name"] for c in cases if c.get("fn_name")), None) or ctx["fn_name"]
    if not name:
        raise ValueError("function-call cases need a function name (fn_name)")
    inputs, outputs = [c["input"] for c in cases], [c["output"] for c in cases]
    return _apps({"inputs": inputs, "outputs": outputs, "fn_name": name}, ctx)


def _apps(t: dict, ctx: dict) -> dict:
    """APPS / TACO `input_output`: {"inputs": [...], "outputs": [...], "fn_name"?}. With fn_name
    each input is the argument list and an output may be wrapped in a one-element list."""
    inputs, outputs = _cases("APPS", t["inputs"]), t["outputs"]
    if not isinstance(outputs, list) or len(outputs) != len(inputs):
        raise ValueError(f"APPS tests: {len(inputs)} inputs but outputs is not a list of that length")
    if t.get("fn_name"):
        ctx = {**ctx, "fn_name": t["fn_name"]}
        fn, cls = _functional(ctx, "call-based")
        cases = [{"args": a if isinstance(a, list) else [a], "expected": e}
                 for a, e in zip(inputs, outputs, strict=True)]  # fmt: skip
        return {"type": "call", "fn_name": fn, "class_name": cls, "cases": cases, "unwrap": True}
    pairs = [{"input": i, "output": o} for i, o in zip(inputs, outputs, strict=True)]
    return _own({"type": "stdio", "cases": pairs}, ctx)


def normalize_tests(
    value: Any,
    *,
    entry_point: str | None = None,
    starter: str | None = None,
    metadata: Any = None,
    problem: str = "",
    setup: str | None = None,
) -> dict:
    """One of the four specs from any accepted shape; raises ValueError naming what is wrong.
    `entry_point`, `starter`, `metadata` and `problem` name the function where the tests do not;
    `setup` (MBPP's test_setup_code / test_imports) runs before asserts."""
    if value is None:
        raise ValueError("no tests")
    ctx = {
        "entry_point": entry_point,  # check tests name theirs: never guessed
        "fn_name": entry_point or _metadata_fn(metadata) or fn_name_from(starter, problem),
        "sources": (starter, problem),
    }
    t = _load(value)
    if isinstance(t, list | tuple):
        t = list(t)
        if t and all(isinstance(x, str) for x in t):  # MBPP: a list of assert statements
            script = {"type": "script", "code": "\n".join(filter(None, [setup, *t])), "setup": setup}
            return _own(script | _HUMANEVAL, ctx)
        if t and all(isinstance(x, dict) and "testtype" in x for x in t):
            return _livecodebench(t, ctx)
        if t and all(isinstance(x, dict) and {"input", "output"} <= x.keys() for x in t):
            return _typed_cases(t, ctx)
        raise ValueError("a tests list must hold assert strings (MBPP), LiveCodeBench cases or input/output "
                         "cases")  # fmt: skip
    if not isinstance(t, dict):
        raise ValueError(f"tests must be an object or a list, got {type(t).__name__}")
    if "type" in t:
        return _own(t, ctx)
    if "test" in t:  # HumanEval
        return _own({"type": "humaneval_check", "test": t["test"], "entry_point": t.get("entry_point")}, ctx)
    if "functional" in t:  # rLLM LeetCode: a script that calls check itself
        return _own({"type": "script", "code": t["functional"]}, ctx)
    if isinstance(t.get("test_code"), str) and t.get("entry_point"):  # Skywork-OR1's LeetCode rows
        code = f"{t['test_code']}\n\ncheck({t['entry_point']})\n"
        return _own({"type": "script", "code": code, "prelude": False, "setup": t.get("import_prefix")}, ctx)
    if "inputs" in t and "outputs" in t:
        return _apps(t, ctx)
    raise ValueError(f"unrecognised tests format (keys: {', '.join(sorted(map(str, t))) or 'none'})")

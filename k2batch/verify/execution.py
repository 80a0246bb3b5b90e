"""The `execution` domain: say what a program does (CRUXEval). The reply completes an assertion,
`assert f(<input>) == <output>`, between [ANSWER] and [/ANSWER] as CRUXEval prompts.

Output prediction, as CRUXEval grades it: the value after `==` equals the row's output when the
row's code runs. Input prediction: an assertion on another input holds when the code runs on it,
`f(<that input>) == <the row's output>`. Both read from one row layout (`code`, `input`,
`output`): an assertion on the row's own input is graded by its value, any other by running it.
What the model wrote must be literals (CRUXEval asks for them), so nothing of the reply runs but
values; the row's code runs in the sandbox. LiveCodeBench's code execution names its function and
gives the whole call (`name`, `call`); its test output prediction has no code, only the output a
statement implies (`output_only`: the assertion's value, whatever its call is written like)."""

from __future__ import annotations

import ast
import json
import re
import uuid

INSTRUCTION = (
    "Execute the program step by step before arriving at an answer, and provide the full assertion "
    "with the correct output in [ANSWER] and [/ANSWER] tags."
)


def extract(text: str, n_choices: int | None = None) -> tuple[str | None, str]:
    """The assertion a reply gives: its first [ANSWER] block (CRUXEval stops at the first
    [/ANSWER]), else its last assertion on f in a code block or a line."""
    from k2batch.extract import answer_part

    part = answer_part(text)
    cut = part.split("[/ANSWER]")[0]
    if "[ANSWER]" in cut:
        return cut.split("[ANSWER]")[-1].strip().strip("`").strip() or None, "answer tags"
    lines = re.findall(r"^\s*(assert\s+\w+\(.*)$", part, re.M)
    return (lines[-1].strip(), "last assertion") if lines else (None, "no assertion")


def _literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def program(task: dict) -> tuple[str | None, str]:
    """(the check to run after the row's code, how it was read) or (None, why it is wrong)."""
    spec = json.loads(task["tests"]) if isinstance(task["tests"], str) else task["tests"]
    answer = re.sub(r"^\s*assert\s+", "", task.get("answer") or "").strip().rstrip(";")
    name = spec.get("name") or "f"
    try:
        node = ast.parse(answer, mode="eval").body
        given = ast.parse(spec["input"] if spec.get("call") else f"{name}({spec['input']})", mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, "the assertion does not parse"
    lhs, rhs = (node.left, node.comparators[0]) if isinstance(node, ast.Compare) else (None, node)
    if isinstance(node, ast.Compare) and (len(node.ops) != 1 or not isinstance(node.ops[0], ast.Eq)):
        return None, "not an assertion of equality"
    output = spec["output"]
    if lhs is None or ast.dump(lhs) == ast.dump(given) or spec.get("output_only"):
        if not _literal(rhs):
            return None, "the output is not a literal"
        return f"assert ({output}) == ({ast.unparse(rhs)})", "the output on the row's input"
    call = isinstance(lhs, ast.Call) and isinstance(lhs.func, ast.Name) and lhs.func.id == name
    if not call or not all(_literal(a) for a in [*lhs.args, *(k.value for k in lhs.keywords)]):
        return None, f"the input is not {name} called on literals"
    if any(k.arg is None for k in lhs.keywords) or any(isinstance(a, ast.Starred) for a in lhs.args):
        return None, f"the input is not {name} called on literals"
    return f"assert ({ast.unparse(lhs)}) == ({output})", "an input that gives the row's output"


def verify(task: dict) -> tuple[str, str]:
    from k2batch.verify.sandbox import SandboxUnavailable, run_python

    if not task.get("answer"):
        return "incorrect", "no assertion"
    try:
        check, how = program(task)
    except (ValueError, KeyError, TypeError) as exc:
        return "error", f"bad tests: {exc}"
    if check is None:
        return "incorrect", how
    spec = json.loads(task["tests"]) if isinstance(task["tests"], str) else task["tests"]
    marker = f"@@k2batch-{uuid.uuid4().hex}@@"  # the check ran to its end, not an exit on the way
    source = f"{spec.get('setup') or ''}\n{spec['code']}\n{check}\nprint({marker!r})\n"
    try:
        r = run_python(source, timeout_s=task.get("timeout_s", 10.0), strict=task.get("sandbox") != "weak")
    except SandboxUnavailable as exc:
        return "error", f"no sandbox: {exc} (or set verify.sandbox = 'weak')"
    if r.timed_out:
        return "incorrect", f"{how}: timeout"
    if marker in r.stdout and r.returncode == 0:
        return "correct", f"{how}: holds"
    last = (r.stderr.strip().splitlines() or [f"exit {r.returncode}"])[-1]
    return "incorrect", f"{how}: {last[:200]}"


def quick(task: dict) -> tuple[str, str] | None:
    if not task.get("tests"):
        return "unverified", "no program"
    return None

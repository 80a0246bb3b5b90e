"""More code sets as their publishers ship them (k2batch/formats.py reads which): open-r1's
Codeforces, the verifiable-coding-problems layout of RL sets (PrimeIntellect's SYNTHETIC-1,
DeepCoder), MultiPL-E's Python rows, BigCodeBench, Aider's polyglot exercises."""

from __future__ import annotations

import json
import posixpath
import re
from typing import Any

from k2batch.choicesets import Get, missing
from k2batch.verify import pytests

_SHARES = re.compile(r"\b(?:tempfile|mock|patch|shutil|open\(|Path\(|"
                     r"os\.(?:path|mkdir|makedirs|listdir|remove|walk|chdir|getcwd|environ))")  # fmt: skip
STDIN = "Read the inputs from stdin, solve the problem and write the answer to stdout."  # LiveCodeBench's


def _python_only(language: Any, name: str) -> None:
    if not missing(language) and str(language).strip().lower() not in ("py", "python", "python3"):
        raise ValueError(f"{name}'s {language} rows: k2batch runs Python only")


def _listed(value: Any) -> list:
    """A list column, or a copy's JSON text of it."""
    return json.loads(value) if isinstance(value, str) and value.strip() else list(value or [])


def codeforces(get: Get) -> dict:
    """open-r1/codeforces: the statement in its parts, graded on `official_tests` (its examples where
    there are none) by stdin and stdout. Interactive problems, and those with a checker for several
    right outputs, are solved and left unverified: a fixed output cannot grade them."""
    examples = _listed(get("examples"))
    shown = "\n".join(f"Input:\n{e.get('input', '')}\nOutput:\n{e.get('output', '')}" for e in examples)
    note = None if missing(get("note")) else f"Note\n{get('note')}"
    parts = [get("title"), get("description"), f"Input\n{get('input_format')}",
             f"Output\n{get('output_format')}", f"Examples\n{shown}" if shown else None, note,
             STDIN]  # fmt: skip
    problem = "\n\n".join(str(p) for p in parts if not missing(p))
    tests = _listed(get("official_tests")) or examples
    cases = [{"input": t.get("input", ""), "output": t.get("output", "")} for t in tests]
    judged = missing(get("interaction_format")) and missing(get("generated_checker"))
    # Codeforces' yes/no checker reads the words in any case (open-r1's grader case-folds them too)
    yes_no = all(str(c["output"]).strip().lower() in ("yes", "no") for c in cases)
    spec = {"type": "stdio", "cases": cases, "prelude": False} | ({"any_case": True} if yes_no else {})
    tests = json.dumps(spec) if cases and judged else None
    return {"problem": problem, "domain": "code", "tests": tests}


def verifiable(get: Get) -> dict:
    """`prompt` with `verification_info` {test_cases: [{type stdin_stdout | function_call, input,
    output, fn_name}]}: stdin cases, or calls of `fn_name` (their outputs wrapped in a list, as
    TACO's)."""
    info = get("verification_info")
    info = json.loads(info) if isinstance(info, str) else info or {}
    _python_only(info.get("language"), "verifiable-coding-problems")
    cases = info.get("test_cases") or []
    kinds = {c.get("type") for c in cases}
    if kinds == {"stdin_stdout"}:
        spec = {"type": "stdio", "cases": [{"input": c["input"], "output": c["output"]} for c in cases]}
    elif kinds == {"function_call"}:
        spec = {"type": "call", "fn_name": cases[0].get("fn_name"), "unwrap": True,
                "cases": [{"args": c["input"], "expected": c["output"]} for c in cases]}  # fmt: skip
    else:
        raise ValueError(f"verification_info's test cases are of kinds {sorted(map(str, kinds))}")
    return {"problem": get("prompt"), "domain": "code", "tests": json.dumps(spec)}


def multipl_e(get: Get) -> dict:
    """MultiPL-E: its Python rows (`language` py) as HumanEval, the prompt completed and its
    `tests` (which call check on the function themselves) run."""
    _python_only(get("language"), "MultiPL-E")
    return {"problem": get("prompt"), "domain": "code", "tests": get("tests")}


def bigcodebench(get: Get) -> dict:
    """BigCodeBench: its instruct prompt, graded as its harness: the TestCases of `test` run
    after the imports of `code_prompt` (its calibration)."""
    prompt = str(get("code_prompt") or "").splitlines()
    imports = "\n".join(x for x in prompt if x.startswith(("import ", "from "))) or None
    spec = {"type": "script", "code": pytests.as_script(str(get("test"))), "prelude": False, "setup": imports}
    if _SHARES.search(str(get("test"))):  # its tests make files for the candidate, or patch its modules
        spec["shares"] = True
    problem = get("instruct_prompt") if not missing(get("instruct_prompt")) else get("complete_prompt")
    return {"problem": problem, "domain": "code", "tests": json.dumps(spec)}


def aider(get: Get) -> dict:
    """Aider's polyglot benchmark (`exercise`, `language`, `files` by path): its instructions and
    stub to complete, graded by its test file (its imports of the stub's module stand for the
    candidate's code)."""
    _python_only(get("language"), "Aider's polyglot benchmark")
    files = get("files") or {}
    files = json.loads(files) if isinstance(files, str) else dict(files)
    hidden = (".docs/", ".meta/")
    tests = [p for p in files if p.endswith("_test.py") and not p.startswith(hidden)]
    stubs = [p for p in files if p.endswith(".py") and p not in tests and not p.startswith(hidden)]
    if len(tests) != 1 or len(stubs) != 1:
        raise ValueError(f"an exercise needs one stub and one test file, it has {sorted(files)}")
    docs = "\n\n".join(files[p] for p in sorted(files) if p.startswith(".docs/instructions"))
    stub = stubs[0]
    problem = f"{docs}\n\nComplete `{stub}`:\n```python\n{files[stub].rstrip()}\n```"
    module = posixpath.splitext(posixpath.basename(stub))[0]
    spec = {"type": "script", "code": pytests.as_script(files[tests[0]], (module,)), "prelude": False}
    return {"problem": problem, "domain": "code", "tests": json.dumps(spec)}


ASSERT_OUTPUT = ("Complete the assertion with a literal (no unsimplified expressions, no function calls) "
                 "holding the output of the function on the given input, even if the function is incorrect "
                 "or incomplete.")  # fmt: skip


def cruxeval(get: Get) -> dict:
    """CRUXEval: what `f` returns on `input` (output prediction, its usual task), graded by running
    the row's code (the `execution` domain; an assertion on another input is input prediction)."""
    code, given = str(get("code")), get("input")
    problem = f"{ASSERT_OUTPUT}\n\n```python\n{code.rstrip()}\nassert f({given}) == ??\n```"
    tests = json.dumps({"code": code, "input": given, "output": get("output")})
    return {"problem": problem, "answer": get("output"), "domain": "execution", "tests": tests}


def lcb_execution(get: Get) -> dict:
    """LiveCodeBench's code execution (`code`, `function_name`, `input` the whole call, `output`), as
    CRUXEval's output prediction; its LeetCode code uses `List` and the like untold."""
    code, call = str(get("code")), str(get("input")).strip()
    problem = f"{ASSERT_OUTPUT}\n\n```python\n{code.rstrip()}\nassert {call} == ??\n```"
    tests = {"code": code, "input": call, "call": True, "name": get("function_name"), "output": get("output"),
             "setup": "from typing import *"}  # fmt: skip
    return {"problem": problem, "answer": get("output"), "domain": "execution", "tests": json.dumps(tests)}


def lcb_output_prediction(get: Get) -> dict:
    """LiveCodeBench's test output prediction (`question_content`, `starter_code`, `function_name`,
    `test` one functional case): the value the function returns on that input, from the statement
    alone; graded as lcb_runner grades it, the assertion's literal against the case's output."""
    try:
        cases = json.loads(get("test")) if isinstance(get("test"), str) else get("test")
    except ValueError:
        raise ValueError("LiveCodeBench's `test` is not JSON") from None
    case = cases[0] if isinstance(cases, list) and cases and isinstance(cases[0], dict) else None
    if case is None or "input" not in case or "output" not in case:
        raise ValueError("LiveCodeBench's test output prediction needs one case with input and output")
    name = get("function_name")
    args = ", ".join(line.strip() for line in str(case["input"]).splitlines() if line.strip())
    try:
        output = repr(json.loads(case["output"]))  # its output is JSON: true is True
    except (ValueError, TypeError):
        raise ValueError("LiveCodeBench's test output is not JSON") from None
    starter = get("starter_code")
    shown = f"\n\n```python\n{starter.rstrip()}\n```" if isinstance(starter, str) and starter.strip() else ""
    problem = (f"{get('question_content')}{shown}\n\nComplete the assertion with the literal the function "
               "returns on this input (do not write the function):\n"
               f"```python\nassert {name}({args}) == ??\n```")  # fmt: skip
    tests = {"code": "", "input": args, "name": name, "output": output, "output_only": True}
    return {"problem": problem, "answer": output, "domain": "execution", "tests": json.dumps(tests)}

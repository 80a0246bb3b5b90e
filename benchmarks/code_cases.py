"""Verdict agreement for the code verifier, in both directions: reference solutions must be
accepted, wrong solutions rejected, in every test format the verifier reads.

    python -m benchmarks.code_cases [--shared ../shared/data] [--workers 2]

`cases(shared)` builds the verification tasks (the shape of benchmarks/verifier.py's `code_tasks`,
plus `expected`, `kind` and `format`); `summarise(cases, results)` counts agreement per kind.

- references: all HumanEval and rLLM LeetCode rows of the shared sets, and hand-written problems
  in the other published formats (MBPP assert lists, LiveCodeBench functional, APPS call-based,
  stdin/stdout as LiveCodeBench, APPS and k2batch's own `stdio` write them): expected correct;
- wrong solutions derived mechanically from the references: a wrapper changes every result
  (off by one, another type, printed instead of returned), or the program crashes, exits 0 at
  import or in a call, times out, or tampers (prints "passed", patches builtins, exits 0 at exit,
  redefines `check`, defines functions named like builtins the tests use, returns an object equal
  to anything): expected incorrect. One known exception: an object equal to anything cannot
  cross the bridge (check tests, assert scripts), which makes the verdict `error` by design (call
  tests compare its repr: `incorrect`). Where a mutant's
  wrongness depends on the tests (a result wrapper; the stub behind a tampering trick), a plain
  harness outside the verifier (`_oracle`: program + tests in one process, as HumanEval's own
  harness runs them) must fail it, else the mutant is dropped and counted in `Built.dropped`;
- stdin/stdout: outputs that differ from the expected text only in whitespace, or in digits
  beyond 1e-6, are correct; a wrong token, a missing or extra line, another case, or a crash
  after the right output is incorrect (the verifier compares whitespace-separated tokens).
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

PER_FORMAT = 20  # shared-set problems per format that get each wrong variant
SLOW_PER_FORMAT = 5  # of those, how many get each timeout variant (each costs TIMEOUT_S)
TIMEOUT_S = 2.0  # the sandbox timeout of the timeout variants (other tasks keep the default)
SEED = 20240601
ORACLE_LIMIT_S = 20  # per program in the plain harness

# -- mutations ---------------------------------------------------------------------------------

# Result wrappers, prepended once to a mutant (names with a leading underscore: the bridge never
# turns them into stand-ins, and they differ from its own `_k2b_` names).
HELPERS = '''
def _off_by_one(r):
    if isinstance(r, bool) or r is None:
        return r
    if isinstance(r, (int, float)):
        return r + 1
    if isinstance(r, (str, list, tuple)):
        return r[:-1]
    return r


def _wrong_format(r):
    if isinstance(r, tuple):
        return list(r)
    if isinstance(r, list):
        return tuple(r)
    if isinstance(r, str):
        return [r]
    if isinstance(r, (set, frozenset)):
        return list(r)
    return r if r is None else str(r)


def _print_instead(r):
    print(r)


class _AlwaysEqual:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


def _always_equal(r):
    return _AlwaysEqual()
'''

# Module-level functions named like the builtins tests use: where they reach the tests' namespace
# (a plain harness: one module), tolerance checks and loops over range() pass anything.
SHADOW_BUILTINS = """

def abs(*args, **kwargs):
    return 0


def range(*args, **kwargs):
    return []


def all(*args, **kwargs):
    return True
"""

PATCH_BUILTINS = """import builtins
builtins.AssertionError = type("AssertionError", (Exception,), {})
builtins.abs = lambda x: 0
builtins.all = lambda *args, **kwargs: True
builtins.any = lambda *args, **kwargs: True
"""


@dataclass(frozen=True)
class Target:
    """A reference solution as a whole program, and how to redefine its entry point: a top-level
    function, or a method of `class Solution` (LeetCode)."""

    full: str
    name: str
    method: bool
    prompt: str = ""  # HumanEval: the signature and docstring a stub completes

    def _redefine(self, lines: list[str]) -> str:
        if self.method:
            body = "".join(f"        {ln}\n" for ln in lines)
            return f"class Solution(Solution):\n    def {self.name}(self, *args, **kwargs):\n{body}"
        body = "".join(f"    {ln}\n" for ln in lines)
        return f"_reference_fn = {self.name}\n\n\ndef {self.name}(*args, **kwargs):\n{body}"

    def _call(self) -> str:
        fn = f"super().{self.name}" if self.method else "_reference_fn"
        return f"{fn}(*args, **kwargs)"

    def value(self, wrapper: str) -> str:
        """Every result passes through `wrapper` (one of HELPERS)."""
        return f"{self.full}\n\n{HELPERS}\n\n{self._redefine([f'return {wrapper}({self._call()})'])}"

    def before(self, statement: str) -> str:
        """Every call runs `statement` (one line) first."""
        return f"{self.full}\n\n\n{self._redefine([statement, f'return {self._call()}'])}"

    def stub(self, value: str = "None") -> str:
        """The entry point (and the prompt's helpers), defined, solving nothing."""
        if self.method:
            return f"class Solution:\n    def {self.name}(self, *args, **kwargs):\n        return {value}\n"
        if self.prompt:
            return f"{self.prompt}    return {value}\n"
        return f"def {self.name}(*args, **kwargs):\n    return {value}\n"


@dataclass(frozen=True)
class Variant:
    kind: str
    build: Callable[[Target], tuple[str, str | None]]  # (code, the program the tests must fail)
    slow: bool = False  # times out: fewer problems
    needs_check: bool = False  # only where the tests define `check`
    fools_plain: bool = False  # only problems where the trick fools the plain harness


def _semantic(wrapper: str) -> Callable[[Target], tuple[str, str]]:
    def build(t: Target) -> tuple[str, str]:
        code = t.value(wrapper)
        return code, code

    return build


def _tamper(before: str = "", after: str = "", value: str = "None") -> Callable[[Target], tuple[str, str]]:
    def build(t: Target) -> tuple[str, str]:
        return f"{before}{t.stub(value)}{after}", t.stub(value)

    return build


VARIANTS = [
    Variant("off-by-one", _semantic("_off_by_one")),
    Variant("wrong format", _semantic("_wrong_format")),
    Variant("prints instead of returning", _semantic("_print_instead")),
    Variant("timeout: infinite loop", lambda t: (t.before("while True: pass"), None), slow=True),
    Variant("timeout: sleep at import", lambda t: (f"{t.full}\nimport time\ntime.sleep(10 ** 6)\n", None),
            slow=True),  # fmt: skip
    Variant("crash: raises", lambda t: (t.before('raise RuntimeError("crashed")'), None)),
    Variant("crash: syntax error", lambda t: (f"{t.full}\n\ndef broken(:\n    pass\n", None)),
    Variant("crash: missing module", lambda t: (f"import k2batch_no_such_module\n{t.full}", None)),
    Variant("exit: sys.exit(0) at import", lambda t: (f"{t.full}\nimport sys\nsys.exit(0)\n", None)),
    Variant("exit: os._exit(0) at import", lambda t: (f"{t.full}\nimport os\nos._exit(0)\n", None)),
    Variant("exit: sys.exit(0) in call", lambda t: (t.before("import sys; sys.exit(0)"), None)),
    Variant("exit: os._exit(0) in call", lambda t: (t.before("import os; os._exit(0)"), None)),
    Variant("tamper: prints passed", _tamper(after='\nprint("All tests passed")\nprint("PASS")\n')),
    Variant("tamper: patches builtins", _tamper(before=PATCH_BUILTINS)),
    Variant("tamper: exits 0 at exit", _tamper("import atexit, os\natexit.register(os._exit, 0)\n")),
    Variant("tamper: redefines check", _tamper(after="\n\ndef check(*args, **kwargs):\n    return None\n"),
            needs_check=True),  # fmt: skip
    Variant("tamper: shadows builtins", _tamper(after=SHADOW_BUILTINS, value="0"), fools_plain=True),
    Variant("tamper: equals-anything object", lambda t: (t.value("_always_equal"), None)),
]

# -- problems ----------------------------------------------------------------------------------


@dataclass
class Problem:
    id: str
    fmt: str
    target: Target
    task: dict  # answer, tests, entry_point, prompt of the reference task
    oracle: Callable[[str], str]  # code -> a plain program that exits 0 iff the tests pass
    has_check: bool


def _prelude() -> str:
    from k2batch.verify.code import PRELUDE  # what the verifier gives LeetCode-style solutions

    return PRELUDE


def _humaneval(shared: Path) -> list[Problem]:
    import pyarrow.parquet as pq

    out = []
    for r in pq.read_table(shared / "humaneval.parquet").to_pylist():
        check = json.loads(r["tests"])["test"]
        entry = r["entry_point"]
        out.append(Problem(
            r["id"], "humaneval", Target(r["problem"] + r["answer"], entry, False, prompt=r["problem"]),
            {"answer": r["answer"], "tests": r["tests"], "entry_point": entry, "prompt": r["problem"]},
            lambda code, check=check, entry=entry: f"{_prelude()}\n{code}\n\n{check}\n\ncheck({entry})\n",
            has_check=True,
        ))  # fmt: skip
    return out


def _leetcode(shared: Path) -> list[Problem]:
    import pyarrow.parquet as pq

    out = []
    for r in pq.read_table(shared / "leetcode_rllm.parquet").to_pylist():
        script = json.loads(r["tests"])["functional"]
        method = re.search(r"^check\(Solution\(\)\.(\w+)\)\s*\Z", script, flags=re.M)
        if not method:
            raise ValueError(f"{r['id']}: tests do not end in check(Solution().method)")
        out.append(Problem(
            r["id"], "leetcode", Target(r["answer"], method.group(1), method=True),
            {"answer": r["answer"], "tests": r["tests"], "entry_point": r.get("entry_point"), "prompt": ""},
            lambda code, script=script: f"{_prelude()}\n{code}\n\n{script}\n",
            has_check=True,
        ))  # fmt: skip
    return out


# Hand-written function problems: (name, parameters, body, [(args, expected)]), each published
# in three formats below.
FUNCTIONS = [
    ("running_sum", "nums",
     "out, total = [], 0\nfor x in nums:\n    total += x\n    out.append(total)\nreturn out",
     [([[1, 2, 3, 4]], [1, 3, 6, 10]), ([[5]], [5]), ([[-1, 1, -1]], [-1, 0, -1])]),
    ("count_vowels", "s", "return sum(ch in 'aeiouAEIOU' for ch in s)",
     [(["hello world"], 3), (["xyz"], 0), (["AEIOU aeiou"], 10)]),
    ("mean", "nums", "return sum(nums) / len(nums)",
     [([[1, 2, 4]], 7 / 3), ([[1, 2]], 1.5), ([[-1, -2, -3, -5]], -2.75)]),
]  # fmt: skip


def _function_code(name: str, params: str, body: str, method: bool) -> str:
    if method:
        lines = "".join(f"        {ln}\n" for ln in body.splitlines())
        return f"class Solution:\n    def {name}(self, {params}):\n{lines}"
    lines = "".join(f"    {ln}\n" for ln in body.splitlines())
    return f"def {name}({params}):\n{lines}"


def _call_oracle(name: str, method: bool, cases: list, unwrap: bool) -> Callable[[str], str]:
    """The verifier's `call` comparison done plainly: results as JSON, compared with ==."""
    target = f"Solution().{name}" if method else name

    def program(code: str) -> str:
        return (
            f"{_prelude()}\n{code}\n\nimport json as _json\n"
            f"for _args, _expected in {cases!r}:\n"
            f"    _got = _json.loads(_json.dumps({target}(*_args), default=repr))\n"
            f"    assert _got == _expected or ({unwrap!r} and [_got] == _expected)\n"
        )

    return program


def _hand_functions() -> list[Problem]:
    out = []
    for i, (name, params, body, cases) in enumerate(FUNCTIONS):
        plain = _function_code(name, params, body, method=False)
        cls = _function_code(name, params, body, method=True)
        asserts = [
            f"assert abs({name}(*{args!r}) - {exp!r}) < 1e-9" if isinstance(exp, float)
            else f"assert {name}(*{args!r}) == {exp!r}"
            for args, exp in cases
        ]  # fmt: skip
        script = "\n".join(asserts)
        out.append(Problem(
            f"hand-mbpp-{i}", "mbpp", Target(plain, name, method=False),
            {"answer": plain, "tests": json.dumps(asserts), "entry_point": None, "prompt": ""},
            lambda code, script=script: f"{_prelude()}\n{code}\n\n{script}\n", has_check=False,
        ))  # fmt: skip
        lcb = [{"input": "\n".join(json.dumps(a) for a in args), "output": json.dumps(exp),
                "testtype": "functional"} for args, exp in cases]  # fmt: skip
        starter = f"Complete the code.\n```python\nclass Solution:\n    def {name}(self, {params}):\n```\n"
        out.append(Problem(
            f"hand-lcb-functional-{i}", "lcb-functional", Target(cls, name, method=True),
            {"answer": cls, "tests": json.dumps(lcb), "entry_point": None, "prompt": starter},
            _call_oracle(name, True, [[a, e] for a, e in cases], unwrap=False), has_check=False,
        ))  # fmt: skip
        apps = {"inputs": [args for args, _ in cases], "outputs": [[exp] for _, exp in cases],
                "fn_name": name}  # fmt: skip
        out.append(Problem(
            f"hand-apps-call-{i}", "apps-call", Target(plain, name, method=False),
            {"answer": plain, "tests": json.dumps(apps), "entry_point": None, "prompt": ""},
            _call_oracle(name, False, [[a, [e]] for a, e in cases], unwrap=True), has_check=False,
        ))  # fmt: skip
    return out


# Hand-written stdin/stdout problems: `solve(data) -> output lines`, cases (input, output), and
# the format its tests are published in.
STDIN_PROBLEMS = [
    ("pair-sums", "lcb", """def solve(data):
    it = iter(data.split())
    return [str(int(next(it)) + int(next(it))) for _ in range(int(next(it)))]
""", [("3\n1 2\n10 -4\n0 0\n", "3\n6\n0\n"), ("1\n100 200\n", "300\n"), ("2\n-1 -1\n5 5\n", "-2\n10\n")]),
    ("sort", "apps", """def solve(data):
    nums = list(map(int, data.split()))[1:]
    return [" ".join(map(str, sorted(nums)))]
""", [("5\n3 1 2 5 4\n", "1 2 3 4 5\n"), ("3\n-1 10 0\n", ["-1 0 10"]), ("1\n7\n", "7")]),
    ("average", "stdio", """def solve(data):
    nums = list(map(int, data.split()))[1:]
    return [f"{sum(nums) / len(nums):.6f}"]
""", [("3\n1 2 4\n", "2.333333\n"), ("2\n1 2\n", "1.500000\n"), ("4\n-1 -2 -3 -5\n", "-2.750000\n")]),
    ("primes", "lcb", """def solve(data):
    def prime(n):
        return n > 1 and all(n % d for d in range(2, int(n ** 0.5) + 1))
    return ["YES" if prime(n) else "NO" for n in map(int, data.split()[1:])]
""", [("4\n2\n4\n17\n1\n", "YES\nNO\nYES\nNO\n"), ("2\n97\n100\n", "YES\nNO\n"), ("1\n3\n", "YES\n")]),
]  # fmt: skip

_BUMP = '''
def _bump(line):
    tokens = line.split()
    for i, tok in enumerate(tokens):
        if tok in ("YES", "NO"):
            tokens[i] = "NO" if tok == "YES" else "YES"
            break
        try:
            tokens[i] = str(int(tok) + 1)
            break
        except ValueError:
            pass
        try:
            tokens[i] = f"{float(tok) + 1:.6f}"
            break
        except ValueError:
            pass
    return " ".join(tokens)
'''
PRINT = 'print("\\n".join(lines))'
# kind -> (expected, the program's end after `lines = solve(input)`, the one problem it is for);
# FIRST_OUTPUT stands for the first case's expected output.
STDIN_VARIANTS: dict[str, tuple[str, str, str | None]] = {
    "stdin reference": ("correct", PRINT, None),
    "stdin trailing whitespace": (
        "correct", 'print("\\n".join(ln + " \\t " for ln in lines), end="\\n\\n\\n")', None),
    "stdin no final newline": ("correct", 'sys.stdout.write("\\n".join(lines))', None),
    "stdin same tokens, other line breaks": (
        "correct", 'tokens = " ".join(lines).split()\nprint(("\\n" if len(lines) < 2 else " ").join(tokens))',
        None),
    "stdin float within 1e-6": ("correct", 'print("\\n".join(f"{float(x):.10f}" for x in lines))', "average"),
    "stdin wrong answer": ("incorrect", f"{_BUMP}\nlines[0] = _bump(lines[0])\n{PRINT}", None),
    "stdin float off by 1e-3": (
        "incorrect", 'print("\\n".join(f"{float(x) + 1e-3:.6f}" for x in lines))', "average"),
    # "an integer printed as a float" (2.0 for 2) is no wrong solution: LiveCodeBench's and APPS's
    # graders compare numbers as decimals, and so does k2batch
    "stdin wrong case": ("incorrect", 'print("\\n".join(x.capitalize() for x in lines))', "primes"),
    "stdin missing last line": ("incorrect", 'print("\\n".join(lines[:-1]))', None),
    "stdin extra line": ("incorrect", 'print("\\n".join(lines + ["done"]))', None),
    "stdin hardcoded first case": ("incorrect", "sys.stdout.write(FIRST_OUTPUT)", None),
    "stdin prints passed": ("incorrect", 'print("All tests passed")', None),
    "stdin crash after output": (
        "incorrect", f"{PRINT}\nsys.stdout.flush()\nraise RuntimeError('crashed')", None),
    "stdin exit: sys.exit(0) before output": ("incorrect", f"sys.exit(0)\n{PRINT}", None),
    "stdin exit: os._exit(0) before output": ("incorrect", f"import os\nos._exit(0)\n{PRINT}", None),
    "stdin crash: syntax error": ("incorrect", f"{PRINT}\ndef broken(:\n    pass", None),
    "stdin timeout: infinite loop": ("incorrect", f"while True:\n    pass\n{PRINT}", None),
}  # fmt: skip


def _stdin_tests(fmt: str, cases: list) -> str:
    if fmt == "lcb":
        return json.dumps([{"input": i, "output": o, "testtype": "stdin"} for i, o in cases])
    if fmt == "apps":
        return json.dumps({"inputs": [i for i, _ in cases], "outputs": [o for _, o in cases]})
    return json.dumps({"type": "stdio", "cases": [{"input": i, "output": o} for i, o in cases]})


def _stdin_cases() -> list[dict]:
    out = []
    for name, fmt, solve, tests in STDIN_PROBLEMS:
        first = tests[0][1] if isinstance(tests[0][1], str) else "\n".join(tests[0][1])
        for kind, (expected, end, only) in STDIN_VARIANTS.items():
            if only not in (None, name):
                continue
            end = end.replace("FIRST_OUTPUT", repr(first))
            code = f"import sys\n\n{solve}\n\nlines = solve(sys.stdin.read())\n{end}\n"
            task = {"id": f"stdin-{name}:{_slug(kind)}", "domain": "code", "answer": code,
                    "tests": _stdin_tests(fmt, tests), "entry_point": None, "prompt": "",
                    "expected": expected, "kind": kind, "format": f"stdin ({fmt})"}  # fmt: skip
            if "timeout" in kind:
                task["timeout_s"] = TIMEOUT_S
            out.append(task)
    return out


# -- the plain harness -------------------------------------------------------------------------

_ORACLE = r"""
import json, os, signal, sys
out = []
for source in json.load(sys.stdin):
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        signal.alarm(LIMIT)
        try:
            exec(compile(source, "<oracle>", "exec"), {"__name__": "__main__"})
        except BaseException:
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    out.append(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0)
print(json.dumps(out))
"""


def _oracle(programs: list[str]) -> list[bool]:
    """Whether each program (candidate + tests, written by this module from trusted references and
    wrappers, never generated code) exits 0 when run plainly, each in a fresh fork."""
    if not programs:
        return []
    r = subprocess.run([sys.executable, "-c", _ORACLE.replace("LIMIT", str(ORACLE_LIMIT_S))],
                       input=json.dumps(programs), capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(r.stdout)


class _Oracle:
    def __init__(self):
        self.seen: dict[str, bool] = {}

    def passes(self, programs: Iterable[str]) -> list[bool]:
        programs = list(programs)
        new = list(dict.fromkeys(p for p in programs if p not in self.seen))
        self.seen.update(zip(new, _oracle(new), strict=True))
        return [self.seen[p] for p in programs]


# -- assembling --------------------------------------------------------------------------------


@dataclass
class Built:
    cases: list[dict]
    dropped: dict[str, list[str]] = field(default_factory=dict)  # kind -> problem ids the tests miss
    references_failing_plainly: list[str] = field(default_factory=list)  # only with check_references


def _slug(kind: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")


def _task(p: Problem, code: str, kind: str, expected: str, **extra) -> dict:
    return {"id": f"{p.id}:{_slug(kind)}", "domain": "code", **p.task, "answer": code,
            "expected": expected, "kind": kind, "format": p.fmt, **extra}  # fmt: skip


def _mutants(problems: list[Problem], quota: int, slow_quota: int, oracle: _Oracle, built: Built) -> None:
    for v in VARIANTS:
        want = slow_quota if v.slow else quota
        pool = [p for p in problems if p.has_check or not v.needs_check]
        if v.fools_plain:  # the problems where the trick works on a plain harness
            fooled = oracle.passes(p.oracle(v.build(p.target)[0]) for p in pool)
            pool = [p for p, f in zip(pool, fooled, strict=True) if f]
        kept: list[tuple[Problem, str]] = []
        start = 0
        while len(kept) < want and start < len(pool):
            batch = pool[start : start + 2 * (want - len(kept))]
            start += len(batch)
            built_ = [(p, *v.build(p.target)) for p in batch]
            plain = oracle.passes(p.oracle(core) for p, _, core in built_ if core is not None)
            verdicts = iter(plain)
            for p, code, core in built_:
                if core is not None and next(verdicts):  # the tests cannot tell it from a right one
                    built.dropped.setdefault(v.kind, []).append(p.id)
                elif len(kept) < want:
                    kept.append((p, code))
        for p, code in kept:
            extra = {"timeout_s": TIMEOUT_S} if v.slow else {}
            built.cases.append(_task(p, code, v.kind, "incorrect", **extra))


def build(shared: Path, per_format: int = PER_FORMAT, slow_per_format: int = SLOW_PER_FORMAT,
          check_references: bool = False) -> Built:  # fmt: skip
    """Every case, and what was dropped. Per shared set, `per_format` problems (a fixed shuffle,
    skipping those whose tests cannot tell the mutant) get each wrong variant, `slow_per_format`
    the timeouts; every hand-written problem gets every variant that applies."""
    shared = Path(shared)
    built, oracle = Built([]), _Oracle()
    sets = [_humaneval(shared), _leetcode(shared)]
    hand = _hand_functions()
    for problems in sets:
        for p in problems:
            built.cases.append(_task(p, p.task["answer"], f"{p.fmt} reference", "correct"))
    for p in hand:
        built.cases.append(_task(p, p.task["answer"], f"{p.fmt} reference", "correct"))
    if check_references:  # the datasets' own consistency, by the plain harness
        every = [p for problems in sets for p in problems] + hand
        full = [p.target.full if p.fmt == "humaneval" else p.task["answer"] for p in every]
        ok = oracle.passes(p.oracle(code) for p, code in zip(every, full, strict=True))
        built.references_failing_plainly = [p.id for p, good in zip(every, ok, strict=True) if not good]
    for problems in sets:
        order = list(problems)
        random.Random(f"{SEED}-{problems[0].fmt}").shuffle(order)
        _mutants(order, per_format, slow_per_format, oracle, built)
    for fmt in ("mbpp", "lcb-functional", "apps-call"):
        problems = [p for p in hand if p.fmt == fmt]
        _mutants(problems, len(problems), 1, oracle, built)
    built.cases += _stdin_cases()
    return built


def cases(shared: Path, **options) -> list[dict]:
    """The verification tasks, each with `expected` ("correct" | "incorrect") and `kind`
    (options: see `build`)."""
    return build(shared, **options).cases


def summarise(cases: list[dict], results: list[tuple[str, str]], key: str = "kind"
              ) -> dict[str, tuple[int, int]]:  # fmt: skip
    """{kind: (verdicts equal to expected, cases)}, in the order kinds first appear."""
    out: dict[str, list[int]] = {}
    for case, (status, _reason) in zip(cases, results, strict=True):
        counts = out.setdefault(case[key], [0, 0])
        counts[0] += status == case["expected"]
        counts[1] += 1
    return {k: (a, n) for k, (a, n) in out.items()}


def disagreements(cases: list[dict], results: list[tuple[str, str]]) -> list[dict]:
    """The cases whose verdict differs from `expected`, with the verdict and its reason."""
    return [{"id": c["id"], "kind": c["kind"], "expected": c["expected"], "status": s, "reason": r}
            for c, (s, r) in zip(cases, results, strict=True) if s != c["expected"]]  # fmt: skip


def main() -> int:
    import argparse
    import time

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    from k2batch.verify.pool import VerifierPool

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=root.parent / "shared" / "data")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    t0 = time.perf_counter()
    built = build(args.shared, check_references=True)
    t1 = time.perf_counter()
    print(f"{len(built.cases)} cases built in {t1 - t0:.1f}s; references failing the plain harness: "
          f"{built.references_failing_plainly or 'none'}")  # fmt: skip
    for kind, ids in built.dropped.items():
        print(f"  dropped {len(ids)} {kind} mutants the tests cannot tell from a right one: {', '.join(ids)}")
    pool = VerifierPool(args.workers, timeout_s=20)
    try:
        results = pool.check_all(built.cases)
    finally:
        pool.close()
    t2 = time.perf_counter()
    for kind, (agree, total) in summarise(built.cases, results).items():
        print(f"{kind:<44} {agree:>4}/{total:<4}")
    for d in disagreements(built.cases, results):
        print(f"    {d['id']}: expected {d['expected']}, got {d['status']}: {d['reason'][:100]}")
    print(f"verified {len(built.cases)} cases in {t2 - t1:.1f}s with {args.workers} workers")
    return 0 if not disagreements(built.cases, results) else 1


if __name__ == "__main__":
    sys.exit(main())

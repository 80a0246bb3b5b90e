"""Test files written for pytest or unittest (KodCode's `from solution import f` + `def test_...`,
BigCodeBench's and Exercism's `unittest.TestCase` classes), made into the assert scripts the
verifier runs: nothing in such a file calls its own tests, so run as a script it would pass
anything. The module under test is imported from nowhere (the candidate's names stand in for it),
every `test*` function and TestCase class runs, and where pytest itself is missing a small stand-in
gives `pytest.raises`, `pytest.approx` and `pytest.mark.parametrize`; a test that needs a fixture
cannot be run, which is an `error` verdict, never a pass."""

from __future__ import annotations

import ast
import re

_STYLE = re.compile(r"^(?:def test\w*\s*\(|class \w+\((?:unittest\.)?TestCase\))", re.M)

# Before the tests: pytest, or what of it such files use.
SHIM = r'''
try:
    import pytest
except ImportError:
    import math as _k2b_math, re as _k2b_re, sys as _k2b_sys, types as _k2b_types
    class _K2bRaises:
        def __init__(self, kind, match=None):
            self.kind, self.match, self.value = kind, match, None
        def __enter__(self):
            return self
        def __exit__(self, kind, value, tb):
            if kind is None or not issubclass(kind, self.kind):
                raise AssertionError("DID NOT RAISE " + repr(self.kind)) from value
            if self.match is not None and not _k2b_re.search(self.match, str(value)):
                raise AssertionError("the raised message does not match " + repr(self.match))
            self.value = value
            return True
    class _K2bApprox:
        def __init__(self, expected, rel=1e-6, abs=1e-12):
            self.expected, self.rel, self.abs = expected, rel, abs
        def _same(self, a, b):
            if isinstance(b, (list, tuple)):
                return isinstance(a, (list, tuple)) and len(a) == len(b) and all(map(self._same, a, b))
            if isinstance(b, dict):
                return isinstance(a, dict) and a.keys() == b.keys() and all(self._same(a[k], b[k]) for k in b)
            return a == b or _k2b_math.isclose(a, b, rel_tol=self.rel, abs_tol=self.abs)
        def __eq__(self, other):
            return self._same(other, self.expected)
    def _k2b_parametrize(names, values, **kw):
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        def mark(fn):
            fn._k2b_params = (names, list(values))
            return fn
        return mark
    def _k2b_fixture(*args, **kw):
        raise CannotCross("pytest fixtures cannot run here")
    pytest = _k2b_types.ModuleType("pytest")
    pytest.raises, pytest.approx, pytest.fixture = _K2bRaises, _K2bApprox, _k2b_fixture
    pytest.mark = _k2b_types.SimpleNamespace(parametrize=_k2b_parametrize)
    _k2b_sys.modules["pytest"] = pytest
'''

def unittest_runner(classes: list[str] | None = None) -> str:
    """Code that runs the TestCase classes named (all the module's by default) and fails unless
    all pass; a value that could not cross the sandbox in any of them is an `error` verdict, as
    in plain assert tests (unittest would count it a failure: an `incorrect`)."""
    loader = "_k2b_unittest.defaultTestLoader"
    load = (f"_k2b_unittest.TestSuite(map({loader}.loadTestsFromTestCase, [{', '.join(classes)}]))" if classes
            else f"{loader}.loadTestsFromModule(_k2b_sys.modules[__name__])")  # fmt: skip
    return f"""
import sys as _k2b_sys, unittest as _k2b_unittest
_k2b_result = _k2b_unittest.TextTestRunner(stream=_k2b_sys.stderr, verbosity=0).run({load})
for _k2b_test, _k2b_trace in _k2b_result.errors:
    if "CannotCross" in _k2b_trace:
        raise CannotCross(_k2b_trace.strip().splitlines()[-1])
assert _k2b_result.wasSuccessful()
"""


# After the tests: every test function (with its parameter rows) and every TestCase class.
RUNNER = r'''
import inspect as _k2b_inspect, sys as _k2b_sys, unittest as _k2b_unittest
def _k2b_params(fn):
    names, rows = getattr(fn, "_k2b_params", None) or next(
        (m.args[:2] for m in getattr(fn, "pytestmark", []) if m.name == "parametrize"), ([], []))
    names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
    return names, [r if len(names) > 1 else (r,) for r in rows]
for _k2b_name, _k2b_fn in list(globals().items()):
    if _k2b_name.startswith("test") and _k2b_inspect.isfunction(_k2b_fn):
        _k2b_names, _k2b_rows = _k2b_params(_k2b_fn)
        if not _k2b_names and _k2b_inspect.signature(_k2b_fn).parameters:
            raise CannotCross(_k2b_name + " needs pytest fixtures, which cannot run here")
        for _k2b_row in _k2b_rows if _k2b_names else [()]:
            _k2b_fn(**dict(zip(_k2b_names, _k2b_row)))
''' + unittest_runner()


def _main_block(node: ast.stmt) -> bool:
    """`if __name__ == "__main__":` (its `unittest.main()` would exit before the verdict)."""
    test = ast.unparse(node.test) if isinstance(node, ast.If) else ""
    return "__main__" in test and "__name__" in test


def styled(code: str) -> bool:
    """Tests a test runner would collect, none of which the file runs itself."""
    runs = re.search(r"^(?:unittest\.main|pytest\.main|test\w*)\(", code, re.M)  # at top level: it runs them
    return bool(_STYLE.search(code)) and not runs


def as_script(code: str, modules: tuple[str, ...] = ("solution",)) -> str:
    """The test file as an assert script: its imports of the module under test and its own
    `__main__` block left out."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code  # runs as written: a syntax error in the tests fails them
    lines = code.splitlines()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module in modules or _main_block(node):
            for i in range(node.lineno - 1, node.end_lineno or node.lineno):
                lines[i] = ""
        if isinstance(node, ast.ImportFrom) and node.module in modules:  # the candidate's names, as asked
            pairs = [(a.asname or a.name, a.name) for a in node.names]
            every = "globals().update({n: _k2b_import(n) for n in _k2b_names})"
            lines[node.lineno - 1] = every if pairs == [("*", "*")] else "; ".join(
                f"{alias} = _k2b_import({name!r})" for alias, name in pairs)
    return SHIM + "\n".join(lines) + "\n" + RUNNER

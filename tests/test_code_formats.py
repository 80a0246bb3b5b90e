"""Code tests in the formats public sets publish, run in the sandbox: each format's right program
passes and a wrong one fails. For stdio and call tests the comparison happens outside the
sandbox, so a program cannot forge its verdict by exiting 0 or by returning an object that claims
to equal anything."""

import json

import pyarrow.parquet as pq
import pytest

from k2batch.verify import verify_answer
from k2batch.verify.code import parse_tests, same_stdout, verify_code

TWO_SUM = "class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n        "
LCB_FUNCTIONAL = [
    {"input": "[2,7,11,15]\n9", "output": "[0, 1]", "testtype": "functional"},
    {"input": "[3,2,4]\n6", "output": "[1, 2]", "testtype": "functional"},
]
GOOD_TWO_SUM = """
class Solution:
    def twoSum(self, nums, target):
        seen = {}
        for i, x in enumerate(nums):
            if target - x in seen:
                return [seen[target - x], i]
            seen[x] = i
"""
FORGERIES = {
    "exit 0 first": "import os\nos._exit(0)\n",
    "sys.exit in the method": "import sys\nclass Solution:\n    def twoSum(self, n, t):\n        sys.exit(0)\n",
    "equals anything": (
        "class Any:\n    def __eq__(self, o): return True\n"
        "class Solution:\n    def twoSum(self, n, t): return Any()\n"
    ),
    "prints a fake verdict": "class Solution:\n    def twoSum(self, n, t):\n        print('[0, 1]')\n",
}


def test_livecodebench_functional_calls_the_starters_method_and_compares_outside():
    spec = parse_tests(json.dumps(LCB_FUNCTIONAL), starter=TWO_SUM)
    assert spec["type"] == "call" and spec["fn_name"] == "twoSum" and spec["class_name"] == "Solution"
    assert spec["cases"][0] == {"args": [[2, 7, 11, 15], 9], "expected": [0, 1]}
    assert verify_code(GOOD_TWO_SUM, spec) == ("correct", "2 cases passed")
    wrong = GOOD_TWO_SUM.replace("[seen[target - x], i]", "[i, seen[target - x]]")
    assert verify_code(wrong, spec) == ("incorrect", "case 0: wrong result")
    for name, code in FORGERIES.items():
        status, reason = verify_code(code, spec)
        assert status == "incorrect", (name, reason)


def test_livecodebench_stdin_and_apps_stdio():
    add = "a, b = map(int, input().split())\nprint(a + b)\n"
    lcb = [{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]
    apps = {"inputs": ["1 2\n", ["4 5"]], "outputs": ["3\n", ["9"]]}
    for tests in (lcb, apps):
        assert parse_tests(tests)["type"] == "stdio"
        assert verify_code(add, tests)[0] == "correct"
        assert verify_code(add.replace("+", "-"), tests)[0] == "incorrect"
    assert verify_code("import os\nos._exit(0)\n", lcb)[0] == "incorrect"


def test_apps_call_based_unwraps_one_element_outputs():
    tests = {"inputs": [[1, 2], [5, 5]], "outputs": [[3], [10]], "fn_name": "add"}
    assert verify_code("def add(a, b):\n    return a + b\n", tests) == ("correct", "2 cases passed")
    assert verify_code("def add(a, b):\n    return a * b\n", tests)[0] == "incorrect"


def test_mbpp_assert_list_and_humaneval_test_code():
    mbpp = ["assert add(1, 2) == 3", "assert add(0, 0) == 0"]
    assert verify_code("def add(a, b):\n    return a + b\n", mbpp)[0] == "correct"
    assert verify_code("def add(a, b):\n    return a - b\n", mbpp)[0] == "incorrect"
    humaneval = "def check(candidate):\n    assert candidate(2) == 4\n"
    assert verify_code("def double(x):\n    return 2 * x\n", humaneval, entry_point="double")[0] == "correct"


def test_functional_tests_without_a_function_name_are_a_clear_error():
    with pytest.raises(ValueError, match="need a function name"):
        parse_tests(LCB_FUNCTIONAL)
    assert verify_answer(None, "```python\nx = 1\n```", "code", tests=LCB_FUNCTIONAL).status == "error"


def test_stdout_comparison_is_token_wise_with_decimal_tolerance():
    assert same_stdout("1 2\n3\n", "1 2 3")
    assert same_stdout("0.3333333", "0.333333333")
    assert not same_stdout("3", "3.5") and not same_stdout("1 2", "1 2 3") and not same_stdout("10", "1e2")
    # exponent notation is a number too: LiveCodeBench's Decimal and CodeContests' doubles compare so
    assert same_stdout("10", "1e1") and same_stdout("0.00001", "1e-05") and same_stdout("1e-05", "0.0000100000001")


def test_leetcode_references_pass_as_published(shared_data):
    rows = pq.read_table(shared_data / "leetcode_rllm.parquet").slice(0, 6).to_pylist()
    for row in rows:
        status, reason = verify_code(row["answer"], row["tests"], row["problem"])
        assert status == "correct", (row["id"], reason)


def test_code_in_code_llama_tags_and_bare_code_after_a_line_of_prose():
    from k2batch.code_extract import extract_code

    assert extract_code("[PYTHON]\ndef f():\n    return 2\n[/PYTHON]")[0] == "def f():\n    return 2\n"
    prose = "Implementation of IPAddress:\nclass A:\n    def f(self):\n        return 1\n\nThis class works as asked."
    assert extract_code(prose)[0] == "class A:\n    def f(self):\n        return 1\n\n"
    broken = "def f():\n    return 1\n\nprint(f(\n"  # broken in its code: left broken, its syntax error its verdict
    assert extract_code(broken)[0].rstrip().endswith("print(f(")

"""Sets found by two more blind sets of published rows with replies: CRUXEval (what a program
does: the `execution` domain), ClassEval (a class under unittest, through the sandbox bridge),
HumanEval-X's tests that call check themselves, GSM-Hard, and CMMLU's Chinese answer phrases."""

import json

import pytest

from k2batch.extract import extract_choice
from k2batch.validate import validate_row
from k2batch.verify import answer_of, check, task
from k2batch.verify.bridge import run_tests
from k2batch.verify.pool import VerifierPool

CRUX = {"code": "def f(a, b):\n    for k, v in b.items():\n        a.setdefault(k, []).append(v)\n    return a",
        "input": "{}, {'foo': 'bar'}", "output": "{'foo': ['bar']}", "id": "sample_11"}  # fmt: skip


def _one(row: dict) -> dict:
    problem, reason = validate_row(row, 0)
    assert reason is None, reason
    return problem


@pytest.fixture(scope="module")
def pool():
    p = VerifierPool(1, timeout_s=10)
    yield p
    p.close()


def _verdicts(pool, problem: dict, replies: list[str]) -> list[tuple[str, str]]:
    tasks = [task(problem, answer_of(r, problem["domain"], choices=problem.get("choices"))[0]) for r in replies]
    return pool.check_all(tasks)


def test_cruxeval_output_and_input_prediction_run_the_rows_code(pool):
    crux = _one(CRUX)
    assert crux["domain"] == "execution" and crux["id"] == "sample_11" and "assert f({}, {'foo': 'bar'}) == ??" in crux["problem"]
    got = _verdicts(pool, crux, [
        "a is empty.\n[ANSWER]\nassert f({}, {'foo': 'bar'}) == {'foo': ['bar']}\n[/ANSWER]",
        "[ANSWER]\nassert f({}, {'foo': 'bar'}) == {'foo': 'bar'}\n[/ANSWER]\nWait:\n[ANSWER]\nassert f({}, {'foo': 'bar'}) == {'foo': ['bar']}\n[/ANSWER]",
        "[ANSWER]\nassert f({'foo': []}, {'foo': 'bar'}) == {'foo': ['bar']}\n[/ANSWER]",  # another input that gives it
        "[ANSWER]\nassert f({'x': []}, {'foo': 'bar'}) == {'foo': ['bar']}\n[/ANSWER]",  # one that does not
        "[ANSWER]\nassert f({}, {'foo': 'bar'}) == f({}, {'foo': 'bar'})\n[/ANSWER]",  # no calls in the output
        "[ANSWER]\nassert f({}, {'foo': 'bar'}) == __import__('os')._exit(0)\n[/ANSWER]",
        "[ANSWER]\nassert f(__import__('os')._exit(0)) == {'foo': ['bar']}\n[/ANSWER]",
        "The output is {'foo': ['bar']}.",  # no assertion
    ])  # fmt: skip
    assert [s for s, _ in got] == ["correct", "incorrect", "correct", "incorrect", "incorrect", "incorrect",
                                   "incorrect", "incorrect"], got  # fmt: skip
    assert "literal" in got[4][1] and "literal" in got[6][1]


def test_an_object_the_tests_made_is_read_set_and_passed_through_the_bridge():
    """Tests that set an attribute, read one, pass one object to another's method, or use len/[]/in
    on it (ClassEval's) were graded wrong before: the attribute was set on the stand-in."""
    account = ("class Account:\n    rate = 2\n    def __init__(self, balance=0):\n        self.balance = balance\n"
               "    def move(self, other, amount):\n        self.balance -= amount\n        other.balance += amount\n"
               "    def __len__(self):\n        return self.balance\n    def __getitem__(self, k):\n        return k * 2\n"
               "    @staticmethod\n    def fee(x):\n        return x + 1\n    def me(self):\n        return self\n")  # fmt: skip
    tests = ("a, b = Account(), Account(5)\na.balance = 100\nassert a.balance == 100\na.move(b, 30)\n"
             "assert (a.balance, b.balance) == (70, 35)\nassert len(b) == 35 and b[4] == 8 and Account.rate == 2\n"
             "assert Account.fee(1) == 2 and a.me() is a and bool(Account())  is False\n")  # fmt: skip
    assert run_tests(account, tests, "", 10.0) == ("correct", "all tests passed")
    wrong = account.replace("other.balance += amount", "other.balance += amount - 1")
    assert run_tests(wrong, tests, "", 10.0)[0] == "incorrect"
    # the tests' functions cross as callbacks (Exercism's list-ops folds, a sort key), nested calls too
    fold = ("def fold(f, xs, acc):\n    for x in xs:\n        acc = f(acc, x)\n    return acc\n"
            "def double(x):\n    return 2 * x\n")  # fmt: skip
    folds = ("assert fold(lambda a, x: a + double(x), [1, 2], 0) == 6\nassert fold(max, [3, 9, 4], 0) == 9\n"
             "def boom(a, x):\n    raise KeyError(x)\ntry:\n    fold(boom, [1], 0)\n    raise AssertionError\n"
             "except KeyError:\n    pass\n")  # fmt: skip
    assert run_tests(fold, folds, "", 10.0) == ("correct", "all tests passed")
    assert run_tests(fold.replace("2 * x", "3 * x"), folds, "", 10.0)[0] == "incorrect"
    # an object the candidate made still cannot cross: one equal to anything is never accepted
    forged = "class Any:\n    def __eq__(self, o):\n        return True\nclass Account:\n    def total(self):\n        return Any()\n"
    assert run_tests(forged, "assert Account().total() == 5\n", "", 10.0)[0] == "error"


def test_classeval_rows_run_every_test_class(pool):
    row = {"task_id": "ClassEval_0", "class_name": "Counter", "import_statement": ["import math"],
           "skeleton": "import math\nclass Counter:\n    def __init__(self):\n        pass\n    def add(self, n):\n        pass",
           "test_classes": ["CounterTestAdd", "CounterTestMain"],
           "test": ("import unittest\nclass CounterTestAdd(unittest.TestCase):\n    def test_add(self):\n"
                    "        c = Counter()\n        c.total = 5\n        self.assertEqual(c.add(2), 7)\n"
                    "class CounterTestMain(unittest.TestCase):\n    def test_main(self):\n"
                    "        c = Counter()\n        c.add(3)\n        self.assertEqual(c.total, 3)\n"
                    "        self.assertEqual(math.floor(c.total / 2), 1)\n")}  # fmt: skip
    problem = _one(row)
    assert problem["domain"] == "code" and problem["problem"].startswith("Please complete the class Counter")
    right = "```python\nclass Counter:\n    def __init__(self):\n        self.total = 0\n    def add(self, n):\n        self.total += n\n        return self.total\n```"
    wrong_second_class = right.replace("self.total = 0", "self.total = 1")  # only CounterTestMain fails
    assert [s for s, _ in _verdicts(pool, problem, [right, wrong_second_class])] == ["correct", "incorrect"]
    with pytest.raises(AssertionError, match="test_classes"):
        _one({**row, "test_classes": ["os.system('x')"]})


def test_humaneval_x_tests_call_check_themselves_and_name_the_entry_point(pool):
    row = {"task_id": "Python/0", "prompt": "def add(a, b):\n    \"\"\"Sum.\"\"\"\n", "declaration": "def add(a, b):\n",
           "canonical_solution": "    return a + b\n", "example_test": "",
           "test": "\n\ndef check(add):\n    assert add(2, 3) == 5\n\ncheck(add)\n"}  # fmt: skip
    problem = _one(row)
    assert json.loads(problem["tests"])["entry_point"] == "add"
    assert [s for s, _ in _verdicts(pool, problem, ["    return a + b\n", "    return a - b\n"])] == ["correct", "incorrect"]


def test_gsm_hard_is_a_number_and_cmmlu_answers_in_chinese():
    hard = _one({"input": "Janet's ducks lay 16 eggs per day ...", "code": "def solution():\n    return -9867630.0",
                 "target": -9867630.0})  # fmt: skip
    assert hard["domain"] == "math"  # BIG-Bench Hard's `input`/`target` are exact text
    assert check(task(hard, answer_of("So she makes \\boxed{-9867630} dollars.", "math")[0]))[0] == "correct"
    for reply, letter in [("……推动了近代中国社会发展。答案是D", "D"), ("自然经济根深蒂固，答案为C。", "C"),
                          ("反映的是铁器普及之前的状况，故选A。", "A"), ("比值为(√3-√2):(√2-1)，答案选项是C", "C"),
                          ("我认为答案应该是D", "D"), ("正确的选项是 C", "C")]:  # fmt: skip
        assert extract_choice(reply, 4)[0] == letter, reply
    noisy = _one({"input": "Q", "code": "def solution(): ...", "target": 3244047.0999999996})
    assert noisy["answer"] == "3244047.1"  # a float of its program's, noise and all
    assert check(task(noisy, "3244047.1"))[0] == "correct"


def test_countdown_expressions_of_the_numbers_each_once():
    row = _one({"target": 98, "nums": [44, 19, 35]})
    assert row["domain"] == "countdown" and "[44, 19, 35]" in row["problem"]

    def verdict(reply: str) -> str:
        return check(task(row, answer_of(reply, "countdown")[0]))[0]

    assert verdict("<think>44+19=63</think>\n<answer>(44 + 35) + 19</answer>") == "correct"
    assert verdict("<answer>44 + 19 + 35 = 98</answer>") == "correct"  # the result stated: TinyZero says no
    assert verdict("<answer>44 + 19 + 35 + 0</answer>") == "incorrect"  # a number not given
    assert verdict("<answer>44 * 2 + 10</answer>") == "incorrect"
    assert verdict("<answer>__import__('os').system('true')</answer>") == "incorrect"  # never evaluated
    assert verdict("<answer>44 + 19 + 35</answer> then <answer>44 - 19 + 35</answer>") == "incorrect"  # the last
    frac = _one({"target": "2", "nums": "[7, 3, 4, 1]"})  # a file of strings, as some copies have it
    assert check(task(frac, "(7 + 1) / (4 * 1)"))[0] == "incorrect"  # 1 twice, no 3
    assert check(task(frac, "(7 - 4) / 3 + 1 ** 3"))[0] == "incorrect"  # 2, each once, but no powers
    assert check(task(frac, "(7 - 3) / 4 + 1"))[0] == "correct"  # exactly 2, each number once


def test_zebralogic_every_cell_as_zeroeval_grades():
    row = _one({"id": "lgp-test-2x2-33", "size": "2*2", "puzzle": "There are 2 houses ...",
                "solution": "{'header': ['House', 'Name', 'Pet'], 'rows': [['1', 'Eric', 'cat'], ['2', 'Arnold', 'dog']]}"})  # fmt: skip
    assert row["domain"] == "grid" and '"House 1": {"Name": "___", "Pet": "___"}' in row["problem"]

    def verdict(reply: str) -> str:
        return check(task(row, answer_of(reply, "grid")[0]))[0]

    right = '{"reasoning": "...", "solution": {"House 1": {"Name": "eric ", "Pet": "Cat"}, "House 2": {"Name": "Arnold", "Pet": "dog"}}}'
    assert verdict(f"```json\n{right}\n```") == "correct"
    assert verdict(right.replace("Cat", "dog")) == "incorrect"
    assert verdict(f'{right}\nLet me double check: {{"note": "done"}}') == "incorrect"  # the last JSON has none
    assert verdict("House 1: Eric, cat. House 2: Arnold, dog.") == "incorrect"
    sudoku = _one({"puzzle": "53..7....", "solution": "534678912"})  # another set's puzzle and solution
    assert (sudoku["domain"], sudoku["answer"]) == ("math", "534678912")


def test_a_job_on_the_new_layouts_verifies_them_in_its_own_domains(tmp_path):
    """Beam, Prefect and the verifier pool on CRUXEval, Countdown and ZebraLogic files (the instant
    backend boxes a number: each is wrong, for its own domain's reason)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from k2batch.config import load_config
    from k2batch.job import run_solve
    from k2batch.testing import instant

    instant.register()
    files = {"crux": [CRUX], "countdown": [{"target": 6, "nums": [1, 2, 3]}],
             "zebra": [{"id": "z1", "puzzle": "Two houses ...", "solution": {"header": ["House", "Name"],
                                                                             "rows": [["1", "A"], ["2", "B"]]}}]}  # fmt: skip
    cfg = load_config(overrides={"backend.kind": "instant", "samples": 1})
    reasons = {}
    for name, rows in files.items():
        pq.write_table(pa.Table.from_pylist(rows), tmp_path / f"{name}.parquet")
        run_solve(str(tmp_path / f"{name}.parquet"), str(tmp_path / name), cfg)
        (solution,) = pq.read_table(tmp_path / name / "solutions").to_pylist()
        reasons[name] = (solution["domain"], solution["status"], solution["candidates"][0]["verdict_reason"])
    assert reasons["crux"][:2] == ("execution", "incorrect") and "assertion" in reasons["crux"][2]
    assert reasons["countdown"][:2] == ("countdown", "incorrect") and "each given number" in reasons["countdown"][2]
    assert reasons["zebra"][:2] == ("grid", "incorrect") and "no solution" in reasons["zebra"][2]


def test_pytest_and_unittest_files_run_their_tests(pool):
    """KodCode's `from solution import f` + `def test_...` files, parametrized and with
    pytest.raises: run as a bare script, nothing in them ran (a wrong solution passed)."""
    tests = ("import pytest\nfrom solution import interleave\n\n"
             "def test_even():\n    assert interleave('ab', 'xy') == 'axby'\n\n"
             "@pytest.mark.parametrize('a, b, want', [('abc', 'x', 'axbc'), ('', 'xyz', 'xyz')])\n"
             "def test_uneven(a, b, want):\n    assert interleave(a, b) == want\n\n"
             "def test_type():\n    with pytest.raises(TypeError):\n        interleave(1, 'x')\n")  # fmt: skip
    problem = _one({"id": "k1", "problem": "Interleave two strings.", "domain": "code", "tests": tests})
    right = ("```python\ndef interleave(a, b):\n    if not isinstance(a, str):\n        raise TypeError(a)\n"
             "    out = ''.join(x + y for x, y in zip(a, b))\n    return out + a[len(b):] + b[len(a):]\n```")  # fmt: skip
    short = right.replace(" + a[len(b):] + b[len(a):]", "")  # wrong on uneven strings only
    fixture = tests.replace("def test_even():", "def test_even(tmp_path):")
    needs = _one({"id": "k2", "problem": "Interleave.", "domain": "code", "tests": fixture})
    got = _verdicts(pool, problem, [right, short]) + _verdicts(pool, needs, [right])
    assert [s for s, _ in got] == ["correct", "incorrect", "error"], got


def test_codeforces_and_rl_sets_as_published(pool):
    cf = {"id": "4/A", "title": "Watermelon", "description": "Divide the watermelon into two even parts.",
          "input_format": "One integer w.", "output_format": "Print YES or NO.", "examples": [{"input": "8\n", "output": "YES\n"}],
          "official_tests": [{"input": "8\n", "output": "YES\n"}, {"input": "2\n", "output": "NO\n"}],
          "interaction_format": None, "generated_checker": None, "note": None}  # fmt: skip
    problem = _one(cf)
    assert problem["id"] == "4/A" and "Print YES or NO." in problem["problem"]
    code = "```python\nw = int(input())\nprint('{}' if w % 2 == 0 and w > 2 else '{}')\n```"
    got = _verdicts(pool, problem, [code.format("Yes", "No"), code.format("YES", "YES")])
    assert [s for s, _ in got] == ["correct", "incorrect"], got  # yes/no in any case, as its checker
    assert _one({**cf, "interaction_format": "Interact with the judge."})["tests"] is None  # no fixed output grades it
    calls = {"problem_id": "vfc_1", "prompt": "Write count_vowels(s).", "verification_info": json.dumps({
        "language": "python", "test_cases": [{"type": "function_call", "fn_name": "count_vowels", "input": ["hello"],
                                              "output": [2]}]})}  # fmt: skip
    assert _verdicts(pool, _one(calls), ["```python\ndef count_vowels(s):\n    return sum(c in 'aeiou' for c in s)\n```"])[0][0] == "correct"
    multipl = {"name": "HumanEval_23_strlen", "language": "py", "prompt": "def strlen(string: str) -> int:\n",
               "tests": "def check(candidate):\n    assert candidate('abc') == 3\n\ndef test_check():\n    check(strlen)\n\ntest_check()\n",
               "stop_tokens": ["\ndef"]}  # fmt: skip
    assert [s for s, _ in _verdicts(pool, _one(multipl), ["    return len(string)\n", "    return 3 * len(string)\n"])] == [
        "correct", "incorrect"]  # fmt: skip
    _, why = validate_row({**multipl, "language": "js"}, 0)
    assert "Python only" in why


def test_bigcodebench_and_aider_exercises(pool):
    bcb = {"task_id": "BigCodeBench/1", "complete_prompt": "import json\ndef task_func(s):\n    \"\"\"Parse.\"\"\"\n",
           "instruct_prompt": "Parse JSON text; raise ValueError on bad input.", "code_prompt": "import json\ndef task_func(s):\n",
           "entry_point": "task_func", "canonical_solution": "    return json.loads(s)\n",
           "test": ("import unittest\nclass TestCases(unittest.TestCase):\n    def test_ok(self):\n"
                    "        self.assertEqual(task_func('[1]'), [1])\n    def test_bad(self):\n"
                    "        with self.assertRaises(ValueError):\n            task_func('{x')\n")}  # fmt: skip
    problem = _one(bcb)
    got = _verdicts(pool, problem, ["```python\ndef task_func(s):\n    return json.loads(s)\n```",  # its import, calibrated
                                    "```python\ndef task_func(s):\n    return [1]\n```"])  # fmt: skip
    assert [s for s, _ in got] == ["correct", "incorrect"], got  # JSONDecodeError crosses as the ValueError it is
    files = _one({**bcb, "test": bcb["test"].replace("'[1]'", "open(tempfile.mktemp(), 'w').name")})
    assert _verdicts(pool, files, ["```python\ndef task_func(s):\n    return 1\n```"])[0][0] == "error"
    aider = {"exercise": "list-ops", "language": "python", "files": {
        ".docs/instructions.md": "Implement list operations.", "list_ops.py": "def append(a, b):\n    pass\n",
        "list_ops_test.py": ("import unittest\nfrom list_ops import (\n    append,\n    append as joined,\n)\n\n"
                             "class ListOpsTest(unittest.TestCase):\n    def test_append(self):\n"
                             "        self.assertEqual(joined([1], [2]), [1, 2])\n\nif __name__ == '__main__':\n    unittest.main()\n")}}  # fmt: skip
    exercise = _one(aider)
    assert exercise["id"] == "list-ops" and "Complete `list_ops.py`" in exercise["problem"]
    got = _verdicts(pool, exercise, ["list_ops.py\n```python\ndef append(a, b):\n    return a + b\n```",
                                     "```python\ndef append(a, b):\n    return b + a\n```"])  # fmt: skip
    assert [s for s, _ in got] == ["correct", "incorrect"], got


def test_rl_training_sets_code_rows_as_published(pool):
    """A ninth blind set (RL training sets): verl rows of `ability` code (Eurus-2's APPS-style
    ground truth, Skywork-OR1's LeetCode check) and DeepCoder's `tests` lists were read as math."""
    system = {"role": "system", "content": "[ASSESS]\n\nNext action: [NEXT ACTION NAME]"}
    eurus = {"data_source": "codecontests", "ability": "code", "extra_info": {"split": "dummy", "index": 0},
             "prompt": [system, {"role": "user", "content": "Print the sum of two integers a and b.\n\n"
                                 "Write Python code to solve the problem."}],
             "reward_model": {"style": "rule", "ground_truth": json.dumps({"inputs": ["1 2\n", "5 7\n"],
                                                                           "outputs": ["3\n", "12\n"]})}}  # fmt: skip
    problem = _one(eurus)
    assert problem["domain"] == "code" and "[ASSESS]" not in problem["problem"]  # the user's message alone
    sums = "```python\na, b = map(int, input().split())\nprint(a {} b)\n```"
    assert [s for s, _ in _verdicts(pool, problem, [sums.format("+"), sums.format("*")])] == ["correct", "incorrect"]
    leetcode = {"data_source": "train-code-leetcode-Easy", "ability": "code", "extra_info": {"index": 1},
                "prompt": [{"role": "user", "content": "Return the running sum of nums.\n```python\nclass Solution:\n"
                                                       "    def runningSum(self, nums: List[int]) -> List[int]:\n```"}],
                "reward_model": {"style": "rule", "ground_truth": json.dumps({
                    "inputs": None, "outputs": None, "fn_name": None, "entry_point": "Solution().runningSum",
                    "import_prefix": "from typing import *\nfrom itertools import *\n",
                    "test_code": "def check(candidate):\n    assert candidate(nums = [1,2,3,4]) == [1,3,6,10]\n"})}}  # fmt: skip
    solution = "```python\nclass Solution:\n    def runningSum(self, nums: List[int]) -> List[int]:\n        return list({})\n```"
    got = _verdicts(pool, _one(leetcode), [solution.format("accumulate(nums)"), solution.format("nums")])
    assert [s for s, _ in got] == ["correct", "incorrect"], got  # `List` and `accumulate` from its import_prefix
    stdin = {"problem": "Read n; print YES if n is even and over 2.", "starter_code": "", "metadata": "{}",
             "tests": json.dumps([{"type": "stdin_stdout", "input": "8\n", "output": "YES\n"},
                                  {"input": "5\n", "output": "NO\n"}])}  # fmt: skip
    even = "```python\nn = int(input())\nprint('YES' if n % 2 == 0 and n > 2 else 'NO')\n```"
    assert [s for s, _ in _verdicts(pool, _one(stdin), [even, even.replace("'NO'", "'YES'")])] == ["correct", "incorrect"]
    calls = dict(stdin, problem="Write vowels(s).", tests=json.dumps([
        {"type": "function_call", "fn_name": "vowels", "input": ["hello"], "output": [2]}]))
    assert _verdicts(pool, _one(calls), ["```python\ndef vowels(s):\n    return sum(c in 'aeiou' for c in s)\n```"])[0][0] == "correct"

"""Problem sets in their publishers' layouts (k2batch/formats.py): read as downloaded, each row
mapped onto the contract, and checked against the same sets in the contract's own columns."""

import base64
import json
import os
import pickle
import zlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from k2batch import formats
from k2batch.inputs import input_format, inspect_input
from k2batch.io import InputError
from k2batch.testing import instant
from k2batch.validate import validate_row
from k2batch.verify import verify_answer
from k2batch.verify.code import verify_code
from k2batch.waves import plan_waves


def _valid(rows: list[dict]) -> list[dict]:
    out = []
    for i, row in enumerate(rows):
        problem, reason = validate_row(row, i)
        assert reason is None, (row, reason)
        out.append(problem)
    return out


def test_humaneval_as_published_gives_the_contracts_tests_and_its_solutions_pass(shared_data):
    ours = pq.read_table(shared_data / "humaneval.parquet").to_pylist()  # the contract's columns
    published = [{"task_id": r["id"], "prompt": r["problem"], "canonical_solution": r["answer"],
                  "test": json.loads(r["tests"])["test"], "entry_point": r["entry_point"]} for r in ours]  # fmt: skip
    assert formats.describe(published[0]) == "HumanEval; ids from 'task_id'"
    for mine, theirs in zip(_valid(published), _valid(ours), strict=True):
        assert (mine["id"], mine["problem"], mine["domain"], mine["entry_point"]) == (
            theirs["id"], theirs["problem"], "code", theirs["entry_point"])  # fmt: skip
        same = [{**t, "check": t["check"].strip()} for t in map(json.loads, (mine["tests"], theirs["tests"]))]
        assert same[0] == same[1]  # the published column's leading blank lines are not kept
        assert json.loads(mine["extra"])["canonical_solution"] == theirs["answer"]
    first = _valid(published[:3])
    for problem, row in zip(first, published[:3], strict=True):  # the tests run: right passes, empty fails
        assert verify_code(row["prompt"] + row["canonical_solution"], problem["tests"])[0] == "correct"
        assert verify_code(row["prompt"] + "    pass\n", problem["tests"])[0] == "incorrect"


def test_gsm8k_as_published_takes_the_number_after_the_hashes(shared_data):
    ours = pq.read_table(shared_data / "gsm8k_test.parquet").to_pylist()
    published = [{"question": r["problem"], "answer": r["solution"]} for r in ours]  # openai/gsm8k
    mine = _valid(published)
    assert [p["answer"] for p in mine] == [r["answer"] for r in ours]  # 1,319: commas dropped too
    assert [p["id"] for p in mine[:3]] == ["0", "1", "2"]  # no id column: the row's position
    assert json.loads(mine[0]["extra"])["solution"] == ours[0]["solution"]


def test_math_as_published_with_and_without_an_answer_column(shared_data):
    ours = pq.read_table(shared_data / "math500.parquet").to_pylist()
    h4 = [{"problem": r["problem"], "solution": r["solution"], "answer": r["answer"], "subject": r["subject"],
           "level": int(r["level"]), "unique_id": r["id"]} for r in ours]  # HuggingFaceH4/MATH-500  # fmt: skip
    mine = _valid(h4)
    assert [(p["id"], p["answer"]) for p in mine] == [(r["id"], r["answer"]) for r in ours]
    hendrycks = [{"problem": r["problem"], "level": f"Level {r['level']}", "type": r["subject"],
                  "solution": r["solution"]} for r in ours]  # competition_math: the answer is boxed  # fmt: skip
    assert [p["answer"] for p in _valid(hendrycks)] == [r["answer"] for r in ours]


MBPP = {"task_id": 11, "text": "Write a python function to remove first and last occurrence of a given "
        "character from the string.", "code": "def remove_Occ(s,ch):\n    s = s.replace(ch, '', 1)\n"
        "    i = s.rfind(ch)\n    return s if i < 0 else s[:i] + s[i + 1:]\n",
        "test_list": ['assert remove_Occ("hello","l") == "heo"', 'assert remove_Occ("abcda","a") == "bcd"'],
        "test_setup_code": "", "challenge_test_list": []}  # fmt: skip


def test_mbpp_shows_its_tests_in_the_problem_and_runs_them():
    (p,) = _valid([MBPP])
    assert p["id"] == "11" and p["domain"] == "code"
    assert p["problem"].startswith(MBPP["text"]) and 'remove_Occ("hello","l")' in p["problem"]
    assert verify_code(MBPP["code"], p["tests"])[0] == "correct"
    assert verify_code("def remove_Occ(s, ch):\n    return s[1:-1]\n", p["tests"])[0] == "incorrect"
    sanitized = {k: v for k, v in MBPP.items() if k != "text"} | {"prompt": MBPP["text"], "test_imports": []}
    assert _valid([sanitized])[0]["problem"] == p["problem"]


def test_livecodebench_states_the_starter_code_and_calls_its_method():
    row = {"question_title": "Two Sum", "question_content": "Return the indices of two numbers adding to target.",
           "platform": "leetcode", "question_id": "1", "contest_id": "w1", "contest_date": "2023-05-01",
           "starter_code": "class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n",
           "difficulty": "easy", "private_test_cases": _lcb_private([]),
           "public_test_cases": json.dumps([{"input": "[2,7,11,15]\n9", "output": "[0, 1]",
                                             "testtype": "functional"}]),
           "metadata": json.dumps({"func_name": "twoSum"})}  # fmt: skip
    (p,) = _valid([row])
    assert (p["id"], p["domain"]) == ("1", "code") and "def twoSum" in p["problem"]
    good = "class Solution:\n    def twoSum(self, nums, target):\n        return [0, 1]\n"
    assert verify_code(good, p["tests"])[0] == "correct"
    stdin = row | {"starter_code": "", "public_test_cases": json.dumps(
        [{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]), "metadata": "{}"}  # fmt: skip
    (q,) = _valid([stdin])
    assert "stdin" in q["problem"]
    assert verify_code("a, b = map(int, input().split())\nprint(a + b)\n", q["tests"])[0] == "correct"


def test_choice_sets_letter_their_answers_as_their_harnesses_do():
    mmlu = {"question": "What is 2 + 2?", "subject": "elementary_mathematics", "choices": ["3", "4", "5", "6"],
            "answer": 1}  # cais/mmlu: the answer is the option's index  # fmt: skip
    pro = {"question_id": 70, "question": "Pick the prime.", "options": ["4", "6", "7", "8", "9"], "answer": "C",
           "answer_index": 2, "cot_content": "", "category": "math", "src": "ori"}  # fmt: skip
    arc = {"id": "Mercury_7", "question": "Which is a gas?",
           "choices": {"text": ["ice", "steam", "rock", "wood"], "label": ["1", "2", "3", "4"]},
           "answerKey": "2"}  # allenai/ai2_arc: some rows label options 1-4  # fmt: skip
    a, b, c = _valid([mmlu, pro, arc])
    assert (a["domain"], a["choices"], a["answer"], a["id"]) == ("choice", ["3", "4", "5", "6"], "B", "0")
    assert (b["id"], b["answer"], len(b["choices"])) == ("70", "C", 5)
    assert (c["id"], c["choices"][1], c["answer"]) == ("Mercury_7", "steam", "B")


def test_gpqa_options_are_shuffled_by_the_question_alike_everywhere():
    rows = [{"Record ID": f"rec{i}", "Question": f"Question {i}?", "Correct Answer": f"right {i}",
             "Incorrect Answer 1": "w1", "Incorrect Answer 2": "w2", "Incorrect Answer 3": "w3",
             "High-level domain": "Physics"} for i in range(24)]  # fmt: skip
    problems = _valid(rows)
    for p, row in zip(problems, rows, strict=True):
        letter = "ABCD".index(p["answer"])
        assert p["choices"][letter] == row["Correct Answer"]
        assert sorted(p["choices"]) == sorted([row["Correct Answer"], "w1", "w2", "w3"])
        assert p["id"] == row["Record ID"] and p["domain"] == "choice"
    assert len({p["answer"] for p in problems}) > 1  # not always A
    assert [p["choices"] for p in _valid(rows)] == [p["choices"] for p in problems]


def test_capitalised_columns_and_a_publishers_own_domain_column():
    aime = {"ID": "2024-I-1", "Problem": "Find 1+1.", "Solution": "It is $\\boxed{2}$.", "Answer": 2}
    omni = {"domain": ["Mathematics -> Algebra"], "difficulty": 5.0, "problem": "Find x if x+1=3.",
            "solution": "x = 2", "answer": "2", "source": "omni"}  # KbsdJames/Omni-MATH  # fmt: skip
    mine = {"task_id": "t1", "problem": "Write f.", "domain": "code", "test": "assert f() == 1"}
    a, o, m = _valid([aime, omni, mine])
    assert (a["id"], a["problem"], a["answer"]) == ("2024-I-1", "Find 1+1.", "2")
    assert (o["id"], o["domain"], o["answer"]) == ("1", "math", "2")
    assert json.loads(o["extra"])["source_domain"] == ["Mathematics -> Algebra"]
    assert (m["id"], m["domain"]) == ("t1", "code")  # a domain of k2batch's own stands


def test_a_file_of_no_known_layout_is_one_clear_error(tmp_path):
    path = tmp_path / "odd.parquet"
    pq.write_table(pa.table({"statement": ["x"], "gold": ["1"]}), path)
    with pytest.raises(InputError, match=r"lacks required column\(s\): id, problem.*\(gold, statement\).*HumanEval"):
        inspect_input(str(path))
    published = tmp_path / "gsm8k.parquet"
    pq.write_table(pa.table({"question": ["q"] * 12, "answer": ["#### 1"] * 12}), published)
    inspect_input(str(published))
    assert input_format(str(published)) == "GSM8K (question, answer); ids are row positions"
    waves = plan_waves(str(published), None, 5)  # positional ids repeat none: no id column to read
    assert [(w.start, w.end) for w in waves] == [(0, 5), (5, 10), (10, 12)] and not waves[0].owner


def test_a_job_on_published_humaneval_keeps_its_task_ids_and_says_how_it_read_them(shared_data, tmp_path):
    from k2batch.config import load_config
    from k2batch.job import run_solve

    instant.register()
    ours = pq.read_table(shared_data / "humaneval.parquet").slice(0, 4).to_pylist()
    rows = [{"task_id": r["id"], "prompt": r["problem"], "canonical_solution": r["answer"],
             "test": json.loads(r["tests"])["test"], "entry_point": r["entry_point"]} for r in ours]  # fmt: skip
    rows.append(dict(rows[0], task_id=None))  # a bad row is a reject, as in the contract's layout
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "he.parquet")
    cfg = load_config(overrides={"backend.kind": "instant", "samples": 1})
    manifest = run_solve(str(tmp_path / "he.parquet"), str(tmp_path / "out"), cfg)
    assert manifest["input_format"] == "HumanEval; ids from 'task_id'"
    solutions = pq.read_table(tmp_path / "out" / "solutions").to_pylist()
    assert sorted(s["id"] for s in solutions) == [r["id"] for r in ours]
    assert {s["domain"] for s in solutions} == {"code"} and "error" not in {s["status"] for s in solutions}
    (reject,) = pq.read_table(tmp_path / "out" / "rejects").to_pylist()
    assert reject["reason"] == "missing id" and json.loads(reject["row"])["entry_point"] == rows[0]["entry_point"]


@pytest.mark.parametrize("kind", ["parquet", "jsonl"])
def test_an_estimate_of_a_set_without_ids_keeps_its_pilots_ids_and_the_job_reuses_its_calls(tmp_path, kind):
    from k2batch import estimate as est
    from k2batch.config import load_config
    from k2batch.job import run_solve

    instant.register()
    rows = [{"question": f"What is 2+{i}{' and then some' * (i % 4)}?", "answer": f"2 plus {i}\n#### {i + 2}"}
            for i in range(40)]  # fmt: skip
    src, out = tmp_path / f"gsm8k.{kind}", tmp_path / "out"
    if kind == "parquet":
        pq.write_table(pa.Table.from_pylist(rows), src)
    else:  # the pilot's input is JSON Lines too, rows as published
        src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    cfg = load_config(sets=["backend.kind=instant", "samples=1"])
    res = est.estimate(str(src), str(out), cfg, min_problems=6)
    pilot = pq.read_table(out / "_estimate" / "solutions").to_pylist()
    chosen = est.choose(est.stratify(est.load_problems(str(src), None)[1]), 6, cfg.seed)[0]
    assert sorted(r["id"] for r in pilot) == sorted(p["id"] for _, p in chosen)  # positions in the input
    assert {r["problem"] for r in pilot} == {rows[int(r["id"])]["question"] for r in pilot}
    assert (out / "_estimate" / f"pilot.{kind}").exists()
    calls = pq.read_table(out / "_estimate" / "token_stats").num_rows
    assert res["tokens"]["total"]["calls"]["pilot"] == calls > 0
    manifest = run_solve(str(src), str(out), cfg)
    assert manifest["counts"]["solutions"] == 40 and manifest["calls"]["reused"] == calls


def test_mbpp_plus_reads_as_mbpp_and_runs_its_plus_inputs():
    test = ("inputs = [[(3, 4, 5, 6), (5, 7, 4, 10)], [(1, 2, 3, 4), (5, 4, 3, 7)]]\nresults = [(4, 5), (3, 4)]\n"
            "for inp, exp in zip(inputs, results):\n    assert set(similar_elements(*inp)) == set(exp)\n")  # fmt: skip
    row = {"task_id": "Mbpp/2", "prompt": "Write a function to find the shared elements from the given two lists.",
           "code": "def similar_elements(a, b):\n    return tuple(set(a) & set(b))\n", "source_file": "mbpp.jsonl",
           "test_imports": [], "test_list": ["assert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))"],
           "test": test, "entry_point": "similar_elements", "atol": 0}  # evalplus/mbppplus  # fmt: skip
    assert formats.describe(row) == "MBPP; ids from 'task_id'"
    (p,) = _valid([row])
    assert "similar_elements((3, 4, 5, 6)" in p["problem"] and p["domain"] == "code"
    assert verify_code(row["code"], p["tests"])[0] == "correct"
    assert verify_code("def similar_elements(a, b):\n    return (4, 5)\n", p["tests"])[0] == "incorrect"  # plus input


def _lcb_private(cases: list) -> str:
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(cases)))).decode()


def test_livecodebench_private_tests_are_decoded_and_graded_and_not_carried():
    public = [{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]
    private = [{"input": "5 7\n", "output": "12\n", "testtype": "stdin"}]
    row = {"question_content": "Add two numbers.", "question_id": "abc1", "starter_code": "", "metadata": "{}",
           "public_test_cases": json.dumps(public), "private_test_cases": _lcb_private(private)}  # fmt: skip
    (p,) = _valid([row])
    assert "private_test_cases" not in json.loads(p["extra"] or "{}")  # megabytes a row: graded, not copied
    assert verify_code("a, b = map(int, input().split())\nprint(a + b)\n", p["tests"])[0] == "correct"
    only_public = "a, b = map(int, input().split())\nprint(3)\n"  # passes the public case alone
    assert verify_code(only_public, p["tests"])[0] == "incorrect"

    class Boom:
        def __reduce__(self):
            return (os.system, ("touch /tmp/k2batch-pickle-ran",))

    evil = base64.b64encode(zlib.compress(pickle.dumps(Boom()))).decode()
    problem, reason = validate_row(row | {"private_test_cases": evil}, 0)
    assert problem is None and "is not text" in reason and not os.path.exists("/tmp/k2batch-pickle-ran")


def test_odd_but_published_shapes_of_answers_and_options():
    (a,) = _valid([{"problem": "Find x.", "level": "Level 1", "type": "Algebra", "solution": "So x is $\\boxed 5$."}])
    assert a["answer"] == "5"  # MATH writes some answers `\boxed 5`
    (arc,) = _valid([{"id": "q", "question": "Pick.", "choices": ["x", "y", "z"], "answerKey": "C"}])
    assert (arc["choices"], arc["answer"]) == (["x", "y", "z"], "C")
    (g,) = _valid([{"Question": "Q?", "Correct Answer": " 10^-4 eV\n", "Incorrect Answer 1": "1 eV ",
                    "Incorrect Answer 2": "2 eV", "Incorrect Answer 3": "3 eV"}])  # fmt: skip
    assert g["choices"]["ABCD".index(g["answer"])] == "10^-4 eV" and "1 eV" in g["choices"]
    verl = {"data_source": "gsm8k", "ability": "math", "extra_info": {"index": 3},
            "prompt": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 2+2?"}],
            "reward_model": {"style": "rule", "ground_truth": "4"}}  # fmt: skip
    (v,) = _valid([verl])
    assert (v["problem"], v["answer"], v["id"]) == ("What is 2+2?", "4", "0")


def test_the_contracts_columns_with_the_reference_under_another_usual_name():
    rows = [{"id": "a", "problem": "What is 1+1?", "final_answer": 2, "domain": "exact"},
            {"id": "b", "problem": "What is 2+2?", "final_answer": None, "domain": "exact"}]  # fmt: skip
    assert formats.describe(rows[0]) == "problem/final_answer columns; ids from 'id'"
    a, b = _valid(rows)
    assert (a["id"], a["answer"], a["domain"]) == ("a", "2", "exact") and b["answer"] is None
    assert formats.detect({"id", "problem", "answer", "final_answer"}) is None  # `answer` stands


def test_more_published_sets_keep_what_their_rows_need(tmp_path):
    """Options in lettered columns (simple-evals' MMLU CSV), OlympiadBench's shared context and
    list of answers, TheoremQA's booleans, SVAMP's story, AQuA-RAT's lettered options and
    CodeContests' stdin cases: each lost the options, the context or the tests before (read as
    GSM8K, or rejected)."""
    simple_evals = {"": "0", "Question": "Find the degree of Q(sqrt(2)) over Q.", "A": "0", "B": "4", "C": "2",
                    "D": "6", "Answer": "C", "Subject": "abstract_algebra"}  # fmt: skip
    lukaemon = {"input": "Pick the even one.", "A": "3", "B": "8", "C": "5", "D": "7", "target": "B"}
    olympiad = {"id": 2231, "question": "Find its speed.", "context": "A ball falls for 2 s from rest.",
                "final_answer": ["$2$", "$-2$"], "unit": "m/s", "image_1": None, "modality": "Text-only"}  # fmt: skip
    theorem = {"Question": "Is 7 prime?", "Answer": True, "Answer_type": "bool", "Picture": None}
    svamp = {"ID": "chal-1", "Body": "Each pack has 5 pencils. Ann has 3 packs.",
             "Question": "How many pencils does Ann have?", "Equation": "( 5.0 * 3.0 )", "Answer": 15.0}  # fmt: skip
    aqua = {"question": "60 km in 1.5 hours: the speed?", "options": ["A)30", "B)40", "C)45"], "rationale": "",
            "correct": "B"}  # fmt: skip
    contests = {"name": "1_A. Sum", "description": "Print a+b.", "public_tests": {"input": ["1 2\n"], "output": ["3\n"]},
                "private_tests": {"input": ["5 5\n"], "output": ["10\n"]}, "generated_tests": {"input": [], "output": []},
                "solutions": {"language": [3], "solution": ["print(sum(map(int, input().split())))"]}}  # fmt: skip
    s, lk, o, t, sv, aq, cc = _valid([simple_evals, lukaemon, olympiad, theorem, svamp, aqua, contests])
    assert (s["domain"], s["choices"], s["answer"]) == ("choice", ["0", "4", "2", "6"], "C")
    assert json.loads(s["extra"])["Subject"] == "abstract_algebra"
    assert (lk["problem"], lk["choices"], lk["answer"]) == ("Pick the even one.", ["3", "8", "5", "7"], "B")
    (plain,) = _valid([{"question": "What is a + b?", "a": 3, "b": 4, "answer": 7}])  # values, not options
    assert (plain["domain"], plain["choices"], plain["answer"]) == ("math", None, "7")
    assert o["problem"] == "A ball falls for 2 s from rest.\n\nFind its speed." and o["answer"] == "$2$, $-2$"
    assert (t["answer"], sv["answer"], sv["id"]) == ("True", "15.0", "chal-1")
    assert sv["problem"] == "Each pack has 5 pencils. Ann has 3 packs. How many pencils does Ann have?"
    assert (aq["choices"], aq["answer"], aq["domain"]) == (["30", "40", "45"], "B", "choice")
    assert cc["domain"] == "code" and "stdin" in cc["problem"] and cc["id"] == "1_A. Sum"
    assert cc["extra"] is None  # its solutions are not carried
    assert verify_code("print(sum(map(int, input().split())))\n", cc["tests"])[0] == "correct"
    assert verify_code("print(3)\n", cc["tests"])[0] == "incorrect"  # the private case counts
    # its checker (tester_sandboxer's OutputsMatch) lower-cases every token: Yes for YES
    yes = {**contests, "public_tests": {"input": [""], "output": ["YES\n"]}, "private_tests": None}
    assert verify_code("print('Yes')\n", _valid([yes])[0]["tests"])[0] == "correct"


def test_scibench_states_the_unit_as_its_prompt_and_grades_the_whole_value():
    """SciBench's JSON (`problem_text`, `answer_number`, `unit`): where the unit carries a power of
    ten, SciBench's own prompt (eval_zero.py) states the unit without it and its grader compares the
    whole value, answer_number x 10^n, within 5 % (rejected before: no format matched; then, until
    a blind set read its grader, the scale was stated and the bare number compared)."""
    row = {"problem_text": "Find the kinetic energy of the electron. \r\n", "answer_latex": " 1.10",
           "answer_number": "1.10", "unit": " $10^{-14}$ $\\mathrm{~J}$", "source": "fund", "problemid": " 3.14 ",
           "comment": " "}  # fmt: skip
    (sb,) = _valid([row])
    assert sb["problem"] == "Find the kinetic energy of the electron. The unit of the answer is $\\mathrm{~J}$."
    assert sb["answer"] == "1.10 \\times 10^{-14}" and json.loads(sb["extra"])["tolerance"] == "5%"
    assert sb["id"] == " 3.14 " and sb["domain"] == "math"  # its own id column, as written
    for reply, right in (("$$\\boxed{1.10 \\times 10^{-14}}$$ J", True), ("$$\\boxed{1.14e-14}$$", True),
                         ("$$\\boxed{1.10}$$", False), ("$$\\boxed{1.20 \\times 10^{-14}}$$", False)):  # fmt: skip
        assert verify_answer(sb["answer"], reply, "math", prompt=sb["problem"], tolerance="5%").correct is right, reply


def test_a_problem_with_a_figure_is_a_reject_saying_so():
    hle = {"id": "66f", "question": "What does the figure show?", "image": "data:image/png;base64,iVBO",
           "answer": "a cat", "answer_type": "exactMatch"}  # fmt: skip
    text = {**hle, "id": "670", "question": "What is 2+3?", "image": "", "answer": "5"}
    olympiad = {"id": 1, "question": "Find x.", "context": None, "final_answer": ["1"], "image_1": {"bytes": b"\x89P"}}
    (ok, none), (bad, why), (bad2, why2) = (validate_row(r, i) for i, r in enumerate([text, hle, olympiad]))
    assert ok["answer"] == "5" and none is None and bad is None and bad2 is None
    assert why == "the problem comes with an image (column 'image'): the recipe's models read text"
    assert "'image_1'" in why2


def test_choice_sets_as_first_published_and_sets_that_name_no_final_answer():
    """ARC / CommonsenseQA as first published ({stem, choices}: every row was a reject), OpenBookQA's
    `question_stem`, SciQ's distractors, MathQA's options in one string, MedQA's options by letter
    (rejects before; SciQ and MathQA lost their options), and what sets write where a problem has
    no final answer (NuminaMath-1.5's "proof": a reply boxing "proof" was verified)."""
    arc = {"id": "Mercury_7", "question": {"stem": "Which is a gas?", "choices": [
        {"label": "A", "text": "ice"}, {"label": "B", "text": "steam"}]}, "answerKey": "B"}  # fmt: skip
    obqa = {"id": "7-980", "question_stem": "The sun is responsible for", "choices": {
        "text": ["puppies", "plants sprouting"], "label": ["A", "B"]}, "answerKey": "B"}  # fmt: skip
    sciq = {"question": "What is a clone?", "distractor1": "phenotype", "distractor2": "male", "distractor3": "adult",
            "correct_answer": "an exact copy", "support": "A clone is an exact copy."}  # fmt: skip
    mathqa = {"Problem": "what is 2 + 2 ?", "Rationale": "", "options": "a ) 3 , b ) 4 , c ) rs . 1 , d ) 5 , e ) 6",
              "correct": "b", "annotated_formula": "add(2, 2)"}  # fmt: skip
    medqa = {"question": "Which drug?", "answer": "Nitrofurantoin", "answer_idx": "D", "meta_info": "step1",
             "options": {"A": "Ampicillin", "B": "Ceftriaxone", "C": "Doxycycline", "D": "Nitrofurantoin"}}  # fmt: skip
    a, o, s, m, med = _valid([arc, obqa, sciq, mathqa, medqa])
    assert (a["problem"], a["choices"], a["answer"], a["domain"]) == ("Which is a gas?", ["ice", "steam"], "B", "choice")
    assert (o["problem"], o["answer"]) == ("The sun is responsible for", "B")
    assert s["problem"] == "A clone is an exact copy.\nQuestion: What is a clone?"
    assert s["choices"]["ABCD".index(s["answer"])] == "an exact copy" and len(s["choices"]) == 4
    assert (m["choices"], m["answer"]) == (["3", "4", "rs . 1", "5", "6"], "B")
    assert (med["choices"][3], med["answer"]) == ("Nitrofurantoin", "D")
    numina = [{"problem": "Prove it.", "solution": "...", "answer": "proof", "question_type": "proof"},
              {"problem": "Find n.", "solution": "...", "answer": "notfound"},
              {"problem": "Find m.", "solution": "so $\\boxed{3}$", "answer": "3"}]  # fmt: skip
    assert [p["answer"] for p in _valid(numina)] == [None, None, "3"]
    csqa_test = {"id": "90b3", "question": "Pick.", "choices": {"label": ["A", "B"], "text": ["x", "y"]}, "answerKey": ""}
    assert _valid([csqa_test])[0]["answer"] is None  # unverified, not graded against ""
    contests = {"name": "1548_E. Gregor", "description": "Print 1.", "public_tests": {"input": [""], "output": ["1"]}}
    assert _valid([contests])[0]["id"] == "1548_E. Gregor"
    release = {"task_id": "HumanEval/0", "prompt": "def f():\n", "canonical_solution": "    return 1\n",
               "test": "def check(candidate):\n    assert candidate() == 1\n", "entry_point": "f",
               "base_input": [[]], "plus_input": [[]], "atol": 0}  # fmt: skip
    assert "base tests only" in formats.describe(release)
    inline = {"id": 2234, "question": "In the diagram\n<img_3398>\nfind the area.", "context": None,
              "final_answer": ["$4-\\pi$"]}  # OlympiadBench's own JSON: the figure only in the text  # fmt: skip
    assert validate_row(inline, 0) == (None, "the problem comes with an image (<img_3398>): the recipe's models read text")


def test_hle_multiple_choice_questions_list_their_options_in_the_text():
    mc = {"id": "668825f8", "question": "Which condition do critical-level views violate?\n\nAnswer Choices:\n"
          "A. Egalitarian Dominance\nB. General Non-Extreme Priority\nC. Non-Elitism", "image": "",
          "answer": "B", "answer_type": "multipleChoice", "category": "Humanities"}  # fmt: skip
    exact = {**mc, "id": "6687ffb1", "question": "Mate in 2 for black?", "answer": "Rxf3, Rf1#",
             "answer_type": "exactMatch"}  # fmt: skip
    odd = {**mc, "id": "66e9", "question": "Pick one.\nAnswer Choices:\nA. x\nC. y"}  # letters skip: as published
    m, e, o = _valid([mc, exact, odd])
    assert (m["problem"], m["choices"], m["answer"], m["domain"]) == (
        "Which condition do critical-level views violate?", ["Egalitarian Dominance", "General Non-Extreme Priority",
                                                            "Non-Elitism"], "B", "choice")  # fmt: skip
    assert (e["domain"], e["answer"], e["choices"]) == ("math", "Rxf3, Rf1#", None)
    assert (o["domain"], o["problem"]) == ("math", odd["question"])
    assert formats.describe(mc) == "HLE / TheoremQA; ids from 'id'"


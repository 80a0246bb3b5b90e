"""More sets in their publishers' layouts, each graded as its own harness grades: a row's own
numeric tolerance (TheoremQA 4 %, SciBench 5 %, OlympiadBench's `error`, JEEBench's 0.01;
k2batch/verify/tolerance.py), and sets whose reference sat in a column k2batch did not read (MGSM's
`answer_number`, BIG-Bench Hard's `target`, JEEBench's `gold`, AGIEval's `label`, MedMCQA's `cop`:
every row was unverified, or lost its options)."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from k2batch import formats
from k2batch.extract import extract_choice
from k2batch.testing import instant
from k2batch.validate import validate_row
from k2batch.verify import answer_of, check, task, verify_answer
from k2batch.verify import tolerance as tol

POLICY = {"tolerance": "precision", "units": "implied", "row_tolerance": True}


def _one(row: dict) -> dict:
    problem, reason = validate_row(row, 0)
    assert reason is None, reason
    return problem


def _verdict(problem: dict, reply: str, policy: dict = POLICY) -> str:
    answer, _ = answer_of(reply, problem["domain"], choices=problem["choices"])
    return check(task(problem, answer, policy=policy))[0]


def test_tolerance_values_and_what_they_set():
    assert tol.parse("4%") == {"tolerance": 0.04, "absolute": None}
    assert tol.parse("0.01") == tol.parse("±0.01") == tol.parse(0.01) == {"absolute": 0.01}
    assert tol.parse("1e-2,0.1") == {"absolute": 0.1}  # OlympiadBench's error per part: the largest
    assert tol.parse(None) is None and tol.parse(" ") is None and tol.parse(float("nan")) is None
    for bad in ("about 4", "-1", True, "4 %%"):
        with pytest.raises(ValueError, match="percentage"):
            tol.parse(bad)
    assert tol.of_row({"tolerance": "precision"}, "a column of another meaning") == {"tolerance": "precision"}
    assert tol.within({"absolute": 0.01}, 1.23, 1.24) and not tol.within({"absolute": 0.01}, 1.23, 1.25)
    assert tol.within({"tolerance": 0.04}, 100, 96) and not tol.within({"tolerance": 0.04}, 100, 95.9)


def test_theoremqa_floats_within_four_percent_and_its_other_types_as_keyed():
    rows = [
        {"Question": "Find y(2).", "Answer": "3.464", "Answer_type": "float", "Picture": None},
        {"Question": "Count them.", "Answer": 8, "Answer_type": "integer", "Picture": None},
        {"Question": "Find the eigenvalues.", "Answer": [1.5, 2.5], "Answer_type": "list of float", "Picture": None},
        {"Question": "Is it invertible?", "Answer": True, "Answer_type": "bool", "Picture": None},
    ]
    assert formats.describe(rows[0]).startswith("HLE / TheoremQA")
    f, i, lst, b = (_one(r) for r in rows)
    assert json.loads(f["extra"])["tolerance"] == "4%" and "tolerance" not in json.loads(i["extra"])
    assert _verdict(f, "So y(2) ≈ 3.46.") == "correct"  # 0.1 % off: its scorer's 4 % takes it
    assert _verdict(f, "The answer is 3.33.") == "correct"  # 3.9 % off
    assert _verdict(f, "The answer is 3.30.") == "incorrect"  # 4.7 % off
    assert _verdict(i, "The answer is 8.") == "correct" and _verdict(i, "The answer is 8.2.") == "incorrect"
    assert _verdict(lst, "\\boxed{[1.52, 2.49]}") == "correct" and _verdict(lst, "\\boxed{[1.7, 2.5]}") == "incorrect"
    assert _verdict(b, "Yes, so the answer is True.") == "correct"
    # a job that wants its own tolerance for every row says so
    assert _verdict(f, "The answer is 3.33.", {**POLICY, "row_tolerance": False}) == "incorrect"


def test_scibench_olympiadbench_and_jeebench_tolerances_as_their_graders():
    sci = _one({"problem_text": "Find the speed.", "answer_number": "1.10", "unit": " $\\mathrm{~m} / \\mathrm{s}$",
                "source": "fund", "problemid": "3.1"})  # fmt: skip
    assert _verdict(sci, "\\boxed{1.15}") == "correct" and _verdict(sci, "\\boxed{1.16}") == "incorrect"
    # math-verify rounds to 6 places: 3.8 x 10^{-19} was "equivalent" to 3.52 x 10^{-19}, without a tolerance too
    assert not verify_answer("3.52 \\times 10^{-19}", "\\boxed{3.8 \\times 10^{-19}}").correct
    oly = {"id": 7, "question": "Find the speed.", "context": None, "final_answer": ["$2.50$"], "unit": "m/s",
           "error": "5e-2", "answer_type": "Numerical"}  # fmt: skip
    o = _one(oly)
    assert _verdict(o, "\\boxed{2.55}") == "correct" and _verdict(o, "\\boxed{2.56}") == "incorrect"
    exact = _one({**oly, "error": None})
    assert _verdict(exact, "\\boxed{2.55}") == "incorrect"  # no error given: its judge's 1e-8
    jee = {"description": "JEE Adv 2019 Paper 1", "index": 3, "subject": "phy", "type": "Numeric",
           "question": "Find the time in seconds."}  # fmt: skip
    num, integer, multi = (_one({**jee, **x}) for x in ({"gold": "0.69"}, {"type": "Integer", "gold": "5"},
                                                          {"type": "MCQ(multiple)", "gold": "BD"}))  # fmt: skip
    assert num["problem"].startswith("In this problem, the final answer is a numeric value")
    assert _verdict(num, "\\boxed{0.70}") == "correct" and _verdict(num, "\\boxed{0.71}") == "incorrect"
    assert _verdict(integer, "\\boxed{5}") == "correct" and _verdict(integer, "\\boxed{5.01}") == "incorrect"
    assert "one or more options" in multi["problem"]
    assert _verdict(multi, "\\boxed{BD}") == "correct" and _verdict(multi, "\\boxed{B}") == "incorrect"


def test_a_tolerance_column_of_ones_own_and_a_bad_one_is_the_rows_reason():
    ok = _one({"id": "a", "problem": "Estimate g.", "answer": "9.81", "tolerance": "1%"})
    assert _verdict(ok, "\\boxed{9.75}") == "correct" and _verdict(ok, "\\boxed{9.70}") == "incorrect"
    problem, reason = validate_row({"id": "b", "problem": "Estimate g.", "answer": "9.81", "tolerance": "roughly"}, 1)
    assert problem is None and "tolerance 'roughly'" in reason
    assert verify_answer("9.81", "\\boxed{9.75}", tolerance="1%").correct  # the one-call API takes it too
    assert not verify_answer("9.81", "\\boxed{9.75}").correct


def test_sets_whose_reference_sat_in_a_column_k2batch_did_not_read():
    mgsm = _one({"question": "Janet hat 3 Enten ...", "answer": None, "answer_number": 18, "equation_solution": None})
    assert mgsm["answer"] == "18" and _verdict(mgsm, "Die Antwort ist 18.") == "correct"
    bbh = [_one({"input": "not ( True ) and ( True ) is", "target": "False"}),
           _one({"input": "Which is a noun?\nOptions:\n(A) run\n(B) cat", "target": "(B)"}),
           _one({"input": "Sort the words: oven costume counterpart", "target": "costume counterpart oven"})]  # fmt: skip
    assert [_verdict(p, r) for p, r in zip(bbh, ["So the answer is False.", "So the answer is (B).",
                                                 "So the answer is costume counterpart oven."], strict=True)] == ["correct"] * 3  # fmt: skip
    assert [_verdict(p, r) for p, r in zip(bbh, ["So the answer is True.", "So the answer is (A).",
                                                 "So the answer is oven costume counterpart."], strict=True)] == ["incorrect"] * 3  # fmt: skip
    assert verify_answer("neither even nor odd", "\\boxed{\\text{neither odd nor even}}").correct  # joined: any order
    agi = _one({"passage": "A passage.", "question": "Which?", "options": ["(A)dog", "(B)cat", "(C)cow"], "label": "B",
                "answer": None, "other": None})  # fmt: skip
    assert (agi["domain"], agi["choices"], agi["answer"]) == ("choice", ["dog", "cat", "cow"], "B")
    assert agi["problem"] == "A passage.\n\nWhich?" and _verdict(agi, "The answer is B.") == "correct"
    several = _one({"passage": None, "question": "Which are even?", "options": ["(A)2", "(B)3", "(C)4"],
                    "label": ["A", "C"], "answer": None, "other": None})  # fmt: skip
    assert several["answer"] == "AC" and "(C) 4" in several["problem"] and _verdict(several, "\\boxed{AC}") == "correct"
    cloze = _one({"passage": None, "question": "Find x.", "options": None, "label": None, "answer": "3", "other": None})
    assert (cloze["domain"], cloze["answer"]) == ("math", "3")
    med = {"id": "m1", "question": "Which vitamin?", "opa": "A", "opb": "B12", "opc": "C", "opd": "D", "cop": 1,
           "choice_type": "single", "exp": "..."}  # fmt: skip
    m, unlabelled = _one(med), _one({**med, "cop": -1})
    assert (m["choices"], m["answer"], m["id"]) == (["A", "B12", "C", "D"], "B", "m1") and unlabelled["answer"] is None


def test_mathqa_style_lower_case_letter_ending_the_answer_line():
    q = {"Problem": "Pick.", "Rationale": "", "options": "a ) 1 , b ) 2 , c ) 3", "correct": "b"}
    p = _one(q)
    assert _verdict(p, "The answer is b") == "correct" and _verdict(p, "so the answer is b.\n") == "correct"
    assert _verdict(p, "The answer is c") == "incorrect"
    # an article is still no letter: "the answer is a ..." reads on
    assert extract_choice("The answer is a number near 2, I think.\nMaybe.", 3)[0] is None


def test_a_job_grades_each_row_by_its_own_tolerance_and_a_reverify_keeps_it(tmp_path):
    from k2batch.config import load_config
    from k2batch.job import run_solve
    from k2batch.reverify import reverify_rows, run_verify
    from k2batch.verify.pool import VerifierPool

    instant.register()  # its candidates box the number after "answer" (or one more): 100 or 101
    rows = [{"Question": f"Give answer 100 for case {i}.", "Answer": "102.0", "Answer_type": "float",
             "Picture": None} for i in range(3)]  # fmt: skip
    rows += [{"Question": "Give answer 100 for the integer case.", "Answer": "102", "Answer_type": "integer",
              "Picture": None}]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "theoremqa.parquet")
    cfg = load_config(overrides={"backend.kind": "instant", "samples": 1})
    run_solve(str(tmp_path / "theoremqa.parquet"), str(tmp_path / "out"), cfg)
    solutions = pq.read_table(tmp_path / "out" / "solutions").to_pylist()
    got = {s["id"]: s["status"] for s in solutions}
    assert got == {"0": "correct", "1": "correct", "2": "correct", "3": "incorrect"}
    run_verify(str(tmp_path / "out"), str(tmp_path / "again"), workers=1)  # the row's tolerance is in its extra
    assert {s["id"]: s["status"] for s in pq.read_table(tmp_path / "again" / "solutions").to_pylist()} == got
    strict = load_config(overrides={"backend.kind": "instant", "samples": 1, "verify.math.row_tolerance": False})
    pool = VerifierPool(1, 10.0)
    try:
        rows_again, changed = reverify_rows(solutions, pool, strict)
    finally:
        pool.close()
    assert changed == 3 and {r["status"] for r in rows_again} == {"incorrect"}


def test_commonsense_sets_with_options_in_numbered_columns():
    """WinoGrande's `option1`/`option2` keyed "1"/"2", PIQA's `sol1`/`sol2` keyed 0/1, HellaSwag's
    `endings` keyed "0"-"3": each was one error naming its columns before."""
    wino = {"sentence": "The trophy does not fit in the suitcase because _ is too big.", "option1": "trophy",
            "option2": "suitcase", "answer": "1"}  # fmt: skip
    w, unkeyed = _one(wino), _one({**wino, "answer": ""})
    assert (w["choices"], w["answer"], unkeyed["answer"]) == (["trophy", "suitcase"], "A", None)
    assert _verdict(w, "The trophy is too big, so the answer is A.") == "correct"
    piqa = _one({"goal": "Open a stuck jar.", "sol1": "Hit the lid.", "sol2": "Run the lid under hot water.", "label": 1})
    assert (piqa["choices"][1], piqa["answer"]) == ("Run the lid under hot water.", "B")
    swag = _one({"ind": 4, "activity_label": "Removing ice", "ctx": "A man is removing ice from a car. He",
                 "endings": ["eats it.", "scrapes it off.", "sings.", "runs."], "split": "val", "label": "1"})  # fmt: skip
    assert swag["problem"].endswith("A man is removing ice from a car. He") and swag["answer"] == "B"
    assert _verdict(swag, "He scrapes it off: (B)") == "correct" and _verdict(swag, "Answer: C") == "incorrect"


def test_what_a_blind_set_of_published_rows_and_replies_found():
    """Misses of a held-out set (180 published rows with replies, labelled by each benchmark's own
    grader, kept outside the repo), each fixed and kept here."""
    dyck = _one({"input": "Complete the rest of the sequence. Input: < [ [", "target": "] ] >"})
    assert dyck["domain"] == "exact"  # brackets are no math: "reference does not parse" before
    assert _verdict(dyck, "So the answer is ] ] >.") == "correct" and _verdict(dyck, "So the answer is > ] ].") == "incorrect"
    pairs = {"id": 2, "question": "Compute all ordered pairs of real numbers $(x, y)$ that satisfy both equations.",
             "context": None, "final_answer": ["$(-6,6)$, $(2,6)$"], "is_multiple_answer": True, "error": None}  # fmt: skip
    assert _verdict(_one(pairs), "So the final answer is \\boxed{(2,6),(-6,6)}.") == "correct"  # "ordered" pairs
    listed = _one({"Question": "Return the list of [mean, variance].", "Answer": "[1.0, 0.25]",
                   "Answer_type": "list of float", "Picture": None})  # fmt: skip
    assert listed["answer"] == "1.0, 0.25"  # its values, not an interval: a tuple answers it too
    assert _verdict(listed, "The answer is (1, 0.25).") == "correct" and _verdict(listed, "The answer is (1, 0.3).") == "incorrect"
    asdiv = _one({"Body": "Lisa rented 4 DVDs for $4.80.", "Question": "How much did each DVD cost to rent?",
                  "Answer": "1.2 (dollars)", "Formula": "4.80/4=1.2"})  # fmt: skip
    assert asdiv["answer"] == "1.2" and _verdict(asdiv, "4 DVDs cost $4.80, so each DVD cost 4.80 / 4 = $1.20 to rent.") == "correct"
    svamp = _one({"Body": "Dan had $ 3 left after he bought a candy bar. He had $ 4 at the start.",
                  "Question": "How much did the candy bar cost?", "Answer": 1.0})  # fmt: skip
    assert _verdict(svamp, "Dan started with $4 and had $3 left, so the candy bar cost 4 − 3 = $1.") == "correct"
    mathqa = _one({"Problem": "how long is her book ?", "options": "a ) 229 , b ) 270 , c ) 877", "correct": "b"})
    assert _verdict(mathqa, "The difference is 90 pages, so the book has 270 pages.\nb ) 270") == "correct"
    assert extract_choice("Options:\na ) 1\nb ) 2", 3)[0] is None  # a list of options closing a reply names none


def test_what_a_second_blind_set_found():
    """A second held-out set (171 rows of GPQA, MMLU(-Pro), ARC, AIME, HMMT, MATH-500, Minerva, Omni-MATH,
    GSM8K, HLE, MedQA and the commonsense sets, each with a reply labelled by its own grader)."""
    assert extract_choice("So the variability must come from V(D)J recombination hypermutation", 4)[0] is None
    aime = "[DEGF] = 24/49 · [ABC] = 288 ⇒ [ABC] = 588, and the reflections keep the area, so the heptagon has area 588."
    assert answer_of(aime, "math")[0] == "588"  # what "so" says, not the sentence's first number
    assert answer_of("So the train travels 210 miles in total over the 4 hours.", "math")[0] == "210 miles"
    hmmt = ("Compute the two possible values of $a+b+c$. In your answer, list the two values in a comma-separated "
            "list of two valid \\LaTeX expressions.")  # fmt: skip
    gold = "\\frac{-1+\\sqrt{17}}{2}, \\frac{-1-\\sqrt{17}}{2}"
    assert verify_answer(gold, "\\boxed{\\frac{-1-\\sqrt{17}}{2}, \\frac{-1+\\sqrt{17}}{2}}", prompt=hmmt).correct
    polar = "Convert the point $(0,3)$ to polar coordinates, in the form $(r,\\theta),$ where $r > 0$ and $0 \\le \\theta < 2 \\pi.$"
    assert not verify_answer("\\left( 3, \\frac{\\pi}{2} \\right)", "$\\boxed{(3, 90^\\circ)}$", prompt=polar).correct
    assert verify_answer("\\left( 3, \\frac{\\pi}{2} \\right)", "$\\boxed{(3, \\frac{\\pi}{2})}$", prompt=polar).correct


def test_livebench_and_mawps_as_published():
    """LiveBench's `turns` and `ground_truth` (its rows without a reference are solved, unverified),
    MAWPS's `sQuestion` and one-value `lSolutions`: each was one error naming its columns."""
    live = {"question_id": "a1b2", "category": "math", "ground_truth": "1,3,2", "task": "olympiad",
            "turns": ["Order the steps. Answer as a comma-separated list of indices."], "hardness": 0.5}  # fmt: skip
    lb, free = _one(live), _one({**live, "question_id": "c3", "category": "instruction_following", "ground_truth": None})
    assert (lb["id"], lb["answer"], free["answer"]) == ("a1b2", "1,3,2", None) and lb["problem"].startswith("Order")
    assert _verdict(lb, "So the order is \\boxed{1,3,2}.") == "correct" and _verdict(lb, "\\boxed{1,2,3}") == "incorrect"
    mawps = _one({"iIndex": 7, "sQuestion": "Joan has 5 apples and gets 3 more. How many?", "lSolutions": [8.0],
                  "lEquations": ["X=5+3"], "lAlignments": [0, 1]})  # fmt: skip
    assert (mawps["id"], mawps["answer"]) == ("7", "8.0") and _verdict(mawps, "She has 8 apples.") == "correct"


def test_an_option_named_by_its_text_in_a_job_as_in_the_benchmark():
    """GPQA replies written for another harness's shuffle name a letter of that order with its
    option's text ("Answer: D (11)"): the text is the answer. A reply naming only the text
    ("Answer: bank", "**Answer: 10^-4 eV**") is that option. A job's candidates read answers as the
    benchmark does (they were read without the whole-reply rules before)."""
    from k2batch.backends.base import ChatRequest, ChatResult
    from k2batch.recipe import make_candidate

    gpqa = _one({"Question": "How many carbons does product 3 have?", "Correct Answer": "11",
                 "Incorrect Answer 1": "10", "Incorrect Answer 2": "12", "Incorrect Answer 3": "14"})  # fmt: skip
    right = gpqa["answer"]
    wrong = next(x for x in "ABCD" if x != right)
    wrong_text = gpqa["choices"]["ABCD".index(wrong)]
    assert _verdict(gpqa, f"Cyclopropanation adds one carbon.\n\nAnswer: {wrong} (11)") == "correct"
    assert _verdict(gpqa, f"Answer: {right} ({wrong_text})") == "incorrect"  # the text, not the letter
    assert _verdict(gpqa, f"Answer: {right} (eleven)") == "correct"  # a gloss naming no option: the letter
    assert _verdict(gpqa, f"**{wrong}** — 11") == "correct" and _verdict(gpqa, "Answer: 11") == "correct"
    signed = _one({"Question": "Expectation value?", "Correct Answer": "-0.7", "Incorrect Answer 1": "0.85",
                   "Incorrect Answer 2": "-1.4", "Incorrect Answer 3": "0.7"})  # fmt: skip
    other = next(x for x in "ABCD" if x != signed["answer"] and signed["choices"]["ABCD".index(x)] != "0.7")
    assert _verdict(signed, f"Answer: {other}) -0.7") == "correct"  # a minus sign is no dash
    dashed = _one({"Question": "In base, oxygen is a ... oxidant and reacts ...", "Correct Answer": "weaker - slower",
                   "Incorrect Answer 1": "stronger – slower", "Incorrect Answer 2": "weaker – faster",
                   "Incorrect Answer 3": "stronger – faster"})  # fmt: skip
    assert _verdict(dashed, "Answer: weaker – slower") == "correct"
    csqa = _one({"id": "q1", "question": {"stem": "Revolving doors are a security measure at a?", "choices": [
        {"label": x, "text": t} for x, t in zip("ABC", ["bank", "library", "mall"], strict=True)]}, "answerKey": "A"})
    assert _verdict(csqa, "They control entry.\n\n**Answer: bank**") == "correct"
    assert _verdict(csqa, "Answer: library") == "incorrect" and _verdict(csqa, "Answer: the bank or the mall") == "incorrect"
    request = ChatRequest(messages=(("user", "q"),), max_tokens=8)
    cand = make_candidate(0, None, request, ChatResult(f"It adds a carbon.\nAnswer: {wrong} (11)", "stop"), gpqa)
    assert cand["answer"] == right and "glossed" in cand["verdict_reason"]
    named = make_candidate(0, None, request, ChatResult("Answer: bank", "stop"), csqa)
    assert named["answer"] == "A"  # the option the text names


def test_superglue_and_commonsense_layouts_and_a_reply_that_asks_itself_the_next_question():
    """A fifth blind set (OpenCompass's generative SuperGLUE and commonsense tasks): COPA, Social
    IQa, RTE (and NLI sets' labels), BoolQ as Yes/No options, StrategyQA's "nope"; a base model's
    reply that goes on with "Question: ..." is read up to there, as the harnesses stop it."""
    copa = _one({"premise": "The man turned on the faucet.", "choice1": "The toilet filled with water.",
                 "choice2": "Water flowed from the spout.", "question": "effect", "label": 1, "idx": 0})  # fmt: skip
    assert copa["answer"] == "B" and copa["problem"].endswith("What happened as a result?")
    assert _verdict(copa, "B") == "correct" and _verdict(copa, "The answer is A.") == "incorrect"
    siqa = _one({"context": "Tracy resisted Riley's attacks.", "question": "What does Tracy need to do before this?",
                 "answerA": "make a new plan", "answerB": "Go home", "answerC": "Find somewhere to go", "label": "3"})  # fmt: skip
    assert siqa["answer"] == "C" and _verdict(siqa, "C. Find somewhere to go") == "correct"
    rte = {"premise": "Dana Reeve has died of lung cancer.", "hypothesis": "Christopher Reeve had an accident.", "idx": 0}
    assert [_one({**rte, "label": x})["answer"] for x in (0, 1, "entailment", "not_entailment", "neutral", 2)] == [
        "A", "B", "A", "B", "B", "B"]  # fmt: skip
    assert _verdict(_one({**rte, "label": 1}), "No, the premise mentions no accident.\n\nAnswer: B") == "correct"
    boolq = _one({"question": "is pain experienced in a missing body part", "answer": True,
                  "passage": "Phantom pain sensations are perceptions ..."})  # fmt: skip
    assert (boolq["choices"], boolq["answer"]) == (["Yes", "No"], "A")
    assert [_verdict(boolq, r) for r in ("A", "Answer: yes", "**No**", "B. No")] == ["correct", "correct", "incorrect", "incorrect"]
    strategy = _one({"qid": "41450dbd", "question": "Would a Monoamine Oxidase candy bar cheer up a depressed friend?",
                     "answer": False, "facts": [], "decomposition": []})  # fmt: skip
    assert _verdict(strategy, "It wouldn't help. Now, the answer is nope.") == "correct"
    svamp = _one({"ID": "chal-4", "Body": "43 children were on the bus. 21 were left after the stop.",
                  "Question": "How many children got off the bus?", "Answer": 22.0})  # fmt: skip
    reply = "The number of children that got off is 22.\n\nQuestion: How many children got on the bus?\nAnswer: 30"
    assert _verdict(svamp, reply) == "correct"
    assert _verdict(svamp, "Question: How many got off?\nAnswer: 22") == "correct"  # a restated question first
    docstring = 'def f():\n    """Answer a quiz.\n    Q: what is 1 + 1?\n    """\n    return 2\n'
    assert answer_of(f"Here it is:\n```python\n{docstring}```", "code")[0] == docstring  # code is never cut


def test_what_a_seventh_blind_set_found():
    """A set written blind after the others were fixed (the new layouts, fresh rows): a GPQA letter
    glossed on an earlier line or after "the answer is", SuperGLUE's BoolQ `label`, open-r1's
    Codeforces rows beside `problem` and `prompt` columns of none, ZeroEval's list cells."""
    gpqa = _one({"Question": "Speed of light in moving glass?", "Correct Answer": "(1+n*v)/(n+v)",
                 "Incorrect Answer 1": "(1-n*v)/(n-v)", "Incorrect Answer 2": "(1-n*v)/(n+v)",
                 "Incorrect Answer 3": "(1+n*v)/(n-v)"})  # fmt: skip
    other = next(x for x in "ABCD" if x != gpqa["answer"])
    assert _verdict(gpqa, f"u = (1 + nv)/(n + v).\n\nThat is option {other}: (1+n*v)/(n+v).\n\nAnswer: {other}") == "correct"
    assert _verdict(gpqa, f"So the answer is (1+n*v)/(n+v).\n\nAnswer: {other}") == "correct"
    assert _verdict(gpqa, f"So the answer is clear.\n\nAnswer: {other}") == "incorrect"  # no option's text: the letter
    boolq = _one({"question": "can you tan through a window", "passage": "Glass transmits UVA.", "idx": 1, "label": 1})
    assert (boolq["choices"], boolq["answer"]) == (["Yes", "No"], "A")
    cf = _one({"id": "4/A", "problem": None, "prompt": None, "title": "Watermelon", "description": "Even parts?",
               "input_format": "w", "output_format": "YES or NO", "examples": [], "official_tests": "[]"})  # fmt: skip
    assert cf["id"] == "4/A" and cf["problem"].startswith("Watermelon")
    zebra = _one({"id": "z", "puzzle": "Two houses ...", "solution": {"header": ["House", "Name"], "rows": [["1", "A"], ["2", "B"]]}})
    listed = '{"solution": {"House 1": {"Name": ["A"]}, "House 2": {"Name": ["B"]}}}'
    assert _verdict(zebra, listed) == "correct"

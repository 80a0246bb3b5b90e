"""Math and science sets as their publishers ship them (k2batch/formats.py reads which): each mapping
gives a row's problem and reference as that benchmark's own prompt and grader read them, and,
where its grader allows one, the row's numeric tolerance (k2batch/verify/tolerance.py)."""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from k2batch.choicesets import Get, hle, missing, truth


def olympiadbench(get: Get) -> dict:
    """OlympiadBench: a shared `context` goes before the question (its physics problems need it);
    `final_answer` is a list."""
    context = get("context")
    question = f"{context}\n\n{get('question')}" if not missing(context) else get("question")
    tolerance = olympiad_tolerance(get("error"))
    own = {"tolerance": tolerance} if tolerance else {}
    return {"problem": question, "answer": get("final_answer"), **own}


def olympiad_tolerance(error: Any) -> str | None:
    """OlympiadBench's `error`: its judge's absolute tolerance, one per part ("0.1,0.01"; the
    largest is kept, a shortcut), empty for exact answers."""
    parts = [p.strip() for p in str(error or "").split(",") if p.strip()]
    return ",".join(parts) or None


def mgsm(get: Get) -> dict:
    """MGSM (and GSM8K-style sets with an `answer_number`): the number is the reference; `answer`
    holds a worked solution in its exemplar rows only."""
    return {"problem": get("question"), "answer": get("answer_number")}


def livebench(get: Get) -> dict:
    """LiveBench: the prompt as its `turns` (one, as a rule), the reference in `ground_truth`
    (rows without one, its instruction-following tasks, are solved and left unverified)."""
    turns = get("turns")
    turns = "\n\n".join(str(t) for t in turns) if isinstance(turns, list | tuple) else turns
    return {"problem": turns, "answer": get("ground_truth")}


def mawps(get: Get) -> dict:
    """MAWPS: `sQuestion`, the answer a one-value list `lSolutions`."""
    solutions = get("lsolutions")
    if isinstance(solutions, list | tuple) and len(solutions) == 1:
        solutions = solutions[0]
    return {"problem": get("squestion"), "answer": solutions}


def bbh(get: Get) -> dict:
    """BIG-Bench Hard: the task text (options inside it, "(A) ...") in `input`, the expected reply
    in `target` ("(B)", "False", "valid", "costume counterpart oven", "] ) >"), matched exactly as its
    harness matches (the `exact` domain: a word list keeps its order, brackets are no math)."""
    return {"problem": get("input"), "answer": get("target"), "domain": "exact"}


def gsm_hard(get: Get) -> dict:
    """GSM-Hard (PAL): GSM8K's questions with larger numbers in `input`, the value its program
    `code` computes in `target` (a float: `-9867630.0`), graded as a number, not BBH's exact text."""
    target = get("target")
    if isinstance(target, float) and abs(target) < 1e12:
        target = f"{target:.12g}"  # its programs' float noise: 3244047.0999999996 is 3244047.1
    return {"problem": get("input"), "answer": target}


JEE_ASKS = {  # what JEEBench's own prompt tells the model for each type of question (its grader relies on it)
    "mcq": "In this problem, only one option is correct; end with the letter of that option.",
    "mcq(multiple)": "In this problem, one or more options can be correct; end with the letters of all the "
    "correct options.",
    "integer": "In this problem, the final answer is a non-negative integer.",
    "numeric": "In this problem, the final answer is a numeric value: give it correct up to the 2nd decimal "
    "digit.",
}


def jeebench(get: Get) -> dict:
    """JEEBench: `gold` is a letter, letters (several options right) or a number; the question
    carries its options. The type's instruction goes first, as JEEBench's prompt; its grader takes a
    Numeric answer within 0.01 of the key."""
    kind = str(get("type") or "").strip().lower()
    question = get("question")
    problem = f"{JEE_ASKS[kind]}\n\n{question}" if kind in JEE_ASKS else question
    return {"problem": problem, "answer": get("gold"), **({"tolerance": "0.01"} if kind == "numeric" else {})}


SCALE = re.compile(r"\$?\s*10\^\{?\s*(-?\d+)\s*\}?\s*\$?")  # SciBench's remove_not: a unit's power of ten


def scibench(get: Get) -> dict:
    """SciBench: `answer_number` is the answer in the unit `unit` names. Where that unit carries a
    power of ten (`$10^{-19} \\mathrm{~J}$`), SciBench's own prompt states the unit without it and
    its grader compares the whole value (3.52 x 10^{-19}); both are done here. Its grader takes an
    answer within 5 % (`math.isclose(rel_tol=0.05)`): the row's tolerance."""
    unit, text, number = get("unit"), get("problem_text"), get("answer_number")
    unit = "" if missing(unit) else str(unit).strip()
    scale = SCALE.search(unit)
    if scale and not missing(number):
        unit = SCALE.split(unit)[-1].strip(" $")
        unit = f"${unit}$" if unit.startswith("\\") else unit  # `\mathrm{~J}` as the math it is
        number = f"{str(number).strip()} \\times 10^{{{scale.group(1)}}}"
    return {"problem": f"{str(text).strip()} The unit of the answer is {unit}." if unit else text,
            "answer": number, "tolerance": "5%"}  # fmt: skip


THEOREMQA_TYPES = ("bool", "integer", "float", "option", "list of integer", "list of float")


def theoremqa_or_hle(get: Get) -> dict:
    """TheoremQA and HLE share `question`, `answer`, `answer_type`; TheoremQA's scorer takes a
    float within 4 % of the key (its integers exactly here: it rounds the answer, not copied)."""
    kind = str(get("answer_type") or "").strip().lower()
    if kind not in THEOREMQA_TYPES:
        return hle(get)
    own = {"tolerance": "4%"} if "float" in kind else {}
    answer = get("answer")  # a list as its text, "[1.0, 0.25]": its values (not an interval)
    if kind.startswith("list") and isinstance(answer, str) and re.fullmatch(r"\s*\[.*\]\s*", answer, re.S):
        answer = answer.strip()[1:-1]
    return {"problem": get("question"), "answer": answer, **own}


def svamp(get: Get) -> dict:
    """SVAMP (and ASDiv) state the story in `Body` and ask in `Question`; ASDiv's answer names what
    it counts, "9 (apples)": its grader compares the number."""
    answer = get("answer")
    counted = re.fullmatch(r"\s*(-?[\d.,/:]+)\s*\([^()]*\)\s*", answer) if isinstance(answer, str) else None
    return {"problem": f"{get('body')} {get('question')}", "answer": counted.group(1) if counted else answer}


def countdown(get: Get) -> dict:
    """TinyZero's Countdown tasks (`target`, `nums`): an expression of the numbers, each once."""
    nums = get("nums")
    nums = json.loads(nums) if isinstance(nums, str) else [int(n) for n in nums]
    problem = (f"Using the numbers {nums}, create an equation that equals {get('target')}. You can use basic "
               "arithmetic operations (+, -, *, /) and each number can only be used once.")  # fmt: skip
    tests = json.dumps({"nums": nums, "target": str(get("target"))})
    return {"problem": problem, "answer": str(get("target")), "domain": "countdown", "tests": tests}


def zebralogic(get: Get) -> dict:
    """ZebraLogic's grid puzzles (`puzzle`, `solution` {header, rows}), graded as ZeroEval grades:
    every cell of the table the reply's JSON gives. The prompt asks for ZeroEval's JSON shape."""
    solution = table = get("solution")
    if isinstance(solution, str):  # published as Python's repr of {header, rows}; JSON read too
        try:
            table = json.loads(solution) if solution.lstrip().startswith('{"') else ast.literal_eval(solution)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            table = None
    if not (isinstance(table, dict) and "header" in table and "rows" in table):  # another set's puzzles
        return {"problem": get("puzzle"), "answer": solution}
    header, rows = list(table["header"]), [list(r) for r in table["rows"]]
    houses = {f"{header[0]} {r[0]}": dict.fromkeys(header[1:], "___") for r in rows}
    shape = json.dumps({"reasoning": "___", "solution": houses})
    problem = f"{get('puzzle')}\n\nGive your answer in this JSON format:\n{shape}"
    return {"problem": problem, "answer": json.dumps({"header": header, "rows": rows}), "domain": "grid"}


def knights_and_knaves(get: Get) -> dict:
    """Knights and Knaves (mem-kk-logic: `quiz`, `names`, `solution` a truth value a person, True for
    a knight): every person's identity, graded as its own evaluation grades."""
    names, solution = get("names"), get("solution")
    lists = isinstance(names, list | tuple) and isinstance(solution, list | tuple)
    ok = lists and len(names) == len(solution)
    truths = [truth(s) for s in solution] if ok else []
    ok = ok and None not in truths  # "False" as text is a knave, not a truthy string
    roles = {str(n): "knight" if t else "knave" for n, t in zip(names, truths, strict=True)} if ok else None
    return {"problem": get("quiz"), "answer": json.dumps(roles) if roles else None, "domain": "knights"}


def ape210k(get: Get) -> dict:
    """Ape210K and Math23K (`original_text`, `equation`, `ans`): Chinese word problems; `ans` the
    reference (a number, a fraction, a percentage)."""
    return {"problem": get("original_text"), "answer": get("ans")}

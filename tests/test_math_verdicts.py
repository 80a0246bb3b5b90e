"""Math verdicts by the conventions graders share, the policy where they differ, the second
opinion and the suspect-reference flag."""

import json
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from k2batch import recipe
from k2batch.config import load_config
from k2batch.verify import SECOND_OPINION, answer_of, check, verify_answer

SUITE = Path(__file__).resolve().parent.parent / "benchmarks" / "cases" / "math_equivalence.jsonl"


def test_the_project_s_equivalence_suite_agrees_per_kind():
    """The suite (>= 300 cases, each labelled with its convention) that benchmarks/verifier.py
    prints: >= 0.97 overall and no kind below 0.9."""
    rows = [json.loads(line) for line in SUITE.read_text().splitlines()]
    assert len(rows) >= 300
    per = defaultdict(lambda: [0, 0])
    for r in rows:
        answer, _ = answer_of(r["prediction"], "math")
        task = {"domain": "math", "reference": r["gold"], "answer": answer,
                "prompt": r.get("problem") or "", "policy": r.get("policy")}  # fmt: skip
        status, _ = check(task)
        per[r["kind"]][0] += (status == "correct") == (r["expected"] == "correct")
        per[r["kind"]][1] += 1
    total = sum(a for a, _ in per.values()) / len(rows)
    assert total >= 0.97, dict(per)
    assert all(a / n >= 0.9 for a, n in per.values()), dict(per)


@pytest.mark.parametrize(
    "gold,prediction,rule",
    [
        ("\\sqrt{5}", "2.236", "precision"),
        ("12\\pi", "37.699", "precision"),
        ("\\frac{2}{7}", "0.2857", "precision"),
        ("\\frac{\\sqrt{2}}{10000}", "1.414 \\times 10^{-4}", "precision"),
        ("2.75", "2 3/4", ""),
        ("2i", "(1+i)^2", "same value"),
        ("\\sin x", "\\cos(90^\\circ - x)", ""),
        ("y = 5x - 1", "g(x) = 5x - 1", "right-hand sides"),
        ("(3, -1)", "x = \\boxed{3} and y = \\boxed{-1}", "same elements in the same order"),
        ("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "[[1,2],[3,4]]", "matrix"),
        ("\\begin{cases} x = 2 \\\\ y = -1 \\end{cases}", "y = -1, x = 2", "order does not matter"),
        ("12.40", "Each costs 3.10.\nThe total comes to $12.40.", ""),
        ("5", "She reads 4 pages a day.\nSo she needs $5$ days.", ""),
        ("B", "The correct option is (B), since 11 is prime.", "option"),
        ("15\\%", "0.15", ""),
        ("2,500,000", "2.5 million", ""),
    ],
)
def test_forms_plain_math_verify_misses_are_accepted_and_say_which_rule(gold, prediction, rule):
    v = verify_answer(gold, prediction)
    assert v.correct and rule in v.reason, v


@pytest.mark.parametrize(
    "gold,prediction,problem",
    [
        ("3, 7, -1", "7, 3, -1", "List the first three terms."),  # ordered unless a set or "all"
        ("25\\text{ cm}", "25", ""),  # strict units by default
        ("25 m", "25 cm", ""),
        ("5", "\\boxed{5} or maybe \\boxed{7}", ""),  # boxes with words between: the last one
        ("\\frac{2}{7}", "0.3", ""),  # one significant digit is not an approximation
        ("3", "3.04", ""),  # an exact terminating value is never approximated
        ("x = 2", "y = 2", ""),
        ("2i", "2", ""),
        ("70 \\sqrt{2}", "80x + 400", ""),  # MATH-500's answer and a real reply: read as 80 x 10^400, it raised
        ("\\sqrt{2}", "1.4e400", ""),  # past a float's range
        ("\\left( \\frac{3}{2}, -13 \\right)", ".35625", ""),  # a tuple has no decimal value: it raised
        ("x = y = z", "0.15", ""),
    ],
)
def test_near_misses_are_rejected(gold, prediction, problem):
    v = verify_answer(gold, prediction, prompt=problem)
    assert v.status == "incorrect", v


def test_policy_decides_where_graders_differ():
    assert not verify_answer("25 cm", "25").correct
    assert verify_answer("25 cm", "25", policy={"units": "lenient"}).correct
    assert verify_answer("\\sqrt{2}", "1.414").correct
    assert not verify_answer("\\sqrt{2}", "1.414", policy={"tolerance": "exact"}).correct
    assert verify_answer("100", "101", policy={"tolerance": 0.02}).correct
    assert verify_answer("-3, 4", "4, -3", prompt="Find all roots of the polynomial.").correct
    assert not verify_answer("(-3, 4)", "(4, -3)", prompt="Find the ordered pair (x, y).").correct
    assert load_config(sets=["verify.math.units=lenient"]).verify.math.units == "lenient"


def test_no_answer_is_a_verdict_not_an_exception():
    v = verify_answer("5", None)
    assert v.status == "incorrect" and v.reason == "no answer"


def test_long_chain_of_thought_format_takes_the_solution_section():
    text = (
        "<|begin_of_thought|>\nFirst guess \\boxed{7}; wait, recheck: 3 * 4 = 12.\n<|end_of_thought|>\n\n"
        "<|begin_of_solution|>\nMultiply: $3 \\times 4 = 12$.\n\n\\boxed{12}\n<|end_of_solution|>"
    )
    assert answer_of(text, "math") == ("12", "boxed")
    assert verify_answer("12", text).correct and not verify_answer("7", text).correct
    unfinished = "<|begin_of_thought|>\nSo it is \\boxed{12} maybe"
    assert not verify_answer("12", unfinished).correct


def test_second_opinion_where_the_cascade_and_math_verify_disagree():
    units = verify_answer("25 cm", "25")  # math-verify alone ignores the unit
    assert units.status == "incorrect" and f"{SECOND_OPINION}: math-verify alone says equal" in units.reason
    approx = verify_answer("\\sqrt{5}", "2.236")
    assert approx.correct and f"{SECOND_OPINION}: math-verify alone says not equal" in approx.reason
    agreed = verify_answer("\\frac{1}{2}", "0.5")
    assert SECOND_OPINION not in agreed.reason
    broken = verify_answer("\\frac{1}{", "\\boxed{3}")
    assert broken.status == "error" and "reference does not parse" in broken.reason


def _cand(sample, answer, verdict, reason=""):
    return {"sample": sample, "answer": answer, "response": f"\\boxed{{{answer}}}", "error": None,
            "verdict": verdict, "seed": sample, "plan": None, "verdict_reason": reason,
            "finish_reason": "stop"}  # fmt: skip


def test_solution_row_flags_second_opinion_and_suspect_reference():
    problem = {"id": "p", "problem": "?", "domain": "math", "answer": "7"}
    agree_wrong = [_cand(s, "6", "incorrect", "different number") for s in range(3)]
    row = recipe.solution_row("j", problem, agree_wrong, [])
    assert row["suspect_reference"] and not row["second_opinion"]
    split = [_cand(0, "6", "incorrect"), _cand(1, "7", "correct"), _cand(2, "6", "incorrect")]
    assert not recipe.solution_row("j", problem, split, [])["suspect_reference"]
    unparsable = [_cand(s, "6", "error", "reference does not parse") for s in range(2)]
    row = recipe.solution_row("j", problem, unparsable, [])
    assert row["suspect_reference"] and row["second_opinion"]
    assert not recipe.solution_row("j", problem, agree_wrong[:1], [])["suspect_reference"]  # one sample
    disputed = [_cand(0, "25", "incorrect", f"lost the unit; {SECOND_OPINION}: math-verify alone says equal")]
    assert recipe.solution_row("j", problem, disputed, [])["second_opinion"]


def test_a_job_writes_the_flags_and_counts_them(tmp_path):
    """End to end on the instant backend: a reference that disagrees with candidates that all
    agree is flagged suspect; a unit the answers drop gets math-verify's second opinion."""
    from k2batch.job import run_solve
    from k2batch.testing import instant

    instant.register()
    cfg = load_config(sets=["backend.kind=instant", "samples=3"])
    rows = [{"id": f"p{i}", "problem": f"Give the answer {i}.", "answer": f"{i} cm" if i % 2 else str(i + 50)}
            for i in range(8)]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    run_solve(str(tmp_path / "in.parquet"), str(tmp_path / "out"), cfg)
    out = {r["id"]: r for r in pq.read_table(tmp_path / "out" / "solutions").to_pylist()}
    for i in range(8):
        r = out[f"p{i}"]
        agreed = r["selection"] == "agreement"
        assert r["suspect_reference"] == agreed, r["id"]  # every reference here is wrong or unit-strict
        assert r["second_opinion"] == bool(i % 2), r["id"]  # "i" for "i cm": math-verify says equal
    assert any(r["suspect_reference"] for r in out.values())
    from k2batch.report import write_report

    summary = write_report(str(tmp_path / "out"))
    assert "suspect references" in (tmp_path / "out" / "report" / "report.md").read_text()
    assert summary["suspect_reference"] == sum(r["suspect_reference"] for r in out.values())
    assert summary["second_opinion"] == 4


def test_math500_answers_against_one_another_are_verdicts_never_exceptions(shared_data):
    """Every published MATH-500 answer equals itself, and 1,800 seeded pairs of different ones
    (tuples, intervals, matrices, decimals, expressions) get correct or incorrect, never an
    exception's 'error' (a decimal against a tuple raised; '80x + 400' overflowed)."""
    import random

    from k2batch.verify.math import verify_math

    refs = pq.read_table(shared_data / "math500.parquet", columns=["answer"]).column("answer").to_pylist()
    extras = ["80x + 400", "1.4e400", "2 \\times 10^5", "3.2e-4", ".35625", "x = y = z", "\\infty"]
    rng = random.Random(0)
    pairs = [(r, r) for r in refs] + [(rng.choice(refs), rng.choice(refs + extras)) for _ in range(1500)]
    pairs += [(b, a) for a, b in pairs[len(refs):len(refs) + 300]]
    verdicts = {pair: verify_math(*pair) for pair in pairs}
    assert all(verdicts[(r, r)][0] == "correct" for r in refs)
    odd = {pair: v for pair, v in verdicts.items() if v[0] not in ("correct", "incorrect")}
    assert not odd, list(odd.items())[:5]


AUDIT = [  # (reference, output, domain, status)
    # an infinite reference took any answer: inf - x is no gap within inf
    ("\\infty", "\\boxed{0}", "math", "incorrect"),
    ("\\infty", "\\boxed{x}", "math", "incorrect"),
    ("-\\infty", "\\boxed{\\infty}", "math", "incorrect"),
    ("\\infty", "\\boxed{\\infty}", "math", "correct"),
    # large integers compared as floats: an off-by-one count passed
    ("2^{40}", "\\boxed{1099511627777}", "math", "incorrect"),
    ("2^{40}", "\\boxed{1099511627776}", "math", "correct"),
    ("1099511627776", "\\boxed{1,099,511,627,777}", "math", "incorrect"),
    ("12345678901234567890", "12345678901234567891", "math", "incorrect"),
    # a bound is not the value
    ("5", "\\boxed{5 \\text{ or more}}", "math", "incorrect"),
    ("\\sqrt{2}", "approximately 1.414", "math", "correct"),
    # extraction: money escaped inside math, "Answer:" lines, a one-line sentence, a bare word
    # after the reasoning, an aside, a Unicode minus, steps boxed in turn
    ("12.5", "She buys 5 pens.\nThe answer is $\\$12.50$.", "math", "correct"),
    ("(1,2)", "We solve.\nAnswer: (1, 2)", "math", "correct"),
    ("Paris", "Let me recall.\nAnswer: Paris", "exact", "correct"),
    ("5", "So he has 5 apples left.", "math", "correct"),
    ("7", "I got 7.", "math", "correct"),
    ("7", "Total: 7 marbles", "math", "correct"),
    ("Paris", "<think>London?</think>\nParis", "exact", "correct"),
    ("3", "Step 1.\nThe answer is 3 (after 2 steps).", "math", "correct"),
    ("3", "It drops.\nThe final temperature is \u22123\u00b0C.", "math", "incorrect"),
    ("5", "First, a = \\boxed{3}.\n\nThen b = \\boxed{5}.", "math", "correct"),
    ("5", "\\boxed{3}\n\n\\boxed{5}", "math", "correct"),
    ("5", "We find $a = \\boxed{3}$ and therefore $b = \\boxed{5}$.", "math", "correct"),
    ("25.5", "Each ticket costs $4.25 and they buy 6 tickets, so the total cost is $25.50.", "math", "correct"),
    ("8", "<think>6? no</think>\n\nA cube has 8 vertices.", "math", "correct"),
    # SI's digit groups in a concluding sentence were read as their first group
    ("1000000", "Therefore, there are 1 000 000 ways.", "math", "correct"),
    ("12345", "So the population is 12\u202f345.", "math", "correct"),
    ("5", "So the total is 5 200-page books.", "math", "correct"),
    # published references: OlympiadBench's parts, TheoremQA's booleans, a float key
    ("$2$, $-2$", "\\boxed{2, -2}", "math", "correct"),
    ("True", "\\boxed{\\text{True}}", "math", "correct"),
    ("True", "\\boxed{Yes}", "math", "correct"),  # TheoremQA's scorer reads yes as True
    ("False", "The claim fails.\nThe answer is yes.", "math", "incorrect"),
    ("27.0", "\\boxed{27}", "math", "correct"),
]

HELD_OUT = [  # (reference, output, problem, status), math
    # inequalities joined by "or" against a union of intervals, ends included or not
    ("(-\\infty, -1) \\cup (3, \\infty)", "\\boxed{x < -1 \\text{ or } x > 3}", "", "correct"),
    ("(-\\infty, 2] \\cup (5, \\infty)", "\\boxed{x \\le 2 \\text{ or } x > 5}", "", "correct"),
    ("(-\\infty, -1) \\cup (3, \\infty)", "\\boxed{x \\le -1 \\text{ or } x > 3}", "", "incorrect"),
    ("x < -2 \\text{ or } 0 < x < 1", "\\boxed{(-\\infty,-2)\\cup(0,1)}", "", "correct"),
    # a unit written as two wrapped pieces is one unit
    ("60\\text{ km/h}", "\\boxed{60 \\mathrm{km}/\\mathrm{h}}", "", "correct"),
    ("60\\text{ km/h}", "\\boxed{60 \\mathrm{m}/\\mathrm{s}}", "", "incorrect"),
    # a percentage that is no plain number: its value, or a hundredth of it
    ("33\\frac{1}{3}\\%", "\\boxed{\\frac{1}{3}}", "", "correct"),
    ("\\frac{100}{3}\\%", "\\boxed{33\\frac{1}{3}\\%}", "", "correct"),
    ("33\\frac{1}{3}\\%", "\\boxed{\\frac{1}{4}}", "", "incorrect"),
    # a reference in labelled parts against the parts boxed in turn
    ("(a) 12; (b) 30", "(a) The perimeter is $\\boxed{12}$.\n(b) The area is $\\boxed{30}$.", "", "correct"),
    ("(a) 12; (b) 30", "(a) $\\boxed{30}$.\n(b) $\\boxed{12}$.", "", "incorrect"),
    # "The answer is X, because ...": the reason is no part of the answer
    ("12", "The answer is 12, because 3 × 4 = 12.", "", "correct"),
    ("13", "The answer is 12, because 3 × 4 = 12.", "", "incorrect"),
    # a system of equations has no order
    ("x + y = 5,\\; x - y = 1", "\\boxed{x - y = 1, x + y = 5}", "", "correct"),
    ("x + y = 5,\\; x - y = 1", "\\boxed{x - y = 2, x + y = 5}", "", "incorrect"),
    # the value of an option the problem lists inline or one a line, for a letter reference
    ("C", "\\boxed{\\frac{3}{4}}", "Which equals 0.75? (A) 2/3 (B) 3/5 (C) 3/4 (D) 4/5 (E) 5/6", "correct"),
    ("B", "\\boxed{\\frac{3}{4}}", "Which equals 0.75? (A) 2/3 (B) 3/5 (C) 3/4 (D) 4/5 (E) 5/6", "incorrect"),
    ("B", "\\boxed{0.5}", "Pick one.\nA. 1/3\nB. 1/2\nC. 2/3\nD. 3/4", "correct"),
    ("B", "\\boxed{0.5}", "Pick one.\nA. 1/2\nB. 2/4\nC. 2/3", "incorrect"),  # two options hold it
    # what the problem asks decides the form (kinds the second held-out set found)
    # an exact form asked for: a decimal approximation answers another question
    ("\\frac{2}{3}", "\\boxed{0.67}", "What fraction is shaded? Express your answer as a common fraction.", "incorrect"),
    ("\\frac{2}{3}", "\\boxed{\\frac{4}{6}}", "What fraction is shaded? Express your answer as a common fraction.", "correct"),
    ("3\\sqrt{2}", "\\boxed{4.24}", "Simplify $\\sqrt{18}$. Express your answer in simplest radical form.", "incorrect"),
    ("16\\pi", "\\boxed{50.27}", "Find the area. Express your answer in terms of $\\pi$.", "incorrect"),
    ("16\\pi", "\\boxed{50.27}", "Find the area to the nearest hundredth.", "correct"),
    # the angle unit the problem asks for
    ("\\frac{\\pi}{6}", "\\boxed{30^\\circ}", "Compute $\\arcsin \\frac{1}{2}$. Express your answer in radians.", "incorrect"),
    ("\\frac{\\pi}{6}", "\\boxed{30^\\circ}", "Compute $\\arcsin \\frac{1}{2}$.", "correct"),
    ("45", "\\boxed{\\frac{\\pi}{4}}", "Find the angle, in degrees.", "incorrect"),
    # interval notation: the ends are part of the answer
    ("[2, 5]", "\\boxed{(2, 5)}", "Solve $(x-2)(x-5) \\le 0$. Give your answer in interval notation.", "incorrect"),
    ("(2, 5)", "\\boxed{(2,5)}", "Find the domain of the function.", "correct"),
    # labelled values against an ordered pair: in the pair's order, whatever order written
    ("(3, -2)", "\\boxed{y = -2, x = 3}", "Enter the solution as an ordered pair $(x, y)$.", "correct"),
    ("(3, -2)", "\\boxed{y = 3, x = -2}", "Enter the solution as an ordered pair $(x, y)$.", "incorrect"),
    ("(1, 2, 3)", "\\boxed{c = 3, a = 1, b = 2}", "Find the ordered triple $(a,b,c)$.", "correct"),
    # "in that order" makes a list of roots' values ordered
    ("7, 12", "\\boxed{12, 7}", "Find the sum of the roots and the product of the roots, in that order.", "incorrect"),
    ("7, 12", "\\boxed{12, 7}", "Find all roots.", "correct"),
    # parts named in words, boxed in turn
    ("14, 12", "The perimeter $= \\boxed{14}$, the area $= \\boxed{12}$.", "Find the perimeter and area, in that order.", "correct"),
    # a unit the problem gives may be left off; one it does not give may not
    ("12\\text{ cm}^2", "\\boxed{12}", "A rectangle is 3 cm by 4 cm. What is its area?", "correct"),
    ("12\\text{ cm}^2", "\\boxed{12}", "A rectangle has area 12 in some unit. What is its area?", "incorrect"),
    ("40\\text{ m}", "\\boxed{40}", "How far does it go, in meters?", "correct"),
    # option letter in a phrase with markdown
    ("D", "Checking each one, only 7 works.\n\nThe correct option is **(D)**.", "(A) 4 (B) 5 (C) 6 (D) 7", "correct"),
    # clock times: a.m./p.m. spelled in any way, and the 24-hour clock
    ("6:40 \\text{ p.m.}", "\\boxed{18:40}", "When does the train arrive?", "correct"),
    ("6:40 \\text{ p.m.}", "\\boxed{6:40\\text{ PM}}", "When does the train arrive?", "correct"),
    ("6:40 \\text{ p.m.}", "\\boxed{6:40 \\text{ a.m.}}", "When does the train arrive?", "incorrect"),
    # \pm against its two values written out
    ("\\frac{3 \\pm \\sqrt{5}}{2}", "\\boxed{\\frac{3-\\sqrt5}{2}, \\frac{3+\\sqrt5}{2}}", "Find all solutions.", "correct"),
    ("\\frac{3 \\pm \\sqrt{5}}{2}", "\\boxed{\\frac{3+\\sqrt5}{2}}", "Find all solutions.", "incorrect"),
    # kinds the third held-out set found (new cases, near misses beside them):
    # math-verify drops a trailing letter it takes for a unit (h, t, c, ab, ...): 4ab read as 4
    ("2\\pi r h", "\\boxed{2\\pi r}", "", "incorrect"),
    ("4ab", "\\boxed{4}", "", "incorrect"),
    ("v t", "\\boxed{v}", "", "incorrect"),
    ("4ab", "\\boxed{4ba}", "", "correct"),
    ("a + b + c", "\\boxed{c + b + a}", "", "correct"),
    ("\\pi r^2 h", "\\boxed{\\pi h r^2}", "", "correct"),  # h a variable, not hours
    ("\\frac{x^3}{3} + C", "\\boxed{\\frac{1}{3}x^3 + c}", "Find $\\int x^2\\,dx$.", "correct"),
    # simplest radical form and scientific notation, where the problem asks for them
    ("2\\sqrt{5}", "\\boxed{\\sqrt{20}}", "Simplify $\\sqrt{20}$. Express your answer in simplest radical form.", "incorrect"),
    ("2\\sqrt{5}", "\\boxed{2\\sqrt5}", "Simplify $\\sqrt{20}$. Express your answer in simplest radical form.", "correct"),
    ("\\frac{\\sqrt{3}}{3}", "\\boxed{\\frac{1}{\\sqrt{3}}}", "Find $\\tan 30^\\circ$ in simplest radical form.", "incorrect"),
    ("2\\sqrt{5}", "\\boxed{\\sqrt{20}}", "How long is the diagonal?", "correct"),
    ("3.4 \\times 10^{-5}", "\\boxed{34 \\times 10^{-6}}", "Express $0.000034$ in scientific notation.", "incorrect"),
    ("3.4 \\times 10^{-5}", "\\boxed{3.4 \\cdot 10^{-5}}", "Express $0.000034$ in scientific notation.", "correct"),
    ("3.4 \\times 10^{-5}", "\\boxed{34 \\times 10^{-6}}", "What is $0.000034$?", "correct"),
    # "ordered pairs" orders each pair, not the list of all of them
    ("(0,0),(1,1)", "\\boxed{(1,1),(0,0)}", "Find all points where $y=x^2$ meets $y=x$. Enter them as ordered pairs, separated by commas.", "correct"),
    ("(0,0),(1,1)", "\\boxed{(1,1),(0,1)}", "Find all points where $y=x^2$ meets $y=x$. Enter them as ordered pairs, separated by commas.", "incorrect"),
    # \pm on a list's elements
    ("-3, -1, 1, 3", "\\boxed{\\pm 1, \\pm 3}", "Find all real roots. Enter all the roots, separated by commas.", "correct"),
    ("-3, -1, 1, 3", "\\boxed{\\pm 1, 3}", "Find all real roots. Enter all the roots, separated by commas.", "incorrect"),
    # answers in prose: a point, and "Final Answer: The probability is ..."
    ("(3, -1)", "Solving gives $x = 3$.\n\nThe vertex is at the point (3, -1).", "", "correct"),
    ("(3, -1)", "Solving gives $x = 3$.\n\nThe vertex is at the point (-1, 3).", "", "incorrect"),
    ("\\frac{3}{8}", "Three of eight outcomes work.\n\n**Final Answer:** The probability is 3/8.", "", "correct"),
    ("\\frac{3}{8}", "Five of eight outcomes work.\n\n**Final Answer:** The probability is 5/8.", "", "incorrect"),
    # a letter for a value reference: the value of the option the problem lists
    ("16", "\\boxed{C}", "$\\textbf{(A)}\\ 12 \\qquad \\textbf{(B)}\\ 14 \\qquad \\textbf{(C)}\\ 16 \\qquad \\textbf{(D)}\\ 18$", "correct"),
    ("16", "\\boxed{B}", "$\\textbf{(A)}\\ 12 \\qquad \\textbf{(B)}\\ 14 \\qquad \\textbf{(C)}\\ 16 \\qquad \\textbf{(D)}\\ 18$", "incorrect"),
    # a numeral in the base asked for, its subscript left off
    ("1101_2", "\\boxed{1101}", "Express $13$ in base $2$.", "correct"),
    ("1101_2", "\\boxed{1011}", "Express $13$ in base $2$.", "incorrect"),
    ("1101_2", "\\boxed{13_{10}}", "Express $13$ in base $2$.", "correct"),
    ("a_2", "\\boxed{a_{2}}", "Which term is largest?", "correct"),  # a subscript that is no base
    ("a_2", "\\boxed{a_{3}}", "Which term is largest?", "incorrect"),
    # a word answer stated in a sentence, not negated
    ("\\text{converges}", "\\boxed{\\text{The integral converges}}", "", "correct"),
    ("\\text{converges}", "\\boxed{\\text{The integral never converges}}", "", "incorrect"),
    # a congruence states its residue
    ("3", "\\boxed{x \\equiv 3 \\pmod{8}}", "Solve $5x \\equiv 7 \\pmod 8$, $0 \\le x < 8$.", "correct"),
    ("3", "\\boxed{5 \\pmod{8}}", "Solve $5x \\equiv 7 \\pmod 8$, $0 \\le x < 8$.", "incorrect"),
    ("3", "\\boxed{2^{10} \\bmod 7}", "", "incorrect"),  # \\bmod is an operation, not a note
    # repeating decimals are exact values; a rounded one is another number
    ("0.\\overline{27}", "\\boxed{0.272727\\ldots}", "Write $\\frac{3}{11}$ as a repeating decimal.", "correct"),
    ("0.\\overline{27}", "\\boxed{0.\\overline{72}}", "Write $\\frac{3}{11}$ as a repeating decimal.", "incorrect"),
    ("0.\\overline{27}", "\\boxed{0.27}", "Write $\\frac{3}{11}$ as a repeating decimal.", "incorrect"),
    ("\\frac{7}{9}", "\\boxed{0.\\overline{7}}", "", "correct"),
    ("e", "\\boxed{2.718281828\\ldots}", "", "correct"),  # no repeating decimal asked: its precision
    # lowest terms, where the problem asks for them
    ("\\frac{2}{7}", "\\boxed{\\frac{6}{21}}", "Express your answer as a common fraction in lowest terms.", "incorrect"),
    ("\\frac{2}{7}", "\\boxed{\\frac{2}{7}}", "Express your answer as a common fraction in lowest terms.", "correct"),
    ("\\frac{2}{7}", "\\boxed{\\frac{6}{21}}", "What share of the class is left-handed?", "correct"),
    ("\\frac{\\sqrt{10}}{5}", "\\boxed{\\sqrt{\\frac{2}{5}}}", "Rationalize the denominator of $\\frac{2}{\\sqrt{10}}$.", "incorrect"),
    # an answer that leaves the computation undone
    ("210", "\\boxed{\\frac{10!}{4!\\,6!}}", "Compute $\\dbinom{10}{4}$.", "incorrect"),
    ("\\frac{1}{2}", "\\boxed{\\cos 60^\\circ}", "Compute $\\sin 30^\\circ$.", "incorrect"),
    ("5", "\\boxed{\\log_3 243}", "Evaluate $\\log_3 243$.", "incorrect"),
    ("i", "\\boxed{i^{5}}", "Compute $i^{2021}$.", "incorrect"),
    ("\\frac{1}{2}", "\\boxed{0.5}", "Compute $\\sin 30^\\circ$.", "correct"),
    ("210", "\\boxed{\\binom{10}{4}}", "", "correct"),  # a closed form where nothing asks to compute it
    ("210", "\\boxed{\\frac{10!}{4!\\,6!}}", "How many 4-person committees can 10 people form?", "correct"),
    ("\\log_2 5", "\\boxed{\\frac{\\ln 5}{\\ln 2}}", "", "correct"),  # the reference is a logarithm too
    # factor completely, or expand, as asked
    ("3(x-3)(x+3)", "\\boxed{3(x^2-9)}", "Factor completely: $3x^2 - 27$.", "incorrect"),
    ("3(x-3)(x+3)", "\\boxed{3(x+3)(x-3)}", "Factor completely: $3x^2 - 27$.", "correct"),
    ("x^2+5x+6", "\\boxed{(x+3)(x+2)}", "Expand $(x+2)(x+3)$.", "incorrect"),
    ("x^2+5x+6", "\\boxed{6 + 5x + x^2}", "Expand $(x+2)(x+3)$.", "correct"),
    # antiderivatives: the constant's name and a constant apart do not matter
    ("\\frac{1}{2}e^{2x} + C", "\\boxed{\\frac{e^{2x}}{2} + K}", "Find $\\int e^{2x}\\,dx$.", "correct"),
    ("-\\frac{1}{2}\\cos^2 x + C", "\\boxed{\\frac{1}{2}\\sin^2 x + C}", "Find $\\int \\sin x\\cos x\\,dx$.", "correct"),
    ("-\\frac{1}{2}\\cos^2 x + C", "\\boxed{\\frac{1}{2}\\cos^2 x + C}", "Find $\\int \\sin x\\cos x\\,dx$.", "incorrect"),
    # words, days and letters as graders read them
    ("\\text{does not exist}", "\\boxed{\\text{DNE}}", "", "correct"),
    ("\\text{Thursday}", "\\boxed{\\text{Thurs.}}", "", "correct"),
    ("\\text{Thursday}", "\\boxed{\\text{Tue}}", "", "incorrect"),
    ("\\text{all real numbers}", "\\boxed{\\mathbb{R}}", "", "correct"),
    ("\\text{A, D}", "\\boxed{DA}", "Which of the statements are true?", "correct"),
    ("\\text{A, D}", "\\boxed{AC}", "Which of the statements are true?", "incorrect"),
    ("\\text{(P)}", "\\boxed{\\text{P (parabola)}}", "Enter \"P\" for parabola, \"E\" for ellipse.", "correct"),
    # an option named by its letter and value; a reference that is both
    ("12", "\\boxed{\\textbf{(C)}\\ 12}", "$\\textbf{(A)}\\ 8 \\qquad \\textbf{(B)}\\ 10 \\qquad \\textbf{(C)}\\ 12$", "correct"),
    ("\\textbf{(C)}\\ 12", "\\boxed{\\text{(C)}}", "$\\textbf{(A)}\\ 8 \\qquad \\textbf{(B)}\\ 10 \\qquad \\textbf{(C)}\\ 12$", "correct"),
    ("\\textbf{(C)}\\ 12", "\\boxed{\\text{(B)}}", "$\\textbf{(A)}\\ 8 \\qquad \\textbf{(B)}\\ 10 \\qquad \\textbf{(C)}\\ 12$", "incorrect"),
    # forms of writing: MATH's 1,\\!000 separators, 24-hour times, Unicode scientific notation, radians named
    ("2,\\!520", "\\boxed{2\\,520}", "", "correct"),
    ("2,\\!520", "\\boxed{252}", "", "incorrect"),
    ("12:15 \\text{ a.m.}", "\\boxed{00{:}15}", "", "correct"),
    ("3.1 \\times 10^{-3}", "The answer is 3.1 × 10⁻³", "Write $0.0031$ in scientific notation.", "correct"),
    ("\\frac{\\pi}{4}", "\\boxed{\\pi/4 \\text{ rad}}", "Express your answer in radians.", "correct"),
    # labelled values after a LaTeX space, read by their labels
    ("(5,2)", "\\boxed{y = 2,\\ x = 5}", "Enter your answer as an ordered pair $(x, y)$.", "correct"),
    ("(5,2)", "\\boxed{y = 5,\\ x = 2}", "Enter your answer as an ordered pair $(x, y)$.", "incorrect"),
    # two options offered are no answer; a value and what it rounds to; cents; a percent asked
    ("\\textbf{(D)}", "\\boxed{\\text{(D) or (C)}}", "", "incorrect"),
    ("57", "\\boxed{57.14 \\approx 57}", "Round $400/7$ to the nearest whole number.", "correct"),
    ("57", "\\boxed{57.14}", "Round $400/7$ to the nearest whole number.", "incorrect"),
    ("\\$1.25", "\\boxed{125 \\text{ cents}}", "", "correct"),
    ("\\$1.25", "\\boxed{125}", "", "incorrect"),
    ("40\\%", "\\boxed{0.4}", "What percent of $50$ is $20$?", "incorrect"),
    ("40\\%", "\\boxed{40}", "What percent of $50$ is $20$?", "correct"),
    ("40\\%", "\\boxed{0.4}", "", "correct"),  # nothing asks for a percent: a fraction of one
    # prose answers: the bold word of the last sentence, a word answer it states, a value before
    # "since", an answer on the line after "are"
    ("\\text{Tuesday}", "Days repeat every 7, and 50 = 7 \\cdot 7 + 1.\n\nIt will be **Tuesday**.", "", "correct"),
    ("\\text{Tuesday}", "Days repeat every 7, and 50 = 7 \\cdot 7 + 1.\n\nIt will be **Monday**.", "", "incorrect"),
    ("7", "The odd squares are 1, 9, 25, 49, 81, 121, 169.\n\nSo there are **7** of them, and the largest is 169.", "", "correct"),
    ("\\text{even}", "$f(-x) = (-x)^4 = x^4 = f(x)$, so in 3 steps we are done.\n\nThe function is even.", "", "correct"),
    ("\\text{even}", "$f(-x) = -x^3 \\ne f(x)$ and $\\ne -f(x)$ for $x = 2$.\n\nThe function is neither.", "", "incorrect"),
    ("3", "Powers of 7 end in 7, 9, 3, 1.\n\nThe units digit is 3, since $7^{3} = 343$.", "", "correct"),
    ("-1, 4", "Factor: $(x+1)(x-4) = 0$.\n\nSo the solutions are\n$x_1 = -1,\\quad x_2 = 4.$", "Find all solutions.", "correct"),
    ("42", "Adding up, $6 \\cdot 7 = 42$.\n\nThis is the final answer.", "", "correct"),
    ("62.5\\%", "Divide: $5 \\div 8 = 0.625$.\n\nSo $\\frac{5}{8}$ is 62.5 percent.", "Express $\\frac{5}{8}$ as a percent.", "correct"),
    ("62.5\\%", "Divide: $5 \\div 8 = 0.625$.\n\nSo $\\frac{5}{8}$ is 6.25 percent.", "Express $\\frac{5}{8}$ as a percent.", "incorrect"),
    # forms asked for: a mixed number, a common fraction, pi approximated, slope-intercept form,
    # a.m. or p.m., an exact value, a root left over a perfect square, a radical's shared factor
    ("5\\frac{2}{3}", "\\boxed{\\frac{17}{3}}", "Express $\\frac{17}{3}$ as a mixed number.", "incorrect"),
    ("5\\frac{2}{3}", "\\boxed{4\\frac{5}{3}}", "Express $\\frac{17}{3}$ as a mixed number.", "incorrect"),
    ("5\\frac{2}{3}", "\\boxed{5\\frac23}", "Express $\\frac{17}{3}$ as a mixed number.", "correct"),
    ("\\frac{17}{3}", "\\boxed{5\\frac{2}{3}}", "Express your answer as a common fraction.", "incorrect"),
    ("31.4", "\\boxed{10\\pi}", "Using $3.14$ for $\\pi$, find the circumference of a circle of radius 5.", "incorrect"),
    ("31.4", "\\boxed{31.4}", "Using $3.14$ for $\\pi$, find the circumference of a circle of radius 5.", "correct"),
    ("y = 3x - 1", "\\boxed{3x - y = 1}", "Write the line in slope-intercept form.", "incorrect"),
    ("y = 3x - 1", "\\boxed{3x - 1}", "Write the line in slope-intercept form.", "correct"),
    ("3:20 \\text{ p.m.}", "\\boxed{3:20}", "Convert 15:20 to 12-hour time, with a.m. or p.m.", "incorrect"),
    ("3:20 \\text{ p.m.}", "\\boxed{3:20 \\text{ PM}}", "Convert 15:20 to 12-hour time, with a.m. or p.m.", "correct"),
    ("\\sqrt{3}", "\\boxed{1.732}", "What is the exact length of the altitude?", "incorrect"),
    ("4", "\\boxed{\\sqrt{16}}", "Compute $\\sqrt{2}\\cdot\\sqrt{8}$.", "incorrect"),
    ("3\\sqrt{2}", "\\boxed{\\frac{6\\sqrt{2}}{2}}", "Express your answer in simplest radical form.", "incorrect"),
    # Unicode roots, signs and intervals; a yes or no with its reason
    ("5\\sqrt{3}", "Answer: 5√3", "Express your answer in simplest radical form.", "correct"),
    ("(-\\infty, 2) \\cup (2, \\infty)", "We need x ≠ 2.\n\nDomain: (−∞, 2) ∪ (2, ∞)", "Express the domain in interval notation.", "correct"),
    ("\\text{Yes}", "**Answer:** Yes — 97 has no divisor up to 9.", "Is 97 prime? Answer \"yes\" or \"no\".", "correct"),
    ("\\text{Yes}", "**Answer:** No — 97 is composite.", "Is 97 prime? Answer \"yes\" or \"no\".", "incorrect"),
    # prose: a labelled last line, a lone letter, values joined by "and", the sentence that says
    # what the asked-for quantity is, a final answer restated after a box
    ("3\\frac{1}{3}", "Total: 10/3.\nAs a mixed number: 3 1/3", "Express your answer as a mixed number.", "correct"),
    ("\\text{(C)}", "Compare: $\\pi < 22/7 < \\sqrt{10}$.\nC", "$\\textbf{(A) }\\pi\\qquad\\textbf{(B) }\\frac{22}{7}\\qquad\\textbf{(C) }\\sqrt{10}$", "correct"),
    ("\\pm 3\\sqrt{2}", "$x = \\pm\\sqrt{18}$.\n\nThe solutions are $3\\sqrt2$ and $-3\\sqrt2$.", "Solve $x^2 = 18$.", "correct"),
    ("21", "Adding gives $2a = 42$, so $a = 21$ and $b = 9$.\n\nThe larger number is 21 (and the smaller is 9).", "", "correct"),
    ("6", "So there are $\\boxed{12}$ pairs. Wait: each pair was counted twice. The answer is 6.", "", "correct"),
    ("\\text{B, D}", "Only B and D hold.\n\nThe true ones are B and D.", "Which statements are true? Enter the letters.", "correct"),
    # a repeating decimal where a fraction is asked, an exact value where a rounded one is, cents
    # where dollars are asked, a value in terms of pi stated in prose
    ("\\frac{4}{9}", "\\boxed{0.\\overline{4}}", "Express it as a common fraction.", "incorrect"),
    ("14.29", "\\boxed{14.\\overline{285714}}", "Split \\$100 among 7, rounded to the nearest cent.", "incorrect"),
    ("14.29", "\\boxed{14.29}", "Split \\$100 among 7, rounded to the nearest cent.", "correct"),
    ("3", "\\boxed{300 \\text{ cents}}", "How many dollars do 10 stamps at 30 cents cost?", "incorrect"),
    ("7", "\\boxed{7\\text{ cents}}", "How many cents are saved by buying from the advertiser?", "correct"),
    ("16\\pi", "The radius is 4.\n\nThe area is 16π square units.", "Express your answer in terms of $\\pi$.", "correct"),
    # exact numbers compared exactly, however small
    ("\\frac{1}{2^{60}}", "\\boxed{\\frac{1}{2^{59}}}", "", "incorrect"),
    ("\\frac{1}{2^{60}}", "\\boxed{2^{-60}}", "", "correct"),
    # vectors in unit-vector notation, or a scalar times a vector
    ("\\begin{pmatrix} 2 \\\\ -1 \\\\ 4 \\end{pmatrix}", "\\boxed{2\\mathbf{i} - \\mathbf{j} + 4\\mathbf{k}}", "", "correct"),
    ("\\begin{pmatrix} 2 \\\\ -1 \\\\ 4 \\end{pmatrix}", "\\boxed{2\\mathbf{i} + \\mathbf{j} + 4\\mathbf{k}}", "", "incorrect"),
    ("\\begin{pmatrix} 3/2 \\\\ 3 \\end{pmatrix}", "\\boxed{\\frac{3}{2}\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}}", "", "correct"),
    ("\\begin{pmatrix} 3/2 \\\\ 3 \\end{pmatrix}", "\\boxed{\\frac{3}{2}\\begin{pmatrix} 2 \\\\ 1 \\end{pmatrix}}", "", "incorrect"),
    # set 7's kinds: a decimal for an exact value the problem does not ask to approximate
    ("2\\sqrt{3}", "The height is $2\\sqrt3 \\approx 3.464$.\n\n$\\boxed{3.464}$", "Find the height of an equilateral triangle with side 4.", "incorrect"),
    ("2\\sqrt{3}", "$\\boxed{3.46}$", "Find the height of an equilateral triangle with side 4, to the nearest hundredth.", "correct"),
    ("\\frac{2}{3}", "$\\boxed{0.667}$", "What is the probability that the die shows more than 2?", "incorrect"),
    ("\\frac{2}{3}", "$\\boxed{0.67}$", "What is the probability, as a decimal to the nearest hundredth?", "correct"),
    # numbers in words, 'out of', a restatement after the answer, the value before its reason
    ("48", "There were 6 boxes of 8. After the sale the shop still had forty-eight cups.", "How many cups did the shop have?", "correct"),
    ("48", "There were 6 boxes of 8. After the sale the shop still had forty-nine cups.", "How many cups did the shop have?", "incorrect"),
    ("\\frac{2}{9}", "Two of the nine tiles are blue, so the chance is 2 out of 9.", "What is the probability of a blue tile?", "correct"),
    ("2.25", "Time = 90 ÷ 40 = 2.25 hours. In other words, 2 hours and 15 minutes.", "How many hours does it take?", "correct"),
    ("2.25", "Time = 90 ÷ 40 = 2.5 hours. In other words, 2 hours and 30 minutes.", "How many hours does it take?", "incorrect"),
    ("45", "Ben has 45 stamps, which is five times Ann's 9.", "How many stamps does Ben have?", "correct"),
    ("45", "Ben has 40 stamps, which is five times Ann's 8 plus 5.", "How many stamps does Ben have?", "incorrect"),
    ("2300000", "So the region has about 2.3 million residents.", "How many residents?", "correct"),
    ("7:20 \\text{ a.m.}", "Leaving at 5:50, the trip ends at 7:20 AM.", "At what time does the trip end?", "correct"),
    ("7:20 \\text{ a.m.}", "Leaving at 5:50, the trip ends at 7:20 PM.", "At what time does the trip end?", "incorrect"),
    ("12", "**Answer:** 12 liters (i.e., 12,000 mL).", "How many liters?", "correct"),
    ("12", "I believe the answer is 12, though I have not double-checked.", "How many?", "correct"),
    # a correction after the final answer
    ("27", "**Answer: 33**\n\nActually, I counted the multiples of 15 twice. The correct count is $20 + 13 - 6 = 27$.", "How many?", "correct"),
    ("33", "**Answer: 33**\n\nActually, I counted the multiples of 15 twice. The correct count is $20 + 13 - 6 = 27$.", "How many?", "incorrect"),
    ("33", "$\\boxed{33}$\n\nWait, let me double-check with a second method: $20 + 13 = 33$. Yes.", "How many?", "correct"),
    # plain-text last lines, Unicode, dot notation, worked numerals
    ("3.2 \\times 10^{-5}", "0.000032 = 3.2 × 10⁻⁵", "Write $0.000032$ in scientific notation.", "correct"),
    ("3.2 \\times 10^{-5}", "0.000032 = 3.2 × 10⁻⁴", "Write $0.000032$ in scientific notation.", "incorrect"),
    ("\\pm 2\\sqrt{3}", "Taking roots:\n\nx = ±2√3", "Solve $x^2 = 12$.", "correct"),
    ("\\pm 2\\sqrt{3}", "Taking roots:\n\nx = 2√3", "Solve $x^2 = 12$.", "incorrect"),
    ("\\cot \\theta", "**Answer:** cot(θ)", "Simplify $\\frac{\\cos\\theta}{\\sin\\theta}$.", "correct"),
    ("\\cot \\theta", "**Answer:** tan(θ)", "Simplify $\\frac{\\cos\\theta}{\\sin\\theta}$.", "incorrect"),
    ("0.\\overline{3}", "So $\\frac13 = 0.\\dot{3}$.", "Express $\\frac13$ as a decimal.", "correct"),
    ("0.\\overline{142857}", "So $\\frac17 = 0.\\dot{1}4285\\dot{7}$.", "Express $\\frac17$ as a decimal.", "correct"),
    ("0.\\overline{3}", "So $\\frac13 = 0.\\dot{6}$.", "Express $\\frac13$ as a decimal.", "incorrect"),
    ("23", "So $112_3 + 10 = (23)_{10}$.", "What is $212_3$ in base ten?", "correct"),
    ("23", "So $212_3 = (22)_{10}$.", "What is $212_3$ in base ten?", "incorrect"),
    # letters and offered words in prose
    ("\\text{A, C}", "Both 29 and 31 are prime, i.e. options C and A.", "Which are prime? A. 31 B. 33 C. 29 D. 39", "correct"),
    ("\\text{A, C}", "Only 31 is prime, i.e. options A and D.", "Which are prime? A. 31 B. 33 C. 29 D. 39", "incorrect"),
    ("\\text{parallel}", "Both slopes are $2$, so the lines are parallel to each other.", "Are the lines $y=2x+1$ and $y=2x-3$ parallel, perpendicular, or neither?", "correct"),
    ("\\text{parallel}", "The slopes multiply to $-1$, so the lines are perpendicular.", "Are the lines $y=2x+1$ and $y=2x-3$ parallel, perpendicular, or neither?", "incorrect"),
    # forms: a constant left out, a factor with a common number, a function's argument renamed
    ("\\frac{x^3}{3} + 2x + C", "$\\boxed{\\frac{x^3}{3} + 2x + K}$", "Find $\\int (x^2 + 2)\\,dx$.", "correct"),
    ("\\frac{x^3}{3} + 2x + C", "$\\boxed{x^3 + 2x}$", "Find $\\int (x^2 + 2)\\,dx$.", "incorrect"),
    ("A + B + C", "$\\boxed{A + B}$", "Write the sum of the three angles.", "incorrect"),
    ("3(x-3)(x+3)", "$\\boxed{(3x-9)(x+3)}$", "Factor completely: $3x^2 - 27$.", "incorrect"),
    ("3(x-3)(x+3)", "$\\boxed{3(x+3)(x-3)}$", "Factor completely: $3x^2 - 27$.", "correct"),
    ("x^2 + 4", "$\\boxed{g(u) = u^2 + 4}$", "Find $g(x)$ if $g(x - 2) = x^2 - 4x + 8$.", "correct"),
    ("x^2 + 4", "$\\boxed{g(u) = u^2 - 4}$", "Find $g(x)$ if $g(x - 2) = x^2 - 4x + 8$.", "incorrect"),
    # a reply cut off in a list it checks by
    ("6", "The divisors of 12 number $(2+1)(1+1)$. Let me list them to check: 1, 2, 3, 4, 6", "How many positive divisors does 12 have?", "incorrect"),
    # set 8's kinds: an aside in parentheses is no aside when it is the interval itself
    ("[-3,1)\\cup(4,6]", "**Answer:** $\\left[-3,1\\right)\\cup\\left(4,6\\right]$", "Express the set in interval notation.", "correct"),
    ("[-3,1)\\cup(4,6]", "**Answer:** $\\left[-3,1\\right]\\cup\\left(4,6\\right]$", "Express the set in interval notation.", "incorrect"),
    # a hedge word before a committed value; a reply cut off inside its box
    ("31", "So the answer is likely 31.", "What is the 11th prime?", "correct"),
    ("31", "So the answer is likely 29.", "What is the 11th prime?", "incorrect"),
    ("20", "Each of the 12 pentagons ... so the count is $\\frac{12\\cdot 5}{3} = 20$.\n\nSo the answer is $\\boxed{20", "How many vertices?", "correct"),
    # a side result boxed after the answer; two labelled boxes in the order asked
    ("34", "$x^2+y^2 = (x+y)^2 - 2xy = 64 - 30 = \\boxed{34}$.\n\nAs a bonus, $(x-y)^2 = 34 - 30 = \\boxed{4}$.", "Find $x^2+y^2$.", "correct"),
    ("4", "$x^2+y^2 = (x+y)^2 - 2xy = 64 - 30 = \\boxed{34}$.\n\nAs a bonus, $(x-y)^2 = 34 - 30 = \\boxed{4}$.", "Find $x^2+y^2$.", "incorrect"),
    ("58, 3", "Quotient: $\\boxed{58}$, remainder: $\\boxed{3}$.", "Find the quotient and remainder when 409 is divided by 7.", "correct"),
    ("58, 3", "Quotient: $\\boxed{58}$, remainder: $\\boxed{4}$.", "Find the quotient and remainder when 409 is divided by 7.", "incorrect"),
    # one labelled value of several, the one the problem asks for; a derivative named h'(x)
    ("-6", "$\\boxed{p = -6,\\ q = 9}$", "The roots of $x^2 + px + q$ are both 3. Find $p$.", "correct"),
    ("-6", "$\\boxed{p = 9,\\ q = -6}$", "The roots of $x^2 + px + q$ are both 3. Find $p$.", "incorrect"),
    ("2x\\cos x - x^2\\sin x", "**Answer:** $g'(x) = x(2\\cos x - x\\sin x)$", "Differentiate $g(x) = x^2\\cos x$.", "correct"),
    ("2x\\cos x - x^2\\sin x", "**Answer:** $g'(x) = x(2\\cos x + x\\sin x)$", "Differentiate $g(x) = x^2\\cos x$.", "incorrect"),
    # \pm on both sides, in different forms
    ("\\frac{1\\pm\\sqrt{3}}{2}", "$\\boxed{\\frac12 \\pm \\frac{\\sqrt3}{2}}$", "Solve $2x^2 - 2x - 1 = 0$.", "correct"),
    ("\\frac{1\\pm\\sqrt{3}}{2}", "$\\boxed{\\frac12 \\pm \\sqrt3}$", "Solve $2x^2 - 2x - 1 = 0$.", "incorrect"),
    # a terminating decimal for a repeating one; simplify a root; arithmetic left undone
    ("0.\\overline{09}", "$\\boxed{0.0909}$", "Express $\\frac{1}{11}$ as a decimal.", "incorrect"),
    ("0.\\overline{09}", "$\\boxed{0.\\overline{09}}$", "Express $\\frac{1}{11}$ as a decimal.", "correct"),
    ("5\\sqrt{3}", "$\\boxed{\\sqrt{75}}$", "Simplify $\\sqrt{75}$.", "incorrect"),
    ("5\\sqrt{3}", "$\\boxed{5\\sqrt3}$", "Simplify $\\sqrt{75}$.", "correct"),
    ("56", "$\\boxed{\\frac{8 \\cdot 7 \\cdot 6}{3!}}$", "Compute $\\dbinom{8}{3}$.", "incorrect"),
    ("56", "$\\boxed{56}$", "Compute $\\dbinom{8}{3}$.", "correct"),
    # a matrix as nested lists in prose; a word for a letter code the problem defines
    ("\\begin{pmatrix}0&1\\\\1&0\\end{pmatrix}", "So the matrix is [[0, 1], [1, 0]].", "Find the matrix that swaps the coordinates.", "correct"),
    ("\\begin{pmatrix}0&1\\\\1&0\\end{pmatrix}", "So the matrix is [[1, 0], [0, 1]].", "Find the matrix that swaps the coordinates.", "incorrect"),
    ("\\text{(E)}", "$\\boxed{\\text{ellipse}}$", 'Which conic? Enter "C" for circle, "E" for ellipse, "H" for hyperbola, and "N" for none of the above.', "correct"),
    ("\\text{(E)}", "$\\boxed{H}$", 'Which conic? Enter "C" for circle, "E" for ellipse, "H" for hyperbola, and "N" for none of the above.', "incorrect"),
    # set 9's kinds: plain-text math closing a reply (Unicode, no LaTeX delimiters)
    ("(x-1)(x-4)", "We need two numbers with product 4 and sum −5.\n\nx² − 5x + 4 = (x − 4)(x − 1)", "Factor $x^2-5x+4$.", "correct"),
    ("(x-1)(x-4)", "We need two numbers with product 4 and sum −5.\n\nx² − 5x + 4 = (x − 4)(x + 1)", "Factor $x^2-5x+4$.", "incorrect"),
    ("\\frac{x+5}{2}", "Swap x and y and solve.\n\nf⁻¹(x) = (1/2)x + 5/2", "If $f(x) = 2x-5$, find $f^{-1}(x)$.", "correct"),
    ("\\frac{x+5}{2}", "Swap x and y and solve.\n\nf⁻¹(x) = (1/2)x − 5/2", "If $f(x) = 2x-5$, find $f^{-1}(x)$.", "incorrect"),
    ("-2, 0, 2", "$x^3 - 4x = x(x-2)(x+2)$.\n\nx ∈ {−2, 0, 2}", "Find all real solutions to $x^3 - 4x = 0$.", "correct"),
    ("-2, 0, 2", "$x^3 - 4x = x(x-2)(x+2)$.\n\nx ∈ {−2, 2}", "Find all real solutions to $x^3 - 4x = 0$.", "incorrect"),
    ("3, 4", "$m^2 - 7m + 12 = (m-3)(m-4)$.\n\nSo m = 3 or m = 4.", "Find all $m$ with $m^2 - 7m + 12 = 0$. Enter the solutions separated by commas.", "correct"),
    ("3, 4", "$m^2 - 7m + 12 = (m-3)(m-4)$.\n\nSo m = 3 or m = 5.", "Find all $m$ with $m^2 - 7m + 12 = 0$. Enter the solutions separated by commas.", "incorrect"),
    ("\\text{Sunday}", "45 = 6·7 + 3, so it is 3 days on.\n\nThursday + 3 → Sunday", "Today is Thursday. What day is it 45 days from today?", "correct"),
    ("\\text{Sunday}", "45 = 6·7 + 3, so it is 3 days on.\n\nThursday + 3 → Saturday", "Today is Thursday. What day is it 45 days from today?", "incorrect"),
    ("(3,1)", "Adding the equations gives $2x = 6$.\n\nThe lines cross at x = 3, y = 1.", "Where do $x+y=4$ and $x-y=2$ meet? Enter an ordered pair.", "correct"),
    ("(3,1)", "Adding the equations gives $2x = 6$.\n\nThe lines cross at x = 1, y = 3.", "Where do $x+y=4$ and $x-y=2$ meet? Enter an ordered pair.", "incorrect"),
    ("4\\sqrt{2}", "32 = 16 · 2, so √32 = √16 · √2 = 4√2.", "Simplify $\\sqrt{32}$.", "correct"),
    ("3\\sqrt{5}", "Final answer: 3 sqrt(5)", "Simplify $\\sqrt{45}$.", "correct"),
    ("3\\sqrt{5}", "Final answer: 5 sqrt(3)", "Simplify $\\sqrt{45}$.", "incorrect"),
    ("\\log_3 10", "Final answer: x = 1 + log₃(10/3)", "If $3^x = 10$, find $x$.", "correct"),
    # words, display math, a repeating block in brackets or an ellipsis, constants in words
    ("\\frac{2}{3}", "40 out of 60 minutes is two-thirds of an hour.", "What fraction of an hour is 40 minutes?", "correct"),
    ("\\frac{2}{3}", "40 out of 60 minutes is three-quarters of an hour.", "What fraction of an hour is 40 minutes?", "incorrect"),
    ("24", "Four eggs for each of six omelettes: she needs two dozen eggs.", "How many eggs?", "correct"),
    ("24", "Four eggs for each of six omelettes: she needs three dozen eggs.", "How many eggs?", "incorrect"),
    ("12", "Two eggs for each of six omelettes: she needs a dozen eggs.", "How many eggs?", "correct"),
    ("4.5", "So the walk takes four and a half hours.", "How many hours?", "correct"),
    ("\\frac{9}{2}", "Each share is 9 ÷ 2 = 4.5, which as a mixed number is\n\n$$4\\frac{1}{2}$$", "How long is each share?", "correct"),
    ("0.1\\overline{6}", "So 1/6 = 0.1(6).", "Express $\\frac16$ as a decimal.", "correct"),
    ("0.\\overline{45}", "Answer: 0.454545...", "Express $\\frac{5}{11}$ as a decimal.", "correct"),
    ("0.\\overline{45}", "Answer: 0.4545", "Express $\\frac{5}{11}$ as a decimal.", "incorrect"),
    ("\\frac{1}{3}e^{3x}+C", "Answer: e^(3x)/3 + constant", "Find $\\int e^{3x}\\,dx$.", "correct"),
    ("x^2-x+C", "$\\int (2x - 1)\\,dx = x^2 - x + K$, where $K$ is any constant.", "Find $\\int (2x-1)\\,dx$.", "correct"),
    # a unit restated in brackets, a second answer in brackets, a factorial not a sentence's end
    ("250", "Answer: 250 cm (2.5 m)", "How long is it in centimeters?", "correct"),
    ("10", "Answer: 10 (or 20 if the two seats are distinct)", "In how many ways can 2 of 5 people be chosen?", "incorrect"),
    ("40320", "$8! = 8\\cdot 7\\cdots 1$.\n\n$8! = 4.032 \\times 10^{4}$", "In how many ways can 8 books be arranged?", "correct"),
    ("(1,6)", "Factor: $(x-1)(x-6) = 0$.\n\n$\\boxed{x = 1 \\text{ or } x = 6}$", "Find all real $x$ such that $x^2 - 7x + 6 < 0$.", "incorrect"),
    ("(-4,1)", "So the answer is $-4 < x < 1$.", "Solve $x^2 + 3x - 4 < 0$. Express your answer in interval notation.", "incorrect"),
    ("(-4,1)", "So the answer is $(-4, 1)$.", "Solve $x^2 + 3x - 4 < 0$. Express your answer in interval notation.", "correct"),
    # set 10's kinds: reasoning-model replies (a <think> block, then a short answer section)
    ("\\frac{\\pi^2}{8}", "<think>odd squares only: (1 - 1/4) of pi^2/6</think>\n\n**Final Answer:** $\\dfrac{\\pi^2}{8}$ (≈ 1.234)", "Find $\\sum_{n\\ge0} \\frac{1}{(2n+1)^2}$.", "correct"),
    ("\\frac{\\pi^2}{8}", "<think>odd squares only</think>\n\n**Final Answer:** $\\dfrac{\\pi^2}{6}$ (≈ 1.645)", "Find $\\sum_{n\\ge0} \\frac{1}{(2n+1)^2}$.", "incorrect"),
    ("1112_5", "<think>14_5 = 9, 23_5 = 13, 117 = 1112_5</think>\n\nThe product is 1112 in base 5.", "Find $14_5 \\cdot 23_5$ in base $5$.", "correct"),
    ("1112_5", "<think>14_5 = 9, 23_5 = 13</think>\n\nThe product is 1122 in base 5.", "Find $14_5 \\cdot 23_5$ in base $5$.", "incorrect"),
    ("\\frac{3}{8}", "1/4 + 1/8 = 3/8 = 0.375.\n\n**Final Answer:** 0.375", "Simplify $\\frac14 + \\frac18$. Express your answer as a common fraction.", "incorrect"),
    ("\\frac{3}{8}", "1/4 + 1/8 = 3/8 = 0.375.\n\n**Final Answer:** 3/8", "Simplify $\\frac14 + \\frac18$. Express your answer as a common fraction.", "correct"),
    ("\\frac{1}{8}", "Eight outcomes, one favourable.\n\n$\\boxed{\\frac18} = \\boxed{0.125}$", "Three coins are flipped. What is the probability of three heads? Express your answer as a common fraction.", "correct"),
    ("3x+2y+z-6=0", "Clearing denominators:\n\n$$\\boxed{-3x-2y-z+6=0}$$", "Find the plane through $(2,0,0)$, $(0,3,0)$, $(0,0,6)$, in the form $Ax+By+Cz+D=0$ with $A>0$.", "incorrect"),
    ("3x+2y+z-6=0", "Clearing denominators:\n\n$$\\boxed{3x+2y+z-6=0}$$", "Find the plane through $(2,0,0)$, $(0,3,0)$, $(0,0,6)$, in the form $Ax+By+Cz+D=0$ with $A>0$.", "correct"),
    ("-\\cos x+C", "<think>d/dx cos = -sin</think>\n\n$$\\int\\sin x\\,dx = -\\cos(x) + K$$\n\nwhere $K$ is an arbitrary constant.", "Find $\\int \\sin x\\,dx$.", "correct"),
    ("-\\cos x+C", "<think>d/dx cos = -sin</think>\n\n$$\\int\\sin x\\,dx = \\cos(x) + K$$\n\nwhere $K$ is an arbitrary constant.", "Find $\\int \\sin x\\,dx$.", "incorrect"),
    ("\\text{A, C}", "<think>check each</think>\n\nThe ones that work:\n\n- A\n- C", "Which are even? A. 4 B. 7 C. 10 D. 15. Enter the letters separated by commas.", "correct"),
    ("\\text{A, C}", "<think>check each</think>\n\nThe ones that work:\n\n- A\n- D", "Which are even? A. 4 B. 7 C. 10 D. 15. Enter the letters separated by commas.", "incorrect"),
    ("2\\pm\\sqrt{7}", "By the quadratic formula:\n\n$$x = 2+\\sqrt7,\\quad x = 2-\\sqrt7$$", "Find all solutions to $x^2-4x-3=0$.", "correct"),
    ("2\\pm\\sqrt{7}", "By the quadratic formula:\n\n$$x = 2+\\sqrt7,\\quad x = 2-\\sqrt3$$", "Find all solutions to $x^2-4x-3=0$.", "incorrect"),
    ("0.83", "$\\frac56 = 0.833\\ldots$, which rounds to\n\n.83", "Express $\\frac56$ as a decimal rounded to the nearest hundredth.", "correct"),
    ("0.83", "$\\frac56 = 0.833\\ldots$, which rounds to\n\n.84", "Express $\\frac56$ as a decimal rounded to the nearest hundredth.", "incorrect"),
    ("17", "To the nearest integer, $\\sqrt{300} \\approx 17$.", "Estimate $\\sqrt{300}$ to the nearest integer.", "correct"),
    ("17", "To the nearest integer, $\\sqrt{300} \\approx 18$.", "Estimate $\\sqrt{300}$ to the nearest integer.", "incorrect"),
    ("10", "<think>4 m by 2.5 m</think>\n\nConverting 250 cm to 2.5 m, the area is $4 \\times 2.5$.\n\n**Area = 10 m²**", "A rug is 4 m by 250 cm. What is its area in square meters?", "correct"),
    ("3750", "1 liter = 1000 mL, so 3.75 L = 3.75 × 1000 mL.\n\nThe jug holds 3,750 mL.", "A jug holds 3.75 liters. How many milliliters is that?", "correct"),
    ("3750", "1 liter = 1000 mL, so 3.75 L = 3.75 × 1000 mL.\n\nThe jug holds 375 mL.", "A jug holds 3.75 liters. How many milliliters is that?", "incorrect"),
    ("\\text{(E)}", "Both squared terms are positive with different coefficients.\n\nThis is an ellipse.", 'Which conic is $x^2 + 4y^2 = 4$? Enter "C" for circle, "E" for ellipse, "H" for hyperbola, and "N" for none of the above.', "correct"),
    ("\\text{(E)}", "Both squared terms are positive.\n\nThis is a circle.", 'Which conic is $x^2 + 4y^2 = 4$? Enter "C" for circle, "E" for ellipse, "H" for hyperbola, and "N" for none of the above.', "incorrect"),
    # set 11's kinds: a mixed number in a sentence, `x \equiv r` with the modulus said before, \bar
    # for \overline, "which simplifies to", a number in words past twenty
    ("2\\frac{3}{4}", "11 feet shared by 4.\n\nSo each piece is 2 3/4 feet long.", "An 11-foot rope is cut into 4 equal pieces. How long is each, in feet? Express your answer as a mixed number.", "correct"),
    ("2\\frac{3}{4}", "11 feet shared by 4.\n\nSo each piece is 2 1/4 feet long.", "An 11-foot rope is cut into 4 equal pieces. How long is each, in feet? Express your answer as a mixed number.", "incorrect"),
    ("5", "We need $3x \\equiv 1 \\pmod{7}$. Since $3 \\cdot 5 = 15 \\equiv 1$, the inverse is $x \\equiv 5$.", "Find the inverse of $3$ modulo $7$, as a residue from $0$ to $6$.", "correct"),
    ("5", "We need $3x \\equiv 1 \\pmod{7}$. Since $3 \\cdot 5 = 15 \\equiv 1$, the inverse is $x \\equiv 4$.", "Find the inverse of $3$ modulo $7$, as a residue from $0$ to $6$.", "incorrect"),
    ("0.8\\overline{3}", "$5 \\div 6 = 0.8333\\ldots$\n\n**Final Answer:** $0.8\\bar{3}$", "Express $\\frac{5}{6}$ as a decimal.", "correct"),
    ("0.8\\overline{3}", "$5 \\div 6 = 0.8333\\ldots$\n\n**Final Answer:** $0.8\\bar{6}$", "Express $\\frac{5}{6}$ as a decimal.", "incorrect"),
    ("3\\sqrt{2}", "Rationalizing: $\\frac{6\\sqrt{2}}{2}$, which simplifies to $3 \\sqrt 2$.", "Express $\\frac{6}{\\sqrt{2}}$ in simplest radical form.", "correct"),
    ("3\\sqrt{2}", "Rationalizing: $\\frac{6\\sqrt{2}}{2}$, which simplifies to $2 \\sqrt 3$.", "Express $\\frac{6}{\\sqrt{2}}$ in simplest radical form.", "incorrect"),
    ("169", "Thirteen thirteens.\n\nThe answer is one hundred sixty-nine.", "What is $13^2$?", "correct"),
    ("169", "Thirteen thirteens.\n\nThe answer is one hundred sixty-six.", "What is $13^2$?", "incorrect"),
    # set 12's kinds: a table's answer row, inline math alone on the last line, a verb of a word
    # problem ("travels 210 miles ... over the 4 hours"), a bold "Speed: 72 km/h", words after "Since $...$,"
    ("\\text{B, C}", "$2^2 = 4$ is even, 9 is odd.\n\n| Option | Even? |\n|---|---|\n| B | yes |\n| C | yes |\n| **Answer** | **B, C** |", "Which are even? A. 9 B. 4 C. 10 D. 15. Enter the letters separated by commas.", "correct"),
    ("\\text{B, C}", "$2^2 = 4$ is even, 9 is odd.\n\n| Option | Even? |\n|---|---|\n| B | yes |\n| C | yes |\n| **Answer** | **B, D** |", "Which are even? A. 9 B. 4 C. 10 D. 15. Enter the letters separated by commas.", "incorrect"),
    ("3\\pm\\sqrt{2}", "Completing the square, $(x-3)^2 = 2$, so\n\n$x = 3 + \\sqrt{2}$ or $x = 3 - \\sqrt{2}$.", "Find all solutions of $x^2 - 6x + 7 = 0$.", "correct"),
    ("3\\pm\\sqrt{2}", "Completing the square, $(x-3)^2 = 2$, so\n\n$x = 3 + \\sqrt{2}$ or $x = 3 - \\sqrt{3}$.", "Find all solutions of $x^2 - 6x + 7 = 0$.", "incorrect"),
    ("-2, 0, 2", "Factoring, $x(x-2)(x+2) = 0$, so\n\n$x \\in \\{-2, 0, 2\\}$", "Find all real solutions of $x^3 - 4x = 0$. Enter all solutions, separated by commas.", "correct"),
    ("-2, 0, 2", "Factoring, $x(x-2)(x+2) = 0$, so\n\n$x \\in \\{-2, 2\\}$", "Find all real solutions of $x^3 - 4x = 0$. Enter all solutions, separated by commas.", "incorrect"),
    ("0.\\overline{36}", "Long division of 4 by 11 gives remainders 4, 7, so the digits 36 repeat.\n\n$\\frac{4}{11} = 0.363636\\ldots$", "Express $\\frac{4}{11}$ as a repeating decimal.", "correct"),
    ("0.\\overline{36}", "Long division of 4 by 11 gives remainders 4, 7, so the digits 36 repeat.\n\n$\\frac{4}{11} = 0.3636$", "Express $\\frac{4}{11}$ as a repeating decimal.", "incorrect"),
    ("190", "The first leg is 120 miles and the second 70 miles. So the bus travels 190 miles in total over the 3 hours.", "A bus goes 60 mph for 2 hours, then 35 mph for 2 hours. How far does it go, in miles?", "correct"),
    ("190", "The first leg is 120 miles and the second 70 miles. So the bus travels 180 miles in total over the 3 hours.", "A bus goes 60 mph for 2 hours, then 35 mph for 2 hours. How far does it go, in miles?", "incorrect"),
    ("64", "Speed = 160 ÷ 2.5 = 64.\n\n- Distance: 160 km\n- **Speed: 64 km/h**", "A car travels 160 km in 2.5 hours. What is its average speed in km/h?", "correct"),
    ("64", "Speed = 160 ÷ 2.5 = 64.\n\n- Distance: 160 km\n- **Speed: 46 km/h**", "A car travels 160 km in 2.5 hours. What is its average speed in km/h?", "incorrect"),
    ("\\text{even}", "Since $g(-x) = x^4 + x^2 = g(x)$, the function is even.", 'Is $g(x) = x^4 + x^2$ even, odd, or neither? Enter "odd", "even", or "neither".', "correct"),
    ("\\text{even}", "Since $g(-x) = x^4 + x^2 = g(x)$, the function is odd.", 'Is $g(x) = x^4 + x^2$ even, odd, or neither? Enter "odd", "even", or "neither".', "incorrect"),
    # a note after the box about a common mistake corrects nothing (MATH's own solutions do this)
    ("35", "That's $\\boxed{35}$ points. Note: It is a common mistake to count the interior squares, for 24, instead of the points.", "How many lattice points?", "correct"),
    ("35", "That's $\\boxed{24}$ points.\n\nActually, I counted squares, not points. The correct count is $35$.", "How many lattice points?", "correct"),
    # membership in an interval is an interval, whatever the problem asks: not a list of its ends
    ("1, 2", "So the solutions are $x \\in [1, 2]$.", "Find all real $x$ such that $2^{x^2-3x} = \\frac14$. Enter all solutions, separated by commas.", "incorrect"),
    ("1, 2", "So the solutions are $x \\in \\{1, 2\\}$.", "Find all real $x$ such that $2^{x^2-3x} = \\frac14$. Enter all solutions, separated by commas.", "correct"),
    ("(-6, 3)", "Between the roots: $x \\in [-6, 3]$.", "Solve $x^2 + 3x - 18 < 0$.", "incorrect"),
    ("(-6, 3)", "Between the roots: $x \\in (-6, 3)$.", "Solve $x^2 + 3x - 18 < 0$.", "correct"),
    ("[1, 2]", "So $x ∈ [1, 2]$.", "Solve $x^2 - 3x + 2 \\le 0$.", "correct"),
    # set 13's kinds: what follows the answer (a check line, a gloss in brackets, an approximation
    # beside bold), plain-text forms (2¼, "3 and 1/2", 120 000, ⟨3, −1⟩, `4.2e-4`, "+ K, K ∈ ℝ"), x vs |x|
    ("(x-1)(x-4)", "Two numbers with product 4 and sum −5: −1 and −4.\n\nx² − 5x + 4 = (x − 1)(x − 4)\n\nCheck: x² − 4x − x + 4 = x² − 5x + 4 ✓", "Factor $x^2-5x+4$.", "correct"),
    ("(x-1)(x-4)", "Two numbers with product 4 and sum −5: −1 and −4.\n\nx² − 5x + 4 = (x − 2)(x − 2)\n\nCheck: x² − 4x + 4 ✗", "Factor $x^2-5x+4$.", "incorrect"),
    ("\\frac{1}{12}", "Outcomes with sum 4: (1,3), (2,2), (3,1): 3 of 36.\n\nSo P(sum = 4) = 3/36 = 1/12 (about 8.3%).", "Two dice are rolled. What is the probability that the sum is 4? Express your answer as a common fraction.", "correct"),
    ("\\frac{1}{12}", "Outcomes with sum 4: (1,3), (2,2), (3,1): 3 of 36.\n\nSo P(sum = 4) = 3/36 = 1/6 (about 8.3%).", "Two dice are rolled. What is the probability that the sum is 4? Express your answer as a common fraction.", "incorrect"),
    ("\\frac{\\pi}{3}", "cos(60°) = 1/2.\n\nIn radians: arccos(1/2) = π/3 (i.e. 60°).", "Compute $\\arccos\\frac12$. Express your answer in radians.", "correct"),
    ("\\frac{\\pi}{3}", "cos(60°) = 1/2.\n\nIn radians: arccos(1/2) = π/6 (i.e. 60°).", "Compute $\\arccos\\frac12$. Express your answer in radians.", "incorrect"),
    ("2", "By Fermat, 2⁶ ≡ 1 (mod 7), and 50 = 6·8 + 2.\n\n2⁵⁰ ≡ 2² ≡ 4 (mod 7)", "What is the remainder when $2^{50}$ is divided by $7$?", "incorrect"),
    ("4", "By Fermat, 2⁶ ≡ 1 (mod 7), and 50 = 6·8 + 2.\n\n2⁵⁰ ≡ 2² ≡ 4 (mod 7)", "What is the remainder when $2^{50}$ is divided by $7$?", "correct"),
    ("3\\sqrt{2}", "d = √((4−1)² + (5−2)²) = √18\n\n**d = 3√2** ≈ 4.24", "Find the distance between $(1,2)$ and $(4,5)$. Express your answer in simplest radical form.", "correct"),
    ("3\\sqrt{2}", "d = √((4−1)² + (5−2)²) = √18\n\n**d = 2√3** ≈ 4.24", "Find the distance between $(1,2)$ and $(4,5)$. Express your answer in simplest radical form.", "incorrect"),
    ("30", "18/60 = 0.3\n\n18 is 30% of 60 (since 60 × 0.3 = 18).", "What percent of 60 is 18?", "correct"),
    ("30", "18/60 = 0.3\n\n18 is 3% of 60 (since 60 × 0.3 = 18).", "What percent of 60 is 18?", "incorrect"),
    ("3.5", "<think>\n3500/1000 = 3.5\n</think>\n3.5 km (3500 m ÷ 1000 m per km)", "How many kilometers are in 3500 meters?", "correct"),
    ("3.5", "<think>\n3500/1000 = 3.5\n</think>\n35 km (3500 m ÷ 100 m per km)", "How many kilometers are in 3500 meters?", "incorrect"),
    ("274_8", "188 ÷ 8 = 23 r 4, 23 ÷ 8 = 2 r 7, 2 ÷ 8 = 0 r 2.\n\nIn base 8, 188 is written as $(274)_8$.", "Convert $188_{10}$ to base 8.", "correct"),
    ("274_8", "188 ÷ 8 = 23 r 4, 23 ÷ 8 = 2 r 7, 2 ÷ 8 = 0 r 2.\n\nIn base 8, 188 is written as $(472)_8$.", "Convert $188_{10}$ to base 8.", "incorrect"),
    ("240000", "2,500 × 96 = 240 000\n\nThe mill produces 240 000 sheets.", "A mill makes 2,500 sheets an hour. How many does it make in 96 hours?", "correct"),
    ("240000", "2,500 × 96 = 24 000\n\nThe mill produces 24 000 sheets.", "A mill makes 2,500 sheets an hour. How many does it make in 96 hours?", "incorrect"),
    ("3\\frac{3}{4}", "5 × 3/4 = 15/4 = 3 3/4.\n\nYou need 3¾ cups of flour.", "A batch uses $\\frac34$ cup of flour. How much flour do 5 batches use? Express your answer as a mixed number.", "correct"),
    ("3\\frac{3}{4}", "5 × 3/4 = 15/4.\n\nYou need 3¼ cups of flour.", "A batch uses $\\frac34$ cup of flour. How much flour do 5 batches use? Express your answer as a mixed number.", "incorrect"),
    ("\\frac{9}{2}", "1½ = 3/2, and 3/2 × 3 = 9/2.\n\nAs a mixed number that's **4 and 1/2**.", "Compute $1\\frac12 \\times 3$.", "correct"),
    ("\\frac{9}{2}", "1½ = 3/2, and 3/2 × 3 = 9/2.\n\nAs a mixed number that's **4 and 1/4**.", "Compute $1\\frac12 \\times 3$.", "incorrect"),
    ("\\pm 4", "Taking square roots of both sides: x = 4 or x = −4.", "Solve $x^2=16$.", "correct"),
    ("\\pm 4", "Taking square roots of both sides: x = 4 or x = −8.", "Solve $x^2=16$.", "incorrect"),
    ("x^2-2x+1", "Substitute g(x) into f:\n\n(f∘g)(x) = f(x − 1) = (x − 1)².", "Let $f(x)=x^2$ and $g(x)=x-1$. Find $f(g(x))$.", "correct"),
    ("x^2-2x+1", "Substitute g(x) into f:\n\n(f∘g)(x) = f(x − 1) = (x + 1)².", "Let $f(x)=x^2$ and $g(x)=x-1$. Find $f(g(x))$.", "incorrect"),
    ("\\begin{pmatrix} 4 \\\\ -2 \\end{pmatrix}", "Add componentwise: 3 + 1 = 4, −1 + (−1) = −2.\n\n⟨4, −2⟩", "Compute $\\begin{pmatrix}3\\\\-1\\end{pmatrix}+\\begin{pmatrix}1\\\\-1\\end{pmatrix}$.", "correct"),
    ("\\begin{pmatrix} 4 \\\\ -2 \\end{pmatrix}", "Add componentwise: 3 + 1 = 4, −1 + (−1) = −2.\n\n⟨4, 2⟩", "Compute $\\begin{pmatrix}3\\\\-1\\end{pmatrix}+\\begin{pmatrix}1\\\\-1\\end{pmatrix}$.", "incorrect"),
    ("3.6\\times 10^{-5}", "Move the decimal point 5 places to get 3.6, so the exponent is −5.\n\n`3.6e-5`", "Express $0.000036$ in scientific notation.", "correct"),
    ("3.6\\times 10^{-5}", "Move the decimal point 5 places to get 3.6, so the exponent is −5.\n\n`3.6e-6`", "Express $0.000036$ in scientific notation.", "incorrect"),
    ("x^3+C", "Power rule: ∫3x² dx = x³.\n\n∫3x² dx = x³ + K,  K ∈ ℝ", "Find $\\int 3x^2\\,dx$.", "correct"),
    ("x^3+C", "Power rule: ∫3x² dx = 3x³.\n\n∫3x² dx = 3x³ + K,  K ∈ ℝ", "Find $\\int 3x^2\\,dx$.", "incorrect"),
    ("\\text{(H)}", "Opposite signs on the squares: x²/4 − y²/9 = 1.\n\nIt's a hyperbola (opening left and right, centred at (0, 0)).", 'What conic is $9x^2-4y^2=36$? Enter "C" for circle, "P" for parabola, "E" for ellipse, "H" for hyperbola, and "N" for none of the above.', "correct"),
    ("\\text{(H)}", "Opposite signs on the squares: x²/4 − y²/9 = 1.\n\nIt's an ellipse (centred at (0, 0)).", 'What conic is $9x^2-4y^2=36$? Enter "C" for circle, "P" for parabola, "E" for ellipse, "H" for hyperbola, and "N" for none of the above.', "incorrect"),
    ("|y|", "√(y²) = (y²)^{1/2} = y\n\nAnswer: y", "Simplify $\\sqrt{y^2}$ for real $y$.", "incorrect"),
    ("|y|", "√(y²) is y for y ≥ 0 and −y for y < 0.\n\nAnswer: |y|", "Simplify $\\sqrt{y^2}$ for real $y$.", "correct"),
    ("-3, 0, 3", "Factor: $x(x-3)(x+3)=0$. The solutions are $x = 0$ and $x = \\pm 3$.", "Find all real solutions of $x^3-9x=0$.", "correct"),
    ("-3, 0, 3", "Factor: $x(x-3)(x+3)=0$. The solutions are $x = 0$ and $x = \\pm 9$.", "Find all real solutions of $x^3-9x=0$.", "incorrect"),
    # a tick beside the answer itself is no check line to skip
    ("6", "3x = 18, so x = 5 would give 15, too small.\n\n**x = 6** ✓", "Solve $3x = 18$.", "correct"),
    ("6", "3x = 18, so x = 6 would give 18.\n\n**x = 5** ✓", "Solve $3x = 18$.", "incorrect"),
    # an equation stated after words ("this is"), not the value its last "=" gives
    ("y=3x-2", "Slope 3 through (1, 1): y − 1 = 3(x − 1), so y = 3x − 2. In standard form this is\n\n3x − y − 2 = 0", "Find the equation of the line through $(1,1)$ with slope $3$.", "correct"),
    ("y=3x-2", "Slope 3 through (1, 1): y − 1 = 3(x − 1), so y = 3x − 2. In standard form this is\n\n3x − y + 2 = 0", "Find the equation of the line through $(1,1)$ with slope $3$.", "incorrect"),
    # what an arrow gives, after words
    ("11:30 \\text{ AM}", "Leave 09:15 + 2 h 15 min → arrives at 11:30.", "A train leaves at 9:15 AM and the trip takes 2 hours 15 minutes. When does it arrive?", "correct"),
    ("11:30 \\text{ AM}", "Leave 09:15 + 2 h 15 min → arrives at 11:45.", "A train leaves at 9:15 AM and the trip takes 2 hours 15 minutes. When does it arrive?", "incorrect"),
    # each log takes its own number
    ("\\log_3 5", "Take logs: x ln 3 = ln 5\n\n**x = ln 5 / ln 3**", "Solve $3^x = 5$.", "correct"),
    ("\\log_3 5", "Take logs: x ln 5 = ln 3\n\n**x = ln 3 / ln 5**", "Solve $3^x = 5$.", "incorrect"),
    # a point with its label
    ("(3,-1)", "Midpoint = ((1 + 5)/2, (−4 + 2)/2)\n\n**P(3, −1)**", "Find the midpoint of the segment from $(1,-4)$ to $(5,2)$.", "correct"),
    ("(3,-1)", "Midpoint = ((1 + 5)/2, (−4 + 2)/2)\n\n**P(3, 1)**", "Find the midpoint of the segment from $(1,-4)$ to $(5,2)$.", "incorrect"),
    # unit-vector notation
    ("\\begin{pmatrix} 2 \\\\ -1 \\\\ 4 \\end{pmatrix}", "Add componentwise.\n\n**2i − j + 4k**", "Compute $\\begin{pmatrix}1\\\\0\\\\3\\end{pmatrix}+\\begin{pmatrix}1\\\\-1\\\\1\\end{pmatrix}$.", "correct"),
    ("\\begin{pmatrix} 2 \\\\ -1 \\\\ 4 \\end{pmatrix}", "Add componentwise.\n\n**2i + j + 4k**", "Compute $\\begin{pmatrix}1\\\\0\\\\3\\end{pmatrix}+\\begin{pmatrix}1\\\\-1\\\\1\\end{pmatrix}$.", "incorrect"),
    ("3+2i", "Multiply out: (1 + i)(2.5 − 0.5i) = 3 + 2i", "Compute $(1+i)(2.5-0.5i)$.", "correct"),
    # a ratio stated in a sentence, in words, and in lowest terms where asked
    ("5:3", "Red : blue = 20 : 12; divide both by 4.\n\nThe ratio is 5:3.", "A jar has 20 red and 12 blue beads. What is the ratio of red to blue beads in simplest form?", "correct"),
    ("5:3", "Red : blue = 20 : 12; divide both by 4.\n\nThe ratio is 3:5.", "A jar has 20 red and 12 blue beads. What is the ratio of red to blue beads in simplest form?", "incorrect"),
    ("5:3", "Red to blue is 20 to 12, and dividing by 4 gives\n\n**Answer: 5 to 3**", "A jar has 20 red and 12 blue beads. What is the ratio of red to blue beads in simplest form?", "correct"),
    ("5:3", "Red : blue = 20 : 12; divide both by 2.\n\nThe ratio is 10:6.", "A jar has 20 red and 12 blue beads. What is the ratio of red to blue beads in simplest form?", "incorrect"),
    # plain-text pi and Python's power
    ("\\frac{500\\pi}{3}", "V = (4/3) * pi * 5^3\n\n**Answer:** 500pi/3", "What is the volume of a sphere of radius 5? Express your answer in terms of $\\pi$.", "correct"),
    ("\\frac{500\\pi}{3}", "V = (4/3) * pi * 5^2\n\n**Answer:** 100pi/3", "What is the volume of a sphere of radius 5? Express your answer in terms of $\\pi$.", "incorrect"),
    ("4x^3-2x", "Power rule, term by term.\n\nSo the derivative is 4*x**3 - 2*x.", "Find $\\frac{d}{dx}\\left(x^4 - x^2\\right)$.", "correct"),
    ("4x^3-2x", "Power rule, term by term.\n\nSo the derivative is 4*x**3 - x.", "Find $\\frac{d}{dx}\\left(x^4 - x^2\\right)$.", "incorrect"),
    # an expression a sentence states, not its first number
    ("6x+1", "Differentiate each term.\n\nThe derivative is 6x + 1.", "Find the derivative of $3x^2 + x$.", "correct"),
    ("6x+1", "Differentiate each term.\n\nThe derivative is 6x + 3.", "Find the derivative of $3x^2 + x$.", "incorrect"),
    # a set in braces in a sentence
    ("\\{1,3,5,15\\}", "15 = 3 · 5.\n\nThe set of divisors is {15, 5, 3, 1}.", "Find the set of all positive divisors of 15.", "correct"),
    ("\\{1,3,5,15\\}", "15 = 3 · 5.\n\nThe set of divisors is {15, 5, 3}.", "Find the set of all positive divisors of 15.", "incorrect"),
    # "Since ..., we have ...": what follows
    ("4", "<think>\n3^4 = 81. \\boxed{4}\n</think>\nSince $3^4 = 81$, we have $\\log_3 81 = 4$.", "Evaluate $\\log_3 81$.", "correct"),
    ("4", "<think>\n3^4 = 81. \\boxed{4}\n</think>\nSince $3^4 = 81$, we have $\\log_3 81 = 3$.", "Evaluate $\\log_3 81$.", "incorrect"),
    # a word answer with a verb other than "is", an abbreviation after it
    ("\\text{does not exist}", "The one-sided limits are $1$ and $-1$.\n\nThe limit does not exist (DNE).", "Evaluate $\\lim_{x \\to 3} \\frac{|x-3|}{x-3}$.", "correct"),
    ("\\text{does not exist}", "The one-sided limits are $1$ and $-1$.\n\nThe limit is $1$.", "Evaluate $\\lim_{x \\to 3} \\frac{|x-3|}{x-3}$.", "incorrect"),
    # parts that name values, together
    ("a=4, b=1", "Add the equations: 2a = 8.\n\n(a) a = 4\n(b) b = 5 − 4 = 1", "Given $a + b = 5$ and $a - b = 3$: (a) find $a$; (b) find $b$.", "correct"),
    ("a=4, b=1", "Add the equations: 2a = 8.\n\n(a) a = 4\n(b) b = 5 − 4 = 2", "Given $a + b = 5$ and $a - b = 3$: (a) find $a$; (b) find $b$.", "incorrect"),
    ("60", "Speed = distance / time = 150 / 2.5.\n\nThe speed is 60 km/h.", "A car travels 150 km in 2.5 hours. What is its average speed in km/h?", "correct"),
    # set 15: an expression in plain text closing a sentence, not its first or last number
    ("6x^2-2x", "Differentiate term by term.\n\nAdding these, the derivative is 6x^2 - 2x.", "Find the derivative of $2x^3 - x^2$.", "correct"),
    ("6x^2-2x", "Differentiate term by term.\n\nAdding these, the derivative is 6x^2 - x.", "Find the derivative of $2x^3 - x^2$.", "incorrect"),
    ("\\frac{x+2}{x-2}", "Factor: (x - 2)(x + 2) over (x - 2)^2.\n\nCancelling (x - 2), the simplified expression is (x + 2)/(x - 2).", "Simplify $\\frac{x^2-4}{x^2-4x+4}$.", "correct"),
    ("\\frac{x+2}{x-2}", "Factor: (x - 2)(x + 2) over (x - 2)^2.\n\nCancelling (x - 2), the simplified expression is (x - 2)/(x + 2).", "Simplify $\\frac{x^2-4}{x^2-4x+4}$.", "incorrect"),
    ("12x(x^2+1)^5", "Chain rule: outer 6u^5, inner 2x.\n\nMultiplying, f'(x) = 6(x^2 + 1)^5 · 2x = 12x(x^2 + 1)^5.", "Differentiate $f(x) = (x^2+1)^6$.", "correct"),
    ("12x(x^2+1)^5", "Chain rule: outer 6u^5, inner 2x.\n\nMultiplying, f'(x) = 6(x^2 + 1)^5 · x = 6x(x^2 + 1)^5.", "Differentiate $f(x) = (x^2+1)^6$.", "incorrect"),
    ("(x+3)(x-1)", "Two numbers with product -3 and sum 2: 3 and -1.\n\nSo x^2 + 2x - 3 factors as (x + 3)(x - 1).", "Factor $x^2+2x-3$.", "correct"),
    ("(x+3)(x-1)", "Two numbers with product -3 and sum 2: -3 and 1.\n\nSo x^2 + 2x - 3 factors as (x - 3)(x + 1).", "Factor $x^2+2x-3$.", "incorrect"),
    ("\\frac{1}{2}e^{2x}+C", "Substitute u = 2x.\n\nTherefore the integral is (1/2) e^(2x) + K, where K is an arbitrary constant.", "Find $\\int e^{2x}\\,dx$.", "correct"),
    ("\\frac{1}{2}e^{2x}+C", "Substitute u = 2x.\n\nTherefore the integral is 2 e^(2x) + K, where K is an arbitrary constant.", "Find $\\int e^{2x}\\,dx$.", "incorrect"),
    ("e^x(\\cos x-\\sin x)", "Product rule.\n\nThe derivative is e^x(cos x - sin x).", "Differentiate $e^x\\cos x$.", "correct"),
    ("e^x(\\cos x-\\sin x)", "Product rule.\n\nThe derivative is e^x(cos x + sin x).", "Differentiate $e^x\\cos x$.", "incorrect"),
    ("3\\sqrt{2}", "sqrt(18) = sqrt(9 · 2).\n\nSo sqrt(18) simplifies to 3 root 2.", "Simplify $\\sqrt{18}$.", "correct"),
    ("3\\sqrt{2}", "sqrt(18) = sqrt(9 · 2).\n\nSo sqrt(18) simplifies to 2 root 3.", "Simplify $\\sqrt{18}$.", "incorrect"),
    ("|x+1|", "Taking the root of a square gives the absolute value.\n\nSo sqrt((x+1)^2) = abs(x + 1).", "Simplify $\\sqrt{(x+1)^2}$ for real $x$.", "correct"),
    ("|x+1|", "The root undoes the square.\n\nSo sqrt((x+1)^2) = x + 1.", "Simplify $\\sqrt{(x+1)^2}$ for real $x$.", "incorrect"),
    ("4\\pi", "C = 2πr with r = 2.\n\nSo the circumference is 4*pi.", "What is the circumference of a circle of radius 2?", "correct"),
    ("4\\pi", "C = πr with r = 2.\n\nSo the circumference is 2*pi.", "What is the circumference of a circle of radius 2?", "incorrect"),
    ("x-3", "Cancel the common factor.\n\nThe answer is x - 3 (valid for x ≠ -3, but as an expression it is x - 3).", "Simplify $\\frac{x^2-9}{x+3}$.", "correct"),
    # structured replies: JSON, a Final Answer heading, a code block, <final> tags
    ("x^2-4", '{"reasoning": "(x - 2)(x + 2) expands by difference of squares.", "answer": "x^2 - 4"}', "Expand $(x-2)(x+2)$.", "correct"),
    ("x^2-4", '{"reasoning": "(x - 2)(x + 2) expands by difference of squares.", "answer": "x^2 + 4"}', "Expand $(x-2)(x+2)$.", "incorrect"),
    ("11", '{"reasoning": "p(3) = 9 + 3 - 1 = 11.", "final_answer": 11}', "Let $p(x) = x^2 + x - 1$. Find $p(3)$.", "correct"),
    ("11", '{"reasoning": "p(3) = 9 + 3 + 1 = 13.", "final_answer": 13}', "Let $p(x) = x^2 + x - 1$. Find $p(3)$.", "incorrect"),
    ("(x-4)(x+4)", "Difference of squares.\n\n## Final Answer\n(x - 4)(x + 4)\n\nThis uses a^2 - b^2 = (a - b)(a + b).", "Factor $x^2-16$.", "correct"),
    ("(x-4)(x+4)", "Difference of squares.\n\n## Final Answer\n(x - 4)^2\n\nThis uses a^2 - b^2 = (a - b)(a + b).", "Factor $x^2-16$.", "incorrect"),
    ("(x-5)(x+5)", "Difference of squares:\n\n```\n(x + 5)(x - 5)\n```", "Factor $x^2-25$.", "correct"),
    ("(x-5)(x+5)", "Difference of squares:\n\n```\n(x + 5)^2\n```", "Factor $x^2-25$.", "incorrect"),
    ("4x-1", "Distribute and combine.\n\n<final>\n  4x - 1\n</final>", "Simplify $3(x-1)+x+2$.", "correct"),
    ("4x-1", "Distribute and combine.\n\n<final>\n  4x + 1\n</final>", "Simplify $3(x-1)+x+2$.", "incorrect"),
    # domains, roots and pairs in words; infinity in words
    ("(-\\infty,5)\\cup(5,\\infty)", "The denominator vanishes at x = 5.\n\nSo the domain is all real numbers except 5.", "Find the domain of $\\frac{1}{x-5}$.", "correct"),
    ("(-\\infty,5)\\cup(5,\\infty)", "The denominator vanishes at x = -5.\n\nSo the domain is all real numbers except -5.", "Find the domain of $\\frac{1}{x-5}$.", "incorrect"),
    ("(-\\infty,1)\\cup(1,\\infty)", "The denominator vanishes at 1.\n\nDomain: (-inf, 1) U (1, inf)", "Find the domain of $\\frac{x}{x-1}$.", "correct"),
    ("3, 4", "Factor: (x - 3)(x - 4) = 0, and the roots are 4 and 3.", "Find all roots of $x^2-7x+12$.", "correct"),
    ("3, 4", "Factor: (x + 3)(x - 4) = 0, and the roots are 4 and -3.", "Find all roots of $x^2-7x+12$.", "incorrect"),
    ("(3,-1)", "From the second equation y = 2 - x.\n\nThen x = 5 - 2 = 3. So x is 3 and y is -1.", "Solve $x + 2y = 1$ and $x - y = 4$. Give $(x, y)$.", "correct"),
    ("(3,-1)", "From the second equation y = 2 - x.\n\nThen x = 5 - 2 = 3. So x is -1 and y is 3.", "Solve $x + 2y = 1$ and $x - y = 4$. Give $(x, y)$.", "incorrect"),
    ("\\infty", "As x grows, x^2 dominates.\n\nTherefore the expression diverges to infinity.", "Evaluate $\\lim_{x\\to\\infty} (x^2 - x)$.", "correct"),
    ("\\infty", "As x grows, -x^2 dominates.\n\nTherefore the expression diverges to negative infinity.", "Evaluate $\\lim_{x\\to\\infty} (x^2 - x)$.", "incorrect"),
    ("x^{1/4}", "Add the exponents: 1/2 - 1/4 = 1/4.\n\nSo the product equals the fourth power of x, that is, x^(1/4).", "Simplify $x^{1/2} \\cdot x^{-1/4}$.", "correct"),
    ("\\sqrt{7}", "By Pythagoras, s^2 = 16 - 9 = 7.\n\nSo the side is the square root of 7.", "A right triangle has hypotenuse 4 and one leg 3. How long is the other leg?", "correct"),
    ("\\sqrt{7}", "By Pythagoras, s^2 = 16 + 9 = 25.\n\nSo the side is the square root of 25.", "A right triangle has hypotenuse 4 and one leg 3. How long is the other leg?", "incorrect"),
    # set 16: replies in other languages and their number formats
    ("4.5", "Tiempo = 90 ÷ 20 = 4,5 horas.\n\nTarda 4,5 horas.", "Un tren recorre 90 km a 20 km/h. ¿Cuántas horas tarda?", "correct"),
    ("45", "Tiempo = 90 ÷ 20 = 4,5 horas.\n\nTarda 4,5 horas.", "Un tren recorre 90 km a 20 km/h. ¿Cuántos minutos más de 4 horas tarda? Responde en décimas de hora por diez.", "incorrect"),
    ("2345.5", "4.691 € ÷ 2 = 2.345,5 €\n\nRespuesta: 2.345,5", "Dos socios reparten 4.691 € a partes iguales. ¿Cuántos euros recibe cada uno?", "correct"),
    ("2.5", "７．５÷３＝２．５\n\n答案：２．５", "一根绳子长 7.5 米，平均分成 3 段，每段长多少米？", "correct"),
    ("2.5", "７．５÷３＝２．５\n\n答案：３．５", "一根绳子长 7.5 米，平均分成 3 段，每段长多少米？", "incorrect"),
    ("24", "१२ × २ = २४\n\nउत्तर: २४", "एक डिब्बे में 12 पेंसिल हैं। 2 डिब्बों में कितनी पेंसिल हैं?", "correct"),
    ("1500", "5 × 300 = 1'500 Franken\n\nAntwort: 1'500", "Ein Zimmer kostet 300 Franken pro Nacht. Was kosten 5 Nächte?", "correct"),
    ("(1,4)", "Le produit est négatif entre ses racines.\n\nDonc $S = \\left]1\\,;\\,4\\right[$.", "Résoudre $(x-1)(x-4) < 0$.", "correct"),
    ("(1,4)", "Le produit est négatif entre ses racines.\n\nDonc $S = \\left[1\\,;\\,4\\right]$.", "Résoudre $(x-1)(x-4) < 0$.", "incorrect"),
    ("(-1,5)", "$|x - 2| < 3$ 等价于 $-1 < x < 5$。\n\n所以解集是 $[-1, 5]$。", "解不等式 $|x-2|<3$。", "incorrect"),
    ("16:45", "14 h 15 + 2 h 30 = 16 h 45.\n\nLe film se termine à 16 h 45.", "Un film commence à 14 h 15 et dure 2 h 30. À quelle heure se termine-t-il ?", "correct"),
    ("16:45", "14 h 15 + 2 h 30 = 16 h 45.\n\nLe film se termine à 16 h 15.", "Un film commence à 14 h 15 et dure 2 h 30. À quelle heure se termine-t-il ?", "incorrect"),
    ("-4, 1", "Factorizamos: $(x - 1)(x + 4) = 0$.\n\nLas soluciones son $x = 1$ ó $x = -4$.", "Resuelve $x^2 + 3x - 4 = 0$.", "correct"),
    ("-4, 1", "Factorizamos: $(x + 1)(x - 4) = 0$.\n\nLas soluciones son $x = -1$ ó $x = 4$.", "Resuelve $x^2 + 3x - 4 = 0$.", "incorrect"),
    ("-\\frac{1}{3}, 1", "因式分解：$(3x + 1)(x - 1) = 0$，\n所以 $x = -\\frac{1}{3}$ 或 $x = 1$。", "解方程 $3x^2 - 2x - 1 = 0$。", "correct"),
    ("-\\frac{1}{3}, 1", "因式分解：$(3x - 1)(x + 1) = 0$，\n所以 $x = \\frac{1}{3}$ 或 $x = -1$。", "解方程 $3x^2 - 2x - 1 = 0$。", "incorrect"),
    # a sentence under a Final Answer heading: what it says
    ("\\frac{1}{4}", "Two of the eight outcomes qualify.\n\n## Final Answer\nThe probability is 1/4.", "Two fair coins are tossed. What is the probability of two heads?", "correct"),
    ("\\frac{1}{4}", "Two of the eight outcomes qualify.\n\n## Final Answer\nThe probability is 1/2.", "Two fair coins are tossed. What is the probability of two heads?", "incorrect"),
    # set 17: physical quantities, read with pint and compared in one unit
    ("480 J", "W = Fd = 60 N × 8.0 m\n\nW = 0.48 kJ", "A 60 N force pushes a crate 8.0 m. How much work does it do?", "correct"),
    ("480 J", "W = Fd = 60 N × 8.0 m\n\nW = 4.8 kJ", "A 60 N force pushes a crate 8.0 m. How much work does it do?", "incorrect"),
    ("480 J", "P = W/t\n\nP = 480 W", "A 60 N force pushes a crate 8.0 m. How much work does it do?", "incorrect"),
    ("0.48", "W = 480 J", "A 60 N force pushes a crate 8.0 m. How much work does it do? Express your answer in kJ.", "incorrect"),
    ("0.48", "W = 0.48 kJ", "A 60 N force pushes a crate 8.0 m. How much work does it do? Express your answer in kJ.", "correct"),
    ("5.0\\,\\mathrm{m\\,s^{-2}}", "$a = F/m$\n\n$$a = 5\\ \\mathrm{m/s^2}$$", "A 10 N net force acts on 2.0 kg. Find the acceleration.", "correct"),
    ("\\SI{2.4}{\\kilo\\pascal}", "p = 2400 Pa", "Find the gauge pressure.", "correct"),
    ("\\SI{2.4}{\\kilo\\pascal}", "p = 2400 kPa", "Find the gauge pressure.", "incorrect"),
    ("3.2 \\times 10^{4}\\ \\text{J}", "Q = 0.096 * 3.34e5 = 32064 J\n\nRounded: Q = 3.2e4 J", "How much heat melts the ice?", "correct"),
    ("7.5 \\times 10^{-4}\\ \\text{m}", "ΔL = 7.5E-04 m", "By how much does the rod lengthen?", "correct"),
    ("7.5 \\times 10^{-4}\\ \\text{m}", "ΔL = 7.5E-03 m", "By how much does the rod lengthen?", "incorrect"),
    ("9.79\\ \\text{m/s}^2", "g ≈ 9.8 m/s²", "A pendulum 2.00 m long has a period of 2.84 s. What value of g does this give?", "correct"),
    ("9.79\\ \\text{m/s}^2", "g ≈ 9.7 m/s²", "A pendulum 2.00 m long has a period of 2.84 s. What value of g does this give?", "incorrect"),
    ("0.364 nm", "λ ≈ 0.4 nm", "Find the de Broglie wavelength of the electron.", "incorrect"),
    ("2.02 s", "t = 2.019 s", "How long does the fall take? Give the answer to three significant figures.", "correct"),
    ("2.02 s", "t = 2.0 s", "How long does the fall take? Give the answer to three significant figures.", "incorrect"),
    ("3.5 mA", "I = 3.5 A", "What current flows through the 2.0 kΩ resistor?", "incorrect"),
    ("300 K", "T = 600 − 273 = 27 °C\n\nFinal temperature: 27 °C", "What is its final temperature?", "correct"),
    ("6.0\\,\\mathrm{kg\\,m\\,s^{-1}}", "$p = 6.0\\ \\mathrm{N\\,s}$", "What is the momentum?", "correct"),
    ("1.5 mol/L", "c = 0.75 mol / 0.500 L = 1.5\n\nc = 1.5 mol", "What is the concentration?", "incorrect"),
    ("2.50 \\times 10^{18}", "N = Q/e\n\nN ≈ 2.50 × 10^{18} electrons", "How many electrons pass?", "correct"),
    ("4.0 eV", "E = 4.0 eV\n\n(In joules this is 6.4 × 10⁻¹⁹ J.)", "What is the photon's energy? Express it in eV.", "correct"),
    ("9.0 mol", "<think>maybe 6 mol</think>\n3.0 mol of ethanol needs 3 × 3.0 = 9.0 mol of O2.", "How many moles of O2 are needed?", "correct"),
    ("1.0 \\times 10^{-3}\\ \\text{M}", "[H⁺] = 10^(−3.00)\n= 1.0 × 10⁻³ mol/L", "A solution has pH 3.00. What is [H⁺]?", "correct"),
    ("CH_2O", "Divide by the smallest: C 1, H 2, O 1\n\nEmpirical formula: CH2O", "What is its empirical formula?", "correct"),
    ("CH_2O", "Divide by the smallest: C 1, H 2, O 1\n\nEmpirical formula: C2H4O2", "What is its empirical formula?", "incorrect"),
    ("1, 5, 3, 4", "Balanced: C₃H₈ + 5O₂ → 3CO₂ + 4H₂O", "Balance C3H8 + O2 → CO2 + H2O; list the coefficients.", "correct"),
    ("1, 5, 3, 4", "Balanced: C₃H₈ + 5O₂ → 3CO₂ + 3H₂O", "Balance C3H8 + O2 → CO2 + H2O; list the coefficients.", "incorrect"),
    # set 18: more units, scales, precisions and forms
    ("0.032 °C", "ΔT = Q/(mc) = 134/4186\n\nThe water warms by about 0.032 K.", "By how much does the temperature of the water rise?", "correct"),
    ("0.032 °C", "ΔT = Q/(mc) = 134/4186\n\nThe water warms by about 0.32 K.", "By how much does the temperature of the water rise?", "incorrect"),
    ("1500 lbf", "$$\\boxed{1.5\\times10^{3}\\ \\text{lbf}\\ (\\approx 6.7\\ \\text{kN})}$$", "What force can the large piston exert?", "correct"),
    ("0.80 ppm", "0.80 ppm = 800 ppb\n\n**Answer:** 800 ppb", "What is the lead concentration?", "correct"),
    ("0.80 ppm", "0.80 ppm = 80 ppb\n\n**Answer:** 80 ppb", "What is the lead concentration?", "incorrect"),
    ("46.07 g/mol", "Sum = 46.068\n\nA molecule of ethanol has a mass of 46.07 Da.", "What is the molar mass of ethanol?", "correct"),
    ("20\\pi\\ \\text{rad/s}", "ω = 2π × 600/60 = 20π rad/s ≈ 62.8 rad/s\n\n**Answer:** 62.8 rad/s", "A wheel turns at 600 rpm. What is its angular speed in rad/s?", "correct"),
    ("20\\pi\\ \\text{rad/s}", "ω = 2π × 600/60\n\n**Answer:** 62.8 rad/min", "A wheel turns at 600 rpm. What is its angular speed?", "incorrect"),
    ("\\text{mol}^{-1}\\,\\text{L}\\,\\text{s}^{-1}", "k = rate/[A]^2\n\n**Answer:** L mol⁻¹ s⁻¹", "What are the units of a second-order rate constant?", "correct"),
    ("\\text{mol}^{-1}\\,\\text{L}\\,\\text{s}^{-1}", "k = rate/[A]^2\n\n**Answer:** mol L⁻¹ s⁻¹", "What are the units of a second-order rate constant?", "incorrect"),
    ("4.5 \\times 10^{-2}", "K_c = (0.030)^2/0.020\n\n**Answer:** K_c = 4.5 × 10⁻² M", "Calculate K_c.", "correct"),
    ("0.0213", "α = 2.13 × 10⁻³ / 0.10\n\n**Answer:** α ≈ 2.13 %", "What fraction of the acid is ionized?", "correct"),
    ("0.0213", "α = 2.13 × 10⁻³ / 0.10\n\n**Answer:** α ≈ 21.3 %", "What fraction of the acid is ionized?", "incorrect"),
    ("4.61", "W = 4.606 kJ\n\nFinal answer: 4.606", "What is the work (in kJ)? Give the numerical answer correct upto the 2nd decimal digit.", "correct"),
    ("4.61", "W = 4.596 kJ\n\nFinal answer: 4.596", "What is the work (in kJ)? Give the numerical answer correct upto the 2nd decimal digit.", "incorrect"),
    ("3.14", "The thousandths digit is 1.\n\n$$\\boxed{3.142}$$", "Round $3.14159$ to the nearest hundredth.", "incorrect"),
    ("2.1 \\times 10^{9}\\ \\text{kg/s}", "dm/dt = L/c²\n\nThe star loses about 2.14 × 10⁹ kg each second.", "At what rate does it lose mass?", "correct"),
    ("1000", "I₂/I₁ = 10^(30/10)\n\nThe intensity grows by a factor of 10³.", "By what factor has the intensity increased?", "correct"),
]


@pytest.mark.parametrize(
    "reference, output, domain, problem, status",
    [(r, o, d, "", s) for r, o, d, s in AUDIT] + [(r, o, "math", p, s) for r, o, p, s in HELD_OUT],
)
def test_conventions_found_broken(reference, output, domain, problem, status):
    """Cases written apart from this repository's suites against Hendrycks' MATH grader, Qwen's,
    math-verify and simple-evals (AUDIT; each was wrong before), and new cases of the kinds the
    first three held-out sets (benchmarks/cases/math_holdout*.jsonl) found wrong, near misses
    beside them (HELD_OUT)."""
    v = verify_answer(reference, output, domain, prompt=problem)
    assert v.status == status, v


def test_units_policy_implied_strict_lenient():
    gives = "Each side is 5 cm. What is the perimeter of the square?"
    assert verify_answer("20 cm", "\\boxed{20}", "math", prompt=gives).correct  # implied: the default
    assert not verify_answer("20 cm", "\\boxed{20}", "math", prompt="What is the perimeter?").correct
    assert not verify_answer("20 cm", "\\boxed{20}", "math", prompt=gives, policy={"units": "strict"}).correct
    assert verify_answer("20 cm", "\\boxed{20}", "math", prompt="Perimeter?", policy={"units": "lenient"}).correct
    assert not verify_answer("20 cm", "\\boxed{20 m}", "math", prompt=gives, policy={"units": "lenient"}).correct
    assert load_config(sets=[]).verify.math.units == "implied"

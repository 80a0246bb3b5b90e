"""Math verification: is a final answer equal to the reference, by the conventions careful graders
share? A cascade of named rules; every verdict says which rule decided it. Where graders differ,
the policy decides (`verify.math.tolerance`, `verify.math.units`), and where the cascade and plain
math-verify disagree, the reason carries math-verify's second opinion.

Order: option letters, units, matrices, systems and lists (element by element, ordered unless the
reference is a set or the problem asks for all solutions), named equations (`g(x) = ...` vs
`y = ...`), then one value: normalised text, plain numbers, math-verify, the prediction's own
precision against an exact value, and symbolic simplification of the difference."""

from __future__ import annotations

import logging
import re

from k2batch.extract import normalize_answer
from k2batch.verify import SECOND_OPINION, chemistry, directions, quantities, tolerance
from k2batch.verify import mathasks as asks
from k2batch.verify import mathcalc as calc
from k2batch.verify import mathforms as forms
from k2batch.verify import mathnames as names
from k2batch.verify.mathnum import (
    BOUND,
    apart,
    clock,
    decimal_close,
    ellipsis_decimal,
    plain_number,
    repeating_decimal,
    same_time,
    same_value,
    simplify_equal,
    value,
)
from k2batch.verify.mathunits import compound, split_unit

# We disable math-verify's signal timeouts on purpose (the pool enforces ours); hush its warning.
logging.getLogger("math_verify").setLevel(logging.ERROR)

DEFAULT_POLICY = {"tolerance": "precision", "units": "implied"}
_TRIG = re.compile(r"\\(?:sin|cos|tan|cot|sec|csc)|\b(?:sin|cos|tan)\b")


def _parse(text: str, units: bool = False):
    """math-verify's parse. Its unit stripping (`units`) drops a trailing token it takes for a
    unit, and its list has letters: `2\\pi r h` read as `2\\pi r`, `4ab` as 4, `a + b + c` as
    nothing. The cascade splits known units itself (mathunits.split_unit), so it parses without."""
    from latex2sympy2_extended.latex2sympy2 import NormalizationConfig
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse  # in the worker, not at load

    norm = NormalizationConfig(basic_latex=True, units=units, malformed_operators=True, nits=True,
                               boxed="all", equations=False)  # fmt: skip
    configs = [LatexExtractionConfig(normalization_config=norm), ExprExtractionConfig()]
    # math-verify's own signal timeouts only work on a main thread; the pool enforces ours.
    parsed = parse(f"${text}$", configs, parsing_timeout=None)
    return parsed or parse(text, configs, parsing_timeout=None)


def _parsed(parse) -> bool:
    """Did math-verify read a value (a sympy object), not just keep the string?"""
    return any(not isinstance(x, str) for x in parse or [])


def _words(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z '-]*", forms.unwrap(text).strip()))


def _mv_equal(gold, pred) -> bool:
    from math_verify import verify

    # intervals against inequalities ([1, 3) and 1 <= x < 3) are the same answer to graders
    return bool(gold and pred and verify(gold, pred, timeout_seconds=None, allow_set_relation_comp=True))


def plain_math_verify(reference: str, answer: str) -> bool | None:
    """math-verify alone, as most graders call it; None where it cannot parse the reference."""
    gold = _parse(reference, units=True)
    return _mv_equal(gold, _parse(answer, units=True)) if _parsed(gold) or _words(reference) else None


def _angles(gold: str, pred: str) -> tuple[str, str]:
    """Degree marks: inside trig functions as radians; an angle against a multiple of pi in
    radians; otherwise dropped (30 and 30 degrees are the same answer)."""
    (g, g_deg), (p, p_deg) = forms.degrees(gold), forms.degrees(pred)
    if _TRIG.search(gold + pred):
        rad = r"(\1\\cdot\\frac{\\pi}{180})"
        deg = r"(\d+(?:\.\d+)?)\s*\^\s*\{?\\circ\}?"
        return re.sub(deg, rad, gold), re.sub(deg, rad, pred)
    if g_deg != p_deg and "\\pi" in (p if g_deg else g):
        return (f"({g})\\cdot\\frac{{\\pi}}{{180}}", p) if g_deg else (g, f"({p})\\cdot\\frac{{\\pi}}{{180}}")
    return g, p


def _rational(expr):
    """The exact rational number an expression without floats or symbols is (2^{40}, 3/4), else None."""
    try:
        v = expr.doit()
        return v if v.is_Rational else None
    except Exception:  # noqa: BLE001 - sympy raises many kinds on odd input: not a rational then
        return None


def _scalar(gold: str, pred: str, policy: dict) -> tuple[bool | None, str]:
    """One value against one value. None: the reference does not parse (cannot decide)."""
    g, p = _angles(forms.mixed_number(forms.unwrap(gold)), forms.mixed_number(forms.unwrap(pred)))
    if normalize_answer(g) == normalize_answer(p):
        return True, "same normalised text"
    based = names.base_digits(g), names.base_digits(p)
    ten = based[0] and based[1] and not based[0][1] and based[1][1] == "10"  # (39)_{10} for 39
    if based[0] and based[1] and (based[0][1] or ten):  # FF_{16} and FF (in the base asked), or 255_{10}
        (g_digits, g_base), (p_digits, p_base) = based
        g_base = g_base or "10"
        try:
            same = int(g_digits, int(g_base)) == int(p_digits, int(p_base or g_base))
            return same, f"{'same' if same else 'another'} numeral (base {g_base})"
        except ValueError:  # not numerals in those bases (`a_2` is a variable): the rules below decide
            pass
    offered = names.option_word(g, p, policy.get("problem", ""))
    if offered is not None:  # "parallel, perpendicular, or neither?": the one the answer names
        return offered, f"{'the same' if offered else 'another'} of the words the problem offers"
    if names.says_words(g, p):
        return True, "the answer's sentence ends in the reference's words"
    words = names.word_answer(g), names.word_answer(p)
    if words[0] and words[1]:  # `Wed.` and Wednesday, DNE and "does not exist"
        same = words[0] == words[1]
        return same, f"{'same' if same else 'another'} word answer ({words[1]})"
    phrases = names.phrase(g), names.phrase(p)
    if phrases[0] and phrases[1]:  # words, not a product of letters: BIG-Bench Hard's sorted lists keep order
        return names.same_phrase(*phrases), "same words" if names.same_phrase(*phrases) else "other words"
    picked = names.letters(g), names.letters(p)
    if picked[0] and picked[1]:  # `B, C, E` and `BCE`: the letters named, in any order
        return picked[0] == picked[1], f"{'the same' if picked[0] == picked[1] else 'other'} letters"
    times = clock(g), clock(p)
    if times[0] and times[1]:  # 2:15 p.m. and 14:15
        return (True, "same time of day") if same_time(*times) else (False, "another time of day")
    tol = policy.get("tolerance", "precision")
    g_n, p_n = plain_number(g), plain_number(p)
    if g_n is not None and p_n is not None:  # stated numbers: equal exactly, or within a set tolerance

        def same(x, y):
            return x == y or tolerance.within(policy, x, y)

        if same(g_n, p_n):
            return True, "same number" if g_n == p_n else f"within {tolerance.describe(policy)}"
        pct = [x for x, text in ((g_n, g), (p_n, p)) if "%" in text]
        if len(pct) == 1 and same(pct[0] / 100, p_n if pct[0] is g_n else g_n):
            return True, "same number (a percentage as a fraction)"
        return False, "different number"
    pct = [re.sub(r"\s*%$", "", x) for x in (g, p)]
    if (g, p) != tuple(pct):  # 33\\frac{1}{3}%: the value before the sign, or a hundredth of it
        ok, why = _scalar(*pct, policy)
        one = (pct[0] == g) != (pct[1] == p)
        if not ok and one:
            hundredth = [f"({x})/100" if x != y else x for x, y in zip(pct, (g, p), strict=True)]
            ok2, why2 = _scalar(*hundredth, policy)
            ok, why = (ok2, f"{why2} (a percentage as a fraction)") if ok2 is not None else (ok, why)
        return ok, why
    hedge = [BOUND.search(re.sub(r"\\(?:text|mbox|mathrm)\{([^}]*)\}", r" \1 ", x)) for x in (g, p)]
    if hedge[1] and not hedge[0]:  # math-verify reads past the words: "5 or more" is not 5
        return False, f"the answer qualifies its value ({hedge[1].group(0)})"
    g_sym, p_sym = _parse(g), _parse(p)
    exact = [_rational(x[0]) if _parsed(x) else None for x in (g_sym, p_sym)]
    if tol in ("exact", "reference") and exact[0] is not None and re.fullmatch(r"-?\d*\.\d+", p.strip()):
        import sympy

        exact[1] = sympy.Rational(p.strip())  # 0.142857 is not 1/7 where no approximation is asked
    if None not in exact and exact[0] != exact[1]:  # 2^{-99} is not 2^{-100}, within math-verify's tolerance
        near = tolerance.given(policy) and tolerance.within(policy, float(exact[0]), float(exact[1]))
        return (True, f"within {tolerance.describe(policy)}") if near else (False, "different number")
    g_v, p_v = (value(x) if _parsed(x) else None for x in (g_sym, p_sym))
    if not apart(g_v, p_v) and _mv_equal(g_sym, p_sym):
        return True, "math-verify: equivalent"
    anti = calc.antiderivatives(g, p, _parse)
    if anti is not None:  # x^3 + K for x^3 + C; a constant apart is the same antiderivative
        return anti, "the same antiderivative, up to its constant" if anti else "another antiderivative"
    if not _parsed(g_sym):
        return (False, "different text") if _words(g) else (None, "reference does not parse")
    if not _parsed(p_sym):
        return False, "answer does not parse"
    if tol != "exact":
        # a decimal reference is met by the exact value it rounds; an exact one by its decimal only
        # where the problem allows one ("reference": it does not)
        close = (tol != "reference" and decimal_close(g_sym[0], p)) or decimal_close(p_sym[0], g)
        if tolerance.given(policy) and g_v is not None and p_v is not None:
            close = close or tolerance.within(policy, g_v, p_v)
        if close:
            return True, close if isinstance(close, str) else f"within {tolerance.describe(policy)}"
    if g_v is not None and p_v is not None:
        exact = [_rational(x[0]) for x in (g_sym, p_sym)]
        if None not in exact:  # 2^{40} vs 1099511627777: exactly, not within a float's 1e-9
            return (True, "same value") if exact[0] == exact[1] else (False, "different number")
        if same_value(g_v, p_v):  # complex values, exact forms math-verify misses
            return True, "same value"
    elif simplify_equal(g_sym[0], p_sym[0]):
        return True, "equal after simplification"
    return False, "math-verify: not equivalent"


def _elements(gold: list[str], pred: list[str], ordered: bool, policy: dict) -> tuple[bool | None, str]:
    if len(gold) != len(pred):
        return False, f"{len(pred)} elements, the reference has {len(gold)}"
    same = [[_equal(g, p, "", policy)[0] for p in pred] for g in gold]
    if any(all(v is None for v in row) for row in same):
        return None, "an element of the reference does not parse"
    if all(same[i][i] for i in range(len(gold))):
        return True, "same elements in the same order"
    matched = _match(same)
    if matched and not ordered:
        return True, "same elements (order does not matter)"
    if matched:
        return False, "same elements in another order (the reference is ordered)"
    return False, "different elements"


def _match(same: list[list[bool | None]]) -> bool:
    """A perfect matching of reference elements to answer elements (small lists: backtracking)."""

    def go(i: int, used: frozenset) -> bool:
        return i == len(same) or any(
            same[i][j] and j not in used and go(i + 1, used | {j}) for j in range(len(same[i]))
        )

    return go(0, frozenset())


def _equal(
    gold: str, pred: str, problem: str, policy: dict, member=(False, False)
) -> tuple[bool | None, str]:
    """Structure first (matrix, system, list, named equation), then one value. `member`: which of
    the two was membership in an interval (`x ∈ [1, 2]`; clean() leaves the bracket pair)."""
    if normalize_answer(gold) == normalize_answer(pred):
        return True, "same normalised text"
    g_mat, p_mat = forms.as_matrix(gold), forms.as_matrix(pred)
    if g_mat is not None and p_mat is not None:
        if [len(r) for r in g_mat] != [len(r) for r in p_mat]:
            return False, "matrices of different shapes"
        ok, why = _elements(sum(g_mat, []), sum(p_mat, []), True, policy)
        return ok, f"matrix: {why}"
    g_sys = forms.system(gold)

    def flat(text, mat, sys):  # a system, one matrix row, or labelled parts: a comma list
        return sys or (", ".join(mat[0]) if mat and len(mat) == 1 else forms.parts(text) or text)

    gold, pred = flat(gold, g_mat, g_sys), flat(pred, p_mat, forms.system(pred))
    if "\\pm" in gold or "\\pm" in pred:  # 2 \\pm \\sqrt 3 against its two values written out, or \\pm apart
        gold, pred = (forms.plus_minus(forms.label(x)[1]) or x for x in (gold, pred))  # `x = ...` too
    gold, pred = forms.alternatives(gold) or gold, forms.alternatives(pred) or pred  # n = 1 or n = 2
    g_list, p_list = forms.as_list(gold), forms.as_list(pred)
    asked = re.search(r"\b(?:find|compute|determine|what is)\s+\$([a-zA-Z])\$", problem, re.I)
    named = {forms.label(x)[0]: forms.label(x)[1] for x in (p_list or [[]])[0]}
    if p_list and not g_list and asked and asked.group(1) in named and "=" not in gold:
        ok, why = _scalar(gold, named[asked.group(1)], policy)  # "Find $c$.": `c = 10, b = -7`
        return ok, f"{why} (the value of {asked.group(1)}, which the problem asks for)"
    if g_list and p_list:
        return _lists(gold, pred, g_list, p_list, bool(g_sys), problem, policy, member)
    ranges = forms.inequalities(gold), forms.inequalities(pred)
    if any(ranges):
        ok, why = _scalar(ranges[0] or gold, ranges[1] or pred, policy)
        return ok, f"{why} (inequalities joined by 'or' read as a union of intervals)"
    (g_name, g_rhs), (p_name, p_rhs) = forms.label(gold), forms.label(pred)
    plain = ("=" not in gold or g_name) and ("=" not in pred or p_name)  # no rearranged equation
    if (g_name or p_name) and g_name != p_name and plain:
        if not forms.renamed(g_name, p_name):
            return False, f"a different variable ({p_name}, the reference names {g_name})"
        ok, why = _scalar(g_rhs, forms.argument(g_name, p_name, p_rhs, problem), policy)
        named = f"{g_name or 'value'} vs {p_name or 'value'}"
        return ok, f"{why} (right-hand sides, {named})"
    return _scalar(gold, pred, policy)


def _lists(gold: str, pred: str, g_list, p_list, system: bool, problem: str, policy: dict, member):
    """Two lists: element by element, in order unless order does not matter."""
    g_items, p_items = g_list[0], p_list[0]
    if any(m and other[1] in ("list", "set") for m, other in zip(member, (p_list, g_list), strict=True)):
        return False, "an interval (x ∈ [a, b]) against a list of values"  # 1, 2 is not all of [1, 2]
    ends = gold[:1] + gold[-1:], pred[:1] + pred[-1:]  # [-1, 4] is not (-1, 4) as an interval
    # (-2, 4) against [-2, 4]: two intervals (a point is not written in square brackets)
    interval = asks.intervals(problem) or any(member) or {ends[0], ends[1]} == {"()", "[]"}
    if interval and len(g_items) == len(p_items) == 2 and ends[0] != ends[1]:
        return False, f"another interval (ends {ends[1]}, the reference's {ends[0]})"
    names = [forms.label(x)[0] for x in p_items]
    if all(names) and len(set(names)) == len(names) and not any(forms.label(x)[0] for x in g_items):
        order = asks.variable_order(problem) or sorted(names)  # x = .., y = .. against (x, y)
        if set(names) <= set(order):
            p_items = [p_items[names.index(n)] for n in order if n in names]
    kinds = {"set" if system else g_list[1], p_list[1]}
    if g_list[1] == "tuple" and p_list[1] == "set" and not system:  # `x = 2 or x = 5` is no pair, no interval
        return False, "a set of values, where the reference is a pair or an interval"
    # equations (a system, or named values) hold together in any order
    equations = all("=" in x and not re.search(r"[<>]|\\[lg]e", x) for x in g_items)
    nested = all(forms.as_list(x.strip("$ ")) for x in g_items)  # (-1, 1), $(2, 4)$: a list of pairs
    loose = "set" in kinds and kinds <= {"set", "list"}  # a set against a bare list: no order either
    # `x = 2, x = -3`: one unknown's solutions, in any order (whatever language says "all solutions")
    loose = loose or len(set(names)) == 1 and bool(names[0]) and len(names) > 1
    ordered = not (asks.unordered(g_list[1], problem, nested) or loose or system or equations)
    return _elements(g_items, p_items, ordered, policy)


def _option_by_value(answer: str, problem: str, policy: dict) -> str | None:
    """The letter of the option the problem lists whose text the answer is (`11` for `(B) 11`),
    else of the one whose value it states (`\\frac{3}{4}` for `(C) 3/4`); None where none or
    several do."""
    options = names.options(problem)
    same = [letter for letter, body in options if body == answer.strip().strip("$").strip()]
    hits = same or [letter for letter, body in options if _equal(forms.clean(body), answer, "", policy)[0]]
    return hits[0] if len(hits) == 1 else None


def _lettered(text: str, problem: str, policy: dict) -> tuple[str, str] | None:
    """(letter, value) for an option named by its letter and value both (`\\textbf{(B)}\\ 9`)
    where the problem lists that option with that value; None otherwise."""
    m = re.fullmatch(r"(?:\\text(?:bf)?\{)?\s*\(([A-E])\)\s*\}?\s*(.+)", text.strip())
    body = dict(names.options(problem)).get(m.group(1)) if m else None
    if body and _equal(forms.clean(body), m.group(2), "", policy)[0]:
        return m.group(1), m.group(2)
    return None


def _verdict(reference: str, answer: str, problem: str, policy: dict) -> tuple[str, str]:
    policy = {**policy, "problem": problem}  # the rules of one value read it too (an integral asked)
    ref, ans, named = compound(forms.clean(reference), problem), compound(forms.clean(answer), problem), ""
    ref, ans, way = directions.apart(ref, ans, problem)  # 12 N to the left is not 12 N to the right
    way = way or names.truth(forms.unwrap(ref), forms.unwrap(ans))  # "No — 1001 is composite" for False
    if way:
        return way
    lettered = [_lettered(x, problem, policy) for x in (ref, ans)]
    letter = names.option_letter(ref, lone=True) or (lettered[0] or ("",))[0]  # `(C) 25`: option C
    letter = letter or names.coded_letter(ref, problem)
    if letter:
        got = (lettered[1] or (None,))[0] or names.option_letter(ans) or names.coded_letter(ans, problem)
        how = "same option letter"
        if got is None:
            got, how = _option_by_value(ans, problem, policy), "the text or value of the reference's option"
        return ("correct", how) if got == letter else ("incorrect", "other option")
    picked = names.option_letter(ans, lone=True)
    body = dict(names.options(problem)).get(picked) if picked else (lettered[1] or (None, None))[1]
    if body:  # "(D)" for a value reference: the value of the option it names
        ans, named = forms.clean(body), f" (option {picked or lettered[1][0]}'s value)"
    if asks.approximate(problem) and re.search(r"\\approx|≈", ans):  # "\sqrt{200} \approx 14": the rounding
        ans = answer = re.split(r"\\approx|≈", ans)[-1].strip()
    wrong_form = asks.asked_form(problem, ref, ans) or asks.unrounded(problem, answer)
    wrong_form = wrong_form or asks.decimal_for_fraction(problem, reference, answer)
    if wrong_form:
        return "incorrect", wrong_form
    if repeating_decimal(reference) or re.search(r"repeating decimal", problem, re.I):
        ref, ans = ellipsis_decimal(ref), ellipsis_decimal(ans)  # 0.4545... is 5/11
        policy = {**policy, "tolerance": "exact"} if repeating_decimal(reference) else policy
    in_cents = forms.cents(ref), forms.cents(ans)
    # "How many dollars": not in cents; "How many cents": a bare reference is cents already
    in_dollars = re.search(r"\bdollars?\b|\bin \\?\$|\bhow many cents\b|\bin cents\b", problem, re.I)
    if bool(in_cents[0]) != bool(in_cents[1]) and not in_dollars:  # 75 cents for $0.75
        ref, ans = in_cents[0] or ref, in_cents[1] or ans
    ans = ref if forms.unscaled(answer, reference, problem) else ans  # "$579 million": 579 in millions
    if asks.asks_percent(problem) and "%" in ref and not re.search(r"%|percent", ans):
        ref = re.sub(r"\s*%$", "", ref)  # "what percent": the number of percent, not a hundredth of it
    if policy["tolerance"] == "precision" and asks.exact_form(problem):
        policy = {**policy, "tolerance": "exact"}  # "as a common fraction": 0.33 is not 1/3
    elif policy["tolerance"] == "precision" and problem.strip() and not asks.approximate(problem):
        policy = {**policy, "tolerance": "reference"}  # 1.414 does not answer "the diagonal" (sqrt 2)
    chemical = chemistry.verdict(ref, ans)  # CH2O for CH_2O; 2H₂ + O₂ → 2H₂O for "2, 1, 2"
    measured = chemical or quantities.compare(ref, ans, problem, policy)  # 0.25 kJ is 250 J; 12 W is not 12 J
    if measured is not None:
        return ("correct" if measured[0] else "incorrect"), measured[1] + named
    (ref, ref_unit), (ans, ans_unit) = split_unit(ref), split_unit(ans)
    if re.fullmatch(r"-?[\d.]+", ref):  # "3,5", "1.234,5" where a comma marks decimals, against one number
        if re.fullmatch(r"-?\d+,(?:\d{1,2}|\d{4,})|-?\d{1,3}(?:\.\d{3})+,\d+", ans):
            ans = ans.replace(".", "").replace(",", ".")
    ok, why = _equal(ref, ans, problem, policy, (forms.in_interval(reference), forms.in_interval(answer)))
    if ok is None:
        return "error", why
    undone = asks.undone(problem, ref, ans, _parse) if ok else None
    if undone:
        return "incorrect", undone
    if ok and ref_unit and ans_unit and ref_unit != ans_unit:
        return "incorrect", f"different unit ({ans_unit}, the reference is in {ref_unit})"
    units = policy["units"]
    if ok and ref_unit and not ans_unit and units != "lenient":
        if units == "strict" or not asks.names_unit(problem, ref_unit):
            return "incorrect", f"the answer lost the unit {ref_unit} (verify.math.units = {units})"
        why += f" (the problem gives the unit {ref_unit})"
    return ("correct" if ok else "incorrect"), why + named


def verify_math(
    reference: str, answer: str | None, policy: dict | None = None, problem: str = ""
) -> tuple[str, str]:
    """(status, reason) for a final math answer against a reference, with a second opinion from
    math-verify alone where it disagrees or cannot parse the reference."""
    if answer is None or not str(answer).strip():
        return "incorrect", "no answer"
    policy = {**DEFAULT_POLICY, **(policy or {})}
    if isinstance(policy["tolerance"], (int, float)):  # 0 means exact; any number is relative
        policy["tolerance"] = float(policy["tolerance"]) or "exact"
    status, why = _verdict(str(reference), str(answer), problem or "", policy)
    if status in ("correct", "incorrect"):
        plain = plain_math_verify(str(reference), str(answer))
        if plain is None:
            why += f"; {SECOND_OPINION}: math-verify cannot parse the reference"
        elif plain != (status == "correct"):
            why += f"; {SECOND_OPINION}: math-verify alone says {'equal' if plain else 'not equal'}"
    return status, why

"""What a problem's text asks of its answer beyond its value, as careful graders read it: an
exact form (no decimal approximation), simplest radical form, scientific notation, radians or
degrees, interval notation, whether a list's order matters, the order of an ordered pair's
variables, and the units it gives. Pure string functions, like mathforms."""

from __future__ import annotations

import math
import re

from k2batch.verify import mathcalc as calc
from k2batch.verify import mathforms as forms
from k2batch.verify.mathunits import UNITS, split_unit

_EXACT = re.compile(
    r"common fraction|(?:simplest|lowest|reduced) (?:radical )?(?:form|terms)|radical form|"
    r"in terms of \$?\\?pi|\bexact\b|as an? (?:reduced |improper )?fraction\b",
    re.I,
)


def exact_form(problem: str) -> bool:
    """Does the problem ask for an exact form ("as a common fraction", "in simplest radical form",
    "in terms of pi")? Then a decimal approximation answers another question."""
    return bool(_EXACT.search(problem or ""))


_APPROXIMATE = re.compile(
    r"\bdecimal|\bnearest\b|\bround|\bapproximat|\bestimate|\bsignificant (?:figure|digit)|\bplaces?\b|"
    r"\\approx|≈",
    re.I,
)


def approximate(problem: str) -> bool:
    """Does the problem ask for (or allow) a decimal approximation ("to the nearest tenth", "as a
    decimal", "approximately")? Where it does not, a decimal for an irrational or repeating exact
    value (1.414 for `\\sqrt{2}`, 0.333 for `\\frac13`) answers with less than was asked."""
    return bool(_APPROXIMATE.search(problem or ""))


_SHARED = re.compile(r"\\frac\s*\{\s*(\d+)\s*\\sqrt[^{}]*(?:\{[^{}]*\}[^{}]*)?\}\s*\{\s*(\d+)\s*\}")


def unsimplified_radical(problem: str, answer: str) -> str | None:
    """Where the problem asks for simplest radical form (or to rationalize a denominator): what
    in the answer is not (`\\sqrt{8}`, whose radicand has a square factor; a radical left in a
    denominator, `\\sqrt{\\frac{3}{2}}` too), else None."""
    # "Simplify $\\sqrt{72}$" asks for simplest radical form too
    simplify = re.search(r"\bsimplify\b", problem or "", re.I) and "\\sqrt" in (problem or "")
    if not (re.search(r"radical form|rationali[sz]e", problem or "", re.I) or simplify):
        return None
    if re.search(r"\\sqrt\s*\{\s*\\frac", answer):
        return "a radical in the denominator"
    for a, b in re.findall(r"\\sqrt\s*\{\s*(\d+)\s*\}|\\sqrt\s*(\d)", answer):
        n = int(a or b)
        if any(n % (k * k) == 0 for k in range(2, math.isqrt(n) + 1)):
            return f"\\sqrt{{{n}}} has a square factor"
    if re.search(r"\\frac\s*\{[^{}]*\}\s*\{[^{}]*\\sqrt|/\s*\(?\s*\d*\s*\\sqrt", answer):
        return "a radical in the denominator"
    for a, b in _SHARED.findall(answer):  # \frac{6\sqrt{3}}{3}: coefficient and denominator share a factor
        if math.gcd(int(a), int(b)) > 1:
            return f"{a} and {b} share a factor"
    return None


_SCIENTIFIC = re.compile(r"-?(?:[1-9](?:\.\d+)?)\s*(?:\\times|\\cdot|\*|x|×)\s*10\s*\^\s*\{?\s*-?\d+\s*\}?")


def not_scientific(problem: str, reference: str, answer: str) -> bool:
    """The problem asks for scientific notation, its reference is in it (a x 10^n, 1 <= |a| < 10)
    and the answer is not (`52 \\times 10^6`, `52000000`): another form than the one asked for."""
    if not re.search(r"scientific notation", problem or "", re.I):
        return False
    return bool(_SCIENTIFIC.fullmatch(reference.strip())) and not _SCIENTIFIC.fullmatch(answer.strip())


def angle_unit(problem: str) -> str | None:
    """"radians" or "degrees" where the problem asks for its answer in one of them."""
    m = re.search(r"\b(?:in|to|as|using) (radians|degrees)\b", problem or "", re.I)
    if m:
        return m.group(1).lower()
    # "where r > 0 and 0 \le \theta < 2 \pi": an angle bounded by pi is in radians
    bounded = re.search(r"(?:\\theta|θ)\s*(?:<|\\leq?|≤)\s*\d*\s*(?:\\pi|π)", problem or "")
    return "radians" if bounded else None


_INTERVALS = re.compile(r"interval notation|\bintervals?\b|\bdomain\b|\brange\b|inequalit", re.I)


def intervals(problem: str) -> bool:
    """Is the answer an interval (interval notation, a domain, a range, an inequality's solution)?
    Then `[-1, 4]` and `(-1, 4)` differ in their ends, not only in how they are written."""
    return bool(_INTERVALS.search(problem or ""))


_ALL_OF = re.compile(
    r"\ball\b|\bevery\b|\bsolutions\b|\broots\b|\bzeros\b|\bzeroes\b|\bintercepts\b|\bset of\b|"
    r"\bseparated by commas\b|\bin any order\b|\bpossible values\b",
    re.I,
)
_ORDERED = re.compile(
    r"\bordered\b|\bin (?:increasing|decreasing|ascending|descending)? ?order\b|"
    r"\bin (?:that|this|the same) order\b|\brespectively\b|\bin the order\b",
    re.I,
)


def unordered(kind: str, problem: str, nested: bool = False) -> bool:
    """Does order not matter? For a set reference, or where the problem asks for all solutions
    (values, roots, ...) and not for an ordered pair or tuple, or answers "in that order". For a
    list of tuples (`nested`), "ordered pairs" orders each pair, not the list."""
    if kind == "set":
        return True
    if nested:
        problem = re.sub(r"\bordered (?:pairs|triples|tuples)\b", "", problem or "", flags=re.I)
    if _ORDERED.search(problem or ""):
        return False
    return bool(_ALL_OF.search(problem or ""))


def variable_order(problem: str) -> list[str] | None:
    """The names of the tuple the problem asks for (`as an ordered pair $(x, y)$`: x, y)."""
    m = re.search(r"\(\s*([a-zA-Z](?:\s*,\s*[a-zA-Z])+)\s*\)", problem or "")
    return [x.strip() for x in m.group(1).split(",")] if m else None


def names_unit(problem: str, unit: str) -> bool:
    """Does the problem's text give the reference's unit (`3 cm` for an area in cm^2, "in
    meters")? Then the bare number answers in it. A one- or two-letter unit counts only after a
    number (`m` is also a variable)."""
    base = re.sub(r"^(?:sq|cu) |\^[23]$", "", unit)
    aliases = [a for a, canon in UNITS.items() if canon == base]
    for alias in aliases:
        short = len(alias) <= 2
        word = re.escape(alias)
        pattern = rf"\d\s*(?:\\(?:text|mathrm)\{{\s*)?{word}\b" if short else rf"\b{word}\b"
        if re.search(pattern, problem or "", 0 if short else re.I):
            return True
    return False


# "as a common fraction" alone is not among them: graders differ on 4/6 there (held-out set 2: correct)
_LOWEST = re.compile(r"lowest terms|simplest form|reduced fraction|fully reduced|\bsimplify\b", re.I)
_FRACTION = re.compile(r"\\frac\s*\{\s*-?(\d+)\s*\}\s*\{\s*(\d+)\s*\}|(?<![\d.^_])(\d+)\s*/\s*(\d+)(?![\d.])|"
                       r"(?<![\d.:])(\d+)\s*:\s*(\d+)(?![\d.:])")  # a ratio, 15:20


def unreduced(problem: str, answer: str) -> str | None:
    """Where the problem asks for lowest terms (simplest form, to simplify): a fraction in
    the answer that is not (`\\frac{36}{99}`), else None."""
    if not _LOWEST.search(problem or ""):
        return None
    for a, b, c, d, e, f in _FRACTION.findall(answer):
        num, den = int(a or c or e), int(b or d or f)
        if den and math.gcd(num, den) > 1:
            return f"{num}{':' if e else '/'}{den} is not in lowest terms"
    return None


_UNDONE = {  # operations an answer leaves undone where the reference is a number
    "a factorial or binomial coefficient": r"\d\s*!|\\[dt]?binom|\\choose",
    "a logarithm": r"\\(?:log|ln|lg)(?![a-zA-Z])",
    "a trigonometric function": r"\\(?:sin|cos|tan|cot|sec|csc)(?![a-zA-Z])",
    "a square root": r"\\sqrt\s*\{?\s*\d+\s*\}?(?![\d.])",
    "a power of i": r"(?<![a-zA-Z\\])i\s*\^\s*\{?\s*\d",
}


_ARITHMETIC = re.compile(r"\d\s*(?:\\cdot|\\times|\*|×)\s*\d|\d\s*!")


def unevaluated(problem: str, reference: str, answer: str) -> str | None:
    """An operation the problem asks to compute that the answer leaves undone (`\\frac{10!}{3!7!}`
    for "Compute $\\binom{10}{3}$", `\\sin 60^\\circ` for "Compute $\\cos 30^\\circ$", `i^3` for
    "Compute $i^{2023}$"), where the reference is a number: the answer restates the question. A
    count left as `\\binom{9}{4}` where the problem has no binomial is a closed form graders accept.
    None also where the reference has the operation, or the answer is an equation."""
    number = re.sub(r"\\(?:[dt]?frac|sqrt|pi|cdot|circ)", "", reference)
    if "=" in answer or re.search(r"[a-hj-zA-Z]", number):
        return None
    compute = re.search(r"\b(?:compute|evaluate|calculate|find the value)\b", problem or "", re.I)
    if compute and re.fullmatch(r"\s*-?\d+\s*", reference) and _ARITHMETIC.search(answer):
        return "its arithmetic"  # "Compute 12!/(10! 2!)": `\frac{12 \cdot 11}{2}` is not 66 yet
    for name, pattern in _UNDONE.items():
        asked = re.search(pattern, problem or "") and not re.search(pattern, reference)
        if asked and re.search(pattern, answer):
            return name
    return None


_PERCENT = re.compile(
    r"\bwhat percent(?:age)?\b|\bas an? percent(?:age)?\b|\bpercent(?:age)? (?:increase|decrease|change)\b",
    re.I,
)


def asks_percent(problem: str) -> bool:
    """Does the problem ask for a percentage ("What percent of 80 is 20?")? Then 0.25 for 25 %
    answers in another unit, a hundredth of the number asked."""
    return bool(_PERCENT.search(problem or ""))


_MIXED = re.compile(r"^-?\d+\s*(?:\\frac\s*\{\s*(\d+)\s*\}\s*\{\s*(\d+)\s*\}|\s(\d+)\s*/\s*(\d+))$")


def _mixed(text: str) -> bool | None:
    """True for a mixed number with a proper fraction part (`3\\frac{5}{6}`, `2 1/2`), False for
    one whose part is not proper (`3\\frac{13}{12}`), None for anything else."""
    m = _MIXED.match(text.strip())
    if not m:
        return None
    num, den = int(m.group(1) or m.group(3)), int(m.group(2) or m.group(4))
    return 0 < num < den


def other_form(problem: str, reference: str, answer: str) -> str | None:
    """A form the problem asks for that the answer, equal in value, is not in: a mixed number
    (`\\frac{17}{4}`, `3\\frac{13}{12}` or 4.25 for "as a mixed number"), a common fraction (not
    a mixed number), a number where pi is to be approximated, slope-intercept form, a time of day
    with a.m. or p.m.; else None."""
    p = problem or ""
    if re.search(r"mixed number", p, re.I) and _mixed(reference) and not _mixed(answer):
        if not re.fullmatch(r"-?\d+", answer.strip()):
            return "not a mixed number, as the problem asks"
    if re.search(r"common fraction", p, re.I) and _mixed(answer) is not None and _mixed(reference) is None:
        return "a mixed number, where the problem asks for a common fraction"
    pi_given = re.search(r"3\.14|approximation for \$?\\?pi", p, re.I)
    if pi_given and "\\pi" in answer and "\\pi" not in reference:
        return "in terms of pi, where the problem asks for a number (pi approximated)"
    if re.search(r"slope-intercept form", p, re.I) and re.match(r"\s*y\s*=", reference):
        if "=" in answer and not re.fullmatch(r"\s*y\s*=[^y]*", answer):  # its right side alone is one
            return "not in slope-intercept form (y = mx + b), as the problem asks"
    if re.search(r"a\.m\.\s*(?:or|/)\s*p\.m\.|\bam or pm\b", p, re.I) and re.search(r"\d:\d\d\s*$", answer):
        if re.search(r"[ap]\.?\s*m\.?", reference, re.I):
            return "no a.m. or p.m., which the problem asks for"
    return None


_ROUNDED = re.compile(r"\bnearest (?:tenth|hundredth|thousandth|cent|whole|integer|dollar)|\brounded to\b",
                      re.I)  # fmt: skip
_EXACT_FORMS = re.compile(r"\\overline|\\sqrt|\\pi|\\frac|\\ldots|\.\.\.|[√π]")


def unrounded(problem: str, answer: str) -> str | None:
    """Where the problem asks for a rounded value ("to the nearest cent"): an answer left exact
    (`33.\\overline{3}`, `\\sqrt{10}`, `\\frac{100}{3}`) is not what it asks; else None."""
    if _ROUNDED.search(problem or "") and _EXACT_FORMS.search(answer):
        return "not rounded, as the problem asks"
    return None


def decimal_for_fraction(problem: str, reference: str, answer: str) -> str | None:
    """A repeating decimal (`0.\\overline{6}`) where the problem asks for a fraction: its value,
    in the form the problem asked to leave; else None."""
    if not re.search(r"common fraction|as an? (?:reduced |improper )?fraction\b", problem or "", re.I):
        return None
    repeating = r"\\overline|\d(?:\\ldots|\.\.\.|…)"
    if re.search(repeating, answer) and not re.search(repeating, reference):
        return "a repeating decimal, where the problem asks for a fraction"
    if re.fullmatch(r"\s*\$?-?\d*\.\d+\$?\s*", answer) and not re.search(r"\d\.\d", reference):
        return "a decimal, where the problem asks for a fraction"  # 0.625 for 5/8
    return None


def asked_form(problem: str, ref: str, ans: str) -> str | None:
    """What the problem asks of the answer's form that the answer is not, before its value."""
    angle = angle_unit(problem)  # an angle in the other unit answers another question
    if angle == "radians" and forms.degrees(ans)[1] and not forms.degrees(ref)[1]:
        return "the answer is in degrees; the problem asks for radians"
    if angle == "degrees" and "\\pi" in ans and "\\pi" not in ref:
        return "the answer is in radians; the problem asks for degrees"
    radical = unsimplified_radical(problem, ans)
    if radical and not unsimplified_radical(problem, ref):
        return f"not in simplest radical form, as the problem asks ({radical})"
    if not_scientific(problem, ref, split_unit(ans)[0]):
        return "not in scientific notation, as the problem asks"
    inequality = r"<|>|\\[lg]eq?(?![a-z])"
    if re.search(r"\bA\s*>\s*0", problem) and re.match(r"\s*-", ans) and "=" in ans:  # a plane's A > 0
        return "the leading coefficient is negative; the problem asks for A > 0"
    intervals = re.search(r"interval notation", problem, re.I)
    if intervals and re.search(inequality, ans) and not re.search(inequality, ref):
        return "an inequality, where the problem asks for interval notation"
    return None


def undone(problem: str, ref: str, ans: str, parse) -> str | None:
    """What an answer equal in value to the reference leaves undone of what the problem asks
    (`parse`: math-verify's, as the cascade calls it)."""
    left = unreduced(problem, ans)
    if left and not unreduced(problem, ref):
        return f"equal in value, but {left}, as the problem asks"
    left = unevaluated(problem, ref, ans)
    if left:
        return f"equal in value, but it leaves {left} unevaluated"
    left = other_form(problem, ref, ans)
    if left:
        return f"equal in value, but {left}"
    left = calc.unfinished(problem, ref, ans, parse)
    return f"equal in value, but {left}" if left else None

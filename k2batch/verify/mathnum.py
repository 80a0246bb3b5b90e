"""Numbers in math answers: plain stated numbers, values of parsed expressions, a decimal
approximation at its own precision, and symbolic/numeric equality of closed forms."""

from __future__ import annotations

import cmath
import math
import random
import re
from decimal import Decimal, InvalidOperation

_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_PLAIN_NUMBER = re.compile(
    r"^(?:\\?\$|€|£)?\s*(-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d*\.?\d+)\s*(\\?%)?"
    r"(?:\s*\\(?:text|mbox|mathrm)\{[^}]*\}|\s+[A-Za-z][A-Za-z .]*)?\.?$"
)


# Words that make a number a bound, not a value: "5 or more" is not 5 (as "12 dollars" is 12);
# "approximately 1.414" stays an approximation, judged by its precision.
BOUND = re.compile(
    r"\b(?:or (?:more|less|fewer|greater)|at (?:least|most)|(?:more|less|fewer) than|up to)\b", re.I
)


def plain_number(text: str) -> Decimal | None:
    """The single number a plain answer states ('$1,200', '12 dollars', 'twelve', '15%'), else
    None; exact (a Decimal: 1099511627777 is not 1099511627776). Percent stays as written (15%
    -> 15): math-verify already tries the /100 reading."""
    t = text.strip().strip("$").strip().replace("−", "-")
    t = re.sub(r"^\\text\{(.*)\}$", r"\1", t).strip()
    words = t.lower().rstrip(".")
    if words in _WORDS:
        return Decimal(_WORDS[words])
    if re.fullmatch(r"[a-z]+(?:[ -](?:and )?[a-z]+)+", words):  # "one hundred forty-four"
        from text_to_num import text2num

        try:
            return Decimal(text2num(words, "en"))
        except ValueError:
            return None
    m = _PLAIN_NUMBER.match(t)
    if not m or BOUND.search(t[m.end(1) :]):
        return None
    try:
        return Decimal(m.group(1).replace(",", ""))
    except InvalidOperation:
        return None


def value(parsed) -> complex | None:
    """The numeric value of a math-verify parse (its first sympy expression), or None when it has
    free symbols or is not a number (sets, equations, matrices)."""
    import sympy

    expr = complex_i(parsed[0]) if parsed else None
    if not isinstance(expr, sympy.Expr) or expr.free_symbols:
        return None
    try:
        return complex(sympy.N(expr, 30))
    except (TypeError, ValueError, RecursionError):  # sympy recurses without end on some products
        return None


def apart(a: complex | None, b: complex | None) -> bool:
    """Two nonzero values more than a millionth apart: math-verify, rounding to 6 decimal places,
    calls 3.8 x 10^{-19} and 3.52 x 10^{-19} equal, so its "equal" does not stand for them."""
    if a is None or b is None or not (cmath.isfinite(a) and cmath.isfinite(b)) or 0 in (a, b):
        return False
    return abs(a - b) > 1e-6 * max(abs(a), abs(b))


def same_value(a: complex | None, b: complex | None) -> bool:
    """Equal within a float's error: relative (3.52e-19 is not 3.8e-19), absolute only at zero."""
    if a is None or b is None or not (cmath.isfinite(a) and cmath.isfinite(b)):  # no gap within inf
        return False
    return abs(a - b) <= (1e-12 if 0 in (a, b) else 1e-9 * max(abs(a), abs(b)))


# spaces are gone by then: "approximately1.414"
_ABOUT = r"(?:\\approx|≈|~|approximately|approx\.?|about|roughly|nearly)?"
_APPROX = re.compile(rf"^{_ABOUT}\s*(-?)(\d*)\.(\d+)$", re.I)
_SCI = re.compile(  # 3.2e-4, or 3.2 \times 10^{-4}: a times sign needs its 10^ ("80x+400" is no number)
    "^" + _ABOUT + r"\s*(-?\d+)(?:\.(\d+))?\s*(?:[eE]|(?:\\times|\\cdot|x|\*)\s*10\s*\^\s*\{?)([+-]?\d+)\}?$"
)


def _literal(text: str) -> tuple[float, float, int] | None:
    """(value, one unit in the last place, significant digits) of a decimal literal: 2.236 ->
    (2.236, 0.001, 4), 3.2e-4 / 3.2\\times10^{-4} -> (0.00032, 1e-5, 2). None for integers and
    anything else."""
    t = text.strip().replace(" ", "")
    m = _APPROX.match(t)
    if m:
        digits = (m.group(2) + m.group(3)).lstrip("0")
        return float(f"{m.group(1)}{m.group(2) or 0}.{m.group(3)}"), 10.0 ** -len(m.group(3)), len(digits)
    m = _SCI.match(t)
    if m:
        decimals = m.group(2) or ""
        mantissa = float(f"{m.group(1)}.{decimals or 0}")
        digits = len((m.group(1).lstrip("-") + decimals).lstrip("0"))
        try:
            return mantissa * 10.0 ** int(m.group(3)), 10.0 ** (int(m.group(3)) - len(decimals)), digits
        except OverflowError:  # past a float's range (1e400): no approximation of anything here
            return None
    return None


def _finite_decimal(expr) -> bool:
    """An integer or a fraction with a terminating expansion: its decimal is exact, not rounded."""
    import sympy

    if not isinstance(expr, sympy.Rational):
        return False
    q = int(expr.q)
    for p in (2, 5):
        while q % p == 0:
            q //= p
    return q == 1


def decimal_close(exact, approx_text: str) -> str | None:
    """The rule's name where `approx_text` is a decimal approximation of the exact value `exact`
    at its own stated precision (rounded or truncated, two or more significant digits), else None.
    A finite decimal reference (3, 0.125) is never approximated: it must be met exactly."""
    import sympy

    literal = _literal(approx_text)
    if literal is None or literal[2] < 2 or _finite_decimal(exact):
        return None
    approx, unit, _ = literal
    try:
        target = complex(sympy.N(complex_i(exact), 30))
    except Exception:  # noqa: BLE001 - a tuple, an equation, a set: sympy raises many kinds; no number
        return None
    if abs(target.imag) > 1e-12:
        return None
    gap = abs(target.real) - abs(approx)
    same_sign = (target.real >= 0) == (approx >= 0) or abs(approx) < unit
    if same_sign and (abs(target.real - approx) <= unit / 2 * (1 + 1e-9) or 0 <= gap < unit):
        return f"equal at the approximation's precision ({unit:g})"
    return None


def complex_i(expr):
    """A parsed expression with a free symbol `i` read as the imaginary unit."""
    import sympy

    if not isinstance(expr, sympy.Basic):
        return expr
    i = [s for s in expr.free_symbols if s.name == "i"]  # parsed with assumptions (real=True)
    return expr.subs(i[0], sympy.I) if i else expr


def simplify_equal(a, b, points: int = 3) -> bool:
    """Closed forms a symbolic simplify of the difference decides ((1+i)^2 vs 2i, trig
    identities); with free symbols, also equal at random points (a difference that vanishes at
    three random points is zero for any answer a grader sees)."""
    import sympy

    if not (isinstance(a, sympy.Expr) and isinstance(b, sympy.Expr)):
        return False
    a, b = complex_i(a), complex_i(b)
    if any(x.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan) for x in (a, b)):
        return a == b  # infinity minus anything is no difference to simplify (oo - x "vanishes")
    try:
        diff = sympy.simplify(sympy.expand(a - b))
        if diff == 0:
            return True
        free = sorted(diff.free_symbols, key=str)
        rng = random.Random(0)
        for _ in range(points):
            at = {s: sympy.Float(rng.uniform(0.3, 1.7)) for s in free}
            scale, gap = 1 + abs(complex(sympy.N(a.subs(at)))), complex(sympy.N(diff.subs(at)))
            if not (cmath.isfinite(gap) and abs(gap) <= 1e-9 * scale):
                return False
        for _ in range(points):  # x against |x|: where both sides are real at negative points too
            at = {s: sympy.Float(-rng.uniform(0.3, 1.7)) for s in free}
            values = [complex(sympy.N(x.subs(at))) for x in (a, b)]
            if all(cmath.isfinite(v) and abs(v.imag) < 1e-12 for v in values):
                if abs(values[0] - values[1]) > 1e-9 * (1 + abs(values[0])):
                    return False
        return True
    except Exception:  # noqa: BLE001 - sympy raises many kinds on odd input; unequal is the answer
        return False


_CLOCK = re.compile(
    r"^(\d{1,2}):([0-5]\d)\s*(?:\\(?:text|mathrm)\{\s*)?(?:([ap])\.?\s*m\.?)?\s*\}?$", re.I
)


def clock(text: str) -> tuple[int, bool] | None:
    """A time of day as (minutes past midnight, whether a.m./p.m. said which half): `2:15 p.m.`
    and `14:15` are (855, True); `2:15` is (135, False); None for anything else."""
    m = _CLOCK.match(text.strip())
    if not m or int(m.group(1)) > 23:
        return None
    hour, minute, half = int(m.group(1)), int(m.group(2)), (m.group(3) or "").lower()
    if half and not 1 <= hour <= 12:
        return None
    if half:
        hour = hour % 12 + (12 if half == "p" else 0)
    return hour * 60 + minute, bool(half) or hour > 12 or hour == 0


def same_time(a: tuple[int, bool], b: tuple[int, bool]) -> bool:
    """Equal times of day; where one side does not say a.m. or p.m., equal on a 12-hour clock."""
    return a[0] == b[0] if a[1] and b[1] else a[0] % 720 == b[0] % 720


REPEATING = re.compile(r"(?<![\d.])(\d*)\.(\d*)\\overline\s*\{\s*(\d+)\s*\}")


def repeating_fraction(m: re.Match) -> str:
    """`0.1\\overline{6}` as the fraction it is (1/6): a repeating decimal is exact."""
    whole, head, block = m.group(1) or "0", m.group(2), m.group(3)
    num = int(whole + head + block) - int(whole + head)
    den = (10 ** len(block) - 1) * 10 ** len(head)
    common = math.gcd(num, den)
    return f"\\frac{{{num // common}}}{{{den // common}}}"


def repeating_decimal(text: str) -> bool:
    """Is the reference a repeating decimal (`0.\\overline{45}`, `0.4545\\ldots`)? Then the
    problem asks for the exact value: a rounded decimal answers another question."""
    return bool(re.search(r"[\d.]\\(?:overline|dot)|\d(?:\\ldots|\\cdots|\.\.\.|…)", text))


def ellipsis_decimal(text: str) -> str:
    """`0.454545\\ldots` as the repeating decimal its digits show (`\\frac{45}{99}`): its shortest
    block, repeated at least twice at the end; unchanged where no block repeats."""
    # `0.1428..`: an ellipsis whose last dot a sentence's full stop took
    m = re.fullmatch(r"\s*(-?)(\d+)\.(\d+)\s*(?:\\ldots|\\cdots|\.\.\.?|…)\s*", text)
    if not m:
        return text
    sign, whole, digits = m.groups()
    for start in range(len(digits)):
        tail = digits[start:]
        for size in range(1, len(tail) // 2 + 1):
            if tail == tail[:size] * (len(tail) // size) + tail[: len(tail) % size]:
                fake = re.match(REPEATING, f"{whole}.{digits[:start]}\\overline{{{tail[:size]}}}")
                return sign + repeating_fraction(fake)
    return text

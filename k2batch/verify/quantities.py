"""Physical quantities in answers: `2.09 \\times 10^{4} \\mathrm{J}`, `\\SI{3.2}{\\kilo\\joule}`,
`6.0\\cdot 10^{24} kg`, `4.0 \\mathrm{m s^{-2}}`, "30 ohms". Read with pint and compared in one
unit, so `0.25 kJ` answers 250 J, `12 W` does not answer 12 J (another quantity) and `2.5 A` does
not answer 2.5 mA. A unit the problem asks for ("Express your answer in kJ") must be the answer's:
`2500 J` is not 2.5 in kJ.

A measured value (a science unit, or scientific notation) is met at the precision the coarser of
the two states (9.8 for 9.79, 8.7 for 8.68: two or more significant figures), or within 0.2 %
(constants rounded differently: 9.97e4 for 9.98e4); where the problem asks for a precision, the
answer must have it and round to the reference. Everyday units (cm, hours, miles) in a word
problem are exact: the cascade's rules decide them unless a conversion is needed. Anything that is
not plainly a number and a unit returns None (math answers, `2\\pi r h`, `3 apples`)."""

from __future__ import annotations

import functools
import math
import re
from typing import NamedTuple

from k2batch.verify.mathunits import UNITS

# siunitx macros: \SI{3.2}{\kilo\joule}
_SI_PREFIX = {"femto": "f", "pico": "p", "nano": "n", "micro": "µ", "milli": "m", "centi": "c",
              "kilo": "k", "mega": "M", "giga": "G"}  # fmt: skip
_SI_UNIT = {"meter": "m", "metre": "m", "second": "s", "gram": "g", "joule": "J", "newton": "N",
            "pascal": "Pa", "watt": "W", "volt": "V", "ampere": "A", "ohm": "ohm", "coulomb": "C",
            "kelvin": "K", "hertz": "Hz", "mole": "mol", "liter": "L", "litre": "L", "electronvolt": "eV",
            "degreeCelsius": "degC", "farad": "F", "tesla": "T", "henry": "H", "molar": "M", "hour": "h",
            "minute": "min", "radian": "rad", "degree": "degree", "angstrom": "angstrom",
            "atmosphere": "atm", "bar": "bar", "calorie": "cal"}  # fmt: skip
# letters that are variables far more often than units (`3 c`, `2 e`, `4 t`); `in` is a word
_NOT_UNIT = set("abcdefijknpqrtuvwxyz") | {"in", "E", "P", "G", "pi", "the", "and", "or", "of"}
_NUMBER = re.compile(
    r"(?P<sign>[-−+]?)\s*(?P<mant>\d+(?:\.\d*)?|\.\d+)"
    r"(?:\s*(?:\\times|\\cdot|×|·|⋅|\*|x)\s*10\s*(?:\^|\*\*)\s*\{?\s*(?P<exp>[-−+]?\d+)\s*\}?"
    r"|[eE](?P<e>[-+]?\d+))?"
)
_WRAP = re.compile(r"\\(?:text|mathrm|textrm|rm|mbox|operatorname|unit|si)\s*\{([^{}]*)\}")
_ASKED = re.compile(
    r"\b(?:in|into)\s+(?:units of\s+)?"
    r"(?P<u>(?:square |cubic |degrees? )?[A-Za-zµμΩÅ°][\w/·^°µμΩ-]*(?: per \w+)?)"
    r"(?=\s*(?:[.?,;:)]|to\b|and\b|correct\b|rounded\b|$))|\bhow many (?P<m>[a-z]+(?:-[a-z]+)?)\b",
    re.I,
)
_PRECISION = re.compile(r"\b(?:one|two|three|four|five|\d) (?:significant (?:figure|digit)|decimal place|"
                        r"place)s?|\bnearest (?:tenth|hundredth|thousandth|whole|integer)", re.I)  # fmt: skip
# a problem that states science units: its answers are measured values, rounded
_SCIENCE = re.compile(
    r"\d\s*(?:[kMmµμn]?(?:N|J|W|Pa|V|A|Ω|C|K|Hz|eV|F|T)|atm|°C|m/s\^?2|m/s²)(?![A-Za-z])|\bmol\b"
)


class Quantity(NamedTuple):
    """A value as written: its number, the place of its last digit, its significant figures
    (None: an integer, exact) and its unit (a pint unit, or None)."""

    value: float
    place: float
    figures: int | None
    unit: object


@functools.cache
def _registry():
    import pint  # 0.5 s to load: only where an answer has a unit

    return pint.UnitRegistry(autoconvert_offset_to_baseunit=True)


def _siunitx(text: str) -> str:
    def unit(arg: str) -> str:
        out = ""
        for name in re.findall(r"\\(\w+)|([^\\\s]+)", arg):
            word, raw = name
            if word == "per":
                out += "/"
            elif word in ("squared", "cubed"):
                out += "^2" if word == "squared" else "^3"
            elif word in _SI_PREFIX:
                out += _SI_PREFIX[word]
            else:
                out += (" " if out and out[-1] not in "/µ" + "".join(_SI_PREFIX.values()) else "") + (
                    _SI_UNIT.get(word, word) if word else raw
                )
        return out

    text = re.sub(r"\\SI\s*\{([^{}]*)\}\s*\{([^{}]*)\}", lambda m: f"{m.group(1)} {unit(m.group(2))}", text)
    return re.sub(r"\\si\s*\{([^{}]*)\}", lambda m: unit(m.group(1)), text)


def _unit_text(text: str) -> str:
    """A unit as pint reads it: `\\mathrm{m s^{-2}}` -> `m*s**-2`, `kN/m^{2}` -> `kN/m**2`."""
    t = re.sub(r"\^\s*\{\s*([-−]?\d+)\s*\}", r"^\1", text)  # s^{-2} -> s^-2: one brace level left
    t = _WRAP.sub(r" \1 ", t)
    t = re.sub(r"\^\s*\\circ\s*C\b|°\s*C\b|\^\s*\{\\circ\}\s*C\b", " degC ", t)
    t = re.sub(r"\^\s*\\circ\s*F\b|°\s*F\b", " degF ", t)
    t = re.sub(r"\^\s*\{?\\circ\}?|°", " degree ", t)
    t = t.replace("\\Omega", "ohm").replace("Ω", "ohm").replace("\\mu ", "µ").replace("\\mu", "µ")
    t = t.replace("μ", "µ")
    t = t.replace("Å", "angstrom").replace("\\AA", "angstrom")
    t = re.sub(r"\\[,;:! ]|~|\\quad", " ", t)
    t = re.sub(r"\\cdot|·|⋅|\\times", "*", t)
    t = re.sub(r"\bper\b", "/", t)
    t = re.sub(r"\bsquare (\w+)", r"\1^2", t)
    t = re.sub(r"\bcubic (\w+)", r"\1^3", t)
    t = t.replace("{", "(").replace("}", ")").replace("^", "**")
    t = re.sub(r"\(\s*([-−]?\d+)\s*\)", r"\1", t).replace("−", "-")  # s**(-2) -> s**-2
    t = re.sub(r"(?<=[\w)])\s+(?=[A-Za-zµ(])", "*", t.strip())  # `kg m s**-1`: a product
    return re.sub(r"\s+", "", t).strip(".")


def unit_of(text: str):
    """The pint unit `text` names, or None (not a unit, a variable, a word)."""
    t = _unit_text(text)
    if not t or re.search(r"[^\w*/().\-µ]|\*\*\*|//", t) or re.search(r"\d", re.sub(r"\*\*-?\d+", "", t)):
        return None  # not a unit's characters; a number in it (`h 30 min`) is no one unit
    names = re.findall(r"[A-Za-zµ_]+", t)
    if not names or any(n in _NOT_UNIT for n in names):
        return None
    try:
        unit = _registry().parse_units(t)
    except Exception:  # noqa: BLE001 - pint's parser is Python's tokenizer: unbalanced text raises many kinds
        return None
    return unit if not unit.dimensionless or "rad" in t or "degree" in t else None


def parse(text: str) -> tuple[Quantity, str] | None:
    """(quantity, the words after its number) for "number [x 10^k] [unit]", a name before it
    (`Q = ...`, `\\Delta L \\approx ...`) read past; None where it is not one."""
    t = _siunitx(text.strip().strip("$").strip())
    t = re.sub(r"^\\\(|\\\)$|^\\\[|\\\]$|\\displaystyle", "", t).strip()
    if re.search(r",(?!\d{3}(?!\d))|;|\\pm|±", t):
        return None  # several values (`t = 3.0 s, x = 60 m`), or one with its error
    t = re.split(r"=|\\approx|≈", t)[-1].strip()
    t = re.sub(r"^(?:[A-Za-z][\w ]*\s(?:is|are|was|equals|of)\s+)?(?:about|approximately|roughly)?\s*", "", t)
    t = t.replace("$", "").strip()  # "The current is $3\\text{ A}$"
    m = _NUMBER.match(t)
    if not m:
        return None
    rest = t[m.end():].strip()
    if re.match(r"[\d.,/^(]|\\frac|\\sqrt|\\pi|[+\-−]", rest) and not re.match(r"\^\s*\{?\\circ", rest):
        return None  # more arithmetic: not one value
    mant, exp = m["mant"], int((m["exp"] or m["e"] or "0").replace("−", "-"))
    sign = -1 if m["sign"] in "-−" and m["sign"] else 1
    if abs(exp) > 300 or len(mant) > 300:
        return None  # past a float: the cascade's exact arithmetic decides
    value = sign * float(mant) * 10.0**exp
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    digits = mant.replace(".", "").lstrip("0")
    figures = len(digits) if ("." in mant or m["exp"] or m["e"]) else None
    unit = unit_of(rest) if rest else None
    if re.search(r"\b(?:hundred|thousand|million|billion|trillion|dozen)\b", rest, re.I):
        return None  # "1.5 million kWh": the cascade reads number words
    if rest and unit is None and not re.fullmatch(r"[a-z]{3,}(?: [a-z]+)?\.?", rest):
        return None  # a word the reply goes on with, or a variable (`2x`): not a number and its unit
    return Quantity(value, 10.0 ** (exp - decimals), figures, unit), rest


def asked_unit(problem: str):
    """The unit the problem asks its answer in ("Express the answer in kJ", "What is its speed in
    km/h?", "How many moles ..."), or None. Angles are left to the cascade's own rule."""
    for m in _ASKED.finditer(problem or ""):
        word = re.sub(r"(?<=[a-z])-(?=[a-z])", "_", m["u"] or m["m"])  # kilowatt-hours
        unit = unit_of(word) or unit_of(word.rstrip("s")) if word else None
        if unit is not None and _registry().Quantity(1, unit).dimensionality != {}:
            return unit
    return None


def _factor(unit, to) -> float | None:
    """What one `unit` is in `to`, or None where they measure different things."""
    import pint

    try:
        return _registry().Quantity(1.0, unit).to(to).magnitude
    except pint.errors.PintError:  # other dimensions; an offset unit (°C) in a product
        return None


def compare(reference: str, answer: str, problem: str, policy: dict) -> tuple[bool, str] | None:
    """(equal, why) where both sides are a number with a unit (the reference's may be the unit the
    problem asks for), else None."""
    ref, ans = parse(reference), parse(answer)
    if not ref or not ans:
        return None
    (g, _), (p, _) = ref, ans
    asked = asked_unit(problem) if (g.unit is not None or p.unit is not None) else None
    g_unit = g.unit if g.unit is not None else asked
    if g_unit is None and p.unit is None and (ref[1] or ans[1]):  # "6.24 x 10^{18} electrons": a count
        return _same(g, p, problem, policy)
    if g_unit is None or p.unit is None:
        return None  # a bare number on one side: the cascade's unit policy decides
    if g.unit is None and _factor(p.unit, g_unit) is None:
        return None  # `27 cm^2` where cubic centimetres are asked: a mistyped label, the cascade decides
    if _registry().Quantity(1, g_unit).dimensionality == {} and g_unit != p.unit:
        return None  # degrees against radians: the cascade's angle rule decides
    if asked is not None and not _close(_factor(p.unit, asked), 1.0):
        return False, f"the answer is in {p.unit:~}, the problem asks for {asked:~}"
    value = _in_unit(p, g_unit)
    if value is None:
        return False, f"another quantity ({p.unit:~}, the reference is in {g_unit:~})"
    converted = p.unit != g_unit
    notation = re.search(r"10\s*\^|\d[eE][-+]?\d", reference + answer)  # scientific notation
    measured = _measured(problem, g_unit) or bool(notation or _PRECISION.search(problem or ""))
    if not measured and not converted:  # "2.5 hours" in a word problem: exact, the cascade's rules decide
        return (True, "same quantity") if _close(value, g.value) else None
    scaled = Quantity(value, p.place * abs(_factor(p.unit, g_unit) or 1.0), p.figures, g_unit)
    ok, how = _same(g, scaled, problem, policy if measured else {**policy, "tolerance": "exact"})
    where = f" (converted from {p.unit:~} to {g_unit:~})" if converted else ""
    return ok, how + where


@functools.cache
def _everyday() -> frozenset[str]:
    """The units of word problems (cm, pounds, hours, mph: k2batch/verify/mathunits.py), as pint names."""
    return frozenset(str(u) for u in map(unit_of, set(UNITS.values())) if u is not None)


def _measured(problem: str, unit) -> bool:
    """A science problem's value (a science unit, or one the problem's data carry), rounded as
    measured; not a word problem's exact arithmetic."""
    return str(unit) not in _everyday() or bool(_SCIENCE.search(problem or ""))


def _in_unit(q: Quantity, unit) -> float | None:
    import pint

    try:
        return _registry().Quantity(q.value, q.unit).to(unit).magnitude
    except pint.errors.PintError:  # other dimensions; an offset unit (°C) in a product
        return None


def _close(a: float | None, b: float) -> bool:
    return a is not None and math.isclose(a, b, rel_tol=1e-9)


def _temperature_gap(g: Quantity, p: Quantity) -> bool:
    """27 °C for 300 K (273 or 273.15), and 15 °C for a rise of 15 K: the same temperature."""
    return abs(g.value - p.value) <= 0.15 + 1e-9


def _same(g: Quantity, p: Quantity, problem: str, policy: dict) -> tuple[bool, str]:
    tol = policy.get("tolerance", "precision")
    gap = abs(g.value - p.value)
    scale = max(abs(g.value), abs(p.value), 1e-300)
    if gap <= 1e-9 * scale:
        return True, "same quantity"
    if str(g.unit) in ("kelvin", "degree_Celsius") and _temperature_gap(g, p):
        return True, "same temperature"
    if isinstance(tol, float):
        ok = gap <= tol * abs(g.value)
        return ok, f"{'within' if ok else 'outside'} relative tolerance {tol}"
    if tol == "exact" or g.figures is None and p.figures is None:
        return False, "different quantity"
    asked = _PRECISION.search(problem or "")
    if asked:  # the precision asked: the answer has it and rounds to the reference
        figures = re.search(r"figure|digit", asked.group(0))
        if figures and p.figures and g.figures:
            coarser = p.figures < g.figures
        else:
            coarser = p.place > g.place * (1 + 1e-9)
        ok = not coarser and gap <= g.place / 2 * (1 + 1e-9)
        return ok, ("rounds to the reference at the precision asked" if ok else
                    "not the reference at the precision asked")  # fmt: skip
    coarse = max((q for q in (g, p) if q.figures is not None), key=lambda q: q.place)
    if coarse.figures >= 2 and gap <= coarse.place / 2 * (1 + 1e-9):
        return True, f"equal at the coarser precision ({coarse.figures} significant figures)"
    if gap <= 0.002 * scale:
        return True, "within 0.2 % (constants rounded differently)"
    return False, "different quantity"

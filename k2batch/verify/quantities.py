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

from k2batch.verify import tolerance
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
    r"(?P<sign>[-−+]?)\s*(?:(?=10\s*\^)"  # `10^{25}` alone: a power of ten
    r"|(?P<mant>\d+(?:\.\d*)?|\.\d+)(?P<pi>\s*(?:\\pi|π)(?![A-Za-z]))?)"
    r"(?:(?:\s*(?:\\times|\\cdot|×|·|⋅|\*|x)\s*|(?<![\d.]))10\s*(?:\^|\*\*)\s*\{?\s*(?P<exp>[-−+]?\d+)\s*\}?"
    r"|[eE](?P<e>[-+]?\d+))?"
)
_WRAP = re.compile(r"\\(?:text|mathrm|textrm|rm|mbox|operatorname|unit|si)\s*\{([^{}]*)\}")
_ASKED = re.compile(
    r"\b(?:in|into)\s+(?:units of\s+)?"
    r"(?P<u>(?:square |cubic |degrees? )?[A-Za-zµμΩÅ°][\w/·^°µμΩ-]*(?: per \w+)?)"
    r"(?=\s*(?:[.?,;:)]|to\b|and\b|correct\b|rounded\b|$))|\bhow many (?P<m>[a-z]+(?:-[a-z]+)?)\b",
    re.I,
)
# a precision asked as figures or decimals: an answer at least that precise that rounds to the
# reference meets it ("2.019 s" for three significant figures, JEEBench's "correct up to the 2nd
# decimal digit"); "to the nearest tenth" asks for that rounding itself (3.142 is not 3.14 there)
_PRECISION = re.compile(r"\b(?:one|two|three|four|five|\d) (?:significant (?:figure|digit)|decimal "
                        r"(?:place|digit))s?|\b\d(?:st|nd|rd|th) decimal (?:digit|place)", re.I)  # fmt: skip
_NEAREST = re.compile(r"\bnearest (?:tenth|hundredth|thousandth|whole|integer)|\bround(?:ed)? to\b", re.I)
# dimensionless, yet units of their own
_SCALES = {"ppm", "parts_per_billion", "parts_per_million", "percent"}
_DALTON = {"dalton", "kilodalton", "unified_atomic_mass_unit"}  # a molecule's mass, a molar mass's number
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

    registry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    registry.define("parts_per_billion = 1e-9 = ppb")  # pint knows ppm only (its ppt is a picopint)
    return registry


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
    t = re.sub(r"\bdeg(?:rees?)? (C|F)(?:elsius|ahrenheit)\b", r" deg\1 ", t, flags=re.I)
    t = re.sub(r"\^\s*\{?\\circ\}?|°", " degree ", t)
    t = t.replace("\\Omega", "ohm").replace("Ω", "ohm").replace("\\mu ", "µ").replace("\\mu", "µ")
    t = t.replace("μ", "µ")
    t = t.replace("Å", "angstrom").replace("\\AA", "angstrom")
    t = re.sub(r"\\[,;:! ]|~|\\quad", " ", t)
    t = re.sub(r"\\cdot|·|⋅|\\times", "*", t)
    t = re.sub(r"\b(?:per|each|every)\b", "/", t).replace("%", " percent ")
    t = re.sub(r"\bsquare (\w+)", r"\1^2", t)
    t = re.sub(r"\bcubic (\w+)", r"\1^3", t)
    t = t.replace("{", "(").replace("}", ")").replace("^", "**")
    t = re.sub(r"\(\s*([-−]?\d+)\s*\)", r"\1", t).replace("−", "-")  # s**(-2) -> s**-2
    t = re.sub(r"(?<=[\w)])\s+(?=[A-Za-zµ(])", "*", t.strip())  # `kg m s**-1`: a product
    t = re.sub(r"\s+", "", t).strip(".")
    return re.sub(r"\b(ft\*lb|lb\*ft|lb/in\*\*2)\b", lambda m: m.group(1).replace("lb", "lbf"), t)  # force


def unit_of(text: str, loose: bool = False):
    """The pint unit `text` names, or None (not a unit, a variable, a word; `loose`: `u` is one)."""
    t = _unit_text(text)
    if not t or re.search(r"[^\w*/().\-µ]|\*\*\*|//", t) or re.search(r"\d", re.sub(r"\*\*-?\d+", "", t)):
        return None  # not a unit's characters; a number in it (`h 30 min`) is no one unit
    names = re.findall(r"[A-Za-zµ_]+", t)
    if not names or any(n in _NOT_UNIT and not (loose and n == "u") for n in names):
        return None
    try:
        unit = _registry().parse_units(t)
    except Exception:  # noqa: BLE001 - pint's parser is Python's tokenizer: unbalanced text raises many kinds
        return None
    return unit if not unit.dimensionless or "rad" in t or "degree" in t or str(unit) in _SCALES else None


def parse(text: str, reference: bool = False) -> tuple[Quantity, str] | None:
    """(quantity, the words after its number) for "number [x 10^k] [unit]", a name before it
    (`Q = ...`, `\\Delta L \\approx ...`) read past, a gloss after it ("(≈ 8.9 kN)") left out; None
    where it is not one. A reference may use `u` (atomic mass units), a variable elsewhere."""
    t = _siunitx(text.strip().strip("$").strip())
    t = re.sub(r"^\\\(|\\\)$|^\\\[|\\\]$|\\displaystyle", "", t).strip()
    t = re.sub(r"\s+\\?\((?:[^()]*\d[^()]*|\s*(?:metric )?[a-z]+\s*)\\?\)\.?$", "", t)  # "(3.22 × 10⁷ J)"
    if re.search(r",(?!\d{3}(?!\d))|;|\\pm|±", t):
        return None  # several values (`t = 3.0 s, x = 60 m`), or one with its error
    t = re.split(r"=|\\approx|≈", t)[-1].strip()
    said = r"^(?:[A-Za-z][\w ]*\s(?:is|are|was|equals|of)\s+)?(?:about|approximately|roughly|~)?\s*"
    t = re.sub(said, "", t)
    t = t.replace("$", "").strip()  # "The current is $3\\text{ A}$"
    m = _NUMBER.match(t)
    if not m or not (m["mant"] or m["exp"]):
        return None
    rest = t[m.end():].strip()
    if re.match(r"[\d.,/^(]|\\frac|\\sqrt|\\pi|[+\-−]", rest) and not re.match(r"\^\s*\{?\\circ", rest):
        return None  # more arithmetic: not one value
    mant, exp = m["mant"] or "1", int((m["exp"] or m["e"] or "0").replace("−", "-"))
    sign = -1 if m["sign"] in "-−" and m["sign"] else 1
    if abs(exp) > 300 or len(mant) > 300:
        return None  # past a float: the cascade's exact arithmetic decides
    value = sign * float(mant) * 10.0**exp * (math.pi if m["pi"] else 1)
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    stated = "." in mant or m["e"] or m["exp"] and m["mant"]  # 12 is exact; 12.0 and 1.2e1 are measured
    figures = len(mant.replace(".", "").lstrip("0")) if stated else None
    unit = unit_of(rest, loose=reference) if rest else None
    if re.search(r"\b(?:hundred|thousand|million|billion|trillion|dozen)\b", rest, re.I):
        return None  # "1.5 million kWh": the cascade reads number words
    if rest and unit is None and not re.fullmatch(r"[a-z]{3,}(?: [a-z]+)?\.?", rest):
        return None  # a word the reply goes on with, or a variable (`2x`): not a number and its unit
    place = 10.0 ** (exp - decimals) * (math.pi if m["pi"] else 1)
    return Quantity(value, place, None if m["pi"] else figures, unit), rest


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
    """What a step of one `unit` is in `to` (1 K is 1 °C), or None where they measure different things."""
    import pint

    try:
        one, zero = (_registry().Quantity(x, unit).to(to).magnitude for x in (1.0, 0.0))
    except pint.errors.PintError:  # other dimensions; an offset unit (°C) in a product
        return None
    return one - zero


def _same_unit(unit, other) -> bool:
    """The same unit under two names (kN/m² and kPa), not merely the same step (°C and K)."""
    zero = _in_unit(Quantity(0.0, 1.0, None, unit), other)
    return _close(_factor(unit, other), 1.0) and zero is not None and abs(zero) < 1e-12


def compare(reference: str, answer: str, problem: str, policy: dict) -> tuple[bool, str] | None:
    """(equal, why) where the two are quantities (the reference's unit may be the one the problem
    asks for), counts, a science problem's bare numbers, or units alone; else None."""
    units = _units_alone(reference, answer)
    if units is not None:
        return units
    ref, ans = parse(reference, reference=True), parse(answer)
    if not ref or not ans:
        return None
    (g, g_words), (p, p_words) = ref, ans
    science = measured(problem)  # its bare numbers are measured too; scientific notation makes a quantity so
    notation = bool(re.search(r"10\s*\^|\d[eE][-+]?\d|×\s*10", reference + answer))
    asked = asked_unit(problem) if (g.unit is not None or p.unit is not None) else None
    g_unit = g.unit if g.unit is not None else asked
    # a word problem's numbers: its arithmetic is exact (unless the row gives its own tolerance)
    exact = policy if tolerance.given(policy) else {**policy, "tolerance": "exact"}
    rounded = science or notation or (g_unit is not None and _science_unit(problem, g_unit))
    if g_unit is None and p.unit is None:  # "6.24 x 10^{18} electrons", a science problem's Reynolds number
        counted = g_words or p_words or science
        return _same(g, p, problem, policy if rounded else exact) if counted else None
    if p.unit is None:  # the reference's unit left out: only where the problem asks for that unit
        named = asked is not None and _same_unit(asked, g_unit)
        if policy.get("units") == "strict" or not (named or policy.get("units") == "lenient"):
            return None  # the cascade's unit policy decides
        ok, how = _same(g, p, problem, policy if rounded else exact)
        return ok, f"{how} (in the unit the problem asks for)"
    if g_unit is None:  # a bare reference: the answer's unit is its own addition (`K_c = 3.6e-3 M`)
        if str(p.unit) in _SCALES:  # 1.34 % for 0.0134, as the cascade reads a percentage
            fraction = p._replace(value=_in_unit(p, "dimensionless"), place=p.place * _factor(p.unit, ""))
            same = [_same(g, q, problem, policy if rounded else exact) for q in (fraction, p)]
            return next((r for r in same if r[0]), same[0])
        return _same(g, p, problem, policy if rounded else exact)
    if g.unit is None and _factor(p.unit, g_unit) is None:
        return None  # `27 cm^2` where cubic centimetres are asked: a mistyped label, the cascade decides
    angle = _registry().Quantity(1, g_unit).dimensionality == {} and str(g_unit) not in _SCALES
    if angle and g_unit != p.unit:
        return None  # degrees against radians: the cascade's angle rule decides
    if asked is not None and not _same_unit(p.unit, asked):
        return False, f"the answer is in {p.unit:~}, the problem asks for {asked:~}"
    p = _as_molar(p, g_unit)
    value = _in_unit(p, g_unit)
    if _temperature_change(problem, g_unit, p.unit):
        value = p.value  # a rise of 15 °C is a rise of 15 K
    if value is None:
        return False, f"another quantity ({p.unit:~}, the reference is in {g_unit:~})"
    converted = p.unit != g_unit
    if not rounded and not converted:  # "2.5 hours" in a word problem: exact, the cascade's rules decide
        return (True, "same quantity") if _close(value, g.value) else None
    scaled = Quantity(value, p.place * abs(_factor(p.unit, g_unit) or 1.0), p.figures, g_unit)
    ok, how = _same(g, scaled, problem, policy if rounded else exact)
    where = f" (converted from {p.unit:~} to {g_unit:~})" if converted else ""
    return ok, how + where


def measured(problem: str) -> bool:
    """A science problem (its data in science units or scientific notation), or one that asks for
    a precision: its answers are rounded values, met at the precision they state."""
    text = problem or ""
    return bool(re.search(r"10\s*\^|×\s*10", text) or _SCIENCE.search(text) or _PRECISION.search(text))


def _units_alone(reference: str, answer: str) -> tuple[bool, str] | None:
    """Units as the answer ("the units of a third-order rate constant"): `L^2 mol^-2 s^-1` is not
    `mol^2 L^-2 s^-1`. None unless both sides are a unit and nothing else."""
    bare = re.sub(r"\^\s*\{?\s*-?\d+\s*\}?|[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+", "", f"{reference} {answer}")
    if re.search(r"\d", bare):
        return None  # a number: not a unit alone
    g, p = unit_of(_carets(reference)), unit_of(_carets(answer))
    if g is None or p is None or not re.search(r"[*/]|\*\*", _unit_text(_carets(reference))):
        return None  # a compound unit only: `m` alone is a variable as often
    ok = _same_unit(p, g)
    return ok, "the same unit" if ok else f"another unit ({p:~}, the reference is {g:~})"


def _carets(text: str) -> str:
    """Superscript exponents as carets, for units written alone (`mol² L⁻² s⁻¹`)."""
    sup = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
    return re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+", lambda m: "^" + m.group(0).translate(sup), text.strip().strip("$"))


def _as_molar(q: Quantity, unit) -> Quantity:
    """180.16 Da for 180.16 g/mol: a molecule's mass in daltons is its molar mass in g/mol."""
    if str(q.unit) in _DALTON and _factor(unit, "g/mol") is not None:
        grams = _in_unit(q, "dalton")
        molar = _registry().parse_units("g/mol")
        return Quantity(grams, q.place * _factor(q.unit, "dalton"), q.figures, molar)
    return q


def _temperature_change(problem: str, unit, other) -> bool:
    """Kelvin against Celsius where the problem asks for a change of temperature."""
    pair = {str(unit), str(other)} == {"kelvin", "degree_Celsius"}
    return pair and bool(re.search(r"\b(?:rise|rises|change|increase|decrease|drop|difference)\b|"
                                   r"by how much|Δ\s*T|\\Delta\s*T", problem or "", re.I))  # fmt: skip


@functools.cache
def _everyday() -> frozenset[str]:
    """The units of word problems (cm, pounds, hours, mph: k2batch/verify/mathunits.py), as pint names."""
    return frozenset(str(u) for u in map(unit_of, set(UNITS.values())) if u is not None)


def _science_unit(problem: str, unit) -> bool:
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
    if tolerance.given(policy):
        ok = tolerance.within(policy, g.value, p.value)
        return ok, f"{'within' if ok else 'outside'} {tolerance.describe(policy)}"
    if tol == "exact" or g.figures is None and p.figures is None:
        return False, "different quantity"
    asked = _PRECISION.search(problem or "")
    if asked:  # the precision asked: the answer has it and rounds to the reference
        if re.search(r"figure|significant", asked.group(0)) and p.figures and g.figures:
            coarser = p.figures < g.figures
        else:
            coarser = p.place > g.place * (1 + 1e-9)
        ok = not coarser and gap <= g.place / 2 * (1 + 1e-9)
        return ok, ("rounds to the reference at the precision asked" if ok else
                    "not the reference at the precision asked")  # fmt: skip
    if _NEAREST.search(problem or ""):  # the rounding asked: the reference's own places, no more or fewer
        return False, "not rounded as the problem asks"
    coarse = max((q for q in (g, p) if q.figures is not None), key=lambda q: q.place)
    if coarse.figures >= 2 and gap <= coarse.place / 2 * (1 + 1e-9):
        return True, f"equal at the coarser precision ({coarse.figures} significant figures)"
    if gap <= 0.002 * scale:
        return True, "within 0.2 % (constants rounded differently)"
    return False, "different quantity"

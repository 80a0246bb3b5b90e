"""Measurement units in answers: `25\\text{ cm}`, `3 square feet`, `60 miles per hour`. Pure string
functions, like mathforms."""

from __future__ import annotations

import re

from k2batch.verify.mathforms import WRAPPERS as _WRAPPERS
from k2batch.verify.mathnum import BOUND

# Measurement units: a prediction that drops one is incorrect under `units = "strict"`; two
# different ones are always incorrect. Currency, degrees and percent are not units here: the
# number alone is the answer (graders agree on these).
_UNIT_NAMES = {
    "mm": ("mm", "millimeter", "millimeters", "millimetre", "millimetres"),
    "cm": ("cm", "centimeter", "centimeters", "centimetre", "centimetres"),
    "m": ("m", "meter", "meters", "metre", "metres"),
    "km": ("km", "kilometer", "kilometers", "kilometre", "kilometres"),
    "in": ("in", "inch", "inches"),
    "ft": ("ft", "foot", "feet"),
    "yd": ("yd", "yard", "yards"),
    "mi": ("mi", "mile", "miles"),
    "mg": ("mg", "milligram", "milligrams"),
    "g": ("g", "gram", "grams"),
    "kg": ("kg", "kilogram", "kilograms"),
    "lb": ("lb", "lbs", "pound", "pounds"),
    "oz": ("oz", "ounce", "ounces"),
    "ml": ("ml", "milliliter", "milliliters", "millilitre", "millilitres"),
    "l": ("l", "liter", "liters", "litre", "litres"),
    "s": ("s", "sec", "secs", "second", "seconds"),
    "min": ("min", "mins", "minute", "minutes"),
    "h": ("h", "hr", "hrs", "hour", "hours"),
    "day": ("day", "days"),
    "week": ("week", "weeks"),
    "year": ("year", "years", "yr", "yrs"),
    "mph": ("mph", "miles per hour"),
    "km/h": ("km/h", "kph", "kilometers per hour"),
    "m/s": ("m/s", "meters per second"),
}
UNITS = {alias: canon for canon, aliases in _UNIT_NAMES.items() for alias in aliases}
_NOT_UNITS = r"dollars?|cents?|usd|euros?|degrees?|rad|radians?|percent|units?|square units"
_POWER = r"(?:\s*\^\s*\{?[23]\}?)?"
_UNIT_TAIL = re.compile(
    rf"^(?P<value>.*?[\d}})a-zA-Z])\s*(?:{_WRAPPERS}\{{\s*(?P<w>[^{{}}]+?)\s*\}}|"
    rf"(?P<p>(?<![a-zA-Z\\])(?:square |cubic )?[a-zA-Z][a-zA-Z/ ]*?)){_POWER}$"  # not inside `\pi`
)


# a unit spelled out or abbreviated after a space, longest names first ("meters per second" before "second")
_SPELLED = re.compile(r"\s(" + "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True)) + r")$", re.I)


def split_unit(text: str) -> tuple[str, str | None]:
    """(value, canonical unit or None): `25\\text{ cm}` -> ("25", "cm"), `12 dollars` -> ("12",
    None), `3 square feet` -> ("3", "sq ft"). Only known units count; other trailing words stay."""
    t = re.sub(r"\}\s*/\s*" + _WRAPPERS + r"\{\s*", "/", text.strip())  # \\mathrm{km}/\\mathrm{h}: one unit
    counted = re.fullmatch(r"(-?[\d.,/]*\d%?)\s*(?![万亿千百十兆])[\u4e00-\u9fff]{1,3}", t)  # "70人": counted
    if counted:
        return counted[1], None
    spelled = _SPELLED.search(t)  # "5t meters per second", "(x + 2) cm": an expression, then its unit apart
    name = spelled.group(1).lower() if spelled else ""
    before = t[: spelled.start()] if spelled else ""
    apart = len(name) >= 3 or len(name) == 2 and name != "in" and re.search(r"[\d)]$", before)  # not `πr^2 h`
    if apart and re.search(r"[A-Za-z]", re.sub(r"\\[A-Za-z]+", "", before)):
        return before.strip(), UNITS[name]
    m = _UNIT_TAIL.match(t)
    if not m or not re.search(r"\d", m["value"]):
        return t, None
    word = (m["w"] or m["p"] or "").strip().lower()
    if BOUND.search(word):
        return t, None  # "5 or more", "3 per day": not a number and its unit
    prefix = ""
    if word.startswith(("square ", "cubic ")):
        prefix, word = word.split(" ", 1)
        prefix = {"square": "sq ", "cubic": "cu "}[prefix]
    if re.fullmatch(_NOT_UNITS, word):
        return m["value"].strip(), None
    canon = UNITS.get(word) or UNITS.get(word.rstrip("s"))
    count_noun = re.search(r"[\d}]\s+[a-zA-Z]{2,}", t)
    number = re.fullmatch(r"[\d\s.,/+-]+|-?\d*\s*\\frac\{\d+\}\{\d+\}", m["value"])
    if canon is None and m["p"] and count_noun and number:
        return m["value"].strip(), None  # a count noun ("3 apples", "1 1/2 cups"): the number is the answer
    if canon is None or (canon in ("m", "s", "g", "h", "l", "in") and m["p"] and " " not in t
                         and not re.search(r"\d$", m["value"])):  # fmt: skip
        return t, None  # "2x" is not 2 x; "3n" is not 3 metres
    if m["p"] and len(word) <= 2 and re.search(r"[a-zA-Z]", re.sub(r"\\[a-zA-Z]+", "", m["value"])):
        return t, None  # a variable's value: `\pi r^2 h` is a product, not `\pi r^2` hours
    power = re.search(r"\^\s*\{?([23])\}?$", t)
    return m["value"].strip(), prefix + canon + (f"^{power.group(1)}" if power else "")


# Units that add up within one quantity ("2 hours and 30 minutes", "5 ft 6 in"): sizes in the
# smallest, and the name the sum is written with
_PARTS = (
    {"week": 10080, "day": 1440, "h": 60, "min": 1, "s": 1 / 60},
    {"mi": 63360, "yd": 36, "ft": 12, "in": 1},
    {"km": 1e6, "m": 1000, "cm": 10, "mm": 1},
    {"lb": 16, "oz": 1},
    {"kg": 1e6, "g": 1000, "mg": 1},
)
_PLURAL = {canon: max((a for a in aliases if a.endswith("s") or a == "feet"), key=len)
           for canon, aliases in _UNIT_NAMES.items() if any(canon in f for f in _PARTS)}  # fmt: skip
_PART = r"(\d+(?:\.\d+)?)\s*([a-zA-Z]+)"
_COMPOUND = re.compile(rf"(?<![\w.]){_PART}(?:(?:\s*,\s*|\s+and\s+|\s+){_PART}){{1,2}}(?![\w/])")


def compound(text: str, problem: str = "", originals: dict | None = None) -> str:
    """"2 hours and 30 minutes" as "150 minutes", "5 ft 6 in" as "66 inches": one quantity in one
    unit (the one the problem asks for where it is one of them: "How many hours ...": 2.5 hours;
    else the smallest), for the rules that read one number and its unit. `originals` gets each
    sum's own words, for the extraction to give back."""
    asked = re.search(r"\bhow many ([a-z]+)|\bin ([a-z]+)\s*[?.]", problem, re.I)
    asked = UNITS.get((asked.group(1) or asked.group(2)).lower()) if asked else None

    def total(m: re.Match) -> str:
        parts = re.findall(_PART, m.group(0))
        canon = [UNITS.get(u.lower()) or UNITS.get(u.lower().rstrip("s")) for _, u in parts]
        family = next((f for f in _PARTS if all(c in f for c in canon)), None)
        if family is None or any(family[a] <= family[b] for a, b in zip(canon, canon[1:], strict=False)):
            return m.group(0)  # not one quantity, or not largest first
        into = asked if asked in family else min(canon, key=family.get)
        value = sum(float(n) * family[c] for (n, _), c in zip(parts, canon, strict=True)) / family[into]
        said = f"{round(value, 9):g} {_PLURAL[into]}"
        if originals is not None:
            originals[said] = m.group(0)
        return said

    plain = re.sub(r"\\(?:text|mathrm)\s*\{([^{}]*)\}", r" \1 ", text)  # 2\text{ h } 30\text{ min}
    if not re.search(r"\d\s*[a-zA-Z]+\s*(?:,|and)?\s*\d", plain):
        return text
    joined = _COMPOUND.sub(total, plain)
    return re.sub(r"\s+", " ", joined).strip() if joined != plain else text

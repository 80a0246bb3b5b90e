"""Plain-text math in a reply's prose, no LaTeX delimiters: a last line of math ("x² − 5x + 6 =
(x − 3)(x − 2)"), the expression closing a sentence ("the derivative is 3x^2 - 4x + 5"), values
that labelled parts name. Pure functions, like prose."""

from __future__ import annotations

import re

# "12, because 3 x 4 = 12", "35, though I haven't verified it": the value before its reason
# ("which simplifies to $2\sqrt3$" rewrites the value: not a reason)
BECAUSE = re.compile(r"(?<!written)(?<!expressed)(?<!given)(?<!represented),?\s+(?:because|since|as|"
                     r"which(?! (?:simplifies|reduces) to)|due to|though|although|leaving)\s.*$", re.I)
_ARROW = re.compile(r"\s*(?:→|⟹|⇒|=>|\\Rightarrow|\\implies)\s*")
FUNCTIONS = re.compile(r"\b(?:sin|cos|tan|cot|sec|csc|log|ln|sqrt|exp|abs)\b")
_NAMED = re.compile(r"^[A-Za-z](?:[⁻¹'_]+\w*)?(?:\([a-z]\))?\s*(?:=|∈)")  # x =, f⁻¹(x) =, x ∈
# "at x = 2, y = 5", "So x is 2 and y is 1."
_PAIR = re.compile(r"\b[a-z]\s*(?:=|\sis\s)\s*-?[\d./]+\s*(?:,|and|, and)\s*[a-z]\s*(?:=|\sis\s)\s*-?[\d./]+")


def math_line(last: str) -> tuple[str | None, str]:
    """A last line in plain-text math, no LaTeX delimiters: "x² − 5x + 6 = (x − 3)(x − 2)" (what its
    last "=" gives), "f⁻¹(x) = (1/3)x − 2/3" and "So n = 1 or n = 2." (named values, whole),
    "Wednesday + 2 → Friday" (what the arrow gives), "The lines meet at x = 2, y = 5." (the pair)."""
    clause = re.split(r"[,;]\s+(?=(?:so|thus|hence|therefore)\b)", last.strip())[-1].rstrip(".")
    clause = re.sub(r"^(?:so|thus|hence|therefore),?\s+", "", clause, flags=re.I).replace("≈", "=")
    said = clause.rsplit(": ", 1)[-1]  # "Taking square roots of both sides: x = 3 or x = −3": what it says
    clause = said if "=" in said else clause
    # "In general form this is 2x − y + 3 = 0": an equation stated after words, not a value it works out
    stated = re.split(r"\b(?:is|are|becomes|gives)\s+", clause)[-1]
    equation = re.fullmatch(r"([^=]*[A-Za-z][^=]*?[+−-][^=]*)=([^=]+)", stated)
    if stated != clause and equation and not re.search(r"[A-Za-z]{3,}", FUNCTIONS.sub("", stated)):
        clause = stated
    if "$" in clause or "\\(" in clause or re.search(r"check|verif", clause, re.I):
        return None, ""
    if re.fullmatch(r"\*\*[^*]+\*\*", clause):  # "**V = 36π cm³**": the bold rule's (its value, unit kept)
        return None, ""
    arrow = _ARROW.split(clause)
    if len(arrow) > 1 and arrow[-1].strip() and len(arrow[-1]) <= 40:
        gives = re.sub(r"^(?:[a-z]+\s+){1,3}(?=[\d−-])", "", arrow[-1].strip())  # "→ ends at 22:15"
        return gives, "last line (what its arrow gives)"
    pair = _PAIR.search(clause)
    if pair:
        said = re.sub(r"\s+is\s+", " = ", re.sub(r",?\s+and\s+", ", ", pair.group(0)))
        return said, "last sentence (named values)"
    if not re.search(r"[=∈]", clause):
        return None, ""
    if re.search(r"[A-Za-z]{3,}", FUNCTIONS.sub("", clause)):  # "Time = 210 ÷ 60 = 3.5 hours": a number
        value = clause.rsplit("=", 1)[-1].strip()
        # its unit aside (`mol/L` too); `3 - x` is no number
        numeric = re.sub(r"(?:\s+(?:[a-z]{2,}|[A-Za-zµ]+/[\w^²³⁻¹]+)){1,2}$|\\[a-z]+", "", value)
        several = re.search(r",(?!\d{3})", clause)  # `x = 2, y = -3`: a pair, not the last value
        plain = len(clause) <= 120 and re.search(r"[\d√π∞]", value) and not re.search(r"[A-Za-z]", numeric)
        return (value, "last line (plain-text math)") if plain and not several else (None, "")
    lhs, rhs = clause.rsplit("=", 1) if "=" in clause else (clause, "")
    # `x = 2 or x = 5`, `f⁻¹(x) = ...`, and an equation (`2x + 2y = 6`): whole; a rewriting: its result
    if _NAMED.match(clause) or re.search(r"[A-Za-z]", lhs) and not re.search(r"[A-Za-z]", rhs):
        return clause.strip(), "last line (plain-text math)"
    return rhs.strip(), "last line (plain-text math)"


_PART_LINE = re.compile(r"(?:\*\*)?(?:part\s*)?\(?([a-h])\)(?:\*\*)?:?\s*\$?\s*([A-Za-z])\s*=(.*)", re.I)


def named_parts(lines: list[str]) -> str | None:
    """"(a) x = 2 / (b) y = 5 − 2 = 3" closing the reply: the values its parts name, together
    ("x = 2, y = 3"), as a system's solution. Parts that are not named values are left to the last
    line (the reference may be the last part's answer alone)."""
    run = []
    for line in lines[::-1]:
        m = _PART_LINE.fullmatch(line.strip().rstrip("."))
        if not m:
            break
        run.insert(0, m)
    letters = "".join(m.group(1).lower() for m in run)
    if len(run) < 2 or not "abcdefgh".startswith(letters):
        return None
    return ", ".join(f"{m.group(2)} = {m.group(3).rsplit('=', 1)[-1].strip(' *$')}" for m in run)


_MATH_WORDS = {"sqrt", "abs", "sin", "cos", "tan", "cot", "sec", "csc", "ln", "log", "exp", "pi", "inf"}
_MATH_TOKEN = re.compile(r"[\w+\-−*/^=<>≤≥≠±√π∞²³⁻¹·×(),|.'′\[\]]+")


def tail_expression(sentence: str) -> str | None:
    """"Adding these up, the derivative is 3x^2 - 4x + 5.", "Multiplying, f'(x) = 3(x^2 + 1)^2 · 2x =
    6x(x^2 + 1)^2.", "... probability is 1 - (5/6)^4.": the plain-text expression that closes a
    sentence (single letters, numbers, operators, function names), not its first or last number;
    what its last "=" gives, named where a name stands first (`f'(x) = ...`, `y = 6x - 9`). None for
    a lone number or letter, which the other rules read."""
    if re.search(r"[\\$`]|\*\*", sentence):  # LaTeX, inline math, bold: the other rules read those
        return None
    reason = BECAUSE.search(sentence)  # "factors as (3x + 2)(2x - 1)": "as" gives no reason there
    if reason and re.search(r"[A-Za-z]{2,}", FUNCTIONS.sub("", reason.group(0))[4:]):
        sentence = sentence[: reason.start()]
    sentence = re.sub(r",?\s+where\b.*$", "", sentence)  # "... + K, where K is an arbitrary constant"
    tail: list[str] = []
    for tok in reversed(sentence.strip().rstrip(".!").split()):
        depth = sum(t.count(")") - t.count("(") for t in tail)
        words = [w for w in re.findall(r"[A-Za-z]+", tok) if len(w) > 1 and w.lower() not in _MATH_WORDS]
        clause = tok.endswith((":", ";")) or tok.endswith(",") and depth <= 0
        if words or clause or not _MATH_TOKEN.fullmatch(tok) or re.search(r"[A-Za-z]\.[A-Za-z]", tok):
            break  # a word, a clause's end, "p.m."
        tail.insert(0, tok)
    expr = " ".join(tail)
    if re.fullmatch(r"(?:[A-Z][a-z]?\d*)+", expr) and re.search(r"\d", expr):
        return None  # "9.0 mol of O2": a chemical formula, not algebra
    if re.fullmatch(r"\(\s*-?[\d.]+\s*[A-Za-z]{1,3}\s*\)", expr):
        return None  # "150 cm (1.5 m)": the value again in another unit, an aside
    if not expr or expr.count("(") != expr.count(")") or expr.count("[") != expr.count("]"):
        return None
    sides = expr.split("=")
    name = re.fullmatch(r"\s*[A-Za-z](?:['′]+|_\w)?(?:\([a-z]\))?\s*", sides[0])
    value = sides[-1].strip()
    algebra = re.search(r"(?<![A-Za-z])[A-Za-z](?![A-Za-z])|[√π∞]", value) or any(
        w.lower() in _MATH_WORDS for w in re.findall(r"[A-Za-z]+", value)
    )
    worked = re.search(r"\d\s*[-+*/^−×·]\s*[\d(]|\)\s*\^", value)  # 1 - (5/6)^4
    if not value or len(value) < 2 or not (algebra or worked and "=" not in expr):
        return None
    return f"{sides[0].strip()} = {value}" if name and len(sides) > 1 else value


def expression(sentence: str, start: int) -> str | None:
    """"The derivative is 3x^2 + 2x.", "... is 3*x**2.": an expression in plain text from `start` to the
    sentence's end, not its first number; None where words follow the number ("3 apples")."""
    rest = sentence[start:].strip().rstrip(".!").strip()
    # "5t meters per second": the expression, its unit kept
    unit = re.search(r"(?:\s+(?:square|cubic))?\s+[a-z]{2,}(?:\s+per\s+[a-z]+)?$", rest)
    body = rest[: unit.start()] if unit else rest
    if unit and expression(body, 0):
        return rest
    words = re.findall(r"[A-Za-z]{2,}", FUNCTIONS.sub("", rest))
    variable = re.search(r"\d\s*\*?\s*[a-z](?![a-z])|[a-z]\s*(?:\^|\*\*|[²³])", rest)
    return rest if variable and not words and re.fullmatch(r"[\w\s.+\-−*/^()²³√]+", rest) else None

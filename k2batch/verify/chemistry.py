"""Chemistry answers: a formula (`CH2O` for `CH_2O`, `H₂O`) and a balanced equation's coefficients
(`2H₂ + O₂ → 2H₂O` for "2, 1, 2"). Pure string functions, like mathforms."""

from __future__ import annotations

import re

_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_FORMULA = re.compile(r"(?:[A-Z][a-z]?\d*|\((?:[A-Z][a-z]?\d*)+\)\d*)+")
_ELEMENTS = set(
    "H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr "
    "Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb "
    "Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr".split()
)
_SIDE = re.compile(r"\s*(?:→|->|⟶|=|\\rightarrow|\\to|\\longrightarrow)\s*")


def formula(text: str) -> str | None:
    """`CH_2O`, `\\mathrm{H_2O}`, `H₂O`, `CH2O` -> "CH2O"; None where the text is not one formula
    with a digit or two elements (`x`, `AB` as letters is not read: it needs an element's case)."""
    t = re.sub(r"\\(?:mathrm|text|ce)\s*\{([^{}]*)\}", r"\1", text.strip().strip("$").strip())
    if re.fullmatch(r"[0-9A-F]+_\{?\d+\}?", t):
        return None  # `FF_{16}`: a numeral and its base
    t = re.sub(r"[_{}\s]", "", t.translate(_SUBSCRIPTS)).rstrip(".")
    t = re.sub(r"^\(([^()]+)\)$", r"\1", t)  # "hydrogen gas (H₂)": the formula in brackets
    if not set(re.findall(r"[A-Z][a-z]?", t)) <= _ELEMENTS:
        return None
    if not _FORMULA.fullmatch(t) or not (re.search(r"\d", t) or len(re.findall(r"[A-Z]", t)) >= 2):
        return None
    return t


def coefficients(text: str) -> str | None:
    """The coefficients of a chemical equation, in order ("2, 1, 2"; an absent one is 1), or None."""
    t = text.strip().strip("$").translate(_SUBSCRIPTS)
    t = re.sub(r"\\(?:mathrm|text|ce)\s*\{([^{}]*)\}", r"\1", t)
    t = t.replace("_", "").replace("{", "").replace("}", "")
    sides = _SIDE.split(t.rstrip("."))
    if len(sides) != 2:
        return None
    found = []
    for side in sides:
        for term in re.split(r"\s+\+\s+", side.strip()):
            m = re.fullmatch(r"(\d*)\s*(" + _FORMULA.pattern + r")(?:\((?:s|l|g|aq)\))?", term.strip())
            if not m:
                return None
            found.append(m.group(1) or "1")
    return ", ".join(found)


def verdict(reference: str, answer: str) -> tuple[bool, str] | None:
    """(equal, why) where the reference is a formula (with a digit or a two-letter element, so a
    list of letters such as `AB` is not one) or a list of coefficients the answer balances; else None."""
    ref = formula(reference)
    if ref and re.search(r"\d|[a-z]", ref):
        ans = formula(answer)
        return (ans == ref, "same formula" if ans == ref else "another formula") if ans else None
    if re.fullmatch(r"\d+(?:\s*,\s*\d+)+", reference.strip()):
        found = coefficients(answer)
        if found:
            same = found == re.sub(r"\s*,\s*", ", ", reference.strip())
            return same, f"{'the same' if same else 'other'} coefficients ({found})"
    return None

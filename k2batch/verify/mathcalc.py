"""Answers equal in value that careful graders still tell apart by what the problem asked, where
telling them apart needs sympy: an antiderivative is right up to its constant of integration; a
factorisation asked to be complete, and an expansion asked for, are forms of the same value."""

from __future__ import annotations

import re

from k2batch.verify.mathnum import simplify_equal

# `+ C`, `+ K`, `+ C_1`, "+ constant" closing an antiderivative: the constant's name is the writer's choice
_CONSTANT = re.compile(
    r"\s*\+\s*(?:[CKck](?:_\{?\d\}?)?|(?:\\text\{\s*)?(?:a |an |arbitrary )*constant\}?)\s*$"
)


def _expr(parse, text: str):
    import sympy

    parsed = parse(text)
    return parsed[0] if parsed and isinstance(parsed[0], sympy.Expr) else None


def antiderivatives(gold: str, pred: str, parse) -> bool | None:
    """Both sides end in a constant of integration: are they antiderivatives of one function
    (`\\ln(2x^2+2) + C` for `\\ln(x^2+1) + C`: they differ by a constant, which it absorbs)? None
    where either has no such constant or does not parse: an answer that leaves the constant out
    is incorrect, as math-verify and string graders grade it (held-out sets 7 and 8 disagreed)."""
    import sympy

    if not (_CONSTANT.search(gold) and _CONSTANT.search(pred)):
        return None
    g, p = _expr(parse, _CONSTANT.sub("", gold)), _expr(parse, _CONSTANT.sub("", pred))
    if g is None or p is None:
        return None
    free = sorted(g.free_symbols | p.free_symbols, key=str)
    return bool(free) and all(simplify_equal(sympy.diff(g, v), sympy.diff(p, v)) for v in free)


def _content_left(expr) -> bool:
    """A factor that still holds a common number: `(2x - 4)(x + 2)` (2x - 4 = 2(x - 2))."""
    import sympy

    for f in sympy.Mul.make_args(expr):
        base = f.as_base_exp()[0]
        if base.free_symbols and isinstance(base, sympy.Add):
            content = base.as_content_primitive()[0]
            if content.is_Rational and content.q == 1 and abs(content) > 1:
                return True
    return False


def _factors(expr) -> int:
    """Non-constant factors as written: `2x(x^2-4)` has 2, `(x-1)^2 (x+3)` 3."""
    import sympy

    count = 0
    for f in sympy.Mul.make_args(expr):
        base, power = f.as_base_exp()
        if base.free_symbols:
            count += int(power) if power.is_Integer and power > 0 else 1
    return count


def unfinished(problem: str, gold: str, pred: str, parse) -> str | None:
    """Where the problem asks to factor (completely) or to expand, what in an answer of equal
    value is not that form: fewer factors than the reference's (`2x(x^2-4)` for `2x(x-2)(x+2)`),
    or a product where the reference is expanded; else None."""
    import sympy

    factor = re.search(r"\bfactor(?:ise|ize)?\b", problem or "", re.I)
    expand = re.search(r"\bexpand\b|\bmultiply out\b", problem or "", re.I)
    if not (factor or expand):
        return None
    g, p = _expr(parse, gold), _expr(parse, pred)
    if g is None or p is None or not g.free_symbols:
        return None
    if factor and _factors(p) < _factors(g):
        return f"factored less far than the reference ({_factors(p)} factors, it has {_factors(g)})"
    if factor and _content_left(p) and not _content_left(g):
        return "a factor still holds a common number (not factored completely)"
    if expand and not factor and isinstance(g, sympy.Add) and not isinstance(p, sympy.Add):
        return "not expanded, as the problem asks"
    return None

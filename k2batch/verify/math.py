"""Math verification: a normalised-text check, math-verify's symbolic equivalence, then a numeric
cascade for what math-verify misses (plain-text units, number words)."""

from __future__ import annotations

import logging
import math
import re

from k2batch.extract import normalize_answer

# We disable math-verify's signal timeouts on purpose (the pool enforces ours); hush its warning.
logging.getLogger("math_verify").setLevel(logging.ERROR)

_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_PLAIN_NUMBER = re.compile(
    r"^(?:\\?\$|€|£)?\s*(-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d*\.?\d+)\s*(\\?%)?"
    r"\s*(?:\\(?:text|mbox|mathrm)\{[^}]*\}|[A-Za-z][A-Za-z .]*)?\.?$"
)


def plain_number(text: str) -> float | None:
    """The single number a plain answer states ('$1,200', '12 dollars', 'twelve', '15%'), else
    None. Percent stays as written (15% -> 15): math-verify already tries the /100 reading."""
    t = text.strip().strip("$").strip().replace("−", "-")
    t = re.sub(r"^\\text\{(.*)\}$", r"\1", t).strip()
    if t.lower().rstrip(".") in _WORDS:
        return float(_WORDS[t.lower().rstrip(".")])
    m = _PLAIN_NUMBER.match(t)
    if not m:
        return None
    try:
        return float(m.group(1).replace(",", ""))
    except ValueError:
        return None


def _parse(text: str):
    from math_verify import parse  # imported in the worker process, not at module load

    # math-verify's own signal timeouts only work on a main thread; the pool enforces ours.
    parsed = parse(f"${text}$", parsing_timeout=None)
    return parsed or parse(text, parsing_timeout=None)


def verify_math(reference: str, answer: str | None) -> tuple[str, str]:
    """(status, reason) for a final math answer against a reference."""
    from math_verify import verify

    if answer is None or not answer.strip():
        return "incorrect", "no answer"
    if normalize_answer(reference) == normalize_answer(answer):
        return "correct", "same normalised text"
    gold, pred = _parse(reference), _parse(answer)
    if gold and pred and verify(gold, pred, timeout_seconds=None):
        return "correct", "math-verify: equivalent"
    ref_n, ans_n = plain_number(reference), plain_number(answer)
    if ref_n is not None and ans_n is not None:
        if math.isclose(ref_n, ans_n, rel_tol=1e-6, abs_tol=1e-9):
            return "correct", "same number"
        return "incorrect", "different number"
    if not gold:
        return "error", "reference does not parse"
    if not pred:
        return "incorrect", "answer does not parse"
    return "incorrect", "math-verify: not equivalent"

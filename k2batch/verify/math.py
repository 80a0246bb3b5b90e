"""Math verification: math-verify's symbolic equivalence, after a cheap normalised-string check."""

from __future__ import annotations

import logging

from k2batch.extract import normalize_answer

# We disable math-verify's signal timeouts on purpose (the pool enforces ours); hush its warning.
logging.getLogger("math_verify").setLevel(logging.ERROR)


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
    gold = _parse(reference)
    if not gold:
        return "error", "reference does not parse"
    pred = _parse(answer)
    if not pred:
        return "incorrect", "answer does not parse"
    if verify(gold, pred, timeout_seconds=None):
        return "correct", "math-verify: equivalent"
    return "incorrect", "math-verify: not equivalent"

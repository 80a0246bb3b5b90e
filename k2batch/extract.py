"""Final-answer extraction from model output: pure functions, no model, no I/O."""

from __future__ import annotations

import re
import string

THINK_CLOSE = "</think>"
MAX_OPTIONS = 26  # options are lettered A-Z; validation rejects more


def option_letters(n: int | None) -> str:
    """The letters of `n` options: A, B, C, ..."""
    return string.ascii_uppercase[: n or 0]


def split_think(text: str) -> tuple[str | None, str]:
    """(reasoning inside <think>...</think> or None, the text after it). An unclosed <think>
    is all reasoning: the answer part is empty."""
    if THINK_CLOSE in text:
        head, tail = text.rsplit(THINK_CLOSE, 1)
        return head.replace("<think>", "", 1).strip(), tail.strip()
    if "<think>" in text:
        return text.replace("<think>", "", 1).strip(), ""
    return None, text.strip()


def answer_part(text: str, tail_chars: int | None = None) -> str:
    """The text after the last `</think>`. With an unclosed `<think>` the reasoning was cut off:
    no answer part (or, when `tail_chars` is given, its last characters, as the judge sees it)."""
    if THINK_CLOSE not in text and "<think>" in text:
        return text[-tail_chars:].strip() if tail_chars else ""
    return split_think(text)[1]


def last_boxed(text: str) -> str | None:
    """Content of the last `\\boxed{...}` / `\\fbox{...}`, braces balanced; None if absent/unclosed."""
    starts = [m.end() for m in re.finditer(r"\\(?:boxed|fbox)\s*\{", text)]
    for start in reversed(starts):
        depth, i = 1, start
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        if depth == 0:
            return text[start : i - 1].strip()
    return None


def _last_tag(text: str, tag: str) -> str | None:
    found = re.findall(rf"<{tag}>(.*?)</{tag}>", text, flags=re.S)
    return found[-1].strip() if found else None


_FINAL_PHRASE = re.compile(
    r"(?:final answer|the answer)\s*(?:is|:)\s*:?\s*\$?([^\n$]+?)\$?\s*(?:\.|$)", re.I | re.M
)
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:/\d+)?")


def extract_math(text: str) -> tuple[str | None, str]:
    """(answer, rule) for math: <answer> tags, last \\boxed{}, a 'final answer is' phrase, '####',
    then the last number (the weakest rule; its use is recorded)."""
    part = answer_part(text)
    if not part:
        return None, "no answer part (reasoning unfinished)"
    for rule, found in (
        ("answer tag", _last_tag(part, "answer")),
        ("boxed", last_boxed(part)),
    ):
        if found:
            return found, rule
    phrases = _FINAL_PHRASE.findall(part)
    if phrases:
        return phrases[-1].strip(), "final-answer phrase"
    hashes = re.findall(r"####\s*(.+)", part)
    if hashes:
        return hashes[-1].strip(), "####"
    numbers = _NUMBER.findall(part)
    if numbers:
        return numbers[-1].rstrip(".,"), "last number"
    return None, "no answer found"


def extract_code(text: str) -> tuple[str | None, str]:
    """(code, rule): the last fenced code block (python preferred) of the answer part."""
    part = answer_part(text)
    blocks = re.findall(r"```([\w+-]*)[ \t]*\n(.*?)```", part, flags=re.S)
    py = [body for lang, body in blocks if lang.lower() in ("python", "py", "python3")]
    if py:
        return py[-1], "python block"
    if blocks:
        return blocks[-1][1], "code block"
    if re.search(r"^\s*(def|class|import|from)\s", part, flags=re.M):
        return part, "bare code"
    return None, "no code block"


def extract_choice(text: str, n_choices: int | None = None) -> tuple[str | None, str]:
    """(letter, rule) for multiple choice."""
    letters = option_letters(n_choices or 10)
    part = answer_part(text)
    for rule, found in (("answer tag", _last_tag(part, "answer")), ("boxed", last_boxed(part))):
        if found:
            m = re.search(rf"\b([{letters}])\b", found.replace("\\text", " "))
            if m:
                return m.group(1), rule
    m = re.findall(rf"answer\s*(?:is|:)\s*\(?([{letters}])\)?\b", part, flags=re.I)
    if m:
        return m[-1].upper(), "answer phrase"
    m = re.findall(rf"\(([{letters}])\)|\b([{letters}])[.)]", part)
    if m:
        a, b = m[-1]
        return a or b, "last option letter"
    return None, "no option letter"


def normalize_answer(answer: str | None) -> str | None:
    """A cheap canonical form for grouping candidates that agree (not a verifier)."""
    if answer is None:
        return None
    a = answer.strip().strip("$").strip()
    a = re.sub(r"\\(?:left|right|displaystyle|,|!|;)", "", a)
    a = re.sub(r"\\text\{([^}]*)\}", r"\1", a)
    a = re.sub(r"(?<=\d),(?=\d{3}\b)", "", a)  # 1,000 -> 1000
    a = re.sub(r"\s+", "", a).rstrip(".").lower()
    return a or None

"""An option named by its text rather than its letter: "Answer: bank", "D (11)" where the options
were shuffled by another harness."""

from __future__ import annotations

import re

from k2batch.extract import answer_part, option_letters


def dashes(text: object) -> str:
    """Text with one kind of dash and of space: "weaker – slower" names the option "weaker - slower"."""
    return re.sub(r"\s+", " ", re.sub(r"[\u2010-\u2015\u2212]", "-", str(text))).strip()


def option_named(answer: str, choices: list[str]) -> str | None:
    """The letter of the one option whose text the answer states ("Queue", "... = 80 km/h."), as
    lm-evaluation-harness matches a choice's text: in what follows "answer is", else in the last
    sentence, else anywhere; None where no option or several are named."""
    if len(re.findall(r"(?<![\w'])\(?[A-Z][.)]\s", answer)) >= 2:
        return None  # a walk through the options ("A) ... B) ..."), not an answer naming one
    phrase = re.search(r"(?i:answer is|answer:)\s*(.+)$", answer)
    last = re.split(r"(?<=[.!?])\s+", answer.strip())[-1]
    choices = [dashes(c) for c in choices]
    for text in ([phrase.group(1)] if phrase else []) + [last, answer]:
        text = dashes(text)
        hits = {
            letter for letter, c in zip(option_letters(len(choices)), choices, strict=False)
            if c and re.search(rf"(?<![\w.]){re.escape(c)}(?!\w|\.\d)", text, re.I)
        }  # fmt: skip
        if len(hits) == 1:
            return hits.pop()
    return None


def glossed(response: str, letter: str, choices: list) -> str | None:
    """The letter of the option whose whole text follows the answer's letter on its line ("Answer: D
    (11)", "**B** — At active promoters"), where that is another option: the text is the answer.
    A letter may come from another order of the options (harnesses shuffle GPQA's each their own
    way); an option's whole text copied out does not. None: no such gloss, or it is this option's."""
    texts = [dashes(c).lower().rstrip(".") for c in choices]
    lines = [x for x in answer_part(response).splitlines() if re.search(rf"(?<![\w']){letter}(?![\w'])", x)]
    if not lines:
        return None
    tail = re.split(rf"(?<![\w']){letter}(?![\w'])", lines[-1])[-1]
    # "D (11)", "B) text", "**B** - text", "A: text"; a dash needs a space after it: "A) -0.7" glosses -0.7
    gloss = re.fullmatch(r"[\s)\].:*$]*(?:[-=]\s+|:\s*|\(\s*)?(.+?)\s*\)?[\s.*$]*", dashes(tail))
    gloss = gloss and gloss[1].lower().rstrip(".").strip("*").strip()
    hits = [x for x, text in zip(option_letters(len(choices)), texts, strict=False) if text and text == gloss]
    return hits[0] if len(hits) == 1 and hits[0] != letter else None

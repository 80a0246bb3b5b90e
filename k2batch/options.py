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


def _glosses(tail: str) -> list[str]:
    """What may be an option's text after a letter: "D (11)", "B) text", "**B** - text", "A: text",
    with or without its brackets ("A: (1+n*v)/(n+v)"); a dash needs a space: "A) -0.7" is -0.7."""
    bare = re.sub(r"^[\s)\].:*$]*(?:[-=]\s+|:\s*)?", "", dashes(tail))
    bare = re.sub(r"[\s.*$]*$", "", bare).strip("*").strip().lower().rstrip(".")
    inner = bare[1:-1].strip() if bare.startswith("(") and bare.endswith(")") else None
    return [g for g in (bare, inner) if g]


def glossed(response: str, letter: str, choices: list) -> str | None:
    """The letter of the option whose whole text glosses the answer's letter ("Answer: D (11)",
    "**B** — At active promoters", "That is option A: (1+n*v)/(n+v)." before "Answer: A"), or that
    the reply states as the answer on the line before ("So the answer is ~12.6.\n\nAnswer: B"),
    where that is another option: the text is the answer. A letter may come from another order of
    the options (harnesses shuffle GPQA's each their own way); an option's whole text copied out
    does not. None: no such gloss, or it is this option's."""
    texts = [dashes(c).lower().rstrip(".") or None for c in choices]  # an empty option glosses nothing
    every = [x for x in answer_part(response).splitlines() if x.strip()]
    lines = [x for x in every if re.search(rf"(?<![\w']){letter}(?![\w'])", x)]
    last = len(every) >= 2 and lines[-1:] == every[-1:]  # the letter closes the reply
    said = re.search(r"(?i)\banswer is\s+(.+?)\s*$", every[-2]) if last else None
    tails = [re.split(rf"(?<![\w']){letter}(?![\w'])", x)[-1] for x in reversed(lines)]
    for gloss in [g for tail in ([said[1]] if said else []) + tails for g in _glosses(tail)]:
        hits = [x for x, text in zip(option_letters(len(choices)), texts, strict=False) if text == gloss]
        if len(hits) == 1:
            return hits[0] if hits[0] != letter else None
    return None

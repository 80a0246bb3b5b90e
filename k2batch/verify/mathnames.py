"""Answers that name rather than compute: words (`\\text{diverges}`, a day, "does not exist"),
option letters (one, listed, or the options a problem offers), and numerals in a base. Pure string
functions, like mathforms."""

from __future__ import annotations

import re

from k2batch.verify.mathforms import unwrap

_LETTER = re.compile(
    r"^(?:the answer is\s*|answer:?\s*|option\s*)?(?:\\textbf\{|\\text\{|\\mathrm\{)?\s*\(?\s*"
    r"(?:\\textbf\{|\\text\{|\\mathrm\{)?([A-Ea-e])\s*\}?\s*\)?\s*\}?(?:[.):]\s*.*)?$",
    re.I | re.S,
)


def option_letter(text: str, lone: bool = False) -> str | None:
    """The option letter an answer names: `B`, `(B)`, `\\textbf{(B)}`, `\\text{(C)}`, `B) 12`,
    `(B) 12`, `The answer is B`, "The correct option is (E) ...". With `lone`, only a bare letter.
    (An answer that states an option's text or value: `math._option_by_value`.)"""
    t = text.strip().strip("$").strip()
    if len(set(re.findall(r"\(([A-Ea-e])\)", t))) > 1 and re.search(r"\bor\b|\band\b|/", t):
        return None  # "(B) or (A)": two offered, none answered
    if lone:
        m = re.fullmatch(r"(?:\\(?:textbf|text|mathrm)\{)?\s*\(?\s*([A-Ea-e])\s*\)?\s*\}?", t)
        return m.group(1).upper() if m and (m.group(1).isupper() or "(" in t) else None
    m = _LETTER.match(t)
    if m:
        return m.group(1).upper()
    named = set(re.findall(r"\(([A-E])\)", t))
    if len(named) == 1:
        return named.pop()
    return None


_INLINE_OPTION = re.compile(
    r"\(([A-E])\)\}?\s*(?:\\[ ,;])?\s*(.+?)\s*(?=\\q?quad|\$?\s*\\textbf|\([A-E]\)|\$|$)", re.M
)
# 'Enter "C" for circle, "H" for hyperbola': answer codes a problem defines
_CODE_OPTION = re.compile(r'"([A-Z])"\s+for\s+(?:an?\s+)?([a-z][a-z ]*?)(?=,|\.|\s+and\b|$)')
_LINE_OPTION = re.compile(r"^\s*\(?([A-E])[.):]\s+(.+?)\s*$", re.M)  # "A. 2/3" / "B) 3/5" opening a line


def options(problem: str) -> list[tuple[str, str]]:
    """The (letter, text) options a problem lists, inline (`(A) 2/3 (B) 3/5`, AMC's `\\qquad
    \\textbf{(B) }`) or one a line (`A. 2/3`); [] unless two or more with distinct letters."""
    for pattern in (_INLINE_OPTION, _LINE_OPTION, _CODE_OPTION):
        found = [(a, b.strip().strip("$").strip()) for a, b in pattern.findall(problem or "")]
        found = [(a, b) for a, b in found if b]
        if len(found) >= 2 and len({a for a, _ in found}) == len(found):
            return found
    return []


def base_digits(text: str) -> tuple[str, str | None] | None:
    """(digits, base or None) for a numeral in a base (`FF_{16}`, `1011_2`) or bare digits and
    letters (`FF`, `\\text{FF}`); None otherwise."""
    t = unwrap(text).strip()
    m = re.fullmatch(r"\(?([0-9A-Za-z]+)\)?\s*_\s*\{?\s*(\d+)\s*\}?", t) or re.fullmatch(r"([0-9A-Za-z]+)", t)
    return (m.group(1), m.group(2) if m.re.groups > 1 else None) if m else None


def says_words(gold: str, pred: str) -> bool:
    """A word answer (`\\text{diverges}`) that the answer's sentence ends in, with no negation
    ("The series diverges"; not "It never diverges")."""
    g, p = unwrap(gold).lower().split(), re.sub(r"[.!]+$", "", unwrap(pred).strip()).lower().split()
    if not 0 < len(g) <= 3 or len(p) <= len(g) or p[-len(g) :] != g or not all(w.isalpha() for w in g):
        return False
    return not re.search(r"\b(?:not|no|never|neither|nor|cannot)\b|n't", " ".join(p[: -len(g)]))


# "odd, even, or neither", '"odd", "even", or "neither"': the words a problem offers
_CHOICE_WORDS = re.compile(r'((?:"?[a-z]+"?,\s*)+"?[a-z]+"?,?\s+or\s+"?[a-z]+"?)', re.I)


def option_word(gold: str, pred: str, problem: str) -> bool | None:
    """Where the problem offers words to answer with ("parallel, perpendicular, or neither?") and
    the reference is one: does the answer's sentence name the same one, and only it ("so the lines
    are perpendicular to each other")? None where that does not decide."""
    g, p = unwrap(gold).strip().lower(), unwrap(pred).strip().lower()
    offered = [re.findall(r"[a-z]+", m.lower()) for m in _CHOICE_WORDS.findall(problem or "")]
    words = next((set(w) - {"or"} for w in offered if g in w), None)
    if not words or g == p:
        return None
    named = [w for w in words if re.search(rf"\b{w}\b", p)]
    if len(named) != 1 or re.search(r"\b(?:not|no|never|nor|cannot)\b|n't", p):
        return None
    return named[0] == g


_DAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_SAME_WORDS = {  # answers graders read as one: abbreviations and the symbol for the words
    "does not exist": ("dne", "does not exist", "doesn't exist", "the limit does not exist"),
    "infinitely many": ("\\infty", "∞", "infinitely many", "infinite", "infinitely many solutions"),
    "all real numbers": ("\\mathbb{r}", "ℝ", "all real numbers", "all reals", "(-\\infty, \\infty)",
                         "(-\\infty,\\infty)", "every real number", "x \\in \\mathbb{r}"),
}
_WORD_OF = {alias: canon for canon, aliases in _SAME_WORDS.items() for alias in aliases}


def word_answer(text: str) -> str | None:
    """The word answer a short text names, as graders read abbreviations and symbols: `Wed.` is
    Wednesday, DNE "does not exist", `\\mathbb{R}` all real numbers; None for anything else."""
    t = re.sub(r"\s+", " ", unwrap(text).strip().rstrip(".").lower())
    day = [d for d in _DAYS if len(t) >= 3 and d.startswith(t)]
    return day[0] if len(day) == 1 else _WORD_OF.get(t)


def phrase(text: str) -> list[str] | None:
    """The words of an answer of two or more words of two or more letters each ("costume
    counterpart oven", "neither even nor odd"), lower-cased; None for anything else."""
    t = unwrap(text).strip().rstrip(".")
    if not re.fullmatch(r"[A-Za-z]{2,}(?:(?:\s+|\s*,\s*)[A-Za-z]{2,})+", t):
        return None
    return re.split(r"[\s,]+", t.lower())


def same_phrase(a: list[str], b: list[str]) -> bool:
    """The same words in the same order; in any order where they are joined by connectives
    ("neither odd nor even"), not in a list of words (a sorted list is its order)."""
    joined = {"and", "or", "nor", "neither", "either", "both"}
    return a == b or sorted(a) == sorted(b) and bool(joined & set(a))


def letters(text: str) -> frozenset[str] | None:
    """The option letters a letter-list answer names: `B, C, E`, `BCE`, `(H)`, `H (hyperbola)`
    (a letter glossed by its meaning); None for anything else."""
    t = re.sub(r"\s*\([a-z][a-z ]*\)$", "", unwrap(text).strip())  # the gloss of one letter
    t = re.sub(r"^[A-Za-z ]*\b(?:are|is)\s+(?=[A-Z](?:,|\s+and\b|$))", "", t)  # "The true ones are A and C"
    t = re.sub(r"^\((.)\)$", r"\1", t.strip())
    if re.fullmatch(r"[A-Z](?:(?:\s*,\s*|\s+)(?:and\s+)?[A-Z])*", t):
        return frozenset(re.findall(r"[A-Z]", t))
    if re.fullmatch(r"[A-H]{2,8}", t) and len(set(t)) == len(t):
        return frozenset(t)
    return None


# `H`, `(H)`, `\\text{H (hyperbola)}`
_CODED = re.compile(r"(?:\\text\{)?\s*\(?\s*([A-Z])\s*\)?\s*(?:\([a-z][a-z ]*\))?\s*\}?")


def coded_letter(text: str, problem: str) -> str | None:
    """A letter past E that the problem defines as an answer code (`"H" for hyperbola`)."""
    m = _CODED.fullmatch(text.strip().strip("$").strip())
    return m.group(1) if m and m.group(1) in dict(options(problem)) else None


_TRUTH = {"true": True, "yes": True, "false": False, "no": False,  # TheoremQA's scorer: yes is True
          "yep": True, "yeah": True, "nope": False, "nah": False}


def truth(reference: str, answer: str) -> tuple[str, str] | None:
    """The verdict where both are a truth value ("No — 1001 is composite": the word that opens an
    answer, before its reason), else None."""
    words = [x.strip().rstrip(".").lower() for x in (reference, answer)]
    said = [_TRUTH.get(re.sub(r"^(yes|no|true|false)\s*[—–,;:!-].*$", r"\1", w)) for w in words]
    if said[0] is None or said[1] is None:
        return None
    return ("correct", "same truth value") if said[0] == said[1] else ("incorrect", "other truth value")

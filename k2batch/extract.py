"""Final-answer extraction from model output: pure functions, no model, no I/O."""

from __future__ import annotations

import json
import re
import string
import unicodedata

from k2batch.plainmath import BECAUSE
from k2batch.prose import prose_answer

THINK_CLOSE = "</think>"
MAX_OPTIONS = 26  # options are lettered A-Z; validation rejects more


def option_letters(n: int | None) -> str:
    """The letters of `n` options: A, B, C, ..."""
    return string.ascii_uppercase[: n or 0]


# Reasoning delimiters: DeepSeek-R1/Qwen style, and the Bespoke/OpenThoughts/Sky-T1 format.
_OPEN = ("<think>", "<|begin_of_thought|>")
_CLOSE = (THINK_CLOSE, "<|end_of_thought|>")
_SOLUTION_TAGS = re.compile(r"<\|(?:begin|end)_of_solution\|>")


def split_think(text: str) -> tuple[str | None, str]:
    """(reasoning inside <think>...</think> (or <|begin_of_thought|>...<|end_of_thought|>) or
    None, the text after it). An unclosed opening tag is all reasoning: the answer part is empty."""
    close = max(_CLOSE, key=text.rfind)
    if close in text:
        head, tail = text.rsplit(close, 1)
        for tag in _OPEN:
            head = head.replace(tag, "", 1)
        return head.strip(), _SOLUTION_TAGS.sub("", tail).strip()
    opened = next((tag for tag in _OPEN if tag in text), None)
    if opened:
        return text.replace(opened, "", 1).strip(), ""
    return None, _SOLUTION_TAGS.sub("", text).strip()


def answer_part(text: str, tail_chars: int | None = None) -> str:
    """The text after the reasoning. With an unclosed `<think>` the reasoning was cut off: no
    answer part (or, when `tail_chars` is given, its last characters, as the judge sees it)."""
    if not any(tag in text for tag in _CLOSE) and any(tag in text for tag in _OPEN):
        return text[-tail_chars:].strip() if tail_chars else ""
    # GAOKAO-Bench's prompt asks for "【答案】 A <eoa>": its marker is an answer label
    return re.sub(r"\s*<eo[ae]>", "", split_think(text)[1].replace("【答案】", "Answer:"))


def _boxes(text: str) -> list[tuple[int, int, str]]:
    """Every closed `\\boxed{...}` / `\\fbox{...}`: (start, end, content), braces balanced."""
    out = []
    for m in re.finditer(r"\\(?:boxed|fbox)\s*\{", text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        if depth == 0:
            out.append((m.start(), i, text[m.end() : i - 1].strip()))
    return out


def last_boxed(text: str) -> str | None:
    """Content of the last `\\boxed{...}` / `\\fbox{...}`, braces balanced; None if absent/unclosed."""
    boxes = _boxes(text)
    return boxes[-1][2] if boxes else None


# What may stand between two boxes that together make one answer: punctuation, "and", math
# delimiters, spacing, line breaks, and labels such as "x =", "(b)", "Part (b):".
_PART = r"(?:\*\*)?(?:part\s*)?\(?[a-h]\)(?:\*\*)?:?|\\text\{\s*\(?[a-h]\)\s*\}"
_JOINER = re.compile(
    rf"(?:\s|[,;:.$&]|\\[()\[\]]|\\\\|\\q?quad|\\text\{{\s*and\s*\}}|\band\b|{_PART}"
    r"|(?:[A-Za-z](?:_\{?\w+\}?)?|[A-Za-z]\([A-Za-z]\))\s*="
    # "Perimeter $= [26]$, Area $= [40]$", "Quotient: [119], remainder: [1]"
    r"|\b(?:(?:the|its)\s+)?[A-Za-z][a-z]+\s*\$?\s*[=:])",
    re.I,
)
_BONUS = re.compile(r"\s*(?:as a (?:bonus|side note|check|sanity check|by-product)|bonus|incidentally|"
                    r"for completeness|side note|additionally|as an aside)\b", re.I)
_THEREFORE = re.compile(r"\b(?:therefore|thus|hence)\b", re.I)
_NEXT_PART = re.compile(r"(?:^|\n)\s*(?:\*\*)?(?:part\s*)?\(?[b-h]\)", re.I)
_BOX_LABEL = re.compile(r"([A-Za-z](?:_\{?\w+\}?)?)\s*=\s*\$?\s*$")


def _box_label(text: str, start: int) -> str | None:
    """The name in `x = \\boxed{...}` right before a box, if any."""
    m = _BOX_LABEL.search(text[max(0, start - 20) : start])
    return m.group(1) if m else None


_LABEL = re.compile(r"^\s*(?:[A-Za-z](?:_\{?\w+\}?)?|[A-Za-z]\([A-Za-z]\))\s*=\s*(?=\S)")


def final_boxed(text: str) -> tuple[str | None, str]:
    """(answer, rule) from the boxes of an answer part: the last box, or, where the last boxes
    stand together with nothing but separators and labels between them (`x = \\boxed{2}, y =
    \\boxed{3}`, `(a) \\boxed{4} (b) \\boxed{5}`), all of them as one comma-separated answer.
    Boxes with words between them ("\\boxed{5}, no wait: \\boxed{7}") are not joined."""
    boxes = _boxes(text)
    if not boxes:
        return None, "no box"
    while len(boxes) > 1 and _BONUS.match(text[text.rfind("\n", 0, boxes[-1][0]) + 1 :]):
        boxes.pop()  # "= [58]. / As a bonus, (a-b)^2 = [16]": a side result after the answer
    if len(boxes) > 1 and re.fullmatch(r"[\s$]*(?:=|\\approx|≈)[\s$]*", text[boxes[-2][1] : boxes[-1][0]]):
        boxes.pop()  # "$\boxed{\frac14} = \boxed{0.25}$": one value twice, in the form first written
    run = [boxes[-1]]
    names = [_box_label(text, b[0]) for b in boxes]
    for k in range(len(boxes) - 2, -1, -1):
        prev, gap = boxes[k], text[boxes[k][1] : run[0][0]]
        paragraph = re.search(r"\n\s*\n", gap)  # a new paragraph is a new step, unless labelled as a part
        if paragraph and not (names[k] or names[k + 1]) and not _NEXT_PART.search(gap):
            break
        # "a = [3] and therefore b = [5]": derived, not a second part
        labelled = names[k] and names[k + 1] and not paragraph and not _THEREFORE.search(gap)
        if not (
            not _JOINER.sub("", gap).strip()
            or labelled
            and names[k] != names[k + 1]  # x = [3] ... y = [-1]: one answer, two parts
            or labelled
            and not re.sub(r"\bor\b", "", _JOINER.sub("", gap)).strip()  # x = [2] or x = [-2]
            or _NEXT_PART.search(gap)
        ):
            break
        run.insert(0, prev)
    if len(run) == 1:
        return run[0][2], "boxed"
    parts = [b[2] for b in run]
    if all(_LABEL.match(p) for p in parts):  # x = 2, y = 3 -> 2, 3 (the names are in the order)
        parts = [_LABEL.sub("", p) for p in parts]
    return ", ".join(parts), f"{len(run)} boxes joined"


def _last_tag(text: str, tag: str) -> str | None:
    found = re.findall(rf"<({tag})>(.*?)</\1>", text, flags=re.S)
    return found[-1][1].strip() if found else None


# A reply in JSON: {"reasoning": "...", "answer": "x^2 - 1"}, {"final_answer": 7}
_JSON_FIELD = re.compile(
    r'"(?:answer|final_answer|final answer|result)"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|(-?[\d.]+))', re.I
)
# "## Final Answer" as a heading, the answer on the line after it
_HEADING = re.compile(r"^#{1,6}\s*\**\s*final answer\s*\**\s*:?\s*\n+\s*([^\n]+)", re.I | re.M)


def _structured(part: str) -> tuple[str | None, str]:
    """(answer, rule) where the reply marks it by structure: a JSON answer field, a "Final Answer"
    heading, a one-line code block closing the reply."""
    fields = _JSON_FIELD.findall(part)
    if fields:
        text, number = fields[-1]
        try:
            text = json.loads(f'"{text}"') if text else number
        except ValueError:
            text = text or number
        return str(text).strip(), "JSON answer field"
    heading = _HEADING.findall(part)
    if heading:
        return heading[-1].strip().strip("*$` ").rstrip("."), "under a Final Answer heading"
    block = re.search(r"```[\w-]*[ \t]*\n\s*([^\n`]+?)\s*\n\s*```\s*$", part)
    if block:
        return block.group(1), "a one-line code block closing the reply"
    return None, ""


# The sentence's full stop is a period before a space or the line's end: "is 0.5." is 0.5, not 0.
# "Answer: X" opening a line is simple-evals' form; bold marks around either part are dropped.
_FINAL_PHRASE = re.compile(
    r"(?:final answer|the answer|the (?:correct |right |best )?(?:option|choice)|^[\W_]*answer)"
    r"\**\s*(?:is|:)\s*:?\s*\**\s*\$?([^\n$]+?)\$?\**\s*"
    r"(?:\.(?=\s|$)|$)",
    re.I | re.M,
)
# "3 (after 2 steps)", "15 liters (i.e., 15,000 mL)": the aside is no part
_ASIDE = re.compile(  # ... and "150 cm (1.5 m)": the same value in another unit; not `cal/(mol·K)`
    r"(?<![/·*^])\s*\((?:[^()]*(?<![\\A-Za-z])[A-Za-z]{3,}[^()]*|\s*(?:i\.e\.|e\.g\.|or\b|=|≈|\\approx)[^()]*"
    r"|\s*\d[\d.,]*\s*[A-Za-z]{1,3}\s*)\)$"
)
# "**Answer: 42** / Actually, I double counted ... The correct count is 36.": a correction after it.
# It opens a sentence or speaks of the reply's own error; "It is a common mistake to count the
# squares, for 48" (MATH's note after its box) is none.
_CORRECTION = re.compile(
    r"(?:^|[.!?]\s+|\n)\s*(?:actually|wait|hold on|oops|correction|scratch that)\b"
    r"|\bthat(?:'s| is| was) wrong\b"
    r"|\bI (?:was wrong|made (?:a|an) (?:mistake|error)|double[- ]counted|miscounted|miscalculated)\b",
    re.I,
)
_HEDGE = re.compile(r"^(?:probably|likely|most likely|presumably|perhaps|maybe|I think|I believe)\s+", re.I)
_SUBJECT = re.compile(  # "The probability is 1/4" after "Final Answer:": what the sentence says it is
    r"(?:the|it|its|their|this|so|thus|hence)\s+(?:[a-z]+\s+){0,5}?(?:is|are|equals|=)\s+(.*\d.*)$", re.I
)


def _corrected(tail: str) -> str | None:
    """The value a correction after a final answer states ("**Answer: 42** / Actually, I double
    counted the multiples of 10. The correct count is $30 + 12 - 6 = 36$."), else None. Only a
    value a sentence states: a number merely mentioned ("the first count of 42") corrects nothing."""
    if not _CORRECTION.search(tail):
        return None
    value, rule = prose_answer(tail)
    return value if value and rule != "last number" else None


# Full-width ASCII (Chinese and Japanese replies) and the decimal digits of other scripts (Arabic-Indic,
# Devanagari, Bengali, Telugu, Thai): as ASCII. Not NFKC, which would also read x² as x2.
_DIGITS = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {
    cp: ord(str(unicodedata.digit(chr(cp))))
    for start in (0x0660, 0x06F0, 0x0966, 0x09E6, 0x0C66, 0x0E50)
    for cp in range(start, start + 10)
}


def extract_math(text: str) -> tuple[str | None, str]:
    """(answer, rule) for math: <answer> tags, the final \\boxed{} (or boxes that together make one
    answer), a 'final answer is' phrase, '####', the concluding sentence of a worked solution, then
    the last number (the weakest rule; its use is recorded)."""
    part = answer_part(text).translate(_DIGITS)  # ２．５, ১৮, ٢٢: the digits graders compare
    if not part:
        return None, "no answer part (reasoning unfinished)"
    found = _last_tag(part, "answer|final|final_answer")
    if found:
        return found, "answer tag"
    found, rule = _structured(part) if not _boxes(part) else (None, "")
    if found and rule.startswith("under") and re.search(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}", found):
        return extract_math(found)  # "## Final Answer / The probability is 1/4.": what the sentence says
    if found:
        return found, rule
    found, rule = final_boxed(part)
    after = part[_boxes(part)[-1][1] :] if found else ""
    retold = [x for x in _FINAL_PHRASE.findall(after) if re.search(r"\d|\\", x)]
    if found and not retold:  # "\boxed{18} ... Hold on, each is counted twice. The answer is 9.": the 9
        fixed = _corrected(after)
        if fixed:
            return fixed, "a correction after the final answer"
        return found, rule
    part = part.replace("\\$", "").replace("\u2212", "-")  # "$\$12.50$" is 12.50; a Unicode minus is one
    phrases = list(_FINAL_PHRASE.finditer(part))
    if phrases:
        fixed = _corrected(part[phrases[-1].end() :])
        if fixed:
            return fixed, "a correction after the final answer"
        phrase = phrases[-1].group(1).strip()
        aside = _ASIDE.search(phrase)  # "15 (or 30 if order matters)": a second answer, kept (a hedge)
        if not (aside and re.match(r"\s*\(\s*or\b[^)]*\d", aside.group(0))):
            phrase = _ASIDE.sub("", BECAUSE.sub("", phrase)) or phrase
        phrase = _HEDGE.sub("", phrase)  # "the answer is probably 25"
        # "x + 5 (valid for x ≠ 5, but ...": an aside cut at its comma, not `[3,\infty)\cup(-\infty,-1]`
        phrase = re.sub(r"\s+\((?![^()]*[\\$])(?=[^()]*[A-Za-z]{2,})[^()]*$", "", phrase) or phrase
        # "So the answer is $\boxed{12": cut off inside the box, the value already written
        cut = re.fullmatch(r"\$?\\boxed\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)", phrase)
        phrase = cut.group(1).strip() if cut else phrase
        subject = _SUBJECT.match(phrase)  # "Final Answer: The probability is 1/4"
        return (subject.group(1) if subject else phrase), "final-answer phrase"
    hashes = re.findall(r"####\s*(.+)", part)
    if hashes:
        return hashes[-1].strip(), "####"
    found, rule = prose_answer(part)
    from k2batch.verify import directions  # at call time: k2batch.verify imports this module

    return directions.kept(part, found), rule  # "The net force is 12 N to the left.": its direction too


# "Answer:" in the languages simple-evals' multilingual MMLU asks in (after NFKC: full-width colons)
_ANSWER_WORD = "|".join([
    r"(?:final |correct |right |best )?(?:answers?|option|choice)", "respuesta", "réponse", "antwort",
    "risposta", "resposta", "jawaban", "jibu", "答案", "答え", "答", "回答", "解答", "정답", "답변", "답",
    "الإجابة", "الجواب", "उत्तर", "উত্তর", "正确的?选项", "正確的?選項", "选项", "選項", "选择?", "選擇?",
])  # fmt: skip
# "is" between the word and the letter: CMMLU's and C-Eval's "答案是D", "答案为C", "应该是D"; none after "选"
_COPULA = r"(?i:is|are)|(?:应该|應該|应|應|也)?[是为為]|(?<=[选選择擇])"
_FIELDS = re.compile(r'"(?:answer|choice|option|final_answer)"\s*:\s*\[([^\]]*)\]', re.I)
_REFUSAL = re.compile(r"\b(?:rather not|won't|will not|cannot|can't|decline to|refuse to|unable to)\s+"
                      r"(?:choose|pick|select|answer|determine)\b", re.I)  # fmt: skip
_FIELD = re.compile(r'"(?:answer|choice|option|final_answer)"\s*:\s*"\s*\(?([A-Za-z])\)?\s*"', re.I)


# simple-evals' multilingual MMLU: an answer given in Arabic or Bengali letters (its normalisation)
_NATIVE_LETTERS = "أبجدঅবডঢ"
_NATIVE = re.compile(r"((?:الإجابة|الجواب|উত্তর)\s*:\s*)([" + _NATIVE_LETTERS + r"])(?!\w)")


def _opening(part: str, letters: str) -> str | None:
    """The letter a reply opens with ("B. Earth spins once ..."), unless its sentence rejects it
    ("A) is wrong") or a later letter concludes ("... so it's C) Na", "So I choose (A)")."""
    m = re.match(rf"[*\s]*\(?([{letters}])[.):]\**\s+([^.\n]*)", part)
    if not m or re.search(r"\b(?:incorrect|wrong|false|not|no)\b|n't", m[2], re.I):
        return None
    concludes = r"\b(?i:so|thus|therefore|hence|choose|pick|go with|select)\b[^.\n]*?"
    later = rf"{concludes}(?<![\w'])\(?[{letters}]\)?(?![\w'])"
    return None if re.search(later, part[m.start(2) :]) else m[1]


def extract_choice(text: str, n_choices: int | None = None) -> tuple[str | None, str]:
    """(letter, rule) for multiple choice, strongest rule first: <answer> tag, \\boxed{}, a JSON
    reply's "answer" (or "choice") field, a phrase ("answer is (B)", "Answer: $B$", "answer: b",
    "the correct option is **C**", "答え：Ｃ"; simple-evals' and MMLU-Pro's patterns, the last one
    counts), a reply or a line of it that is a letter alone ("**B**", "(c)", "Option D"), the
    letter a reply opens with ("B. Earth spins ..."), an option cited ("(B)", "B.", "B)", "**B**"),
    then, as MMLU-Pro's last resort, the last capital letter standing alone that names an option
    (not the pronoun "I" or the article "A" before a word). No answer: two letters offered as one
    ("B or C", "Answer: C and D", "torn between A and B", a JSON list of two: `hedge`), a walk
    through the options in order (three, or two where the reply ends), a refusal ("I'd rather not
    choose between Descartes (C) and ...")."""
    letters = option_letters(n_choices or 10)
    part = unicodedata.normalize("NFKC", answer_part(text))  # "Ｃ" and "：" as C and ":"
    part = _NATIVE.sub(lambda m: m[1] + "ABCD"[_NATIVE_LETTERS.index(m[2]) % 4], part)  # "الإجابة: ب" is B
    for rule, found in (("answer tag", _last_tag(part, "answer")), ("boxed", last_boxed(part))):
        if found:
            m = re.search(rf"\b([{letters}])\b", found.replace("\\text", " "))
            m = m or re.fullmatch(rf"[\W_]*([{letters.lower()}])[\W_]*", found)  # \boxed{b}
            if m:
                return m.group(1).upper(), rule
    field = _FIELD.findall(part)
    if field and field[0].upper() in letters:
        return field[0].upper(), "json field"
    listed = _FIELDS.search(part)  # {"answer": ["B", "C"]}: two letters are no answer
    if listed:
        found = re.findall(r'"\s*\(?([A-Za-z])\)?\s*"', listed.group(1))
        return (found[0].upper(), "json field") if len(found) == 1 else (None, "hedge")
    lower, one = letters.lower(), rf"[{letters}{letters.lower()}]"
    opt = r"(?i:option\s*|choice\s*)?"
    phrases = list(re.finditer(
        rf"(?i:{_ANSWER_WORD})\s*(?:(?:{_COPULA})\s*:?\s*{opt}(?:\(?([{lower}])\)|[(\[$*\s]*([{letters}])(?![\w'])"
        rf"|([{lower}])(?=[.!]?[ \t]*(?:\n|$)))"  # "the answer is b" ending its line (MathQA's keys)
        rf"|:\s*{opt}[(\[$*\s]*([{letters}{lower}])(?![\w']))", part))  # fmt: skip
    if phrases:  # lower case in brackets, after a colon or ending a line: "the answer is a ..." is an article
        last = phrases[-1]
        second = rf"[)\]$*]*\s*(?:,|and|or|&|/)\s*(?:possibly\s+|maybe\s+)?[(*]*{one}(?![\w'])"
        if re.match(second, part[last.end() :]):
            return None, "hedge"  # "The answer is B or possibly C"
        return "".join(last.groups(default="")).upper(), "answer phrase"
    alone = rf"[\W_]*(?i:(?:option|choice|answer)\W*)?(?:([{letters}])|\(([{lower}])\))[\W_]*"
    lines = [x for x in part.splitlines() if x.strip()]
    for rule, found in (("a letter alone", [part]), ("a line that is a letter alone", lines[::-1])):
        for line in found:
            m = re.fullmatch(alone, line.strip())
            if m:
                return "".join(m.groups(default="")).upper(), rule
    if _REFUSAL.search(part):
        return None, "refusal"  # "I'd rather not choose between Descartes (C) and the others"
    named_last = re.fullmatch(rf"\(?([{lower}])\s*\)\s*\S.{{0,60}}", lines[-1].strip()) if lines else None
    listed = len(lines) > 1 and re.match(rf"\(?[{letters}{lower}]\s*\)", lines[-2].strip())
    if named_last and not listed:  # "b ) 270" closing the reply, as MathQA writes its options (not a list)
        return named_last.group(1).upper(), "a last line naming an option"
    inword = r"(?<!\w\()"  # V(D)J names no option
    cited = rf"(?<!\w)\(([{letters}])\)|\b([{letters}])[.)](?!\w)|\*\*([{letters}])\*\*"
    cited = list(re.finditer(cited, part))
    named = ["".join(c.groups(default="")) for c in cited]
    # "A) ... B) ... C) ...", or two cut off where the reply ends: a walk through the options, no answer
    walk = named == list(letters[: len(named)]) and (len(named) >= 3 or len(named) == 2 and "\n" not in
                                                     part[cited[-1].start() :].strip())  # fmt: skip
    if walk:
        return None, "a walk through the options"
    opening = _opening(part, letters)
    if opening:
        return opening, "the letter the reply opens with"
    capital = rf"(?<![\w']){inword}([{letters}])(?![\w'])(?<!I(?=\s+[a-z]))(?<!A(?=\s+(?!is\b|was\b)[a-z]))"
    capitals = list(re.finditer(capital, part))
    for rule, found in (("last option letter", cited), ("last capital letter", capitals)):
        if found:
            if re.search(rf"(?<![\w'])\(?[{letters}]\)?\s+(?:and|or)\s+\(?$", part[: found[-1].start()]):
                return None, "hedge"  # "I'm torn between A and B"
            return "".join(found[-1].groups(default="")), rule
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

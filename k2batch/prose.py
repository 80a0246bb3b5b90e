"""The answer a worked solution with no box, tag or final-answer phrase states in its prose: its
concluding sentence, the emphasis or words of its last sentence, else its last number."""

from __future__ import annotations

import functools
import re

from k2batch.plainmath import BECAUSE, expression, math_line, named_parts, tail_expression

# "at the point (2, 5)", "The set of divisors is {14, 7, 2, 1}."
_ITEMS = r"\s*-?\d[\d./]*\s*(?:,\s*-?\d[\d./]*\s*)+"
_POINT = re.compile(rf"\({_ITEMS}\)|\{{{_ITEMS}\}}|\[{_ITEMS}\]")
_SCALED = r"(?:\s+(?:thousand|million|billion)\b)?"  # "1.5 million kWh"
_CLOCK = r"\d{1,2}:\d\d(?:\s*[ap]\.?m\b\.?)?"  # "It will be 12:35 PM": a time, not 35
_RATIO = r"\d+(?:\.\d+)?(?: : |:)\d+(?:\.\d+)?(?![\d:])"  # "The ratio is 3:4": not 3; not "Step 2: 5"
_MIXED = r"-?\d+ \d+/\d+(?![\d/])"  # "2 1/4 feet": a mixed number, not 2 and then 1/4
_GROUPED = r"-?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,.]\d)"  # "120 000" (SI's grouping): one number
# "4.28 × 10⁹", "10³", "6.0 x 10^23": one number in scientific notation, not its 10
_POWER10 = r"10(?:\^\{?[-−]?\d+\}?|[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)"
_SCIENTIFIC = rf"(?:-?\d+(?:\.\d+)?\s*[×x*·]\s*)?{_POWER10}(?![\d^])"
_NUMBER = re.compile(
    rf"{_SCIENTIFIC}|{_CLOCK}|{_RATIO}|{_MIXED}|{_GROUPED}|(?-i:(?<![A-Z])(?<![A-Z][a-z]))-?\d[\d,]*(?:\.\d+)?(?:/\d+)?{_SCALED}|"
    r"(?<![\w.])\.\d+",  # not the digits of a formula (O2, C2H5OH)
    re.I,
)
_CONCLUDES = re.compile(
    r"\b(?:therefore|thus|hence|so|in total|altogether|in all|overall|total|answer|finally|result)\b", re.I
)
# "$\frac{6\sqrt3}{3}$, which simplifies to $2\sqrt3$", "Since $3 \cdot 4 = 12$, the inverse is $x \equiv 4$":
# a rewriting, or a clause stating the asked-for quantity ("Since $2^6 = 64$, we have $\log_2 64 = 6$"),
# names the answer in the math after it
_TURNS = re.compile(r"\b(?:simplifies|reduces|becomes|comes out) to\b"
                    r"|,\s+(?:the|its)\b[^.?!$,]{0,60}?\b(?:is|are|was|equals)\s*(?=\$)"
                    r"|,\s+(?:we (?:have|get|find)|this gives|giving)\s*(?=\$)", re.I)
_INLINE_MATH = re.compile(r"\$([^$]+)\$|\\\((.+?)\\\)")
# "$2$ and $-2$.", "$x = 2$ ó $x = -3$", "$x = -\frac{1}{2}$ 或 $x = 2$。"
_JOINED = re.compile(r"(?:\s*(?:,|、|and|or|y|o|ó|u|et|ou|und|oder|e|или|и|或|和|또는|または)?\s*"
                     r"(?:\$[^$]+\$|\\\(.+?\\\)))+\s*[.。]?")
# "is 5", "comes to $12.40", "needs 5 days", "= 7", "is 1 000 000" (SI's grouping): the number a
# conclusion states.
_STATED = re.compile(
    r"(?:\bis|\bare|\bwas|\bwere|\bcomes? to|\bequals?|=|\bgets?|\bneeds?|\bmakes?|\bcosts?|\bhas|"
    r"\bhave|\btakes?|\bbe|\bof|\bholds?|\bcontains?|\bweighs?|\buses?|"
    r"\b(?:travel|cover|drive|walk|run|earn|spend|pay|save|sell|buy|read|score|receive|collect|owe|lose)s?)"
    r"\s*(?:about|approximately|exactly|only|just)?\s*\\?\$?\s*"
    rf"((?>{_SCIENTIFIC}|{_CLOCK}|{_RATIO}|{_MIXED}"
    rf"|-?\d{{1,3}}(?:[ \u00a0\u202f]\d{{3}})+(?:\.\d+)?(?![\d-]|[,.]\d)"
    rf"|-?\d+(?:,\d{{3}})*(?:\.\d+)?(?:/\d+)?%?{_SCALED})(?:\s*(?:π|\\pi)(?![a-zA-Z]))?)"
    r"(?:(?<=%)(?=\s+of\b)|(?!\s+(?:and|or|is|are|was|so|but|the|of|to|in|for|which|"
    r"because|since|if|then|plus|minus|times)\b))"
    r"(\s+(?:(?:square|cubic)\s+)?[a-z]+(?:\s+(?:per|each|every)\s+[a-z]+|/[a-z]+\b)?)?",
    re.I,
)


# "The function is odd.", "So the series diverges.": a word answer the last sentence states
_SAYS = re.compile(r"^(?:(?:so|thus|hence|therefore),?\s+)?(?:the|it|they|this)\b[^.?!]{0,60}?"
                   r"(?:\b(?:is|are|will be|was|diverges|converges|does not|doesn't)|'s)\b[^.?!]{0,40}[.!]?$",
                   re.I)


_LABELLED = re.compile(  # "Domain: ...", not "Check: ..." or "Step 3: ..."
    r"^\s*(?:\*\*)?(?!check|verif|note|step|hint|proof)[A-Z][A-Za-z ]{1,30}(?:\*\*)?:\s*(?:\*\*)?"
    r"(.*[\d\\√∞].*?)(?:\*\*)?\s*\.?\s*$",
    re.I,
)
# "The larger number is 17 ...": a last sentence that says what the asked-for quantity is
_STATES = re.compile(
    r"^(?:(?:so|thus|hence|therefore),?\s+)?(?:the|its)\b[^.?!$]{0,60}?\b(?:is|are|was|equals)\b", re.I
)


_ORDINAL = re.compile(
    r"\b(?:[a-z]+-)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"[a-z]+teenth|[a-z]+tieth|hundredth|thousandth|millionth)s?\b",
    re.I,
)
_NUMBER_WORDS = re.compile(r"\b(?:three|four|five|six|seven|eight|nine|ten|eleven|twelve|[a-z]+teen|"
                           r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand)\b", re.I)


_DENOMINATOR = {"half": 2, "halve": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5}
_UNITS = {w: str(i) for i, w in enumerate("one two three four five six seven eight nine".split(), 1)}


def _fraction(m: re.Match) -> str:
    """"three-quarters", "two thirds", "a half": as n/d."""
    return f"{_UNITS.get(m.group(1).lower(), '1')}/{_DENOMINATOR[m.group(2).lower()]}"


def _dozens(m: re.Match) -> str:
    """"a dozen", "two dozen", "3 dozen": as a number."""
    n = m.group(1)
    return str(12 * int(n if n.isdigit() else _UNITS.get(n.lower(), "1")))


def in_digits(text: str) -> str:
    """Numbers in words as digits ("left with thirty-seven pencils", "three and a half hours", "3
    out of 8"); "one" and "two" stay words (text2num's threshold: "one of the two cases"), and so do
    ordinals ("the third step"), except before a unit ("two amperes", "one hour")."""
    spelled = re.compile(rf"\b(one|two)(?=[ -](?:{_unit_words()})\b)", re.I)
    text = spelled.sub(lambda m: _UNITS[m.group(1).lower()], text)
    if not (_NUMBER_WORDS.search(text) or re.search(r" out of |dozen|quarter|thirds?\b|half|halves", text)):
        return text
    from text_to_num import alpha2digit  # here: code verification imports this module on a bare python

    kept: list[str] = []

    def keep(m: re.Match) -> str:
        kept.append(m.group(0))
        return chr(0xE000 + len(kept) - 1)  # a private-use character: no word text2num reads

    units = "|".join(_UNITS)
    t = re.sub(rf"\b({units}) and a half\b", lambda m: f"{_UNITS[m.group(1).lower()]}.5", text, flags=re.I)
    t = re.sub(rf"\b({units}|a)[- ](halve|half|third|quarter|fourth|fifth)s?\b", _fraction, t, flags=re.I)
    t = re.sub(rf"\b({units}|a|\d+) dozen\b", _dozens, t, flags=re.I)
    t = alpha2digit(_ORDINAL.sub(keep, t), "en")
    t = re.sub("[\ue000-\uefff]", lambda m: kept[ord(m.group(0)) - 0xE000], t)
    t = re.sub(r"\b(\d+) and (?:a half|1/2)\b", r"\1.5", t)
    return re.sub(r"\b(\d+) out of (\d+)\b", r"\1/\2", t)


# "Let me also list them to be safe: 1, 2, 3, 4, 5, 6, 10, 12": a reply cut off in a list it checks by
_LISTING = re.compile(r"\blist\b[^.\n]*:\s*-?\d+(?:\s*,\s*-?\d+){2,}\s*$", re.I)
_RESTATES = re.compile(r"^(?:in other words|that is|i\.e\.|equivalently|or equivalently)\b", re.I)
_CHOICES = re.compile(r"\b(?:choices|options|letters)\s+(\(?[A-H]\)?(?:\s*(?:,|and|, and)\s*\(?[A-H]\)?)+)")


_ANSWER_ROW = re.compile(r"\|\s*(?:\*\*)?(?:final )?answer(?:\*\*)?\s*\|(.*)\|", re.I)  # a table's last row
# a last line that checks the answer above it: "Check: 3·64 + 6·8 + 5 = 245 ✓", "(As a check, ...)"
_CHECK = re.compile(r"^[(*\s]*(?:check(?:ing)?|test|verif\w*|sanity check|as a check)\b|"
                    r"^\(.*[✓✔✗]", re.I)  # "(Dot with (1, 2, 3): ... = 0 ✓)"; not "**x = 5** ✓"
# a last line in brackets that restates the answer: "(In joules this is 3.20 × 10⁻¹⁹ J.)"
_RESTATED = re.compile(
    r"^\(\s*(?:in \w+|i\.e\.|that is|equivalently|which is)\b[^()]*(?:\([^()]*\)[^()]*)*\)\.?$", re.I
)
# a gloss closing the line: "1/6 (about 16.7%)", "2π/3 (i.e. 120°)", "≡ 4 (mod 7)", "2.5 km (2500 m ÷
# 1000 m per km)"; not a point "(2, 5)", a factor "(x − 2)" or a hedge "(or 30 if ...)"
_GLOSS = re.compile(r"\s+\((?!\s*or\b)(?=\s*(?:≈|~|\\approx|i\.e\.|e\.g\.|"
                    r"(?!(?:sin|cos|tan|ln|log|sqrt|exp|abs)\b)[A-Za-z]{2,}\b)|[^()]*[÷×=≈])"  # e^x(cos x)
                    r"[^()]*(?:\([^()]*\)[^()]*)*\)\s*([.!]?)\s*$")
# "**d = 2√5** ≈ 4.47": a last line all bold, an approximation beside it
_BOLD_LINE = re.compile(r"(\*\*[^*]+\*\*)\s*(?:≈|~|\\approx)\s*[-\d.,]+[^\d\s]*\s*\.?")


_CONSTANT = re.compile(r",\s*[A-Za-z]\s*∈\s*(?:ℝ|\\mathbb\{R\})\s*$")  # "x² + K,  K ∈ ℝ"
_VULGAR = {"½": "1/2", "¼": "1/4", "¾": "3/4", "⅓": "1/3", "⅔": "2/3", "⅕": "1/5", "⅛": "1/8", "⅜": "3/8",
           "⅝": "5/8", "⅞": "7/8", "⅙": "1/6", "⅚": "5/6"}  # fmt: skip


def without_gloss(line: str) -> str:
    """A line without what it adds after its answer: "(about 16.7%)", "(mod 7)", ", K ∈ ℝ"; a line
    all in backticks unwrapped (`4.2e-4`). (", i.e. 2:30 AM" may be the answer's own form: kept.)"""
    line = re.sub(r"^`([^`]+)`\.?$", r"\1", line.strip())
    return _CONSTANT.sub("", _GLOSS.sub(r"\1", line).strip()).strip()


def _trimmed(lines: list[str]) -> list[str]:
    """The reply's lines without what follows its answer: check lines, a closing gloss in brackets,
    an approximation beside a bold last line."""
    while len(lines) > 1 and (_CHECK.search(lines[-1]) or _RESTATED.match(lines[-1].strip())) and re.search(
        r"[\d$\\√π]", lines[-2]
    ):
        lines = lines[:-1]
    if lines:
        last = without_gloss(lines[-1])
        bold = _BOLD_LINE.fullmatch(last)
        lines = [*lines[:-1], bold.group(1).strip() if bold else last]
    return lines


_ROOTS = re.compile(r"\b(?:roots|solutions|zeros|zeroes)\s+(?:are|were)\s+"
                    r"(-?\d[\d./]*(?:\s*,\s*-?\d[\d./]*)*,?\s+and\s+-?\d[\d./]*)\.?$", re.I)
_AMOUNT = r"\$?\s*-?\d[\d,]*(?:\.\d+)?"
_WORKED = re.compile(rf"{_AMOUNT}(?:\s*[-+−×*/÷]\s*{_AMOUNT})+(?:\s*=\s*{_AMOUNT})+")  # 4.80 / 4 = $1.20


def prose_answer(part: str) -> tuple[str | None, str]:
    """The answer a worked solution with no box states in its last concluding sentence ("So she
    needs $5$ days.", "The total comes to $12.40.", "... has no real solutions."), or else in its
    last sentence: the first inline math with a digit or LaTeX in it, else the first number a verb
    states, with its unit word (in a concluding sentence, after its last concluding word where one
    does; elsewhere only after "is", "=" and the like), else the last number of the text (the
    weakest rule). A quantity in two units ("2 hours and 30 minutes") is read whole, in its words."""
    from k2batch.verify.mathunits import compound  # at call time: k2batch.verify imports this module

    originals: dict[str, str] = {}  # "150 minutes" -> "2 hours and 30 minutes": the rules read one number
    found, rule = _stated(compound(in_digits(part), originals=originals))
    return (originals.get(found.strip(), found) if found else found), rule


def _stated(part: str) -> tuple[str | None, str]:
    part = re.sub(r"\b([0-9A-F]+) in base (?!10\b)(\d+)\b", r"\1_{\2}", part)  # "410 in base 6"
    part = re.sub(r"(\d?)([½¼¾⅓⅔⅕⅛⅜⅝⅞⅙⅚])", lambda m: f"{m[1]} {_VULGAR[m[2]]}".strip(), part)  # 2¼: 2 1/4
    part = re.sub(r"\b(\d+) and (\d+/\d+)\b", r"\1 \2", part)  # "3 and 1/2": a mixed number
    part = re.sub(r"\blog base (\d+) of (\w+)", r"log_\1(\2)", part)  # log base 2 of 3
    part = re.sub(r"\b(\d+) root (\d+)\b", r"\1 sqrt(\2)", part)  # 2 root 5
    part = re.sub(r"\bthe square root of (\w+)\b", r"sqrt(\1)", part)  # "equals the square root of 7"
    part = re.sub(r"\bthe cube root of (\w+)\b", r"\1^(1/3)", part)
    part = part.replace("¢", " cents").replace("⟨", "(").replace("⟩", ")")  # 75¢; ⟨3, −1⟩ a vector
    if _LISTING.search(part):
        return None, "a list, cut off (no answer stated)"
    lines = _trimmed([x.strip() for x in part.splitlines() if x.strip()])
    part = "\n".join(lines)
    if len(lines) > 1 and re.match(r"where\b", lines[-1], re.I) and lines[-2].startswith(("$$", "\\[")):
        lines.pop()  # "$$\int \cos x\,dx = \sin x + K$$ / where $K$ is an arbitrary constant."
    named = named_parts(lines)
    if named:
        return named, "last lines (the values parts name)"
    tail = []  # "- A / - B / - D": the letters a closing list names
    for line in lines[::-1]:
        bullet = re.fullmatch(r"[-*•]\s*\(?([A-H])\)?\.?", line)
        if not bullet:
            break
        tail.insert(0, bullet.group(1))
    if len(tail) > 1:
        return ", ".join(tail), "last lines (a list of letters)"
    if lines and re.fullmatch(r"-?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?", lines[-1]):
        return lines[-1], "last line (a value alone)"  # "... so the exponent is −4. / 4.2e-4"
    row = _ANSWER_ROW.fullmatch(lines[-1]) if lines else None
    cells = [c.strip(" *$") for c in row.group(1).split("|") if c.strip(" *$")] if row else []
    if cells:  # "| **Answer** | | **A, B, D** |": a markdown table's last row gives it
        return cells[-1], "last line (a table's answer row)"
    inline = [a or b for a, b in _INLINE_MATH.findall(lines[-1])] if lines else []
    if inline and _JOINED.fullmatch(lines[-1]):
        if len(inline) > 1:  # "$x = 5 + \sqrt{7}$ or $x = 5 - \sqrt{7}$."
            return ", ".join(x.strip() for x in inline), "last line (inline math joined)"
        lines[-1] = f"$${inline[0]}$$"  # "$\frac{1}{7} = 0.142857\ldots$" alone on the last line: as shown
    shown = re.fullmatch(r"\$\$(.+?)\$\$\.?|\\\[(.+?)\\\]\.?", lines[-1]) if lines else None
    if shown:  # "... which as a mixed number is / $$3\frac{1}{2}$$": the display closing the reply
        shown = (shown.group(1) or shown.group(2)).strip().rstrip(".,")
        several = re.search(r",\s*\\q?quad|,\s*[a-z]\s*=", shown)  # `x = 3+\sqrt5,\quad x = 3-\sqrt5`
        value = shown.rsplit("=", 1)[1].strip() if shown.count("=") > 1 and not several else shown
        return value, "last line (display math)"
    sentences = [x for x in re.split(r"(?:(?<=[.?])|(?<=\D!))\s+|\n+", part) if x.strip()]  # not after 10!
    if len(sentences) > 1 and _RESTATES.match(sentences[-1]) and re.search(r"\d", sentences[-2]):
        sentences.pop()  # "... = 3.5 hours. In other words, 3 hours and 30 minutes.": the first says it
    for i in range(len(sentences) - 2, -1, -1):  # "So the roots are" / "$x_1 = 1, x_2 = 2$": one sentence
        if re.search(r"\b(?:is|are|be|equals?)\s*:?$|:$", sentences[i].strip()):
            sentences[i : i + 2] = [f"{sentences[i].strip()} {sentences[i + 1].strip()}"]
    concluding = [x for x in sentences[-3:] if _CONCLUDES.search(x)]
    last = sentences[-1] if sentences else ""
    labelled = _LABELLED.match(last)  # "Domain: (-∞, -3) ∪ (3, ∞)", "As a mixed number: 2 1/2"
    from k2batch.verify.directions import split as _direction  # at call time: verify imports this module

    words = re.search(r"[a-z]{4,}", re.sub(r"\\[a-zA-Z]+", "", labelled.group(1))) if labelled else None
    if labelled and (not words or _direction(labelled.group(1))[1]):  # "Velocity: 5.0 m/s, 53° east of north"
        # "**Final Answer:** $\dfrac{\pi^2}{6}$ (≈ 1.645)": not the approximation beside it
        value = re.sub(r"\s*\(\s*(?:≈|\\approx|~|about|approx)[^()]*\)\s*$", "", labelled.group(1))
        return value.strip("$ "), "last line (labelled)"
    if re.fullmatch(r"\s*\(?([A-E])\)?\.?\s*", last):  # a lone option letter closing the reply
        return last.strip().strip("().").strip(), "last line (a letter)"
    choices = _CHOICES.search(last)  # "So the primes are 113 and 97, i.e. choices D and B."
    if choices:
        return choices.group(1), "last sentence (the options it names)"
    except_ = re.search(r"all real numbers (?:except|other than|but) -?\d+(?:\.\d+)?", last, re.I)
    if except_:  # "So the domain is all real numbers except 2."
        return except_.group(0), "last sentence (a domain)"
    plain, rule = math_line(last)
    if plain:
        return plain, rule
    tail = tail_expression(last)
    if tail:
        return tail, "last sentence (plain-text expression)"
    if len(_NUMBER.findall(BECAUSE.sub("", last))) == 1 and BECAUSE.search(last):
        concluding = [last]  # "Janet has 36 marbles, which is 3 times Tom's 12.": the value, then why
    stating = [c for c in re.split(r",\s+", last)[1:] if _STATES.match(c) and _STATED.search(c)]
    if stating and "$" not in last:  # "Checking ..., and since ..., the smallest such n is 6, as 7 would ..."
        said = _STATED.search(BECAUSE.sub("", stating[-1]) or stating[-1])
        if said:
            return said.group(1), "last sentence (the clause that states it)"
    if len(_NUMBER.findall(last)) == 1 and "$" not in last and not re.search(r"check|verif", last, re.I):
        concluding = [last]  # "The bottle holds 2,500 mL.": one value, stated last
    if _STATES.match(last) and re.search(r"\d|\$", last):
        concluding = [last]  # "The larger number is 17 (and the smaller is 13).": it states the answer
    if _POINT.search(last) and not _INLINE_MATH.search(last) and not re.search(r"check|verif", last, re.I):
        concluding = sentences[-1:]  # "The lines intersect at the point (2, 5).": it states the answer
    nested = re.search(r"\[\s*\[[^\n]*\]\s*\]", last)  # "The product is [[2, 1], [4, 3]].": a matrix
    if nested:
        return nested.group(0), "last sentence (a matrix)"
    bold = re.findall(r"\*\*([^*]{1,40})\*\*", last)
    if len(bold) == 1 and not _CONCLUDES.search(bold[0]):  # "It will be **Friday**.": the emphasis
        # "**Area = 7.5 m²**", "**答案：70人**": its value
        named = re.sub(r"^(?:[A-Za-z][a-z ]{1,30}|[\u4e00-\u9fff]{1,4})\s*[=:：]\s*", "", bold[0].strip())
        return named.rstrip("."), "last sentence (bold)"
    endless = re.search(r"\b(?:diverges|goes|tends|grows|increases) (?:without bound )?to "
                        r"(-|negative |minus )?(?:infinity|∞)", last, re.I)
    if endless:  # "Therefore the expression diverges to infinity."
        return ("-" if endless.group(1) else "") + "\\infty", "last sentence (infinity)"
    roots = _ROOTS.search(last)
    if roots:  # "..., and the roots are 5 and 2."
        return ", ".join(_NUMBER.findall(roots.group(1))), "last sentence (the values it lists)"
    # "$m_1 m_2 = -1$, so the lines are perpendicular.": the words its last clause says
    # (after "Since $f(-x) = -f(x)$," too: "the function is odd")
    clause = re.split(r"[,;]\s+(?=(?:so|thus|hence|therefore|the|it|they|this)\b)", last)[-1]
    if _SAYS.match(clause) and not re.search(r"\d|\$|\\\(|answer|result|solution", clause, re.I):
        return clause.strip().rstrip(".!"), "last sentence (words)"  # "The series diverges."
    for sentence in concluding[-1:] or sentences[-1:]:
        none = re.search(r"\bno (?:real )?solutions?\b", sentence, re.I)
        if none:
            return none.group(0), "concluding sentence"
        said = BECAUSE.sub("", sentence)  # "The last digit is 1, since 3^{2024} = 81^{506}."
        alone = _NUMBER.findall(said)
        reason = said != sentence and "$" not in sentence and len(_NUMBER.findall(sentence)) > 1
        if reason and len(alone) == 1:
            return alone[0], "concluding sentence (the value before its reason)"  # "Janet has 36, which is"
        sentence = said if re.search(r"\d|\$", said) else sentence
        maths = [a or b for a, b in _INLINE_MATH.findall(sentence)]
        # "$150, down from the original $200" is money, not one piece of inline math
        maths = [
            m.strip() for m in maths if re.search(r"\d|\\", m) and not re.search(r"[a-z]{2,} [a-z]{2,}", m)
        ]
        joined = _JOINED.fullmatch(sentence[sentence.find("$"):])
        if len(maths) > 1 and joined and "$" in sentence:  # "The solutions are $2\sqrt3$ and $-2\sqrt3$."
            return ", ".join(maths), "concluding sentence (values joined)"
        # "There are $5 + 11 = 16$ marbles, so the probability is $\frac{5}{16}$": after the last "so"
        keys = list(_CONCLUDES.finditer(sentence)) if concluding else []
        keys = sorted(keys + list(_TURNS.finditer(sentence)), key=lambda k: k.start())
        later = [m for m in maths if keys and sentence.find(f"${m}") > keys[-1].start()]
        if later and later[0] != maths[0]:
            maths = later + [m for m in maths if m not in later]
        if maths:
            after = sentence.find(maths[0]) + len(maths[0]) + 1
            said = _STATED.search(sentence, after)  # "So $\frac{3}{8}$ is 37.5 percent.": what it is
            more = _INLINE_MATH.search(sentence, after)
            if said and re.match(r"is|are|equals?|=", said.group(0), re.I) and not more:
                return said.group(1) + (said.group(2) or ""), "concluding sentence"
            return maths[0], "concluding sentence"
        points = _POINT.findall(sentence)
        if points:  # a point or tuple in words: all of it, not its last number
            return ", ".join(points), "concluding sentence"
        # after the sentence's last concluding word: "costs $4.25 and ..., so the total is $25.50", but
        # "So she needs 5 days, which is 10 fewer than ..." (a comparison after the answer)
        keys = list(_CONCLUDES.finditer(sentence)) if concluding else []
        stated = _STATED.search(sentence, keys[-1].start()) if keys else None
        joins = keys and not stated and re.fullmatch(r"so|thus|hence|therefore", keys[-1].group(0), re.I)
        lone = _NUMBER.findall(sentence[keys[-1].start():]) if joins else []
        if len(lone) == 1:  # "... = 288 ⇒ [ABC] = 588, so the heptagon has area 588.": what "so" says
            return lone[0].rstrip(".,"), "concluding sentence (after its last concluding word)"
        stated = stated or _STATED.search(sentence)
        if stated and (concluding or re.match(r"is|are|was|were|equals?|=|comes? to", stated.group(0), re.I)):
            worked = _WORKED.match(sentence, stated.start(1) - (sentence[stated.start(1) - 1] == "$"))
            if worked:  # "so the candy bar cost 4 − 3 = $1.": what the arithmetic gives, not its first number
                return worked.group(0).rsplit("=", 1)[1].strip(" $"), "concluding sentence (its sum)"
            return expression(sentence, stated.start(1)) or stated.group(1) + (stated.group(2) or ""), (
                "concluding sentence"
            )
    numbers = list(_NUMBER.finditer(part))
    if not numbers:
        return None, "no answer found"
    last = numbers[-1]
    unit = _unit_after().match(part, last.end())  # "moves at 20 meters per second": the unit too
    return last.group(0).rstrip(".,") + (unit.group(0).rstrip(".") if unit else ""), "last number"


@functools.cache
def _unit_words() -> str:
    """Unit words a number word may stand before: the word problems' and the SI's."""
    from k2batch.verify.mathunits import UNITS  # at call time: k2batch.verify imports this module

    si = "amperes? amps? volts? ohms? newtons? joules? watts? moles? kelvins? pascals? coulombs? hertz"
    words = sorted([re.escape(u) for u in UNITS if len(u) > 2] + si.split(), key=len, reverse=True)
    return "|".join(words)


@functools.cache
def _unit_after() -> re.Pattern:
    """A unit word right after a number: "20 meters per second", "12 kg"."""
    from k2batch.verify.mathunits import UNITS  # at call time: k2batch.verify imports this module

    words = [u for u in UNITS if len(u) > 1 and u != "in"]  # "12 in the end", "4 s" (a variable?)
    names = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    return re.compile(rf"\s+(?:{names})\b(?!\s*[\d(=])", re.I)

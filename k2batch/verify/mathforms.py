"""Text forms of math answers, before any symbolic work: LaTeX clean-up, units, option letters,
lists, matrices and systems. Pure string functions (no sympy), so they are cheap and cannot hang."""

from __future__ import annotations

import re

from k2batch.verify.mathnum import REPEATING, repeating_fraction

_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
WRAPPERS = r"\\(?:text|textbf|textit|textrm|mathrm|mathbf|mathit|mbox|operatorname)\s*"
_SPACING = re.compile(r"(?<!\\)\\(?:(?:left|right|displaystyle|textstyle|q?quad)(?![a-zA-Z])|[,;:! ])|~")
_EMPTY = re.compile(
    r"\\varnothing|\\emptyset|\\\{\s*\\\}|^(?:there (?:are|is) )?no (?:real )?solutions?$|^none$", re.I
)


def clean(text: str) -> str:
    """The answer without what never changes its value: math delimiters, spacing commands,
    \\left/\\right, \\dfrac/\\tfrac, thousands separators inside numbers, a final full stop."""
    t = re.sub(r"^`([^`]+)`$", r"\1", text.strip())  # `x + 3`: inline code
    t = t.replace("−", "-").replace("\\%", "%").replace("°", "^\\circ").replace("{:}", ":")
    t = re.sub(r"\s*×\s*", r" \\times ", t)
    t = _ROOT.sub(lambda m: f"\\sqrt{{{m.group(1) or m.group(2)}}}", t)  # 8√2, √(x+1)
    t = re.sub(r"[₀₁₂₃₄₅₆₇₈₉]+", lambda m: "_{" + m.group(0).translate(_SUBSCRIPT) + "}", t)  # log₂3
    t = re.sub(r"(?<![A-Za-z\\])pi(?![A-Za-z])", r"\\pi ", t)  # 36pi, (4/3) pi r^3: plain text's π
    t = re.sub(r"(?<![A-Za-z\\])inf(?:inity)?(?![A-Za-z])", r"\\infty ", t)  # (-inf, 2) U (2, inf)
    t = re.sub(r"(?<=[)\]])\s*U\s*(?=[(\[])", r" \\cup ", t)
    t = re.sub(r"(?<![A-Za-z\\])abs\s*\(([^()]*)\)", r"|\1|", t)  # abs(x)
    t = _EXCEPT.sub(r"(-\\infty, \1) \\cup (\1, \\infty)", t)  # all real numbers except 2
    t = t.translate(_SYMBOLS)  # ± ∞ ∪ π θ ≤ ≥ ≠ · as LaTeX
    t = re.sub(r"(?<=[\w)])\*\*(?=[\w(])", "^", t)  # 3*x**2: Python's power
    t = re.sub(r"^(\d+(?:\.\d+)?) to (\d+(?:\.\d+)?)$", r"\1:\2", t)  # a ratio in words, 2 to 5
    t = _TRIG.sub(r"\\\1", t)  # tan(θ): the function, not t·a·n
    # `ln 3 / ln 2`: each function takes its own number (LaTeX reads `\ln 3 / \ln 2` as ln(3 / ln 2))
    t = re.sub(r"\\(ln|log|sin|cos|tan)\s+(\d+(?:\.\d+)?|[A-Za-z])(?![\w.^{(\\])", r"\\\1(\2)", t)
    t = re.sub(r"[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+", lambda m: "^{" + m.group(0).translate(_SUPERSCRIPT) + "}", t)  # 10⁻⁴
    t = re.sub(r"(?<![\\A-Za-z])sqrt\s*\(([^()]*)\)", r"\\sqrt{\1}", t)  # 2 sqrt(13)
    t = re.sub(r"^(-?\d*\.\d*)\((\d+)\)$", r"\1\\overline{\2}", t)  # 0.58(3): the block in brackets repeats
    t = re.sub(r"^[A-Za-z]\s*(?:∈|\\in)\s*(?=\\?\{|[(\[])", "", t)  # x ∈ {-1, 0, 1}, x ∈ (-6, 3)
    t = re.sub(r"^\{(.*)\}$", r"\\{\1\\}", t)  # {-1, 0, 1} in plain text: a set
    t = re.sub(r"^[A-Z]\s*(?=\(\s*-?[\d.]+\s*,[^()]*\)$)", "", t)  # M(4, 2): the point M, not M times it
    t = _unit_vector(t)
    t = re.sub(r"^(?:\$+|\\\(|\\\[)|(?:\$+|\\\)|\\\])$", "", t.strip()).strip()
    t = re.sub(r"(?<=\d)(?:\\[,!; ]|\{,\}|,\s*\\!)(?=\d{3})", "", t)  # 1\,000, 1{,}000, MATH's 1,\!000
    t = _SPACING.sub(" ", t)
    t = re.sub(r"\\[dt]?frac\s*(\d)(\d)", r"\\frac{\1}{\2}", t)  # \tfrac12, \frac14
    t = re.sub(r"\\[dt]frac", r"\\frac", t)
    t = re.sub(r"(?<=\d)\s*(?:\.{2,3}|…)$", r"\\ldots", t.strip())  # 0.4545... (or .., a full stop took one)
    t = re.sub(r"\s+", " ", t).strip().rstrip(".").strip()
    t = re.sub(r"^(-?\d+(?:\.\d+)?)[eE]([+-]?\d+)$", r"\1\\times10^{\2}", t)  # 5e-7, not 5*e - 7
    if _EMPTY.search(unwrap(t)) and len(t) < 40:
        t = "\\emptyset"
    if re.fullmatch(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?", t):  # a lone number with separators
        t = t.replace(",", "")
    # `142.857 \approx 143`: the value it was rounded to
    t = re.sub(r"^-?\d+\.\d+\s*(?:\\ldots|\.\.\.)?\s*(?:\\approx|≈)\s*(?=\S)", "", t)
    t = _CONGRUENCE.sub(r"\1", t)  # `x \equiv 6 \pmod{7}`, `4 \pmod{11}`: the residue
    t = re.sub(r"^[A-Za-z]\s*\\equiv\s*(?=-?\d+$)", "", t)  # `x \equiv 4`, the modulus said before
    t = re.sub(r"(?<=[\d.])\\bar\s*(?:\{\s*(\d+)\s*\}|(\d))", r"\\overline{\1\2}", t)  # 0.41\bar{6}
    dot = r"\\dot\s*\{?\s*(\d)\s*\}?"
    t = re.sub(rf"{dot}(\d*){dot}", r"\\overline{\1\2\3}", t)  # 0.\dot{1}4\dot{2}
    t = re.sub(dot, r"\\overline{\1}", t)  # 0.1\dot{6}: dot notation
    t = REPEATING.sub(repeating_fraction, t)
    t = _worked(t)
    t = re.sub(r"(?<=\d)'(?=\d{3}\b)", "", t)  # 1'200: Swiss grouping
    t = re.sub(r"^(?:[^\d\s]{1,3}\s)?(\d{1,2})\s?h\s?(\d\d)$", r"\1:\2", t)  # "à 15 h 30": a time of day
    t = _french_interval(t)
    # `u + v = <1, -2, 3>`, `A + B = [[1, 2], [3, 4]]`: the vector or matrix it names
    t = re.sub(r"^[A-Za-z][A-Za-z\s+\-*^']*=\s*(?=[(\[<].*[)\]>]$)", "", t)
    t = re.sub(r"^<([^<>]*,[^<>]*)>$", r"(\1)", t)
    scaled = re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*(thousand|million|billion)\b(\s+[a-z ]+)?", t, flags=re.I)
    if scaled:  # 2.5 million, 2.3 million residents
        t = f"{float(scaled.group(1)) * _SCALE[scaled.group(2).lower()]:.12g}{scaled.group(3) or ''}"
    return t


_TRIG = re.compile(  # sin(2x), sin^2(x), sin x: the function
    r"(?<![\\A-Za-z])(sin|cos|tan|cot|sec|csc|ln|log|exp|arcsin|arccos|arctan)(?=\s*[(\\\d_^]|\s+[A-Za-z](?![A-Za-z]))"
)


def _worked(text: str) -> str:
    """`213_4 = (39)_{10}`, `\\frac16 = 0.1\\overline{6}`, `30 + 12 - 6 = 36`: a value worked out
    from numbers alone is the value it ends in (a named value, `x = 5`, is another form's)."""
    sides = text.split("=")
    if len(sides) < 2 or not sides[-1].strip() or re.search(r"[<>]|\\[lg]eq?|\\ne", text):
        return text
    # `(1 + i)(2.5 - 0.5i) = 3 + 2i`: the imaginary unit is a number too
    numeric = [re.sub(r"\\[A-Za-z]+|_\{?\w+\}?|(?<![A-Za-z])i(?![A-Za-z])", "", x) for x in sides[:-1]]
    evaluated = re.match(r"\s*\\(?:int|lim|sum|frac\s*\{\s*d)", sides[0])  # `\int (3x^2+1) dx = x^3 + x + K`
    numbers = all(x.strip() and not re.search(r"[A-Za-z]", x) for x in numeric)
    return sides[-1].strip() if numbers or evaluated else text


def _french_interval(text: str) -> str:
    """`]2 ; 5[`, `[0; 1[`: French interval notation (a bracket turned outward is open, `;` between
    the ends) as the usual `(2, 5)`, `[0, 1)`."""
    m = re.fullmatch(r"(?:[A-Z]\s*=\s*)?([\[\]])\s*([^;\[\]]+?)\s*;\s*([^;\[\]]+?)\s*([\[\]])", text)
    if not m:
        return text
    return f"{'(' if m[1] == ']' else '['}{m[2]}, {m[3]}{')' if m[4] == '[' else ']'}"


_EXCEPT = re.compile(r"^all real numbers (?:except|other than|but) (-?\d+(?:\.\d+)?)$", re.I)
_UNIT_TERM = re.compile(
    r"\s*([+-]?)\s*(\d*(?:\.\d+)?)\s*(?:\\(?:hat|mathbf|vec|boldsymbol)\s*\{?\s*)?([ijk])\s*\}?"
)


def _unit_vector(text: str) -> str:
    """`-3i + 6j - 3k`, `2\\hat{i} - \\hat{k}`: a vector in unit-vector notation, as its components
    (only with j or k in it: `3 + 2i` is a complex number)."""
    terms = list(_UNIT_TERM.finditer(text))
    units = [m.group(3) for m in terms]
    if not terms or "".join(m.group(0) for m in terms) != text or len(set(units)) < len(units):
        return text
    if not {"j", "k"} & set(units) or any(m.group(1) == "" for m in terms[1:]):
        return text  # `2i3j`: no sign between terms
    part = {m.group(3): f"{'-' if m.group(1) == '-' else ''}{m.group(2) or '1'}" for m in terms}
    axes = "ijk" if "k" in part else "ij"
    return "(" + ", ".join(part.get(a, "0") for a in axes) + ")"


_ROOT = re.compile(r"√\s*(?:\(([^()]*)\)|(\d+(?:\.\d+)?|[a-zA-Z]))")
_SYMBOLS = str.maketrans({"±": "\\pm ", "∞": "\\infty ", "∪": "\\cup ", "π": "\\pi ", "θ": "\\theta ",
                          "≤": "\\le ", "≥": "\\ge ", "≠": "\\ne ", "·": "\\cdot ", "⋅": "\\cdot "})
_SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
_SUBSCRIPT = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_CONGRUENCE = re.compile(  # `\\pmod{7}`, `(\\mod 7)`, `(\\text{mod } 7)`: not `\\bmod`, an operation
    r"^(?:[^=]*\\equiv\s*)?(.+?)\s*(?:\\pmod\s*\{?\s*\d+\s*\}?|\(\s*(?:\\mod|\\text\{\s*mod\s*\}|mod)\s*\d+\s*\))$"
)
def unscaled(answer: str, reference: str, problem: str = "") -> bool:
    """"$579 million" for a bare reference of 579: a set whose tables are in millions (FinQA, TAT-QA)
    writes its references without the scale word a reply adds."""
    said = unwrap(answer).strip()
    m = re.fullmatch(r"\\?\$?\s*(-?[\d,]*\.?\d+)\s*(thousand|million|billion)s?\b.*", said, re.I)
    if not m or not re.fullmatch(r"-?\d+(?:\.\d+)?", reference.strip()):
        return False
    if not re.search(rf"\b{m[2]}s?\b", problem, re.I):  # "(in millions)": the problem's own scale
        return False
    return abs(float(m[1].replace(",", "")) - float(reference)) <= 1e-9 * max(1.0, abs(float(reference)))


def cents(text: str) -> str | None:
    """`75\\text{ cents}` in dollars (0.75); None for anything else."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:\\text\{\s*)?(?:cents?|¢)\s*\}?", unwrap(text).strip())
    return f"{float(m.group(1)) / 100:g}" if m else None


def unwrap(text: str) -> str:
    """`\\text{...}` and friends replaced by their content (word answers, units)."""
    return re.sub(WRAPPERS + r"\{([^{}]*)\}", r"\1", text).strip()


def _top_level_split(text: str, sep: str = ",") -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch in "([{" and 1 or ch in ")]}" and -1 or 0
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [p.strip() for p in parts + [cur]]


_MEMBER = re.compile(r"^\s*(?:\$+|\\\(|\\\[)?\s*[A-Za-z]\s*(?:∈|\\in)\s*(?:\\left\s*)?[(\[]")


def in_interval(text: str) -> bool:
    """`x ∈ [1, 2]`, `x \\in (-6, 3)`: membership in an interval, which clean() leaves as a bracket
    pair that reads like a list of its two ends."""
    return bool(_MEMBER.match(text))


def as_list(text: str) -> tuple[list[str], str] | None:
    """([elements], kind) where the answer is a list of two or more: kind "set" for `\\{...\\}`,
    "tuple" for `(...)` / `[...]`, "list" for a bare comma list. None for one value and for
    intervals (`[1, 3)`, unions), which symbolic comparison handles."""
    t = text.strip()
    if "\\cup" in t or "\\infty" in t:
        return None
    kind = "list"
    m = re.fullmatch(r"\\\{(.*)\\\}", t, flags=re.S)
    if m:
        kind, t = "set", m.group(1)
    elif t and t[0] in "([" and t[-1] in ")]" and _balanced(t[1:-1]):
        if t[0] + t[-1] not in ("()", "[]"):
            return None  # half-open interval
        kind, t = "tuple", t[1:-1]
    parts = [p for p in _top_level_split(t) if p]
    return (parts, kind) if len(parts) >= 2 else None


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch in "([{" and 1 or ch in ")]}" and -1 or 0
        if depth < 0:
            return False
    return depth == 0


_ENV = re.compile(
    r"\\begin\{([pbvBV]?matrix|array|cases|aligned|align\*?)\}(?:\{[^}]*\})?(.*?)\\end\{\1\}", re.S
)


def as_matrix(text: str) -> list[list[str]] | None:
    """Rows of a `\\begin{pmatrix}` (or bmatrix, array) or a nested bracket list `[[1,2],[3,4]]`;
    a single row or column comes back as one row. None otherwise."""
    t = text.strip()
    scalar = re.match(r"(-?\d*\s*(?:\\frac\{[^{}]*\}\{[^{}]*\}|\d+(?:/\d+)?)?)\s*(?=\\begin)", t)
    k = scalar.group(1).strip() if scalar else ""  # `\frac{6}{5}\begin{pmatrix}...`: k times each entry
    k = "-1" if k == "-" else k
    m = _ENV.fullmatch(t[scalar.end():] if k else t)
    if m and "matrix" in m.group(1) or (m and m.group(1) == "array"):
        rows = [[c.strip() for c in r.split("&")] for r in re.split(r"\\\\", m.group(2)) if r.strip()]
        rows = [[f"({k})\\cdot({c})" if k else c for c in r] for r in rows]
    elif re.fullmatch(r"[\[(]\s*[\[(].*[\])]\s*[\])]", t, flags=re.S) and _balanced(t[1:-1]):
        rows = [[c for c in _top_level_split(r.strip()[1:-1])] for r in _top_level_split(t[1:-1])]
        if not all(r.strip()[:1] in "[(" for r in _top_level_split(t[1:-1])):
            return None
    else:
        rows = _unit_vectors(t)
        if rows is None:
            return None
    if rows and all(len(r) == 1 for r in rows):
        rows = [[r[0] for r in rows]]  # a column vector is compared as its entries
    return rows


_UNIT_VECTOR = re.compile(r"\\(?:mathbf|hat|vec|boldsymbol)\s*\{?\s*([ijk])\s*\}?")
_TERM = re.compile(r"\s*([+-]?[^+\-@]*?)\s*@([ijk])\s*")


def _unit_vectors(text: str) -> list[list[str]] | None:
    """`-3\\mathbf{i} + 6\\mathbf{j} - 3\\mathbf{k}` as the row (-3, 6, -3); None for anything else."""
    t = _UNIT_VECTOR.sub(lambda m: f"@{m.group(1)}", text)
    terms = _TERM.findall(t)
    if not terms or _TERM.sub("", t).strip() or len({axis for _, axis in terms}) < len(terms):
        return None
    coef = {axis: {"": "1", "+": "1", "-": "-1"}.get(c.replace(" ", ""), c) for c, axis in terms}
    return [[coef.get(axis, "0") for axis in ("ijk" if "k" in coef else "ij")]]


def system(text: str) -> str | None:
    """A `\\begin{cases}` / aligned system as a comma list of its lines (`x = 1, y = 2`)."""
    m = _ENV.fullmatch(text.strip())
    if not m or m.group(1) not in ("cases", "aligned", "align", "align*"):
        return None
    lines = [re.sub(r"&", "", r).strip().rstrip(",") for r in re.split(r"\\\\", m.group(2)) if r.strip()]
    return ", ".join(lines)


_NAME = re.compile(  # x, a_1, g(x), h'(x), f^{\prime}(x), f^{-1}(x), and at a point: y(2), f(-1)
    r"^\s*([A-Za-z](?:_\{?\w+\}?)?(?:'+|\^\{?\\prime\}?|\^\{-1\})?"
    r"(?:\s*\([A-Za-z, ]+\)|\(-?[\d.]+\))?)\s*=\s*(?=\S)"
)


def label(text: str) -> tuple[str | None, str]:
    """(left-hand name, right-hand side) of `y = 5x - 1`, `g(x) = ...`, `x = 5`; (None, text)
    when the answer is not a named value or has more than one `=`."""
    m = _NAME.match(text)
    if not m or text.count("=") != 1 or re.search(r"[<>]|\\[lg]eq?", text):
        return None, text
    return m.group(1).replace(" ", ""), text[m.end() :].strip()


def renamed(a: str | None, b: str | None) -> bool:
    """May two left-hand names stand for the same thing? `g(x)` and `y` (a function and its
    graph), a name and no name; not two different variables (`x = 2` is not `y = 2`)."""
    if a == b or a is None or b is None:
        return True
    return "(" in a or "(" in b


def argument(g_name: str | None, p_name: str | None, p_rhs: str, problem: str) -> str:
    """`f(t) = t^2 - 1` answering "Find $f(x)$": the rule in the variable asked for (the
    reference's `f(x)`, else the problem's first `f(x)`), where the answer names another."""
    mine = re.fullmatch(r"[A-Za-z](?:\^\{-1\}|'+)?\(([a-z])\)", p_name or "")
    asked = re.fullmatch(r"[A-Za-z]\(([a-z])\)", g_name or "") or re.search(r"\b[a-zA-Z]\(([a-z])\)", problem)
    free = r"(?<![A-Za-z\\])({})(?![A-Za-z])"
    if not mine or not asked or mine.group(1) == asked.group(1):
        return p_rhs
    if re.search(free.format(asked.group(1)), p_rhs):  # both letters in it: not a renamed argument
        return p_rhs
    return re.sub(free.format(mine.group(1)), asked.group(1), p_rhs)


def mixed_number(text: str) -> str:
    """`2\\frac{3}{4}` and `2 3/4` as `(2+3/4)` (a proper fraction right after a whole number)."""

    def whole(m: re.Match) -> str:
        sign, n, num, den = m.group(1) or "", m.group(2), m.group(3), m.group(4)
        return f"{sign}({n}+{num}/{den})" if int(num) < int(den) else m.group(0)

    t = re.sub(r"(?<![\d.\w}])(-?)(\d+)\s*\\frac\{(\d+)\}\{(\d+)\}", whole, text)
    return re.sub(r"^(-?)(\d+)\s+(\d+)/(\d+)$", whole, t)


def degrees(text: str) -> tuple[str, bool]:
    """(text without degree marks, whether it had any): `30^\\circ`, `30^{\\circ}`, `30 degrees`."""
    t, n = re.subn(r"\s*\^\s*\{?\\circ\}?|\s*\\degree|\s+degrees?\b", "", text)
    return t.strip(), n > 0


_OR = re.compile(r"\\text\{\s*or\s*\}|\\(?:lor|vee)(?![a-zA-Z])|\bor\b")
_STRICT = {"<": "<", ">": ">", "\\lt": "<", "\\gt": ">"}  # the rest: \le, \geq, <=, ≤...


def _rel(token: str) -> str:
    return _STRICT.get(token) or ("<=" if token[:3] in ("\\le", "<=") or token == "≤" else ">=")


_REL_RE = r"(<=|>=|\\(?:leqslant|geqslant|leq|geq|le|ge|lt|gt)(?![a-zA-Z])|[<>≤≥])"


def inequalities(text: str) -> str | None:
    """Inequalities in one variable joined by "or" as the union of intervals they describe:
    `x < -1 \\text{ or } x \\ge 3` -> `(-\\infty, -1) \\cup [3, \\infty)`, as a grader reads them
    against an interval answer (math-verify compares one inequality with an interval, not a
    disjunction). None for anything else."""
    parts, names, out = _OR.split(text), set(), []
    if len(parts) < 2:
        return None
    for part in parts:
        bits = re.split(_REL_RE, part.strip())
        terms, rels = [b.strip() for b in bits[::2]], [_rel(b) for b in bits[1::2]]
        names |= {x for x in terms if re.fullmatch(r"[a-zA-Z]", x)}
        if not rels or len(names) != 1 or "" in terms or len(rels) > 2:
            return None
        (name,) = names
        if len(rels) == 2:  # a < x < b (or b > x > a)
            if terms[1] != name or rels[0][0] != rels[1][0]:
                return None
            if rels[0][0] == ">":
                terms, rels = terms[::-1], rels[::-1]
            ends = "[" if "=" in rels[0] else "(", "]" if "=" in rels[1] else ")"
            out.append(f"{ends[0]}{terms[0]}, {terms[2]}{ends[1]}")
            continue
        a, rel, b = terms[0], rels[0], terms[1]
        if a != name:  # 3 < x reads x > 3
            a, b, rel = b, a, {"<": ">", ">": "<", "<=": ">=", ">=": "<="}[rel]
        if a != name or re.search(rf"(?<![a-zA-Z\\]){name}(?![a-zA-Z])", b):
            return None
        closed = "=" in rel
        below = f"(-\\infty, {b}{']' if closed else ')'}"
        out.append(below if rel[0] == "<" else f"{'[' if closed else '('}{b}, \\infty)")
    return " \\cup ".join(out)


_PART = re.compile(r"(?:^|[;,.]?\s+)\(?([a-h]|i{1,3}|iv|v|[1-8])\)\s*", re.I)


def parts(text: str) -> str | None:
    """A multi-part answer labelled `(a) 12; (b) 30` (or `a) 12, b) 30`, `(i) ... (ii) ...`) as the
    comma list of its parts in order, the way two boxes are read; None unless it opens with the
    first label and two or more follow in sequence."""
    found = list(_PART.finditer(text.strip()))
    if len(found) < 2 or found[0].start() != 0:
        return None
    labels = [m.group(1).lower() for m in found]
    for seq in ("abcdefgh", ["i", "ii", "iii", "iv", "v"], "12345678"):
        if labels == list(seq)[: len(labels)]:
            break
    else:
        return None
    t, ends = text.strip(), [m.start() for m in found[1:]] + [len(text.strip())]
    bodies = [t[m.end() : end].strip().rstrip(";,.").strip() for m, end in zip(found, ends, strict=True)]
    return ", ".join(bodies) if all(bodies) and not any("," in b for b in bodies) else None


def alternatives(text: str) -> str | None:
    """`n = 1 or n = 2` (one name, values joined by "or") as the list of its values; else None."""
    parts = re.split(r"\s*(?:\\text\{\s*or\s*\}|\bor\b)\s*", text)
    named = [label(x) for x in parts]
    if len(parts) < 2 or not all(name for name, _ in named) or len({name for name, _ in named}) > 1:
        return None
    return "\\{" + ", ".join(value for _, value in named) + "\\}"  # solutions: a set


def plus_minus(text: str) -> str | None:
    """`\\frac{-1 \\pm \\sqrt{5}}{2}` as the set of its two values, and a list's elements with one
    `\\pm` each (`0, \\pm 1, \\pm 2`) as the set of all of them."""
    inner = re.fullmatch(r"\\\{(.*)\\\}", text.strip())  # \{\pm 1, \pm 2\}
    items = _top_level_split(inner.group(1) if inner else text)
    names = {re.match(r"([A-Za-z])\s*=(?!=)", x) and x[0] for x in items}
    if len(names) == 1 and None not in names and len(items) > 1:  # `x = 0, x = \pm 2`: one unknown's values
        items = [x.split("=", 1)[1].strip() for x in items]
    if any("=" in x or x.count("\\pm") > 1 for x in items) or not any("\\pm" in x for x in items):
        return None
    values = [v for x in items for v in ([x.replace("\\pm", s) for s in "+-"] if "\\pm" in x else [x])]
    return "\\{" + ", ".join(values) + "\\}"

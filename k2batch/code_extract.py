"""The program a code reply gives: its last fenced block (python preferred), less the example calls
that follow a solution, or the reply itself where it is bare code or a base model's completion."""

from __future__ import annotations

import ast
import re

from k2batch.extract import answer_part

# ``` or ~~~ fences (CommonMark allows both), with an optional language tag
_BLOCK = re.compile(r"(?P<fence>```|~~~)(?P<lang>[\w+-]*)[ \t]*\n(?P<body>.*?)(?P=fence)", re.S)
_OPEN = re.compile(r"(?:^|\n)(?P<fence>```|~~~)(?P<lang>[\w+-]*)[ \t]*\n(?P<body>.*)$", re.S)
_PYTHON = ("python", "py", "python3")
_READS = re.compile(r"\binput\s*\(|\bsys\.stdin\b|\bopen\s*\(\s*0\b|\bstdin\b")


def extract_code(text: str) -> tuple[str | None, str]:
    """(code, rule): the last fenced code block of the answer part (python preferred); where it
    only calls what an earlier python block defines ("Example usage: print(f(3))"), that block;
    else the reply itself where it is code (a full program, or a body that completes the prompt,
    as base models answer HumanEval)."""
    text = text.replace("\r\n", "\n")  # a reply with Windows line ends: its fences and its code
    text = re.sub(r"\[PYTHON\][ \t]*\n", "```python\n", text).replace("[/PYTHON]", "```")  # Code Llama's tags
    part = answer_part(text)
    found = list(_BLOCK.finditer(part))
    cut = _OPEN.search(part, found[-1].end() if found else 0)  # a last fence never closed: cut off
    if cut and cut["lang"].lower() in (*_PYTHON, ""):
        return cut["body"], "the last block, never closed (the reply was cut off)"
    blocks = [(m["lang"].lower(), m["body"]) for m in found]
    py = [body for lang, body in blocks if lang in _PYTHON]
    if py:
        return _solution(py), "python block"
    if blocks:
        return blocks[-1][1], "code block"
    body = text.strip("\n") if text.strip() == part else part  # answer_part strips the indent
    if re.match(r"[ \t]+\S", body) and _parses(f"def _completed():\n{body}\n"):
        return f"{body}\n", "bare code (a completion of the prompt)"  # "    return x + y": the prompt's body
    start = re.search(r"^(?:def|class|import|from|@)\S*\s", part, flags=re.M)
    if start or re.search(r"^\s*(def|class|import|from)\s", part, flags=re.M):
        return _bare(part[start.start() :] if start and not _parses(part) else part), "bare code"
    return None, "no code block"


def _bare(code: str) -> str:
    """Bare code from its first definition on ("Implementation of IPAddress:" before it left out),
    less prose after it: the longest start of it that parses, where any does."""
    lines = code.rstrip().splitlines()
    for end in range(len(lines), 0, -1):
        prose = all(not x.strip() or re.match(r"[A-Z][\w']*\s+\w[^=()]*$", x) for x in lines[end:])
        if not prose:  # a program broken in its code is left broken: its syntax error is its verdict
            break
        if _parses("\n".join(lines[:end])):
            return "\n".join(lines[:end]) + "\n"
    return code


def _solution(blocks: list[str]) -> str:
    """The last block, unless the blocks after the last one that defines something only call what
    it defined, with no input read: an example of its use, not the program."""
    defining = [i for i, body in enumerate(blocks) if _defines(body)]
    if not defining or defining[-1] == len(blocks) - 1:
        return blocks[-1]
    solution = blocks[defining[-1]]
    names = _defines(solution)
    after = blocks[defining[-1] + 1 :]
    usage = all(not _READS.search(b) and names & set(re.findall(r"\b\w+(?=\s*\()", b)) for b in after)
    return solution if usage else blocks[-1]


def _defines(code: str) -> set[str]:
    """The functions and classes code defines at its top level (none where it does not parse)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return set()
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True

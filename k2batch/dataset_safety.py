"""What keeps a distillation set safe to train on: near-duplicate problems (MinHash LSH) and
problems that overlap an evaluation set (word n-grams). Pure functions over (key, problem text)
pairs; the only I/O is reading the evaluation sets' files (Parquet, JSON) through fsspec.

Normalisation (both checks): Unicode NFKC, case folded, every character that is neither a letter,
a digit nor an arithmetic or relational operator (``+ - * / = < > ^ ± ≤ ≥ ≠``) is punctuation and
separates tokens, whitespace collapses. Operators stay, each a token of its own, so that
"What is 2+3?" and "what is 2 - 3" stay apart while "2+3" and "2 + 3" read the same."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Iterable, Sequence

import fsspec
import pyarrow as pa

from k2batch import arrowfiles, formats, inputs
from k2batch.io import InputError

SHINGLE = 3  # word 3-grams: problems are short (20-80 words), 5-grams would leave too few shingles
NUM_PERM = 128
SEED = 1
_SAME = str.maketrans({"−": "-", "–": "-", "×": "*", "·": "*", "∙": "*", "÷": "/"})
_TOKEN = re.compile(r"[^\W_]+|[+\-*/=<>^±≤≥≠]")
_DIGITS = re.compile(r"\d+")


def tokens(text: str) -> list[str]:
    """The normalised words (and operators) of `text`."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text or "").casefold().translate(_SAME))


def normalise(text: str) -> str:
    return " ".join(tokens(text))


def shingles(toks: Sequence[str], k: int = SHINGLE) -> set[str]:
    """Word k-grams; a text shorter than k words is one shingle, the whole text."""
    if len(toks) < k:
        return {" ".join(toks)}
    return {" ".join(toks[i : i + k]) for i in range(len(toks) - k + 1)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def near_duplicates(
    items: Iterable[tuple[object, str]], threshold: float, k: int = SHINGLE, num_perm: int = NUM_PERM
) -> dict[object, tuple[object, float]]:
    """Later items whose text is a near-duplicate of an earlier kept one: key -> (kept key, Jaccard).

    Near-duplicate: Jaccard similarity of the word k-gram sets at least `threshold`, and the same
    numbers (as a multiset), so that a problem restated in other words is one while a template
    with other numbers (another problem, another answer) is not. MinHash LSH finds the candidates
    (tuned to miss few: its false positives cost a set comparison), the exact Jaccard of the
    shingle sets decides. The first item of a group is kept; a dropped item claims nothing.
    A threshold of 1 or more finds nothing (exact duplicates are the caller's business)."""
    from datasketch import MinHash, MinHashLSH

    if threshold >= 1:
        return {}
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=(0.2, 0.8))
    kept: dict[object, tuple[int, set[str], list[str]]] = {}
    found: dict[object, tuple[object, float]] = {}
    for key, text in items:
        toks = tokens(text)
        sh, nums = shingles(toks, k), sorted(_DIGITS.findall(" ".join(toks)))
        mh = MinHash(num_perm=num_perm, seed=SEED)
        mh.update_batch(s.encode() for s in sh)
        best = None
        for other in sorted(lsh.query(mh), key=lambda o: kept[o][0]):  # the earliest kept first
            _, other_sh, other_nums = kept[other]
            j = jaccard(sh, other_sh)
            if other_nums == nums and j >= threshold:
                best = (other, round(j, 3))
                break
        if best is not None:
            found[key] = best
        else:
            kept[key] = (len(kept), sh, nums)
            lsh.insert(key, mh)
    return found


def _text(value) -> str | None:
    """A problem cell as text: a string, or the user turns of a chat-format prompt."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(
            str(m.get("content", "")) for m in value if isinstance(m, dict) and m.get("role") != "system"
        )
    return str(value)


def read_eval_problems(uri: str) -> list[str]:
    """The problem texts of an evaluation set: a Parquet or JSON Lines file (k2batch/jsonl.py), or
    a folder of them (any fsspec URI), in k2batch's columns or as the benchmark publishes it
    (HumanEval's `prompt`, MBPP's `text`, GSM8K's `question`: k2batch/formats.py). One entry per
    row ("" for a null or a line that is not JSON), so a position is the row number (counted
    across a folder's files in sorted order)."""
    try:
        fs, path = fsspec.core.url_to_fs(uri)
        # files of several kinds may sit together here (each is read by itself); a saved dataset's
        # metadata is no set
        found = fs.glob(posixpath.join(path, "**", "*")) if fs.isdir(path) else None
        files = [path] if found is None else sorted(
            f for f in found if inputs.readable(f) and posixpath.basename(f) not in arrowfiles.METADATA)
        if not files or not fs.exists(files[0]):
            raise InputError(f"evaluation set {uri}: not found")
        out: list[str] = []
        for name in files:
            full = fs.unstrip_protocol(name) if "://" in uri else name
            names, sizes = inputs.shape(full)
            column = formats.problem_column(names)
            if column is None:
                has = ", ".join(names) or "none"
                raise InputError(f"evaluation set {uri}: {name} has no problem column by any name k2batch "
                                 f"reads ({', '.join(formats.PROBLEM_NAMES)}; it has {has})")  # fmt: skip
            out += [_text(v) or "" for v in inputs.read_column(full, column, sum(sizes))]
        return out
    except (OSError, pa.ArrowException, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"evaluation set {uri} cannot be read: {type(exc).__name__}: {exc}") from exc


Hit = tuple[str, int]  # (evaluation set, row)


def eval_index(sets: dict[str, list[str]], n: int) -> tuple[dict[int, Hit], dict[str, Hit]]:
    """(n-gram hash -> (set, row), whole normalised text -> (set, row) for problems under n words)."""
    grams: dict[int, tuple[str, int]] = {}
    short: dict[str, tuple[str, int]] = {}
    for name, problems in sets.items():
        for row, text in enumerate(problems):
            toks = tokens(text)
            if not toks:
                continue
            if len(toks) < n:
                short.setdefault(" ".join(toks), (name, row))
            for i in range(len(toks) - n + 1):
                grams.setdefault(hash(" ".join(toks[i : i + n])), (name, row))
    return grams, short


def contaminated(
    items: Iterable[tuple[object, str]], sets: dict[str, list[str]], n: int = 13
) -> dict[object, tuple[str, int]]:
    """Items whose problem overlaps an evaluation problem: key -> (set, row of the eval problem).

    Overlap: any shared word n-gram (13 by default, the convention of GPT-3's and Llama's
    decontamination); a problem shorter than n words matches only an evaluation problem equal to
    it once normalised."""
    grams, short = eval_index(sets, n)
    found: dict[object, tuple[str, int]] = {}
    for key, text in items:
        toks = tokens(text)
        if len(toks) < n:
            hit = short.get(" ".join(toks))
        else:
            hit = next((grams[h] for i in range(len(toks) - n + 1)
                        if (h := hash(" ".join(toks[i : i + n]))) in grams), None)  # fmt: skip
        if hit is not None:
            found[key] = hit
    return found

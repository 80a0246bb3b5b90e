"""Problem sets as their publishers ship them. A file without the contract's `id` and `problem`
columns is read as the published format its columns name (HumanEval, MBPP, LiveCodeBench,
APPS/TACO, CodeContests, GPQA, ARC, MMLU, AGIEval, MedMCQA, WinoGrande, PIQA, HellaSwag, options
in lettered columns, AQuA-RAT, BIG-Bench Hard, TheoremQA, JEEBench, LiveBench, MAWPS, MGSM, GSM8K,
SVAMP, OlympiadBench, SciBench, MATH, or any set whose columns go by the usual names); each
row is mapped onto the contract before validation, so a job runs on the set as downloaded.

Columns are matched without regard to case (AIME_2024's `ID`, `Problem`, `Answer`). A set
without an id column gets the row's position in the file as its id: stable for reruns of the
same file. Columns a mapping does not use are carried into `solutions.extra` as any other; a
published `domain` that is not one of k2batch's (Omni-MATH's list of subjects) is carried as
`source_domain`. Rejects show the row as published."""

from __future__ import annotations

import base64
import functools
import io
import json
import pickle
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from k2batch import choicesets as choice
from k2batch import codesets as codes
from k2batch import domains
from k2batch import mathsets as maths
from k2batch import qasets as qa
from k2batch import sftsets as sft
from k2batch import tablesets as tables
from k2batch.choicesets import Get
from k2batch.choicesets import missing as _missing
from k2batch.codesets import STDIN
from k2batch.extract import last_boxed
from k2batch.verify import pytests
from k2batch.verify.codetests import TEST_COLUMNS

ID_NAMES = ("id", "task_id", "question_id", "problem_id", "unique_id", "problem_idx", "record id", "idx",
            "uid")
PROBLEM_NAMES = ("problem", "question", "prompt", "question_content", "instruction", "input")
NO_REFERENCE = ("proof", "notfound", "not found")  # what sets write where a problem has no final answer
ANSWER_NAMES = ("answer", "final_answer", "expected_answer", "ground_truth", "solution_answer")


def _humaneval(get: Get) -> dict:  # `test` and `entry_point` are read by validation as published
    return {"problem": get("prompt"), "domain": "code"}


def _mbpp(get: Get) -> dict:
    """The task with its tests shown, as MBPP's paper prompts (the tests name the function)."""
    tests = get("test_list")
    shown = "\n".join(tests) if isinstance(tests, list | tuple) else tests
    text = get("text") if get("text") is not None else get("prompt")
    return {"problem": f"{text}\nYour code should pass these tests:\n\n{shown}", "domain": "code"}


def _starter(text: Any, starter: Any, stdin: str) -> str:
    """A code statement with the format LiveCodeBench and APPS state: the starter code to
    complete, or read stdin and write stdout."""
    if isinstance(starter, str) and starter.strip():
        return f"{text}\n\nUse the following starter code:\n```python\n{starter.rstrip()}\n```"
    return f"{text}\n\n{stdin}"


class _OnlyText(pickle.Unpickler):
    """Unpickles text alone: no class, no callable, whatever the bytes ask for."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"{module}.{name} is not text")


def _cases(value: Any) -> list:
    """LiveCodeBench's test cases: JSON text, or (its private ones) base64 of zlib of a pickled
    JSON string, as its own harness reads them."""
    if isinstance(value, list):
        return value
    try:
        return json.loads(value)
    except ValueError:
        text = _OnlyText(io.BytesIO(zlib.decompress(base64.b64decode(value)))).load()
        return json.loads(text)


def _livecodebench(get: Get) -> dict:
    """Graded on its public and private tests, as its harness grades (the private ones are not
    carried into extras: megabytes a row)."""
    out = {"problem": _starter(get("question_content"), get("starter_code"), STDIN), "domain": "code"}
    public = _cases(get("public_test_cases")) if get("public_test_cases") is not None else []
    try:
        private = _cases(get("private_test_cases")) if not _missing(get("private_test_cases")) else []
    except Exception as exc:  # graded on the public tests alone, "verified" would claim too much
        raise ValueError(f"private_test_cases does not decode: {type(exc).__name__}: {exc}") from None
    return out | {"tests": json.dumps(public + private)}


def _apps(get: Get) -> dict:
    return {"problem": _starter(get("question"), get("starter_code"), "Use Standard Input format."),
            "domain": "code"}  # fmt: skip


def _code_contests(get: Get) -> dict:
    """DeepMind's CodeContests: stdin/stdout cases in public, private and generated tests (all three,
    as AlphaCode graded), compared in any letter case, as its checker (tester_sandboxer's
    OutputsMatch) compares."""
    cases = []
    for column in ("public_tests", "private_tests", "generated_tests"):
        tests = get(column) or {}
        pairs = zip(tests.get("input") or [], tests.get("output") or [], strict=True)
        cases += [{"input": i, "output": o} for i, o in pairs]
    spec = {"type": "stdio", "cases": cases, "any_case": True, "prelude": False}  # run bare, as its judge
    tests = json.dumps(spec) if cases else None
    return {"problem": _starter(get("description"), None, STDIN), "domain": "code", "tests": tests}


def _classeval(get: Get) -> dict:
    """ClassEval: complete the class of `skeleton`, graded as its test_pipeline grades: every
    unittest class of `test_classes` must pass, run after its `import_statement`."""
    classes, imports = get("test_classes"), get("import_statement")
    classes = list(classes) if isinstance(classes, list | tuple) else []
    if not classes or not all(re.fullmatch(r"\w+", str(c)) for c in classes):
        raise ValueError("ClassEval's test_classes must name its unittest classes")
    run = pytests.unittest_runner([str(c) for c in classes])
    setup = "\n".join(imports) if isinstance(imports, list | tuple) else imports
    spec = {"type": "script", "code": f"{get('test')}\n{run}", "prelude": False, "setup": setup or None}
    problem = f"Please complete the class {get('class_name')} in the following code.\n"
    problem += f"```python\n{get('skeleton')}\n```"
    return {"problem": problem, "domain": "code", "tests": json.dumps(spec)}


def _gsm8k(get: Get) -> dict:
    """GSM8K's answer is the worked solution ending `#### 72`: the number is the answer (commas
    dropped), the solution is carried as `solution`."""
    answer, out = get("answer"), {"problem": get("question")}
    if qa.is_accepted_list(answer):  # Natural Questions' list, TriviaQA's {aliases, value}
        return qa.open_answer(get)
    if isinstance(answer, str) and "####" in answer:
        worked, final = answer.rsplit("####", 1)
        out |= {"answer": final.strip().replace(",", ""), "solution": answer}
    else:
        out["answer"] = answer
    return out


def _math(get: Get) -> dict:
    """MATH's reference is the last \\boxed{} of its solution where no answer column has it."""
    answer = next((get(n) for n in ANSWER_NAMES if not _missing(get(n))), None)
    solution = get("solution")
    if answer is None and isinstance(solution, str):
        bare = re.findall(r"\\boxed ([^\s$]+)", solution)  # `\boxed 5`, as MATH's own answer reader takes it
        answer = last_boxed(solution) or (bare[-1] if bare else None)
    return {"problem": get("problem"), "answer": answer}


def _verl(get: Get) -> dict:
    """verl's RL datasets: the prompt as chat messages (the user's are the problem), the reference
    as reward_model.ground_truth; for `ability` code, that is the tests (APPS's {inputs, outputs},
    Skywork-OR1's LeetCode {test_code, entry_point, import_prefix})."""
    prompt, reward = get("prompt"), get("reward_model") or {}
    if isinstance(prompt, list | tuple):
        users = [m for m in prompt if isinstance(m, dict) and m.get("role") == "user"]
        prompt = "\n\n".join(str(m.get("content", "")) for m in users)
    truth = reward.get("ground_truth") if isinstance(reward, dict) else None
    if str(get("ability") or "").strip().lower() == "code":  # Eurus-2's, Skywork-OR1's: tests as JSON text
        return {"problem": prompt, "domain": "code", "tests": truth}
    return {"problem": prompt, "answer": truth if isinstance(truth, str | int | float) else None}


@dataclass(frozen=True)
class Format:
    name: str
    needs: tuple[str, ...]  # lower-case columns that identify it
    uses: tuple[str, ...]  # columns it maps onto the contract (not carried as extras)
    fields: Callable[[Get], dict]  # the contract's fields of a row
    ids: tuple[str, ...] = ()  # its own id columns, before the usual names (ID_NAMES)
    strong: bool = False  # its columns say what it is even beside `id` and `problem` (open-r1's has both)
    only: bool = False  # known by these columns alone (LAMBADA's `text`): with any other (an id too), not it
    weak: bool = False  # a problem column beside an answer column is read instead (chat rows' `messages`)


FORMATS = (  # the first whose columns a file has
    # MBPP before HumanEval: MBPP+ (evalplus) has `test` and `entry_point` too
    Format("MBPP", ("task_id", "test_list"), ("text", "prompt"), _mbpp),
    # evalplus's own release: its plus inputs carry no expected outputs (evalplus computes them by
    # running canonical_solution); HuggingFace's evalplus/humanevalplus has them inside `test`
    Format("HumanEval+ as evalplus releases it, graded on HumanEval's base tests only "
           "(evalplus/humanevalplus on HuggingFace grades its plus inputs too)",
           ("task_id", "prompt", "test", "entry_point", "plus_input"), ("prompt",), _humaneval),  # fmt: skip
    Format("HumanEval", ("task_id", "prompt", "test", "entry_point"), ("prompt",), _humaneval),
    Format("LiveCodeBench", ("question_content", "public_test_cases"),
           ("question_content", "public_test_cases", "private_test_cases"), _livecodebench),  # fmt: skip
    Format("APPS/TACO", ("question", "input_output"), ("question",), _apps),
    Format("CodeContests", ("description", "public_tests"), ("description", "public_tests", "private_tests",
           "generated_tests", "solutions", "incorrect_solutions"), _code_contests, ("name",)),  # fmt: skip
    Format("Codeforces as open-r1 ships it", ("description", "official_tests"), ("title", "description",
           "input_format", "output_format", "examples", "note", "official_tests", "problem", "prompt"),
           codes.codeforces, strong=True),  # fmt: skip
    Format("verifiable-coding-problems (prompt, verification_info)", ("prompt", "verification_info"),
           ("prompt", "verification_info"), codes.verifiable),  # fmt: skip
    Format("MultiPL-E", ("name", "language", "prompt", "tests"), ("prompt", "tests", "language"),
           codes.multipl_e, ("name",)),  # fmt: skip
    Format("BigCodeBench", ("complete_prompt", "code_prompt", "test", "entry_point"), ("complete_prompt",
           "instruct_prompt", "code_prompt", "test"), codes.bigcodebench),  # fmt: skip
    Format("Aider's polyglot benchmark", ("exercise", "files"), ("exercise", "files"), codes.aider,
           ("exercise",)),  # fmt: skip
    Format("LiveCodeBench code execution", ("code", "input", "output", "function_name"), ("code", "input",
           "output"), codes.lcb_execution, ("id",)),  # fmt: skip
    Format("LiveCodeBench test output prediction", ("question_content", "function_name", "test"),
           ("question_content", "test", "starter_code"), codes.lcb_output_prediction),  # fmt: skip
    Format("CRUXEval", ("code", "input", "output"), ("code", "input", "output"), codes.cruxeval),
    Format("ClassEval", ("class_name", "skeleton", "test", "test_classes"), ("skeleton",), _classeval),
    *(Format(*layout) for layout in tables.LAYOUTS),  # sets with tables and documents, then reading and
    *(Format(*layout) for layout in qa.LAYOUTS),  # QA sets, all before the question/answer ones
    Format("GPQA", ("question", "correct answer", "incorrect answer 1", "incorrect answer 2",
                    "incorrect answer 3"), ("question",), choice.gpqa),  # fmt: skip
    Format("ARC", ("question", "choices", "answerkey"), ("question", "choices", "answerkey"), choice.arc),
    Format("OpenBookQA", ("question_stem", "choices", "answerkey"), ("question_stem", "choices", "answerkey"),
           choice.arc),  # fmt: skip
    Format("SciQ", ("question", "correct_answer", "distractor1"), ("question", "correct_answer",
           "distractor1", "distractor2", "distractor3", "support"), choice.sciq),  # fmt: skip
    Format("MMLU", ("question", "choices", "answer"), ("question", "choices", "answer"), choice.mmlu),
    Format("AGIEval", ("question", "options", "label"), ("passage", "question", "options", "label", "answer"),
           choice.agieval),  # fmt: skip
    Format("MedMCQA", ("question", "opa", "opb", "cop"), ("question", "opa", "opb", "opc", "opd", "cop"),
           choice.medmcqa),  # fmt: skip
    Format("WinoGrande", ("sentence", "option1", "option2", "answer"), ("sentence", "option1", "option2",
           "answer"), choice.two_way("sentence", ("option1", "option2"), "answer", 1)),  # fmt: skip
    Format("PIQA", ("goal", "sol1", "sol2", "label"), ("goal", "sol1", "sol2", "label"),
           choice.two_way("goal", ("sol1", "sol2"), "label", 0)),  # fmt: skip
    Format("COPA", ("premise", "choice1", "choice2", "label"), ("premise", "choice1", "choice2", "question",
           "label"), choice.copa),  # fmt: skip
    Format("Social IQa", ("context", "answera", "answerb", "label"), ("context", "question", "answera",
           "answerb", "answerc", "label"), choice.social_iqa),  # fmt: skip
    Format("ANLI (uid, premise, hypothesis, label, reason)", ("premise", "hypothesis", "label", "reason"),
           ("premise", "hypothesis", "label"), choice.anli, ("uid",)),  # fmt: skip
    Format("WiC (word, sentence1, sentence2, label)", ("word", "sentence1", "sentence2", "label"),
           ("word", "sentence1", "sentence2", "label"), choice.word_in_context),  # fmt: skip
    Format("WSC (text, span1_text, span2_text, label)", ("text", "span1_text", "span2_text", "label"),
           ("text", "span1_text", "span2_text", "label"), choice.winograd_schema),  # fmt: skip
    Format("PAWS-X (id, sentence1, sentence2, label)", ("id", "sentence1", "sentence2", "label"),
           ("sentence1", "sentence2", "label"), choice.paraphrase),  # fmt: skip
    Format("Global-MMLU (question, option_a-d, answer)", ("question", "option_a", "option_b", "answer"),
           ("question", "option_a", "option_b", "option_c", "option_d", "answer"), choice.global_mmlu),
    Format("KMMLU (question, A-D, answer 1-4, Human Accuracy)", ("question", "a", "b", "answer",
           "human accuracy"), ("question", "a", "b", "c", "d", "answer"), choice.kmmlu),  # fmt: skip
    Format("RTE / NLI (premise, hypothesis, label)", ("premise", "hypothesis", "label"),
           ("premise", "hypothesis", "label"), choice.entailment),  # fmt: skip
    Format("BoolQ", ("question", "passage", "answer"), ("question", "passage", "answer"), choice.boolq),
    Format("BoolQ as SuperGLUE ships it", ("question", "passage", "label"), ("question", "passage", "label"),
           choice.boolq),  # fmt: skip
    Format("HellaSwag", ("ctx", "endings", "label"), ("ctx", "endings", "label"), choice.hellaswag),
    Format("MMLU-Pro / MedQA", ("question", "options", "answer"), ("question", "options", "answer",
           "answer_idx"), choice.mmlu),  # fmt: skip
    Format("MathQA", ("problem", "options", "correct"), ("problem", "options", "correct"), choice.mathqa),
    Format("AQuA-RAT", ("question", "options", "correct"), ("question", "options", "correct"), choice.aqua),
    # options in lettered columns, before GSM8K: simple-evals' MMLU has `Question` and `Answer` too
    Format("lettered options (question, A, B, ...)", ("question", "a", "b"), choice.LETTERED,
           choice.lettered("question", ("answer", "correct", "answerkey", "target", "label"))),  # fmt: skip
    Format("lettered options (input, A, B, ..., target)", ("input", "a", "b"), choice.LETTERED,
           choice.lettered("input", ("target", "answer", "correct", "answerkey", "label"))),  # fmt: skip
    Format("ARC / CommonsenseQA / OpenBookQA as first published (question {stem, choices}, answerKey)",
           ("question", "answerkey"), ("question", "answerkey"), choice.arc),  # fmt: skip
    Format("Countdown (target, nums)", ("target", "nums"), ("target", "nums"), maths.countdown),
    Format("Knights and Knaves (quiz, names, solution)", ("quiz", "names", "solution"), ("quiz", "names",
           "solution"), maths.knights_and_knaves),  # fmt: skip
    Format("ZebraLogic (puzzle, solution)", ("puzzle", "solution"), ("puzzle", "solution", "size"),
           maths.zebralogic),  # fmt: skip
    Format("GSM-Hard (input, code, target)", ("input", "code", "target"), ("input", "target"),
           maths.gsm_hard),  # fmt: skip
    Format("BIG-Bench Hard (input, target)", ("input", "target"), ("input", "target"), maths.bbh),
    Format("HLE / TheoremQA", ("question", "answer", "answer_type"), ("question", "answer"),
           maths.theoremqa_or_hle),  # fmt: skip
    Format("JEEBench", ("question", "gold", "type"), ("question", "gold", "type"), maths.jeebench),
    Format("OlympiadBench", ("question", "final_answer", "context"), ("question", "final_answer", "context"),
           maths.olympiadbench),  # fmt: skip
    Format("SciBench", ("problem_text", "answer_number"), ("problem_text", "answer_number", "unit"),
           maths.scibench, ("problemid",)),  # fmt: skip
    Format("SVAMP", ("body", "question", "answer"), ("body", "question", "answer"), maths.svamp),
    Format("Ape210K / Math23K (original_text, ans)", ("original_text", "ans"), ("original_text", "ans",
           "segmented_text"), maths.ape210k),  # fmt: skip
    Format("LiveBench", ("turns", "ground_truth"), ("turns", "ground_truth"), maths.livebench),
    Format("MAWPS", ("squestion", "lsolutions"), ("squestion", "lsolutions"), maths.mawps, ("iindex",)),
    Format("MGSM", ("question", "answer_number"), ("question", "answer", "answer_number"), maths.mgsm),
    Format("GSM8K (question, answer)", ("question", "answer"), ("question", "answer"), _gsm8k),
    Format("MATH (problem, solution)", ("problem", "solution"), ("problem", *ANSWER_NAMES), _math),
    Format("verl (prompt messages, reward_model)", ("prompt", "reward_model"), ("prompt", "reward_model",
           "ability"), _verl),  # fmt: skip
    *(Format(*layout) for layout in sft.LAYOUTS),  # instruction-tuning and distillation sets, last
)


def _generic(problem: str, answer: str | None) -> Format:
    def fields(get: Get) -> dict:  # a row with tests is code (rLLM's sets), else math
        out = {"problem": get(problem), "answer": get(answer) if answer else None}
        return out | {"domain": "code"} if any(not _missing(get(c)) for c in TEST_COLUMNS) else out

    return Format(f"{problem}/{answer or 'no answer'} columns", (), (problem, answer or problem), fields)


@functools.lru_cache(maxsize=64)
def _detect(names: frozenset[str]) -> Format | None:
    low = {n.lower() for n in names}
    strong = next((f for f in FORMATS if f.strong and set(f.needs) <= low), None)
    if strong:
        return strong
    if {"id", "problem"} <= names and ("answer" in names or not low & set(ANSWER_NAMES)):
        return None  # the contract itself: read as it is (with its reference under another name, mapped)
    known = next((f for f in FORMATS if set(f.needs) <= low and (not f.only or low == set(f.needs))), None)
    problem = next((n for n in PROBLEM_NAMES if n in low), None)
    if known and not (known.weak and problem and low & set(ANSWER_NAMES)):
        return known
    if problem is None:
        shown = ", ".join(sorted(names)[:12]) or "none"
        raise ValueError(
            f"lacks required column(s): {', '.join(sorted({'id', 'problem'} - names))}; its columns "
            f"({shown}) match no published format k2batch reads ({', '.join(f.name for f in FORMATS)}, "
            f"or a problem column named {' / '.join(PROBLEM_NAMES)}): rename the columns"
        )
    return _generic(problem, next((n for n in ANSWER_NAMES if n in low), None))


def detect(names: Iterable[str]) -> Format | None:
    """The published format of a file with these columns; None for the contract's own columns.
    ValueError (for a person) where neither fits."""
    return _detect(frozenset(names))


def id_column(names: Iterable[str]) -> str | None:
    """The column ids are read from (as the file spells it); None: ids are row positions."""
    names = list(names)
    fmt = detect(names)
    if fmt is None:
        return "id"
    by_lower = {n.lower(): n for n in reversed(names)}
    return next((by_lower[n] for n in (*fmt.ids, *ID_NAMES) if n in by_lower), None)


def problem_column(names: Iterable[str]) -> str | None:
    """The column a set's statements are read from, as the file spells it (MBPP's `text`, without
    the tests the job shows with it); None where no layout fits."""
    names = list(names)
    try:
        fmt = detect(names)
    except ValueError:
        return None
    by_lower = {n.lower(): n for n in reversed(names)}
    return "problem" if fmt is None else next((by_lower[c] for c in fmt.uses if c in by_lower), None)


def describe(names: Iterable[str]) -> str | None:
    """How a file is read, for a person: None for the contract's own columns."""
    names = list(names)
    fmt = detect(names)
    if fmt is None:
        return None
    ids = id_column(names)
    return f"{fmt.name}; ids from {ids!r}" if ids else f"{fmt.name}; ids are row positions"


def adapt(row: dict, position: int) -> dict:
    """The row in the contract's columns (unchanged where it has them)."""
    fmt = detect(row)
    if fmt is None:
        return row
    by_lower = {k.lower(): k for k in reversed(list(row))}

    def get(name: str) -> Any:
        return row[by_lower[name]] if name in by_lower else None

    ids = id_column(row)
    used = {*fmt.uses, "domain", *([ids.lower()] if ids else [])}
    out = {k: v for k, v in row.items() if k.lower() not in used}
    given = get("domain")
    if given is not None and not (isinstance(given, str) and domains.get(given.strip().lower())):
        out["source_domain"] = given  # the publisher's subject, not one of k2batch's domains
    elif given is not None:
        out["domain"] = given
    fields = fmt.fields(get)
    if "domain" in out:  # a domain of k2batch's own, given in the file, stands
        fields.pop("domain", None)
    for name, value in fields.items():
        if name in ("problem", "answer", "choices", "domain") or name not in out:
            out[name] = value
    if isinstance(out.get("answer"), list | tuple):  # OlympiadBench's final_answer: the answer's parts
        out["answer"] = ", ".join(str(a) for a in out["answer"])
    if isinstance(out.get("answer"), str) and out["answer"].strip().lower() in ("", *NO_REFERENCE):
        out["answer"] = None  # NuminaMath-1.5's proofs: a reply boxing "proof" is no verified answer
    out["id"] = get(ids.lower()) if ids else str(position)
    if isinstance(out["id"], dict):  # SuperGLUE's MultiRC and ReCoRD: {paragraph, question, answer}
        out["id"] = "-".join(str(v) for v in out["id"].values())
    return out

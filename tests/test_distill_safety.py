"""A distillation set safe to train on: near-duplicate problems, problems copied from an evaluation
set and problems with a suspect reference stay out, and the card says which and why. Finished
jobs are written directly (solution rows + manifest.json): no model runs."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from k2batch.cli import main
from k2batch.dataset_safety import contaminated, near_duplicates, normalise, read_eval_problems
from k2batch.distill import run_distill
from k2batch.io import InputError
from k2batch.schemas import to_table

TRAINS = (
    "A train leaves the station at 9 am and travels at a constant speed of 60 miles per hour toward a "
    "city that is 240 miles away. A second train leaves the city at 10 am and travels toward the "
    "station at 80 miles per hour on a parallel track. At what time do the two trains meet?"
)
REWORDED = TRAINS.replace("constant speed", "steady speed").replace("  ", " ")  # one word changed
OTHER_NUMBERS = TRAINS.replace("80 miles", "90 miles")  # the same template, another problem
TANK = (
    "A rectangular tank is 3 meters long, 2 meters wide and 1.5 meters deep. Water flows in at "
    "12 liters per minute. How many hours does it take to fill the empty tank completely?"
)
EVAL_LONG = (
    "Let $f(x) = x^2 - 6x + 13$. Find the minimum value of $f$ over all real numbers $x$, and "
    "the value of $x$ at which this minimum is attained."
)
VERIFY = {"math": {"model": "cascade", "tolerance": 1e-6}, "sandbox": "strict", "timeout_s": 10.0}


def cand(sample: int, response: str, verdict: str = "correct") -> dict:
    return {"sample": sample, "seed": 100 + sample, "plan": None, "response": response, "answer": "x",
            "verdict": verdict, "verdict_reason": "equal", "finish_reason": "stop", "error": None}  # fmt: skip


def sol(pid: str, problem: str, responses=("<think>t</think>\\boxed{x}",), suspect=None, chosen=0) -> dict:
    cands = [cand(i, r) for i, r in enumerate(responses)]
    return {"job_id": "job-safe", "id": pid, "problem": problem, "domain": "math", "reference": "x",
            "tests": None, "choices": None, "triage_hard": None, "triage_topics": None,
            "chosen_sample": chosen, "chosen_answer": "x", "chosen_response": cands[chosen]["response"],
            "status": "correct", "selection": "verified", "n_correct": len(cands), "pass_at_1": 1.0,
            "suspect_reference": suspect, "candidates": cands, "judge": [], "extra": None}  # fmt: skip


def job(tmp_path, rows: list[dict], with_suspect_column: bool = True, name: str = "out") -> str:
    """A finished job's output folder: solutions/part-0.parquet and manifest.json."""
    out = tmp_path / name
    (out / "solutions").mkdir(parents=True)
    table = to_table("solution", rows)
    names = table.schema.names
    if with_suspect_column and "suspect_reference" not in names:  # before the column reached the schema
        table = table.append_column("suspect_reference", pa.array([r["suspect_reference"] for r in rows]))
    if not with_suspect_column and "suspect_reference" in names:  # an output written before the column
        table = table.drop_columns(["suspect_reference"])
    pq.write_table(table, out / "solutions" / "part-0.parquet")
    manifest = {"job_id": "job-safe", "input": "problems.parquet", "k2batch_version": "0.1.0",
                "settings": {"verify": VERIFY, "backend": {"model": "m"}}}  # fmt: skip
    (out / "manifest.json").write_text(json.dumps(manifest))
    return str(out)


def eval_set(tmp_path, problems: list[str], column: str = "question", name: str = "eval.parquet") -> str:
    path = tmp_path / name
    pq.write_table(pa.table({"id": [str(i) for i in range(len(problems))], column: problems}), path)
    return str(path)


def read(dest) -> tuple[list[dict], list[dict], str]:
    rows = [json.loads(x) for x in (dest / "train.jsonl").read_text().splitlines()]
    dropped = [json.loads(x) for x in (dest / "dropped.jsonl").read_text().splitlines()]
    return rows, dropped, (dest / "README.md").read_text()


def test_near_duplicate_problems_go_and_distinct_ones_stay(tmp_path):
    out = job(tmp_path, [sol("trains", TRAINS), sol("tank", TANK), sol("reworded", REWORDED.upper()),
                         sol("numbers", OTHER_NUMBERS), sol("short", "What is 2+3?"),
                         sol("short-minus", "what is 2 - 3")])  # fmt: skip
    res = run_distill(out, str(tmp_path / "d"))
    rows, dropped, card = read(tmp_path / "d")
    assert {r["problem_id"] for r in rows} == {"trains", "tank", "numbers", "short", "short-minus"}
    assert res["dropped"]["near_duplicate"] == 1 and res["examples"] == 5
    [d] = dropped
    assert d["id"] == "reworded#0" and d["reason"] == "near_duplicate" and "problem trains" in d["detail"]
    assert "### Dropped: near duplicate (1)" in card and "`reworded#0`: problem trains" in card
    assert "Jaccard >= 0.85 over word 3-grams" in card
    # threshold 1 (or --no-dedup): exact duplicates only, the reworded problem stays
    assert run_distill(out, str(tmp_path / "d1"), dedup_threshold=1)["examples"] == 6
    assert run_distill(out, str(tmp_path / "d2"), dedup_threshold=None)["dropped"]["near_duplicate"] == 0


def test_near_duplicates_keep_the_first_and_compare_only_with_kept_problems():
    items = [(0, "Compute the sum of the first 50 odd positive integers and explain each step."),
             (1, "compute the sum of the first 50 odd positive integers, and explain each step!"),
             (2, "Compute the sum of the first 50 odd positive integers and explain each step.")]  # fmt: skip
    assert near_duplicates(items, 0.85) == {1: (0, 1.0), 2: (0, 1.0)}
    assert near_duplicates(items, 1.0) == {}
    assert normalise("  What IS 2+3?\n") == normalise("what is 2 + 3") == "what is 2 + 3"
    assert normalise("2+3") != normalise("2-3")


def test_a_problem_copied_from_an_evaluation_set_goes_and_is_listed(tmp_path):
    copied = "  LET f(x)=x^2-6x+13 .  find the MINIMUM value of f over all real numbers x, and the value of x " \
             "at which this minimum is attained!!"  # fmt: skip
    partial = "Prove that find the minimum value of f over all real numbers x and is bounded below by 0."
    ev = eval_set(tmp_path, [EVAL_LONG, "Some other evaluation problem that nobody copied at all today."])
    out = job(tmp_path, [sol("copy", copied), sol("tank", TANK), sol("partial", partial)])
    res = run_distill(out, str(tmp_path / "d"), decontaminate=[ev])
    rows, dropped, card = read(tmp_path / "d")
    assert [r["problem_id"] for r in rows] == ["tank", "partial"]  # 12 shared words are not 13
    assert res["dropped"]["contaminated"] == 1 and res["decontaminate"] == [ev]
    assert dropped == [{"id": "copy#0", "problem_id": "copy", "reason": "contaminated", "detail": f"{ev} (row 0)"}]
    assert f"`copy#0`: {ev} (row 0)" in card and f"`{ev}` (2 problems)" in card
    assert "word 13-gram" in card
    # a shorter n-gram catches the partial overlap too
    assert run_distill(out, str(tmp_path / "d8"), decontaminate=[ev], ngram=8)["dropped"]["contaminated"] == 2


def test_a_short_problem_is_contaminated_only_by_an_exact_normalised_match(tmp_path):
    ev = eval_set(tmp_path, ["What is 2+3?", "Find 7*8."], column="problem")
    out = job(tmp_path, [sol("same", "what is 2 + 3"), sol("minus", "What is 2-3?"),
                         sol("longer", "What is 2+3? Explain why."), sol("times", "FIND 7 * 8")])  # fmt: skip
    run_distill(out, str(tmp_path / "d"), decontaminate=[ev])
    rows, dropped, _ = read(tmp_path / "d")
    assert {r["problem_id"] for r in rows} == {"minus", "longer"}
    assert {d["problem_id"]: d["detail"] for d in dropped} == {"same": f"{ev} (row 0)", "times": f"{ev} (row 1)"}
    hits = contaminated([("a", "WHAT is 2+3 ?")], {"e": ["What is 2+3?"]})
    assert hits == {"a": ("e", 0)}


def test_an_evaluation_set_without_a_problem_column_is_a_clear_error(tmp_path):
    bad = eval_set(tmp_path, ["x"], column="text", name="bad.parquet")
    out = job(tmp_path, [sol("a", TANK)])
    with pytest.raises(InputError, match=r"bad\.parquet.*problem, question, prompt.*id, text"):
        run_distill(out, str(tmp_path / "d"), decontaminate=[bad])
    with pytest.raises(InputError, match="missing.parquet"):
        run_distill(out, str(tmp_path / "d"), decontaminate=[str(tmp_path / "missing.parquet")])
    ev = eval_set(tmp_path, [None, TANK], column="prompt", name="prompts.parquet")  # the last fallback
    assert run_distill(out, str(tmp_path / "d"), decontaminate=[ev])["dropped"]["contaminated"] == 1
    _, [d], card = read(tmp_path / "d")
    assert d["detail"] == f"{ev} (row 1)" and f"`{ev}` (1 problems)" in card  # rows counted as in the file


def test_suspect_references_are_left_out_unless_asked_for(tmp_path):
    rows = [sol("ok", TANK, suspect=False), sol("sus", TRAINS, suspect=True), sol("old", "What is 2+3?")]
    out = job(tmp_path, rows)
    res = run_distill(out, str(tmp_path / "d"))
    kept, dropped, card = read(tmp_path / "d")
    assert {r["problem_id"] for r in kept} == {"ok", "old"}  # null (not set): not suspect
    assert res["dropped"]["suspect_reference"] == 1 and res["suspect_solutions"] == 1
    assert [d["id"] for d in dropped] == ["sus#0"] and "`sus#0`" in card and "left out" in card
    res = run_distill(out, str(tmp_path / "i"), include_suspect=True)
    assert res["examples"] == 3 and res["dropped"]["suspect_reference"] == 0
    assert "kept (--include-suspect)" in (tmp_path / "i" / "README.md").read_text()
    old = job(tmp_path, rows, with_suspect_column=False, name="old")  # outputs before the column
    assert run_distill(old, str(tmp_path / "o"))["examples"] == 3


def test_all_mode_keeps_a_problem_s_several_candidates(tmp_path):
    replies = ["<think>a</think>\\boxed{x}", "<think>b</think>\\boxed{x}", "<think>a</think>\\boxed{x}",
               "<think>c</think>\\boxed{x}"]  # fmt: skip
    out = job(tmp_path, [sol("trains", TRAINS, replies), sol("again", REWORDED, replies[:2])])
    res = run_distill(out, str(tmp_path / "d"), mode="all")
    rows, dropped, _ = read(tmp_path / "d")
    assert [r["id"] for r in rows] == ["trains#0", "trains#1", "trains#3"]  # #2 repeats #0 word for word
    assert res["dropped"] == {"suspect_reference": 0, "contaminated": 0, "near_duplicate": 2, "exact_duplicate": 1}
    assert {d["id"]: d["reason"] for d in dropped} == {"again#0": "near_duplicate", "again#1": "near_duplicate",
                                                       "trains#2": "exact_duplicate"}  # fmt: skip
    chosen = run_distill(out, str(tmp_path / "c"))  # chosen: one per problem
    assert chosen["examples"] == 1


def test_the_card_caps_ids_and_records_the_verifier(tmp_path):
    rows = [sol(f"s{i}", f"Problem number {i}: compute {i} plus {i}.", suspect=True) for i in range(55)]
    out = job(tmp_path, [*rows, sol("ok", TANK)])
    run_distill(out, str(tmp_path / "d"))
    kept, dropped, card = read(tmp_path / "d")
    assert len(kept) == 1 and len(dropped) == 55 and dropped[-1]["id"] == "s54#0"
    assert "`s49#0`" in card and "`s50#0`" not in card and "5 more (all in `dropped.jsonl`)" in card
    assert '"tolerance": 1e-06' in card and '"sandbox": "strict"' in card
    from importlib.metadata import version

    import k2batch

    assert f"math-verify {version('math-verify')}" in card and f"made with k2batch {k2batch.__version__}" in card


def test_the_cli_passes_the_options_and_prints_the_counts(tmp_path, capsys):
    ev = eval_set(tmp_path, [TANK])
    out = job(tmp_path, [sol("trains", TRAINS), sol("reworded", REWORDED), sol("tank", TANK),
                         sol("sus", "What is 2+3?", suspect=True)])  # fmt: skip
    assert main(["distill", out, "--out", str(tmp_path / "d"), "--decontaminate", ev]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["examples"] == 1 and res["dropped"]["contaminated"] == 1
    assert res["dropped"]["near_duplicate"] == 1 and res["dropped"]["suspect_reference"] == 1
    args = ["distill", out, "--out", str(tmp_path / "e"), "--no-dedup", "--include-suspect"]
    assert main(args) == 0 and json.loads(capsys.readouterr().out)["examples"] == 4
    args = ["distill", out, "--out", str(tmp_path / "f"), "--dedup-threshold", "1", "--decontaminate-ngram", "5"]
    assert main(args) == 0 and json.loads(capsys.readouterr().out)["decontaminate_ngram"] == 5
    assert main(["distill", out, "--out", str(tmp_path / "g"), "--dedup-threshold", "0"]) == 2
    assert main(["distill", out, "--out", str(tmp_path / "g"), "--decontaminate", str(tmp_path / "no.parquet")]) == 2


def test_a_suspect_reference_s_agreeing_answers_are_kept_only_when_asked(tmp_path):
    """As a job writes it: every candidate agrees, the reference rejects them all."""
    row = sol("sus", TRAINS, ("<think>t</think>\\boxed{y}", "<think>u</think>\\boxed{y}"), suspect=True)
    for c in row["candidates"]:
        c["verdict"], c["answer"] = "incorrect", "y"
    row.update(status="incorrect", selection="agreement", n_correct=0, pass_at_1=0.0)
    out = job(tmp_path, [row, sol("ok", TANK)])
    res = run_distill(out, str(tmp_path / "d"))
    assert res["examples"] == 1 and res["dropped"]["suspect_reference"] == 1
    kept = run_distill(out, str(tmp_path / "k"), include_suspect=True)
    rows, _, _ = read(tmp_path / "k")
    assert kept["examples"] == 2 and {r["id"] for r in rows} == {"sus#0", "ok#0"}


def test_evaluation_sets_as_their_benchmarks_publish_them(tmp_path):
    """HumanEval.jsonl.gz (`prompt`), MBPP's `text` (not the tests the job shows with it), a
    folder holding JSON Lines beside Parquet: the statements are what contamination reads."""
    import gzip

    mbpp = "Write a python function to remove first and last occurrence of a given character from the string."
    humaneval = 'def add(x: int, y: int):\n    """Add two numbers x and y, returning their sum as an int value."""\n'
    folder = tmp_path / "evals"
    folder.mkdir()
    with gzip.open(folder / "HumanEval.jsonl.gz", "wt") as f:
        f.write(json.dumps({"task_id": "HumanEval/53", "prompt": humaneval, "test": "def check(c): pass",
                            "entry_point": "add", "canonical_solution": "    return x + y\n"}) + "\n")  # fmt: skip
    pq.write_table(pa.Table.from_pylist([{"task_id": 11, "text": mbpp, "code": "", "test_list": ["assert f()"]}]),
                   folder / "mbpp.parquet")  # fmt: skip
    (folder / "notes.txt").write_text("not a set")
    assert sorted(read_eval_problems(str(folder))) == sorted([humaneval, mbpp])
    out = job(tmp_path, [sol("he", humaneval.upper()), sol("mbpp", "Please: " + mbpp), sol("tank", TANK)])
    run_distill(out, str(tmp_path / "d"), decontaminate=[str(folder)])
    rows, dropped, _ = read(tmp_path / "d")
    assert [r["problem_id"] for r in rows] == ["tank"] and {d["problem_id"] for d in dropped} == {"he", "mbpp"}

import json

from k2batch import recipe
from k2batch.config import JobConfig, load_config
from k2batch.prompts import Recipe

CFG = JobConfig()
PROBLEM = {"id": "p1", "problem": "What is 2+2?", "domain": "math", "choices": None}


def cand(sample, answer, response=None, error=None):
    return {
        "sample": sample,
        "answer": answer,
        "response": response or f"\\boxed{{{answer}}}",
        "error": error,
        "verdict": "unverified",
        "seed": sample,
        "plan": None,
        "verdict_reason": "",
        "finish_reason": "stop",
    }


def test_seeds_are_stable_distinct_and_order_free():
    a = [recipe.derive_seed(0, "p1", "generate", s) for s in range(3)]
    assert a == [recipe.derive_seed(0, "p1", "generate", s) for s in range(3)]
    assert len(set(a)) == 3
    assert recipe.derive_seed(1, "p1", "generate", 0) != a[0]
    assert recipe.derive_seed(0, "p2", "generate", 0) != a[0]
    assert all(0 <= s < 2**31 for s in a)


def test_solve_prompt_injects_plan_as_ideas_and_per_sample_seed():
    r0 = recipe.solve_request(PROBLEM, 0, "1. add", CFG)
    r1 = recipe.solve_request(PROBLEM, 1, None, CFG)
    user0 = dict(r0.messages)["user"]
    assert "<ideas>\n1. add\n</ideas>" in user0 and "\\boxed{}" in user0
    assert "<ideas>" not in dict(r1.messages)["user"]
    assert r0.seed != r1.seed and r0.temperature == 1.0 and r0.top_p == 0.95
    assert r0.key() != r1.key()


def test_choice_prompt_lists_lettered_options():
    p = {**PROBLEM, "domain": "choice", "choices": ["red", "blue"]}
    user = dict(recipe.solve_request(p, 0, None, CFG).messages)["user"]
    assert "A. red\nB. blue" in user


def test_request_key_covers_what_changes_the_output():
    from dataclasses import replace

    r = recipe.solve_request(PROBLEM, 0, None, CFG)
    assert replace(r).key() == r.key()
    for change in (
        {"max_tokens": 7},
        {"seed": 1},
        {"temperature": 0.5},
        {"model": "m"},
        {"json_schema": "{}"},
        {"stage": "plan"},
    ):
        assert replace(r, **change).key() != r.key(), change


def test_parse_triage():
    assert recipe.parse_triage('{"hard": false, "topics": ["a", "b"]}') == (False, ["a", "b"])
    assert recipe.parse_triage('sure: {"hard": true}') == (True, [])
    assert recipe.parse_triage("hard: true, maybe")[0] is True
    assert recipe.parse_triage("I don't know") == (None, [])


def test_needs_plan_errs_towards_planning():
    assert recipe.needs_plan(True, CFG) and recipe.needs_plan(None, CFG)
    assert not recipe.needs_plan(False, CFG)
    assert not recipe.needs_plan(True, load_config(sets=["plan.enabled=false"]))
    assert recipe.needs_plan(False, load_config(sets=["plan.triage=false"]))


def test_parse_plan_strips_tags_and_answer_lines():
    text = "<plan>1. Add the numbers.\nThe final answer is 4.\n2. Check.</plan>"
    assert recipe.parse_plan(text) == "1. Add the numbers.\n2. Check."
    assert recipe.parse_plan("Step one") == "Step one"
    assert recipe.parse_plan("<plan></plan>") is None


def test_judge_compares_distinct_answers_in_both_orders_seeing_only_answers():
    cands = [cand(0, "4", "<think>secret</think>\\boxed{4}"), cand(1, "4"), cand(2, "5")]
    comps = recipe.judge_comparisons(PROBLEM, cands, CFG)
    assert [(c.first, c.second) for c in comps] == [(0, 2), (2, 0)]
    user = dict(comps[0].request.messages)["user"]
    assert "secret" not in user and "\\boxed{4}" in user
    assert all(c.request.stage == "judge" for c in comps)


def test_no_judge_when_candidates_agree_or_have_no_answer():
    assert recipe.judge_comparisons(PROBLEM, [cand(0, "4"), cand(1, "4.")], CFG) == []
    assert recipe.judge_comparisons(PROBLEM, [cand(0, None), cand(1, "4")], CFG) == []
    one_order = load_config(sets=["judge.both_orders=false"])
    assert len(recipe.judge_comparisons(PROBLEM, [cand(0, "1"), cand(1, "2"), cand(2, "3")], one_order)) == 3


def test_parse_judge():
    assert recipe.parse_judge('{"better": 2, "explanation": "right"}') == (2, "right")
    assert recipe.parse_judge("better: 1 because")[0] == 1
    assert recipe.parse_judge("both are fine")[0] is None


def test_judge_decision_maps_position_to_sample_and_records_failures():
    comp = recipe.Comparison(first=2, second=0, request=None)
    assert recipe.judge_decision(comp, '{"better": 1}', None)["winner"] == 2
    assert recipe.judge_decision(comp, '{"better": 2}', None)["winner"] == 0
    bad = recipe.judge_decision(comp, "hmm", None)
    assert bad["winner"] is None and bad["error"] == "unparsable reply"
    err = recipe.judge_decision(comp, "", "timeout")
    assert err["winner"] is None and err["error"] == "timeout"


def test_choose_rules():
    assert recipe.choose([cand(0, "4"), cand(1, "4")], []) == (0, "agreement")
    assert recipe.choose([cand(0, "4")], []) == (0, "single")
    assert recipe.choose([cand(0, None, error="x"), cand(1, None)], []) == (1, "no_answer")
    assert recipe.choose([cand(0, None, error="x")], []) == (None, "error")
    assert recipe.choose([cand(0, None), cand(1, "7")], []) == (1, "single")
    three = [cand(0, "1"), cand(1, "2"), cand(2, "2")]
    wins_for_0 = [{"winner": 0}, {"winner": 0}]
    assert recipe.choose(three, wins_for_0) == (0, "judge")
    # a judge that failed everywhere: the majority answer wins, then the lower index
    assert recipe.choose(three, [{"winner": None}] * 2) == (1, "judge")
    assert recipe.choose([cand(0, "1"), cand(1, "2")], [{"winner": 0}, {"winner": 1}]) == (0, "judge")


def test_only_verified_candidate_skips_the_judge_when_configured():
    cands = [cand(0, "1"), cand(1, "2"), cand(2, "3")]
    cands[2]["verdict"] = "correct"
    assert len(recipe.judge_comparisons(PROBLEM, cands, CFG)) == 6  # default: the judge decides
    skip = load_config(sets=["judge.skip_when_one_verified=true"])
    assert recipe.judge_comparisons(PROBLEM, cands, skip) == []
    assert recipe.choose(cands, [], skip) == (2, "verified")


def test_solution_row_counts_verdicts():
    cands = [cand(0, "4"), cand(1, "5")]
    cands[0]["verdict"], cands[1]["verdict"] = "correct", "incorrect"
    row = recipe.solution_row("j", {**PROBLEM, "answer": "4"}, cands, [{"winner": 0}])
    assert row["chosen_sample"] == 0 and row["status"] == "correct"
    assert row["n_correct"] == 1 and row["pass_at_1"] == 0.5
    unv = recipe.solution_row("j", PROBLEM, [cand(0, "4")], [])
    assert unv["n_correct"] is None and unv["pass_at_1"] is None


def test_prompt_templates_format():
    triage = recipe.triage_request(PROBLEM, CFG)
    assert '"hard" (true or false)' in dict(triage.messages)["system"]
    assert json.loads(triage.json_schema)["required"] == ["hard", "topics"]
    assert "\\boxed{}." in dict(recipe.solve_request(PROBLEM, 0, None, CFG).messages)["user"]
    assert '{"better": 1 or 2' in Recipe().judge_user.format(problem="p", first="a", second="b")


def test_the_judge_sees_at_most_answer_chars_of_each_response():
    long = "The answer follows. " * 750 + "\\boxed{4}"  # 15k characters and no <think> at all
    cands = [cand(0, "4", long), cand(1, "5", "<think>" + "x" * 9000 + "</think>" + "y" * 9000 + "\\boxed{5}")]
    comps = recipe.judge_comparisons(PROBLEM, cands, CFG)
    user = dict(comps[0].request.messages)["user"]
    limit = CFG.judge.answer_chars
    assert len(user) < 2 * limit + 500 and "\\boxed{4}" in user and "\\boxed{5}" in user
    assert recipe.judge_view("short", limit) == "short"


def test_distillation_prompts_letter_every_option_up_to_z():
    from k2batch.distill import examples

    choices = [f"option {i}" for i in range(26)]
    c = {**cand(0, "Z", "\\boxed{Z}"), "verdict": "correct", "verdict_reason": "same option", "seed": 1}
    row = {"id": "q", "problem": "Pick.", "domain": "choice", "choices": choices, "reference": "Z",
           "chosen_sample": 0, "candidates": [c]}  # fmt: skip
    [ex] = examples([row], "job-x")
    user = ex["messages"][1]["content"]
    assert "K. option 10" in user and "Z. option 25" in user


def test_solve_problem_is_the_pipeline_s_recipe_for_one_problem(tmp_path):
    """The sequential reference gives the row the Beam pipeline gives, call for call."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from k2batch.backends import get_backend
    from k2batch.job import run_solve
    from k2batch.testing import instant
    from k2batch.validate import validate_row

    instant.register()
    cfg = load_config(sets=["backend.kind=instant", "samples=3"])
    rows = [{"id": f"p{i}", "problem": f"Give the answer {i}.", "answer": str(i)} for i in range(6)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    run_solve(str(tmp_path / "in.parquet"), str(tmp_path / "out"), cfg)
    piped = {r["id"]: r for r in pq.read_table(tmp_path / "out" / "solutions").to_pylist()}
    backend = get_backend(cfg.backend)
    for i, row in enumerate(rows):
        problem, _ = validate_row(row, i)
        one, beam = recipe.solve_problem(problem, backend, cfg, job_id=piped[row["id"]]["job_id"]), piped[row["id"]]
        for key in ("chosen_sample", "chosen_answer", "status", "selection", "triage_hard", "n_correct"):
            assert one[key] == beam[key], (row["id"], key)
        assert one["candidates"] == beam["candidates"] and one["judge"] == beam["judge"]

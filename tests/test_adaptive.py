"""Adaptive test-time compute on the instant backend (no model): top-ups only where candidates
disagree, reuse of every stored sample, retry of only the replies cut at the token limit, and the
confirming judge."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from k2batch import recipe
from k2batch.backends import get_backend
from k2batch.config import load_config
from k2batch.extract import normalize_answer
from k2batch.job import run_solve
from k2batch.testing import instant
from k2batch.validate import validate_row

ROWS = [{"id": f"p{i}", "problem": f"Give the answer {i}.", "answer": str(i)} for i in range(12)]


@pytest.fixture(autouse=True)
def _instant():
    instant.register()


def solve(tmp_path, out: str, samples, sets=()):
    src = tmp_path / "in.parquet"
    if not src.exists():
        pq.write_table(pa.Table.from_pylist(ROWS), src)
    cfg = load_config(sets=["backend.kind=instant", *sets], overrides={"samples": samples})
    run_solve(str(src), str(tmp_path / out), cfg)
    sols = {r["id"]: r for r in pq.read_table(tmp_path / out / "solutions").to_pylist()}
    return sols, pq.read_table(tmp_path / out / "token_stats").to_pylist(), cfg


def _answers(row) -> list:
    return [normalize_answer(c["answer"]) for c in row["candidates"]]


def test_min_equal_max_is_today_s_fixed_best_of_n(tmp_path):
    fixed, fixed_calls, _ = solve(tmp_path, "fixed", 3)
    ranged, ranged_calls, _ = solve(tmp_path, "ranged", {"min": 3, "max": 3})
    strip = lambda r: {k: v for k, v in r.items() if k != "job_id"}  # noqa: E731
    assert {k: strip(v) for k, v in fixed.items()} == {k: strip(v) for k, v in ranged.items()}
    assert sorted(c["call_key"] for c in fixed_calls) == sorted(c["call_key"] for c in ranged_calls)


def test_top_ups_only_where_candidates_disagree_and_reuse_every_stored_sample(tmp_path):
    sols, calls, _ = solve(tmp_path, "out", {"min": 2, "max": 4})
    sizes = {len(r["candidates"]) for r in sols.values()}
    assert sizes <= {2, 3, 4} and len(sizes) > 1  # some settle at 2, some get more
    for r in sols.values():
        a = _answers(r)
        if len(a) == 2:
            assert a[0] == a[1]  # settled: the two agree
        else:
            assert a[0] != a[1]  # topped up because they disagreed
            assert len(a) == 4 or len(set(a)) == 1 or len(set(a[:-1])) > 1
    assert [c["sample"] for r in sols.values() for c in r["candidates"]] == [
        s for r in sols.values() for s in range(len(r["candidates"]))
    ]
    # a rerun with a larger max reuses every stored sample and only adds top-ups
    more, calls2, _ = solve(tmp_path, "out", {"min": 2, "max": 5})
    hits = {c["call_key"] for c in calls2 if c["cache_hit"]}
    assert {c["call_key"] for c in calls} <= hits
    for pid, r in sols.items():
        assert more[pid]["candidates"][: len(r["candidates"])] == r["candidates"]


def test_the_sequential_recipe_is_the_adaptive_pipeline(tmp_path):
    sets = ["judge.mode=confirm"]
    piped, _, cfg = solve(tmp_path, "out", {"min": 1, "max": 4}, sets)
    backend = get_backend(cfg.backend)
    for i, row in enumerate(ROWS):
        problem, _ = validate_row(row, i)
        one = recipe.solve_problem(problem, backend, cfg, job_id=piped[row["id"]]["job_id"])
        assert one["candidates"] == piped[row["id"]]["candidates"], row["id"]
        assert one["judge"] == piped[row["id"]]["judge"] and one["chosen_sample"] == piped[row["id"]]["chosen_sample"]


def test_a_larger_token_limit_recomputes_only_the_replies_cut_at_the_old_one(tmp_path):
    # instant replies run 13 tokens for one-digit answers and 14 for two: a limit of 13 cuts the latter
    sets = ["plan.enabled=false", "judge.enabled=false"]
    _, short, _ = solve(tmp_path, "out", 2, [*sets, "stages.generate.max_tokens=13"])
    cut = {(c["problem_id"], c["sample"]) for c in short if c["finish_reason"] == "length"}
    assert cut and len(cut) < len(short)
    _, longer, _ = solve(tmp_path, "out", 2, [*sets, "stages.generate.max_tokens=64"])
    remade = {(c["problem_id"], c["sample"]) for c in longer if not c["cache_hit"]}
    assert remade == cut
    assert all(c["finish_reason"] == "stop" for c in longer)


def test_confirm_mode_asks_the_reverse_order_only_to_overrule_the_majority(tmp_path):
    """The instant judge always prefers whatever it is shown first: a pure position bias. In pairs
    mode it asks both orders; in confirm mode once, and again only where the first call went to
    the minority, where the reverse order then disagrees, so the majority stands."""
    pairs, pair_calls, _ = solve(tmp_path, "pairs", 3)
    confirm, confirm_calls, _ = solve(tmp_path, "confirm", 3, ["judge.mode=confirm"])
    judge = lambda calls: sum(c["stage"] == "judge" for c in calls)  # noqa: E731
    assert 0 < judge(confirm_calls) < judge(pair_calls)
    for pid, r in confirm.items():
        groups = recipe.answer_groups(r["candidates"])
        sizes = sorted((len(g) for g in groups.values()), reverse=True)
        if len(sizes) > 1 and sizes[0] > sizes[1]:  # a majority: a biased judge cannot overrule it
            majority = max(groups.values(), key=len)
            assert r["chosen_sample"] in majority, pid
        flips = [d for d in r["judge"] if d["orders_agree"] is False]
        assert len(flips) in (0, 2), pid  # a confirmation that disagreed is recorded on both orders
    assert any(d["orders_agree"] is False for r in pairs.values() for d in r["judge"])

from k2batch.stats import by_stage, job_summary, percentile, problem_rows


def call(pid, stage, p, c, hit=False, err=None, lat=1.0):
    return {
        "problem_id": pid,
        "stage": stage,
        "prompt_tokens": p,
        "completion_tokens": c,
        "cache_hit": hit,
        "error": err,
        "latency_s": lat,
        "reasoning_tokens": None,
    }


def sol(pid, domain, status, pass1, selection="judge"):
    return {"id": pid, "domain": domain, "status": status, "pass_at_1": pass1, "selection": selection}


CALLS = [
    call("a", "triage", 10, 5),
    call("a", "plan", 20, 10),
    call("a", "generate", 30, 100),
    call("a", "generate", 30, 300, hit=True),
    call("a", "judge", 50, 10),
    call("b", "generate", 30, 200),
    call("b", "generate", 30, 0, err="HTTP 500"),
]
SOLS = [sol("a", "math", "correct", 0.5), sol("b", "code", "incorrect", 0.0, "single")]


def test_percentile():
    assert percentile([1, 2, 3, 4], 50) == 2.5 and percentile([5], 90) == 5 and percentile([], 90) is None
    assert percentile(list(range(11)), 90) == 9


def test_by_stage_totals():
    s = by_stage(CALLS)
    assert s["generate"] == {
        "calls": 4,
        "reused": 1,
        "failed": 1,
        "prompt_tokens": 120,
        "completion_tokens": 600,
        "reasoning_tokens": 0,
        "latency_s": 4.0,
    }


def test_job_summary():
    j = job_summary(CALLS, SOLS, rejects=2)
    assert j["problems"] == 2 and j["rejects"] == 2 and j["calls"] == 7 and j["calls_reused"] == 1
    assert j["tokens"] == 825
    assert j["response_length"]["median"] == 200 and j["response_length"]["n"] == 3  # failed call left out
    assert abs(j["overhead_share"] - 105 / 825) < 1e-9
    assert j["verified_rate"] == 0.5 and j["best_of_n"] == 0.5 and j["pass_at_1"] == 0.25
    assert j["tokens_per_verified"] == 825 and j["selection"] == {"judge": 1, "single": 1}


def test_problem_rows():
    rows = {r["id"]: r for r in problem_rows(CALLS, SOLS)}
    assert rows["a"]["calls"] == 5 and rows["a"]["overhead_tokens"] == 105
    assert rows["a"]["mean_response_tokens"] == 200 and rows["b"]["pass_at_1"] == 0.0


def test_a_problem_without_pass_at_1_is_left_out_not_a_crash():
    # a candidate whose verification ended in error (a timeout) leaves pass_at_1 null
    sols = [*SOLS, sol("c", "math", "correct", None)]
    j = job_summary(CALLS, sols)
    assert j["pass_at_1"] == 0.25 and j["verified_rate"] == 2 / 3
    assert job_summary([], [sol("d", "math", "incorrect", None)])["pass_at_1"] is None

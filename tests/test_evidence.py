"""The evidence: pass@k against hand-computed values, maj@k with ties, the judge audit on crafted
rows, bootstrap intervals, and the report's tables."""

import json
import math

import pytest

from k2batch.evidence import (
    accuracy_rows,
    audit_rows,
    bootstrap_ci,
    evidence,
    maj_at_k,
    majority_pick,
    pass_at_k,
    shortest_pick,
)


def cand(sample, answer, verdict, response=None, error=None):
    return {
        "sample": sample,
        "answer": answer,
        "verdict": verdict,
        "response": response if response is not None else f"<think>hmm</think>\\boxed{{{answer}}}",
        "error": error,
    }


def row(pid, cands, status, decisions=(), selection="judge", **extra):
    chosen = next((c for c in cands if c["verdict"] == status), cands[0])
    return {"id": pid, "candidates": cands, "judge": list(decisions), "status": status,
            "selection": selection, "chosen_sample": chosen["sample"], **extra}  # fmt: skip


def dec(first, second, winner):
    return {"first": first, "second": second, "winner": winner, "rationale": None, "error": None}


# pass@k ------------------------------------------------------------------------------------------


def test_pass_at_k_hand_computed():
    assert pass_at_k(5, 2, 1) == pytest.approx(0.4)
    assert pass_at_k(5, 2, 2) == pytest.approx(0.7)  # 1 - C(3,2)/C(5,2) = 1 - 3/10
    assert pass_at_k(5, 2, 3) == pytest.approx(0.9)  # 1 - C(3,3)/C(5,3) = 1 - 1/10
    assert pass_at_k(5, 2, 4) == 1.0 and pass_at_k(5, 2, 5) == 1.0
    assert pass_at_k(5, 0, 1) == 0.0 and pass_at_k(5, 0, 5) == 0.0
    assert pass_at_k(3, 3, 1) == 1.0 and pass_at_k(1, 1, 1) == 1.0 and pass_at_k(1, 0, 1) == 0.0
    for n in range(1, 12):  # the product equals the binomial form everywhere
        for c in range(n + 1):
            for k in range(1, n + 1):
                assert pass_at_k(n, c, k) == pytest.approx(1 - math.comb(n - c, k) / math.comb(n, k))
    with pytest.raises(ValueError):
        pass_at_k(3, 1, 4)


def test_pass_at_k_in_the_evidence_with_varying_n():
    rows = [
        row("a", [cand(i, "1" if i < 2 else "2", "correct" if i < 2 else "incorrect") for i in range(5)],
            "correct"),
        row("b", [cand(0, "3", "incorrect"), cand(1, "4", "incorrect")], "incorrect"),
        row("u", [cand(0, "5", "correct"), cand(1, "6", "unverified")], "correct"),  # not every verdict
    ]  # fmt: skip
    ev = evidence(rows, [])
    assert ev["problems"] == 3 and ev["verifiable"] == 2 and ev["candidates"] == {"max": 5, "min": 2}
    p = {e["k"]: e for e in ev["pass_at_k"]}
    assert p[1]["mean"] == pytest.approx((0.4 + 0) / 2) and p[1]["problems"] == 2 and p[1]["left_out"] == 0
    assert p[2]["mean"] == pytest.approx((0.7 + 0) / 2)
    assert p[3]["mean"] == pytest.approx(0.9) and p[3]["problems"] == 1 and p[3]["left_out"] == 1
    assert p[5]["mean"] == 1.0 and sorted(p) == [1, 2, 3, 4, 5]
    assert ev["best_of_n"]["mean"] == 0.5 and ev["best_of_n"]["problems"] == 2
    json.dumps(ev)  # serialisable as it is


# maj@k -------------------------------------------------------------------------------------------


def test_maj_at_k_ties_go_to_the_lower_sample():
    cands = [cand(0, "7", "incorrect"), cand(1, "1,000", "correct"), cand(2, "$1000$", "correct"),
             cand(3, "7.", "incorrect")]  # fmt: skip
    assert [maj_at_k(cands, k) for k in (1, 2, 3, 4)] == [False, False, True, False]
    # k=2: 7 vs 1000, one each: sample 0's; k=3: 1000 twice (normalised); k=4: two each, sample 0's
    assert majority_pick(cands[1:]) == 1 and majority_pick(cands) == 0
    assert majority_pick([cand(1, "9", "incorrect"), cand(0, "8", "correct")]) == 0  # order of the list
    none = [cand(0, None, "incorrect"), cand(1, None, "incorrect")]
    assert maj_at_k(none, 2) is False and majority_pick(none) == 0
    ev = evidence([row("x", cands, "correct")], [])
    assert [e["mean"] for e in ev["maj_at_k"]] == [0.0, 0.0, 1.0, 0.0]


def test_shortest_answer_reads_the_text_after_think():
    cands = [
        cand(0, "12", "correct", "<think>short</think>A long explanation, then \\boxed{12}."),
        cand(1, "13", "incorrect", "<think>" + "very long reasoning " * 50 + "</think>\\boxed{13}"),
        cand(2, None, "incorrect", "<think>x</think>"),  # no answer: never the shortest
        cand(3, "13", "incorrect", "<think>y</think>\\boxed{13}"),  # same length as 1: the lower wins
    ]
    assert shortest_pick(cands) == 1


# The judge audit ---------------------------------------------------------------------------------

LONG = "<think>t</think>Because 7 squared is 49 and 49 - 42 = 7, the answer is \\boxed{7}."
SHORT = "<think>much longer reasoning here, never shown to the judge</think>\\boxed{8}"


def audit_rows_fixture():
    p1 = row(
        "p1",
        [cand(0, "7", "correct", LONG), cand(1, "8", "incorrect", SHORT), cand(2, "8", "incorrect", SHORT)],
        "correct",
        [dec(0, 1, 0), dec(1, 0, 1), dec(0, 2, None)],
    )  # flip; one failed decision
    p2 = row(
        "p2",
        [
            cand(0, "5", "correct", "<think>a</think>\\boxed{5}"),
            cand(1, "5.0", "correct", "<think>b</think>So it is \\boxed{5.0}"),
        ],
        "correct",
        [dec(0, 1, 1), dec(1, 0, 1)],
    )  # consistent: the longer answer both times
    p3 = row("p3", [cand(0, "1", "incorrect"), cand(1, "2", "correct"), cand(2, "3", "incorrect"),
                    cand(3, "3", "incorrect")], "incorrect", selection="judge")  # fmt: skip
    return [p1, p2, p3]


def test_judge_audit_on_crafted_rows():
    a = evidence(audit_rows_fixture(), [{"prompt_tokens": 60, "completion_tokens": 30}])["judge_audit"]
    assert a["contested"] == 2 and a["decided_by"] == {"judge": 2}
    acc = {k: v["mean"] for k, v in a["accuracy"].items()}
    # p1: stored right, majority (8) wrong, shortest (8, sample 1) wrong, first right;
    # p3: stored wrong, majority (3) wrong, shortest (all equal: sample 0) wrong, first wrong
    assert acc == {"stored": 0.5, "majority": 0.0, "shortest": 0.0, "first": 0.5,
                   "random": pytest.approx((1 / 3 + 1 / 4) / 2), "oracle": 1.0}  # fmt: skip
    assert a["order_flip"] == {"pairs": 2, "flips": 1, "rate": 0.5}
    # decisions with a winner: p1 (0,1)->0, (1,0)->1; p2 (0,1)->1, (1,0)->1
    assert a["first_shown_wins"] == {"decisions": 4, "rate": 0.75}
    assert a["longer_wins"] == {"decisions": 4, "rate": 0.75}  # all but p1's (1,0)->1


def test_tokens_per_verified_and_tables():
    calls = [{"prompt_tokens": 60, "completion_tokens": 30}, {"prompt_tokens": 10, "completion_tokens": 0}]
    ev = evidence(audit_rows_fixture(), calls)
    assert ev["tokens"] == 100 and ev["verified_solutions"] == 2 and ev["tokens_per_verified"] == 50
    acc = accuracy_rows(ev)
    assert acc[0] == ("metric", "k", "problems", "mean", "95 % CI")
    assert [r[:2] for r in acc[1:]] == [("pass@k", "1"), ("pass@k", "2"), ("pass@k", "3"), ("pass@k", "4"),
                                        ("maj@k", "1"), ("maj@k", "2"), ("maj@k", "3"), ("maj@k", "4"),
                                        ("Best-of-N (judge)", "4")]  # fmt: skip
    audit = {r[0]: r for r in audit_rows(ev)}
    assert audit["order-flip rate (pairs asked both ways)"][1:] == ("0.500", "", "2")
    assert audit["correct: oracle"][1] == "1.000" and audit["contested problems"][3] == "judge 2"
    assert not any(r[0].startswith("plan ablation") for r in audit.values())
    assert evidence([], [])["best_of_n"]["mean"] is None  # an empty job: no crash


def test_plan_ablation_pairs_rows_by_id_suffix():
    r = [row("p1", [cand(0, "1", "correct")], "correct"), row("p2", [cand(0, "1", "correct")], "correct"),
         row("p1#noplan", [cand(0, "2", "incorrect")], "incorrect", plan_ablation=True),
         row("p2#noplan", [cand(0, "1", "correct")], "correct", plan_ablation="true"),
         row("q#noplan", [cand(0, "1", "correct")], "correct", plan_ablation=True)]  # fmt: skip
    ev = evidence(r, [])
    assert ev["problems"] == 2  # the control arm is not part of the main numbers
    p = ev["plan_ablation"]
    assert p["pairs"] == 2 and p["unpaired"] == 1 and p["planned_minus_unplanned"]["mean"] == 0.5
    assert any(r_[0].startswith("plan ablation") for r_ in audit_rows(ev))
    assert evidence(r[:2], [])["plan_ablation"] is None


# Bootstrap ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("values", [[1, 0, 1, 1, 0, 1, 0, 1, 1, 1], [0.4, 0.7, 0.1, 1.0, 0.0, 0.33, 0.5]])
def test_bootstrap_ci_contains_the_mean_and_is_deterministic(values):
    lo, hi = bootstrap_ci(values)
    mean = sum(values) / len(values)
    assert 0 <= lo < mean < hi <= 1
    assert bootstrap_ci(values) == [lo, hi]  # fixed seed
    narrow = bootstrap_ci(values * 20)
    assert narrow[1] - narrow[0] < hi - lo  # more problems, a tighter interval


def test_bootstrap_ci_edge_cases():
    assert bootstrap_ci([]) is None
    assert bootstrap_ci([1, 1, 1]) == [1.0, 1.0] and bootstrap_ci([0.5]) == [0.5, 0.5]

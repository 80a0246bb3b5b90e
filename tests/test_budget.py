"""Hard budgets on the instant backend (no model): never past the budget by more than the calls
in flight, the rest rejected with reason "budget", and a rerun with a larger budget solving them
while reusing every stored call."""

import datetime as dt
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from k2batch import budget, shared
from k2batch.backends import ChatResult
from k2batch.config import load_config
from k2batch.job import run_solve
from k2batch.shared import Shared
from k2batch.testing import instant, moto_s3

ROWS = [{"id": f"p{i}", "problem": f"Give the answer {i}.", "answer": str(i)} for i in range(20)]
BASE = ["backend.kind=instant", "samples=2", "runner.batch_size=1"]  # one call in flight at a time


@pytest.fixture(autouse=True)
def _instant():
    instant.register()


def solve(tmp_path, sets):
    src = tmp_path / "in.parquet"
    tmp_path.mkdir(parents=True, exist_ok=True)
    if not src.exists():
        pq.write_table(pa.Table.from_pylist(ROWS), src)
    manifest = run_solve(str(src), str(tmp_path / "out"), load_config(sets=[*BASE, *sets]))
    out = tmp_path / "out"
    sols = pq.read_table(out / "solutions").to_pylist()
    rejects = pq.read_table(out / "rejects").to_pylist()
    calls = pq.read_table(out / "token_stats").to_pylist()
    return manifest, sols, rejects, calls


def test_the_budget_is_never_exceeded_beyond_the_call_in_flight_and_a_rerun_solves_the_rest(tmp_path):
    _, _, _, full = solve(tmp_path / "ref", [])
    per_problem = sum(c["prompt_tokens"] + c["completion_tokens"] for c in full) / len(ROWS)
    biggest = max(c["prompt_tokens"] + c["completion_tokens"] for c in full)
    cap = int(per_problem * 6.5)
    manifest, sols, rejects, calls = solve(
        tmp_path, [f"budget.tokens={cap}", f"budget.tokens_per_problem={int(per_problem * 1.2)}"]
    )
    spent = sum(
        c["prompt_tokens"] + c["completion_tokens"] for c in calls if not c["cache_hit"] and not c["error"]
    )
    assert spent == manifest["budget"]["tokens_spent"] <= cap + biggest
    assert manifest["status"] == "partial" and manifest["budget"]["tokens"] == cap
    budget_rejects = [r for r in rejects if r["reason"].startswith("budget")]
    assert budget_rejects and len(budget_rejects) == manifest["budget"]["rejected_for_budget"]
    assert {s["id"] for s in sols} | {r["id"] for r in rejects} == {r["id"] for r in ROWS}  # nothing lost
    assert 3 <= len(sols) <= 8  # about cap / per_problem admitted, and they finished
    assert all(not c["error"] for s in sols for c in s["candidates"])
    first_keys = {c["call_key"] for c in calls if not c["error"]}
    # a larger budget: the same job (budgets are not in its identity), every stored call reused
    enough = budget.upper_bound(load_config(sets=BASE), 40) * len(ROWS)  # admits all by the upper bound
    manifest2, sols2, rejects2, calls2 = solve(tmp_path, [f"budget.tokens={enough}"])
    assert manifest2["job_id"] == manifest["job_id"] and manifest2["status"] == "succeeded"
    assert len(sols2) == len(ROWS) and not rejects2
    assert first_keys <= {c["call_key"] for c in calls2 if c["cache_hit"]}


def test_no_call_starts_past_the_budget_however_many_a_batch_queues(tmp_path):
    _, _, _, full = solve(tmp_path / "ref", [])
    per_problem = sum(c["prompt_tokens"] + c["completion_tokens"] for c in full) / len(ROWS)
    biggest = max(c["prompt_tokens"] + c["completion_tokens"] for c in full)
    cap = int(per_problem * 6.5)
    # 32 requests a batch, one engine working through them, and a projection a third of the real
    # spend (too many problems admitted): the budget is checked before each call all the same
    manifest, sols, rejects, _ = solve(tmp_path, [f"budget.tokens={cap}", "runner.batch_size=32",
                                                  f"budget.tokens_per_problem={int(per_problem / 3)}"])  # fmt: skip
    assert manifest["budget"]["tokens_spent"] <= cap + biggest
    assert manifest["status"] == "partial" and rejects
    assert {s["id"] for s in sols} | {r["id"] for r in rejects} == {r["id"] for r in ROWS}


def _three_processes_share(folder: str) -> None:
    cfg = load_config(sets=[*BASE, "budget.tokens=1000", "budget.tokens_per_problem=400"])
    a, b, c = (budget.Ledger(cfg, Shared(folder, budget.KEYS)) for _ in range(3))
    problem = lambda pid: {"id": pid, "problem": "Give the answer 1."}  # noqa: E731
    assert a.allow(problem("p1")) is None and b.allow(problem("p2")) is None  # 400 + 400 reserved
    why = c.allow(problem("p3"))  # + 400 > 1000, though c has nothing in flight: the reason says so
    assert why == "budget: 0 of 1,000 tokens spent; 800 tokens held by problems in flight, 400 projected " \
                  "for this one (not admitted)", why
    a.spend("p1", ChatResult("x", "stop", prompt_tokens=300, completion_tokens=300, backend="instant"))
    a.release("p1")
    assert b.allow(problem("p2")) is None  # admitted: it goes on while the run's spend fits
    b.spend("p2", ChatResult("x", "stop", prompt_tokens=250, completion_tokens=250, backend="instant"))
    assert b.allow(problem("p2")) == "budget: 1,100 of 1,000 tokens spent"  # 600 by a, 500 by b
    assert "1,100 of 1,000" in a.allow(problem("p4"))


def test_the_processes_of_a_run_share_one_budget(tmp_path, monkeypatch):
    """Ledgers of one run as separate worker processes keep them (each its own file under the
    run's staging area): each admits and calls against the whole run's spend and reservations."""
    monkeypatch.setattr(shared, "SHARED_S", 0.0)  # read the others' files at every check
    _three_processes_share(str(tmp_path / "staging" / "_budget"))
    assert len(list((tmp_path / "staging" / "_budget").iterdir())) == 2  # a and b; no temporary left


def test_the_same_through_a_bucket(monkeypatch):
    import s3fs

    monkeypatch.setattr(shared, "SHARED_S", 0.0)
    with moto_s3():
        s3fs.S3FileSystem().mkdir("k2batch-budget")
        _three_processes_share("s3://k2batch-budget/out/_staging/run/_budget")


def test_a_deadline_in_the_past_admits_nothing(tmp_path):
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    manifest, sols, rejects, calls = solve(tmp_path, [f"budget.deadline={past}"])
    assert not sols and len(rejects) == len(ROWS)
    assert all("past the deadline" in r["reason"] for r in rejects)
    assert manifest["status"] == "partial" and manifest["calls"]["made"] == manifest["calls"]["failed"] == 0
    assert manifest["calls"]["refused"] > 0  # not made, not failed: a later deadline goes on
    assert manifest["budget"]["tokens_spent"] == 0 and not any(c["completion_tokens"] for c in calls)


def test_a_dollar_budget_uses_the_price_table(tmp_path):
    prices = json.dumps({"instant": {"input": 1000.0, "output": 2000.0}})  # USD per million tokens
    _, _, _, full = solve(tmp_path / "ref", [])
    usd = [budget.call_cost(load_config(sets=[f"prices={prices}"]), c["model"], c["backend"],
                            c["prompt_tokens"], c["completion_tokens"]) for c in full]  # fmt: skip
    cap = sum(usd) / 4  # a quarter of what the whole set costs
    manifest, sols, rejects, calls = solve(tmp_path, [f"prices={prices}", f"budget.usd={cap}"])
    spent = sum(budget.call_cost(load_config(sets=[f"prices={prices}"]), c["model"], c["backend"],
                                 c["prompt_tokens"], c["completion_tokens"])
                for c in calls if not c["cache_hit"] and not c["error"])  # fmt: skip
    assert spent <= cap + max(usd) and sols and rejects
    assert manifest["budget"]["usd_spent"] == pytest.approx(spent) and manifest["status"] == "partial"


def test_a_dollar_budget_needs_a_price_for_every_model_and_reserves_at_list_price_from_the_start(tmp_path):
    """An unpriced model's calls would cost $0 to the ledger: the job stops before it starts. And
    before anything is spent there is no measured rate: reservations cost the table's dearest."""
    from k2batch.config import ConfigError
    from k2batch.job import preflight

    pq.write_table(pa.Table.from_pylist(ROWS), tmp_path / "in.parquet")
    prices = json.dumps({"m": {"input": 1000.0, "output": 2000.0, "reasoning": 3000.0}})
    sets = [*BASE, "backend.model=m", f"prices={prices}", "budget.usd=0.5"]
    preflight(str(tmp_path / "in.parquet"), str(tmp_path / "out"), load_config(sets=sets))  # priced
    spilling = load_config(sets=[*sets, "backend.spill.kind=instant", "backend.spill.model=spill"])
    with pytest.raises(ConfigError, match="no price for spill"):
        preflight(str(tmp_path / "in.parquet"), str(tmp_path / "out"), spilling)

    cfg = load_config(sets=sets)
    assert budget.list_rate(cfg) == pytest.approx(3000 / 1e6)
    ledger = budget.Ledger(cfg)
    problem = {"id": "a", "problem": "Give the answer 1."}
    assert budget.upper_bound(cfg, len(problem["problem"])) * budget.list_rate(cfg) > 0.5  # a dear problem
    assert ledger.allow(problem) is None  # nothing in flight anywhere: one problem may always go
    assert "not admitted" in ledger.allow({**problem, "id": "b"})  # at $0 a token it would have gone too


def test_the_upper_bound_covers_what_a_problem_spends(tmp_path):
    cfg = load_config(sets=BASE)
    _, _, _, calls = solve(tmp_path, [])
    by_problem: dict[str, int] = {}
    for c in calls:
        by_problem[c["problem_id"]] = (
            by_problem.get(c["problem_id"], 0) + c["prompt_tokens"] + c["completion_tokens"]
        )
    assert max(by_problem.values()) <= budget.upper_bound(cfg, len(ROWS[-1]["problem"]))


def test_waves_learn_the_spend_per_problem_from_finished_ones(tmp_path):
    """Without tokens_per_problem the first admissions use the settings' upper bound; with waves,
    later problems are admitted by what finished problems really spent: more get solved, and the
    budget still holds."""
    _, _, _, full = solve(tmp_path / "ref", [])
    per_problem = sum(c["prompt_tokens"] + c["completion_tokens"] for c in full) / len(ROWS)
    biggest = max(c["prompt_tokens"] + c["completion_tokens"] for c in full)
    cap = int(per_problem * 10)
    _, one_go, _, _ = solve(tmp_path / "one", [f"budget.tokens={cap}"])
    manifest, waves, _, calls = solve(tmp_path / "waves", [f"budget.tokens={cap}", "runner.wave_size=4"])
    assert len(waves) > len(one_go)
    assert manifest["budget"]["tokens_spent"] <= cap + biggest


def test_the_report_shows_spend_against_the_budget(tmp_path):
    from k2batch.report import write_report

    manifest, _, _, _ = solve(tmp_path, ["budget.tokens=400"])
    write_report(str(tmp_path / "out"))
    md = (tmp_path / "out" / "report" / "report.md").read_text()
    assert f"{manifest['budget']['tokens_spent']:,} / 400" in md and "problems not admitted" in md


def test_a_relative_deadline_is_resolved_once_when_the_run_starts(tmp_path):
    """A nightly deployment cannot name tomorrow's date: a time of day or a duration becomes one
    date and time when the run starts, and the manifest shows it."""
    before = dt.datetime.now(dt.UTC)
    manifest, sols, _, _ = solve(tmp_path / "in4h", ["budget.deadline=PT4H"])
    after = dt.datetime.now(dt.UTC)
    deadline = dt.datetime.fromisoformat(manifest["budget"]["deadline"])
    assert before + dt.timedelta(hours=4) <= deadline <= after + dt.timedelta(hours=4)
    assert len(sols) == len(ROWS) and manifest["status"] == "succeeded"
    hour_ago = (before - dt.timedelta(hours=1)).strftime("%H:%M")  # passed today: tomorrow's, not refused
    manifest, sols, _, _ = solve(tmp_path / "daily", [f"budget.deadline={hour_ago}"])
    deadline = dt.datetime.fromisoformat(manifest["budget"]["deadline"])
    assert before < deadline <= before + dt.timedelta(days=1) and deadline.strftime("%H:%M") == hour_ago
    assert len(sols) == len(ROWS) and manifest["status"] == "succeeded"

"""Live progress (k2batch.progress, k2batch.live): the counters and their Beam metrics, the ETA
arithmetic, the rich bars (rendered to a string), log records above the bars, the plain periodic
line where stderr is not a terminal, and the total a real job sets."""

import datetime as dt
import io
import logging
import re
import threading
import time
from types import SimpleNamespace

import pytest
from rich.console import Console

from k2batch import live, progress
from k2batch.backends import ChatResult

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves: progress reads `now[0]` (monotonic) and `now[1]` (wall)."""
    now = [100.0, 1_700_000_000.0]
    monkeypatch.setattr(progress, "clock", lambda: now[0])
    monkeypatch.setattr(progress, "wallclock", lambda: now[1])
    progress.reset()
    yield now
    progress.reset()


def _cfg(tokens=None, usd=None, deadline=None, prices=None):
    return SimpleNamespace(
        budget=SimpleNamespace(tokens=tokens, usd=usd, deadline=deadline), prices=prices or {}
    )


def _job(clock, cfg=None):
    """10 problems; after 40 s: 3 correct, 1 incorrect, calls per stage, 2,000 generated tokens."""
    progress.set_total(10, cfg)
    progress.count("triage", 4, 1)
    progress.count("generate", 6, 2)
    for status in ("correct", "correct", "incorrect", "correct"):
        progress.problem_done(status)
    progress.tokens(2000, prompt=1000, stage="generate")
    clock[0] += 40


def _render(fn) -> str:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=120)
    with live.LiveDisplay(console, refresh_s=None) as d:
        fn(console)
        d.update()
    return ANSI.sub("", buf.getvalue())


def _lines(text: str) -> list[str]:
    return [part for ln in text.split("\n") for part in ln.split("\r") if part.strip()]


def test_pace_is_remaining_problems_times_seconds_per_finished_problem():
    assert progress.pace(10, 0, 30.0) == (None, None)  # nothing finished: unknown
    assert progress.pace(10, 4, 40.0) == (10.0, 60.0)  # 6 left x 10 s
    assert progress.pace(None, 4, 40.0) == (10.0, None)  # no total: no ETA
    assert progress.pace(3, 4, 8.0) == (2.0, 0.0)  # never negative


def test_snapshot_counts_eta_and_rates(clock):
    _job(clock)
    s = progress.snapshot()
    assert (s["total"], s["done"], s["verified"]) == (10, 4, 3)
    assert s["statuses"] == {"correct": 3, "incorrect": 1}
    assert s["stages"]["generate"] == {"made": 6, "reused": 2}
    assert s["stages"]["triage"] == {"made": 4, "reused": 1}
    assert (s["elapsed_s"], s["s_per_problem"], s["eta_s"]) == (40.0, 10.0, 60.0)
    assert s["tokens_per_s"] == 50.0 and s["tokens"] == 3000
    assert s["budget"] is None and s["usd"] is None  # no cfg: no budget, no prices
    assert progress.snapshot()["budget"] is None  # cfg without [budget] (getattr)


def test_with_a_forecast_the_eta_is_its_remaining_tokens_at_the_measured_rate(clock):
    progress.set_total(10, None, forecast=10_000)  # the estimate: 10,000 completion tokens
    made = [ChatResult("x", "stop", completion_tokens=1000) for _ in range(2)]
    reused = [ChatResult("x", "stop", completion_tokens=500, cache_hit=True) for _ in range(2)]
    progress.results("generate", made + reused)
    clock[0] += 20  # 2,000 made in 20 s: 100 tokens/s; 10,000 - 2,000 - 1,000 reused = 7,000 left
    s = progress.snapshot()
    assert s["done"] == 0 and (s["eta_s"], s["eta_from"]) == (70.0, "forecast")  # before any problem ends
    assert s["completion_tokens"] == 2000  # reused tokens are not throughput
    assert live.parts(s)["ETA"] == "1m 10s by the estimate"
    assert progress.eta(1000, 0, 0, 10.0) is None  # nothing made yet: no rate
    progress.tokens(8000, stage="generate")  # the job outran its forecast: the pace decides again
    progress.problem_done("correct")
    s = progress.snapshot()
    assert (s["eta_s"], s["eta_from"]) == (9 * 20.0, "pace")
    progress.set_total(10, None, forecast=100_000)  # a forecast far too high...
    progress.tokens(1000)
    clock[0] += 10
    for _ in range(4):
        progress.problem_done("correct")
    assert progress.snapshot()["eta_from"] == "forecast"
    progress.problem_done("correct")  # ...holds the ETA only until half the problems are done
    s = progress.snapshot()
    assert (s["eta_s"], s["eta_from"]) == (5 * 2.0, "pace")
    progress.set_total(10)  # no forecast: the pace of finished problems
    progress.tokens(100)
    assert progress.snapshot()["eta_from"] == "pace" and progress.snapshot()["eta_s"] is None


def test_a_forecast_counts_only_for_its_own_input():
    est = {"input": "/d/in.parquet", "rows": 10, "tokens": {"total": {"completion": {"point": 5e3}}}}
    assert progress.forecast_of(est, "/d/in.parquet", 10) == 5000.0
    assert progress.forecast_of(est, "/d/other.parquet", 10) is None
    assert progress.forecast_of(est, "/d/in.parquet", 11) is None  # another limit
    assert progress.forecast_of({"input": "/d/in.parquet", "rows": 10}, "/d/in.parquet", 10) is None
    assert progress.forecast_of(None, "/d/in.parquet", 10) is None
    est["settings"] = "abc"  # the full job's output settings, as the estimate ran them
    assert progress.forecast_of(est, "/d/in.parquet", 10, "abc") == 5000.0
    assert progress.forecast_of(est, "/d/in.parquet", 10, "def") is None  # e.g. more samples


def test_a_finished_job_keeps_its_rates_as_of_its_last_problem(clock):
    progress.set_total(2)
    progress.tokens(1000)
    clock[0] += 10
    progress.problem_done("correct")
    progress.problem_done("incorrect")
    clock[0] += 90  # reports, artifacts: later reads keep the job's numbers
    s = progress.snapshot()
    assert (s["elapsed_s"], s["tokens_per_s"], s["eta_s"]) == (10.0, 100.0, 0.0)


def test_budget_read_defensively(clock):
    progress.set_total(3, SimpleNamespace())  # a config from before [budget]
    assert progress.snapshot()["budget"] is None
    progress.set_total(3, _cfg())  # [budget] with every field None
    assert progress.snapshot()["budget"] is None
    deadline = dt.datetime.fromtimestamp(clock[1] + 3600, dt.UTC)
    progress.set_total(3, _cfg(tokens=10_000, deadline=deadline))
    s = progress.snapshot()
    assert s["budget"]["tokens"] == 10_000 and s["deadline_in_s"] == pytest.approx(3600)
    progress.set_total(3, _cfg(deadline=deadline.replace(tzinfo=None).isoformat()))  # naive text: UTC
    assert progress.snapshot()["deadline_in_s"] == pytest.approx(3600)


def test_bars_show_the_numbers(clock):
    deadline = dt.datetime.fromtimestamp(clock[1] + 30, dt.UTC)  # the ETA (60 s) misses it by 30 s
    out = _render(lambda _: _job(clock, _cfg(tokens=10_000, usd=5.0, deadline=deadline)))
    final = "\n".join(_lines(out)[-8:])  # the display as it was left
    assert "4/10 done (40%)" in final and "3 verified (1 incorrect)" in final
    assert "ETA 1m 00s" in final and "deadline in 30s (ETA 30s late)" in final
    assert "calls 6 made, 2 reused" in final and "calls 4 made, 1 reused" in final
    assert "50 tok/s" in final and "3,000 tokens (2,000 generated)" in final and "elapsed 40s" in final
    assert "3,000 / 10,000 tokens (30%)" in final and "$? / $5.00" in final  # no price table: dollars unknown
    assert "━" in final  # bars


def test_display_works_before_any_hook_is_called(clock):
    out = _render(lambda _: progress.count("plan", 2, 0))  # today: calls counted, nothing else
    final = "\n".join(_lines(out)[-7:])
    assert "0/? done" in final and "ETA –" in final and "calls 2 made, 0 reused" in final


def test_a_log_record_prints_above_the_bars_not_through_them(clock):
    logger = logging.getLogger("k2batch.test_live")
    record_line = "WARNING k2batch.test_live: a library says hello"

    def emit(console):
        handler = logging.StreamHandler(console.file)  # a handler on the display's stream
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        try:
            _job(clock)
            live_display.update()  # bars on screen, then the record
            logger.warning("a library says hello")
        finally:
            logger.removeHandler(handler)

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=120)
    with live.LiveDisplay(console, refresh_s=None) as live_display:
        emit(console)
        live_display.update()
    lines = _lines(ANSI.sub("", buf.getvalue()))
    at = [i for i, ln in enumerate(lines) if "hello" in ln]
    assert len(at) == 1 and lines[at[0]].strip() == record_line  # its own line, no bar in it
    assert any("4/10 done" in ln for ln in lines[: at[0]])  # bars were drawn before it
    assert any("4/10 done" in ln for ln in lines[at[0] + 1 :])  # and redrawn below it


def test_prefect_console_handler_prints_above_the_bars(clock):
    from prefect.logging.handlers import PrefectConsoleHandler

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=120)
    handler = PrefectConsoleHandler(stream=buf)
    logger = logging.getLogger("prefect.test_live")
    logger.addHandler(handler)
    try:
        with live.LiveDisplay(console, refresh_s=None) as d:
            _job(clock)
            d.update()
            logger.warning("Created task run 'x'")
            d.update()
    finally:
        logger.removeHandler(handler)
    assert handler.stream is buf and handler.console.file is buf  # restored
    lines = _lines(ANSI.sub("", buf.getvalue()))
    at = [i for i, ln in enumerate(lines) if "Created task run" in ln]
    assert len(at) == 1 and "━" not in lines[at[0]] and "done" not in lines[at[0]]
    assert any("4/10 done" in ln for ln in lines[at[0] + 1 :])


def test_not_a_terminal_logs_a_plain_line_periodically(clock, caplog):
    caplog.set_level(logging.INFO, logger="k2batch.progress")
    with progress.display(enabled=False, every_s=0.01):
        _job(clock)
        deadline = time.monotonic() + 5
        while not any("4/10 done" in r.getMessage() for r in caplog.records) and time.monotonic() < deadline:
            time.sleep(0.01)
    lines = [r.getMessage() for r in caplog.records if r.name == "k2batch.progress"]
    assert len(lines) >= 2 and all(r.levelno == logging.INFO for r in caplog.records)
    assert lines[-1] == (  # the last one, at the end
        "problems 4/10 done (40%), 3 verified (1 incorrect); calls: triage 4 made, 1 reused, "
        "generate 6 made, 2 reused; 50 tok/s, 3,000 tokens (2,000 generated); elapsed 40s, ETA 1m 00s"
    )


def test_results_count_tokens_and_dollars_of_calls_made_now(clock):
    pytest.importorskip("k2batch.budget")
    price = SimpleNamespace(input=1.0, output=2.0, reasoning=None)  # USD per million tokens
    cfg = _cfg(usd=1.0, prices={"m": price})
    progress.set_total(2, cfg)
    made = ChatResult("x", "stop", prompt_tokens=1000, completion_tokens=500, backend="b", model="m")
    reused = ChatResult("y", "stop", prompt_tokens=9, completion_tokens=9, model="m", cache_hit=True)
    progress.results("generate", [made, reused], cfg)
    s = progress.snapshot()
    assert (s["prompt_tokens"], s["completion_tokens"], s["usd"]) == (1000, 500, 0.002)
    assert "spend vs budget $0.0020 / $1.00;" in live.line(s)


def test_counts_reach_the_driver_through_beam_metrics(clock):
    import apache_beam as beam

    rows = [
        {"status": "correct"},
        {"status": "incorrect"},
        {"reason": "budget: not admitted"},
        {"reason": "x"},
    ]
    p = beam.Pipeline(runner="DirectRunner")
    sols = p | "Sols" >> beam.Create(rows[:2]) | "Solved" >> beam.Map(progress.solved)
    rejs = p | "Rejs" >> beam.Create(rows[2:]) | "Rejected" >> beam.Map(progress.rejected)
    _ = (sols, rejs)
    result = p.run()
    result.wait_until_finish()
    assert {k: v for k, v in progress.from_metrics(result).items() if k.startswith("problems.")} == {
        "problems.correct": 1, "problems.incorrect": 1, "problems.budget": 1, "problems.rejected": 1}  # fmt: skip
    progress.set_total(4)  # as a driver whose workers are other processes: nothing counted here
    stop = threading.Event()
    stop.set()
    progress.follow(result, stop, every_s=0)  # the final copy
    s = progress.snapshot()
    assert (s["done"], s["verified"], s["statuses"]["budget"]) == (4, 1, 1)


def test_a_job_sets_its_total(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from k2batch.config import load_config
    from k2batch.job import run_solve
    from k2batch.testing import instant

    instant.register()
    rows = [{"id": f"p{i}", "problem": f"Give the answer {i}.", "answer": str(i)} for i in range(4)]
    pq.write_table(
        pa.Table.from_pylist([*rows, {"id": "p9", "problem": "", "answer": "1"}]), tmp_path / "in.parquet"
    )
    cfg = load_config(sets=["backend.kind=instant"], overrides={"samples": 2, "limit": 5})
    manifest = run_solve(str(tmp_path / "in.parquet"), str(tmp_path / "out"), cfg)
    s = progress.snapshot()
    assert s["total"] == 5  # every row, the rejected one too
    assert s["stages"]["generate"]["made"] == 8  # 4 problems x 2 samples
    # the pipeline calls the problem_done hooks: every row, as the outputs say
    sols = pq.read_table(tmp_path / "out" / "solutions").column("status").to_pylist()
    calls = pq.read_table(tmp_path / "out" / "token_stats").to_pylist()
    made = sum(c["prompt_tokens"] + c["completion_tokens"] for c in calls if not c["cache_hit"])
    assert s["done"] == 5 and s["statuses"].get("rejected") == 1 and manifest["counts"]["rejects"] == 1
    assert s["verified"] == sols.count("correct") and s["tokens"] == made


def test_the_solve_flow_publishes_the_same_numbers_as_a_table_artifact(clock, monkeypatch):
    import flows.solve as solve_flow

    published = {}
    monkeypatch.setattr(solve_flow, "create_table_artifact", lambda **kw: published.update(kw))
    _job(clock, _cfg(tokens=10_000))
    solve_flow.publish_progress.fn({"job_id": "job-1"})
    rows = {r["measure"]: r["value"] for r in published["table"]}
    assert published["key"] == "solve-progress" and "job-1" in published["description"]
    assert rows["problems"] == "4/10 done (40%)" and rows["verified"] == "3 verified (1 incorrect)"
    assert rows["calls: generate"] == "6 made, 2 reused" and rows["ETA"] == "1m 00s"
    assert rows["tok/s"] == "50 tok/s" and rows["budget tokens"] == "3,000 / 10,000 tokens (30%)"

"""Deadline-aware routing on two instant engines, a slow primary and a fast secondary."""

import datetime as dt
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from k2batch import shared
from k2batch.config import load_config
from k2batch.job import STORE, run_solve
from k2batch.router import PRIMARY, SPILL, Router, _new_router, runner_key, with_tail
from k2batch.shared import Shared
from k2batch.store import ResultStore
from k2batch.testing import instant

ROWS = [{"id": f"p{i}", "problem": f"Give the answer {i}.", "answer": str(i)} for i in range(24)]


def test_whole_problems_spill_to_the_secondary_to_meet_the_deadline_and_a_rerun_reuses_both(tmp_path):
    instant.register()
    pq.write_table(pa.Table.from_pylist(ROWS), tmp_path / "in.parquet")
    deadline = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=6)).isoformat()
    sets = ["backend.kind=instant", "backend.model=instant-sleep40ms", "samples=2", "runner.batch_size=4",
            "backend.spill.kind=instant", "backend.spill.model=spill", f"budget.deadline={deadline}"]  # fmt: skip
    cfg = load_config(sets=sets)
    manifest = run_solve(str(tmp_path / "in.parquet"), str(tmp_path / "out"), cfg)
    # the job's tail after its last problem is kept for the next routed job on this runner
    tail = json.loads((Path(os.environ["K2BATCH_STATE_DIR"]) / "tails.json").read_text())[runner_key(cfg)]
    assert 0 < tail["tail_s"] < manifest["elapsed_s"]
    sols = pq.read_table(tmp_path / "out" / "solutions").to_pylist()
    calls = pq.read_table(tmp_path / "out" / "token_stats").to_pylist()
    models = {}
    for c in calls:
        if not c["error"]:
            models.setdefault(c["problem_id"], set()).add(c["model"])
    assert all(len(m) == 1 for m in models.values())  # whole problems: every call on one backend
    spilled = {p for p, m in models.items() if m == {"spill"}}
    assert spilled and len(spilled) < len(ROWS)  # the primary kept some, the secondary took some
    store = ResultStore(str(tmp_path / "out" / STORE))
    assert all(store.get(c["call_key"]) for c in calls if not c["error"])  # each row names its stored call
    assert manifest["counts"]["solutions"] + manifest["counts"]["rejects"] == len(ROWS)
    # as if killed before it committed: the rerun reuses the calls of both backends, and every
    # problem goes back where it ran
    (tmp_path / "out" / "manifest.json").unlink()
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).isoformat()
    cfg2 = load_config(sets=[*sets[:-1], f"budget.deadline={later}"])
    assert with_tail(cfg2).budget.tail_s == tail["tail_s"]  # the next job plans for it
    planned = _new_router(with_tail(cfg2), str(tmp_path / "next"), len(ROWS)).deadline
    assert planned == pytest.approx(cfg2.budget.deadline.timestamp() - tail["tail_s"])
    own = load_config(sets=[*sets[:-1], f"budget.deadline={later}", "budget.tail_s=30"])
    assert with_tail(own).budget.tail_s == 30  # the job's own is kept
    run_solve(str(tmp_path / "in.parquet"), str(tmp_path / "out"), cfg2)
    again = pq.read_table(tmp_path / "out" / "token_stats").to_pylist()
    made_before = {c["call_key"] for c in calls if not c["error"]}
    assert made_before <= {c["call_key"] for c in again if c["cache_hit"]}
    assert len(pq.read_table(tmp_path / "out" / "solutions")) == len(ROWS)
    ran = set(models)  # problems with a stored call (a problem not admitted in time has none: new)
    assert {c["problem_id"] for c in again if c["model"] == "spill" and not c["error"]} & ran == spilled
    assert {c["backend"] for s in sols for c in s["candidates"]} == {"instant"}


class _Down:
    """A secondary whose every call raises (not a backend's way, but a store or network fault
    around it is)."""

    name = model = "down"

    def generate(self, requests, on_result=None, deadlines=None):
        raise RuntimeError("the secondary is down")


def from_config(cfg):  # this module as a backend kind: `backend.spill.kind = "down"`
    return _Down()


def test_a_failing_secondary_fails_its_bundle_with_its_own_error(tmp_path):
    """Its thread's exception is raised in the bundle (not lost, leaving calls without results),
    after the primary's side has finished (nothing keeps spending for a bundle that is retried)."""
    from k2batch.backends import BACKENDS

    instant.register()
    BACKENDS["down"] = __name__
    pq.write_table(pa.Table.from_pylist(ROWS[:8]), tmp_path / "in.parquet")
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=600)).isoformat()
    cfg = load_config(sets=["backend.kind=instant", "samples=1", "plan.enabled=false", "judge.enabled=false",
                            "backend.spill.kind=down", f"budget.deadline={later}"])  # fmt: skip
    with pytest.raises(Exception, match="the secondary is down"):  # the first problems probe both sides
        run_solve(str(tmp_path / "in.parquet"), str(tmp_path / "out"), cfg)


def test_the_router_gives_the_primary_what_it_can_finish_in_time_spread_evenly_and_all_once_caught_up():
    now = [1000.0]
    deadline = dt.datetime.fromtimestamp(1100.0, dt.UTC).isoformat()
    rt = Router(load_config(sets=[f"budget.deadline={deadline}"]), total=40, clock=lambda: now[0],
                timer=lambda: now[0])
    first = [rt.route(f"p{i}") for i in range(8)]  # no pace yet: they alternate
    assert first == [PRIMARY, SPILL] * 4
    now[0] = 1020.0
    for i in range(0, 8, 2):
        rt.finished(f"p{i}")  # 4 problems in 20 s: 0.2 a second, 80 s left (76 planned): room for 15
    routes = [rt.route(f"q{i}") for i in range(32)]
    assert routes.count(PRIMARY) == 15  # its room: the fewest spilled that meet the deadline
    spills = "".join("p" if r == PRIMARY else "s" for r in routes).split("p")
    assert max(len(run) for run in spills) <= 2 and 7 <= routes[:16].count(PRIMARY) <= 8  # spread evenly
    now[0] = 1030.0  # caught up: the primary finished all it held, far faster than measured
    for i in range(32):
        rt.finished(f"q{i}")
    assert [rt.route(f"r{i}") for i in range(4)] == [PRIMARY] * 4
    assert Router(load_config(), total=3).route("x") == PRIMARY  # no deadline: never spill


def test_the_router_plans_for_the_tail_the_last_routed_job_on_its_runner_took_after_its_last_problem():
    deadline = dt.datetime.fromtimestamp(1100.0, dt.UTC).isoformat()

    def keeps(tail_s: float) -> tuple[float, bool]:
        now = [1000.0]
        rt = Router(load_config(sets=[f"budget.deadline={deadline}"]), total=4, clock=lambda: now[0],
                    timer=lambda: now[0], tail_s=tail_s)  # fmt: skip
        assert [rt.route(f"p{i}") for i in range(3)] == [PRIMARY, SPILL, PRIMARY]  # no pace: they alternate
        assert rt.keep("p0")
        rt.call_started("p0")
        now[0] = 1040.0
        rt.call_finished("p0", 40.0)
        rt.finished("p0")  # a problem: 40 s
        return rt.deadline, rt.keep("p2")

    assert keeps(0.0) == (1100.0, True)  # 40 s <= 0.95 x 60 s
    assert keeps(10.0) == (1090.0, True)  # 40 s <= 0.95 x 50 s
    assert keeps(20.0) == (1080.0, False)  # 40 s > 0.95 x 40 s: the job would end late
    assert keeps(80.0)[0] == 1075.0  # at most a quarter of the time the job has


@pytest.mark.parametrize(("minutes", "planned"), [(1, 6.0), (20, 60.0)])
def test_a_first_routed_job_on_a_runner_plans_for_a_tenth_of_its_time_as_its_tail_at_most_a_minute(
        minutes, planned):  # fmt: skip
    # nothing learned on this runner (a fresh state folder): a first nightly job missed its
    # deadline by the tail it did not plan for
    deadline = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)).isoformat()
    sets = ["backend.spill.kind=instant", "backend.spill.model=spill", f"budget.deadline={deadline}"]
    assert with_tail(load_config(sets=sets)).budget.tail_s == pytest.approx(planned, abs=0.2)
    assert with_tail(load_config(sets=sets[:2])).budget.tail_s is None  # no deadline: no tail


def test_a_problem_routed_to_the_primary_moves_as_its_first_call_would_start_too_late():
    """Late binding: the route is asked again when an engine picks up a problem's first call, at
    the primary's measured work per problem after the work it already holds."""
    now = [1000.0]
    deadline = dt.datetime.fromtimestamp(1100.0, dt.UTC).isoformat()
    rt = Router(load_config(sets=[f"budget.deadline={deadline}"]), total=8, clock=lambda: now[0],
                timer=lambda: now[0], per_problem=2)  # fmt: skip
    assert [rt.route(f"p{i}") for i in range(8)] == [PRIMARY, SPILL] * 4  # no pace: they alternate
    assert not rt.keep("p1")  # the secondary's stays there
    assert rt.keep("p0")  # nothing measured: the primary probes
    rt.call_started("p0")
    now[0] = 1015.0
    rt.call_finished("p0", 15.0)  # a call: 15 s; a problem: 2 calls by the settings, 30 s
    assert rt.keep("p2")  # ahead: p0's second call (15 s), then p2's 30 s: 45 <= 0.95 x 85
    now[0] = 1060.0
    assert not rt.keep("p4")  # p0's 15 s and p2's 30 s ahead, then 30: 75 > 0.95 x 40, too late
    assert rt.routes["p4"] == SPILL and rt.handed == 1 and not rt.keep("p4")  # whole: its other calls too
    assert rt.keep("p2") and rt.keep("p0")  # begun on the primary: they stay
    rt.finished("p0")  # done with 15 s of calls: the measured work per problem (no longer 30 s)
    assert rt.keep("p6")  # p2: 15 s ahead, p6 15 s: 30 <= 0.95 x 40
    assert rt.split() == {PRIMARY: 3, SPILL: 5}
    free = Router(load_config(), total=1)
    assert free.route("x") == PRIMARY and free.keep("x")  # no deadline: nothing moves


def test_the_primarys_queued_problems_that_would_end_late_run_on_the_secondary(tmp_path):
    """One batch of 12 problems, decided before any pace: 6 go to a slow primary (2 calls of 2 s a
    problem), which can finish 1 or 2 of them by a deadline 10 s away. Bound when they were
    queued, the rest would start past the deadline and be refused; bound as they start, they
    run on the secondary, whole, and every problem is solved."""
    instant.register()
    pq.write_table(pa.Table.from_pylist(ROWS[:12]), tmp_path / "in.parquet")
    sets = ["backend.kind=instant", "backend.model=instant-sleep2000ms", "samples=2", "plan.enabled=false",
            "judge.enabled=false", "runner.batch_size=24", "runner.wave_size=12", "backend.spill.kind=instant",
            "backend.spill.model=spill", "budget.deadline=PT10S"]  # fmt: skip
    manifest = run_solve(str(tmp_path / "in.parquet"), str(tmp_path / "out"), load_config(sets=sets))
    assert manifest["counts"]["solutions"] == 12 and manifest["counts"]["rejects"] == 0
    calls = pq.read_table(tmp_path / "out" / "token_stats").to_pylist()
    models = {}
    for c in calls:
        assert not c["error"]
        models.setdefault(c["problem_id"], []).append(c["model"])
    assert all(len(m) == 2 and len(set(m)) == 1 for m in models.values())  # whole problems
    on_primary = [p for p, m in models.items() if m[0] != "spill"]
    assert 1 <= len(on_primary) <= 2  # the probe, and one more if it fitted; not the batch's 6


def test_a_routed_job_runs_in_waves_only_where_late_binding_cannot_learn_a_problems_work():
    """One call a problem on llama.cpp: its work is known from the first call, so one wave. More
    calls, or a primary that decides at queue time or runs a batch whole: waves of 8 a process."""
    from k2batch.router import waved

    def wave(*sets):
        spill = ["backend.spill.kind=openai", "backend.spill.model=m", "budget.deadline=PT1H"]
        return waved(load_config(sets=[*spill, *sets])).runner.wave_size

    one_call = ["samples=1", "plan.enabled=false", "judge.enabled=false"]
    default = load_config().runner.wave_size
    assert wave(*one_call) == default  # llama.cpp binds late
    assert wave() == 8 and wave("samples=1") == 8  # plans and a judge: a problem is several calls
    assert wave(*one_call, "backend.kind=vllm", "backend.model=m") == 8  # a batch runs whole
    assert wave(*one_call, "backend.kind=openai", "backend.model=m") == 8  # decides at queue time
    assert wave("runner.workers=2") == 16  # 8 for each worker process
    assert wave("runner.wave_size=5") == 5  # the job's own
    assert waved(load_config(sets=["backend.spill.kind=openai", "backend.spill.model=m"])).runner.wave_size \
        == default  # no deadline: nothing to route by


def test_a_reruns_stored_problems_keep_their_route_and_do_not_set_the_pace():
    """Answered from the store in no time, they would make the primary look fast enough for all."""
    now = [1000.0]
    deadline = dt.datetime.fromtimestamp(1100.0, dt.UTC).isoformat()
    rt = Router(load_config(sets=[f"budget.deadline={deadline}"]), total=16, clock=lambda: now[0],
                timer=lambda: now[0])
    assert [rt.route(f"s{i}", stored=SPILL if i % 4 == 0 else PRIMARY) for i in range(8)] == \
        [SPILL, PRIMARY, PRIMARY, PRIMARY] * 2
    now[0] = 1000.01
    for i in range(8):
        rt.finished(f"s{i}")
    assert [rt.route(f"p{i}") for i in range(4)] == [PRIMARY, SPILL] * 2  # still no pace: a probe



def test_the_seconds_later_waves_will_spend_starting_are_not_counted_as_the_primarys():
    # the pace counts only the seconds the primary holds problems: each wave still to come first
    # loses the gap between waves (the last wave's tail and output, the next pipeline's start; on
    # the local runner's worker processes, new processes loading the model)
    now = [1000.0]
    cfg = load_config(sets=[f"budget.deadline={dt.datetime.fromtimestamp(1100.0, dt.UTC).isoformat()}"])

    def second_wave(waves: int | None) -> tuple[int, Router]:
        rt = Router(cfg, total=40, clock=lambda: now[0], timer=lambda: now[0])
        now[0] = 1000.0
        for i in range(8):  # wave 0: no pace yet, they alternate, and no gap measured
            rt.route(f"p{i}", wave=(0, waves, 1000.0) if waves else None)
        now[0] = 1020.0
        for i in range(0, 8, 2):
            rt.finished(f"p{i}")  # 4 problems in 20 s: 0.2 a second; the wave's last at 1020
        now[0] = 1030.0  # wave 1, started by the driver at 1026 (after writing wave 0's output)
        routes = [rt.route(f"q{i}", wave=(1, waves, 1026.0) if waves else None) for i in range(32)]
        return routes.count(PRIMARY), rt

    kept, _ = second_wave(None)  # no waves: 70 s left, room for 0.2 x 0.95 x 70 = 13.3
    assert kept == 13
    kept, rt = second_wave(4)  # 10 s lost before wave 1, 2 more such gaps to come: 50 s of work
    assert (rt._state()["startup_s"], rt._state()["startups"]) == (10.0, 1)
    assert kept == 9  # 0.2 x 0.95 x 50 = 9.5
    assert second_wave(2)[0] == 13  # the last wave: no gap to come


def test_worker_processes_route_as_one_run_and_a_later_wave_starts_from_their_pace(tmp_path, monkeypatch):
    monkeypatch.setattr(shared, "SHARED_S", 0.0)  # read the others' files at every decision
    now = [1000.0]
    cfg = load_config(sets=[f"budget.deadline={dt.datetime.fromtimestamp(1100.0, dt.UTC).isoformat()}"])

    def process(name: str, processes: int = 2) -> Router:  # one worker process's router for the run
        return Router(cfg, total=48, clock=lambda: now[0], timer=lambda: now[0],
                      shared=Shared(str(tmp_path / name), ()), processes=processes)  # fmt: skip

    def run(routers: list[Router]) -> tuple[list[str], dict[str, Router]]:
        """8 probes dealt among the processes, their primaries finished at t = 20 s, then 32 more."""
        now[0], owner = 1000.0, {}
        for k in range(40):
            if k == 8:
                now[0] = 1020.0
                for pid, rt in owner.items():
                    rt.finished(pid)  # the probes the primary took
            owner[f"p{k}"] = routers[k % len(routers)]
            owner[f"p{k}"].route(f"p{k}")
        return [owner[f"p{k}"].routes[f"p{k}"] for k in range(8, 40)], owner

    one, _ = run([process("one", processes=1)])  # the same run in one process
    assert 0 < one.count(PRIMARY) < 24
    two, owner = run([process("two"), process("two")])
    # as one run: before, each process weighed its own pace (half the run's) against the whole
    # run's problems left, and spilled about twice what was needed
    assert abs(two.count(PRIMARY) - one.count(PRIMARY)) <= 1
    now[0] = 1030.0  # the wave ends: every problem finished, its processes gone
    for pid, rt in owner.items():
        rt.finished(pid)
    later = process("two")  # the next wave's new process: their pace (ahead of the deadline now),
    assert [later.route(f"r{k}") for k in range(4)] == [PRIMARY] * 4  # not a probe of both sides


def test_bundle_threads_of_one_process_route_at_once_without_losing_a_decision(tmp_path):
    # each decision and finish rewrites the process's file: threads publishing outside the
    # router's lock raced on its temporary file (FileNotFoundError inside a bundle)
    import threading

    later = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).isoformat()
    rt = Router(load_config(sets=[f"budget.deadline={later}"]), total=1200, shared=Shared(str(tmp_path), ()))
    errors = []

    def bundle(t: int) -> None:
        try:
            for i in range(300):
                rt.route(f"{t}-{i}")
                rt.finished(f"{t}-{i}")
        except Exception as e:  # noqa: BLE001 - any error here is the failure
            errors.append(e)

    threads = [threading.Thread(target=bundle, args=(t,)) for t in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors and sum(rt.split().values()) == 1200

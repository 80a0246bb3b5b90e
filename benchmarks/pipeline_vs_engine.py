"""What the pipeline costs: the same model calls through `k2batch solve` and through bare
engines, measured side by side in one run on the embedded model (SmolLM2-135M, llama.cpp).

    python benchmarks/pipeline_vs_engine.py [--problems 16] [--layouts pool,pool1,workers]
    python benchmarks/pipeline_vs_engine.py --recipe generate [--problems 50] [--max-tokens 64]

--recipe full (the default): the whole recipe (triage, plan, 3 samples, judge, confirm) on
`problems` GSM8K problems from ../shared/data, with 2 engines of 1 thread (this machine's 2
cores), in each layout: `pool` = one worker process holding 2 engines that serve one queue of
requests (backend.engines = 2), fed by 2 bundle threads (runner mode auto: multi_threading);
`pool1` = the same fed by one bundle thread (in_memory); `workers` = 2 worker processes of one
engine each (runner.workers = 2). Then the very calls the job made, replayed on 2 bare
llama.cpp engines in two processes taking calls from one queue (no stages, no dependencies
between calls: the most two engines can do): the same prompt length and exactly the same
completion length each (end-of-text is banned until then), without the JSON grammars some
stages use (the bare side is spared their cost). For the pool layouts, whose engines run in this
process, a second replay runs the very requests the engines ran (recorded as they ran: messages,
sampling, seed and JSON grammar), on the same bare engines (the backend's engine class, so its
grammar path too), so the ratio to it is the pipeline's cost alone (`--no-exact` skips it;
`--no-lengths` skips the replay of lengths). Time = wall seconds from start to finish,
Beam's start-up, validation, verification and writing included. Also printed: the engines' busy
share, the calls' summed latency / (2 x the job's wall time), and the same comparison by CPU
time, which this machine's drift between the two halves does not move: the engines' computing
(each call's thread CPU time) as a share of the 2 cores' time on each side, and the CPU the job
spent besides them. Goal: pipeline / bare >= 0.95 at 50 problems, >= 0.9 at 16.

--recipe generate: the generate stage only (no triage, plan or judge), `problems` x `samples`
calls, raw engine in both configurations (1 engine x 2 threads; 2 engines x 1 thread in two
processes) against the pipeline in-memory (1 engine x 2 threads) and with 2 worker processes.
Throughput = completion tokens / wall seconds. Goal: best pipeline / best raw >= 0.95."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k2batch import recipe  # noqa: E402
from k2batch.backends.llamacpp import LlamaCppBackend, embedded_model_path  # noqa: E402
from k2batch.config import load_config  # noqa: E402

FULL_LAYOUTS = {  # name -> settings; each is 2 engines of 1 thread on this machine's 2 cores
    "pool": ["backend.engines=2", "backend.n_threads=1"],  # auto: 2 bundle threads share them
    "pool1": ["backend.engines=2", "backend.n_threads=1", "runner.mode=in_memory"],
    "workers": ["backend.n_threads=1", "runner.workers=2", "runner.mode=multi_processing"],
}
LAYOUT_NAMES = {
    "pool": "k2batch, 2 engines, 2 bundle threads",
    "pool1": "k2batch, 2 engines, 1 bundle thread",
    "workers": "k2batch, 2 workers x 1 engine",
}


def settings(args, threads: int, workers: int) -> list[str]:
    mode = "multi_processing" if workers > 1 else "in_memory"
    return [
        f"samples={args.samples}",
        "plan.enabled=false",
        "judge.enabled=false",
        f"stages.generate.max_tokens={args.max_tokens}",
        "backend.n_ctx=1024",
        f"backend.n_threads={threads}",
        f"runner.workers={workers}",
        f"runner.mode={mode}",
    ]


def _raw_worker(args) -> int:
    reqs, threads = args
    engine = LlamaCppBackend(embedded_model_path(), n_ctx=1024, n_threads=threads)
    tokens = sum(r.completion_tokens for r in engine.generate(reqs))
    engine.close()
    return tokens


def raw(reqs: list, engines: int) -> float:
    """Completion tokens/s of `engines` processes splitting the requests, 2/engines threads each."""
    shards = [(reqs[i::engines], max(1, 2 // engines)) for i in range(engines)]
    t0 = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(engines) as pool:
        tokens = sum(pool.map(_raw_worker, shards))
    return tokens / (time.perf_counter() - t0)


def timed_job(inp: str, sets: list[str]) -> tuple[float, list[dict], float]:
    """Wall seconds of one `k2batch solve` job, its token_stats rows, and the CPU seconds of this
    process and its children during it."""
    from k2batch.job import run_solve

    with tempfile.TemporaryDirectory() as out:
        t0, cpu0 = time.perf_counter(), _cpu()
        run_solve(inp, out, load_config(sets=sets))
        elapsed = time.perf_counter() - t0
        cpu = _cpu() - cpu0
        stats = pq.read_table(f"{out}/token_stats").to_pylist()
    return elapsed, stats, cpu


def pipeline(inp: str, sets: list[str]) -> float:
    elapsed, stats, _ = timed_job(inp, sets)
    return sum(s["completion_tokens"] for s in stats) / elapsed


_bare: dict = {}
_recorded: list = []  # (request, completion tokens, engine CPU s) of each call this process's engines ran


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children (Prefect's server, the
    verifier pool)."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _record() -> None:
    """Keep each request the job's engines in this process run (the pool layouts), so the bare side
    can replay the very calls, JSON grammars included. Calls in worker processes are not seen."""
    run = LlamaCppBackend._one

    def one(self, req, *args, **kwargs):
        cpu = time.thread_time()  # a 1-thread engine computes on the calling thread
        result = run(self, req, *args, **kwargs)
        _recorded.append((req, result.completion_tokens, time.thread_time() - cpu))
        return result

    LlamaCppBackend._one = one


def _bare_init(n_ctx: int, text: str) -> None:
    import llama_cpp

    from k2batch.backends.llamacpp_grammar import GrammarFastLlama  # the backend's engine class

    llm = GrammarFastLlama(
        str(embedded_model_path()), n_ctx=n_ctx, n_threads=1, n_threads_batch=1, verbose=False
    )
    vocab = llama_cpp.llama_model_get_vocab(llm._model.model)
    eog = [t for t in range(llm.n_vocab()) if llama_cpp.llama_vocab_is_eog(vocab, t)]
    filler = llm.tokenize(text.encode(), add_bos=False)
    _bare.update(llm=llm, ban={t: -1e9 for t in eog}, filler=filler * (1 + n_ctx // len(filler)))


def _bare_call(call: tuple[int, int, int, str]) -> tuple[str, int, float]:
    """One call of the job's lengths on a bare engine: its prompt length in, exactly its
    completion length out; (its stage, the tokens made, its seconds)."""
    prompt, completion, seed, stage = call
    t0, cpu = time.perf_counter(), time.thread_time()
    llm = _bare["llm"]
    llm.reset()  # as the backend does: no prefix kept between calls
    out = llm.create_completion(prompt=_bare["filler"][:prompt], max_tokens=max(1, completion),
                                temperature=0.7, seed=seed, logit_bias=_bare["ban"])  # fmt: skip
    return stage, out["usage"]["completion_tokens"], time.perf_counter() - t0, time.thread_time() - cpu


def _bare_request(req) -> tuple[str, int, float]:
    """One recorded call as the backend makes it (messages, sampling, seed, JSON grammar), on a
    bare engine: the same tokens out."""
    t0, cpu = time.perf_counter(), time.thread_time()
    llm = _bare["llm"]
    llm.reset()
    fmt = {"type": "json_object", "schema": json.loads(req.json_schema)} if req.json_schema else None
    out = llm.create_chat_completion(
        messages=req.chat(), max_tokens=req.max_tokens, temperature=req.temperature, top_p=req.top_p,
        seed=req.seed, response_format=fmt,
    )  # fmt: skip
    return req.stage, out["usage"]["completion_tokens"], time.perf_counter() - t0, time.thread_time() - cpu


def bare(calls: list, n_ctx: int, text: str) -> tuple[float, int, dict, float]:
    """Wall seconds (engines' start included) for 2 one-thread engines in 2 processes taking the
    calls (lengths, or recorded requests) from one queue; the completion tokens they made; their
    seconds by stage; the engines' CPU seconds."""
    t0 = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    one = _bare_call if isinstance(calls[0], tuple) else _bare_request
    with ctx.Pool(2, initializer=_bare_init, initargs=(n_ctx, text)) as pool:
        done = list(pool.imap_unordered(one, calls, chunksize=1))
    wall, engine_cpu = time.perf_counter() - t0, sum(d[3] for d in done)
    return wall, sum(d[1] for d in done), _by_stage((d[0], d[2]) for d in done), engine_cpu


def _print_cpu(job_s: float, bare_s: float, bare_cpu: float, engine_cpu: float,
               process_cpu: float) -> None:  # fmt: skip
    """The same comparison by CPU time, which this machine's drift between the two halves does not
    move: the share of the 2 cores' time (2 x wall) that went into the engines' own computing on
    each side. A slower machine makes the engines' CPU seconds and the wall time grow together; the
    pipeline's own work (Beam, Prefect, the store, verification) takes cores from the engines and
    lowers only the job's share. Where the engines' calls run in worker processes, this process
    does not see their CPU time (0)."""
    if not engine_cpu:
        return
    job, bare_share = engine_cpu / (2 * job_s), bare_cpu / (2 * bare_s)
    print(f"  engines' CPU / (2 cores x wall): job {job:.3f}, bare {bare_share:.3f}; "
          f"ratio {job / bare_share:.3f}"
          f" (drift-free); CPU besides the engines in the job: {process_cpu - engine_cpu:.0f} s"
          f" ({(process_cpu - engine_cpu) / (2 * job_s):.3f} of the cores); engine CPU s job / bare:"
          f" {engine_cpu:.0f} / {bare_cpu:.0f}")  # fmt: skip


def _by_stage(pairs) -> dict[str, float]:
    seconds: dict[str, float] = {}
    for stage, s in pairs:
        seconds[stage] = seconds.get(stage, 0.0) + s
    return seconds


def full(args, problems: list[dict], inp: str) -> int:
    base = [f"samples={args.samples}"]
    runs, recorded, cpu = {}, {}, {}
    _record()
    for layout in args.layouts.split(","):
        _recorded.clear()
        runs[layout] = timed_job(inp, base + FULL_LAYOUTS[layout])
        recorded[layout] = [r[0] for r in sorted(_recorded, key=lambda r: -r[1])]  # longest first
        cpu[layout] = (sum(r[2] for r in _recorded), runs[layout][2])  # engines', the whole process's
        print(f"{LAYOUT_NAMES[layout]:<38} {runs[layout][0]:7.1f} s", flush=True)
    n_ctx, text = load_config(sets=base).backend.n_ctx, " ".join(p["problem"] for p in problems)
    replayed: dict[tuple, tuple[float, int]] = {}  # the layouts' calls (the same, unless they differ)
    goal = 0.95 if len(problems) >= 50 else 0.9
    for layout, (elapsed, stats, _) in runs.items():
        calls = sorted(((s["prompt_tokens"], s["completion_tokens"], s["seed"] or 0, s["stage"])
                        for s in stats if not s["cache_hit"]), key=lambda c: -c[1])  # fmt: skip
        if not args.no_lengths and tuple(calls) not in replayed:  # longest first: the shortest tail
            replayed[tuple(calls)] = bare(calls, n_ctx, text)
            wall, tokens, _, _ = replayed[tuple(calls)]
            print(f"{'bare, 2 engines x 1 thread':<38} {wall:7.1f} s: {len(calls)} calls, "
                  f"{sum(c[1] for c in calls)} completion tokens (bare made {tokens})")  # fmt: skip
        busy, walls = sum(s["latency_s"] for s in stats if not s["cache_hit"]) / (2 * elapsed), {}
        job_s = _by_stage((s["stage"], s["latency_s"]) for s in stats if not s["cache_hit"])
        print(f"{LAYOUT_NAMES[layout]}: engines busy {busy:.3f} of the job's wall time")
        if not args.no_lengths:
            wall, _, bare_s, bare_cpu = walls["bare"] = replayed[tuple(calls)]
            print(f"{LAYOUT_NAMES[layout]} / bare: {wall / elapsed:.3f} (goal >= {goal})")
            _print_cpu(elapsed, wall, bare_cpu, *cpu[layout])
            print("  engine seconds by stage, job / bare: " + ", ".join(
                f"{k} {v:.0f} / {bare_s.get(k, 0):.0f}" for k, v in sorted(job_s.items())))  # fmt: skip
        if not args.no_exact and len(recorded[layout]) == len(calls):  # the very requests
            wall, tokens, exact_s, exact_cpu = walls["bare, the very requests"] = bare(
                recorded[layout], n_ctx, text
            )
            print(f"{'bare, the very requests':<38} {wall:7.1f} s: {tokens} completion tokens "
                  f"(the job made {sum(c[1] for c in calls)})")  # fmt: skip
            print(f"{LAYOUT_NAMES[layout]} / bare, the very requests: {wall / elapsed:.3f} (goal >= {goal})")
            _print_cpu(elapsed, wall, exact_cpu, *cpu[layout])
            print("  engine seconds by stage, job / bare: " + ", ".join(
                f"{k} {v:.0f} / {exact_s.get(k, 0):.0f}" for k, v in sorted(job_s.items())))  # fmt: skip
        if args.again:  # job, replays, job: a drift of the machine's speed that is linear in time cancels
            again = timed_job(inp, base + FULL_LAYOUTS[layout])[0]
            print(f"{LAYOUT_NAMES[layout]:<38} {again:7.1f} s again, after the replays "
                  f"({again / elapsed - 1:+.1%} on the first run: the machine's drift)")  # fmt: skip
            for name, replay in walls.items():
                print(f"{LAYOUT_NAMES[layout]} / {name}, the two job runs' mean: "
                      f"{2 * replay[0] / (elapsed + again):.3f} (goal >= {goal})")  # fmt: skip
    print(f"{len(problems)} problems")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recipe", choices=("full", "generate"), default="full")
    ap.add_argument("--problems", type=int, default=16)
    ap.add_argument("--samples", type=int, default=3)
    ap.add_argument("--layouts", default="pool,pool1,workers", help="full recipe: pool, pool1, workers")
    ap.add_argument("--max-tokens", type=int, default=64, help="generate recipe: the stage's limit")
    ap.add_argument(
        "--no-exact",
        action="store_true",
        help="full recipe: skip the second bare replay, of the very requests (pool layouts)",
    )
    ap.add_argument(
        "--no-lengths", action="store_true", help="full recipe: skip the bare replay of the calls' lengths"
    )
    ap.add_argument(
        "--again",
        action="store_true",
        help="full recipe: run each layout's job again after its replays, and compare the replays "
        "with the mean of the two runs (cancels a drift of the machine's speed linear in time)",
    )
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args()
    rows = pq.read_table(args.shared / "gsm8k_test.parquet").slice(0, args.problems).to_pylist()
    problems = [
        {"id": r["id"], "problem": r["problem"], "answer": r["answer"], "domain": "math"} for r in rows
    ]
    with tempfile.TemporaryDirectory() as d:
        inp = f"{d}/problems.parquet"
        pq.write_table(pa.Table.from_pylist(problems), inp)
        if args.recipe == "full":
            return full(args, problems, inp)
        cfg = load_config(sets=settings(args, 2, 1))
        reqs = [recipe.solve_request(p, s, None, cfg) for p in problems for s in range(args.samples)]
        results = {
            "raw, 1 engine x 2 threads": raw(reqs, 1),
            "raw, 2 engines x 1 thread": raw(reqs, 2),
            "k2batch, in-memory, 1 engine x 2 threads": pipeline(inp, settings(args, 2, 1)),
            "k2batch, 2 workers x 1 thread": pipeline(inp, settings(args, 1, 2)),
        }
    best_raw = max(v for k, v in results.items() if k.startswith("raw"))
    best_pipe = max(v for k, v in results.items() if k.startswith("k2batch"))
    print(f"{len(reqs)} generate calls, up to {args.max_tokens} tokens each")
    for k, v in results.items():
        print(f"{k:<42} {v:8.1f} completion tok/s")
    print(f"best pipeline / best raw engine: {best_pipe / best_raw:.3f} (goal >= 0.95)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

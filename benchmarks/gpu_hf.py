"""GPU check for a machine with a CUDA GPU and no vLLM: the embedded model (SmolLM2-135M-Instruct,
the same GGUF file) on the GPU through transformers, whose image such machines carry. (The GPU
machines lent to this project reach no registry, and vLLM's wheel is far over what can be carried
to them; with vLLM, use benchmarks/gpu_smoke.py.)

    pip install torch transformers accelerate gguf   # beside k2batch's own dependencies
    python benchmarks/gpu_hf.py --gguf "$(python -c 'from k2batch.backends.llamacpp import \
        embedded_model_path as p; print(p())')" [--requests 128,1024] [--json F]

(1) Speculation off and on: n-gram speculation (transformers' prompt lookup decoding, the method
    of vLLM's `ngram` speculator), one stream at a time, greedy, on the same prompts: decode
    tokens/s of each and how many outputs are the same.
(2) k2batch vs the engine on the same requests (k2batch's own solve prompts for the problems of
    benchmarks/cases): all submitted at once to the engine's continuous batching (what raw
    `LLM.generate` does), against k2batch's OpenAI-compatible backend at its default settings
    calling a local OpenAI-compatible server on that engine (k2batch/testing/quota_server.py's
    protocol, as `vllm serve` would be), once silent and once publishing vLLM's /metrics gauges
    from the engine's scheduler, and with every request in flight at once (fixed concurrency).
    Ratio: completion tokens/s over the raw run's. Only k2batch's HTTP client is on the GPU
    machine (Beam and Prefect are not there); the pipeline above it was measured on CPU engines
    (benchmarks/pipeline_vs_engine.py)."""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k2batch import backends, recipe  # noqa: E402
from k2batch.config import load_config  # noqa: E402
from k2batch.testing.quota_server import QuotaServer  # noqa: E402


class Engine:
    """The model behind transformers' continuous batching; a thread hands each finished request
    to whoever waits for it."""

    def __init__(self, gguf: Path, max_tokens: int):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

        self.torch, self.device = torch, "cuda" if torch.cuda.is_available() else "cpu"
        dtype = torch.bfloat16 if self.device == "cuda" else torch.float32
        self.tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=dtype)
        self.model = model.to(self.device).eval()
        eos = self.model.generation_config.eos_token_id
        self.config = GenerationConfig(do_sample=False, max_new_tokens=max_tokens, eos_token_id=eos,
                                       pad_token_id=eos)  # fmt: skip
        self.manager, self.waiters, self.ids = None, {}, itertools.count()
        self.lock, self.stopped = threading.Lock(), threading.Event()

    def prompt(self, messages: list[dict]) -> list[int]:
        ids = self.tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
        return list(ids["input_ids"])

    def stream(self, messages: list[dict], max_tokens: int, lookup: int | None) -> tuple[list[int], float]:
        """One request alone through `generate` (n-gram speculation when `lookup`): tokens, seconds."""
        ids = self.torch.tensor([self.prompt(messages)], device=self.device)
        extra = {"prompt_lookup_num_tokens": lookup} if lookup else {}
        self._sync()
        t0 = time.perf_counter()
        with self.torch.no_grad():
            out = self.model.generate(ids, generation_config=self.config, max_new_tokens=max_tokens, **extra)
        self._sync()
        return out[0, ids.shape[1] :].tolist(), time.perf_counter() - t0

    def _sync(self) -> None:
        if self.device == "cuda":
            self.torch.cuda.synchronize()

    def start(self) -> None:
        """Continuous batching from here on (it switches the model to paged attention)."""
        self.manager = self.model.init_continuous_batching(generation_config=self.config)
        if self.device == "cuda":
            self.manager.warmup()  # capture the CUDA graphs before anything is timed
        self.manager.start()
        threading.Thread(target=self._hand_out, daemon=True).start()

    def _hand_out(self) -> None:
        while not self.stopped.is_set():
            out = self.manager.get_result(timeout=0.05)
            if out is None or not out.is_finished():
                continue
            with self.lock:
                waiter = self.waiters.pop(out.request_id)
            if out.error:
                waiter.set_exception(RuntimeError(str(out.error)))
            else:
                waiter.set_result(list(out.generated_tokens))

    def submit(self, messages: list[dict], max_tokens: int) -> Future:
        rid, waiter = f"r{next(self.ids)}", Future()
        with self.lock:
            self.waiters[rid] = waiter
        self.manager.add_request(self.prompt(messages), request_id=rid, max_new_tokens=max_tokens)
        return waiter

    def queue(self) -> tuple[int, int]:
        """(running, waiting) as the engine's scheduler counts them, as vLLM's gauges do."""
        scheduler = getattr(self.manager.batch_processor, "scheduler", None)
        if scheduler is None:  # not built yet, or another transformers: what waits for a reply
            return len(self.waiters), 0
        queued = self.manager.input_queue.qsize()
        return len(scheduler.active_requests), len(scheduler.waiting_requests) + queued

    def stop(self) -> None:
        self.stopped.set()
        self.manager.stop(block=True, timeout=10)


class EngineServer(QuotaServer):
    """The test server's OpenAI protocol, replying with the engine (no quota, no faults)."""

    def __init__(self, engine: Engine, metrics: bool):
        # capacity only opens the /metrics route here; the engine does the serving
        super().__init__(reply=self._reply, capacity=1 if metrics else None, queue_metrics=metrics)
        self.engine, self.tokens, self.in_flight, self.peak = engine, 0, 0, 0

    def _serve(self, body: dict, started=None) -> None:  # no simulated service time
        pass  # a stream's first chunk comes with its text: the engine's queue is not known here

    def metrics(self) -> str:
        self.running, self.waiting = self.engine.queue()
        return super().metrics()

    def _reply(self, body: dict) -> str:
        max_tokens = body.get("max_completion_tokens") or body.get("max_tokens")
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        tokens = self.engine.submit(body["messages"], max_tokens).result()
        with self._lock:
            self.in_flight -= 1
            self.tokens += len(tokens)
        return self.engine.tok.decode(tokens, skip_special_tokens=True) or " "  # "" would get the stub's


def solve_requests(n: int, max_tokens: int):
    cfg = load_config(sets=[f"stages.generate.max_tokens={max_tokens}"])
    seen, problems = set(), []
    for path in sorted((ROOT / "benchmarks" / "cases").glob("math_*.jsonl")):
        for line in path.read_text().splitlines():
            case = json.loads(line)
            if case.get("problem") and case["problem"] not in seen and len(problems) < n:
                seen.add(case["problem"])
                problems.append({"id": case["id"], "problem": case["problem"], "domain": "math"})
    return [recipe.solve_request(p, 0, None, cfg) for p in problems]


def speculation(engine: Engine, reqs, n: int, max_tokens: int) -> dict:
    engine.stream(reqs[0].chat(), 8, None)  # warm-up: CUDA context, kernels
    runs = {}
    for name, lookup in (("off", None), ("ngram", 4)):
        outs = [engine.stream(r.chat(), max_tokens, lookup) for r in reqs[:n]]
        tokens, seconds = sum(len(o) for o, _ in outs), sum(s for _, s in outs)
        runs[name] = {"tokens": tokens, "seconds": seconds, "tok_s": tokens / seconds}
        runs[name]["outputs"] = [o for o, _ in outs]
    same = sum(a == b for a, b in zip(runs["off"].pop("outputs"), runs["ngram"].pop("outputs"), strict=True))
    ratio = runs["ngram"]["tok_s"] / runs["off"]["tok_s"]
    return {**runs, "ratio": ratio, "same_outputs": same, "prompts": n}


def raw(engine: Engine, reqs) -> dict:
    t0 = time.perf_counter()
    waiters = [engine.submit(r.chat(), r.max_tokens) for r in reqs]
    tokens = sum(len(w.result()) for w in waiters)
    return {"seconds": time.perf_counter() - t0, "tokens": tokens, "errors": 0, "peak": len(reqs)}


def engine_process(conn, gguf: Path, sizes: list[int], max_tokens: int, spec_prompts: int, spec_tokens: int):
    """The engine and its server in their own process, as `vllm serve` is: the client's threads
    and event loop must not share an interpreter lock with the engine's scheduling loop."""
    import torch
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    reqs = solve_requests(max(sizes), max_tokens)
    t0 = time.perf_counter()
    engine = Engine(gguf, max_tokens)
    info = {"device": torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU",
            "torch": torch.__version__, "load_s": time.perf_counter() - t0}  # fmt: skip
    info["speculation"] = speculation(engine, reqs, spec_prompts, spec_tokens)
    t1 = time.perf_counter()
    engine.start()
    raw(engine, reqs)  # untimed: the first batches of each size allocate and capture graphs
    info["engine_start_s"] = time.perf_counter() - t1
    conn.send(info)
    while (cmd := conn.recv())[0] != "quit":
        if cmd[0] == "raw":
            conn.send(raw(engine, reqs[: cmd[1]]))
            continue
        with EngineServer(engine, metrics=cmd[1]) as server:  # "serve": until the client is done
            conn.send(server.url)
            conn.recv()
            conn.send({"tokens": server.tokens, "peak": server.peak, "429s": server.counts["429"]})
    engine.stop()


def through_k2batch(conn, reqs, metrics: bool, sets: list[str]) -> dict:
    conn.send(("serve", metrics))
    url = conn.recv()
    cfg = load_config(sets=["backend.kind=openai", f"backend.base_url={url}/v1", "backend.model=smollm2",
                            "backend.remember_window=false", *sets])  # fmt: skip
    backend = backends.get_backend(cfg.backend)
    t0 = time.perf_counter()
    results = backend.generate(reqs)
    seconds = time.perf_counter() - t0
    conn.send(("done",))
    return {"seconds": seconds, "errors": sum(bool(r.error) for r in results), **conn.recv()}


def compare(conn, reqs, max_tokens: int, gpu: str, report: dict, save) -> dict:
    """The engine alone, then through k2batch's client, then the engine again: the two engine runs
    show the noise, and their mean is the base of the ratios."""
    n = len(reqs)

    def engine_alone() -> dict:
        conn.send(("raw", n))
        return conn.recv()

    variants = {  # name -> how it runs (the slowest last: the figures are saved as they come)
        "engine, all at once": engine_alone,
        "k2batch defaults, /metrics": lambda: through_k2batch(conn, reqs, True, []),
        f"k2batch fixed {n} in flight": lambda: through_k2batch(
            conn, reqs, False, ["backend.concurrency=fixed", f"backend.max_concurrency={n}"]
        ),
        "engine, all at once (again)": engine_alone,
        "k2batch defaults, silent server": lambda: through_k2batch(conn, reqs, False, []),
    }
    runs = {}
    for name, run in variants.items():
        runs[name] = run()
        runs[name]["tok_s"] = runs[name]["tokens"] / runs[name]["seconds"]
        report.setdefault("partial", {})[f"{n} {name}"] = runs[name]
        save()
    base = (runs["engine, all at once"]["tok_s"] + runs["engine, all at once (again)"]["tok_s"]) / 2
    print(f"\n{n} solve requests, max {max_tokens} tokens, greedy, on {gpu}")
    print(f"{'run':34} {'seconds':>8} {'tokens':>8} {'tok/s':>8} {'vs engine':>9} {'peak':>5} {'errors':>6}")
    for name, r in runs.items():
        r["ratio"] = r["tok_s"] / base
        print(f"{name:34} {r['seconds']:8.1f} {r['tokens']:8d} {r['tok_s']:8.0f} {r['ratio']:9.2f} "
              f"{r['peak']:5d} {r['errors']:6d}", flush=True)  # fmt: skip
    return runs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gguf", type=Path, required=True)
    ap.add_argument("--requests", type=lambda v: [int(x) for x in v.split(",")], default=[128, 1024],
                    help="job sizes, comma-separated (a nightly set's, a bulk job's)")
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--spec-prompts", type=int, default=4)
    ap.add_argument("--spec-tokens", type=int, default=256)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    reqs = solve_requests(max(args.requests), args.max_tokens)
    conn, child = multiprocessing.Pipe()
    proc = multiprocessing.get_context("spawn").Process(target=engine_process, args=(
        child, args.gguf, args.requests, args.max_tokens, args.spec_prompts, args.spec_tokens))  # fmt: skip
    proc.start()
    report = {"max_tokens": args.max_tokens, **conn.recv()}

    def save() -> None:
        if args.json:
            args.json.write_text(json.dumps(report, indent=1))

    save()
    spec, gpu = report["speculation"], report["device"]
    print(f"{gpu}, torch {report['torch']}; model loaded in {report['load_s']:.1f}s, continuous batching "
          f"ready in {report['engine_start_s']:.1f}s", flush=True)  # fmt: skip
    print(f"speculation, one stream, {spec['prompts']} prompts: off {spec['off']['tok_s']:.0f} tok/s, "
          f"ngram {spec['ngram']['tok_s']:.0f} tok/s (x{spec['ratio']:.2f}); greedy outputs equal: "
          f"{spec['same_outputs']}/{spec['prompts']}", flush=True)  # fmt: skip
    for size in args.requests:
        report[f"{size} requests"] = compare(conn, reqs[:size], args.max_tokens, gpu, report, save)
    conn.send(("quit",))
    proc.join()
    save()
    return 0


if __name__ == "__main__":
    sys.exit(main())

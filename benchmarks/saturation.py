"""Saturation: how much of a server's fixed concurrency k2batch keeps busy, at the default
settings (adaptive concurrency) and at fixed concurrencies, for servers of capacity 4 to 64.

A local OpenAI-compatible server (k2batch/testing/quota_server.py, in its own process like a
real engine) serves C requests at once, each for 0.1-0.5 s (an engine's max_num_seqs and uneven
reply lengths), x C/16 above 16 slots (`--busiest`: a bigger server's calls are not faster, and
this keeps the calls per second the client must drive at C = 16's, which a shared 2-core
machine manages); the rest queue, and past `--queue` x C requests inside it answers 429 (a
bounded queue, as TGI's max_concurrent_requests). The whole recipe runs through `k2batch
solve` (4 bundle threads sharing one client) on GSM8K problems from ../shared/data: 3 per slot,
at least 12, at most 64 (`--per-slot`, `--most`).

    python benchmarks/saturation.py [--capacities 4,8,16,32,64] [--per-slot 3] [--most 64]

Utilisation = slot-seconds serving / (C x time), measured on the server: (1) while the job had
work for every slot (at least C requests in the client, in flight or waiting for a slot: this
process is the client and its gate is watched) - what the client's concurrency answers for;
(2) over the whole job, from the first call served to the last, which also counts the
pipeline's start and its last problems (fewer requests than slots, whatever the client does).
Goal: adaptive >= 0.95 by (1) at every capacity, with no more 429s than fixed 16 (the old
default). About 5 1/2 minutes; these jobs are short (~10 round trips at C = 64), so the
adaptive window's ramp-up weighs more than in a real job (`--per-slot 6 --most 400`, ~9 min).
The server streams as vLLM does (the first chunk when a request gets its slot), and the default
client streams while its window grows: a full window whose every request has begun doubles at
once. "adaptive, whole replies" is the same cold job reading latency alone
(`backend.stream_start=false`), which is bounded: a first window above 16 would meet 429s at
C = 4 (its queue takes 16), so its first round trip serves at most 16 of C slots, which alone
caps a 10-round-trip job at C = 64 near 1 - 0.75 / 10, whatever the window does after.
"adaptive, next job" is a second job against the same server by a new client, which starts
from the window the first learned (k2batch/backends/windows.py), as a nightly job meets the
server of the night before. "adaptive, /metrics" is a cold job against the same server
publishing vLLM's gauges of running and waiting requests at /metrics (as vLLM, SGLang,
llama.cpp's server and TGI do), which slow start reads (k2batch/backends/server_queue.py)."""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k2batch import backends  # noqa: E402
from k2batch.backends import windows  # noqa: E402
from k2batch.backends.concurrency import COLD, Gate  # noqa: E402
from k2batch.config import load_config  # noqa: E402
from k2batch.job import run_solve  # noqa: E402
from k2batch.testing.quota_server import QuotaServer  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
VARIANTS = {  # name -> job settings
    "fixed 16": ["backend.concurrency=fixed", "backend.max_concurrency=16"],
    "fixed 32": ["backend.concurrency=fixed", "backend.max_concurrency=32"],
    "adaptive": [],  # the defaults, against a server it has not met
    "adaptive, whole replies": ["backend.stream_start=false"],  # the same, latency alone
    "adaptive, next job": [],  # the same, a new client that starts from the window the job before learned
    "adaptive, /metrics": [],  # cold, against the server publishing vLLM's queue gauges
}
PUBLISHES = {"adaptive, /metrics"}  # variants whose server publishes its queue (backends/server_queue.py)
# a cold start each: nothing learned before this server (state folders of their own)
COLD_START = {"adaptive, whole replies": "-w", "adaptive, /metrics": "-m"}


def service_s(body: dict, scale: float = 1.0) -> float:
    """0.1-0.5 s x scale, fixed per request (its seed and prompt), so runs compare like for like."""
    h = hashlib.blake2b(f"{body.get('seed')}{body['messages']}".encode(), digest_size=2).digest()
    return scale * (0.1 + 0.4 * int.from_bytes(h) / 65535)


class BoundedServer(QuotaServer):
    """The quota server with a bounded queue: 429 (Retry-After 1 s) when `bound` requests are
    already running or waiting."""

    def __init__(self, bound: int, **kw):
        super().__init__(**kw)
        self.bound, self.inside = bound, 0

    def _admit(self, tokens: int) -> tuple[bool, float, dict]:
        with self._lock:
            if self.inside >= self.bound:
                return False, 1.0, {}
            self.inside += 1
        admitted = super()._admit(tokens)
        if not admitted[0]:
            with self._lock:
                self.inside -= 1
        return admitted

    def _serve(self, body: dict, started=None) -> None:
        try:
            super()._serve(body, started)
        finally:
            with self._lock:
                self.inside -= 1


def _server(conn, capacity: int, bound: int, scale: float) -> None:
    with BoundedServer(bound, capacity=capacity, service_s=lambda body: service_s(body, scale)) as srv:
        conn.send(srv.url)
        while (ask := conn.recv()) != "done":
            if ask in ("publish", "silent"):  # the next job's server publishes its queue, or not
                srv.queue_metrics = ask == "publish"
                continue
            with srv._lock:  # a job is done: its figures, then start afresh
                served, rejected = list(srv.served), srv.counts["429"]
                srv.served.clear()
                srv.counts.clear()
            conn.send((served, rejected))


DEMAND: list[tuple[float, int]] = []  # (time, +1 | -1): a request enters the client's gate / leaves
PEAK = [0]  # the largest window a request met at the gate


def watch_demand() -> None:
    """Log every request entering the HTTP client's gate (to wait for a slot or take one) and
    leaving it (time.monotonic, as the server's, is one clock for the machine)."""
    enter, release = Gate.__aenter__, Gate.release

    async def entering(gate):
        DEMAND.append((time.monotonic(), 1))
        PEAK[0] = max(PEAK[0], gate.limit)
        return await enter(gate)

    def leaving(gate):
        release(gate)
        DEMAND.append((time.monotonic(), -1))

    Gate.__aenter__, Gate.release = entering, leaving


def utilisation(served: list[tuple[float, float]], demand: list[tuple[float, int]], capacity: int):
    """(while the client held >= capacity requests, over the whole job): slot-seconds serving /
    (capacity x time)."""
    events = sorted([(a, 0, 1) for a, _ in served] + [(b, 0, -1) for _, b in served]
                    + [(t, d, 0) for t, d in demand])  # fmt: skip
    start, end = min(a for a, _ in served), max(b for _, b in served)
    busy = wanted = 0
    full = full_busy = 0.0
    last = events[0][0]
    for t, d, s in events:
        if wanted >= capacity and last >= start:
            full += t - last
            full_busy += min(busy, capacity) * (t - last)
        busy, wanted, last = busy + s, wanted + d, t
    whole = sum(b - a for a, b in served) / (capacity * (end - start))
    return (full_busy / (capacity * full) if full else float("nan")), whole


def _window(cfg) -> int | None:
    """The window the job's client ended with (adaptive only)."""
    control = backends.get_backend(cfg.backend).gate.control
    return control.limit if control else None


def run_capacity(src: str, capacity: int, problems: int, bound: int, scale: float, tmp: Path) -> dict:
    parent, child = multiprocessing.Pipe()
    args = (child, capacity, bound, scale)
    server = multiprocessing.get_context("spawn").Process(target=_server, args=args)
    server.start()
    url = parent.recv()
    rows = {}
    for name, sets in VARIANTS.items():
        # nothing learned before this server; the /metrics job is cold too
        os.environ["K2BATCH_STATE_DIR"] = str(tmp / f"state-c{capacity}{COLD_START.get(name, '')}")
        parent.send("publish" if name in PUBLISHES else "silent")
        backends._engines.clear()  # each job a new client, as in a new process (same settings share one)
        DEMAND.clear()
        PEAK[0] = 0
        base = ["backend.kind=openai", "backend.model=m", f"backend.base_url={url}/v1", f"limit={problems}"]
        cfg = load_config(sets=[*base, *sets])
        start = windows.initial(cfg.backend, COLD) if cfg.backend.concurrency == "adaptive" else None
        t0 = time.perf_counter()
        manifest = run_solve(src, str(tmp / f"c{capacity}-{name}"), cfg)
        elapsed = time.perf_counter() - t0
        parent.send("stats")
        served, rejected = parent.recv()
        work, whole = utilisation(served, list(DEMAND), capacity)
        rows[name] = {"calls": manifest["calls"]["made"], "job_s": elapsed, "429": rejected,
                      "work": work, "whole": whole, "start": start, "peak": PEAK[0],
                      "end": _window(cfg)}  # fmt: skip
    parent.send("done")
    server.join()
    return rows


def main() -> int:
    os.environ.setdefault("OPENAI_API_KEY", "local")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--capacities", default="4,8,16,32,64")
    ap.add_argument("--per-slot", type=float, default=3.0, help="problems per slot of capacity")
    ap.add_argument("--most", type=int, default=64, help="problems at most")
    ap.add_argument("--queue", type=int, default=4, help="429 past this many requests per slot in the server")
    ap.add_argument("--busiest", type=float, default=16,
                    help="servers above this capacity get calls that much longer (0: never)")  # fmt: skip
    args = ap.parse_args()
    src = str(SHARED / "gsm8k_test.parquet")
    watch_demand()
    table = {}
    with tempfile.TemporaryDirectory() as tmp:
        for c in map(int, args.capacities.split(",")):
            scale = max(1.0, c / args.busiest) if args.busiest else 1.0
            problems = min(args.most, max(12, round(args.per_slot * c)))
            table[c] = (problems, run_capacity(src, c, problems, args.queue * c, scale, Path(tmp)))
    print(f"server: C requests at once, 0.1-0.5 s each, 429 past {args.queue} x C inside. Each cell: "
          "utilisation while the job had >= C requests (over the whole job), 429s")  # fmt: skip
    print(f"{'C':>3} {'problems':>8} {'calls':>6}" + "".join(f" {n:>22}" for n in VARIANTS))
    ok = dict.fromkeys(["adaptive", "adaptive, next job", "adaptive, /metrics"], True)
    for c, (problems, rows) in table.items():
        cells = [f"{r['work']:.3f} ({r['whole']:.3f}) {r['429']:>4}" for r in rows.values()]
        print(f"{c:>3} {problems:>8} {rows['adaptive']['calls']:>6}" + "".join(f" {x:>22}" for x in cells))
        for name in ok:
            ok[name] &= rows[name]["work"] >= 0.95 and rows[name]["429"] <= rows["fixed 16"]["429"]
    adaptive = [n for n in VARIANTS if n.startswith("adaptive")]
    print(f"windows, {' / '.join(adaptive)}: start -> peak -> end")
    for c, (_, rows) in table.items():
        print(f"{c:>3}  " + "  /  ".join(f"{rows[n]['start']} -> {rows[n]['peak']} -> {rows[n]['end']}"
                                         for n in adaptive))  # fmt: skip
    for name, met in ok.items():
        print(f"goal ({name} >= 0.95 at every capacity, 429s <= fixed 16): {'met' if met else 'NOT met'}")
    return 0 if all(ok.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""The adaptive concurrency window: its arithmetic against a simulated server in virtual time
(deterministic: no clock, no threads), the gate's bookkeeping under asyncio, and one run against
a real local server."""

import asyncio
import heapq
import random

import pytest

from k2batch.backends import concurrency
from k2batch.backends.concurrency import AdaptiveLimit, Gate, work
from k2batch.backends.openai import OpenAIBackend
from k2batch.config import load_config
from k2batch.testing.quota_server import QuotaServer


def simulate(capacity, seconds, limit=None, fixed=None, service=None, sizes=None, supply=None, bound=None,
             seed=0):  # fmt: skip
    """A server running `capacity` requests at once, FIFO queue behind them (429 when `bound`
    are inside), and a client that keeps min(window, `supply`) requests in flight. Virtual time;
    service(k, t) -> seconds of request k sent at t (default uniform 0.1-0.5 s)."""
    rng = random.Random(seed)
    service = service or (lambda k, t: 0.1 + 0.4 * rng.random())
    sizes = sizes or (lambda k, t: 1.0)
    events, queue, seq = [], [], 0
    busy = inflight = sent = rejected = 0
    busy_s = last = 0.0
    latencies, windows = [], []

    def window():
        return fixed if fixed else limit.limit

    def push(at, kind, req):
        nonlocal seq
        seq += 1
        heapq.heappush(events, (at, seq, kind, req))

    def start(req, now):
        nonlocal busy
        busy += 1
        push(now + service(req[0], req[1]), "done", req)

    def pump(now):
        nonlocal inflight, sent, rejected
        while inflight < window() and (supply is None or inflight < supply):
            if bound is not None and busy + len(queue) >= bound:  # turned away: retried later
                rejected += 1
                if limit:
                    limit.throttle(limit.send())
                push(now + 0.5, "retry", None)
                return
            inflight += 1
            sent += 1
            if limit:
                limit.send()
            req = (sent, now, inflight)
            start(req, now) if busy < capacity else queue.append(req)
        if limit and (supply is None or supply > inflight):
            limit.limited = True  # a request is waiting for a slot

    push(0.0, "tick", None)
    while events:
        now, _, kind, req = heapq.heappop(events)
        if now > seconds:
            break
        busy_s += busy * (now - last)
        last = now
        if kind == "tick":
            windows.append(window())
            push(now + 0.1, "tick", None)
        elif kind == "done":
            busy -= 1
            inflight -= 1
            if queue:
                start(queue.pop(0), now)
            latencies.append(now - req[1])
            if limit and not fixed:
                limit.sample(now - req[1], req[2], sizes(req[0], req[1]))
        pump(now)
    tail = windows[len(windows) // 2 :]
    return {"util": busy_s / (capacity * seconds), "latency": sum(latencies) / len(latencies),
            "window": sum(tail) / len(tail), "max_window": max(tail), "rejected": rejected}  # fmt: skip


@pytest.mark.parametrize("capacity", [4, 8, 16, 32, 64])
def test_the_window_settles_near_twice_the_capacity_and_keeps_the_server_busy(capacity):
    limit = AdaptiveLimit(max_limit=128)
    run = simulate(capacity, 300, limit)
    assert run["util"] >= 0.95
    assert 1.3 * capacity <= run["window"] <= 3 * capacity  # a queue, not a pile-up
    assert run["latency"] <= 3.5 * 0.3  # no-load latency is 0.3 s on average
    fixed = simulate(capacity, 300, fixed=128)  # what a large fixed setting does instead
    assert fixed["util"] >= 0.99 and fixed["latency"] > 1.5 * run["latency"] or capacity == 64


def test_a_full_window_does_not_creep_up_over_time():
    # Without probes, the no-load latency would age out under a queue that never empties, the
    # queued latency would become the new no-load one and the window would ratchet up.
    limit = AdaptiveLimit(max_limit=512)
    run = simulate(8, 1200, limit)
    assert limit.probes >= 5 and run["max_window"] <= 4 * 8 and run["util"] >= 0.95


def test_a_job_between_batches_does_not_grow_the_window():
    idle = AdaptiveLimit(max_limit=128)
    simulate(64, 60, idle, supply=7)  # never more than 7 requests to send: proves nothing
    busy = AdaptiveLimit(max_limit=128)
    simulate(64, 60, busy, supply=100)
    assert idle.limit == 16 and idle.epoch > 50 and busy.limit >= 100


def test_long_replies_are_work_not_congestion():
    # Short calls (triage, judge) then long ones (generate): 10x the latency from 10x the tokens.
    # Measured per unit of work the server is as uncongested as before: the window holds.
    tokens = lambda k, t: 20 if t < 300 else 400  # noqa: E731
    service = lambda k, t: 0.1 + 0.005 * tokens(k, t)  # noqa: E731
    limit = AdaptiveLimit(max_limit=128)
    run = simulate(16, 600, limit, service=service, sizes=lambda k, t: work(100, tokens(k, t)))
    assert run["util"] >= 0.95 and run["window"] >= 1.2 * 16
    blind = AdaptiveLimit(max_limit=128)  # the same without sizes: it would starve the server
    assert simulate(16, 600, blind, service=service)["util"] < run["util"] - 0.03  # till a probe


def test_millisecond_replies_are_noise_not_a_queue():
    # A server that answers at once (a quota proxy): 1 ms then 3 ms is scheduling noise, not a
    # queue twice the server's size; read as one, it would shrink the window to nothing.
    limit = AdaptiveLimit(max_limit=128, initial=32)
    for _ in range(16):
        limit.sample(0.001, 2)  # the job's start: a few in flight, fast
    for _ in range(10 * 32):
        limit.limited = True
        limit.sample(0.003, 32)
    assert limit.limit >= 32


def test_429s_halve_the_window_once_a_round_trip_then_it_grows_by_one():
    limit = AdaptiveLimit(max_limit=128, initial=64)
    serials = [limit.send() for _ in range(64)]
    for serial in serials[-5:]:
        limit.throttle(serial)  # one burst of 429s, all sent before the cut: one cut
    assert limit.limit == 32 and limit.throttled == 5 and not limit.slow_start
    for _ in range(32):  # the epoch that saw the cut ends: held
        limit.limited = True
        limit.sample(0.3, 32)
    assert limit.limit == 32
    for _ in range(32):  # no queue, requests waiting: past the 429's level by one a round trip
        limit.limited = True
        limit.sample(0.3, 32)
    assert limit.limit == 33
    limit.throttle(serials[-1])  # sent before the last cut: no news
    assert limit.limit == 33
    limit.throttle(limit.send())
    assert limit.limit == 16


@pytest.mark.parametrize("seed", range(4))
def test_a_server_with_a_bounded_queue_sees_no_429s_where_the_old_fixed_16_saw_none(seed):
    # capacity 4, 429 past 16 inside: the first window (16) fits exactly, so the window must
    # never grow past it; a queue from the very first burst has to show before any growth
    adaptive = simulate(4, 120, AdaptiveLimit(max_limit=128), bound=16, seed=seed)
    assert simulate(4, 120, fixed=16, bound=16, seed=seed)["rejected"] == 0
    assert adaptive["util"] >= 0.95 and adaptive["rejected"] == 0
    assert simulate(8, 120, AdaptiveLimit(max_limit=128), bound=32, seed=seed)["rejected"] == 0
    assert simulate(4, 120, fixed=32, bound=16, seed=seed)["rejected"] > 1000  # every round trip


def test_a_large_server_is_found_from_the_first_round_trip():
    # 16 at once met no queue at a server of 64: the first epoch proves it, then the window
    # doubles a round trip
    limit = AdaptiveLimit(max_limit=128)
    simulate(64, 0.9, limit)  # about the first round trip (0.1-0.5 s a call)
    assert limit.epoch >= 1 and limit.limit > 16
    run = simulate(64, 6.0, AdaptiveLimit(max_limit=128))  # 20 round trips, from a cold start
    assert run["util"] >= 0.85


def test_a_clear_first_proof_leaps_and_a_short_cold_job_keeps_a_large_server_busier(monkeypatch):
    # a job of about 10 round trips from a cold start: the leap after the first round trip is
    # what a short (nightly) job feels; LEAP_BELOW = 0 turns it off for the comparison
    def mean_util(capacity, leap_below):
        monkeypatch.setattr(concurrency, "LEAP_BELOW", leap_below)
        runs = [simulate(capacity, 3.0, AdaptiveLimit(max_limit=128), seed=s) for s in range(16)]
        return sum(r["util"] for r in runs) / len(runs)

    leap_below = concurrency.LEAP_BELOW
    limit = AdaptiveLimit(max_limit=128)
    simulate(64, 0.5, limit)  # just past the first epoch (16 replies of 0.1-0.5 s)
    assert limit.epoch == 1 and 30 <= limit.limit <= 36  # 2 x 16 (less the proof's noise), then +1 a reply
    monkeypatch.setattr(concurrency, "LEAP_BELOW", 0.0)
    unleapt = AdaptiveLimit(max_limit=128)
    simulate(64, 0.5, unleapt)
    assert unleapt.epoch == 1 and unleapt.limit < 20
    for capacity in (32, 64):
        assert mean_util(capacity, leap_below) >= mean_util(capacity, 0.0) + 0.03


def test_the_leap_costs_small_servers_no_429s(monkeypatch):
    # a server of 4-16 with a bounded queue (429 past 4 x its slots) must not see the leap: a
    # noisy first proof at a server of 8 behind a window of 16 does not leap
    def rejected(leap_below):
        monkeypatch.setattr(concurrency, "LEAP_BELOW", leap_below)
        return sum(simulate(c, 3.0, AdaptiveLimit(max_limit=128), bound=4 * c, seed=s)["rejected"]
                   for c in (4, 6, 8, 10, 12, 16) for s in range(32))  # fmt: skip

    assert rejected(concurrency.LEAP_BELOW) <= rejected(0.0) <= 4


def test_limits_are_kept():
    limit = AdaptiveLimit(max_limit=10, min_limit=2, initial=50)
    assert limit.limit == 10
    for _ in range(10):
        limit.throttle(limit.send())
    assert limit.limit == 2


def test_gate_serves_waiters_in_order_and_never_leaks_a_slot():
    async def go():
        gate, order = Gate(2), []

        async def user(name, hold):
            async with gate:
                order.append(name)
                await hold.wait()

        holds = [asyncio.Event() for _ in range(5)]
        tasks = [asyncio.create_task(user(i, holds[i])) for i in range(5)]
        await asyncio.sleep(0)
        assert order == [0, 1] and gate.held == 2
        tasks[2].cancel()  # cancelled while waiting: leaves the queue
        await asyncio.sleep(0)
        holds[0].set()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert order == [0, 1, 3] and gate.held == 2
        holds[1].set()  # user 1 leaves: its slot goes to user 4...
        await asyncio.sleep(0)
        tasks[4].cancel()  # ...who is cancelled before it runs: the slot is handed back
        await asyncio.gather(*tasks[:2], return_exceptions=True)
        await asyncio.sleep(0)
        assert gate.held == 1 and order == [0, 1, 3]
        holds[3].set()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert gate.held == 0 and gate.in_call == 0 and not gate._waiters

    asyncio.run(go())


def test_gate_feeds_the_window_and_wakes_waiters_when_it_grows():
    async def go():
        clock = iter(range(10_000))
        limit = AdaptiveLimit(max_limit=16, initial=1)
        gate = Gate(limit, clock=lambda: next(clock))
        entered, most = [], 0

        async def user(i):
            nonlocal most
            async with gate:
                entered.append(i)
                with gate.sending() as call:
                    most = max(most, gate.in_call)
                    call.size = 1.0
                    await asyncio.sleep(0)

        await asyncio.gather(*(user(i) for i in range(40)))
        assert entered == list(range(40)) and gate.held == gate.in_call == 0
        assert limit.serial == 40 and limit.epoch >= 2
        assert limit.limit > 1 and most > 1  # replies without a queue: the window grew, waiters woke

    asyncio.run(go())


def test_fixed_concurrency_is_a_setting():
    cfg = load_config(sets=["backend.kind=openai", "backend.model=m", "backend.base_url=http://h/v1"]).backend
    assert cfg.concurrency == "adaptive" and cfg.max_concurrency == 128
    fixed = load_config(sets=["backend.kind=openai", "backend.model=m", "backend.base_url=http://h/v1",
                              "backend.concurrency=fixed", "backend.max_concurrency=7"]).backend  # fmt: skip
    assert fixed.concurrency == "fixed" and fixed.max_concurrency == 7


@pytest.mark.slow
def test_against_a_real_server_the_window_follows_its_capacity(monkeypatch):
    import threading

    from k2batch.backends.base import ChatRequest

    monkeypatch.setenv("OPENAI_API_KEY", "local")
    with QuotaServer(capacity=4, service_s=lambda body: 0.1) as srv:
        sets = ["backend.kind=openai", "backend.model=m", f"backend.base_url={srv.url}/v1"]
        backend = OpenAIBackend(load_config(sets=sets).backend)
        in_flight, done = [], threading.Event()

        def watch():
            while not done.wait(0.05):
                in_flight.append(backend.gate.in_call)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            reqs = [ChatRequest(messages=(("user", f"what is {i} + {i}?"),), max_tokens=16, seed=i)
                    for i in range(300)]  # fmt: skip
            results = backend.generate(reqs)
        finally:
            done.set()
            watcher.join()
            backend.close()
    assert not any(r.error for r in results) and srv.counts["ok"] == 300
    # 300 requests at once: a fixed window of 128 would keep 128 in flight to the end; the
    # adaptive one settles at a few times the server's 4 (its no-load latency is measured with
    # the client's own overhead on a loaded machine: generous bounds; 42 seen once in a full run)
    later = sorted(in_flight[len(in_flight) // 2 :])
    assert 4 <= later[len(later) // 2] <= 64  # half the fixed window's
    assert srv.busy_share() >= 0.6


def test_the_server_s_own_counts_double_a_full_window_and_a_queue_ends_slow_start():
    big = AdaptiveLimit(max_limit=128)
    big.queue_seen(running=10, waiting=0, ours=10)  # the job does not fill the window: nothing learned
    assert big.limit == 16 and big.slow_start
    big.queue_seen(running=16, waiting=0, ours=16)
    big.queue_seen(running=32, waiting=0, ours=32)
    assert big.limit == 64 and big.slow_start
    big.queue_seen(running=20, waiting=0, ours=64)  # some of ours not yet at the server: no proof
    assert big.limit == 64
    big.queue_seen(running=48, waiting=16, ours=64)  # once may be between two scheduler steps
    assert big.slow_start
    big.queue_seen(running=48, waiting=16, ours=64)
    assert not big.slow_start and big.limit == 64  # 2 x 48 is above the window: it stays
    big.queue_seen(running=64, waiting=0, ours=64)  # slow start is over: latency rules from here
    assert big.limit == 64
    small = AdaptiveLimit(max_limit=128)
    small.queue_seen(running=4, waiting=12, ours=16)
    small.queue_seen(running=4, waiting=0, ours=4)  # not in a row: no proof yet
    small.queue_seen(running=4, waiting=12, ours=16)
    assert small.slow_start
    small.queue_seen(running=4, waiting=8, ours=12)  # the job does not fill the window: a queue still shows
    assert small.limit == 8 and not small.slow_start  # twice what a server of 4 runs


def test_queue_counts_are_read_from_each_server_s_metrics_page():
    from k2batch.backends.server_queue import counts, metrics_url

    vllm = """# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="Qwen/Qwen3-32B"} 30.0
vllm:num_requests_running{engine="1",model_name="Qwen/Qwen3-32B"} 28.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="Qwen/Qwen3-32B"} 2.0
vllm:num_requests_waiting{engine="1",model_name="Qwen/Qwen3-32B"} 0.0
# HELP vllm:iteration_tokens_total Histogram of number of tokens per engine_step.
# TYPE vllm:iteration_tokens_total histogram
vllm:iteration_tokens_total_bucket{le="1.0",model_name="Qwen/Qwen3-32B"} 3.0
vllm:iteration_tokens_total_sum{model_name="Qwen/Qwen3-32B"} 0.0
"""
    llama = """# HELP llamacpp:requests_processing Number of requests processing.
# TYPE llamacpp:requests_processing gauge
llamacpp:requests_processing 4
# HELP llamacpp:requests_deferred Number of requests deferred.
# TYPE llamacpp:requests_deferred gauge
llamacpp:requests_deferred 12
"""
    sglang = 'sglang:num_running_reqs{model_name="m"} 7.0\nsglang:num_queue_reqs{model_name="m"} 0.0\n'
    tgi = "tgi_batch_current_size 5\ntgi_queue_size 1\n"
    assert counts(vllm) == (58, 2)  # two engines behind one server: summed
    assert counts(llama) == (4, 12) and counts(sglang) == (7, 0) and counts(tgi) == (5, 1)
    assert counts("<html><body>404</body></html>") is None and counts("other_gauge 3\n") is None
    assert metrics_url("http://h:8000/v1/") == "http://h:8000/metrics"
    assert metrics_url("http://h:8080") == "http://h:8080/metrics"


def window_at_each_reply(srv, requests: int, keep: list | None = None, *more: str) -> list[tuple[bool, int]]:
    """A job of `requests` calls against `srv` with the default (adaptive) settings (and `more`):
    (slow start still on, window) as each reply came back. `keep` gets the backend, closed."""
    from k2batch.backends.base import ChatRequest

    sets = ["backend.kind=openai", "backend.model=m", f"backend.base_url={srv.url}/v1", *more]
    backend = OpenAIBackend(load_config(sets=sets).backend)
    if keep is not None:
        keep.append(backend)
    control, seen = backend.gate.control, []
    try:
        reqs = [ChatRequest(messages=(("user", f"what is {i} + {i}?"),), max_tokens=16, seed=i)
                for i in range(requests)]  # fmt: skip
        results = backend.generate(reqs, lambda i, r: seen.append((control.slow_start, control.limit)))
    finally:
        backend.close()
    assert not any(r.error for r in results) and srv.counts["ok"] == requests
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("publishes, streams", [(True, False), (False, True), (False, False)])
def test_a_server_with_room_is_filled_in_the_first_round_trip(monkeypatch, publishes, streams):
    """A server of 64 slots, 1 s a request: one that publishes vLLM's gauges has the window
    doubled at least once before its first reply is back (a read each 0.1 s; 3 reach 128); so
    has one that does not, from its streams' first chunks, which show it runs every request of
    the window (to 128 = twice its slots, where half of them get none). With neither the window
    is the cold 16 until a reply is back (latency shows nothing before). The same job each way."""
    monkeypatch.setenv("OPENAI_API_KEY", "local")
    with QuotaServer(capacity=64, service_s=lambda body: 1.0, queue_metrics=publishes) as srv:
        _, first = window_at_each_reply(srv, 192, None, f"backend.stream_start={str(streams).lower()}")[0]
    assert first >= 32 if publishes else first == (128 if streams else 16)


@pytest.mark.slow
@pytest.mark.parametrize("slots", [4, 8, 16])
def test_streams_do_not_grow_the_window_past_what_a_small_server_runs(monkeypatch, slots):
    """Streams at a server of 4, 8 or 16 slots (0.5 s a request): the cold window of 16 may grow
    only where the server runs all of it (16 slots: to 32, once); a queued request's stream sends
    nothing, so at 4 and 8 nothing grows it before latency ends slow start (a bound of 4 x 4
    would have seen no 429 at 4 slots)."""
    monkeypatch.setenv("OPENAI_API_KEY", "local")
    with QuotaServer(capacity=slots, service_s=lambda body: 0.5) as srv:
        seen = window_at_each_reply(srv, 6 * slots)
    assert max(window for _, window in seen[:slots]) == (32 if slots == 16 else 16)
    assert max(window for ramp, window in seen if ramp) <= max(16, 2 * slots) and srv.counts["ok"] == 6 * slots


@pytest.mark.slow
def test_a_small_server_that_publishes_its_queue_ends_slow_start_at_twice_its_slots(monkeypatch):
    """4 slots, 1 s a request: the cold window of 16 meets a queue of 12, which the gauges show
    (twice) before any reply is back; latency could show it only a round trip later."""
    monkeypatch.setenv("OPENAI_API_KEY", "local")
    with QuotaServer(capacity=4, service_s=lambda body: 1.0, queue_metrics=True) as srv:
        assert window_at_each_reply(srv, 24)[0] == (False, 8)


def test_closing_a_backend_ends_its_queue_watcher(monkeypatch):
    """A server publishing its queue gets a watcher; close() must let it close its own client
    before the loop stops (it was left pending, and at exit Python printed "Task was destroyed
    but it is pending" under every job against vLLM)."""
    monkeypatch.setenv("OPENAI_API_KEY", "local")
    with QuotaServer(capacity=4, service_s=lambda body: 0.2, queue_metrics=True) as srv:
        window_at_each_reply(srv, 8, keep=(backends := []))
    [backend] = backends
    assert backend._watcher is not None and backend._watcher.done()
    assert backend._gauge._client is None  # its HTTP client was closed
    assert backend._client.is_closed()  # and the SDK's, whose pool had closed at exit off the loop


def test_once_the_servers_counts_have_doubled_the_window_latency_adds_nothing_in_slow_start():
    """Streams (or /metrics) showed every request of the cold window running: 16 -> 32. The
    first round trip's replies then met no queue, which proves room for 16, not for 32: the
    leap takes twice the window of its proof (it took twice the window now: 64), and latency,
    noisy per unit of work, no longer adds a request a reply (a server of 16 reached 65, a 429
    past its 64)."""
    limit = AdaptiveLimit(128)
    limit.queue_seen(16, 0, 16)
    assert limit.limit == 32
    for _ in range(96):
        limit.sample(0.2, sent=16, size=1.0)
    assert limit.limit == 32


def test_where_streams_show_what_the_server_runs_a_clear_latency_proof_does_not_leap():
    """A server of 8 behind a cold window of 16 can give a first round trip whose fuller half
    looks clear (latency per unit of work is noisy): latency alone leaps to 32 (429s past a
    queue of 32). Where streams show when the server begins a request, they lead instead."""
    for streams, after in ((False, 32), (True, 16)):
        limit = AdaptiveLimit(128)
        if streams:
            limit.streams_lead()
        for _ in range(16):
            limit.sample(0.2, sent=12, size=1.0)
        assert limit.limit == after


def test_a_window_seen_all_running_doubles_only_if_it_stays_so():
    """A server of 8 ends 8 of a cold window of 16 and begins the other 8 in the freed slots; the
    client may read the new first chunks before the old ends (the bytes are in its sockets, not
    yet read), and for that moment sees all 16 running. The window doubles only where none ends
    for a while after (CI once saw 16 -> 32 at a server of 8)."""
    async def job(one_ends: bool) -> int:
        gate = Gate(AdaptiveLimit(128))
        sends = [gate.sending() for _ in range(16)]
        for call in [send.__enter__() for send in sends]:
            gate.started(call)
        if one_ends:  # an old reply's end, read just after the new first chunks
            sends.pop(0).__exit__(None, None, None)
        await asyncio.sleep(0.3)
        for send in sends:
            send.__exit__(None, None, None)
        return gate.limit

    assert asyncio.run(job(False)) == 32
    assert asyncio.run(job(True)) == 16


def test_a_stream_leads_only_where_its_first_chunk_came_well_before_its_end():
    """A proxy that holds a stream back until its end sends its first chunk with its last: such
    streams show nothing of the server's queue, and latency keeps leading."""
    now = [0.0]
    for begun, leads in ((0.1, True), (0.9, False)):
        gate, now[0] = Gate(AdaptiveLimit(128), clock=lambda: now[0]), 0.0
        with gate.sending() as call:
            now[0] = begun
            gate.started(call)
            now[0] = 1.0
        assert gate.control._led is leads and gate.running == 0 and gate.limit == 16

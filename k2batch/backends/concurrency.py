"""How many requests the HTTP backends keep in flight: a fixed number, or a window that adapts to
the server (`backend.concurrency = "adaptive"`, the default) between 1 and `max_concurrency`.

The adaptive window is a latency-gradient controller in the spirit of TCP Vegas and Netflix's
concurrency-limits: a server that runs C requests at once answers in its no-load time until C
are in flight; past that each extra request only waits in its queue, so latency / no-load
latency = in flight / C (Little's law). The window aims at `tolerance` x C (2 C): a queue at the
server that keeps it busy while the client is between batches, without piling up latency.

- Latency is measured per unit of work (32 + completion + prompt / 32 tokens: a long reply is
  slow, not congested), averaged over an epoch (about a round trip: as many replies as the
  window held, at least `MIN_EPOCH`). The no-load latency is the lowest epoch of the last
  `memory`, or of any `MIN_EPOCH` replies sent with at most `CLEAR` in flight (the job's start,
  its pauses); `JITTER_S` added to every latency keeps millisecond noise from counting.
- Slow start: from 16 (the old fixed default; or half the window an earlier job learned from the
  server, k2batch/backends/windows.py), one more per reply that met no queue, i.e. twice
  the window a round trip, once an epoch has shown that the replies sent with the window at
  least half full met no queue, and while each epoch's fuller half shows none. The first epoch
  compares them with its replies sent with at most `CLEAR` in flight (also the first no-load
  estimate, so a queue from the very first burst shows). Growth waits for that proof, so a
  server smaller than the first window does not see slow start grow past it. A first proof
  within `LEAP_BELOW` of the no-load latency leaps at once to `tolerance` x what it shows the
  server runs (Little's law: window x no-load / latency): a large server gets at once the
  doubling that per-reply growth takes a round trip for; a noisier proof (a server of 8 behind
  16 can look like one) only grows per reply. A server that
  publishes its own counts of running and waiting requests (vLLM, SGLang, llama.cpp, TGI) is
  asked instead, every 0.1 s while the window is full (every second while it is not): no queue
  at a full window doubles it at once, a queue ends slow start at tolerance x what the server
  runs (`queue_seen`). Any server is also streamed to while slow start lasts
  (k2batch/backends/http.py): a reply's first chunk shows the server runs it (a queued request
  gets none), so a full window whose every request has begun doubles the same way (`Gate.started`)
  once it has stayed so a moment (a reply's end can be read after the first chunk of the request
  the server ran next in its slot).
  Once counts have doubled the window, or a stream's first chunk came well before its end (a
  proxy may hold a stream back), they lead: latency no longer grows the window in slow start (a
  latency per unit of work is noisy, and misses a queue the counts see), and the first round
  trip of a full window they did not double ends it; the target below takes over from there.
- Then, once an epoch: target = tolerance x in flight x no-load / latency. The window grows
  toward it (at least by one) while it is above the window, requests waited for a slot and
  latency is under tolerance x no-load (a job between batches proves nothing), and shrinks half
  way to it when over.
- A 429 halves the window, once a burst (a 429 for a request sent before the last cut is no
  news, as TCP counts one loss a round trip); past that level it grows by one a round trip.
- Under a queue that never empties the no-load latency would age out and the window creep up:
  when it is `memory` epochs old, the window drops to `probe` x the estimated capacity for an
  epoch (replies sent above that are ignored) to measure it afresh, lower again while latency
  falls as much as the requests in flight (the server still queued them), then comes back.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from contextlib import contextmanager

MIN_EPOCH = 16  # replies an epoch averages at least (one reply's latency says little)
CLEAR = 4  # replies sent with at most this many in flight met no queue (servers run at least 4)
COLD = 16  # the first window without a learned one (k2batch/backends/windows.py): the old fixed default
JITTER_S = 0.01  # added to every latency: a server that answers in milliseconds shows only noise
LEAP_BELOW = 1.15  # a first proof this clear (latency / no-load) leaps; a noisier one grows per reply
GRACE_S = 0.05  # a window seen all running must stay so this long (and a quarter of its oldest's age)


def work(prompt_tokens: int, completion_tokens: int) -> float:
    """A call's size in units of latency: decoding dominates, a short call still costs a turn."""
    return 32 + completion_tokens + prompt_tokens / 32


class AdaptiveLimit:
    """The window's arithmetic, with no clock and no I/O: fed replies (`sample`) and 429s
    (`throttle`), it says how many requests may be in flight (`limit`)."""

    def __init__(self, max_limit: int, min_limit: int = 1, initial: int = COLD, tolerance: float = 2.0,
                 backoff: float = 0.5, memory: int = 30, probe: float = 0.75):  # fmt: skip
        self.max_limit, self.min_limit = max_limit, min(min_limit, max_limit)
        self.value = float(min(max(initial, self.min_limit), max_limit))
        self.tolerance, self.backoff, self.memory, self.probe_share = tolerance, backoff, memory, probe
        self.slow_start = True  # doubling each round trip until the server's queue shows
        self.ceiling = math.inf  # after a 429: grow by one a round trip past this
        self.epoch = 0
        self.limited = False  # a request waited for a slot this epoch (set by the gate)
        self.throttled = 0  # 429s seen
        self.probes = 0
        self._latency = self._work = self._sent = 0.0
        self._n = 0
        self._lows: deque[tuple[int, float]] = deque()  # (epoch, latency per work), increasing
        self._cut_epoch = -1
        self.serial = self._cut_serial = 0  # requests sent; the last one sent before the last cut
        self._restore: float | None = None  # while probing: the window to go back to
        self._before = (1.0, 1.0)  # while probing: latency and in flight of the epoch before
        self._clear = [0.0, 0.0, 0]  # latency, work and number of replies sent with <= CLEAR in flight
        self._full = [0.0, 0.0, 0]  # the same, this epoch, of replies sent with the window half full
        self._began = self.limit  # the window when this epoch began
        self._confirmed = False  # an epoch's fuller half met no queue: slow start may grow
        self._first = [0.0, 0.0, 0]  # latency, work, number: first epoch, sent with <= CLEAR in flight
        self._queued = 0  # reads in a row of the server's counts that showed a queue
        self._led = False  # the server's counts or its streams show what it runs: they lead slow start
        self._doubled = False  # they doubled the window this epoch

    @property
    def limit(self) -> int:
        return max(self.min_limit, int(self.value))

    def learned(self) -> int | None:
        """The window worth starting the next job at: none before a round trip, or mid-probe."""
        return self.limit if self.epoch and self._restore is None else None

    def send(self) -> int:
        """A request goes out: its serial number."""
        self.serial += 1
        return self.serial

    def throttle(self, serial: int) -> None:
        """A 429 for request `serial`: halve the window, unless the request went out before the
        last cut (one burst of 429s is one signal, as one round trip of losses is to TCP)."""
        self.throttled += 1
        self.slow_start = False
        if serial > self._cut_serial:
            self._cut_epoch, self._cut_serial = self.epoch, self.serial
            if self._restore is not None:
                self.value, self._restore = self._restore, None
            self.value = max(self.min_limit, self.value * self.backoff)
            self.ceiling, self._began = self.value, min(self._began, self.limit)

    def queue_seen(self, running: int, waiting: int, ours: int) -> None:
        """The server's own counts (its /metrics, k2batch/backends/server_queue.py) while `ours` of
        our requests were out. In slow start, a full window that it runs whole with none waiting
        proves room: the window doubles now, not a round trip of latencies later (a window the
        job does not fill proves nothing). A queue seen twice running, full window or not (once
        may be requests caught between two steps of its scheduler), ends slow start at
        `tolerance` x what it runs."""
        if not self.slow_start or self._restore is not None or not ours:
            return
        if waiting == 0:
            self._queued = 0
            if running >= ours >= self.limit:
                self.value = min(self.max_limit, 2 * self.value)
                self._led = self._doubled = True
            return
        self._queued += 1
        if self._queued >= 2:
            self.slow_start = False
            self.value = max(self.min_limit, min(self.value, self.tolerance * max(running, 1)))

    def streams_lead(self) -> None:
        """A streamed reply's first chunk came well before its end: this server's streams show
        when it begins a request, so they lead slow start (`queue_seen`), not latency, whose
        proof at a server of 8 behind 16 can look clear (a leap to 32: 429s past 32)."""
        self._led = True

    def sample(self, latency: float, sent: int, size: float = 1.0) -> None:
        """One reply: its latency (s), how many were in flight when it was sent (itself too) and
        its size (`work`)."""
        if self._restore is not None and sent > self.limit:  # sent before the probe drained
            return
        latency += JITTER_S
        if sent <= CLEAR:  # no-load latency for free: at the start, and whenever the job pauses
            self._clear = _plus(self._clear, latency, size)
            if self._clear[2] >= MIN_EPOCH:
                self._low(self._clear[0] / self._clear[1])
                self._clear = [0.0, 0.0, 0]
        if not self.epoch and sent <= CLEAR:  # the first epoch, replies that met no queue
            self._first = _plus(self._first, latency, size)
        if self.slow_start and 2 * sent >= self.limit and self._restore is None:  # window half full
            self._full = _plus(self._full, latency, size)
            # as TCP: x2 a round trip; not where counts lead, which see a queue that latency (per
            # unit of work, noisy) can miss: it grew a server of 16 from their 32 to 63 (429s past 64)
            if self._confirmed and not self._led:
                if latency < self._lows[0][1] * size * (1 + self.tolerance) / 2:
                    self.value = min(self.max_limit, self.value + 1)
        self._latency += latency
        self._work += size
        self._sent += sent
        self._n += 1
        if self._restore is not None:
            epoch = max(8, self.limit)
        else:  # about a round trip: as many replies as the window held when the epoch began
            epoch = max(4 if self.slow_start else MIN_EPOCH, self._began)
        if self._n >= epoch:
            self._update()
            self._began = self.limit

    def _update(self) -> None:
        r, inflight, limited = self._latency / self._work, self._sent / self._n, self.limited
        doubled, self._doubled = self._doubled, False
        self._latency = self._work = self._sent = 0.0
        self._n, self.limited = 0, False
        self.epoch += 1
        if self._restore is not None:  # a probe: sent with at most `limit` in flight
            self._lows.clear()  # the fresh measurement replaces the old ones
            self._lows.append((self.epoch, r))
            r0, in0 = self._before
            if r < 1.1 * r0 * inflight / in0 and self.limit > self.min_limit:
                # latency fell as much as the requests in flight: the server still queued them
                self.value, self._before = max(self.min_limit, self.value * self.probe_share), (r, inflight)
            else:
                self.value, self._restore = self._restore, None
            return
        self._low(r)
        if self.epoch == 1 and self._first[2] >= 4:  # a first burst may have queued; its first replies not
            self._low(self._first[0] / self._first[1])
        if self._lows[0][0] <= self.epoch - self.memory:
            if limited:  # the window stayed full: let the server's queue drain and look again
                self.probes += 1
                self._restore, self._before = self.value, (r, inflight)
                capacity = inflight * self._lows[0][1] / r
                self.value = max(self.min_limit, min(self.value, self.probe_share * capacity))
                return
            self._lows.popleft()
        base = self._lows[0][1]
        if self._cut_epoch >= self.epoch - 1:  # just halved: let the smaller window show first
            return
        if self.slow_start:  # does the window make a queue? its fuller half says
            latency, size, n = self._full
            self._full = [0.0, 0.0, 0]
            if n < 4:
                return  # the job did not fill it: nothing learned
            if self._led:  # a full window the counts did not double has met the server's edge
                if doubled or not limited:
                    return  # still doubling, or the job did not fill the window
            elif latency / size < base * (1 + self.tolerance) / 2:
                if not self._confirmed and latency / size < LEAP_BELOW * base:
                    # a clear first proof: the server ran the whole window at about its no-load
                    # latency, so (Little's law) it runs at least window x base / latency; take
                    # tolerance x that now, not a round trip of replies later (x the window the
                    # proof was sent at, its epoch's first)
                    leap = self.tolerance * self._began * min(1.0, base * size / latency)
                    self.value = min(self.max_limit, max(self.value, leap))
                self._confirmed = True  # from now on one more per reply that met no queue
                return  # no queue yet: keep growing
        self.slow_start = False
        target = min(self.tolerance * inflight * base / r, self.max_limit)
        if limited and r < self.tolerance * base and target > self.value:  # toward it, at least +1
            step = 1.0 if self.value >= self.ceiling else max(1.0, min(target, 2 * self.value) - self.value)
            self.value = min(self.max_limit, self.value + step)
        elif target < self.value and r > self.tolerance * base:  # the queue is too long
            self.value = max(self.min_limit, self.value + 0.5 * (target - self.value))

    def _low(self, r: float) -> None:
        """A latency per work measured now, for the lowest of the last `memory` epochs."""
        while self._lows and self._lows[-1][1] >= r:
            self._lows.pop()
        self._lows.append((self.epoch, r))


class Gate:
    """At most `limit` requests hold a slot at once (waiters served first come, first served);
    with an `AdaptiveLimit`, `sending()` times each call and feeds the window."""

    def __init__(self, limit: int | AdaptiveLimit, clock=time.perf_counter):
        self.control = limit if isinstance(limit, AdaptiveLimit) else None
        self._fixed = limit if isinstance(limit, int) else 0
        self.clock = clock
        self.held = 0  # slots taken (a request waiting for its quota holds one)
        self.in_call = 0  # requests at the server
        self.running = 0  # of those, streams whose reply has begun: the server runs them
        self.ended = 0  # calls that have ended
        self._oldest: dict[Call, float] = {}  # calls at the server: when each was sent (oldest first)
        self._check: asyncio.TimerHandle | None = None  # a full window seen all running, to confirm
        self._waiters: deque[asyncio.Future] = deque()

    @property
    def limit(self) -> int:
        return self.control.limit if self.control else self._fixed

    async def __aenter__(self) -> Gate:
        if self.held < self.limit and not self._waiters:
            self.held += 1
            return self
        if self.control:
            self.control.limited = True
        slot = asyncio.get_running_loop().create_future()
        self._waiters.append(slot)
        try:
            await slot  # `_wake` counted the slot as held
        except asyncio.CancelledError:
            if slot.done() and not slot.cancelled():  # granted, then cancelled: pass it on
                self.release()
            else:
                self._waiters.remove(slot)
            raise
        return self

    async def __aexit__(self, *exc) -> None:
        self.release()

    def release(self) -> None:
        self.held -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.held < self.limit:
            slot = self._waiters.popleft()
            if not slot.done():
                self.held += 1
                slot.set_result(None)

    @contextmanager
    def sending(self):
        """Around one call to the server; yields the `Call`, whose `size` the caller sets to the
        reply's `work`. A reply (no exception) is a latency sample for the window."""
        self.in_call += 1
        call = Call(self.control.send() if self.control else 0)
        sent, t0 = self.in_call, self.clock()
        self._oldest[call] = t0
        try:
            yield call
        finally:
            self.in_call -= 1
            self.running -= call.started
            self.ended += 1
            del self._oldest[call]
        if self.control:
            self.control.limited |= bool(self._waiters)
            latency = self.clock() - t0
            if call.started and call.begun - t0 < latency / 2:  # a proxy may hold a stream to its end
                self.control.streams_lead()
            self.control.sample(latency, sent, call.size)
            self._wake()

    def started(self, call: Call) -> None:
        """The first chunk of `call`'s streamed reply came: the server runs it (a request in its
        queue gets none). Every request of a full window running shows the server has room, as
        its own counts would (`AdaptiveLimit.queue_seen`): no round trip of latencies needed."""
        if call.started:
            return
        call.started, call.begun = True, self.clock()
        self.running += 1
        if self.control and self.running == self.in_call >= self.limit and self._check is None:
            # Not at once: a reply whose end is already in our socket still counts as running
            # until it is read, and the request the server ran next, in its freed slot, may show
            # its first chunk first (a server of 8 looked like 16). Only a window that stays all
            # running, no reply ending, for a while counts (a real one runs for a round trip).
            age = self.clock() - next(iter(self._oldest.values()))
            self._check = asyncio.get_running_loop().call_later(
                max(GRACE_S, age / 4), self._still_all_running, self.ended)

    def _still_all_running(self, ended: int) -> None:
        self._check = None
        if self.ended == ended and self.running == self.in_call:
            self.server_counts(self.running, 0)

    def server_counts(self, running: int, waiting: int) -> None:
        """What the server says it runs and queues now (`AdaptiveLimit.queue_seen`)."""
        if self.control:
            self.control.queue_seen(running, waiting, self.in_call)
            self._wake()

    def throttled(self, call: Call | None) -> None:
        """The server answered `call` with 429."""
        if self.control and call is not None:
            self.control.throttle(call.serial)


class Call:
    """One request at the server: its serial number, whether its reply has begun (a stream's
    first chunk) and, once answered, its size (`work`)."""

    __slots__ = ("serial", "size", "started", "begun")

    def __init__(self, serial: int):
        self.serial, self.size, self.started, self.begun = serial, 1.0, False, 0.0


def _plus(acc: list, latency: float, size: float) -> list:
    """One more reply in a [latency, work, number] sum."""
    return [acc[0] + latency, acc[1] + size, acc[2] + 1]

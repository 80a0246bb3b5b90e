"""How `k2batch.progress` is shown: rich progress bars on a terminal (problems done / total, a row
per stage with calls made / reused, throughput and ETA, spend vs budget where one is set), a plain
line logged periodically elsewhere, and rows for the solve flow's Prefect artifact; all three
from one `progress.snapshot()` and the same texts (`parts`).

Log records never go through the bars: while the display is active, every logging handler that
writes to the terminal (k2batch's, Prefect's console handler, Beam's through the root logger)
writes through the display's console, which prints each record above the live bars; output to
sys.stdout / sys.stderr is redirected the same way by rich's Live."""

from __future__ import annotations

import contextlib
import logging
import sys
import threading

from rich.console import Console
from rich.file_proxy import FileProxy
from rich.progress import BarColumn, Progress, TaskID, TextColumn
from rich.text import Text

from k2batch import progress
from k2batch.config import STAGES

log = logging.getLogger("k2batch.progress")  # the periodic line's logger


def duration(s: float | None) -> str:
    if s is None:
        return "–"
    s = round(s)
    h, m = divmod(s, 3600)
    m, sec = divmod(m, 60)
    return f"{h}h {m:02d}m" if h else f"{m}m {sec:02d}s" if m else f"{sec}s"


def parts(snap: dict) -> dict[str, str]:
    """The snapshot as short texts, one per measure (the line, the bars and the artifact)."""
    total, done = snap["total"], snap["done"]
    share = f" ({done / total:.0%})" if total else ""
    others = ", ".join(f"{n} {k}" for k, n in snap["statuses"].items() if k != progress.VERIFIED)
    out = {
        "problems": f"{done}/{'?' if total is None else total} done{share}",
        "verified": f"{snap['verified']} verified" + (f" ({others})" if others else ""),
    }
    for s, n in snap["stages"].items():
        out[s] = f"{n['made']} made, {n['reused']} reused" if n["made"] or n["reused"] else "–"
    rate = snap["tokens_per_s"]
    out["tokens"] = f"{snap['tokens']:,} tokens ({snap['completion_tokens']:,} generated)"
    out["tok/s"] = "– tok/s" if rate is None else f"{rate:,.0f} tok/s"
    out["elapsed"] = duration(snap["elapsed_s"])
    out["ETA"] = duration(snap["eta_s"]) + (" by the estimate" if snap.get("eta_from") == "forecast" else "")
    b, spent = snap["budget"] or {}, snap["tokens"]
    if b.get("tokens") is not None:
        out["budget tokens"] = f"{spent:,} / {b['tokens']:,} tokens ({spent / b['tokens']:.0%})"
    usd = snap["usd"]
    if b.get("usd") is not None:
        out["budget usd"] = f"${'?' if usd is None else f'{usd:,.4f}'} / ${b['usd']:,.2f}"
    elif usd is not None:
        out["spend usd"] = f"${usd:,.4f}"
    left = snap["deadline_in_s"]
    if left is not None:
        eta = snap["eta_s"]
        late = None if eta is None else eta - left
        verdict = "" if late is None else " (ETA fits)" if late <= 0 else f" (ETA {duration(late)} late)"
        out["deadline"] = (f"in {duration(left)}" if left > 0 else "passed") + verdict
    return out


def line(snap: dict | None = None) -> str:
    """One plain line: the periodic log line where stderr is not a terminal."""
    p = parts(snap or progress.snapshot())
    calls = ", ".join(f"{s} {p[s]}" for s in STAGES if p[s] != "–") or "none yet"
    budget = [p[k] for k in ("budget tokens", "budget usd") if k in p]
    spend = [f"spend vs budget {', '.join(budget)}"] if budget else []
    spend += [f"spend {p['spend usd']}"] if "spend usd" in p else []
    deadline = [f"deadline {p['deadline']}"] if "deadline" in p else []
    return "; ".join([f"problems {p['problems']}, {p['verified']}", f"calls: {calls}",
                      f"{p['tok/s']}, {p['tokens']}", *spend, *deadline,
                      f"elapsed {p['elapsed']}, ETA {p['ETA']}"])  # fmt: skip


def table(snap: dict | None = None) -> list[dict]:
    """The snapshot as rows {measure, value} (the solve flow's Prefect table artifact)."""
    p = parts(snap or progress.snapshot())
    names = {s: f"calls: {s}" for s in STAGES}
    return [{"measure": names.get(k, k), "value": v} for k, v in p.items()]


@contextlib.contextmanager
def periodic(every_s: float):
    """Log `line()` at INFO every `every_s` and once at the end (this logger at INFO for the
    while, unless a level was set for it: progress is what the caller asked for)."""
    stop, quiet = threading.Event(), log.level == logging.NOTSET
    if quiet:
        log.setLevel(logging.INFO)

    def beat() -> None:
        while not stop.wait(every_s):
            log.info("%s", line())

    thread = threading.Thread(target=beat, name="k2batch-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        log.info("%s", line())
        if quiet:
            log.setLevel(logging.NOTSET)


class _Bar(BarColumn):
    """A bar, or nothing for rows that are only numbers."""

    def render(self, task):
        return Text("") if task.fields.get("bar") is False else super().render(task)


def _handlers() -> list[logging.Handler]:
    loggers = [logging.getLogger()] + [
        lg for lg in list(logging.Logger.manager.loggerDict.values()) if isinstance(lg, logging.Logger)
    ]
    seen: dict[int, logging.Handler] = {}
    for lg in loggers:
        for h in list(lg.handlers):
            seen.setdefault(id(h), h)
    return list(seen.values())


class LogsAbove:
    """Route every handler writing to the terminal (or to the console's file) through `console`,
    so its records print above a live display. `scan()` again finds handlers added since (the
    display does at each refresh); `restore()` puts every stream back."""

    def __init__(self, console: Console):
        self.console = console
        streams = (sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__, console.file)
        self.terminal = {id(s) for s in streams if s is not None}  # before Live replaces sys.stderr
        self.swapped: list[tuple] = []

    def scan(self) -> None:
        for h in _handlers():
            stream = getattr(h, "stream", None)
            if not isinstance(h, logging.StreamHandler) or isinstance(h, logging.FileHandler):
                continue
            if id(stream) not in self.terminal:
                continue
            proxy = FileProxy(self.console, stream)
            try:
                h.setStream(proxy)
            except AttributeError:  # logging.lastResort: sys.stderr as it is now, which Live redirects
                continue
            inner = getattr(h, "console", None)  # Prefect's handler prints through its own Console
            inner_file = inner.file if isinstance(inner, Console) else None
            if inner_file is not None:
                inner.file = proxy
            self.swapped.append((h, stream, proxy, inner, inner_file))

    def restore(self) -> None:
        for h, stream, proxy, inner, inner_file in self.swapped:
            if h.stream is proxy:
                h.setStream(stream)
            if inner_file is not None and inner.file is proxy:
                inner.file = inner_file
        self.swapped.clear()


class LiveDisplay:
    """Rich progress bars over `progress.snapshot()`, refreshed every `refresh_s` seconds by a
    thread (None: only when `update()` is called, as tests do)."""

    def __init__(self, console: Console | None = None, refresh_s: float | None = 0.5):
        self.console = console or Console(stderr=True)
        self.refresh_s = refresh_s
        self.bars = Progress(
            TextColumn("{task.description:<14}"),
            _Bar(bar_width=36),
            TextColumn("{task.fields[info]}"),
            console=self.console,
            auto_refresh=False,
        )
        self._rows: dict[str, TaskID] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._logs = LogsAbove(self.console)

    def __enter__(self) -> LiveDisplay:
        self._logs.scan()  # before Live swaps sys.stderr: handlers hold the real streams
        self.bars.start()
        self.update()
        if self.refresh_s:
            self._thread = threading.Thread(target=self._loop, name="k2batch-live", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        try:
            self.update()
            self.bars.stop()
        finally:
            self._logs.restore()

    def _loop(self) -> None:
        while not self._stop.wait(self.refresh_s):
            self.update()

    def _row(self, key: str, info: str, bar: bool = False, completed: float = 0,
             total: float | None = None) -> None:  # fmt: skip
        if key not in self._rows:
            self._rows[key] = self.bars.add_task(key, total=total, info=info, bar=bar)
        self.bars.update(self._rows[key], completed=completed, total=total, info=info, bar=bar)

    def update(self) -> None:
        self._logs.scan()
        snap = progress.snapshot()
        p = parts(snap)
        eta = f"ETA {p['ETA']}" + (f", deadline {p['deadline']}" if "deadline" in p else "")
        self._row("problems", f"{p['problems']} · {p['verified']} · {eta}", True, snap["done"], snap["total"])
        for s in STAGES:
            self._row(s, p[s] if p[s] == "–" else f"calls {p[s]}")
        spend = f" · {p['spend usd']}" if "spend usd" in p else ""
        self._row("throughput", f"{p['tok/s']} · {p['tokens']}{spend} · elapsed {p['elapsed']}")
        b = snap["budget"] or {}
        for kind, spent in (("tokens", snap["tokens"]), ("usd", snap["usd"] or 0.0)):
            if b.get(kind) is not None:
                self._row(f"budget {kind}", p[f"budget {kind}"], True, min(spent, b[kind]), b[kind])
        self.bars.refresh()

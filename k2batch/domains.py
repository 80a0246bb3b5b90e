"""Problem domains: how a domain asks the solver for its answer, finds the answer in a reply,
and checks it. The built-in domains register here like any other; a new domain is one
`register(Domain(...))`.

Worker processes (Beam's, the verifier pool's) do not run the user's script, so the domains a
user registered travel with the job: `shipped()` pickles them (by value, with cloudpickle) into
the pipeline and the verifier tasks, and `install()` registers them where they land."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

# (reply, number of options or None) -> (answer or None, the rule that found it)
Extract = Callable[[str, "int | None"], "tuple[str | None, str]"]
# a verification task (see k2batch.verify.task) -> (status, reason); None: not decided here
Check = Callable[[dict], "tuple[str, str] | None"]


@dataclass(frozen=True)
class Domain:
    name: str
    instruction: str  # the solver prompt's closing instruction
    extract: Extract
    verify: Check | None = None  # runs in the verifier pool (hard timeout); None: unverified
    quick_check: Check | None = None  # cheap verdicts decided before the pool (may return None)
    needs_choices: bool = False  # rows of this domain must have options
    builtin: bool = field(default=False, repr=False)


_registry: dict[str, Domain] = {}
_lock = threading.Lock()


def register(domain: Domain) -> Domain:
    """Add (or replace) a domain. Names are lower case; a built-in can be replaced."""
    if not domain.name or domain.name != domain.name.strip().lower():
        raise ValueError(f"domain names are lower case without spaces: {domain.name!r}")
    with _lock:
        _registry[domain.name] = domain
    return domain


def get(name: str) -> Domain | None:
    _builtins()
    return _registry.get(name)


def names() -> tuple[str, ...]:
    _builtins()
    return tuple(_registry)


def shipped() -> bytes | None:
    """The user's domains (and replaced built-ins), pickled by value for worker processes."""
    _builtins()
    mine = [d for d in _registry.values() if not d.builtin]
    if not mine:
        return None
    import cloudpickle  # only with user domains: verifier sandboxes run a bare system Python

    return cloudpickle.dumps(mine)


def install(blob: bytes | None) -> None:
    """Register the domains `shipped()` pickled (in a worker process)."""
    if blob:
        import cloudpickle

        for d in cloudpickle.loads(blob):
            register(d)


_loaded = False


def _builtins() -> None:
    """Register the built-in domains on first use (a user's replacement registered earlier wins)."""
    global _loaded
    if _loaded:
        return
    from k2batch import builtin_domains

    with _lock:
        for d in builtin_domains.DOMAINS:
            _registry.setdefault(d.name, d)
        _loaded = True  # only once they are all there: another thread may be reading

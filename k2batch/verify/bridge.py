"""Assert-style tests (HumanEval `check`, MBPP asserts, rLLM LeetCode scripts) without letting the
program under test near its verdict.

Two sandboxes, joined only by two pipes:
- the *candidate* sandbox runs the generated code, then serves calls to the functions and classes
  it defined: arguments in, results out, as plain data (numbers, text, bytes, None, lists,
  tuples, dicts, sets; a dict subclass's items as a dict, an iterator's items as an iterator) in
  a tagged JSON encoding — never objects, never pickles;
- the *test* sandbox runs the dataset's test code against stand-ins for those functions and
  classes, and reports PASS on a third pipe that only it and the verifier hold.
So a candidate cannot forge the verdict by exiting early (its stand-ins then fail), by returning
an object whose `__eq__` says yes (only plain data crosses, and rebuilt on the test side), or by
reading the tests (they never enter its sandbox). Arguments a call mutates in place are copied
back. Values that are not plain data cannot cross: such a test gets an `error` verdict, not a
wrong `incorrect`."""

from __future__ import annotations

import contextlib
import os

from k2batch.verify import sandbox

# Shared by both sides (source text): plain data <-> JSON, exact types only (a subclass of int
# or list could carry its own __eq__).
CODEC = r'''
import builtins as _builtins, json as _json, math as _math, collections.abc as _abc
_TAGS = {"$t": tuple, "$s": set, "$fs": frozenset}
class CannotCross(BaseException):
    """A value that is not plain data: the check cannot be decided."""
def _HANDLE(v):  # an object the tests made (each side sets its own): it crosses as its handle
    return None
def _UNHANDLE(h):
    raise ValueError("no objects on this side")
def _FUNCTION(v):  # a function of the tests' (`lambda x: x % 2`): crosses as a callback to them
    return None
def _CALLBACK(i):
    raise ValueError("no callbacks on this side")
def _reraise(reply):
    """A reply's exception, as its nearest builtin kind (JSONDecodeError is a ValueError)."""
    if "cannot" in reply:
        raise CannotCross(reply["cannot"])
    kinds = [getattr(_builtins, k, None) for k in reply["raise"]]
    kind = next((k for k in kinds if isinstance(k, type) and issubclass(k, Exception)), RuntimeError)
    raise kind(reply["message"])
def _reply_of(call):
    """{"ok": value} for a call that returned, else what it raised as a reply."""
    try:
        return {"ok": _enc(call())}
    except CannotCross as exc:
        return {"cannot": str(exc)}
    except BaseException as exc:
        return {"raise": [c.__name__ for c in type(exc).__mro__], "message": str(exc)[:300]}
def _enc(v, depth=0):
    if depth > 200:
        raise CannotCross("a value nested too deep to cross the sandbox")
    t = type(v)
    if v is None or t is bool or t is int or t is str:
        return v
    if t is float:
        return v if _math.isfinite(v) else {"$f": repr(v)}
    if t is list:
        return [_enc(x, depth + 1) for x in v]
    for tag, kind in _TAGS.items():
        if t is kind:
            return {tag: [_enc(x, depth + 1) for x in v]}
    if t is dict:
        return {"$d": [[_enc(k, depth + 1), _enc(x, depth + 1)] for k, x in v.items()]}
    if t is bytes:
        return {"$b": v.hex()}
    if t is complex:
        return {"$c": [v.real, v.imag]}
    # MBPP's own solutions return a Counter (a dict's data crosses, as a dict) or a filter object
    # (its items cross, an iterator again on the other side: `set(...)` of it works, `== [...]` not)
    if isinstance(v, dict):
        return {"$d": [[_enc(k, depth + 1), _enc(x, depth + 1)] for k, x in v.items()]}
    if isinstance(v, _abc.Iterator):
        return {"$it": [_enc(x, depth + 1) for x in v]}
    if _HANDLE(v) is not None:  # never an object the candidate made: `Any()` equal to all cannot cross
        return {"$h": _HANDLE(v)}
    if _FUNCTION(v) is not None:
        return {"$fn": _FUNCTION(v)}
    raise CannotCross(t.__name__ + " values cannot cross the sandbox (only plain data can)")
def _dec(v):
    if type(v) is list:
        return [_dec(x) for x in v]
    if type(v) is not dict:
        return v
    (tag, x), = v.items()
    if tag in _TAGS:
        return _TAGS[tag](_dec(i) for i in x)
    if tag == "$d":
        return {_dec(k): _dec(i) for k, i in x}
    if tag == "$f" and x in ("nan", "inf", "-inf"):
        return float(x)
    if tag == "$b":
        return bytes.fromhex(x)
    if tag == "$c":
        return complex(*x)
    if tag == "$it":
        return iter([_dec(i) for i in x])
    if tag == "$h":
        return _UNHANDLE(x)
    if tag == "$fn":
        return _CALLBACK(x)
    raise ValueError("not plain data: " + str(tag)[:40])
'''

# The candidate side: appended after the generated code; serves calls until its input closes.
SERVER = (
    CODEC
    + r"""
def _k2b_serve(defined):
    import os, sys
    requests = os.fdopen(int(sys.argv[1]), "r")
    replies = os.fdopen(int(sys.argv[2]), "w")
    def send(msg):
        replies.write(_json.dumps(msg) + "\n")
        replies.flush()
    scope = globals()
    names = {k: ("class" if isinstance(v, type) else "function") for k, v in list(scope.items())
             if k in defined and callable(v)}
    send({"names": names})
    objects, ids = [], {}  # what the tests made (kept alive, so ids stay theirs)
    def unhandle(h):
        if type(h) is not int or not 0 <= h < len(objects):
            raise ValueError("no such object")
        return objects[h]
    global _HANDLE, _UNHANDLE, _CALLBACK, _FUNCTION
    _HANDLE, _UNHANDLE = (lambda v: ids.get(id(v))), unhandle
    ops = {"len": len, "bool": bool, "str": str, "iter": list, "getitem": lambda o, k: o[k],
           "contains": lambda o, k: k in o, "setitem": lambda o, k, v: o.__setitem__(k, v)}
    def callback(i):
        def call(*args, **kwargs):  # asks the tests, serving their calls until their answer comes
            send({"callback": i, "args": _enc(list(args)), "kwargs": _enc(kwargs)})
            while True:
                line = requests.readline()
                if not line:
                    raise SystemExit(0)  # the tests are gone
                req = _json.loads(line)
                if "answer" in req:
                    return _dec(req["answer"]["ok"]) if "ok" in req["answer"] else _reraise(req["answer"])
                handle(req)
        call._k2b_callback = i  # echoed back (arguments are, for what a call changed) as itself
        return call
    _CALLBACK, _FUNCTION = callback, (lambda v: getattr(v, "_k2b_callback", None))
    def handle(req):  # one call of the tests', answered
        try:
            args, kwargs = _dec(req["args"]), _dec(req["kwargs"])
            owner = unhandle(req["handle"]) if "handle" in req else scope.get(req.get("cls"))
            if req["op"] == "new":
                objects.append(scope[req["name"]](*args, **kwargs))
                ids[id(objects[-1])] = len(objects) - 1
                return send({"handle": len(objects) - 1})
            if req["op"] == "getattr":  # obj.x: its value, or that it is a method (called by name)
                value = getattr(owner, req["name"])
                method = callable(value) and not isinstance(value, type)
                if method:
                    return send({"method": True})
                return send({"ok": _enc(value), "args": [], "kwargs": _enc({})})
            if req["op"] == "setattr":
                setattr(owner, req["name"], *args)
                result = None
            elif req["op"] == "apply":  # len(obj), obj[k], k in obj, iteration, str(obj)
                result = ops[req["name"]](owner, *args)
            else:
                target = scope[req["name"]] if req["op"] == "call" else getattr(owner, req["name"])
                result = target(*args, **kwargs)
            send({"ok": _enc(result), "args": _enc(args), "kwargs": _enc(kwargs)})
        except CannotCross as exc:
            send({"cannot": str(exc)})
        except BaseException as exc:
            send({"raise": [c.__name__ for c in type(exc).__mro__], "message": str(exc)[:300]})
    while True:
        line = requests.readline()
        if not line:
            break
        handle(_json.loads(line))
_k2b_serve(_k2b_defined)
"""
)

# The test side: stand-ins for the candidate's names, then the dataset's tests, then PASS.
CLIENT = (
    CODEC
    + r'''
import builtins as _k2b_builtins, os as _k2b_os, sys as _k2b_sys
_k2b_to = _k2b_os.fdopen(int(_k2b_sys.argv[1]), "w")
_k2b_from = _k2b_os.fdopen(int(_k2b_sys.argv[2]), "r")
_k2b_verdict = int(_k2b_sys.argv[3])
class CandidateGone(Exception):
    """The candidate's process ended (it exited, crashed or was killed) before answering."""
def _k2b_rpc(msg):
    try:
        _k2b_to.write(_json.dumps(msg) + "\n")
        _k2b_to.flush()
    except BrokenPipeError:
        raise CandidateGone("the candidate's process ended") from None
    while True:
        line = _k2b_from.readline(1 << 24)
        if not line.endswith("\n"):
            raise CandidateGone("the candidate's process ended without answering")
        reply = _json.loads(line)
        if "callback" not in reply:
            return reply
        fn = _k2b_callbacks[reply["callback"]]  # the candidate calls one of the tests' functions
        answer = _reply_of(lambda: fn(*_dec(reply["args"]), **_dec(reply["kwargs"])))
        _k2b_to.write(_json.dumps({"answer": answer}) + "\n")
        _k2b_to.flush()
def _k2b_result(reply, args, kwargs):
    if "cannot" in reply:
        raise CannotCross(reply["cannot"])
    if "raise" in reply:
        _reraise(reply)
    if "ok" not in reply:
        raise CandidateGone("the candidate's process sent no result")
    for old, new in zip((*args, *kwargs.values()), (*_dec(reply["args"]), *_dec(reply["kwargs"]).values())):
        if type(old) is list and type(new) is list:  # mutated in place: copy back
            old[:] = new
        elif type(old) in (dict, set) and type(old) is type(new):
            old.clear()
            old.update(new)
    return _dec(reply["ok"])
def _k2b_op(op, owner, name, *args, **kwargs):
    reply = _k2b_rpc({"op": op, **owner, "name": name, "args": _enc(list(args)), "kwargs": _enc(kwargs)})
    if reply.get("method"):
        return _k2b_Function(name, owner)
    return _k2b_result(reply, args, kwargs)
class _k2b_Function:
    def __init__(self, name, owner=None):  # owner: {"handle": h} (an object's) or {"cls": name}
        self.__name__, self._owner = name, owner
    def __call__(self, *args, **kwargs):
        op = "call" if self._owner is None else "method"
        return _k2b_op(op, self._owner or {}, self.__name__, *args, **kwargs)
class _k2b_Object:
    """An object the tests made of a candidate's class: its attributes read and set, its methods,
    len, [], in, iteration and str go to it; never == (its own __eq__ could say yes to anything)."""
    def __init__(self, handle):
        object.__setattr__(self, "_handle", {"handle": handle})
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _k2b_op("getattr", self._handle, name)
    def __setattr__(self, name, value):
        _k2b_op("setattr", self._handle, name, value)
    def __len__(self):
        return _k2b_op("apply", self._handle, "len")
    def __bool__(self):
        return _k2b_op("apply", self._handle, "bool")
    def __str__(self):
        return _k2b_op("apply", self._handle, "str")
    def __getitem__(self, key):
        return _k2b_op("apply", self._handle, "getitem", key)
    def __setitem__(self, key, value):
        _k2b_op("apply", self._handle, "setitem", key, value)
    def __contains__(self, key):
        return _k2b_op("apply", self._handle, "contains", key)
    def __iter__(self):
        return iter(_k2b_op("apply", self._handle, "iter"))
_k2b_objects, _k2b_callbacks = {}, []
def _FUNCTION(v):
    if not callable(v) or isinstance(v, _k2b_Object):
        return None
    _k2b_callbacks.append(v)
    return len(_k2b_callbacks) - 1
def _CALLBACK(i):
    return _k2b_callbacks[i]
def _HANDLE(v):
    return v._handle["handle"] if type(v) is _k2b_Object else None
def _UNHANDLE(h):
    return _k2b_objects.setdefault(h, _k2b_Object(h))
class _k2b_Class:
    def __init__(self, name):
        self.__name__ = name
    def __getattr__(self, name):  # a static method or a class attribute
        if name.startswith("__"):
            raise AttributeError(name)
        return _k2b_op("getattr", {"cls": self.__name__}, name)
    def __call__(self, *args, **kwargs):
        reply = _k2b_rpc(
            {"op": "new", "name": self.__name__, "args": _enc(list(args)), "kwargs": _enc(kwargs)}
        )
        if "handle" not in reply:
            _k2b_result(reply, args, kwargs)
        return _UNHANDLE(reply["handle"])
_k2b_hello = _k2b_from.readline(1 << 24)
if not _k2b_hello.endswith("\n"):
    raise CandidateGone("the candidate's code ended before it could be called")
_k2b_tests = compile({tests}, "tests.py", "exec")
def _k2b_uses(code):
    """The global (and attribute) names a code object and those nested in it refer to."""
    return set(code.co_names).union(*(_k2b_uses(c) for c in code.co_consts if hasattr(c, "co_names")))
_k2b_names = {k: v for k, v in _json.loads(_k2b_hello)["names"].items()
              # never over this side's own machinery (its names start with _ or are its exceptions)
              if k.isidentifier() and not k.startswith("_") and k not in ("CannotCross", "CandidateGone")}
def _k2b_import(*names):
    """What the tests import from the module under test (`from list_ops import filter as f`): the
    candidate's own, even named like a builtin, since the tests ask for it by name."""
    missing = [n for n in names if n not in _k2b_names]
    if missing:
        raise ImportError("cannot import " + ", ".join(missing) + " from the candidate's code")
    made = [(_k2b_Class if _k2b_names[n] == "class" else _k2b_Function)(n) for n in names]
    return made[0] if len(made) == 1 else made
# Where the tests call a function of the candidate's that is not named like a builtin (the function
# under test), its other names cannot shadow the builtins the tests use (`def abs` returning 0 or
# `def range` returning [] would forge them); tests of a function named like one (MBPP's `sum`) get it.
_k2b_guard = any(k in _k2b_uses(_k2b_tests) and not hasattr(_k2b_builtins, k) for k in _k2b_names)
for _k2b_name, _k2b_kind in _k2b_names.items():
    if not (_k2b_guard and hasattr(_k2b_builtins, _k2b_name)):
        _k2b_stand_in = _k2b_Class if _k2b_kind == "class" else _k2b_Function
        globals()[_k2b_name] = _k2b_stand_in(_k2b_name)
try:
    exec(_k2b_tests, globals())  # module-level semantics, as published
except CannotCross as exc:
    _k2b_os.write(_k2b_verdict, ("ERROR " + str(exc)).encode())
    raise SystemExit(3)
_k2b_os.write(_k2b_verdict, b"PASS")
'''
)


# Function tests call the candidate's code as a module, not as a script: its demo under
# `if __name__ == "__main__":` does not run (it may read stdin, or raise), as the graders exec it.
AS_MODULE = "__name__ = '__k2batch_candidate__'\n"


def run_tests(
    candidate: str, tests: str, prelude: str, timeout_s: float, strict: bool = True, own: str | None = None
) -> tuple[str, str]:
    """(status, reason) for `candidate` (its source) against `tests` (test code that uses the
    candidate's names, e.g. `check(f)` appended to a check function). `prelude` runs before the
    tests, `own` (default: the same) before the candidate."""
    server = (
        # what the candidate (re)defines:
        f"{prelude if own is None else own}\n{AS_MODULE}_k2b_before = dict(globals())\n{candidate}\n"
        f"_k2b_defined = {{k for k, v in globals().items() if _k2b_before.get(k, _k2b_before) is not v}}\n"
        f"{SERVER}"
    )
    client = prelude + CLIENT.replace("{tests}", repr(tests))
    to_candidate, to_tests, verdict = os.pipe(), os.pipe(), os.pipe()
    with contextlib.ExitStack() as stack:
        for fd in (*to_candidate, *to_tests, *verdict):
            stack.callback(_close, fd)
        a = stack.enter_context(sandbox.start(
            server, strict=strict, timeout_s=timeout_s, pass_fds=(to_candidate[0], to_tests[1]),
            args=(str(to_candidate[0]), str(to_tests[1]))))  # fmt: skip
        b = stack.enter_context(sandbox.start(
            client, strict=strict, timeout_s=timeout_s, pass_fds=(to_candidate[1], to_tests[0], verdict[1]),
            args=(str(to_candidate[1]), str(to_tests[0]), str(verdict[1]))))  # fmt: skip
        for fd in (to_candidate[0], to_candidate[1], to_tests[0], to_tests[1], verdict[1]):
            _close(fd)  # only the sandboxes hold these now: EOF when they end
        tested = b.wait(b"", timeout_s)
        served = a.wait(b"", 0.5)
        said = _read_all(verdict[0])
    if said == b"PASS" and tested.returncode == 0:
        return "correct", "all tests passed"
    if said.startswith(b"ERROR "):
        return "error", said[6:].decode("utf-8", "replace")[:300]
    if tested.timed_out:
        return "incorrect", "timeout"
    last = (tested.stderr.strip().splitlines() or [f"exit {tested.returncode}"])[-1]
    if "CandidateGone" in last:
        gone = (served.stderr.strip().splitlines() or [f"exit {served.returncode}"])[-1]
        last = f"{last} ({gone[:200]})"
    return "incorrect", f"tests failed: {last[:300]}"


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
        if sum(map(len, chunks)) > 65536:
            break
    return b"".join(chunks)

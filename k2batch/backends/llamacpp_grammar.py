"""Grammar-constrained decoding on llama.cpp, the likeliest tokens checked first.

llama-cpp-python puts the grammar sampler ahead of top-k, so every token of a JSON reply (triage,
judge) checks the whole vocabulary (49k tokens for SmolLM2) against the grammar: on this machine
that tripled a judge reply's time per token. llama.cpp's own `common_sampler` avoids it by
checking the sampled token first (`grammar-resampling`, ggml-org/llama.cpp#7424); llama-cpp-python
does not use that path. Here the grammar sees the `FIRST` likeliest tokens; if at least as many
pass as the samplers after it keep (top-k, or 1 for greedy decoding), the top-k of the grammar's
tokens are among them (every token left out is less likely than all of them), so the reply is the
same token for token as with the library's order. Otherwise, and for samplers that keep more
(top-k off, mirostat, temperature < 0), the grammar checks the whole vocabulary as before."""

from __future__ import annotations

import ctypes
import inspect

import llama_cpp
import numpy as np
from llama_cpp import Llama
from llama_cpp import _internals as internals

FIRST = 256  # tokens the grammar checks first: a JSON string's next token is almost always among them
_TOKEN = np.dtype([("id", np.intc), ("logit", np.single), ("p", np.single)], align=True)  # llama_token_data


class LikeliestFirstGrammar:
    """A llama.cpp sampler (a chain link implemented in Python) wrapping llama.cpp's grammar
    sampler: the grammar state advances on every accepted token, as the library's own would."""

    def __init__(self, vocab, grammar, keep: int):
        self.keep = keep  # tokens the samplers after this one choose from
        self.fast = self.full = 0  # steps decided on the likeliest tokens / on the whole vocabulary
        self._grammar = llama_cpp.llama_sampler_init_grammar(
            vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8")
        )
        self.link = internals.CustomSampler(self._apply)
        iface = self.link.sampler.iface.contents
        self._callbacks = (  # kept: ctypes callbacks must outlive the chain
            llama_cpp.llama_sampler_i_accept(
                lambda _s, token: llama_cpp.llama_sampler_accept(self._grammar, token)
            ),
            llama_cpp.llama_sampler_i_reset(lambda _s: llama_cpp.llama_sampler_reset(self._grammar)),
        )
        iface.accept, iface.reset = self._callbacks

    def _apply(self, cur_p) -> None:
        arr = cur_p.contents
        n = arr.size
        if n > FIRST and self.keep <= FIRST:
            raw = ctypes.cast(arr.data, ctypes.POINTER(ctypes.c_byte))
            tokens = np.ctypeslib.as_array(raw, (n * _TOKEN.itemsize,)).view(_TOKEN)
            first = np.ascontiguousarray(tokens[np.argpartition(tokens["logit"], n - FIRST)[n - FIRST :]])
            view = llama_cpp.llama_token_data_array(
                data=first.ctypes.data_as(llama_cpp.llama_token_data_p), size=FIRST, selected=-1, sorted=False
            )
            llama_cpp.llama_sampler_apply(self._grammar, ctypes.byref(view))
            allowed = first[first["logit"] > -np.inf]
            if len(allowed) >= self.keep:
                tokens[: len(allowed)] = allowed
                arr.size, arr.sorted = len(allowed), False
                self.fast += 1
                return
        self.full += 1
        llama_cpp.llama_sampler_apply(self._grammar, cur_p)

    def close(self) -> None:
        llama_cpp.llama_sampler_free(self._grammar)


class GrammarFastLlama(Llama):
    """`Llama` whose grammar sampler checks the likeliest tokens first (same replies)."""

    likeliest_first = True  # False: the library's own order (benchmarks/grammar.py compares them)
    last_grammar: LikeliestFirstGrammar | None = None  # the latest reply's, for tests and benchmarks

    def _init_sampler(self, *args, **kwargs):
        bound = inspect.signature(Llama._init_sampler).bind(self, *args, **kwargs)
        bound.apply_defaults()
        a = dict(bound.arguments)
        del a["self"]
        grammar, a["grammar"] = a.get("grammar"), None
        keep = _kept(a) if grammar is not None and self.likeliest_first else None
        if keep is None:  # no grammar, or sampling this was not written for: the library's own order
            return super()._init_sampler(*args, **kwargs)
        chain = super()._init_sampler(**a)
        at = _after_penalties(chain)
        if at is None:  # not the chain this was written against
            chain.close()
            return super()._init_sampler(*args, **kwargs)
        link = LikeliestFirstGrammar(self._model.vocab, grammar, keep)
        c = chain.sampler
        after = [
            llama_cpp.llama_sampler_chain_remove(c, at) for _ in range(at, llama_cpp.llama_sampler_chain_n(c))
        ]
        llama_cpp.llama_sampler_chain_add(c, link.link.get_sampler())
        chain.custom_samplers.append((at, link.link))  # removed, not freed by llama.cpp, on close
        chain._exit_stack.callback(link.close)
        for s in after:
            llama_cpp.llama_sampler_chain_add(c, s)
        self.last_grammar = link
        return chain


def _kept(a: dict) -> int | None:
    """How many tokens the samplers after the grammar choose from (more than `FIRST`: the whole
    vocabulary every step), or None for arguments this module does not know."""
    try:
        temp, top_k, mirostat = float(a["temp"]), int(a["top_k"]), int(a["mirostat_mode"])
    except (KeyError, TypeError, ValueError):
        return None
    if temp == 0:
        return 1  # greedy
    return top_k if temp > 0 and mirostat == 0 and top_k > 0 else FIRST + 1


def _after_penalties(chain: internals.LlamaSampler) -> int | None:
    """The chain position after the penalties sampler, where the library puts its grammar."""
    custom = {i for i, _ in chain.custom_samplers}  # nameless: asking their name would crash
    for i in range(llama_cpp.llama_sampler_chain_n(chain.sampler)):
        if i not in custom:
            name = llama_cpp.llama_sampler_name(llama_cpp.llama_sampler_chain_get(chain.sampler, i))
            if name.lstrip(b"?") == b"penalties":
                return i + 1
    return None

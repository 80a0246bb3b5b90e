"""A job's identity: everything that changes its outputs, and nothing else. Same identity, same
job id: a rerun of a job that succeeded does nothing. Anything that changes an output (the input's
content, an output-relevant setting (prompts included), the k2batch code or the verifier library) makes a
new job id, so the rerun recomputes outputs — reusing every stored model call its change leaves
alone (calls have their own keys)."""

from __future__ import annotations

import hashlib
import inspect
import json
import posixpath
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pydantic import BaseModel

from k2batch import __version__
from k2batch.config import JobConfig
from k2batch.prompts import Recipe

WHOLE_FILE_HASH_BYTES = 64 * 1024 * 1024  # inputs up to this size are hashed whole
PACKAGE = Path(__file__).resolve().parent


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def output_settings(model: BaseModel) -> dict:
    """The settings that can change outputs: every field except those marked
    `execution_only` (where and how fast a job runs: runner, resume, concurrency, quotas...)."""
    out = {}
    for name, field in type(model).model_fields.items():
        if (field.json_schema_extra or {}).get("execution_only"):
            continue
        value = getattr(model, name)
        out[name] = output_settings(value) if isinstance(value, BaseModel) else value
    return out


@cache
def code_fingerprint() -> str:
    """A hash of the k2batch sources and contracts that run (any code change may change an
    output: extraction, verification, selection), plus the versions of the verifier library."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    from k2batch.schemas import SCHEMA_DIR

    for path in sorted(SCHEMA_DIR.iterdir(), key=lambda p: p.name):
        if path.name.endswith(".json"):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def library_versions() -> dict[str, str]:
    out = {}
    for dist in ("math-verify", "sympy"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "absent"
    return out


def recipe_fingerprint(cfg: JobConfig) -> str:
    """What settings cannot show: a Recipe subclass's parse hooks and the user's domains (their
    code, by source where it can be read)."""
    from k2batch import domains

    def source(obj) -> str:
        try:
            return inspect.getsource(obj)
        except (OSError, TypeError):
            return getattr(obj, "__qualname__", repr(obj))

    hooks = "" if type(cfg.recipe) is Recipe else source(type(cfg.recipe))
    mine = [(d.name, d.instruction, d.needs_choices, *map(source, (d.extract, d.verify, d.quick_check)))
            for d in map(domains.get, domains.names()) if not d.builtin]  # fmt: skip
    return _digest([hooks, mine])[:16]


def input_fingerprint(uri: str) -> dict:
    """What the input's content is: a file's (below), or for a folder or glob every file's, by its
    name within it (a shard added, removed or changed is another input)."""
    from k2batch.inputs import input_files, root

    files = input_files(uri)
    if files is None:
        return _file_fingerprint(uri)
    return {"files": [{"name": posixpath.relpath(f, root(uri)), **_file_fingerprint(f)} for f in files]}


def _file_fingerprint(uri: str) -> dict:
    """What a file's content is, without trusting its name: size and a hash of the whole file
    up to 64 MiB (JSON at any size); past that the Parquet footer's hash (row counts, offsets,
    statistics of every column chunk) with the store's ETag where it gives one. Not noticed: an
    in-place edit of a bigger file that keeps its size and footer byte for byte and has no ETag."""
    from k2batch.arrowfiles import is_arrow
    from k2batch.io import _fs
    from k2batch.jsonl import is_text

    fs, path = _fs(uri)
    info = fs.info(path)
    size = int(info["size"])
    out: dict = {"size": size}
    with fs.open(path, "rb") as f:
        if size <= WHOLE_FILE_HASH_BYTES or is_text(uri) or is_arrow(uri):  # no footer to stand for it
            h = hashlib.sha256()
            while chunk := f.read(1 << 20):
                h.update(chunk)
            out["sha256"] = h.hexdigest()
        else:
            f.seek(size - 8)
            footer_len = int.from_bytes(f.read(4), "little")
            f.seek(max(0, size - 8 - footer_len))
            out["footer_sha256"] = hashlib.sha256(f.read()).hexdigest()
            etag = info.get("ETag") or info.get("etag") or info.get("md5Hash")
            if etag:
                out["etag"] = str(etag).strip('"')
    return out


def settings_digest(cfg: JobConfig) -> str:
    """A hash of the settings that can change outputs (and so the tokens a job spends)."""
    return _digest(output_settings(cfg))[:16]


def job_identity(input_uri: str, cfg: JobConfig) -> dict:
    """What the job id covers (recorded in the manifest)."""
    return {
        "input": input_fingerprint(input_uri),
        "settings": settings_digest(cfg),
        "recipe": recipe_fingerprint(cfg),
        "k2batch": {"version": __version__, "code": code_fingerprint()},
        "verifier": library_versions(),
    }


def job_id_of(identity: dict) -> str:
    return "job-" + _digest(identity)[:12]

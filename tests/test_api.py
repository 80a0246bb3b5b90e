"""The Python API (K2Think), the Recipe value, the domain registry and backend hints, as a user
meets them: from Python, with the embedded model or the instant backend, and the examples run
as scripts."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pyarrow as pa
import pytest

from k2batch import Domain, K2Think, Recipe, domains, register_domain
from k2batch.backends import hints
from k2batch.config import BackendConfig, ConfigError, load_config
from k2batch.testing import instant
from k2batch.verify import verify_answer
from tests.conftest import ROOT

ROWS = [{"id": "a", "problem": "What is 2+3?", "answer": "5"},
        {"id": "b", "problem": "What is 10-4?", "answer": "6"},
        {"id": "a", "problem": "a repeated id", "answer": "1"}]  # fmt: skip


@pytest.fixture
def instant_k2():
    instant.register()
    return K2Think(backend="instant", samples=2)


def test_solve_takes_rows_dataframes_and_arrow_tables_and_returns_a_dataframe(instant_k2, tmp_path):
    for rows in (ROWS, pd.DataFrame(ROWS), pa.Table.from_pylist(ROWS)):
        df = instant_k2.solve(rows)
        assert sorted(df["id"]) == ["a", "b"] and len(df.attrs["rejects"]) == 1
        assert "duplicate id" in df.attrs["rejects"]["reason"][0]
        assert df.attrs["manifest"]["status"] == "succeeded"
    first = instant_k2.solve(ROWS, out=tmp_path)  # with `out`, solving again runs nothing
    again = instant_k2.solve(ROWS, out=tmp_path)
    assert again.attrs["manifest"].get("noop") is True
    assert list(again["chosen_answer"]) == list(first["chosen_answer"])


def test_settings_are_the_job_files_validated_once():
    k2 = K2Think(samples=2, seed=7, stages={"generate": {"max_tokens": 64}}, settings={"judge.enabled": False})
    cfg = k2.config
    assert (cfg.samples, cfg.seed, cfg.stages.generate.max_tokens, cfg.judge.enabled) == (2, 7, 64, False)
    with pytest.raises(ConfigError, match="samples"):
        K2Think(samples=0)


def test_recipe_templates_are_checked_when_built_and_change_only_the_calls_they_touch():
    with pytest.raises(ConfigError, match=r"recipe.plan_user must use exactly.*missing: \['topics'\]"):
        load_config(overrides={"recipe.plan_user": "Problem: {problem}"})
    with pytest.raises(ValueError, match="unknown"):
        Recipe(judge_user="{problem} {first} {second} {answer}")
    from k2batch import recipe

    problem = {"id": "p", "problem": "1+1?", "domain": "math"}
    base, changed = load_config(), load_config(overrides={"recipe.plan_system": "Plan tersely."})
    assert recipe.triage_request(problem, base).key() == recipe.triage_request(problem, changed).key()
    assert recipe.plan_request(problem, 0, [], base).key() != recipe.plan_request(problem, 0, [], changed).key()


class Upper(Recipe):
    def parse_plan(self, text: str) -> str | None:  # a parse hook: the plan shouted
        return text.upper()


def test_a_recipe_subclass_s_hooks_reach_the_pipeline(tmp_path):
    instant.register()
    cfg = load_config(sets=["backend.kind=instant", "samples=2", "plan.triage=false"])
    assert type(K2Think(config=cfg.model_copy(update={"recipe": Upper()})).config.recipe) is Upper
    df = K2Think(config=cfg, recipe=Upper()).solve(ROWS[:1])
    plans = [c["plan"] for c in df["candidates"][0]]
    assert plans and all(p == p.upper() for p in plans)


def _yes_no(text: str, n):
    word = text.split("</think>")[-1].strip().split()[-1].strip(".").lower() if text.strip() else None
    return word, "last word"


def _same_word(task: dict):
    return ("correct", "same word") if task["answer"] == task["reference"] else ("incorrect", "other word")


def test_a_user_domain_is_one_registration_and_is_verified_in_the_process_pool(tmp_path):
    register_domain(Domain("lastword", "End with one word.", _yes_no, _same_word))
    try:
        assert verify_answer("yes", "I think yes", domain="lastword").status == "correct"
        instant.register()
        rows = [{"id": "w", "problem": "Say 7.", "domain": "lastword", "answer": "7"}]
        df = K2Think(backend="instant", samples=2, plan={"enabled": False}).solve(rows)
        reasons = {c["verdict_reason"].split(" (")[0] for c in df["candidates"][0]}
        assert reasons <= {"same word", "other word"}  # decided by the domain's verifier
    finally:
        domains._registry.pop("lastword", None)


def test_backends_declare_their_hints():
    assert hints(BackendConfig(kind="llamacpp")).batch_size == 8 and not hints(BackendConfig()).io_bound
    assert hints(BackendConfig(kind="llamacpp", engines=2)).batch_size == 64  # batches end less often
    http = hints(BackendConfig(kind="openai", base_url="http://h/v1", model="m", max_concurrency=8))
    assert http.io_bound and http.batch_size == 32


@pytest.mark.slow
@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.py")), ids=lambda p: p.stem)
def test_examples_run(example, tmp_path):
    r = subprocess.run([sys.executable, str(example)], cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]


def test_a_backend_plugin_is_found_through_its_entry_point(tmp_path, monkeypatch):
    dist = tmp_path / "k2batch_instant_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: k2batch-instant-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[k2batch.backends]\nplugged = k2batch.testing.instant\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    from k2batch.backends import BACKENDS, get_backend

    try:
        engine = get_backend(BackendConfig(kind="plugged"))
        assert type(engine).__name__ == "InstantBackend" and hints(BackendConfig(kind="plugged")).batch_size == 8
    finally:
        BACKENDS.pop("plugged", None)  # other tests walk every known backend

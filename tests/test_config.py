import pytest

from k2batch.config import ConfigError, load_config
from tests.conftest import SAMPLE_JOB


def test_defaults_follow_k2think():
    cfg = load_config()
    assert cfg.samples == 3 and cfg.stages.generate.temperature == 1.0
    assert cfg.stages.generate.top_p == 0.95 and cfg.backend.kind == "llamacpp"


def test_job_file_then_sets_then_flags(tmp_path):
    cfg = load_config(
        SAMPLE_JOB,
        sets=["stages.generate.max_tokens=99", "judge.enabled=false"],
        overrides={"samples": 5, "seed": None},
    )
    assert cfg.stages.generate.max_tokens == 99 and not cfg.judge.enabled
    assert cfg.samples == 5 and cfg.seed == 0 and cfg.backend.n_ctx == 2048
    y = tmp_path / "job.yaml"
    y.write_text("samples: 2\nbackend:\n  n_threads: 1\n")
    assert load_config(y).backend.n_threads == 1


def test_several_job_files_merge_in_order(tmp_path):
    profile = tmp_path / "runner.toml"
    profile.write_text('[runner]\nmode = "multi_processing"\nworkers = 2\n[backend]\nn_threads = 1\n')
    cfg = load_config([SAMPLE_JOB, profile])
    assert cfg.runner.workers == 2 and cfg.backend.n_threads == 1 and cfg.backend.n_ctx == 2048  # both kept


@pytest.mark.parametrize(
    "kw,needle",
    [
        ({"sets": ["samples=0"]}, "samples"),
        ({"sets": ["nosuchknob=1"]}, "nosuchknob"),
        ({"sets": ["samples"]}, "KEY=VALUE"),
        ({"path": "/nonexistent/job.toml"}, "not found"),
    ],
)
def test_bad_settings_are_clear(kw, needle):
    with pytest.raises(ConfigError, match=needle):
        load_config(**kw)

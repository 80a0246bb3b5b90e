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


def test_a_deadline_is_a_date_and_time_a_time_of_day_or_a_duration(tmp_path):
    import datetime as dt

    def deadline(value):
        return load_config(sets=[f"budget.deadline={value}"]).budget

    now = dt.datetime(2026, 12, 2, 17, 40, tzinfo=dt.UTC)
    assert deadline("2026-12-03T06:00").at(now).deadline == dt.datetime(2026, 12, 3, 6, tzinfo=dt.UTC)
    # a time of day is its next occurrence (a nightly job started at 02:00 or at 23:00 ends at 06:00)
    assert deadline("6:00").at(now).deadline == dt.datetime(2026, 12, 3, 6, tzinfo=dt.UTC)
    assert deadline("18:30").at(now).deadline == dt.datetime(2026, 12, 2, 18, 30, tzinfo=dt.UTC)
    east = deadline("18:30+02:00").at(now).deadline  # 16:30 UTC has passed
    assert east == dt.datetime(2026, 12, 3, 16, 30, tzinfo=dt.UTC)
    assert deadline("PT4H").at(now).deadline == now + dt.timedelta(hours=4)
    assert deadline("P1DT30M").at(now).deadline == now + dt.timedelta(days=1, minutes=30)
    toml = tmp_path / "job.toml"
    toml.write_text("[budget]\ndeadline = 06:00:00\n")  # TOML's own local time
    assert load_config(toml).budget.at(now).deadline == dt.datetime(2026, 12, 3, 6, tzinfo=dt.UTC)
    yml = tmp_path / "job.yaml"
    yml.write_text("budget:\n  deadline: 18:30\n")  # YAML 1.1 reads it as the number 1110
    with pytest.raises(ConfigError, match='1110 is no time: quote a time of day'):
        load_config(yml)
    for bad in ("tomorrow", "25:00", "2026-13-01", "PTX"):
        with pytest.raises(ConfigError, match="is not a date and time .* a time of day .* or a duration"):
            deadline(bad)
    with pytest.raises(ConfigError, match="must be positive"):
        deadline("PT0S")
    assert load_config(sets=["job_id=2026-13-01"]).job_id == "2026-13-01"  # YAML's date error: text

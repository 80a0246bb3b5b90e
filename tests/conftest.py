import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample_problems.parquet"
SAMPLE_JOB = ROOT / "data" / "sample_job.toml"
SHARED_DATA = Path(os.environ.get("K2BATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


@pytest.fixture(autouse=True)
def _own_state_dir(tmp_path_factory, monkeypatch):
    """Windows learned from servers (k2batch/backends/windows.py) stay within a test: not read
    from the user's home, not carried from one test's server to the next."""
    monkeypatch.setenv("K2BATCH_STATE_DIR", str(tmp_path_factory.mktemp("state")))


@pytest.fixture
def shared_data() -> Path:
    if not (SHARED_DATA / "math500.parquet").exists():
        pytest.skip(f"shared benchmark sets not found at {SHARED_DATA}")
    return SHARED_DATA

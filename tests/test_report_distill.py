"""Reports that a browser renders, distillation sets that load as they are, a nightly deployment
that fires on a real Prefect server."""

import json
import re
import shutil
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest

from k2batch.config import load_config
from k2batch.distill import run_distill
from k2batch.job import run_solve
from k2batch.report import write_report
from k2batch.testing.quota_server import QuotaServer
from tests.conftest import ROOT, SAMPLE
from tests.prefect_server import prefect_server, stop

pytestmark = pytest.mark.slow
REFERENCE = {r["problem"]: r["answer"] for r in pq.read_table(SAMPLE).to_pylist() if r["domain"] == "math"}


def oracle(body: dict) -> str | None:
    """Right on even seeds, wrong on odd ones, for the sample's math problems."""
    user = body["messages"][-1]["content"]
    for problem, answer in REFERENCE.items():
        if user.startswith(problem) and answer:
            good = body.get("seed", 0) % 2 == 0
            return f"<think>Work it out.</think>The answer is \\boxed{{{answer if good else '999999'}}}."
    return None


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    out = tmp_path_factory.mktemp("solved")
    with QuotaServer(reply=oracle) as srv:
        cfg = load_config(
            sets=[
                "backend.kind=openai",
                f"backend.base_url={srv.url}/v1",
                "backend.model=oracle",
                "limit=6",
                "samples=4",
            ]
        )
        run_solve(str(SAMPLE), str(out), cfg)
    return out


def test_distill_round_trip_only_verified_and_no_duplicates(solved, tmp_path):
    import datasets
    import pandas as pd

    res = run_distill(str(solved), str(tmp_path / "all"), mode="all", reasoning="field")
    df = pd.read_parquet(tmp_path / "all" / "data")
    sols = {s["id"]: s for s in pq.read_table(solved / "solutions").to_pylist()}
    # every example is a verified-correct candidate; the even seeds' identical replies collapse to one
    for _, row in df.iterrows():
        cand = next(c for c in sols[row["problem_id"]]["candidates"] if c["sample"] == row["sample"])
        assert cand["verdict"] == "correct"
    dupes = df[df.duplicated(subset=["problem_id"], keep=False)]
    assert dupes.empty and len(df) == res["examples"] > 0, dupes[["id", "answer", "verdict_reason"]].to_dict(
        "records"
    )
    assert list(df.iloc[0]["messages"][2].keys()) == ["role", "content"]
    assert df.iloc[0]["reasoning"] == "Work it out." and "<think>" not in df.iloc[0]["messages"][2]["content"]
    ds = datasets.load_dataset(
        "parquet", data_files=str(tmp_path / "all" / "data" / "*.parquet"), split="train"
    )
    assert ds.num_rows == len(df) and [m["role"] for m in ds[0]["messages"]] == [
        "system",
        "user",
        "assistant",
    ]
    jsonl = (tmp_path / "all" / "train.jsonl").read_text().splitlines()
    assert len(jsonl) == len(df) and json.loads(jsonl[0])["id"] == df.iloc[0]["id"]
    card = (tmp_path / "all" / "README.md").read_text()
    assert "data_files" in card and sols[df.iloc[0]["problem_id"]]["job_id"] in card
    inline = run_distill(str(solved), str(tmp_path / "chosen"))  # chosen only, <think> kept inline
    chosen = pd.read_parquet(tmp_path / "chosen" / "data")
    assert inline["examples"] == sum(s["status"] == "correct" for s in sols.values())
    assert chosen.iloc[0]["messages"][2]["content"].startswith("<think>")


def test_report_renders_in_a_headless_browser(solved, tmp_path):
    summary = write_report(str(solved))
    assert summary["problems"] == 6 and 0 < summary["verified_rate"] <= 1
    report = solved / "report"
    assert {"index.html", "report.md", "summary.json"} <= {p.name for p in report.iterdir()}
    assert len(list(report.glob("*.png"))) == 4
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("chromium is not installed (make test installs it)")
    shot = tmp_path / "report.png"
    args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run(
        [*args, "--dump-dom", f"file://{report / 'index.html'}"], capture_output=True, text=True, timeout=120
    ).stdout
    assert re.search(r'data-images-loaded="4"', dom), dom[-500:]  # every plot decoded in the page
    subprocess.run(
        [*args, f"--screenshot={shot}", "--window-size=1200,1800", f"file://{report / 'index.html'}"],
        capture_output=True,
        timeout=120,
    )
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[0] >= 1000 and pixels.std() > 0.05  # a rendered page, not a blank one


def test_nightly_deployment_fires_on_a_real_prefect_server(tmp_path):
    cfg = tmp_path / "nightly.toml"
    cfg.write_text(
        f'name = "test-nightly"\nout_root = "{tmp_path / "nightly"}"\n[datasets]\nsample = "{SAMPLE}"\n'
        f'broken = "{tmp_path / "missing.parquet"}"\n'  # runs first (sorted): it must not stop the rest
        "[job]\nsamples = 1\nlimit = 2\n[job.plan]\nenabled = false\n[job.stages.generate]\nmax_tokens = 24\n"
    )
    with prefect_server(tmp_path) as env:
        serve = subprocess.Popen([sys.executable, "-m", "flows.nightly", "serve", "--config", str(cfg),
                                  "--interval", "5"], env=env, cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            deadline = time.time() + 240
            done = []
            while time.time() < deadline and not done:
                done = list((tmp_path / "nightly" / "sample").glob("*/distill/README.md"))
                time.sleep(2)
        finally:
            stop(serve)
    assert done, "the scheduled run produced no dated output"
    day = done[0].parent.parent
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day.name)
    assert (day / "manifest.json").exists() and (day / "report" / "index.html").exists()

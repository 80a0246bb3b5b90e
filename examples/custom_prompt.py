"""A custom prompt: the recipe's templates are data (`recipe.*` settings, the same keys in a job
file's [recipe] table). Placeholders are checked when the settings are built, the prompts travel
with the job to every worker, and they are part of the job's identity: solving again with a
changed solver instruction recomputes the calls it changes (the solutions, and the judging of
them) and reuses every call it leaves alone (triage, plans).

    python examples/custom_prompt.py
"""

import tempfile

from k2batch import K2Think


def main() -> None:
    rows = [{"id": "sum", "problem": "What is 17 + 25?", "answer": "42"}]
    budgets = {"triage": {"max_tokens": 32}, "plan": {"max_tokens": 48}, "generate": {"max_tokens": 96},
               "judge": {"max_tokens": 32}}  # fmt: skip
    with tempfile.TemporaryDirectory() as out:
        K2Think(samples=2, stages=budgets).solve(rows, out=out)
        brief = {"math": "Reason in at most three sentences, then give the final answer in \\boxed{}."}
        second = K2Think(samples=2, stages=budgets, recipe={"instructions": brief}).solve(rows, out=out)
        calls = second.attrs["manifest"]["calls"]
        print(second[["id", "chosen_answer", "status"]].to_string(index=False))
        print(f"calls made again: {calls['made']}, reused: {calls['reused']}")
        assert calls["made"] >= 2 and calls["reused"] >= 1  # new solutions; the triage (and plans) reused


if __name__ == "__main__":  # verifier processes import this file again: run only here
    main()

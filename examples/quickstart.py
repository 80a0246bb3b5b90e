"""Quick start: solve a small DataFrame with the embedded model (SmolLM2-135M on the CPU, no GPU,
no network) and print the chosen answers. Small token budgets keep it to about a minute on 2
cores; a real reasoning model wants stages.generate.max_tokens in the thousands.

    python examples/quickstart.py
"""

import pandas as pd

from k2batch import K2Think


def main() -> None:
    problems = pd.DataFrame(
        [
            {"id": "add", "problem": "What is 2 + 3?", "answer": "5"},
            {"id": "eggs", "problem": "A hen lays 3 eggs a day. How many eggs in 4 days?", "answer": "12"},
            {"id": "sky", "problem": "Which is a primary colour?", "domain": "choice",
             "choices": ["Green", "Blue", "Purple"], "answer": "B"},
        ]
    )
    k2 = K2Think(samples=2, stages={"plan": {"max_tokens": 48}, "generate": {"max_tokens": 96},
                                    "judge": {"max_tokens": 32}, "triage": {"max_tokens": 32}})
    solutions = k2.solve(problems)
    print(solutions[["id", "chosen_answer", "status", "selection"]].to_string(index=False))
    assert len(solutions) + len(solutions.attrs["rejects"]) == len(problems)


if __name__ == "__main__":  # verifier processes import this file again: run only here
    main()

"""A new domain in one registration: yes/no questions, answered with a boxed yes or no and
verified by comparing words. The domain travels with the job to Beam's workers and to the
verifier processes (k2batch pickles it by value), so nothing needs installing there.

    python examples/custom_domain.py
"""

import re

from k2batch import Domain, K2Think, register_domain


def extract_yes_no(reply: str, n_options):
    words = re.findall(r"\b(yes|no)\b", reply.split("</think>")[-1], flags=re.I)
    return (words[-1].lower(), "last yes/no") if words else (None, "no yes/no")


def verify_yes_no(task: dict):
    same = (task["answer"] or "").lower() == str(task["reference"]).strip().lower()
    return ("correct", "same word") if same else ("incorrect", "other word")



def main() -> None:
    ask = "Answer with a single word, yes or no, in \\boxed{}."
    yesno = Domain("yesno", ask, extract_yes_no, verify_yes_no)
    register_domain(yesno)

    rows = [
        {"id": "even", "problem": "Is 10 an even number?", "domain": "yesno", "answer": "yes"},
        {"id": "cold", "problem": "Is fire cold?", "domain": "yesno", "answer": "no"},
    ]
    solutions = K2Think(samples=2, plan={"enabled": False},
                        stages={"generate": {"max_tokens": 64}, "judge": {"max_tokens": 32}}).solve(rows)
    print(solutions[["id", "chosen_answer", "status"]].to_string(index=False))
    assert set(solutions["status"]) <= {"correct", "incorrect"}  # every answer was verified by the domain


if __name__ == "__main__":  # verifier processes import this file again: run only here
    main()

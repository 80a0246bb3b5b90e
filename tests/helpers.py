"""Functions the verifier pool runs in its spawned processes during tests."""

import os


def crash(task: dict):
    os._exit(3)  # a verifier that dies mid-task (segfault, OOM kill)


def raise_error(task: dict):
    raise RuntimeError("verifier bug")

"""k2batch: the K2-Think test-time recipe (plan, Best-of-N, verify) over whole problem sets.

    from k2batch import K2Think
    K2Think().solve([{"id": "1", "problem": "What is 2+3?", "answer": "5"}])
"""

__version__ = "0.1.0"
__all__ = ["K2Think", "JobConfig", "Recipe", "Domain", "register_domain", "verify_answer", "__version__"]

_LAZY = {  # imported on first use: `import k2batch` stays light (Beam loads only when a job runs)
    "K2Think": ("k2batch.api", "K2Think"),
    "JobConfig": ("k2batch.config", "JobConfig"),
    "Recipe": ("k2batch.prompts", "Recipe"),
    "Domain": ("k2batch.domains", "Domain"),
    "register_domain": ("k2batch.domains", "register"),
    "verify_answer": ("k2batch.verify", "verify_answer"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'k2batch' has no attribute {name!r}")

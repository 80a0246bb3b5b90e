"""k2batch: the K2-Think test-time recipe (plan, Best-of-N, verify) over whole problem sets."""

__version__ = "0.1.0"

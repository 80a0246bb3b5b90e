"""Prefect flows: orchestration only; the logic lives in the k2batch library."""

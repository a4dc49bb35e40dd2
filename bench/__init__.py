"""Benchmarks: each module ``bench/bench_*.py`` exposes ``run() -> list[Figure]``; ``python -m bench`` runs them."""

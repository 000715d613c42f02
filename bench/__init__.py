"""Benchmarks (not timed tests): `python main.py bench NAME` or `python -m bench.NAME`."""

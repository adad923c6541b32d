"""Benchmarks: each measures its reference in the same run and reports the ratio."""

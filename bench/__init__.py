"""Benchmarks: run apart from the tests, each printing ratios against a baseline of the same run."""

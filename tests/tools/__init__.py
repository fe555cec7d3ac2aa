"""Tests of tools/ (the benchmark)."""

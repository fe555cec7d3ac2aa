"""Tests of servicequality/metrics."""

"""Tests of servicequality/store."""

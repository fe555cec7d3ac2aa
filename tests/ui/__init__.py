"""Tests of servicequality/ui."""

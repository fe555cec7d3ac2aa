"""Tests of servicequality/demo."""

"""Tests of servicequality/stats."""

"""Tests of servicequality/ingest."""

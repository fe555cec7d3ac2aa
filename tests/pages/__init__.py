"""Tests of pages/ under AppTest."""

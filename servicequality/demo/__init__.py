"""The built-in demo: a generated chain of branches with tickets and surveys (`generator`)."""

from servicequality.demo.generator import build

__all__ = ["build"]

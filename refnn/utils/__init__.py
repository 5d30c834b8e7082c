"""Utilities: model summary."""
from .summary import ModelStatistics, summary  # noqa: F401

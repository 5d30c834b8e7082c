"""Utilities: model summary and data loading."""
from . import data  # noqa: F401
from .summary import ModelStatistics, summary  # noqa: F401

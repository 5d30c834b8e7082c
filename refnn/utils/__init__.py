"""Utilities: model summary and data loading."""
from . import data  # noqa: F401
from .summary import ModelStatistics, summary  # noqa: F401
from ._memory import cached_memory_stats, release_cached_memory, set_cached_memory_limit  # noqa: F401

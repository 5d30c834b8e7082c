"""The conformance harness: case records, input makers, comparison and the runner.

The pytest suite and ``tools/compliance_report.py`` both run cases through
:func:`run_case`, so the report shows exactly what the tests check.
"""
from .case import ErrorCase, ModuleCase, OpCase, T  # noqa: F401
from .compare import TOLERANCES, ulp_distance  # noqa: F401
from . import golden  # noqa: F401
from .runner import Result, determinism_runs, run_case, run_refnn_only  # noqa: F401

"""The conformance registry: one module per op family, each defining ``CASES``.

Every module in this package is discovered; ``all_cases()`` returns every case
with its family filled in.  The pytest suite and the compliance report read
this same list.
"""
import importlib
import pkgutil

FAMILIES = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def cases_of(family):
    module = importlib.import_module(f"{__name__}.{family}")
    cases = list(module.CASES)
    for case in cases:
        case.family = case.family or family
    return cases


def all_cases(families=None):
    out = []
    for family in families or FAMILIES:
        out.extend(cases_of(family))
    return out


def expanded(families=None, dtypes=None):
    """(case, dtype) pairs: every case at each of its dtypes."""
    return [(case, dtype) for case in all_cases(families) for dtype in case.dtypes
            if dtypes is None or dtype in dtypes]

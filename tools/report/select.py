"""Which (case, dtype) pairs a run covers: ``--only``, ``--dtype`` and ``--quick``.

Workers rebuild the same list from the same options, so a pair travels between
processes as its index (cases hold lambdas and do not pickle).
"""
from tests.harness.case import ErrorCase, ModuleCase
from tests.registry import FAMILIES, expanded

from .scope import MODULES

SCOPE_MODULES = {name for name, _ in MODULES}

QUICK_CASES_PER_ROW = 3   # value cases per op row in --quick (error cases: 1)


def normalise(name):
    """'max_pool2d', 'MaxPool2d' and 'maxpool2d' all name the same op."""
    return name.replace("_", "").replace(".", "").replace("-", "").lower()


def row_label(case):
    """The report row a case belongs to: 'F.relu', 'nn.ReLU', or 'model <name>'."""
    if isinstance(case, ModuleCase):
        if isinstance(case.module, str):
            return f"nn.{case.module}"
        # a builder named after a covered torch.nn module (e.g. one needing a custom forward) is that module
        return f"nn.{case.op}" if case.op in SCOPE_MODULES else f"model {case.op}"
    if (isinstance(case, ErrorCase) and case.module) or case.op[:1].isupper():
        return f"nn.{case.op}"     # a module's case (module=True, or a call building nn.<op>)
    return f"F.{case.op}"


def _matches(case, wanted):
    if not wanted:
        return True
    return normalise(case.op) in wanted or normalise(case.family) in wanted


def select_pairs(only=None, dtypes=None, quick=False):
    """The run's (case, dtype) pairs, in registry order."""
    wanted = {normalise(w) for w in (only or []) if w.strip()}
    pairs = [(c, d) for c, d in expanded(dtypes=dtypes) if _matches(c, wanted)]
    if quick:
        kept, seen = [], {}
        for case, dtype in pairs:
            key = (row_label(case), dtype, isinstance(case, ErrorCase))
            limit = 1 if isinstance(case, ErrorCase) else QUICK_CASES_PER_ROW
            if seen.get(key, 0) < limit:
                seen[key] = seen.get(key, 0) + 1
                kept.append((case, dtype))
        pairs = kept
    return pairs


def unknown_names(only):
    """Names in --only that match no op and no family (to tell the user)."""
    known = {normalise(f) for f in FAMILIES} | {normalise(c.op) for c, _ in expanded()}
    return [w for w in only or [] if w.strip() and normalise(w) not in known]

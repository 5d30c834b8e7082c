"""The number of threads refnn's kernels use (their ``prange`` loops read it).

Results never depend on it: every output element is written by one thread and
sums its terms in a fixed order.  Default: ``REFNN_NUM_THREADS``, else
``OMP_NUM_THREADS``, else the number of CPUs.
"""
import os

_num_threads = None


def _default():
    for var in ("REFNN_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return os.cpu_count() or 1


def get_num_threads():
    global _num_threads
    if _num_threads is None:
        _num_threads = _default()
    return _num_threads


def set_num_threads(n):
    global _num_threads
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive integer, but got {n!r}")
    _num_threads = n

"""The number of threads refnn's kernels use (their ``prange`` loops read it).

Results never depend on it: every output element is written by one thread and
sums its terms in a fixed order.  Default: ``REFNN_NUM_THREADS``, else
``OMP_NUM_THREADS``, else the number of CPUs.

Fork safety: an OpenMP thread pool does not survive ``fork`` (GNU libgomp's
inherited pool waits forever for threads the child does not have).  A child
process made by ``os.fork`` (``multiprocessing``'s fork start method, data
loader workers) therefore runs every kernel on one thread, which never uses the
inherited pool, until it calls :func:`set_num_threads` itself.
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
    """Use ``n`` threads in the kernels.

    In a process forked after its parent ran a multi-threaded kernel, more than one thread is
    safe only from a thread the child started itself (GNU libgomp gives each new thread a new
    pool; the forking thread keeps the dead one).
    """
    global _num_threads
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive integer, but got {n!r}")
    _num_threads = n


def _after_fork_in_child():
    """One thread in a forked child until it asks for more (the parent's pool is gone)."""
    global _num_threads
    _num_threads = 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

"""The cache of large output buffers (``refnn._C.buffers``): release it, bound it, look at it.

Outputs of 1 MiB and more (elementwise, activation, normalisation, pooling, loss and Tensor operations)
take their memory from blocks that earlier outputs released, instead of fresh pages that fault on first
touch.  At most 256 MiB stay cached (``REFNN_BUFFER_CACHE_MB``; ``0`` turns the cache off).
"""
from .._C import buffers as _buffers


def release_cached_memory():
    """Hand every cached output block back to the system; returns the number of bytes released.

    Arrays alive keep their memory; their blocks are cached again when they die."""
    return _buffers.release()


def set_cached_memory_limit(nbytes):
    """Cache at most ``nbytes`` of freed output blocks (``0`` turns the cache off); returns the previous limit."""
    nbytes = int(nbytes)
    if nbytes < 0:
        raise ValueError(f"set_cached_memory_limit: nbytes must be >= 0, got {nbytes}")
    return _buffers.set_limit(nbytes)


def cached_memory_stats():
    """A dict: ``cached_bytes``, ``cached_blocks``, ``limit_bytes``, ``min_bytes`` and the counts of
    ``fresh``, ``reused`` and ``evicted`` blocks since the process started."""
    return _buffers.stats()

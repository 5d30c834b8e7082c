"""Output buffers: large blocks come from a bounded cache of freed blocks instead of fresh pages.

A fresh output of many megabytes costs more than the kernel that fills it: the kernel's first touch of
each page faults, and the system zeroes it (for a 64 MiB relu, most of the call).  This
module hands the kernels their large outputs from blocks that earlier arrays have released.

* ``empty(shape, dtype)`` is ``np.empty(shape, dtype)`` (C order, contents unspecified).  An array of
  at least ``min_bytes`` (1 MiB) gets its memory from a *block*: an anonymous mapping, its size rounded up
  (64 KiB granules; 2 MiB from 8 MiB up), advised ``MADV_HUGEPAGE`` when first mapped (on Windows,
  ``malloc``'s memory).  The array's ``base`` is the ``Block``; when the last array on it dies, the
  block returns to the cache.
* The cache keeps at most ``limit`` bytes (256 MiB, ``REFNN_BUFFER_CACHE_MB``) in at most 64 blocks;
  a block that would overflow it evicts the oldest ones (``munmap``, the memory goes back to the
  system at once).  ``empty`` takes the smallest cached block that fits and wastes at most an eighth
  plus one granule; otherwise it maps a fresh one.
* ``release()`` (public: ``refnn.utils.release_cached_memory()``) unmaps every cached block.
  ``REFNN_BUFFER_CACHE_MB=0`` turns the cache off: every output is then numpy's own ``np.empty``.
* Thread safety: the cache's state changes only under its lock (blocks return from whichever thread
  drops the last reference); a forked child starts with a fresh lock and its copy of the cache.
* ``tracemalloc`` sees a block while an array uses it, in numpy's own domain, as it sees numpy's buffers.
* Contents: a reused block holds whatever the last array wrote, exactly as memory from ``malloc`` may;
  every kernel writes every element of its output.  ``_set_poison(True)`` (tests only) fills every block
  handed out with 0xFF bytes (NaN in every float type), so an element a kernel failed to write shows.

No result depends on this module: it decides only where an output lives.
"""
from cpython.pythread cimport (PyThread_type_lock, PyThread_allocate_lock, PyThread_acquire_lock,
                               PyThread_release_lock, WAIT_LOCK)
from libc.stdint cimport uintptr_t
from libc.string cimport memset

cimport numpy as cnp
import os

import numpy as np

cnp.import_array()

cdef extern from *:
    """
    /* numpy's tracemalloc domain, so that tracemalloc counts the cache's blocks as numpy's buffers */
    #define REFNN_NUMPY_TRACE_DOMAIN 389047
    #if defined(_WIN32)
    #include <stdlib.h>
    static void *refnn_map_block(size_t bytes) { return malloc(bytes); }
    static void refnn_unmap_block(void *p, size_t bytes) { (void)bytes; free(p); }
    #else
    #include <sys/mman.h>
    #include <unistd.h>
    static void *refnn_map_block(size_t bytes) {
        void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return NULL;
    #ifdef MADV_HUGEPAGE
        if (bytes >= ((size_t)2 << 20)) (void)madvise(p, bytes, MADV_HUGEPAGE);
    #endif
        return p;
    }
    static void refnn_unmap_block(void *p, size_t bytes) { (void)munmap(p, bytes); }
    #endif
    /* a C-ordered array of descr over data, whose base is the object that owns data */
    static PyObject *refnn_array_on(PyArray_Descr *descr, int nd, npy_intp *dims, void *data, PyObject *base) {
        PyObject *array;
        Py_INCREF(descr);                       /* PyArray_NewFromDescr steals it */
        array = PyArray_NewFromDescr(&PyArray_Type, descr, nd, dims, NULL, data, NPY_ARRAY_CARRAY, NULL);
        if (array == NULL) return NULL;
        Py_INCREF(base);                        /* PyArray_SetBaseObject steals it */
        if (PyArray_SetBaseObject((PyArrayObject *)array, base) < 0) { Py_DECREF(array); return NULL; }
        return array;
    }
    """
    void *refnn_map_block(size_t nbytes) nogil
    void refnn_unmap_block(void *p, size_t nbytes) nogil
    int REFNN_NUMPY_TRACE_DOMAIN
    int PyTraceMalloc_Track(unsigned int domain, uintptr_t ptr, size_t size)
    int PyTraceMalloc_Untrack(unsigned int domain, uintptr_t ptr)
    object refnn_array_on(cnp.dtype descr, int nd, cnp.npy_intp *dims, void *data, object base)

DEF MAX_BLOCKS = 64
cdef size_t SMALL_GRANULE = 64 << 10
cdef size_t LARGE_GRANULE = 2 << 20
cdef size_t LARGE_FROM = 8 << 20

# the cache: blocks[0..count) in the order they were returned, oldest first
cdef void *cached_ptr[MAX_BLOCKS]
cdef size_t cached_size[MAX_BLOCKS]
cdef int cached_count = 0
cdef size_t cached_bytes = 0
cdef size_t limit_bytes = 256 << 20
cdef size_t min_bytes = 1 << 20
cdef bint poison = False
cdef PyThread_type_lock lock = PyThread_allocate_lock()
# counters, for tests and the report
cdef unsigned long long n_fresh = 0, n_reused = 0, n_evicted = 0


def _limit_from_environment():
    text = os.environ.get("REFNN_BUFFER_CACHE_MB", "").strip()
    if not text:
        return 256 << 20
    try:
        megabytes = float(text)
    except ValueError:
        raise ValueError(f"REFNN_BUFFER_CACHE_MB must be a number of MiB, got {text!r}") from None
    return max(0, int(megabytes * (1 << 20)))


limit_bytes = _limit_from_environment()


def _after_fork_in_child():
    """A fork while another thread held the lock would leave the child's copy held forever: a fresh one."""
    global lock
    lock = PyThread_allocate_lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


cdef inline size_t rounded(size_t nbytes) noexcept nogil:
    cdef size_t granule = LARGE_GRANULE if nbytes >= LARGE_FROM else SMALL_GRANULE
    return (nbytes + granule - 1) // granule * granule


cdef void remove_at(int i) noexcept nogil:
    """Drop entry i of the cache, keeping the others in age order (under the lock)."""
    global cached_count, cached_bytes
    cdef int j
    cached_bytes -= cached_size[i]
    for j in range(i, cached_count - 1):
        cached_ptr[j] = cached_ptr[j + 1]
        cached_size[j] = cached_size[j + 1]
    cached_count -= 1


cdef class Block:
    """One mapping of ``size`` bytes, the base of the arrays built on it; it returns to the cache when freed."""
    cdef void *ptr
    cdef readonly size_t size

    def __dealloc__(self):
        if self.ptr != NULL:
            PyTraceMalloc_Untrack(REFNN_NUMPY_TRACE_DOMAIN, <uintptr_t>self.ptr)
            give_back(self.ptr, self.size)
            self.ptr = NULL


cdef void give_back(void *ptr, size_t size) noexcept:
    """Keep the block in the cache, evicting the oldest ones over the limit; unmap it when it cannot stay."""
    global cached_count, cached_bytes, n_evicted
    cdef void *evicted_ptr[MAX_BLOCKS + 1]
    cdef size_t evicted_size[MAX_BLOCKS + 1]
    cdef int evicted = 0, i
    PyThread_acquire_lock(lock, WAIT_LOCK)
    if size > limit_bytes:
        evicted_ptr[0], evicted_size[0] = ptr, size
        evicted = 1
    else:
        while cached_count > 0 and (cached_count == MAX_BLOCKS or cached_bytes + size > limit_bytes):
            evicted_ptr[evicted], evicted_size[evicted] = cached_ptr[0], cached_size[0]
            evicted += 1
            remove_at(0)
        cached_ptr[cached_count], cached_size[cached_count] = ptr, size
        cached_count += 1
        cached_bytes += size
    n_evicted += evicted
    PyThread_release_lock(lock)
    for i in range(evicted):          # outside the lock: munmap can take a while
        refnn_unmap_block(evicted_ptr[i], evicted_size[i])


cdef Block take_block(size_t nbytes):
    """A block of at least ``nbytes``: the best-fitting cached one, or a fresh mapping (None if none)."""
    global n_fresh, n_reused
    cdef size_t need = rounded(nbytes)
    cdef size_t most = need + need // 8 + (LARGE_GRANULE if need >= LARGE_FROM else SMALL_GRANULE)
    cdef int best = -1, i
    cdef void *ptr = NULL
    cdef size_t size = need
    PyThread_acquire_lock(lock, WAIT_LOCK)
    for i in range(cached_count - 1, -1, -1):     # newest first: its pages are the likeliest in cache
        if need <= cached_size[i] <= most and (best < 0 or cached_size[i] < cached_size[best]):
            best = i
    if best >= 0:
        ptr, size = cached_ptr[best], cached_size[best]
        remove_at(best)
        n_reused += 1
    PyThread_release_lock(lock)
    if ptr == NULL:
        ptr = refnn_map_block(need)
        if ptr == NULL:
            return None
        n_fresh += 1
    if poison:
        memset(ptr, 0xFF, size)
    cdef Block block = Block.__new__(Block)
    block.ptr, block.size = ptr, size
    PyTraceMalloc_Track(REFNN_NUMPY_TRACE_DOMAIN, <uintptr_t>ptr, size)
    return block


cdef object _float32 = np.dtype(np.float32)


def empty(shape, dtype=_float32):
    """``np.empty(shape, dtype)``, C order; from a cached block when it has at least ``min_bytes``."""
    cdef cnp.dtype descr = dtype if isinstance(dtype, cnp.dtype) else np.dtype(dtype)
    cdef cnp.npy_intp dims[32]
    cdef int nd, i
    cdef size_t nbytes = descr.itemsize
    cdef Py_ssize_t extent
    cdef int type_num = descr.type_num
    if (type_num > cnp.NPY_CLONGDOUBLE and type_num != cnp.NPY_FLOAT16) or not cnp.PyDataType_ISNOTSWAPPED(descr):
        return np.empty(shape, descr)          # structured, object, string, datetime or byte-swapped types
    if type(shape) is not tuple:
        shape = tuple(shape) if isinstance(shape, (list, tuple)) else (shape,)
    nd = len(shape)
    if nd > 32:
        return np.empty(shape, descr)
    for i in range(nd):
        extent = shape[i]
        if extent < 0:
            return np.empty(shape, descr)      # numpy's own error
        dims[i] = extent
        if extent != 0 and nbytes > (<size_t>1 << 62) // <size_t>extent:
            return np.empty(shape, descr)      # numpy's own error
        nbytes *= <size_t>extent
    return empty_array(nd, dims, descr, nbytes)


cdef object empty_array(int nd, cnp.npy_intp *dims, cnp.dtype descr, size_t nbytes):
    """The array of ``nbytes`` (shape ``dims``, native numeric ``descr``), from the cache when large."""
    if nbytes < min_bytes or limit_bytes == 0:
        return cnp.PyArray_EMPTY(nd, dims, descr.type_num, 0)
    cdef Block block = take_block(nbytes)
    if block is None:
        return cnp.PyArray_EMPTY(nd, dims, descr.type_num, 0)   # no mapping: numpy's memory or MemoryError
    return refnn_array_on(descr, nd, dims, block.ptr, block)


def is_large(size_t nbytes):
    """Whether ``empty`` would take an output of ``nbytes`` from the cache."""
    return nbytes >= min_bytes and limit_bytes != 0


def empty_like(array):
    """A C-ordered ``empty`` of ``array``'s shape and dtype."""
    if not isinstance(array, cnp.ndarray):
        return empty(array.shape, array.dtype)
    cdef cnp.ndarray a = array
    cdef cnp.dtype descr = <cnp.dtype><object>cnp.PyArray_DESCR(a)
    cdef int type_num = descr.type_num
    if (type_num > cnp.NPY_CLONGDOUBLE and type_num != cnp.NPY_FLOAT16) or not cnp.PyDataType_ISNOTSWAPPED(descr):
        return np.empty((<object>a).shape, descr)
    # an existing array's size cannot overflow
    return empty_array(cnp.PyArray_NDIM(a), cnp.PyArray_DIMS(a), descr, <size_t>cnp.PyArray_NBYTES(a))


def release():
    """Unmap every cached block; returns the number of bytes handed back to the system."""
    cdef void *ptrs[MAX_BLOCKS]
    cdef size_t sizes[MAX_BLOCKS]
    cdef int n, i
    cdef size_t total
    global cached_count, cached_bytes
    PyThread_acquire_lock(lock, WAIT_LOCK)
    n, total = cached_count, cached_bytes
    for i in range(n):
        ptrs[i], sizes[i] = cached_ptr[i], cached_size[i]
    cached_count, cached_bytes = 0, 0
    PyThread_release_lock(lock)
    for i in range(n):
        refnn_unmap_block(ptrs[i], sizes[i])
    return total


def stats():
    """The cache's state: cached bytes and blocks, its limit, and the counts of fresh, reused and evicted blocks."""
    return {"cached_bytes": cached_bytes, "cached_blocks": cached_count, "limit_bytes": limit_bytes,
            "min_bytes": min_bytes, "fresh": n_fresh, "reused": n_reused, "evicted": n_evicted}


def set_limit(size_t nbytes):
    """Keep at most ``nbytes`` cached (0 turns the cache off); blocks over the new limit are unmapped.
    Returns the previous limit."""
    global limit_bytes
    previous = limit_bytes
    limit_bytes = nbytes
    if nbytes == 0 or cached_bytes > nbytes:
        release()
    return previous


def _set_min_bytes(size_t nbytes):
    """Tests only: route outputs from ``nbytes`` up through the cache (returns the previous threshold)."""
    global min_bytes
    previous = min_bytes
    min_bytes = max(nbytes, 1)
    return previous


def _set_poison(bint on):
    """Tests only: fill every block handed out with 0xFF bytes (returns the previous setting)."""
    global poison
    previous = poison
    poison = on
    return previous

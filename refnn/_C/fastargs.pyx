"""The functionals' fast-path argument checks, compiled (a few hundred nanoseconds instead of microseconds).

Each function here mirrors one Python fast path of ``refnn.nn.functional`` and is conservative: it
returns that function's result only for the plain call it recognises at once (float32/float64 native
arrays, Python ints of moderate size, ...), and ``DEFER`` for anything else, whereupon the caller runs
the Python fast path as before (which in turn falls back to the full validation that raises torch's
error).  So a call either gets the very result the Python fast path would give, or takes the Python
route unchanged: error parity and messages do not depend on this module.
"""
cimport numpy as cnp

import numpy as np

from refnn._shape import MAX_ALLOCATION_BYTES as _MAX_ALLOCATION_BYTES
from refnn.tensor import Tensor as _TensorClass

cnp.import_array()

DEFER = object()                     # "not recognised: run the Python fast path"

cdef object _DEFER = DEFER
cdef object _Tensor = _TensorClass
cdef long long _MAX_BYTES = _MAX_ALLOCATION_BYTES
cdef long _BIG = 1 << 30             # ints beyond this (either sign) are left to the Python code
cdef long _INT32 = 1L << 31


cdef extern from "Python.h":
    long PyLong_AsLongAndOverflow(object, int *) except? -1


cdef inline bint _small_int(object v, long *out):
    """A Python int (not bool, not a subclass) within +-2**30, stored in ``out``."""
    cdef int overflow = 0
    cdef long value
    if type(v) is not int:
        return False
    value = PyLong_AsLongAndOverflow(v, &overflow)
    if overflow or value > _BIG or value < -_BIG:
        return False
    out[0] = value
    return True


cdef inline bint _pair(object value, long *out):
    """``fast_ints(value, 2)`` for small ints: an int, or a tuple/list of 1 or 2 ints."""
    cdef Py_ssize_t n
    if type(value) is int:
        if not _small_int(value, out):
            return False
        out[1] = out[0]
        return True
    if type(value) is tuple or type(value) is list:
        n = len(value)
        if n == 2:
            return _small_int(value[0], out) and _small_int(value[1], out + 1)
        if n == 1:
            if not _small_int(value[0], out):
                return False
            out[1] = out[0]
            return True
    return False


cdef inline bint _float_array(object data):
    """``is_float_array``: a native float32/float64 ndarray with 0 < nbytes <= the allocation cap."""
    cdef cnp.ndarray a
    cdef int t
    cdef long long nbytes
    if not cnp.PyArray_Check(data):
        return False
    a = <cnp.ndarray>data
    t = cnp.PyArray_TYPE(a)
    if (t != cnp.NPY_FLOAT and t != cnp.NPY_DOUBLE) or not cnp.PyArray_ISNOTSWAPPED(a):
        return False
    nbytes = cnp.PyArray_NBYTES(a)
    return 0 < nbytes <= _MAX_BYTES


def conv2d_args(input, weight, bias, stride, padding, dilation, groups):
    """``refnn.nn.functional._conv._fast_conv2d_args``, or DEFER."""
    cdef long g = 0, n
    cdef long s[2]
    cdef long p[2]
    cdef long d[2]
    cdef long k[2]
    cdef long o[2]
    cdef cnp.ndarray x, w, b
    cdef int i
    if type(groups) is not int or not _small_int(groups, &g) or g <= 0:
        return _DEFER
    if not isinstance(input, _Tensor) or not isinstance(weight, _Tensor):
        return _DEFER
    xd, wd = input.data, weight.data
    if not _float_array(xd) or not cnp.PyArray_Check(wd):
        return _DEFER
    x, w = <cnp.ndarray>xd, <cnp.ndarray>wd
    if cnp.PyArray_NDIM(x) != 4 or cnp.PyArray_NDIM(w) != 4 or cnp.PyArray_TYPE(w) != cnp.PyArray_TYPE(x) \
            or not cnp.PyArray_ISNOTSWAPPED(w):
        return _DEFER
    if bias is not None:
        if not isinstance(bias, _Tensor):
            return _DEFER
        bd = bias.data
        if not cnp.PyArray_Check(bd):
            return _DEFER
        b = <cnp.ndarray>bd
        if cnp.PyArray_NDIM(b) != 1 or cnp.PyArray_TYPE(b) != cnp.PyArray_TYPE(x) or not cnp.PyArray_ISNOTSWAPPED(b) \
                or cnp.PyArray_DIM(b, 0) != cnp.PyArray_DIM(w, 0):
            return _DEFER
    out_channels = cnp.PyArray_DIM(w, 0)
    k[0], k[1] = cnp.PyArray_DIM(w, 2), cnp.PyArray_DIM(w, 3)
    if out_channels == 0 or out_channels % g or k[0] <= 0 or k[1] <= 0 \
            or cnp.PyArray_DIM(x, 1) != cnp.PyArray_DIM(w, 1) * g:
        return _DEFER
    if not (_pair(stride, s) and _pair(padding, p) and _pair(dilation, d)):
        return _DEFER
    for i in range(2):
        n = cnp.PyArray_DIM(x, 2 + i)
        if s[i] <= 0 or p[i] < 0 or d[i] <= 0 or n + 2 * p[i] < d[i] * (k[i] - 1) + 1:
            return _DEFER
        o[i] = (n + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1
    if <double>cnp.PyArray_DIM(x, 0) * out_channels * o[0] * o[1] * cnp.PyArray_ITEMSIZE(x) > 1e18:
        return _DEFER
    if cnp.PyArray_DIM(x, 0) * out_channels * o[0] * o[1] * cnp.PyArray_ITEMSIZE(x) > _MAX_BYTES:
        return _DEFER
    for i in range(2):
        n = cnp.PyArray_DIM(x, 2 + i)
        if o[i] == 1:       # as _conv: a stride with one output position made the smallest that gives it
            s[i] = min(s[i], n + 2 * p[i] - (d[i] * (k[i] - 1) + 1) + 1)
        if k[i] == 1:       # and a dilation of a unit kernel made 1
            d[i] = 1
    return (1, s[0], s[1]), (0, 0, p[0], p[0], p[1], p[1]), (1, d[0], d[1])


cdef inline long _pool_out(long size, long kernel, long stride, long padding, long dilation, bint ceil_mode):
    """``refnn._shape.pool_out_size`` for a numerator >= 0 (the caller checks)."""
    cdef long numerator = size + 2 * padding - dilation * (kernel - 1) - 1
    cdef long out
    if ceil_mode:
        out = (numerator + stride - 1) // stride + 1
        if (out - 1) * stride >= size + padding:
            out -= 1
    else:
        out = numerator // stride + 1
    return out


def max_pool2d_args(input, kernel_size, stride, padding, dilation, ceil_mode):
    """``refnn.nn.functional._pooling._fast_max_pool2d_args``, or DEFER."""
    cdef long size
    cdef long k[2]
    cdef long s[2]
    cdef long p[2]
    cdef long d[2]
    cdef long o[2]
    cdef cnp.ndarray x
    cdef int i, nd
    cdef double lead
    if type(ceil_mode) is not bool or not isinstance(input, _Tensor):
        return _DEFER
    xd = input.data
    if not _float_array(xd):
        return _DEFER
    x = <cnp.ndarray>xd
    nd = cnp.PyArray_NDIM(x)
    if nd != 4 and nd != 3:
        return _DEFER
    if not _pair(kernel_size, k):
        return _DEFER
    if stride is None:
        s[0], s[1] = k[0], k[1]
    elif not _pair(stride, s):
        return _DEFER
    if not (_pair(padding, p) and _pair(dilation, d)):
        return _DEFER
    for i in range(2):
        if not (0 < k[i] < _INT32 and 0 < s[i] < _INT32 and 0 <= p[i] <= k[i] // 2 and 0 < d[i] < _INT32):
            return _DEFER
        size = cnp.PyArray_DIM(x, nd - 2 + i)
        if size + 2 * p[i] - d[i] * (k[i] - 1) - 1 < 0:
            return _DEFER
        o[i] = _pool_out(size, k[i], s[i], p[i], d[i], ceil_mode is True)
        if o[i] < 1:
            return _DEFER
    lead = 1
    for i in range(nd - 2):
        lead *= cnp.PyArray_DIM(x, i)
    if lead * o[0] * o[1] * 8 > _MAX_BYTES:
        return _DEFER
    return (1, k[0], k[1]), (1, s[0], s[1]), (0, p[0], p[1]), (1, d[0], d[1]), (1, o[0], o[1])


def labels_in_range(labels, Py_ssize_t n_classes, ignore_index):
    """Whether every label of the 1-d int64 array ``labels`` is in [0, n_classes) or equals
    ``ignore_index`` (a Python int); None when ``labels`` is not such an array or ``ignore_index`` is
    beyond int64 (the caller then uses NumPy)."""
    cdef const cnp.int64_t[:] view
    cdef long long ignore, label
    cdef int overflow = 0
    cdef Py_ssize_t i
    if type(ignore_index) is not int or not cnp.PyArray_Check(labels) \
            or cnp.PyArray_TYPE(<cnp.ndarray>labels) != cnp.NPY_INT64 or cnp.PyArray_NDIM(<cnp.ndarray>labels) != 1 \
            or not cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray>labels):
        return None
    ignore = PyLong_AsLongAndOverflow(ignore_index, &overflow)
    if overflow:
        return None
    view = labels
    for i in range(view.shape[0]):
        label = view[i]
        if label != ignore and (label < 0 or label >= n_classes):
            return False
    return True


def linear_common(input, weight, bias):
    """True where ``refnn.nn.functional._linear._common_case`` is (native float32/float64 arrays), else
    None: the caller then asks the Python function."""
    cdef cnp.ndarray x, w, b
    cdef Py_ssize_t out_features, in_features
    cdef int nd
    if not isinstance(input, _Tensor) or not isinstance(weight, _Tensor):
        return None
    xd, wd = input.data, weight.data
    if not _float_array(xd) or not cnp.PyArray_Check(wd):
        return None
    x, w = <cnp.ndarray>xd, <cnp.ndarray>wd
    nd = cnp.PyArray_NDIM(x)
    if nd < 1 or cnp.PyArray_NDIM(w) != 2 or cnp.PyArray_TYPE(w) != cnp.PyArray_TYPE(x) \
            or not cnp.PyArray_ISNOTSWAPPED(w):
        return None
    out_features, in_features = cnp.PyArray_DIM(w, 0), cnp.PyArray_DIM(w, 1)
    if cnp.PyArray_DIM(x, nd - 1) != in_features or out_features == 0 or in_features == 0:
        return None
    if bias is not None:
        if not isinstance(bias, _Tensor):
            return None
        bd = bias.data
        if not cnp.PyArray_Check(bd):
            return None
        b = <cnp.ndarray>bd
        if cnp.PyArray_TYPE(b) != cnp.PyArray_TYPE(x) or not cnp.PyArray_ISNOTSWAPPED(b) or cnp.PyArray_NDIM(b) != 1 \
                or cnp.PyArray_DIM(b, 0) != out_features or not cnp.PyArray_IS_C_CONTIGUOUS(b):
            return None
        if nd != 2 and not cnp.PyArray_IS_C_CONTIGUOUS(x):
            return None
    # rows * out_features * itemsize within the cap (rows * in_features * itemsize is, so no overflow)
    if <double>(cnp.PyArray_SIZE(x) // in_features) * out_features * cnp.PyArray_ITEMSIZE(x) > <double>_MAX_BYTES:
        return None
    return True

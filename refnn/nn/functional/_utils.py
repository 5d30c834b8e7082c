"""Argument normalisation and validation shared by the functional families.

All validation happens in ``refnn.nn.functional``: the kernels trust what they
are given.  Messages name the function, the argument and the value.
"""
import collections.abc
import itertools
import operator

import numpy as np

from ..._shape import MAX_ALLOCATION_BYTES
from ...autograd import is_grad_enabled
from ...tensor import Tensor

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_F32, _F64 = FLOAT_DTYPES
_FLOAT_SET = frozenset(FLOAT_DTYPES)


def is_float_array(data):
    """Fast-path test: a float32/float64 NumPy array of at least one element and at most the allocation cap
    (so an output of its size passes ``check_allocation``).  The fast paths of the functionals take only
    what passes this and their own cheap checks; anything else goes through the full validation, which
    raises torch's error."""
    dtype = data.dtype
    return (dtype is _F32 or dtype is _F64 or dtype in _FLOAT_SET) and 0 < data.nbytes <= MAX_ALLOCATION_BYTES


def fast_ints(value, n):
    """Fast-path test: ``value`` as an n-tuple when it is a Python int or a tuple/list of 1 or n Python ints
    (no bool), else None (the caller then takes the full validation)."""
    if type(value) is int:
        return (value,) * n
    if type(value) is tuple or type(value) is list:
        for v in value:
            if type(v) is not int:
                return None
        if len(value) == n:
            return tuple(value)
        if len(value) == 1:
            return (value[0],) * n
    return None


def _ntuple(n, name="parse"):
    def parse(x):
        if isinstance(x, collections.abc.Iterable) and not isinstance(x, str):
            return tuple(x)
        return tuple(itertools.repeat(x, n))
    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")


def check_tensor(fn, name, value):
    """``value`` must be a refnn Tensor (torch raises TypeError otherwise)."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(value).__name__}")
    return value


def check_float_tensor(fn, name, value):
    check_tensor(fn, name, value)
    if value.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"{fn}: expected {name} to be float32 or float64, but got {value.dtype}")
    return value


def check_same_dtype(fn, **tensors):
    items = [(k, v) for k, v in tensors.items() if v is not None]
    first_name, first = items[0]
    for k, v in items[1:]:
        if v.dtype != first.dtype:
            raise RuntimeError(f"{fn}: expected {k} to have the same dtype as {first_name} "
                               f"({first.dtype}), but got {v.dtype}")


def as_int(fn, name, value):
    """An integer argument (bools and floats refused, as torch's int-list parser does)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        try:
            if isinstance(value, (bool, float, np.floating)):
                raise TypeError
            return operator.index(value)
        except TypeError:
            raise TypeError(f"{fn}(): argument '{name}' must be tuple of ints, but found element "
                            f"of type {type(value).__name__}") from None
    return int(value)


def int_tuple(fn, name, value, n):
    """Normalise an int or a sequence of ints to an n-tuple (length checked)."""
    if isinstance(value, (tuple, list)):
        values = tuple(as_int(fn, name, v) for v in value)
        if len(values) == 1:
            values = values * n
        if len(values) != n:
            raise RuntimeError(f"{fn}: {name} must be an int or a tuple of {n} ints, but got {value!r}")
        return values
    return (as_int(fn, name, value),) * n


def check_inplace(fn, input):
    """torch refuses in-place ops on a leaf that requires grad."""
    if input.requires_grad and input.grad_fn is None and is_grad_enabled():
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")


def check_reduction(fn, reduction):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def torch_int_list(fn, name, position, values):
    """torch's int-list argument parser: it checks the type of the first element only ("must be tuple of
    ints, but found element of type ... at pos 0"); later elements are unpacked as indices, so a bool counts
    as 0 or 1 and a float fails to unpack (its message counts positions from 1)."""
    out = []
    for pos, item in enumerate(values):
        if pos == 0 and (isinstance(item, (bool, np.bool_)) or not isinstance(item, (int, np.integer))):
            raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be tuple of ints, but found "
                            f"element of type {type(item).__name__} at pos 0")
        try:
            if isinstance(item, (float, np.floating)):
                raise TypeError
            item = operator.index(item)
        except TypeError:
            raise TypeError(f"{fn}(): argument '{name}' failed to unpack the object at pos {pos + 1} with error "
                            f"\"type must be tuple of ints,but got {type(item).__name__}\"") from None
        if not -(1 << 63) <= item < (1 << 63):
            raise TypeError(f"{fn}(): argument '{name}' failed to unpack the object at pos {pos + 1} with error "
                            "\"Overflow when unpacking long long\"")
        out.append(int(item))
    return out

"""NumPy ufuncs whose large results land in refnn's cache of output buffers (``refnn._C.buffers``).

``ufunc_into(ufunc, *operands)`` is ``ufunc(*operands)``, bit for bit: it passes ``out=`` only where the
result's dtype is known to be the one NumPy itself would choose (every array operand of one float dtype,
the others Python numbers), so the same inner loop runs; anything else, or a result under 1 MiB, is
NumPy's own call (the gate is the largest operand: a broadcast that makes a small input large
stays NumPy's).
"""
import numpy as np

from .._C.buffers import empty, is_large

_WEAK = (int, float, bool)


def ufunc_into(ufunc, *operands):
    dtype = None
    large = False
    for operand in operands:
        if type(operand) is np.ndarray:
            if dtype is None:
                dtype = operand.dtype
            elif operand.dtype != dtype:
                return ufunc(*operands)
            large = large or is_large(operand.nbytes)
        elif type(operand) not in _WEAK:
            return ufunc(*operands)
    if not large or dtype.kind != "f" or not dtype.isnative:
        return ufunc(*operands)
    shape = np.broadcast_shapes(*(np.shape(operand) for operand in operands))
    return ufunc(*operands, out=empty(shape, dtype))


def copy(array):
    """``np.array(array, copy=True, order="C")``, into a cached buffer when large."""
    if not is_large(array.nbytes) or array.dtype.hasobject:
        return np.array(array, copy=True, order="C")
    out = empty(array.shape, array.dtype)
    np.copyto(out, array)
    return out

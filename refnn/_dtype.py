"""refnn's dtype objects: ``refnn.float32`` prints as torch's ``torch.float32`` prints, with refnn's name.

A :class:`dtype` wraps one NumPy dtype.  It compares equal to the other refnn dtype of the same kind
and to everything NumPy reads as that dtype (``np.float32``, ``np.dtype('float32')``, ``'float32'``),
hashes as the NumPy dtype does (so it finds the same dictionary entries), and carries the NumPy dtype
in its ``dtype`` attribute, which NumPy honours: ``np.dtype(refnn.float32)``,
``array.astype(refnn.float32)`` and ``np.zeros(2, dtype=refnn.float32)`` all work.  NumPy attributes
(``kind``, ``char``, ``type``, ...) are forwarded, so code written for NumPy dtypes keeps working.
"""
import numpy as np

__all__ = ["dtype", "as_refnn_dtype", "as_numpy_dtype"]


class dtype:  # noqa: N801  (torch.dtype)
    """One element type: ``is_floating_point``, ``is_complex``, ``is_signed``, ``itemsize``."""

    __slots__ = ("dtype", "_name", "kind", "itemsize", "is_floating_point", "is_complex", "is_signed")

    def __init__(self, np_dtype, name):
        np_dtype = np.dtype(np_dtype)
        self.dtype = np_dtype
        self._name = name
        self.kind = np_dtype.kind
        self.itemsize = np_dtype.itemsize
        self.is_floating_point = np_dtype.kind == "f"
        self.is_complex = np_dtype.kind == "c"
        self.is_signed = np_dtype.kind in "ifc"

    def __repr__(self):
        return f"refnn.{self._name}"

    __str__ = __repr__

    def __eq__(self, other):
        if isinstance(other, dtype):
            return self.dtype == other.dtype
        if other is None:
            return False
        try:
            return self.dtype == np.dtype(other)
        except (TypeError, ValueError):
            return NotImplemented

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self):
        return hash(self.dtype)

    def __getattr__(self, name):  # NumPy's attributes: char, type, name, str, ...
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(object.__getattribute__(self, "dtype"), name)

    def __reduce__(self):
        return (as_refnn_dtype, (self.dtype.str,))


float16 = dtype(np.float16, "float16")
float32 = dtype(np.float32, "float32")
float64 = dtype(np.float64, "float64")
complex64 = dtype(np.complex64, "complex64")
complex128 = dtype(np.complex128, "complex128")
uint8 = dtype(np.uint8, "uint8")
int8 = dtype(np.int8, "int8")
int16 = dtype(np.int16, "int16")
int32 = dtype(np.int32, "int32")
int64 = dtype(np.int64, "int64")
bool_ = dtype(np.bool_, "bool")

_BY_NUMPY = {d.dtype: d for d in (float16, float32, float64, complex64, complex128, uint8, int8, int16,
                                  int32, int64, bool_)}
# torch's aliases, given as strings ("float", "long") where a dtype is expected
_ALIASES = {"float": "float32", "double": "float64", "half": "float16", "long": "int64", "int": "int32",
            "short": "int16", "bool": "bool", "cfloat": "complex64", "cdouble": "complex128"}


def as_numpy_dtype(value):
    """The NumPy dtype of a refnn dtype, a NumPy dtype or type, or a name (``'float'``, ``'int64'``)."""
    if isinstance(value, dtype):
        return value.dtype
    if isinstance(value, str):
        value = _ALIASES.get(value, value)
    try:
        return np.dtype(value)
    except TypeError as exc:
        raise TypeError(f"dtype must be a refnn or NumPy dtype, but got {value!r}") from exc


def as_refnn_dtype(value):
    """The refnn dtype object for anything :func:`as_numpy_dtype` accepts."""
    if isinstance(value, dtype):
        return value
    np_dtype = as_numpy_dtype(value)
    found = _BY_NUMPY.get(np_dtype)
    if found is None:
        found = _BY_NUMPY.setdefault(np_dtype, dtype(np_dtype, np_dtype.name))
    return found

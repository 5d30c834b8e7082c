"""``Tensor``: a NumPy array with autograd bookkeeping."""
import numpy as np

from . import autograd

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
float16 = np.dtype(np.float16)
int64 = np.dtype(np.int64)
int32 = np.dtype(np.int32)
bool_ = np.dtype(np.bool_)
float = float32  # noqa: A001  (torch.float)
double = float64
long = int64


def _as_dtype(dtype):
    if dtype is None:
        return None
    if isinstance(dtype, str):
        dtype = {"float": "float32", "double": "float64", "long": "int64"}.get(dtype, dtype)
    return np.dtype(dtype)


def _default_dtype_of(array):
    """torch.tensor's inference: Python floats -> float32, ints -> int64, bools -> bool."""
    if array.dtype.kind == "f":
        return array.dtype
    if array.dtype.kind in "iu":
        return int64
    if array.dtype.kind == "b":
        return bool_
    raise TypeError(f"tensor(): cannot build a tensor from data of dtype {array.dtype}")


class Tensor:
    """A NumPy array with ``requires_grad``, ``grad`` and ``grad_fn``."""

    __array_priority__ = 1000

    def __init__(self, data, requires_grad=False):
        if isinstance(data, Tensor):
            data = data.data
        self.data = data if isinstance(data, np.ndarray) else np.asarray(data)
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self.grad_fn = None
        self._output_nr = 0
        self._version = 0

    # ---- NumPy interop -------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        if copy is False and dtype is not None and np.dtype(dtype) != self.data.dtype:
            raise ValueError("Unable to avoid copy while converting the Tensor's dtype")
        array = self.data if dtype is None else self.data.astype(dtype, copy=False)
        return array.copy() if copy else array

    def numpy(self):
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self.data

    def tolist(self):
        return self.data.tolist()

    def item(self):
        if self.data.size != 1:
            raise RuntimeError(f"a Tensor with {self.data.size} elements cannot be converted to Scalar")
        return self.data.reshape(()).item()

    # ---- metadata ------------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    def size(self, dim=None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def dim(self):
        return self.data.ndim

    ndim = property(dim)

    def numel(self):
        return int(self.data.size)

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def is_leaf(self):
        return self.grad_fn is None

    def is_contiguous(self):
        return bool(self.data.flags.c_contiguous)

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extra = ""
        if self.data.dtype not in (float32, int64, bool_):
            extra += f", dtype=refnn.{self.data.dtype}"
        if self.grad_fn is not None:
            extra += f", grad_fn=<{self.grad_fn.name()}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # ---- autograd ------------------------------------------------------
    def backward(self, gradient=None, retain_graph=False):
        autograd.backward(self, gradient, retain_graph=retain_graph)

    def detach(self):
        return Tensor(self.data)

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = bool(requires_grad)
        return self

    def clone(self):
        return self + 0 if self.requires_grad else Tensor(self.data.copy())

    def contiguous(self):
        if self.data.flags.c_contiguous:
            return self
        return self.reshape(self.shape) if self.requires_grad else Tensor(np.ascontiguousarray(self.data))

    # ---- arithmetic ----------------------------------------------------
    def __add__(self, other):
        return _fn().Add.apply(self, _coerce(other))

    def __radd__(self, other):
        return _fn().Add.apply(_coerce(other), self)

    def __sub__(self, other):
        return _fn().Sub.apply(self, _coerce(other))

    def __rsub__(self, other):
        return _fn().Sub.apply(_coerce(other), self)

    def __mul__(self, other):
        return _fn().Mul.apply(self, _coerce(other))

    def __rmul__(self, other):
        return _fn().Mul.apply(_coerce(other), self)

    def __truediv__(self, other):
        return _fn().Div.apply(self, _coerce(other))

    def __rtruediv__(self, other):
        return _fn().Div.apply(_coerce(other), self)

    def __neg__(self):
        return _fn().Neg.apply(self)

    def __pow__(self, exponent):
        return _fn().Pow.apply(self, exponent)

    def __matmul__(self, other):
        from ._functions.linear import matmul
        return matmul(self, other)

    def exp(self):
        return _fn().Exp.apply(self)

    def log(self):
        return _fn().Log.apply(self)

    def sqrt(self):
        return _fn().Sqrt.apply(self)

    def abs(self):
        return _fn().Abs.apply(self)

    def sum(self, dim=None, keepdim=False):
        return _fn().Sum.apply(self, _dims(dim), keepdim)

    def mean(self, dim=None, keepdim=False):
        return _fn().Mean.apply(self, _dims(dim), keepdim)

    def max(self):
        return Tensor(self.data.max())

    def argmax(self, dim=None):
        return Tensor(np.asarray(self.data.argmax(axis=dim), dtype=int64))

    # comparisons give plain bool tensors (no gradient)
    def __eq__(self, other):
        return Tensor(self.data == _data_of(other))

    def __ne__(self, other):
        return Tensor(self.data != _data_of(other))

    def __lt__(self, other):
        return Tensor(self.data < _data_of(other))

    def __le__(self, other):
        return Tensor(self.data <= _data_of(other))

    def __gt__(self, other):
        return Tensor(self.data > _data_of(other))

    def __ge__(self, other):
        return Tensor(self.data >= _data_of(other))

    __hash__ = object.__hash__

    # ---- shape ---------------------------------------------------------
    def view(self, *shape):
        if not self.data.flags.c_contiguous:
            raise RuntimeError("view size is not compatible with input tensor's size and stride "
                               "(at least one dimension spans across two contiguous subspaces). "
                               "Use .reshape(...) instead.")
        return self.reshape(*shape)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = _infer_shape(shape, self.data.size)
        return _fn().Reshape.apply(self, shape)

    def flatten(self, start_dim=0, end_dim=-1):
        if self.data.ndim == 0:
            return self.reshape(1)
        start = start_dim % self.data.ndim
        end = end_dim % self.data.ndim
        shape = self.shape[:start] + (_product(self.shape[start:end + 1]),) + self.shape[end + 1:]
        return self.reshape(shape)

    def unsqueeze(self, dim):
        dim = dim % (self.data.ndim + 1)
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def squeeze(self, dim=None):
        if dim is None:
            return self.reshape(tuple(n for n in self.shape if n != 1))
        dim = dim % max(self.data.ndim, 1)
        if self.data.ndim == 0 or self.shape[dim] != 1:
            return self
        return self.reshape(self.shape[:dim] + self.shape[dim + 1:])

    def permute(self, *dims):
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        return _fn().Permute.apply(self, tuple(d % self.data.ndim for d in dims))

    def transpose(self, dim0, dim1):
        dims = list(range(self.data.ndim))
        dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        return self.permute(dims)

    @property
    def T(self):
        return self.permute(tuple(reversed(range(self.data.ndim))))

    def t(self):
        return self.T

    def expand(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        lead = len(shape) - self.data.ndim
        shape = tuple(self.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
        return _fn().Expand.apply(self, shape)

    def __getitem__(self, key):
        key = _index_key(key)
        return _fn().Index.apply(self, key)

    def __setitem__(self, key, value):
        if self.requires_grad and self.grad_fn is None and autograd.is_grad_enabled():
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        self.data[_index_key(key)] = _data_of(value)
        self._version += 1

    # ---- dtype ---------------------------------------------------------
    def to(self, dtype):
        dtype = _as_dtype(dtype)
        if dtype == self.dtype:
            return self
        return _fn().Cast.apply(self, dtype)

    def float(self):
        return self.to(float32)

    def double(self):
        return self.to(float64)

    def long(self):
        return Tensor(self.data.astype(int64))

    # ---- in place ------------------------------------------------------
    def zero_(self):
        self.data[...] = 0
        self._version += 1
        return self

    def fill_(self, value):
        self.data[...] = value
        self._version += 1
        return self

    def copy_(self, src):
        self.data[...] = _data_of(src)
        self._version += 1
        return self


def _fn():
    from ._functions import arith
    return arith


def _data_of(x):
    return x.data if isinstance(x, Tensor) else x


def _coerce(x):
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor(x)
    return x  # Python scalar: stays a scalar, takes the tensor's dtype


def _dims(dim):
    if isinstance(dim, list):
        return tuple(dim)
    return dim


def _index_key(key):
    if isinstance(key, Tensor):
        return key.data
    if isinstance(key, tuple):
        return tuple(k.data if isinstance(k, Tensor) else k for k in key)
    return key


def _product(sizes):
    """The product of a few Python ints (math.prod without NumPy's per-call overhead)."""
    total = 1
    for n in sizes:
        total *= n
    return total


def _infer_shape(shape, size):
    shape = tuple([int(n) for n in shape])
    if -1 in shape:
        if shape.count(-1) > 1:
            raise RuntimeError("only one dimension can be inferred")
        known = _product([n for n in shape if n != -1])
        if known == 0 or size % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
        shape = tuple([size // known if n == -1 else n for n in shape])
    if _product(shape) != size:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
    return shape


def tensor(data, dtype=None, requires_grad=False):
    """Build a Tensor, copying ``data`` (torch.tensor's dtype rules)."""
    from_python = not isinstance(data, (np.ndarray, np.generic, Tensor))
    array = np.array(_data_of(data), copy=True)
    inferred = _default_dtype_of(array)
    if from_python and inferred.kind == "f":
        inferred = float32
    dtype = _as_dtype(dtype) or inferred
    array = array.astype(dtype, copy=False)
    if requires_grad and dtype.kind != "f":
        raise RuntimeError("Only Tensors of floating point dtype can require gradients")
    return Tensor(array, requires_grad=requires_grad)


def from_numpy(array):
    """Share memory with a NumPy array, as torch.from_numpy does."""
    return Tensor(np.asarray(array))


def _factory(fill):
    def make(*size, dtype=None, requires_grad=False):
        if len(size) == 1 and isinstance(size[0], (tuple, list)):
            size = tuple(size[0])
        return Tensor(fill(size, dtype=_as_dtype(dtype) or float32), requires_grad=requires_grad)
    return make


zeros = _factory(np.zeros)
ones = _factory(np.ones)
empty = _factory(np.zeros)


def cat(tensors, dim=0):
    return _fn().Cat.apply(dim, *tensors)


def stack(tensors, dim=0):
    return _fn().Stack.apply(dim, *tensors)

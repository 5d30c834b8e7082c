"""``Tensor``: a NumPy array with autograd bookkeeping, and the Tensor API a torch user types.

The methods are thin: they parse torch's arguments, check them (raising torch's exception class
before any work), and call one autograd Function of ``refnn._functions`` (arith, pointwise,
reduction, indexing, shape, matmul).  The numerics of each family are written down in its module.

In-place methods (``x.exp_()``, ``x.clamp_(0, 1)``, ``x += y``) compute the out-of-place result and
store it: a tensor outside any graph (a leaf, or anything under ``no_grad``) is written in place, so
its views and the modules holding it see the change; a tensor inside a graph (one with a
``grad_fn``) takes the new array and the new ``grad_fn``, so the arrays earlier Functions saved for
their backward stay intact.
"""
import builtins
import collections
import operator

import numpy as np

from . import autograd
from ._C.core import _register_tensor_class, _TensorBase
from ._dtype import _BY_NUMPY
from ._dtype import (as_numpy_dtype, as_refnn_dtype, bool_, complex64, complex128, dtype, float16,  # noqa: F401
                     float32, float64, int8, int16, int32, int64, uint8)

float = float32  # noqa: A001  (torch.float)
double = float64
half = float16
long = int64
int = int32  # noqa: A001  (torch.int)
short = int16
bool = bool_  # noqa: A001  (torch.bool)
cfloat = complex64
cdouble = complex128

_int, _float, _bool = builtins.int, builtins.float, builtins.bool

values_indices = {name: collections.namedtuple(name, ["values", "indices"])
                  for name in ("max", "min", "sort", "topk", "mode", "median", "kthvalue")}


def _as_dtype(dtype):
    """The NumPy dtype of any dtype argument (refnn dtype, NumPy dtype or type, torch's names)."""
    if dtype is None:
        return None
    return as_numpy_dtype(dtype)


def _default_dtype_of(array):
    """torch.tensor's inference for Python data: floats -> float32, ints -> int64, bools -> bool."""
    if array.dtype.kind == "f":
        return np.dtype(np.float32)
    if array.dtype.kind in "iu":
        return np.dtype(np.int64)
    if array.dtype.kind == "b":
        return np.dtype(np.bool_)
    if array.dtype.kind == "c":
        return np.dtype(np.complex64)
    raise TypeError(f"tensor(): cannot build a tensor from data of dtype {array.dtype}")


def _is_device(value):
    return (isinstance(value, str) and value.split(":")[0] == "cpu") or getattr(value, "type", None) == "cpu"


def _check_device(value):
    if value is None or _is_device(value):
        return
    if isinstance(value, str):
        raise RuntimeError(f"refnn runs on the CPU only: device {value!r} is not available")
    raise TypeError(f"device must be a string such as 'cpu', but got {type(value).__name__}")


class Tensor(_TensorBase):
    """A NumPy array with ``requires_grad``, ``grad`` and ``grad_fn``.

    The fields (``data``, ``requires_grad``, ``grad``, ``grad_fn``, the version counter), ``__init__``,
    ``shape``, ``dim``, ``ndim`` and ``is_leaf`` are compiled, in ``refnn._C.core._TensorBase``.
    """

    __array_priority__ = 1000

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

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {'no' if self.data.size == 0 else 'more than one'} "
                               "values is ambiguous")
        return _bool(self.data.reshape(()))

    def __float__(self):
        return _float(self.item())

    def __int__(self):
        return _int(self.item())

    def __index__(self):
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return _int(self.item())

    # ---- metadata ------------------------------------------------------
    def size(self, dim=None):
        if dim is None:
            return self.data.shape
        if self.data.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self.data.shape[_wrap(dim, self.data.ndim)]

    def numel(self):
        return _int(self.data.size)

    nelement = numel

    def element_size(self):
        return self.data.itemsize

    @property
    def dtype(self):
        return _BY_NUMPY.get(self.data.dtype) or as_refnn_dtype(self.data.dtype)

    @property
    def device(self):
        return _CPU

    @property
    def is_cuda(self):
        return False

    def is_floating_point(self):
        return self.data.dtype.kind == "f"

    def is_contiguous(self):
        return _bool(self.data.flags.c_contiguous)

    def stride(self, dim=None):
        strides = tuple(s // self.data.itemsize for s in self.data.strides)
        return strides if dim is None else strides[_wrap(dim, self.data.ndim)]

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __repr__(self):
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    def __format__(self, spec):
        if self.data.ndim == 0 and spec:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    # ---- autograd ------------------------------------------------------
    def backward(self, gradient=None, retain_graph=False):
        autograd.backward(self, gradient, retain_graph=retain_graph)

    def detach(self):
        return Tensor(self.data)

    def detach_(self):
        self.grad_fn, self.requires_grad = None, False
        return self

    def requires_grad_(self, requires_grad=True):
        if requires_grad and self.data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = _bool(requires_grad)
        return self

    def clone(self):
        return _fn("shape").Clone.apply(self)

    def contiguous(self):
        if self.data.flags.c_contiguous:
            return self
        return _fn("shape").Clone.apply(self)

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
        return _fn("pointwise").Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return self.abs()

    def __pow__(self, exponent):
        return self.pow(exponent)

    def __rpow__(self, base):
        return _fn("pointwise").PowTensor.apply(base, self)

    def __matmul__(self, other):
        return self.matmul(other)

    def __rmatmul__(self, other):
        return _coerce(other).matmul(self)

    def add(self, other, *, alpha=1):
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other, *, alpha=1):
        return self - (other if alpha == 1 else other * alpha)

    def mul(self, other):
        return self * other

    def div(self, other):
        return self / other

    multiply, divide, subtract = mul, div, sub

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def add_(self, other, *, alpha=1):
        return self._inplace(lambda s: s.add(other, alpha=alpha))

    def sub_(self, other, *, alpha=1):
        return self._inplace(lambda s: s.sub(other, alpha=alpha))

    def mul_(self, other):
        return self._inplace(lambda s: s * other)

    def div_(self, other):
        return self._inplace(lambda s: s / other)

    def pow(self, exponent):
        if isinstance(exponent, Tensor):
            return _fn("pointwise").PowTensor.apply(self, exponent)
        if self.data.dtype.kind != "f" or isinstance(exponent, (_int, np.integer)) and exponent == 0:
            return _fn("pointwise").PowTensor.apply(self, exponent)
        return _fn().Pow.apply(self, exponent)

    def pow_(self, exponent):
        return self._inplace(lambda s: s.pow(exponent))

    def matmul(self, other):
        from ._functions.matmul import matmul
        return matmul(self, _coerce(other))

    def mm(self, other):
        if self.data.ndim != 2 or getattr(other, "ndim", 0) != 2:
            raise RuntimeError("mm: both arguments must be 2-D matrices")
        return self.matmul(other)

    def bmm(self, other):
        from ._functions.matmul import bmm
        return bmm(self, other)

    # ---- elementwise maths ---------------------------------------------
    def _unary(self, name):
        return _fn("pointwise").UNARY[name].apply(self)

    def exp(self):
        return self._unary("exp")

    def log(self):
        return self._unary("log")

    def log1p(self):
        return self._unary("log1p")

    def sqrt(self):
        return self._unary("sqrt")

    def rsqrt(self):
        return self._unary("rsqrt")

    def sin(self):
        return self._unary("sin")

    def cos(self):
        return self._unary("cos")

    def abs(self):
        return self._unary("abs")

    absolute = abs

    def neg(self):
        return self._unary("neg")

    negative = neg

    def sign(self):
        return self._unary("sign")

    def floor(self):
        return self._unary("floor")

    def ceil(self):
        return self._unary("ceil")

    def round(self, decimals=0):
        if decimals:
            return _fn("pointwise").RoundDecimals.apply(self, _int(decimals))
        return self._unary("round")

    def __round__(self, ndigits=None):
        return self.round(ndigits or 0)

    def sigmoid(self):
        return _nnf().sigmoid(self)

    def tanh(self):
        return _nnf().tanh(self)

    def relu(self):
        return _nnf().relu(self)

    def softmax(self, dim, dtype=None):
        return _nnf().softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim, dtype=None):
        return _nnf().log_softmax(self, dim, dtype=dtype)

    def clamp(self, min=None, max=None):  # noqa: A002
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        for name, bound in (("min", min), ("max", max)):
            if bound is not None and not isinstance(bound, (Tensor, _int, _float, np.number)):
                raise TypeError(f"clamp(): argument '{name}' must be a Number or Tensor, "
                                f"not {type(bound).__name__}")
        return _fn("pointwise").Clamp.apply(self, min, max)

    clip = clamp

    def maximum(self, other):
        return _fn("pointwise").Maximum.apply(self, _tensor_arg(other, "other"))

    def minimum(self, other):
        return _fn("pointwise").Minimum.apply(self, _tensor_arg(other, "other"))

    def where(self, condition, other):
        return where(condition, self, other)

    def _inplace(self, op):
        """Store ``op(self)`` (an out-of-place op) into self; see the module doc.

        Inside a graph the op runs on an alias of self's current value, so that what its Function
        saves for backward is never the tensor this call then rewrites."""
        grad_mode = autograd.is_grad_enabled()
        if self.requires_grad and self.grad_fn is None and grad_mode:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        source = self
        if self.grad_fn is not None and grad_mode:
            source = Tensor(self.data, requires_grad=True)
            source.grad_fn, source._output_nr = self.grad_fn, self._output_nr
        result = op(source)
        data = result.data
        if data.dtype != self.data.dtype:
            if not np.can_cast(data.dtype, self.data.dtype, "same_kind"):
                raise RuntimeError(f"result type {_type_name(data.dtype)} can't be cast to the desired "
                                   f"output type {_type_name(self.data.dtype)}")
            data = data.astype(self.data.dtype)
        if data.shape != self.data.shape:
            raise RuntimeError(f"output with shape {list(self.data.shape)} doesn't match the broadcast "
                               f"shape {list(data.shape)}")
        if result.grad_fn is not None:
            self.data = data if data is not source.data else data.copy()
            self.grad_fn, self._output_nr, self.requires_grad = result.grad_fn, result._output_nr, True
        else:
            self.data[...] = data
        self._version += 1
        return self

    # ---- comparisons (bool tensors, no gradient) -------------------------
    def _compare(self, other, op):
        with np.errstate(invalid="ignore"):
            return Tensor(np.asarray(op(self.data, _data_of(other))))

    def __eq__(self, other):
        return self._compare(other, operator.eq)

    def __ne__(self, other):
        return self._compare(other, operator.ne)

    def __lt__(self, other):
        return self._compare(other, operator.lt)

    def __le__(self, other):
        return self._compare(other, operator.le)

    def __gt__(self, other):
        return self._compare(other, operator.gt)

    def __ge__(self, other):
        return self._compare(other, operator.ge)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__
    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    def equal(self, other):
        return self.shape == other.shape and _bool(np.array_equal(self.data, other.data))

    def isnan(self):
        return Tensor(np.isnan(self.data))

    def isinf(self):
        return Tensor(np.isinf(self.data))

    def isfinite(self):
        return Tensor(np.isfinite(self.data))

    def logical_not(self):
        return Tensor(np.logical_not(self.data))

    def __invert__(self):
        if self.data.dtype.kind not in "biu":
            raise TypeError("~ (bitwise_not) is only supported for integer and bool tensors")
        return Tensor(np.invert(self.data))

    def __and__(self, other):
        return Tensor(np.asarray(self.data & _data_of(other)))

    def __or__(self, other):
        return Tensor(np.asarray(self.data | _data_of(other)))

    def __xor__(self, other):
        return Tensor(np.asarray(self.data ^ _data_of(other)))

    __hash__ = object.__hash__

    # ---- reductions ----------------------------------------------------
    def sum(self, dim=None, keepdim=False, *, dtype=None):
        x = self if dtype is None else self.to(dtype)
        red = _fn("reduction")
        if dim is None:
            return red.SumAll.apply(x, tuple(range(x.data.ndim)), False)
        return red.Sum.apply(x, _reduction_dims(dim, x.data.ndim), _bool(keepdim))

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        x = self if dtype is None else self.to(dtype)
        if x.data.dtype.kind not in "fc":
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating "
                               f"point or complex dtype. Got: {_type_name(x.data.dtype)}")
        red = _fn("reduction")
        if dim is None:
            return red.MeanAll.apply(x, tuple(range(x.data.ndim)), False)
        return red.Mean.apply(x, _reduction_dims(dim, x.data.ndim), _bool(keepdim))

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        x = self if dtype is None else self.to(dtype)
        red = _fn("reduction")
        if dim is None:
            return red.ProdAll.apply(x, tuple(range(x.data.ndim)), False)
        if isinstance(dim, (tuple, list)):
            raise TypeError("prod(): argument 'dim' must be int, not " + type(dim).__name__)
        return red.Prod.apply(x, (_wrap(dim, x.data.ndim),) if x.data.ndim else (), _bool(keepdim))

    def _var(self, dim, unbiased, keepdim, correction, take_sqrt):
        if isinstance(dim, _bool):            # x.var(False): the legacy unbiased flag
            dim, unbiased = None, dim
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        elif unbiased is not None:
            raise RuntimeError("var: cannot specify both unbiased and correction")
        if self.data.dtype.kind != "f":
            raise RuntimeError(f"std and var only support floating point and complex dtypes, got "
                               f"{_type_name(self.data.dtype)}")
        dims = _reduction_dims(dim, self.data.ndim)
        red = _fn("reduction")
        return (red.Std if take_sqrt else red.Var).apply(self, dims, _float(correction), _bool(keepdim),
                                                         take_sqrt)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return self._var(dim, unbiased, keepdim, correction, False)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return self._var(dim, unbiased, keepdim, correction, True)

    def _max_min(self, dim, keepdim, largest):
        name = "max" if largest else "min"
        red = _fn("reduction")
        if isinstance(dim, Tensor):            # x.max(other): the elementwise form
            return self.maximum(dim) if largest else self.minimum(dim)
        if dim is None:
            if self.data.size == 0:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                                   "Specify the reduction dim with the 'dim' argument.")
            return (red.MaxAll if largest else red.MinAll).apply(self, largest)
        d = _wrap(dim, self.data.ndim)
        if self.data.ndim and self.data.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        values, indices = (red.MaxDim if largest else red.MinDim).apply(self, d, _bool(keepdim), largest)
        return values_indices[name](values, indices)

    def max(self, dim=None, keepdim=False):
        return self._max_min(dim, keepdim, True)

    def min(self, dim=None, keepdim=False):
        return self._max_min(dim, keepdim, False)

    def _arg(self, dim, keepdim, largest):
        name = "argmax" if largest else "argmin"
        if dim is None:
            if self.data.size == 0:
                raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
            flat = Tensor(self.data.reshape(-1))
            index = flat._max_min(0, False, largest).indices
            return Tensor(index.data.reshape((1,) * self.data.ndim if keepdim else ()))
        d = _wrap(dim, self.data.ndim)
        if self.data.ndim and self.data.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        return Tensor(self.detach()._max_min(d, keepdim, largest).indices.data)

    def argmax(self, dim=None, keepdim=False):
        return self._arg(dim, keepdim, True)

    def argmin(self, dim=None, keepdim=False):
        return self._arg(dim, keepdim, False)

    def _amax_amin(self, dim, keepdim, largest):
        name = "amax" if largest else "amin"
        dims = _reduction_dims(dim, self.data.ndim)
        for d in dims:
            if self.data.shape[d] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        red = _fn("reduction")
        return (red.Amax if largest else red.Amin).apply(self, dims, _bool(keepdim))

    def amax(self, dim=(), keepdim=False):
        return self._amax_amin(dim, keepdim, True)

    def amin(self, dim=(), keepdim=False):
        return self._amax_amin(dim, keepdim, False)

    def logsumexp(self, dim, keepdim=False):
        x = self if self.data.dtype.kind == "f" else self.to(float32)
        return _fn("reduction").LogSumExp.apply(x, _reduction_dims(dim, x.data.ndim), _bool(keepdim))

    def cumsum(self, dim, *, dtype=None):
        x = self if dtype is None else self.to(dtype)
        return _fn("reduction").CumSum.apply(x, _wrap(dim, x.data.ndim))

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        x = self if dtype is None else self.to(dtype)
        if x.data.dtype.kind != "f":
            raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                               f"Got {_type_name(x.data.dtype)}")
        if p == "fro" or p is None:
            p = 2
        if isinstance(p, str):
            raise RuntimeError(f"norm: p={p!r} is a matrix norm, which refnn does not implement")
        dims = _reduction_dims(dim, x.data.ndim)
        if x.data.size == 0 and p < 0:
            raise RuntimeError("linalg.vector_norm cannot compute the -inf norm on an empty tensor")
        if p == 0:   # a count: torch's result does not require grad
            with autograd.no_grad():
                return _fn("reduction").Norm.apply(x, 0.0, dims, _bool(keepdim))
        return _fn("reduction").Norm.apply(x, _float(p), dims, _bool(keepdim))

    def all(self, dim=None, keepdim=False):
        if dim is None:
            return Tensor(np.asarray(np.all(self.data)))
        return Tensor(np.all(self.data, axis=_reduction_dims(dim, self.data.ndim), keepdims=keepdim))

    def any(self, dim=None, keepdim=False):
        if dim is None:
            return Tensor(np.asarray(np.any(self.data)))
        return Tensor(np.any(self.data, axis=_reduction_dims(dim, self.data.ndim), keepdims=keepdim))

    # ---- indexing ------------------------------------------------------
    def gather(self, dim, index):
        return _fn("indexing").gather(self, dim, index)

    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        return _fn("indexing").scatter(self, dim, index, src if value is None else value, reduce)

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        return self._inplace(lambda s: s.scatter(dim, index, src, value=value, reduce=reduce))

    def index_select(self, dim, index):
        return _fn("indexing").index_select(self, dim, index)

    def masked_fill(self, mask, value):
        return _fn("indexing").masked_fill(self, mask, value)

    def masked_fill_(self, mask, value):
        return self._inplace(lambda s: s.masked_fill(mask, value))

    def __getitem__(self, key):
        key = _index_key(key)
        return _fn().Index.apply(self, key)

    def __setitem__(self, key, value):
        if self.requires_grad and self.grad_fn is None and autograd.is_grad_enabled():
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        self.data[_index_key(key)] = _data_of(value)
        self._version += 1

    # ---- shape ---------------------------------------------------------
    def view(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], (tuple, list, _int, np.integer)):
            return self.to(shape[0]) if shape[0] == self.data.dtype else _view_dtype_error(shape[0])
        if not self.data.flags.c_contiguous:
            raise RuntimeError("view size is not compatible with input tensor's size and stride "
                               "(at least one dimension spans across two contiguous subspaces). "
                               "Use .reshape(...) instead.")
        return self.reshape(*shape)

    def view_as(self, other):
        return self.view(other.shape)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = _infer_shape(shape, self.data.size)
        return _fn().Reshape.apply(self, shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        if self.data.ndim == 0:
            return self.reshape(1)
        start = _wrap(start_dim, self.data.ndim)
        end = _wrap(end_dim, self.data.ndim)
        if start > end:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        shape = self.shape[:start] + (_product(self.shape[start:end + 1]),) + self.shape[end + 1:]
        return self.reshape(shape)

    def unflatten(self, dim, sizes):
        d = _wrap(dim, self.data.ndim)
        sizes = tuple(sizes)
        if not sizes:
            raise RuntimeError("unflatten: sizes must be non-empty")
        inner = _infer_shape(sizes, self.shape[d]) if self.data.ndim else None
        if self.data.ndim == 0:
            raise RuntimeError("unflatten: input must have at least one dimension")
        return self.reshape(self.shape[:d] + inner + self.shape[d + 1:])

    def unsqueeze(self, dim):
        dim = _wrap(dim, self.data.ndim + 1)
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def squeeze(self, dim=None):
        if dim is None:
            return self.reshape(tuple(n for n in self.shape if n != 1))
        dims = _reduction_dims(dim, self.data.ndim) if isinstance(dim, (tuple, list)) else \
            (_wrap(dim, self.data.ndim),)
        if self.data.ndim == 0:
            return self.reshape(())
        shape = tuple(n for d, n in enumerate(self.shape) if not (d in dims and n == 1))
        if shape == self.shape:
            return self      # nothing to squeeze: the tensor itself (refnn.onnx exports no node for it)
        return self.reshape(shape)

    def permute(self, *dims):
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        if len(dims) != self.data.ndim:
            raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                               f"the length of the desired ordering of dimensions i.e. input.dim() = "
                               f"{self.data.ndim} is not equal to len(dims) = {len(dims)}")
        wrapped = tuple(_wrap(d, self.data.ndim) for d in dims)
        if len(set(wrapped)) != len(wrapped):
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        return _fn().Permute.apply(self, wrapped)

    def transpose(self, dim0, dim1):
        dims = list(range(self.data.ndim))
        d0, d1 = _wrap(dim0, self.data.ndim), _wrap(dim1, self.data.ndim)
        if self.data.ndim == 0:
            return self.reshape(())
        dims[d0], dims[d1] = dims[d1], dims[d0]
        return self.permute(dims)

    swapaxes = swapdims = transpose

    @property
    def T(self):
        return self.permute(tuple(reversed(range(self.data.ndim))))

    @property
    def mT(self):
        return self.transpose(-2, -1)

    def t(self):
        if self.data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.data.ndim}D")
        return self.T

    def expand(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = tuple(_int(n) for n in shape)
        lead = len(shape) - self.data.ndim
        if lead < 0:
            raise RuntimeError(f"expand: the number of sizes provided ({len(shape)}) must be greater or equal "
                               f"to the number of dimensions in the tensor ({self.data.ndim})")
        out = []
        for i, n in enumerate(shape):
            own = self.shape[i - lead] if i >= lead else None
            if n == -1:
                if own is None:
                    raise RuntimeError(f"expand: -1 is not allowed in a leading, non-existing dimension {i}")
                n = own
            elif own is not None and own != 1 and own != n:
                raise RuntimeError(f"The expanded size of the tensor ({n}) must match the existing size ({own}) "
                                   f"at non-singleton dimension {i}.  Target sizes: {list(shape)}.  "
                                   f"Tensor sizes: {list(self.shape)}")
            elif n < 0:
                raise RuntimeError(f"expand: invalid size {n} at dimension {i}")
            out.append(n)
        return _fn().Expand.apply(self, tuple(out))

    def expand_as(self, other):
        return self.expand(other.shape)

    def repeat(self, *sizes):
        return _fn("shape").repeat(self, *sizes)

    def flip(self, *dims):
        return _fn("shape").flip(self, *dims)

    def roll(self, shifts, dims=None):
        return _fn("shape").roll(self, shifts, dims)

    def split(self, split_size, dim=0):
        return _fn("shape").split(self, split_size, dim)

    def chunk(self, chunks, dim=0):
        return _fn("shape").chunk(self, chunks, dim)

    def unbind(self, dim=0):
        d = _wrap(dim, self.data.ndim)
        return tuple(self.select(d, i) for i in range(self.shape[d]))

    def select(self, dim, index):
        d = _wrap(dim, self.data.ndim)
        n = self.shape[d]
        if not -n <= index < n:
            raise IndexError(f"select(): index {index} out of range for tensor of size {list(self.shape)} "
                             f"at dimension {d}")
        return self[(slice(None),) * d + (index,)]

    def narrow(self, dim, start, length):
        d = _wrap(dim, self.data.ndim)
        start = start % self.shape[d] if start < 0 else start
        if start + length > self.shape[d] or length < 0:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({self.shape[d]}).")
        return self[(slice(None),) * d + (slice(start, start + length),)]

    # ---- dtype and device ------------------------------------------------
    def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False, memory_format=None):
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.data.dtype
            elif _is_device(a) or isinstance(a, str) and not _is_dtype_name(a):
                _check_device(a)
            else:
                dtype = a
        _check_device(device)
        target = _as_dtype(dtype) if dtype is not None else self.data.dtype
        if target == self.data.dtype:
            return self.clone() if copy else self
        return _fn().Cast.apply(self, target)

    def type(self, dtype=None):
        if dtype is None:
            return {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor", "int64": "torch.LongTensor",
                    "int32": "torch.IntTensor", "bool": "torch.BoolTensor"}.get(self.data.dtype.name,
                                                                                self.data.dtype.name)
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other.data.dtype)

    def cpu(self):
        return self

    def float(self):
        return self.to(float32)

    def double(self):
        return self.to(float64)

    def half(self):
        return self.to(float16)

    def long(self):
        return self.to(int64)

    def int(self):
        return self.to(int32)

    def bool(self):
        return self.to(bool_)

    # ---- new tensors like self -------------------------------------------
    def _new(self, fill, size, dtype, requires_grad):
        from ._creation import _size
        dt = _as_dtype(dtype) or self.data.dtype
        return Tensor(fill(_size(size), dt), requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new(np.zeros, size, dtype, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new(np.ones, size, dtype, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new(np.zeros, size, dtype, requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        return self._new(lambda s, d: np.full(s, fill_value, dtype=d), (size,), dtype, requires_grad)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        return tensor(data, dtype=dtype or self.data.dtype, requires_grad=requires_grad)

    # ---- in place ------------------------------------------------------
    def zero_(self):
        self.data[...] = 0
        self._version += 1
        return self

    def fill_(self, value):
        self.data[...] = _data_of(value)
        self._version += 1
        return self

    def copy_(self, src):
        self.data[...] = _data_of(src)
        self._version += 1
        return self

    def clamp_(self, min=None, max=None):  # noqa: A002
        return self._inplace(lambda s: s.clamp(min, max))

    clip_ = clamp_


def _make_inplace(name):
    def method(self, *args, **kwargs):
        return self._inplace(lambda s: getattr(s, name)(*args, **kwargs))
    method.__name__ = name + "_"
    method.__doc__ = f"In-place {name}: self = self.{name}(...)."
    return method


for _name in ("abs", "neg", "exp", "log", "log1p", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "relu",
              "sign", "floor", "ceil", "round", "maximum", "minimum"):
    setattr(Tensor, _name + "_", _make_inplace(_name))
del _name


class _Device:
    type = "cpu"
    index = None

    def __repr__(self):
        return "device(type='cpu')"

    def __str__(self):
        return "cpu"

    def __eq__(self, other):
        return _is_device(other) or isinstance(other, _Device)

    __hash__ = object.__hash__


_CPU = _Device()


def device(spec="cpu"):
    """The only device refnn has: ``refnn.device('cpu')``."""
    _check_device(spec)
    return _CPU


def _is_dtype_name(value):
    try:
        as_numpy_dtype(value)
    except TypeError:
        return False
    return True


def _view_dtype_error(value):
    raise RuntimeError(f"view(dtype): refnn cannot reinterpret a tensor's bytes as {value}")


def _type_name(np_dtype):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
            "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}.get(np.dtype(np_dtype).name,
                                                                                 np.dtype(np_dtype).name)


_MODULES = {}   # the modules below, once imported (an import statement per call costs microseconds)


def _fn(module="arith"):
    found = _MODULES.get(module)
    if found is None:
        import importlib
        found = _MODULES[module] = importlib.import_module("refnn._functions." + module)
    return found


def _nnf():
    found = _MODULES.get(None)
    if found is None:
        from .nn import functional
        found = _MODULES[None] = functional
    return found


def _wrap(dim, ndim):
    from ._functions._dims import wrap_dim
    return wrap_dim(dim, ndim)


def _reduction_dims(dim, ndim):
    from ._functions._dims import reduction_dims
    return reduction_dims(dim, ndim)


def _data_of(x):
    return x.data if isinstance(x, Tensor) else x


def _coerce(x):
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor(x)
    return x  # Python scalar: stays a scalar, takes the tensor's dtype


def _tensor_arg(x, name):
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"argument '{name}' must be Tensor, not {type(x).__name__}")


def _index_key(key):
    if isinstance(key, Tensor):
        return key.data
    if isinstance(key, tuple):
        return tuple(k.data if isinstance(k, Tensor) else k for k in key)
    if isinstance(key, list) and any(isinstance(k, Tensor) for k in key):
        return tuple(k.data if isinstance(k, Tensor) else k for k in key)
    return key


def _product(sizes):
    """The product of a few Python ints (math.prod without NumPy's per-call overhead)."""
    total = 1
    for n in sizes:
        total *= n
    return total


def _infer_shape(shape, size):
    shape = tuple([_int(n) for n in shape])
    if len(shape) == 1:   # the common reshapes, (n,), (-1,), (1, -1), (rows, -1): the checks below, in short
        if shape[0] == -1:
            return (size,)
        if shape[0] == size:
            return shape
    elif len(shape) == 2:
        a, b = shape
        if a > 0 and b > 0 and a * b == size:
            return shape
        if a == -1 and b > 0 and size % b == 0:
            return (size // b, b)
        if b == -1 and a > 0 and size % a == 0:
            return (a, size // a)
    if -1 in shape:
        if shape.count(-1) > 1:
            raise RuntimeError("only one dimension can be inferred")
        known = _product([n for n in shape if n != -1])
        if known == 0 or size % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
        shape = tuple([size // known if n == -1 else n for n in shape])
    if any(n < 0 for n in shape):
        raise RuntimeError(f"invalid shape dimension {min(shape)}")
    if _product(shape) != size:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
    return shape


def tensor(data, dtype=None, device=None, requires_grad=False):
    """Build a Tensor, copying ``data`` (torch.tensor's dtype rules: NumPy data keeps its dtype,
    Python floats give float32, ints int64, bools bool)."""
    _check_device(device)
    from_python = not isinstance(data, (np.ndarray, np.generic, Tensor))
    array = np.array(_data_of(data), copy=True)
    if from_python:
        inferred = _default_dtype_of(array)
        typed = _typed_elements(data)
        if typed is not None:   # NumPy scalars and tensors inside a list keep their dtype, as in torch
            inferred = typed
    else:
        inferred = array.dtype
        if inferred.kind not in "biufc":
            raise TypeError(f"tensor(): cannot build a tensor from data of dtype {array.dtype}")
    dt = _as_dtype(dtype) or inferred
    array = array.astype(dt, copy=False)
    if requires_grad and dt.kind not in "fc":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    return Tensor(array, requires_grad=requires_grad)


def _typed_elements(data, limit=100000):
    """torch's dtype for nested lists holding NumPy scalars or tensors: theirs, promoted, raised to
    float32 (int64) by a plain Python float (int) of a higher category; None when they hold none."""
    found, stack, seen, python_kinds = [], [data], 0, set()
    while stack:
        v = stack.pop()
        seen += 1
        if seen > limit:
            return None
        if isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, np.generic):
            found.append(v.dtype)
        elif isinstance(v, Tensor):
            found.append(v.data.dtype)
        else:
            python_kinds.add("b" if isinstance(v, _bool) else "i" if isinstance(v, _int) else "f")
    if not found:
        return None
    dtype = np.result_type(*set(found))
    if "f" in python_kinds and dtype.kind in "biu":
        return np.dtype(np.float32)
    if "i" in python_kinds and dtype.kind == "b":
        return np.dtype(np.int64)
    return dtype


def as_tensor(data, dtype=None, device=None):
    """A Tensor sharing memory with ``data`` where it can (a NumPy array or Tensor of that dtype)."""
    _check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or _as_dtype(dtype) == data.data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray):
        if dtype is None or _as_dtype(dtype) == data.dtype:
            return Tensor(data)
        return Tensor(data.astype(_as_dtype(dtype)))
    return tensor(data, dtype=dtype)


def from_numpy(array):
    """Share memory with a NumPy array, as torch.from_numpy does."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    return Tensor(array)


def where(condition, input=None, other=None):  # noqa: A002
    """``input`` where ``condition``, else ``other`` (either may be a Python number)."""
    if input is None and other is None:
        return tuple(Tensor(i.astype(np.int64)) for i in np.nonzero(_data_of(condition)))
    cond = _data_of(condition)
    if np.asarray(cond).dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{_type_name(np.asarray(cond).dtype)}")
    return _fn("pointwise").Where.apply(condition, _coerce(input), _coerce(other))


def cat(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    return _fn().Cat.apply(_wrap(dim, tensors[0].data.ndim), *tensors)


concat = concatenate = cat


def stack(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    return _fn().Stack.apply(_wrap(dim, tensors[0].data.ndim + 1), *tensors)


_register_tensor_class(Tensor)   # the engine makes leaves' .grad of this class

# the creation functions existing callers import from here (defined in _creation, which needs Tensor)
from ._creation import empty, full, ones, zeros  # noqa: E402,F401

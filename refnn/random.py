"""refnn's random number generators and the random creation functions.

A :class:`Generator` holds one NumPy PCG64 stream.  ``refnn.manual_seed(s)`` reseeds the default one,
which Dropout, RReLU, nn.init and ``rand``/``randn``/``randint``/``randperm``/``normal``/``bernoulli``
draw from; every creation function also takes ``generator=``.  The same seed gives the same numbers on
every run and every thread count; the streams are not torch's, so conformance tests compare
statistics and relations (output = input x mask x scale), never raw random draws.  (``randn`` and
``normal`` use NumPy's ziggurat, which needs ``exp``/``log`` only on rare slow paths: the same seed
gives the same values on a given NumPy build, within 1 ulp across CPUs.)
"""
import json
import secrets

import numpy as np

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "default_generator", "rand", "randn", "randint", "randperm", "normal", "bernoulli",
           "rand_like", "randn_like", "randint_like"]


def _check_seed(value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"manual_seed: seed must be an int, but got {type(value).__name__}")
    return int(value) & (2 ** 64 - 1)


class Generator:
    """torch.Generator's interface over a NumPy PCG64 stream.

    NumPy's drawing methods (``random``, ``uniform``, ``normal``, ``integers``, ``permutation``, ...) are
    forwarded, so a Generator can be passed wherever refnn takes a NumPy generator.
    """

    def __init__(self, device="cpu"):
        self.device = device
        self.manual_seed(67280421310721)   # torch's default initial seed

    def manual_seed(self, value):
        self._initial_seed = _check_seed(value)
        self.numpy = np.random.Generator(np.random.PCG64(self._initial_seed))
        return self

    def seed(self):
        """Reseed from the operating system's entropy; return the new seed."""
        value = secrets.randbits(63)
        self.manual_seed(value)
        return value

    def initial_seed(self):
        return self._initial_seed

    def get_state(self):
        """The stream's state as a uint8 Tensor (what ``set_state`` takes back)."""
        from .tensor import Tensor
        state = json.dumps({"seed": self._initial_seed, "pcg64": self.numpy.bit_generator.state})
        return Tensor(np.frombuffer(state.encode(), dtype=np.uint8).copy())

    def set_state(self, new_state):
        data = getattr(new_state, "data", new_state)
        if not isinstance(data, np.ndarray) or data.dtype != np.uint8:
            raise TypeError("set_state: expected a uint8 tensor from get_state()")
        try:
            state = json.loads(bytes(data).decode())
            bit_generator = np.random.PCG64()
            bit_generator.state = state["pcg64"]
        except (ValueError, KeyError, TypeError) as exc:
            raise RuntimeError(f"set_state: not a refnn generator state ({exc})") from None
        self._initial_seed = state["seed"]
        self.numpy = np.random.Generator(bit_generator)
        return self

    def __getattr__(self, name):
        if name.startswith("_") or name == "numpy":
            raise AttributeError(name)
        return getattr(self.numpy, name)


_default = Generator()


def default_generator():
    """The NumPy stream of the default generator (what Dropout, RReLU and nn.init draw from)."""
    return _default.numpy


def manual_seed(value):
    """Seed the default generator; returns it, as torch.manual_seed does."""
    return _default.manual_seed(value)


def seed():
    return _default.seed()


def initial_seed():
    return _default.initial_seed()


def get_rng_state():
    return _default.get_state()


def set_rng_state(new_state):
    _default.set_state(new_state)


def _stream(generator):
    if generator is None:
        return _default.numpy
    if isinstance(generator, Generator):
        return generator.numpy
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"generator must be a refnn.Generator, not {type(generator).__name__}")


def _float_dtype(dtype, name):
    from .tensor import _as_dtype
    dt = _as_dtype(dtype) or np.dtype(np.float32)
    if dt.kind != "f":
        raise RuntimeError(f"{name}: expected a floating point dtype, got {dt}")
    return dt


def _make(array, requires_grad):
    from ._creation import _finish
    return _finish(array, requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform on [0, 1)."""
    from ._creation import _size
    dt = _float_dtype(dtype, "rand")
    return _make(_stream(generator).random(_size(size)).astype(dt), requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal."""
    from ._creation import _size
    dt = _float_dtype(dtype, "randn")
    return _make(_stream(generator).standard_normal(_size(size)).astype(dt), requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Integers uniform on [low, high); ``randint(high, size)`` starts at 0."""
    from ._creation import _size
    from .tensor import _as_dtype
    if size is None:
        if not isinstance(high, (tuple, list)):
            raise TypeError("randint() missing the 'size' argument")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dt = _as_dtype(dtype) or np.dtype(np.int64)
    values = _stream(generator).integers(low, high, size=_size((size,) if isinstance(size, int) else (tuple(size),)))
    return _make(values.astype(dt), requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    from .tensor import _as_dtype
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dt = _as_dtype(dtype) or np.dtype(np.int64)
    return _make(_stream(generator).permutation(int(n)).astype(dt), requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, requires_grad=False):
    """Normal draws: scalar mean/std with ``size``, or tensor mean and/or std (the result takes their shape)."""
    from ._creation import _size
    from .tensor import Tensor
    m = mean.data if isinstance(mean, Tensor) else mean
    s = std.data if isinstance(std, Tensor) else std
    if np.any(np.asarray(s) < 0):
        raise RuntimeError(f"normal expects std >= 0.0, but found std {np.asarray(s).min()}")
    if size is not None:
        shape = _size((size,) if isinstance(size, int) else (tuple(size),))
    else:
        if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
            raise TypeError("normal(): give a size, or a tensor mean or std")
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    dt = np.dtype(getattr(m, "dtype", None) if isinstance(mean, Tensor) else
                  getattr(s, "dtype", None) if isinstance(std, Tensor) else (dtype and _float_dtype(dtype, "normal"))
                  or np.float32)
    draw = _stream(generator).standard_normal(shape)
    return _make((draw * np.asarray(s, np.float64) + np.asarray(m, np.float64)).astype(dt), requires_grad)


def bernoulli(input, p=None, *, generator=None):  # noqa: A002
    """1 with probability ``input`` (or ``p``) per element, else 0; the input's dtype."""
    from .tensor import Tensor
    probs = input.data if p is None else np.full(input.shape, p, dtype=np.float64)
    if np.any((probs < 0) | (probs > 1)):
        raise RuntimeError("bernoulli: all elements of the probability tensor must be in [0, 1]")
    draws = _stream(generator).random(np.shape(probs)) < probs
    return Tensor(draws.astype(input.data.dtype))


def rand_like(input, *, generator=None, dtype=None, requires_grad=False):  # noqa: A002
    return rand(input.shape, generator=generator, dtype=dtype or input.data.dtype, requires_grad=requires_grad)


def randn_like(input, *, generator=None, dtype=None, requires_grad=False):  # noqa: A002
    return randn(input.shape, generator=generator, dtype=dtype or input.data.dtype, requires_grad=requires_grad)


def randint_like(input, low, high=None, *, generator=None, dtype=None, requires_grad=False):  # noqa: A002
    return randint(low, high, input.shape, generator=generator, dtype=dtype or input.data.dtype,
                   requires_grad=requires_grad)

"""One differential check: torch and refnn on the same drawn arguments."""
import numpy as np

from tests.harness.compare import compare
from tests.harness.runner import torch_copy

# refnn computes in float32 and float64 only; inputs of these dtypes torch may accept and refnn refuses
# with an explicit dtype error (a recorded, documented divergence, not a bug).
UNSUPPORTED_DTYPES = ("float16", "bfloat16", "int64", "bool")


class Arr:
    """A drawn array argument: values, and how to hand it to each library."""

    def __init__(self, array):
        self.array = array

    def __repr__(self):
        a = self.array
        values = f", values={a.tolist()!r}" if a.size <= 16 else ""
        return f"Arr(shape={a.shape}, dtype={a.dtype}, strides={a.strides}{values})"


def to_torch(value):
    if isinstance(value, Arr):
        return torch_copy(value.array)           # the same strides as refnn's view
    if isinstance(value, (list, tuple)) and any(isinstance(v, Arr) for v in value):
        return type(value)(to_torch(v) for v in value)
    return value


def to_refnn(value):
    import refnn
    if isinstance(value, Arr):
        return refnn.Tensor(value.array)          # the view itself: negative strides included
    if isinstance(value, (list, tuple)) and any(isinstance(v, Arr) for v in value):
        return type(value)(to_refnn(v) for v in value)
    return value


def _leaves(out):
    if isinstance(out, (tuple, list)):
        return [x for o in out for x in _leaves(o)]
    return [out]


def _arrays(out):
    result = []
    for leaf in _leaves(out):
        data = getattr(leaf, "data", None)
        if hasattr(leaf, "detach"):
            result.append(leaf.detach().numpy())
        elif isinstance(data, np.ndarray):
            result.append(data)
        else:
            result.append(leaf)
    return result


class Divergence(AssertionError):
    pass


def check(torch_fn, refnn_fn, args, kwargs, tol=None):
    """Raise :class:`Divergence` unless refnn agrees with torch on this draw.  Returns the outcome."""
    try:
        expected = torch_fn(*[to_torch(a) for a in args], **{k: to_torch(v) for k, v in kwargs.items()})
        torch_exc = None
    except Exception as exc:  # noqa: BLE001
        torch_exc = exc
    try:
        actual = refnn_fn(*[to_refnn(a) for a in args], **{k: to_refnn(v) for k, v in kwargs.items()})
        refnn_exc = None
    except Exception as exc:  # noqa: BLE001
        refnn_exc = exc
    if refnn_exc is not None and _unsupported_dtype(args, kwargs, refnn_exc):
        # refnn refuses a dtype it does not implement, whatever torch does with it (torch may also raise,
        # checking another argument first): a clean refusal, recorded as its own outcome
        return "unsupported_dtype"
    if torch_exc is not None:
        if refnn_exc is None:
            raise Divergence(f"torch raised {type(torch_exc).__name__}: {torch_exc}; refnn accepted the input")
        if not isinstance(refnn_exc, type(torch_exc)) and not _same_family(torch_exc, refnn_exc):
            raise Divergence(f"torch raised {type(torch_exc).__name__}: {torch_exc}; "
                             f"refnn raised {type(refnn_exc).__name__}: {refnn_exc}")
        return "both_raise"
    if refnn_exc is not None:
        raise Divergence(f"torch succeeded; refnn raised {type(refnn_exc).__name__}: {refnn_exc}")
    exp, act = _arrays(expected), _arrays(actual)
    if len(exp) != len(act):
        raise Divergence(f"torch returned {len(exp)} outputs, refnn {len(act)}")
    for e, a in zip(exp, act):
        if isinstance(e, np.ndarray) and e.dtype not in (np.float32, np.float64):
            # integer/bool/float16 results (indices, identity in eval mode): exactly equal, same dtype
            a = np.asarray(a)
            if a.dtype != e.dtype or a.shape != e.shape or not np.array_equal(
                    a, e, equal_nan=e.dtype.kind == "f"):
                raise Divergence(f"output {a!r} != torch's {e!r}")
        elif isinstance(e, np.ndarray):
            dtype = "float64" if e.dtype == np.float64 else "float32"
            ok, message, _ = compare("output", a, e, dtype, tol)
            if not ok:
                raise Divergence(message)
        elif e != a:
            raise Divergence(f"output {a!r} != torch's {e!r}")
    return "both_succeed"


def _unsupported_dtype(args, kwargs, refnn_exc):
    dtypes = {str(a.array.dtype) for a in list(args) + list(kwargs.values()) if isinstance(a, Arr)}
    return bool(dtypes & set(UNSUPPORTED_DTYPES)) and "float32 or float64" in str(refnn_exc)


def _same_family(torch_exc, refnn_exc):
    """torch's IndexError/ValueError subclasses of RuntimeError-like errors: exact class parity is required,
    except torch's internal NotImplementedError for dtypes, which refnn reports as RuntimeError/TypeError."""
    if isinstance(torch_exc, NotImplementedError) and isinstance(refnn_exc, (RuntimeError, TypeError)):
        return True
    # torch.nn.functional's Python wrappers call a Tensor method on whatever they are given, so a Python
    # scalar or list as the input fails there with AttributeError ("'float' object has no attribute 'dim'");
    # refnn checks the argument's type and raises TypeError naming it.  Only that pair is accepted.
    return (isinstance(torch_exc, AttributeError) and "object has no attribute" in str(torch_exc)
            and isinstance(refnn_exc, TypeError))

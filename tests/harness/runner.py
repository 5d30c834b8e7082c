"""Run one case against torch and refnn and record the outcome."""
import zlib
from dataclasses import dataclass, field

import numpy as np

from .case import ErrorCase, ModuleCase, OpCase, T
from . import pointwise
from .compare import compare


@dataclass
class Result:
    case_id: str
    op: str
    family: str
    dtype: str
    status: str                  # passed | disagrees | failed | xfail | xpass | skipped
    message: str = ""
    reason: str = ""             # xfail / skip / tolerance-override reason
    kind: str = "op"             # op | module | error
    metrics: dict = field(default_factory=lambda: {"max_abs": 0.0, "max_rel": 0.0, "max_ulp": 0.0})
    features: tuple = ()
    tolerance: str = ""
    disagreements: list = field(default_factory=list)   # torch in place vs torch alone (status 'disagrees')


def case_id(case, dtype=None):
    kind = {OpCase: "F", ModuleCase: "nn", ErrorCase: "err"}[type(case)]
    base = f"{kind}.{case.op}-{case.desc}"
    return f"{base}-{dtype}" if dtype else base


def case_seed(case, dtype):
    return zlib.crc32(case_id(case, dtype).encode())


# ---------------------------------------------------------------- inputs
def _make_array(spec, dtype, rng):
    dt = np.dtype(spec.dtype or dtype)
    shape = tuple(spec.shape)
    base_shape = shape
    if spec.layout == "transposed" and len(shape) >= 2:
        base_shape = shape[:-2] + (shape[-1], shape[-2])
    elif spec.layout == "strided" and len(shape) >= 1:
        base_shape = shape[:-1] + (2 * shape[-1],)
    if spec.gen is not None:
        base = np.asarray(spec.gen(rng, base_shape, dt))
        base = base.astype(dt, copy=False)
    elif dt.kind == "f":
        base = rng.uniform(spec.low, spec.high, size=base_shape).astype(dt)
    elif dt.kind == "b":
        base = rng.random(size=base_shape) < 0.5
    else:
        base = rng.integers(int(spec.low), int(spec.high), size=base_shape).astype(dt)
    if spec.layout == "transposed" and len(shape) >= 2:
        return np.swapaxes(base, -1, -2)
    if spec.layout == "strided" and len(shape) >= 1:
        return base[..., ::2]
    if spec.layout == "negative" and len(shape) >= 1:
        return base[..., ::-1]
    return base


def _materialise(value, dtype, rng, arrays):
    if isinstance(value, T):
        arr = _make_array(value, dtype, rng)
        arrays.append((arr, value))
        return ("__T__", len(arrays) - 1)
    if isinstance(value, (list, tuple)) and any(isinstance(v, T) for v in value):
        return type(value)(_materialise(v, dtype, rng, arrays) for v in value)
    return value


def make_inputs(args, kwargs, dtype, seed):
    """Arrays for every T in args/kwargs, and placeholders marking where they go."""
    rng = np.random.default_rng(seed)
    arrays = []
    args_p = tuple(_materialise(a, dtype, rng, arrays) for a in args)
    kwargs_p = {k: _materialise(v, dtype, rng, arrays) for k, v in kwargs.items()}
    return arrays, args_p, kwargs_p


def _substitute(value, tensors):
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__T__":
        return tensors[value[1]]
    if isinstance(value, dict):
        return {k: _substitute(v, tensors) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_substitute(v, tensors) for v in value)
    return value


def _wants_grad(arr, spec, grad):
    return grad and spec.requires_grad and arr.dtype.kind == "f"


def torch_copy(arr):
    """A torch tensor over a private copy of ``arr`` with the same strides, so that torch sees the layout
    refnn sees (some torch ops pick their kernel by stride).  torch has no negative strides: a negatively
    strided view becomes the C-contiguous copy torch's ``flip`` would return."""
    import torch
    if arr.size == 0 or any(st < 0 or st % arr.itemsize for st in arr.strides):
        return torch.from_numpy(arr.copy())
    span = sum((n - 1) * st for n, st in zip(arr.shape, arr.strides)) // arr.itemsize + 1
    view = np.lib.stride_tricks.as_strided(np.zeros(span, dtype=arr.dtype), arr.shape, arr.strides)
    view[...] = arr
    return torch.from_numpy(view)


def torch_tensors(arrays, grad):
    """torch tensors over private copies with the NumPy arrays' strides (see :func:`torch_copy`)."""
    out = []
    for arr, spec in arrays:
        t = torch_copy(arr)
        if _wants_grad(arr, spec, grad):
            t.requires_grad_(True)
        out.append(t)
    return out


def refnn_tensors(arrays, grad):
    import refnn
    out = []
    for arr, spec in arrays:
        view = arr.copy() if spec.layout == "contiguous" else arr
        out.append(refnn.Tensor(view, requires_grad=_wants_grad(arr, spec, grad)))
    return out


# ---------------------------------------------------------------- outputs
def _leaves(out):
    if isinstance(out, (tuple, list)):
        leaves = []
        for o in out:
            leaves.extend(_leaves(o))
        return leaves
    return [out]


def _np(x):
    import torch
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    if hasattr(x, "data") and isinstance(getattr(x, "data"), np.ndarray):
        return x.data
    return x


def _compare_outputs(prefix, outs_t, outs_r, dtype, tol, acc):
    import torch
    lt, lr = _leaves(outs_t), _leaves(outs_r)
    if len(lt) != len(lr):
        acc.fail(f"{prefix}: refnn returned {len(lr)} outputs, torch {len(lt)}")
        return
    for i, (a, b) in enumerate(zip(lr, lt)):
        name = f"{prefix}[{i}]" if len(lt) > 1 else prefix
        if b is None or isinstance(b, (bool, int, float, str)):
            if a != b:
                acc.fail(f"{name}: {a!r} != torch's {b!r}")
            continue
        if isinstance(b, torch.Tensor) and bool(getattr(a, "requires_grad", False)) != b.requires_grad:
            acc.fail(f"{name}: requires_grad {bool(getattr(a, 'requires_grad', False))} != torch's {b.requires_grad}")
        acc.check(name, _np(a), _np(b), dtype, tol)


class _Acc:
    def __init__(self):
        self.messages = []
        self.disagreements = []
        self.metrics = {"max_abs": 0.0, "max_rel": 0.0, "max_ulp": 0.0}

    def fail(self, message):
        self.messages.append(message)

    def check(self, name, actual, expected, dtype, tol):
        ok, message, metrics = compare(name, actual, expected, dtype, tol)
        for k, v in metrics.items():
            self.metrics[k] = max(self.metrics[k], v)
        if not ok:
            self.messages.append(message)


def _float_outputs(outs):
    import torch
    return [o for o in _leaves(outs) if isinstance(o, torch.Tensor) and o.requires_grad]


def _backward_both(outs_t, outs_r, rng):
    """Backpropagate the same random upstream gradient through both libraries."""
    import torch

    import refnn
    pairs = [(t, r) for t, r in zip(_leaves(outs_t), _leaves(outs_r))
             if isinstance(t, torch.Tensor) and t.requires_grad]
    if not pairs:
        return False
    grads = [rng.standard_normal(t.shape).astype(t.detach().numpy().dtype) for t, _ in pairs]
    torch.autograd.backward([t for t, _ in pairs], [torch.from_numpy(g.copy()) for g in grads])
    roots = [(r, g) for (t, r), g in zip(pairs, grads) if getattr(r, "requires_grad", False)]
    if len(roots) != len(pairs):
        raise AssertionError("refnn output does not require grad where torch's does")
    refnn.autograd.backward([r for r, _ in roots], [g for _, g in roots])
    return grads


# ---------------------------------------------------------------- runners
def _resolve_op(lib_f, case):
    if case.call is not None:
        return lambda *a, **k: case.call(lib_f, *a, **k)
    return getattr(lib_f, case.op)


def _run_op(case, dtype, acc):
    import torch
    import torch.nn.functional as TF

    import refnn
    import refnn.nn.functional as RF
    seed = case_seed(case, dtype)
    arrays, args_p, kwargs_p = make_inputs(case.args, case.kwargs, dtype, seed)
    tt = torch_tensors(arrays, case.grad)
    rt = refnn_tensors(arrays, case.grad)
    torch.manual_seed(seed)
    outs_t = _resolve_op(TF, case)(*_substitute(args_p, tt), **_substitute(kwargs_p, tt))
    refnn.manual_seed(seed)             # random ops: the same draws whichever cases ran before (reproducible)
    outs_r = _resolve_op(RF, case)(*_substitute(args_p, rt), **_substitute(kwargs_p, rt))
    if case.check is not None:
        case.check(outs_t, outs_r, [a for a, _ in arrays])
        return
    if case.pointwise:
        _run_pointwise(case, dtype, arrays, args_p, kwargs_p, tt, rt, outs_t, outs_r, acc)
        return
    _compare_outputs("output", outs_t, outs_r, dtype, case.tol, acc)
    if case.grad and not acc.messages and _backward_both(outs_t, outs_r, np.random.default_rng(seed + 1)):
        for i, ((arr, spec), t, r) in enumerate(zip(arrays, tt, rt)):
            if t.requires_grad:
                if (t.grad is None) != (r.grad is None):
                    acc.fail(f"grad of input {i}: torch {'has none' if t.grad is None else 'has one'}, "
                             f"refnn {'has none' if r.grad is None else 'has one'}")
                elif t.grad is not None:
                    acc.check(f"grad of input {i}", r.grad.data, t.grad.numpy(), dtype, case.tol)


def _run_pointwise(case, dtype, arrays, args_p, kwargs_p, tt, rt, outs_t, outs_r, acc):
    """Hold a pointwise op to torch's answer for each element alone (see :mod:`.pointwise`)."""
    import torch
    import torch.nn.functional as TF
    x = arrays[0][0]
    if len(_leaves(outs_t)) != 1 or len(_leaves(outs_r)) != 1:
        raise AssertionError("a pointwise case returns one tensor")
    if x.size > pointwise.MAX_ELEMENTS:
        raise AssertionError(f"a pointwise case has at most {pointwise.MAX_ELEMENTS} elements")
    seed = case_seed(case, dtype)
    grads = case.grad and _backward_both(outs_t, outs_r, np.random.default_rng(seed + 1))
    upstream = grads[0] if grads else None
    wants_grad = upstream is not None

    def run_one(x1, g1):
        t1 = torch.from_numpy(x1)
        if wants_grad:
            t1.requires_grad_(True)
        others = torch_tensors(arrays[1:], case.grad)
        torch.manual_seed(seed)
        out = _resolve_op(TF, case)(*_substitute(args_p, [t1] + others), **_substitute(kwargs_p, [t1] + others))
        if wants_grad:
            torch.autograd.backward([out], [torch.from_numpy(g1)])
            return out.detach().numpy(), t1.grad.numpy()
        return out.detach().numpy(), None

    out_alone, grad_alone = pointwise.alone(run_one, x, upstream, dtype)
    (out_t,), (out_r,) = _leaves(outs_t), _leaves(outs_r)
    if _np(out_r).shape != _np(out_t).shape or _np(out_r).dtype != _np(out_t).dtype:
        acc.check("output", _np(out_r), _np(out_t), dtype, case.tol)   # says what differs
        return
    pointwise.check("output", x, _np(out_t), out_alone, _np(out_r), dtype, case.tol, acc, acc.disagreements)
    if wants_grad:
        t, r = tt[0], rt[0]
        if r.grad is None:
            acc.fail("grad of input 0: refnn has none")
            return
        if r.grad.data.shape != tuple(t.grad.shape):
            acc.fail(f"grad of input 0: shape {r.grad.data.shape} != torch's {tuple(t.grad.shape)}")
            return
        pointwise.check("grad of input 0", x, t.grad.numpy(), grad_alone, r.grad.data, dtype, case.tol, acc,
                        acc.disagreements)


def build_modules(case, dtype):
    """torch's and refnn's module for a ModuleCase, refnn's loaded with torch's initial state."""
    import torch
    import torch.nn as tnn
    import torch.nn.functional as TF

    import refnn.nn as rnn
    import refnn.nn.functional as RF
    torch.manual_seed(case_seed(case, dtype))
    if isinstance(case.module, str):
        tm = getattr(tnn, case.module)(*case.ctor_args, **case.ctor_kwargs)
        rm = getattr(rnn, case.module)(*case.ctor_args, **case.ctor_kwargs)
    else:
        tm = case.module(tnn, TF)
        rm = case.module(rnn, RF)
    tm = tm.to(getattr(torch, dtype))
    rm = rm.to(dtype)
    rm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    if not case.train:
        tm.eval()
        rm.eval()
    return tm, rm


def _run_module(case, dtype, acc):
    import torch
    tm, rm = build_modules(case, dtype)
    if repr(rm) != repr(tm):
        acc.fail(f"repr differs:\nrefnn: {repr(rm)}\ntorch: {repr(tm)}")
    keys_t, keys_r = list(tm.state_dict().keys()), list(rm.state_dict().keys())
    if keys_t != keys_r:
        acc.fail(f"state_dict keys differ: refnn {keys_r} vs torch {keys_t}")
    for kind in ("named_parameters", "named_buffers"):
        names_t = [n for n, _ in getattr(tm, kind)()]
        names_r = [n for n, _ in getattr(rm, kind)()]
        if names_t != names_r:
            acc.fail(f"{kind} differ: refnn {names_r} vs torch {names_t}")
    seed = case_seed(case, dtype)
    for step in range(case.steps):
        arrays, args_p, kwargs_p = make_inputs(case.inputs, case.forward_kwargs, dtype, seed + 7 * step)
        tt = torch_tensors(arrays, case.grad)
        rt = refnn_tensors(arrays, case.grad)
        torch.manual_seed(seed)
        outs_t = tm(*_substitute(args_p, tt), **_substitute(kwargs_p, tt))
        outs_r = rm(*_substitute(args_p, rt), **_substitute(kwargs_p, rt))
        _compare_outputs(f"output (step {step})", outs_t, outs_r, dtype, case.tol, acc)
        if acc.messages:
            return
        if case.grad and _backward_both(outs_t, outs_r, np.random.default_rng(seed + 1 + step)):
            for i, (t, r) in enumerate(zip(tt, rt)):
                if t.requires_grad and t.grad is not None:
                    if r.grad is None:
                        acc.fail(f"grad of input {i}: refnn has none")
                    else:
                        acc.check(f"grad of input {i}", r.grad.data, t.grad.numpy(), dtype, case.tol)
                elif r.grad is not None:
                    acc.fail(f"grad of input {i}: refnn has one, torch has none")
            params_r = dict(rm.named_parameters())
            for name, p in tm.named_parameters():
                pr = params_r.get(name)
                if p.grad is None:
                    if pr is not None and pr.grad is not None:
                        acc.fail(f"grad of {name}: refnn has one, torch has none")
                    continue
                if pr is None or pr.grad is None:
                    acc.fail(f"grad of {name}: refnn has none")
                else:
                    acc.check(f"grad of {name}", pr.grad.data, p.grad.numpy(), dtype, case.tol)
        buffers_r = dict(rm.named_buffers())
        for name, b in tm.named_buffers():
            if name in buffers_r:
                acc.check(f"buffer {name} (step {step})", buffers_r[name].data, b.detach().numpy(),
                          dtype, case.tol)


class _Lib:
    def __init__(self, torch_side):
        if torch_side:
            import torch
            import torch.nn as nn
            import torch.nn.functional as F
            self.tensor, self.nn, self.F = torch.tensor, nn, F
        else:
            import refnn
            import refnn.nn as nn
            import refnn.nn.functional as F
            self.tensor, self.nn, self.F = refnn.tensor, nn, F


def _attempt(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the class is what is compared
        return exc
    return None


def _run_error(case, dtype, acc):
    arrays, args_p, kwargs_p = make_inputs(case.args, case.kwargs, dtype, case_seed(case, dtype))
    results = []
    for torch_side in (True, False):
        lib = _Lib(torch_side)
        tensors = torch_tensors(arrays, False) if torch_side else refnn_tensors(arrays, False)
        args = _substitute(args_p, tensors)
        kwargs = _substitute(kwargs_p, tensors)
        if case.call is not None:
            results.append(_attempt(lambda: case.call(lib, *args, **kwargs)))
        elif case.module:
            def go():
                m = getattr(lib.nn, case.op)(*args, **kwargs)
                if case.call_inputs:
                    ins, _, _ = make_inputs(case.call_inputs, {}, dtype, 1)
                    ts = torch_tensors(ins, False) if torch_side else refnn_tensors(ins, False)
                    m(*ts)
            results.append(_attempt(go))
        else:
            results.append(_attempt(lambda: getattr(lib.F, case.op)(*args, **kwargs)))
    exc_t, exc_r = results
    if exc_t is None and exc_r is None:
        acc.fail("neither torch nor refnn raised: the case does not exercise an error")
    elif exc_t is None:
        acc.fail(f"refnn raised {type(exc_r).__name__}({exc_r}) where torch succeeds")
    elif exc_r is None:
        acc.fail(f"torch raises {type(exc_t).__name__}({exc_t}) but refnn accepted the input")
    elif not isinstance(exc_r, type(exc_t)):
        acc.fail(f"refnn raised {type(exc_r).__name__}({exc_r}); torch raises {type(exc_t).__name__}({exc_t})")
    elif not str(exc_r).strip():
        acc.fail(f"refnn raised {type(exc_r).__name__} with an empty message")


def run_case(case, dtype):
    """Run ``case`` at ``dtype`` against torch; return a :class:`Result` (never raises)."""
    kind = {OpCase: "op", ModuleCase: "module", ErrorCase: "error"}[type(case)]
    result = Result(case_id(case, dtype), case.op, case.family, dtype, "passed", kind=kind,
                    features=tuple(case.features), tolerance=_tolerance_text(case, dtype))
    if case.skip:
        result.status, result.reason = "skipped", case.skip
        return result
    acc = _Acc()
    try:
        {"op": _run_op, "module": _run_module, "error": _run_error}[kind](case, dtype, acc)
    except Exception as exc:  # noqa: BLE001 - recorded, not fatal
        import traceback
        acc.fail(f"raised {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-3)}")
    result.metrics = acc.metrics
    failed = bool(acc.messages)
    result.message = "\n".join(acc.messages)
    result.disagreements = acc.disagreements
    if case.xfail:
        result.status = "xfail" if failed else "xpass"
        result.reason = case.xfail
    else:
        result.status = "failed" if failed else "disagrees" if acc.disagreements else "passed"
        result.reason = case.tol_reason or ""
    return result


def _tolerance_text(case, dtype):
    from .compare import TOLERANCES
    if isinstance(case, ErrorCase):
        return "same exception class"
    rtol, atol = (case.tol or {}).get(dtype, TOLERANCES[dtype])
    return f"rtol={rtol:g}, atol={atol:g}" + (" (override)" if case.tol and dtype in case.tol else "")


def run_refnn_only(case, dtype):
    """refnn's outputs and gradients as (dtype, raw bytes) pairs, for the determinism checks."""
    import refnn
    import refnn.nn.functional as RF
    seed = case_seed(case, dtype)
    if isinstance(case, ModuleCase):
        import refnn.nn as rnn
        refnn.manual_seed(seed)
        module = getattr(rnn, case.module)(*case.ctor_args, **case.ctor_kwargs) \
            if isinstance(case.module, str) else case.module(rnn, RF)
        module = module.to(dtype)
        if not case.train:
            module.eval()
        arrays, args_p, kwargs_p = make_inputs(case.inputs, case.forward_kwargs, dtype, seed)
        rt = refnn_tensors(arrays, case.grad)
        refnn.manual_seed(seed)
        outs = module(*_substitute(args_p, rt), **_substitute(kwargs_p, rt))
        extra = [p for p in module.parameters()]
    else:
        arrays, args_p, kwargs_p = make_inputs(case.args, case.kwargs, dtype, seed)
        rt = refnn_tensors(arrays, case.grad)
        refnn.manual_seed(seed)
        outs = _resolve_op(RF, case)(*_substitute(args_p, rt), **_substitute(kwargs_p, rt))
        extra = []
    leaves = [o for o in _leaves(outs) if isinstance(o, refnn.Tensor)]
    blobs = [_raw(o.data) for o in leaves]
    roots = [o for o in leaves if o.requires_grad]
    if case.grad and roots:
        rng = np.random.default_rng(seed + 1)
        refnn.autograd.backward(roots, [rng.standard_normal(o.shape).astype(o.dtype) for o in roots])
        blobs += [_raw(t.grad.data) for t in rt + extra if t.grad is not None]
    return blobs


def _raw(array):
    """(dtype, raw bytes) of an array: what the determinism checks and the golden digests compare."""
    return np.dtype(array.dtype).str, np.ascontiguousarray(array).tobytes()


def determinism_runs(case, dtype):
    """refnn's output and gradient bytes twice at 1 thread and once at 2 threads (restoring the count).

    The 2-thread run also lifts the small-work cutoff, so that even the registry's small cases
    really run their kernels on two threads.  NaNs come back as the one quiet NaN of their type
    (``golden.canonical``): IEEE 754 leaves a NaN's sign and payload to the operand order of the
    instruction, which a loop's 1-thread and OpenMP compilations may choose apart; every other bit
    counts."""
    from .golden import canonical
    import refnn
    from refnn._functions import _util
    saved, saved_min_work = refnn.get_num_threads(), _util.PARALLEL_MIN_WORK
    try:
        refnn.set_num_threads(1)
        first = run_refnn_only(case, dtype)
        again = run_refnn_only(case, dtype)
        refnn.set_num_threads(2)
        _util.PARALLEL_MIN_WORK = 0
        two = run_refnn_only(case, dtype)
    finally:
        refnn.set_num_threads(saved)
        _util.PARALLEL_MIN_WORK = saved_min_work
    return tuple([(d, canonical(d, raw)) for d, raw in run] for run in (first, again, two))

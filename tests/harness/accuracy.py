"""Accuracy against a float64 reference, for the compliance report's audit.

A case's float32 inputs run three ways: torch float32, refnn float32, and torch
float64 on the same values upcast (modules: torch's float32 parameters upcast).
The same upstream gradient (float32 values, upcast for the reference) is
backpropagated through all three.  :func:`float64_audit` returns the error of
refnn and of torch against the float64 result, so the report can show which
library is closer to the exact value.  Nothing here changes what the
conformance tests check.
"""
import copy

import numpy as np

from .compare import TOLERANCES

from .case import ErrorCase, ModuleCase, OpCase
from .runner import (_leaves, _np, _resolve_op, _substitute, build_modules, case_seed, make_inputs,
                     refnn_tensors, torch_tensors)


def error_against(actual, reference):
    """Errors of ``actual`` (float32) against ``reference`` (float64).

    max_abs: largest |actual - reference| over elements finite in both;
    rel: max_abs / max |reference| (normwise relative error; 0 when both are 0);
    max_ulp: largest |actual - reference| in units of the float32 spacing at |reference|, over elements
             with |reference| above float32's absolute tolerance (1e-5): near zero a spacing is a
             denormal-sized number and the count says nothing (compare.py measures the same way);
    nonfinite_mismatch: elements where NaN/inf of one side is not matched by the other.
    """
    actual = np.asarray(actual, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    out = {"max_abs": 0.0, "rel": 0.0, "max_ulp": 0.0, "nonfinite_mismatch": 0}
    if actual.shape != reference.shape or actual.size == 0:
        return out
    finite = np.isfinite(actual) & np.isfinite(reference)
    same_nonfinite = (np.isnan(actual) & np.isnan(reference)) | (
        np.isinf(actual) & np.isinf(reference) & (np.sign(actual) == np.sign(reference)))
    out["nonfinite_mismatch"] = int((~finite & ~same_nonfinite).sum())
    if finite.any():
        diff = np.abs(actual[finite] - reference[finite])
        scale = np.abs(reference[finite])
        out["max_abs"] = float(diff.max())
        top = float(scale.max())
        out["rel"] = float(diff.max() / top) if top > 0 else (0.0 if diff.max() == 0 else float("inf"))
        counted = scale > TOLERANCES["float32"][1]
        if counted.any():
            spacing = np.spacing(scale[counted].astype(np.float32)).astype(np.float64)
            out["max_ulp"] = float((diff[counted] / spacing).max())
    return out


def _merge(errors):
    merged = {"max_abs": 0.0, "rel": 0.0, "max_ulp": 0.0, "nonfinite_mismatch": 0}
    for e in errors:
        for key in ("max_abs", "rel", "max_ulp"):
            merged[key] = max(merged[key], e[key])
        merged["nonfinite_mismatch"] += e["nonfinite_mismatch"]
    return merged


def _float_leaves(outs):
    import torch
    return [o for o in _leaves(outs) if isinstance(o, torch.Tensor) and o.dtype.is_floating_point]


def _backward(outs_t32, outs_r32, outs_t64, seed):
    """Same upstream gradient (float32 values) through the three runs; True when any ran."""
    import torch

    import refnn
    triples = [(t, r, d) for t, r, d in zip(_leaves(outs_t32), _leaves(outs_r32), _leaves(outs_t64))
               if isinstance(t, torch.Tensor) and t.requires_grad]
    if not triples:
        return False
    rng = np.random.default_rng(seed + 1)
    grads = [rng.standard_normal(t.shape).astype(np.float32) for t, _, _ in triples]
    torch.autograd.backward([t for t, _, _ in triples], [torch.from_numpy(g.copy()) for g in grads])
    torch.autograd.backward([d for _, _, d in triples], [torch.from_numpy(g.astype(np.float64)) for g in grads])
    refnn.autograd.backward([r for _, r, _ in triples], [g for g in grads])
    return True


def _upcast(arrays, dtype):
    return [(arr.astype(np.float64) if arr.dtype == np.dtype(dtype) else arr.copy(), spec) for arr, spec in arrays]


def eligible(case, dtype="float32"):
    """Whether the audit applies: a float32 value case without a custom (random) check."""
    return (dtype == "float32" and dtype in case.dtypes and not isinstance(case, ErrorCase)
            and not case.skip and getattr(case, "check", None) is None)


def float64_audit(case, dtype="float32"):
    """{'output': {'refnn': err, 'torch': err}, 'grad': {...} or None} against torch float64."""
    import torch
    import torch.nn.functional as TF

    import refnn.nn.functional as RF
    seed = case_seed(case, dtype)
    grads = {"refnn": [], "torch": []}
    if isinstance(case, OpCase):
        arrays, args_p, kwargs_p = make_inputs(case.args, case.kwargs, dtype, seed)
        arrays64 = _upcast(arrays, dtype)
        t32, r32, t64 = (torch_tensors(arrays, case.grad), refnn_tensors(arrays, case.grad),
                         torch_tensors(arrays64, case.grad))
        torch.manual_seed(seed)
        outs_t = _resolve_op(TF, case)(*_substitute(args_p, t32), **_substitute(kwargs_p, t32))
        outs_r = _resolve_op(RF, case)(*_substitute(args_p, r32), **_substitute(kwargs_p, r32))
        torch.manual_seed(seed)
        outs_d = _resolve_op(TF, case)(*_substitute(args_p, t64), **_substitute(kwargs_p, t64))
        params = None
    elif isinstance(case, ModuleCase):
        tm, rm = build_modules(case, dtype)
        dm = copy.deepcopy(tm).double()
        arrays, args_p, kwargs_p = make_inputs(case.inputs, case.forward_kwargs, dtype, seed)
        arrays64 = _upcast(arrays, dtype)
        t32, r32, t64 = (torch_tensors(arrays, case.grad), refnn_tensors(arrays, case.grad),
                         torch_tensors(arrays64, case.grad))
        torch.manual_seed(seed)
        outs_t = tm(*_substitute(args_p, t32), **_substitute(kwargs_p, t32))
        outs_r = rm(*_substitute(args_p, r32), **_substitute(kwargs_p, r32))
        torch.manual_seed(seed)
        outs_d = dm(*_substitute(args_p, t64), **_substitute(kwargs_p, t64))
        params = (tm, rm, dm)
    else:
        raise TypeError("error cases have no values to audit")
    leaves_t, leaves_r, leaves_d = _leaves(outs_t), _leaves(outs_r), _leaves(outs_d)
    out_err = {"refnn": [], "torch": []}
    for t, r, d in zip(leaves_t, leaves_r, leaves_d):
        if isinstance(t, torch.Tensor) and t.dtype.is_floating_point:
            reference = _np(d)
            out_err["torch"].append(error_against(_np(t), reference))
            out_err["refnn"].append(error_against(_np(r), reference))
    result = {"output": {side: _merge(v) for side, v in out_err.items()}, "grad": None}
    if case.grad and _backward(outs_t, outs_r, outs_d, seed):
        for t, r, d in zip(t32, r32, t64):
            if t.requires_grad and t.grad is not None and d.grad is not None:
                reference = d.grad.numpy()
                grads["torch"].append(error_against(t.grad.numpy(), reference))
                if r.grad is not None:
                    grads["refnn"].append(error_against(r.grad.data, reference))
        if params is not None:
            tm, rm, dm = params
            named_r, named_d = dict(rm.named_parameters()), dict(dm.named_parameters())
            for name, p in tm.named_parameters():
                pd, pr = named_d.get(name), named_r.get(name)
                if p.grad is None or pd is None or pd.grad is None:
                    continue
                reference = pd.grad.numpy()
                grads["torch"].append(error_against(p.grad.numpy(), reference))
                if pr is not None and pr.grad is not None:
                    grads["refnn"].append(error_against(pr.grad.data, reference))
        if grads["torch"]:
            result["grad"] = {side: _merge(v) for side, v in grads.items()}
    return result

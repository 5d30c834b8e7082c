"""The ONNX operators refnn runs: each maps onto refnn's functional ops or Tensor methods.

``lookup(node, attrs, opset)`` checks a node's attributes once, at load time, and returns the
function ``run(inputs, attrs)`` that computes its outputs; an operator, or an attribute value, that
refnn does not map raises ``UnsupportedOperatorError`` naming the node. Integer tensors (shapes,
axes, indices) are computed with NumPy, without gradient, as the graph's shape arithmetic.
"""
import math

import numpy as np

from .. import nn as _nn
from ..autograd import Function
from ..tensor import Tensor, cat
from ._load import UnsupportedOperatorError

F = _nn.functional


def _np(t):
    return np.asarray(t.data)


def _is_float(t):
    return isinstance(t, Tensor) and t.data.dtype.kind == "f"


def _ints(t):
    return [int(v) for v in np.asarray(t.data).reshape(-1)]


def _symmetric_pads(node, pads, nd):
    pads = list(pads or [0] * (2 * nd))
    if len(pads) != 2 * nd:
        raise UnsupportedOperatorError(f"node {node}: pads {pads} do not have {2 * nd} entries")
    if pads[:nd] != pads[nd:]:
        raise UnsupportedOperatorError(f"node {node}: asymmetric pads {pads} (refnn pads both sides equally)")
    return tuple(pads[:nd])


def _no_auto_pad(node, attrs):
    if attrs.get("auto_pad", "NOTSET") not in ("NOTSET", "VALID"):
        raise UnsupportedOperatorError(f"node {node}: auto_pad={attrs['auto_pad']!r} is not supported")


def _spatial(node, attrs):
    kernel = attrs.get("kernel_shape")
    if kernel is None:
        raise UnsupportedOperatorError(f"node {node}: kernel_shape is required")
    nd = len(kernel)
    if nd not in (1, 2, 3):
        raise UnsupportedOperatorError(f"node {node}: {nd}-d windows are not supported (1-d to 3-d are)")
    return nd


# ---- convolution and pooling ---------------------------------------------
def _conv(node, attrs, opset):
    same_upper = attrs.get("auto_pad") == "SAME_UPPER" and all(v == 1 for v in attrs.get("strides", [1]))
    if not same_upper:                      # SAME_UPPER at stride 1 is torch's padding='same'
        _no_auto_pad(node, attrs)

    def run(inputs, attrs):
        x, w = inputs[0], inputs[1]
        b = inputs[2] if len(inputs) > 2 else None
        nd = w.data.ndim - 2
        if nd not in (1, 2, 3):
            raise RuntimeError(f"{nd}-d convolution is not supported")
        pads = "same" if same_upper else _symmetric_pads(node, attrs.get("pads"), nd)
        fn = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd]
        return fn(x, w, b, tuple(attrs.get("strides", [1] * nd)), pads, tuple(attrs.get("dilations", [1] * nd)),
                  int(attrs.get("group", 1)))
    if "pads" in attrs:
        _symmetric_pads(node, attrs["pads"], len(attrs["pads"]) // 2)
    return run


def _conv_transpose(node, attrs, opset):
    _no_auto_pad(node, attrs)
    if "output_shape" in attrs:
        raise UnsupportedOperatorError(f"node {node}: output_shape is not supported (output_padding is)")
    if "pads" in attrs:
        _symmetric_pads(node, attrs["pads"], len(attrs["pads"]) // 2)

    def run(inputs, attrs):
        x, w = inputs[0], inputs[1]
        b = inputs[2] if len(inputs) > 2 else None
        nd = w.data.ndim - 2
        pads = _symmetric_pads(node, attrs.get("pads"), nd)
        fn = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}.get(nd)
        if fn is None:
            raise RuntimeError(f"{nd}-d transposed convolution is not supported")
        return fn(x, w, b, tuple(attrs.get("strides", [1] * nd)), pads,
                  tuple(attrs.get("output_padding", [0] * nd)), int(attrs.get("group", 1)),
                  tuple(attrs.get("dilations", [1] * nd)))
    return run


class _Where(Function):
    """ONNX Where(condition, x, y) with broadcasting; the gradient flows to the branch each element took."""

    @staticmethod
    def forward(ctx, condition, x, y):
        from .._functions.arith import unbroadcast
        cond = np.asarray(condition.data, dtype=bool)
        xd, yd = np.asarray(x.data), np.asarray(y.data)
        out = np.where(cond, xd, yd).astype(np.result_type(xd, yd))
        ctx.cond, ctx.shapes, ctx.unbroadcast = np.broadcast_to(cond, out.shape), (xd.shape, yd.shape), unbroadcast
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        zero = np.zeros((), grad.dtype)
        return (None, ctx.unbroadcast(np.where(ctx.cond, grad, zero), ctx.shapes[0]),
                ctx.unbroadcast(np.where(ctx.cond, zero, grad), ctx.shapes[1]))


def _where(node, attrs, opset):
    return lambda inputs, attrs: _Where.apply(*inputs)


def _compare(np_op):
    def prepare(node, attrs, opset):
        return lambda inputs, attrs: Tensor(np_op(_np(inputs[0]), _np(inputs[1])))
    return prepare


def _max_pool(node, attrs, opset):
    _no_auto_pad(node, attrs)
    nd = _spatial(node, attrs)
    if attrs.get("storage_order", 0) != 0:
        raise UnsupportedOperatorError(f"node {node}: storage_order=1 is not supported")
    pads = _symmetric_pads(node, attrs.get("pads"), nd)
    fn = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}[nd]
    kernel = tuple(attrs["kernel_shape"])
    stride = tuple(attrs.get("strides", [1] * nd))
    dilation = tuple(attrs.get("dilations", [1] * nd))
    ceil = bool(attrs.get("ceil_mode", 0))

    def run(inputs, attrs):
        if len([o for o in node_outputs if o]) < 2:
            return fn(inputs[0], kernel, stride, pads, dilation, ceil)
        x = inputs[0]
        values, indices = fn(x, kernel, stride, pads, dilation, ceil, return_indices=True)
        # ONNX numbers the whole input (row-major over N, C, spatial); refnn numbers each plane
        plane = int(np.prod(x.shape[2:], dtype=np.int64))
        lead = np.arange(x.shape[0] * x.shape[1], dtype=np.int64).reshape(x.shape[:2] + (1,) * nd) * plane
        return values, Tensor(np.asarray(indices.data, dtype=np.int64) + lead)
    node_outputs = attrs.pop("_outputs", [""])
    return run


def _average_pool(node, attrs, opset):
    _no_auto_pad(node, attrs)
    nd = _spatial(node, attrs)
    if any(d != 1 for d in attrs.get("dilations", [1] * nd)):
        raise UnsupportedOperatorError(f"node {node}: dilated average pooling is not supported")
    pads = _symmetric_pads(node, attrs.get("pads"), nd)
    fn = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}[nd]
    kernel = tuple(attrs["kernel_shape"])
    stride = tuple(attrs.get("strides", [1] * nd))
    ceil = bool(attrs.get("ceil_mode", 0))
    include = bool(attrs.get("count_include_pad", 0))
    return lambda inputs, attrs: fn(inputs[0], kernel, stride, pads, ceil, include)


def _global(avg):
    def prepare(node, attrs, opset):
        def run(inputs, attrs):
            x = inputs[0]
            nd = x.data.ndim - 2
            if nd == 1:
                return (F.adaptive_avg_pool1d if avg else F.adaptive_max_pool1d)(x, 1)
            if nd == 2:
                return (F.adaptive_avg_pool2d if avg else F.adaptive_max_pool2d)(x, 1)
            if nd == 3:
                return (F.adaptive_avg_pool3d if avg else F.adaptive_max_pool3d)(x, 1)
            raise RuntimeError(f"{nd}-d global pooling is not supported")
        return run
    return prepare


# ---- normalisation -------------------------------------------------------
def _batch_norm(node, attrs, opset):
    if attrs.get("training_mode", 0):
        raise UnsupportedOperatorError(f"node {node}: training_mode=1 is not supported")
    eps = float(attrs.get("epsilon", 1e-5))
    return lambda i, a: F.batch_norm(i[0], i[3], i[4], i[1], i[2], False, 0.1, eps)


def _layer_norm(node, attrs, opset):
    axis = int(attrs.get("axis", -1))
    eps = float(attrs.get("epsilon", 1e-5))

    def run(inputs, attrs):
        x = inputs[0]
        start = axis % x.data.ndim
        shape = x.shape[start:]
        y = F.layer_norm(x, shape, inputs[1], inputs[2] if len(inputs) > 2 else None, eps)
        # the optional Mean and InvStdDev outputs (statistics, no gradient), in float32 as stash_type=1 says
        data = _np(x).astype(np.float32)
        axes = tuple(range(start, x.data.ndim))
        mean = data.mean(axis=axes, keepdims=True)
        inv = 1.0 / np.sqrt(((data - mean) ** 2).mean(axis=axes, keepdims=True) + np.float32(eps))
        return y, Tensor(mean.astype(np.float32)), Tensor(inv.astype(np.float32))
    return run


def _instance_norm(node, attrs, opset):
    eps = float(attrs.get("epsilon", 1e-5))
    return lambda i, a: F.instance_norm(i[0], weight=i[1], bias=i[2], eps=eps)


# ---- linear algebra ------------------------------------------------------
def _gemm(node, attrs, opset):
    alpha, beta = float(attrs.get("alpha", 1.0)), float(attrs.get("beta", 1.0))
    trans_a, trans_b = int(attrs.get("transA", 0)), int(attrs.get("transB", 0))

    def run(inputs, attrs):
        a, b = inputs[0], inputs[1]
        c = inputs[2] if len(inputs) > 2 else None
        if trans_a:
            a = a.permute(1, 0)
        weight = b if trans_b else b.permute(1, 0)           # [N, K]
        if alpha == 1.0 and beta == 1.0 and c is not None and c.data.ndim == 1 and c.shape[0] == weight.shape[0]:
            return F.linear(a, weight, c)
        y = F.linear(a, weight)
        if alpha != 1.0:
            y = y * alpha
        if c is not None:
            y = y + (c * beta if beta != 1.0 else c)
        return y
    return run


def _matmul(node, attrs, opset):
    def run(inputs, attrs):
        a, b = inputs
        if a.data.ndim <= 2 and b.data.ndim <= 2:
            return a @ b
        if b.data.ndim == 2:
            k = a.shape[-1]
            return (a.reshape(-1, k) @ b).reshape(a.shape[:-1] + (b.shape[1],))
        return _batched_matmul(a, b)
    return run


def _batched_matmul(a, b):
    """numpy.matmul's broadcasting, one refnn 2-d product per matrix of the batch."""
    from ..tensor import stack
    vector_a, vector_b = a.data.ndim == 1, b.data.ndim == 1
    if vector_a:
        a = a.reshape(1, -1)
    if vector_b:
        b = b.reshape(-1, 1)
    (m, k), n = a.shape[-2:], b.shape[-1]
    if b.shape[-2] != k:
        raise RuntimeError(f"MatMul: shapes {a.shape} and {b.shape} cannot be multiplied")
    batch = tuple(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]))
    if a.shape[:-2] != batch:
        a = a.expand(batch + (m, k))
    if b.shape[:-2] != batch:
        b = b.expand(batch + (k, n))
    count = int(np.prod(batch, dtype=np.int64))
    a3, b3 = a.reshape(count, m, k), b.reshape(count, k, n)
    out = stack([a3[i] @ b3[i] for i in range(count)], 0).reshape(batch + (m, n))
    if vector_a:
        out = out.reshape(batch + (n,))
    if vector_b:
        out = out.reshape(out.shape[:-1])
    return out


# ---- elementwise ---------------------------------------------------------
def _arith(op, np_op):
    def prepare(node, attrs, opset):
        def run(inputs, attrs):
            a, b = inputs
            if _is_float(a) or _is_float(b):
                return op(a, b)
            return Tensor(np.asarray(np_op(_np(a), _np(b))).astype(_np(a).dtype))
        return run
    return prepare


class _PowTensor(Function):
    """x ** e elementwise with broadcasting; the result has x's type (ONNX Pow)."""

    @staticmethod
    def forward(ctx, x, e):
        xd, ed = np.asarray(x.data), np.asarray(e.data)
        with np.errstate(all="ignore"):
            out = np.power(xd.astype(np.float64) if ed.dtype.kind == "f" or xd.dtype.kind == "f" else xd,
                           ed).astype(xd.dtype)
        ctx.save_for_backward(x, e)
        ctx.out = out
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        from .._functions.arith import unbroadcast
        x, e = ctx.saved_tensors
        xd, ed = np.asarray(x.data), np.asarray(e.data).astype(grad.dtype)
        with np.errstate(all="ignore"):
            gx = grad * ed * np.power(xd, ed - 1)
            ge = grad * ctx.out * np.log(xd) if e.data.dtype.kind == "f" else None
        return (unbroadcast(gx.astype(xd.dtype), xd.shape),
                None if ge is None else unbroadcast(ge.astype(e.data.dtype), e.data.shape))


def _pow(node, attrs, opset):
    def run(inputs, attrs):
        x, e = inputs
        if _is_float(x) and e.data.size == 1 and e.data.ndim <= x.data.ndim:
            y = x ** float(_np(e).reshape(-1)[0])
            return y if e.data.ndim == 0 else y.reshape(np.broadcast_shapes(x.shape, e.shape))
        return _PowTensor.apply(x, e)
    return run


def _method(name):
    return lambda node, attrs, opset: (lambda inputs, attrs: getattr(inputs[0], name)())


def _neg(node, attrs, opset):
    return lambda inputs, attrs: -inputs[0]


def _fn(fn, **fixed):
    return lambda node, attrs, opset: (lambda inputs, attrs: fn(inputs[0], **fixed))


def _alpha(fn, default, keyword="alpha"):
    def prepare(node, attrs, opset):
        value = float(attrs.get("alpha", default))
        return lambda inputs, attrs: fn(inputs[0], **{keyword: value})
    return prepare


def _selu(node, attrs, opset):
    alpha = float(attrs.get("alpha", 1.67326319217681884765625))
    gamma = float(attrs.get("gamma", 1.05070102214813232421875))
    if abs(alpha - 1.6732632423543772) < 1e-6 and abs(gamma - 1.0507009873554805) < 1e-6:
        return lambda inputs, attrs: F.selu(inputs[0])
    return lambda inputs, attrs: F.elu(inputs[0], alpha) * gamma


def _gelu(node, attrs, opset):
    approximate = attrs.get("approximate", "none")
    if approximate not in ("none", "tanh"):
        raise UnsupportedOperatorError(f"node {node}: approximate={approximate!r}")
    return lambda inputs, attrs: F.gelu(inputs[0], approximate=approximate)


def _hard_sigmoid(node, attrs, opset):
    alpha, beta = float(attrs.get("alpha", 0.2)), float(attrs.get("beta", 0.5))
    if abs(alpha - 1 / 6) < 1e-7 and beta == 0.5:
        return lambda inputs, attrs: F.hardsigmoid(inputs[0])
    return lambda inputs, attrs: F.hardtanh(inputs[0] * alpha + beta, 0.0, 1.0)


def _prelu(node, attrs, opset):
    def run(inputs, attrs):
        x, slope = inputs
        per_channel = x.data.ndim > 1 and slope.data.size == x.shape[1] and \
            slope.shape == (x.shape[1],) + (1,) * (slope.data.ndim - 1) and slope.data.ndim <= x.data.ndim - 1
        if slope.data.size == 1 or per_channel:
            return F.prelu(x, slope.reshape(-1))
        positive = F.relu(x)                      # any broadcastable slope: relu(x) + slope * min(x, 0)
        return positive + slope * (x - positive)
    return run


def _clip(node, attrs, opset):
    def run(inputs, attrs):
        x = inputs[0]
        lo = float(_np(inputs[1]).reshape(-1)[0]) if len(inputs) > 1 and inputs[1] is not None else attrs.get("min", -math.inf)
        hi = float(_np(inputs[2]).reshape(-1)[0]) if len(inputs) > 2 and inputs[2] is not None else attrs.get("max", math.inf)
        if not _is_float(x) or lo > hi:      # integers, or ONNX's min > max (every element becomes max)
            return Tensor(np.minimum(np.maximum(_np(x), lo), hi).astype(_np(x).dtype))
        return F.hardtanh(x, lo, hi)
    return run


def _softmax(fn):
    def prepare(node, attrs, opset):
        if opset < 13:
            raise UnsupportedOperatorError(f"node {node}: Softmax before opset 13 (2-d coercion) is not supported")
        axis = int(attrs.get("axis", -1))
        return lambda inputs, attrs: fn(inputs[0], dim=axis)
    return prepare


# ---- shapes --------------------------------------------------------------
def _flatten(node, attrs, opset):
    axis = int(attrs.get("axis", 1))

    def run(inputs, attrs):
        x = inputs[0]
        a = axis + x.data.ndim if axis < 0 else axis
        lead = int(np.prod(x.shape[:a], dtype=np.int64))
        return x.reshape(lead, -1 if lead else int(np.prod(x.shape[a:], dtype=np.int64)))
    return run


def _reshape(node, attrs, opset):
    allowzero = int(attrs.get("allowzero", 0))

    def run(inputs, attrs):
        x, shape = inputs
        target = _ints(shape)
        if not allowzero:
            target = [x.shape[i] if s == 0 else s for i, s in enumerate(target)]
        if _is_float(x):
            return x.reshape(tuple(target))
        return Tensor(_np(x).reshape(target))
    return run


def _transpose(node, attrs, opset):
    def run(inputs, attrs):
        x = inputs[0]
        perm = attrs.get("perm") or list(reversed(range(x.data.ndim)))
        return x.permute(tuple(perm)) if _is_float(x) else Tensor(np.transpose(_np(x), perm))
    return run


def _axes(inputs, attrs, index=1):
    if len(inputs) > index and inputs[index] is not None:
        return _ints(inputs[index])
    return attrs.get("axes")


def _unsqueeze(node, attrs, opset):
    def run(inputs, attrs):
        x = inputs[0]
        axes = _axes(inputs, attrs)
        ndim = x.data.ndim + len(axes)
        shape = list(x.shape)
        for a in sorted(a % ndim for a in axes):
            shape.insert(a, 1)
        return x.reshape(tuple(shape)) if _is_float(x) else Tensor(_np(x).reshape(shape))
    return run


def _squeeze(node, attrs, opset):
    def run(inputs, attrs):
        x = inputs[0]
        axes = _axes(inputs, attrs)
        ndim = x.data.ndim
        drop = {a % ndim for a in axes} if axes else {i for i, n in enumerate(x.shape) if n == 1}
        shape = tuple(n for i, n in enumerate(x.shape) if i not in drop)
        return x.reshape(shape) if _is_float(x) else Tensor(_np(x).reshape(shape))
    return run


def _concat(node, attrs, opset):
    axis = int(attrs["axis"]) if "axis" in attrs else None
    if axis is None:
        raise UnsupportedOperatorError(f"node {node}: Concat without axis")

    def run(inputs, attrs):
        if any(_is_float(t) for t in inputs):
            return cat(list(inputs), axis % inputs[0].data.ndim)
        return Tensor(np.concatenate([_np(t) for t in inputs], axis=axis))
    return run


def _shape(node, attrs, opset):
    start, end = attrs.get("start", 0), attrs.get("end")
    return lambda inputs, attrs: Tensor(np.asarray(inputs[0].shape[start:end], dtype=np.int64))


def _gather(node, attrs, opset):
    axis = int(attrs.get("axis", 0))

    def run(inputs, attrs):
        data, idx = inputs
        indices = _np(idx).astype(np.int64)
        n = data.shape[axis]
        if indices.size and (indices.min() < -n or indices.max() >= n):
            raise IndexError(f"Gather indices out of range for axis {axis} of size {n}")
        indices = np.where(indices < 0, indices + n, indices)
        if _is_float(data):
            return data[(slice(None),) * (axis % data.data.ndim) + (indices,)]
        return Tensor(np.take(_np(data), indices, axis=axis))
    return run


def _slice(node, attrs, opset):
    def run(inputs, attrs):
        x = inputs[0]
        starts, ends = _ints(inputs[1]), _ints(inputs[2])
        axes = _ints(inputs[3]) if len(inputs) > 3 and inputs[3] is not None else list(range(len(starts)))
        steps = _ints(inputs[4]) if len(inputs) > 4 and inputs[4] is not None else [1] * len(starts)
        key = [slice(None)] * x.data.ndim
        for s, e, a, st in zip(starts, ends, axes, steps):
            if st == 0:
                raise RuntimeError("Slice step 0")
            n = x.shape[a]
            s = max(-n - 1, min(s, n)) if st < 0 else max(-n, min(s, n))
            e = max(-n - 1, min(e, n))
            key[a % x.data.ndim] = slice(s, e, st)
        return x[tuple(key)] if _is_float(x) else Tensor(_np(x)[tuple(key)])
    return run


_CAST = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16, 6: np.int32, 7: np.int64,
         9: np.bool_, 10: np.float16, 11: np.float64, 12: np.uint32, 13: np.uint64}


def _cast(node, attrs, opset):
    to = attrs.get("to")
    if to not in _CAST:
        raise UnsupportedOperatorError(f"node {node}: Cast to data type {to} is not supported")
    dtype = _CAST[to]

    def run(inputs, attrs):
        x = inputs[0]
        if _is_float(x) and np.dtype(dtype).kind == "f" and dtype != np.float16 and x.data.dtype != np.float16:
            return x.to(dtype)
        return Tensor(_np(x).astype(dtype))
    return run


def _constant(node, attrs, opset):
    if "value" in attrs:
        value = np.asarray(attrs["value"])
    elif "value_float" in attrs:
        value = np.asarray(attrs["value_float"], dtype=np.float32)
    elif "value_floats" in attrs:
        value = np.asarray(attrs["value_floats"], dtype=np.float32)
    elif "value_int" in attrs:
        value = np.asarray(attrs["value_int"], dtype=np.int64)
    elif "value_ints" in attrs:
        value = np.asarray(attrs["value_ints"], dtype=np.int64)
    else:
        raise UnsupportedOperatorError(f"node {node}: Constant without a value, value_float(s) or value_int(s)")
    return lambda inputs, attrs: Tensor(np.array(value, copy=True))


def _expand(node, attrs, opset):
    def run(inputs, attrs):
        x, shape = inputs
        target = tuple(np.broadcast_shapes(x.shape, tuple(_ints(shape))))
        if _is_float(x):
            return x.expand(target) if target != x.shape else x
        return Tensor(np.array(np.broadcast_to(_np(x), target)))
    return run


def _constant_of_shape(node, attrs, opset):
    value = np.asarray(attrs.get("value", np.zeros(1, np.float32))).reshape(-1)
    return lambda inputs, attrs: Tensor(np.full(_ints(inputs[0]), value[0], dtype=value.dtype))


def _reduce(method):
    def prepare(node, attrs, opset):
        keep = bool(attrs.get("keepdims", 1))
        noop = bool(attrs.get("noop_with_empty_axes", 0))

        def run(inputs, attrs):
            x = inputs[0]
            axes = _axes(inputs, attrs)
            if not axes:
                if noop:
                    return x
                axes = list(range(x.data.ndim))
            return getattr(x, method)(tuple(a % x.data.ndim for a in axes), keep)
        return run
    return prepare


def _nearest_source(length, out_length, scale, transform, rounding):
    """ONNX Resize's nearest source index of each output position along one axis (clamped to the input)."""
    i = np.arange(out_length, dtype=np.float64)
    width = scale * length                                  # ONNX's unrounded output length
    if transform == "align_corners":
        x = np.zeros_like(i) if width == 1 else i * (length - 1) / (width - 1)
    elif transform == "asymmetric":
        x = i / scale
    elif transform == "pytorch_half_pixel":
        x = np.full_like(i, -0.5) if width == 1 else (i + 0.5) / scale - 0.5
    elif transform == "half_pixel":
        x = (i + 0.5) / scale - 0.5
    else:                                                   # half_pixel_symmetric
        offset = length / 2 * (1 - out_length / width)
        x = offset + (i + 0.5) / scale - 0.5
    base = np.floor(x)
    ratio = x - base
    right = {"round_prefer_floor": ratio > 0.5, "round_prefer_ceil": ratio >= 0.5,
             "floor": np.zeros_like(ratio, dtype=bool), "ceil": ratio > 0}[rounding]
    return np.clip(base + right, 0, length - 1).astype(np.int64)


def _resize_nearest(node, attrs):
    """Nearest Resize for every coordinate mode, rounding, axes and aspect policy: an index per axis."""
    transform = attrs.get("coordinate_transformation_mode", "half_pixel")
    rounding = attrs.get("nearest_mode", "round_prefer_floor")
    policy = attrs.get("keep_aspect_ratio_policy", "stretch")
    if transform == "tf_crop_and_resize" or rounding not in ("round_prefer_floor", "round_prefer_ceil", "floor",
                                                              "ceil") or policy not in ("stretch", "not_larger",
                                                                                        "not_smaller"):
        raise UnsupportedOperatorError(f"node {node}: nearest Resize with coordinate_transformation_mode="
                                       f"{transform!r}, nearest_mode={rounding!r}, keep_aspect_ratio_policy="
                                       f"{policy!r} is not supported")

    def run(inputs, attrs):
        x = inputs[0]
        ndim = x.data.ndim
        axes = [a % ndim for a in attrs.get("axes", range(ndim))]
        scales = inputs[2] if len(inputs) > 2 and inputs[2] is not None and inputs[2].data.size else None
        sizes = inputs[3] if len(inputs) > 3 and inputs[3] is not None and inputs[3].data.size else None
        lengths = [x.shape[a] for a in axes]
        if sizes is not None:
            factors = [s / n for s, n in zip(_ints(sizes), lengths)]
            outs = _ints(sizes)
            if policy != "stretch":
                common = min(factors) if policy == "not_larger" else max(factors)
                factors = [common] * len(axes)
                outs = [int(common * n + 0.5) for n in lengths]
        else:
            factors = [float(f) for f in _np(scales).reshape(-1)]
            outs = [int(f * n) for f, n in zip(factors, lengths)]
        y = x
        for axis, n, out, factor in zip(axes, lengths, outs, factors):
            if out == n and factor == 1.0:
                continue
            index = _nearest_source(n, out, factor, transform, rounding)
            y = y[(slice(None),) * axis + (index,)] if _is_float(y) else Tensor(np.take(_np(y), index, axis=axis))
        return y
    return run


def _resize(node, attrs, opset):
    mode = attrs.get("mode", "nearest")
    transform = attrs.get("coordinate_transformation_mode", "half_pixel")
    nearest = attrs.get("nearest_mode", "round_prefer_floor")
    if attrs.get("antialias", 0) or attrs.get("exclude_outside", 0):
        raise UnsupportedOperatorError(f"node {node}: antialias and exclude_outside are not supported")
    torch_nearest = transform == "asymmetric" and nearest == "floor"
    if mode == "nearest" and ("axes" in attrs or attrs.get("keep_aspect_ratio_policy", "stretch") != "stretch"
                              or not torch_nearest):
        return _resize_nearest(node, attrs)
    if "axes" in attrs or attrs.get("keep_aspect_ratio_policy", "stretch") != "stretch":
        raise UnsupportedOperatorError(f"node {node}: axes and keep_aspect_ratio_policy are supported for "
                                       "nearest Resize only")
    if mode == "nearest" and torch_nearest:
        kwargs = {"mode": "nearest"}
    elif mode == "nearest" and transform in ("half_pixel", "pytorch_half_pixel") and nearest == "round_prefer_ceil":
        kwargs = {"mode": "nearest-exact"}
    elif mode == "linear" and transform in ("half_pixel", "pytorch_half_pixel", "align_corners"):
        kwargs = {"mode": "linear", "align_corners": transform == "align_corners"}
    elif mode == "cubic" and transform in ("half_pixel", "pytorch_half_pixel", "align_corners") \
            and abs(attrs.get("cubic_coeff_a", -0.75) + 0.75) < 1e-7:
        kwargs = {"mode": "bicubic", "align_corners": transform == "align_corners"}
    else:
        raise UnsupportedOperatorError(f"node {node}: Resize mode={mode!r}, coordinate_transformation_mode="
                                       f"{transform!r}, nearest_mode={nearest!r} has no refnn counterpart")

    def run(inputs, attrs):
        x = inputs[0]
        nd = x.data.ndim - 2
        kw = dict(kwargs)
        if kw["mode"] == "linear":
            kw["mode"] = {1: "linear", 2: "bilinear", 3: "trilinear"}[nd]
        scales = inputs[2] if len(inputs) > 2 else None
        sizes = inputs[3] if len(inputs) > 3 else None
        if sizes is not None and sizes.data.size:
            size = _ints(sizes)
            if size[:2] != list(x.shape[:2]):
                raise RuntimeError("Resize of the batch or channel dimension is not supported")
            return F.interpolate(x, size=tuple(size[2:]), **kw)
        factors = [float(s) for s in _np(scales).reshape(-1)]
        if factors[:2] != [1.0, 1.0]:
            raise RuntimeError("Resize of the batch or channel dimension is not supported")
        return F.interpolate(x, scale_factor=tuple(factors[2:]), **kw)
    return run


def _depth_to_space(node, attrs, opset):
    b = int(attrs["blocksize"])
    mode = attrs.get("mode", "DCR")

    def run(inputs, attrs):
        x = inputs[0]
        if mode == "CRD":
            return F.pixel_shuffle(x, b)
        n, c, h, w = x.shape
        y = x.reshape(n, b, b, c // (b * b), h, w).permute(0, 3, 4, 1, 5, 2)
        return y.reshape(n, c // (b * b), h * b, w * b)
    return run


def _space_to_depth(node, attrs, opset):
    b = int(attrs["blocksize"])
    if attrs.get("mode", "DCR") == "CRD":
        return lambda inputs, attrs: F.pixel_unshuffle(inputs[0], b)

    def run(inputs, attrs):
        x = inputs[0]
        n, c, h, w = x.shape
        y = x.reshape(n, c, h // b, b, w // b, b).permute(0, 3, 5, 1, 2, 4)
        return y.reshape(n, c * b * b, h // b, w // b)
    return run


def _dropout(node, attrs, opset):
    def run(inputs, attrs):
        x = inputs[0]
        training = len(inputs) > 2 and inputs[2] is not None and bool(_np(inputs[2]).reshape(-1)[0])
        ratio = float(_np(inputs[1]).reshape(-1)[0]) if len(inputs) > 1 and inputs[1] is not None else 0.5
        if training and ratio > 0:
            raise UnsupportedOperatorError(f"node {node}: Dropout with training_mode=True (ONNX's random "
                                           "stream has no refnn counterpart)")
        return x, Tensor(np.ones(x.shape, dtype=bool))
    return run


def _gru_reset_first(x, w, r, b, h0, hidden, directions):
    """ONNX's default GRU (linear_before_reset=0): the reset gate scales H before its linear map,
    h~ = tanh(W_h x + R_h (r * H) + Wb_h + Rb_h), composed of refnn's ops. Returns (T, B, D*H), (D, B, H)."""
    from ..tensor import stack
    outputs, finals = [], []
    for d in range(directions):
        w_z, w_r, w_h = (w[d][i * hidden:(i + 1) * hidden] for i in range(3))
        r_z, r_r, r_h = (r[d][i * hidden:(i + 1) * hidden] for i in range(3))
        if b is not None:
            wb = [b[d][i * hidden:(i + 1) * hidden] for i in range(3)]
            rb = [b[d][(3 + i) * hidden:(4 + i) * hidden] for i in range(3)]
        else:
            wb = rb = [None] * 3
        h = h0[d]
        steps = range(x.shape[0] - 1, -1, -1) if d == 1 else range(x.shape[0])
        out = [None] * x.shape[0]
        for t in steps:
            xt = x[t]
            z = F.sigmoid(F.linear(xt, w_z, wb[0]) + F.linear(h, r_z, rb[0]))
            reset = F.sigmoid(F.linear(xt, w_r, wb[1]) + F.linear(h, r_r, rb[1]))
            candidate = F.tanh(F.linear(xt, w_h, wb[2]) + F.linear(reset * h, r_h, rb[2]))
            h = (1.0 - z) * candidate + z * h
            out[t] = h
        outputs.append(stack(out, 0))
        finals.append(h)
    return (outputs[0] if directions == 1 else cat(outputs, 2)), stack(finals, 0)


# ONNX gate order -> torch's: LSTM (i, o, f, c) -> (i, f, g, o); GRU (z, r, h) -> (r, z, n)
_TORCH_GATES = {"LSTM": [0, 2, 3, 1], "GRU": [1, 0, 2], "RNN": [0]}


def _recurrent(op):
    def prepare(node, attrs, opset):
        for key, allowed in (("clip", None), ("input_forget", 0)):
            if key in attrs and attrs[key] != allowed:
                raise UnsupportedOperatorError(f"node {node}: {key}={attrs[key]!r} is not supported")
        reset_first = op == "GRU" and attrs.get("linear_before_reset", 0) == 0   # not torch's GRU: composed
        direction = attrs.get("direction", "forward")
        if direction not in ("forward", "reverse", "bidirectional"):
            raise UnsupportedOperatorError(f"node {node}: direction={direction!r} is not supported")
        directions = 2 if direction == "bidirectional" else 1
        default = {"LSTM": ["Sigmoid", "Tanh", "Tanh"], "GRU": ["Sigmoid", "Tanh"], "RNN": ["Tanh"]}[op]
        activations = list(attrs.get("activations", default * directions))
        if op == "RNN" and activations in (["Tanh"] * directions, ["Relu"] * directions):
            kind = activations[0]
        elif activations == default * directions:
            kind = None
        else:
            raise UnsupportedOperatorError(f"node {node}: activations {activations} are not supported")
        hidden = int(attrs["hidden_size"])
        order = _TORCH_GATES[op]
        batch_major = int(attrs.get("layout", 0)) == 1      # X (B, T, I), Y (B, T, D, H), states (B, D, H)
        reverse = direction == "reverse"

        def run(inputs, attrs):
            from .._functions import rnn as _rnn
            x, w, r = inputs[0], inputs[1], inputs[2]
            b = inputs[3] if len(inputs) > 3 else None
            if len(inputs) > 4 and inputs[4] is not None:
                raise UnsupportedOperatorError(f"node {node}: sequence_lens is not supported")
            inputs = list(inputs) + [None] * (8 - len(inputs))
            if batch_major:
                x = x.permute(1, 0, 2)
                inputs[5:7] = [s.permute(1, 0, 2) if s is not None else None for s in inputs[5:7]]
            if reverse:                          # one direction, last step first: run forward on the flipped input
                x = x[::-1]
            batch = x.shape[1]
            gates = len(order)

            def reorder(t):                      # rows of gates in ONNX order -> torch order (differentiable)
                if gates == 1:
                    return t
                chunks = [t[i * hidden:(i + 1) * hidden] for i in range(gates)]
                return cat([chunks[i] for i in order], 0)

            flat = []
            for d in range(directions):
                flat += [reorder(w[d]), reorder(r[d])]
                if b is not None:
                    flat += [reorder(b[d][:gates * hidden]), reorder(b[d][gates * hidden:])]
            zeros = Tensor(np.zeros((directions, batch, hidden), dtype=x.data.dtype))
            h0 = inputs[5] if len(inputs) > 5 and inputs[5] is not None else zeros
            args = (flat, b is not None, 1, 0.0, False, directions == 2, False)
            if reset_first:
                output, h_n = _gru_reset_first(x, w, r, b, h0, hidden, directions)
                finals = (h_n,)
            elif op == "LSTM":
                c0 = inputs[6] if len(inputs) > 6 and inputs[6] is not None else zeros
                if len(inputs) > 7 and inputs[7] is not None:
                    raise UnsupportedOperatorError(f"node {node}: peepholes (P) are not supported")
                output, h_n, c_n = _rnn.lstm(x, (h0, c0), *args)
                finals = (h_n, c_n)
            else:
                run_fn = _rnn.gru if op == "GRU" else (_rnn.rnn_relu if kind == "Relu" else _rnn.rnn_tanh)
                output, h_n = run_fn(x, h0, *args)
                finals = (h_n,)
            steps = x.shape[0]
            if reverse:
                output = output[::-1]
            y = output.reshape(steps, batch, directions, hidden).permute(0, 2, 1, 3)
            if batch_major:
                return (y.permute(2, 0, 1, 3),) + tuple(f.permute(1, 0, 2) for f in finals)
            return (y,) + finals
        return run
    return prepare


OPS = {
    "Conv": _conv, "ConvTranspose": _conv_transpose, "MaxPool": _max_pool, "AveragePool": _average_pool,
    "GlobalAveragePool": _global(True), "GlobalMaxPool": _global(False),
    "BatchNormalization": _batch_norm, "LayerNormalization": _layer_norm,
    "InstanceNormalization": _instance_norm,
    "Gemm": _gemm, "MatMul": _matmul,
    "Add": _arith(lambda a, b: a + b, np.add), "Sub": _arith(lambda a, b: a - b, np.subtract),
    "Mul": _arith(lambda a, b: a * b, np.multiply), "Div": _arith(lambda a, b: a / b, lambda a, b: np.trunc(a / b)),
    "Pow": _pow, "Neg": _neg, "Exp": _method("exp"), "Log": _method("log"), "Sqrt": _method("sqrt"),
    "Abs": _method("abs"),
    "Relu": _fn(F.relu), "Sigmoid": _fn(F.sigmoid), "Tanh": _fn(F.tanh),
    "Elu": _alpha(F.elu, 1.0), "Celu": _alpha(F.celu, 1.0), "Selu": _selu, "Gelu": _gelu,
    "LeakyRelu": _alpha(F.leaky_relu, 0.01, "negative_slope"), "PRelu": _prelu,
    "HardSigmoid": _hard_sigmoid, "HardSwish": _fn(F.hardswish), "Softplus": _fn(F.softplus),
    "Softsign": _fn(F.softsign), "Clip": _clip,
    "Softmax": _softmax(F.softmax), "LogSoftmax": _softmax(F.log_softmax),
    "Flatten": _flatten, "Reshape": _reshape, "Transpose": _transpose, "Unsqueeze": _unsqueeze,
    "Squeeze": _squeeze, "Concat": _concat, "Shape": _shape, "Gather": _gather, "Slice": _slice,
    "Cast": _cast, "Constant": _constant, "ConstantOfShape": _constant_of_shape, "Expand": _expand,
    "ReduceMean": _reduce("mean"), "ReduceSum": _reduce("sum"),
    "Identity": lambda node, attrs, opset: (lambda inputs, attrs: inputs[0]),
    "Where": _where, "Greater": _compare(np.greater), "Less": _compare(np.less), "Equal": _compare(np.equal),
    "Or": _compare(np.logical_or), "And": _compare(np.logical_and),
    "LSTM": _recurrent("LSTM"), "GRU": _recurrent("GRU"), "RNN": _recurrent("RNN"),
    "Dropout": _dropout, "Resize": _resize, "DepthToSpace": _depth_to_space, "SpaceToDepth": _space_to_depth,
}

# operators that produce one output only in refnn (a second, optional output is refused)
_SINGLE_OUTPUT = {"BatchNormalization": "running statistics"}


def lookup(node, attrs, opset):
    """The function that runs ``node`` (an onnx NodeProto), or UnsupportedOperatorError."""
    what = f"{node.name!r} ({node.op_type})"
    prepare = OPS.get(node.op_type)
    if prepare is None:
        raise UnsupportedOperatorError(f"node {what}: operator {node.op_type} is not supported by refnn.onnx")
    outputs = [o for o in node.output if o]
    if len(outputs) > 1 and node.op_type in _SINGLE_OUTPUT:
        raise UnsupportedOperatorError(f"node {what}: the optional output "
                                       f"({_SINGLE_OUTPUT[node.op_type]}) is not supported")
    if node.op_type == "MaxPool":
        attrs = dict(attrs, _outputs=list(node.output))
    return prepare(what, attrs, opset)

"""What each traced refnn call becomes in ONNX: the operators torch 2.13's TorchScript exporter emits.

Every emitter receives the graph, the call's arguments bound to their names (defaults applied) and
the call's result, and records the nodes that compute that result. An argument the exporter cannot
express raises ``NotImplementedError`` naming it, so an export never writes a graph that computes
something else than the model.
"""
import numbers

import numpy as np

from ..tensor import Tensor


def _unsupported(fn, what):
    raise NotImplementedError(f"refnn.onnx.export: {fn} with {what} has no ONNX export")


def _tuple(value, n):
    if isinstance(value, (tuple, list)):
        return tuple(int(v) for v in value)
    return (int(value),) * n


def _bind(g, out, name):
    g.bind(out, name)


# ---- convolution ---------------------------------------------------------
def _conv_pads(fn, padding, weight, dilation, nd):
    if isinstance(padding, str):
        kernel = weight.shape[2:]
        if padding == "valid":
            return [0] * (2 * nd)
        total = [d * (k - 1) for d, k in zip(dilation, kernel)]
        begin = [t // 2 for t in total]
        return begin + [t - b for t, b in zip(total, begin)]
    pads = list(_tuple(padding, nd))
    return pads + pads


def conv(g, a, out, nd):
    w = a["weight"]
    dilation = _tuple(a["dilation"], nd)
    inputs = [g.value(a["input"]), g.value(w)]
    if a["bias"] is not None:
        inputs.append(g.value(a["bias"]))
    attrs = {"dilations": list(dilation), "group": int(a["groups"]), "kernel_shape": list(w.shape[2:]),
             "strides": list(_tuple(a["stride"], nd))}
    if a["padding"] == "same":             # torch: ONNX's SAME_UPPER (the extra padding at the end)
        attrs["auto_pad"] = "SAME_UPPER"
    elif a["padding"] == "valid":          # torch: ONNX's VALID
        attrs["auto_pad"] = "VALID"
    else:
        attrs["pads"] = _conv_pads("conv", a["padding"], w, dilation, nd)
    _bind(g, out, g.node("Conv", inputs, attrs))


def conv_transpose(g, a, out, nd):
    w = a["weight"]
    inputs = [g.value(a["input"]), g.value(w)]
    if a["bias"] is not None:
        inputs.append(g.value(a["bias"]))
    pads = list(_tuple(a["padding"], nd))
    attrs = {"dilations": list(_tuple(a["dilation"], nd)), "group": int(a["groups"]),
             "kernel_shape": list(w.shape[2:]), "output_padding": list(_tuple(a["output_padding"], nd)),
             "pads": pads + pads, "strides": list(_tuple(a["stride"], nd))}
    if not any(attrs["output_padding"]):   # torch writes output_padding only when it is not all zero
        del attrs["output_padding"]
    _bind(g, out, g.node("ConvTranspose", inputs, attrs))


# ---- pooling -------------------------------------------------------------
def max_pool(g, a, out, nd):
    kernel = _tuple(a["kernel_size"], nd)
    stride = kernel if a["stride"] is None or a["stride"] == [] or a["stride"] == () else _tuple(a["stride"], nd)
    pads = list(_tuple(a["padding"], nd))
    attrs = {"ceil_mode": int(bool(a["ceil_mode"])), "dilations": list(_tuple(a["dilation"], nd)),
             "kernel_shape": list(kernel), "pads": pads + pads, "strides": list(stride)}
    x = g.value(a["input"])
    if not a.get("return_indices"):
        _bind(g, out, g.node("MaxPool", [x], attrs))
        return
    # torch: MaxPool with indices over the whole tensor, minus the flat index of each plane's start
    values, flat = g.node("MaxPool", [x], attrs, num_outputs=2)
    ones = [1] * nd
    _, starts = g.node("MaxPool", [x], {"dilations": ones, "kernel_shape": ones, "strides": ones},
                       num_outputs=2)
    ends = g.ints(ones)
    begins = g.ints([0] * nd)
    axes = g.ints(range(2, 2 + nd))
    start = g.node("Slice", [starts, begins, ends, axes])
    _bind(g, out[0], values)
    _bind(g, out[1], g.node("Sub", [flat, start]))


def avg_pool(g, a, out, nd):
    if a.get("divisor_override") is not None:
        _unsupported("avg_pool", "divisor_override")
    kernel = _tuple(a["kernel_size"], nd)
    stride = kernel if a["stride"] is None or a["stride"] == [] or a["stride"] == () else _tuple(a["stride"], nd)
    pads = list(_tuple(a["padding"], nd))
    attrs = {"ceil_mode": int(bool(a["ceil_mode"])), "count_include_pad": int(bool(a["count_include_pad"])),
             "kernel_shape": list(kernel), "pads": pads + pads, "strides": list(stride)}
    _bind(g, out, g.node("AveragePool", [g.value(a["input"])], attrs))


def adaptive_avg_pool(g, a, out, nd):
    x = a["input"]
    if tuple(out.shape[-nd:]) == (1,) * nd:
        _bind(g, out, g.node("GlobalAveragePool", [g.value(x)]))
        return
    sizes, outs = x.shape[-nd:], out.shape[-nd:]
    if any(o == 0 or n % o for n, o in zip(sizes, outs)):
        _unsupported("adaptive_avg_pool", f"output_size={a['output_size']!r} that does not divide the input "
                     "(torch exports only 1 or divisors)")
    kernel = [n // o for n, o in zip(sizes, outs)]
    _bind(g, out, g.node("AveragePool", [g.value(x)], {"kernel_shape": kernel, "strides": kernel}))


def adaptive_max_pool(g, a, out, nd):
    x = a["input"]
    if a.get("return_indices") or tuple(out.shape[-nd:]) != (1,) * nd:
        _unsupported("adaptive_max_pool", "output_size other than 1 or return_indices")
    kernel = list(x.shape[-nd:])
    _bind(g, out, g.node("MaxPool", [g.value(x)], {"kernel_shape": kernel, "pads": [0] * (2 * nd),
                                                    "strides": kernel}))


# ---- normalisation -------------------------------------------------------
def _filled(g, like_dtype, n, value):
    return g.constant(np.full(n, value, dtype=like_dtype))


def batch_norm(g, a, out):
    x = a["input"]
    if a["training"] or a["running_mean"] is None:
        _unsupported("batch_norm", "batch statistics (training=True or no running stats)")
    c = x.shape[1]
    dt = x.data.dtype
    w = g.value(a["weight"]) if a["weight"] is not None else g.add_folded("BatchNormalization", np.ones(c, dt))
    b = g.value(a["bias"]) if a["bias"] is not None else g.add_folded("BatchNormalization", np.zeros(c, dt))
    attrs = {"epsilon": float(a["eps"]), "momentum": 1.0 - float(a["momentum"]), "training_mode": 0}
    _bind(g, out, g.node("BatchNormalization",
                         [g.value(x), w, b, g.value(a["running_mean"]), g.value(a["running_var"])], attrs))


def instance_norm(g, a, out):
    x = a["input"]
    if not a["use_input_stats"]:
        _unsupported("instance_norm", "use_input_stats=False")
    c, dt = x.shape[1], x.data.dtype
    w = g.value(a["weight"]) if a["weight"] is not None else _filled(g, dt, c, 1.0)
    b = g.value(a["bias"]) if a["bias"] is not None else _filled(g, dt, c, 0.0)
    _bind(g, out, g.node("InstanceNormalization", [g.value(x), w, b], {"epsilon": float(a["eps"])}))


def layer_norm(g, a, out):
    x = a["input"]
    shape = a["normalized_shape"]
    n = 1 if isinstance(shape, numbers.Integral) else len(shape)
    inputs = [g.value(x)]
    dt = x.data.dtype
    norm = x.shape[-n:]
    inputs.append(g.value(a["weight"]) if a["weight"] is not None
                  else g.constant(np.ones(norm, dt)))
    if a["bias"] is not None:
        inputs.append(g.value(a["bias"]))
    _bind(g, out, g.node("LayerNormalization", inputs, {"axis": -n, "epsilon": float(a["eps"])}))


def group_norm(g, a, out):
    x = a["input"]
    groups, dt = int(a["num_groups"]), x.data.dtype
    xv = g.value(x)
    grouped = g.node("Reshape", [xv, g.ints([0, groups, -1])], {"allowzero": 0})
    normed = g.node("InstanceNormalization", [grouped, _filled(g, dt, groups, 1.0), _filled(g, dt, groups, 0.0)],
                    {"epsilon": float(a["eps"])})
    y = g.node("Reshape", [normed, g.node("Shape", [xv])], {"allowzero": 0})
    trailing = (1,) * (x.data.ndim - 2)
    if a["weight"] is not None:
        w = g.add_folded("Mul", np.asarray(a["weight"].data).reshape((-1,) + trailing))
    else:                                  # torch multiplies by a constant one all the same
        w = g.constant(np.ones((1,) + trailing, dt))
    y = g.node("Mul", [y, w])
    if a["bias"] is not None:
        b = g.add_folded("Add", np.asarray(a["bias"].data).reshape((-1,) + trailing))
    else:
        b = g.constant(np.zeros((1,) + trailing, dt))
    _bind(g, out, g.node("Add", [y, b]))


# ---- linear --------------------------------------------------------------
def linear(g, a, out):
    x, w, b = a["input"], a["weight"], a["bias"]
    if x.data.ndim == 2 and b is not None:
        _bind(g, out, g.node("Gemm", [g.value(x), g.value(w), g.value(b)],
                             {"alpha": 1.0, "beta": 1.0, "transB": 1}))
        return
    if g.fold:
        wt = g.add_folded("MatMul", np.asarray(w.data).T)
    else:
        wt = g.node("Transpose", [g.value(w)], {"perm": [1, 0]})
    y = g.node("MatMul", [g.value(x), wt])
    if b is not None:
        y = g.node("Add", [g.value(b), y])
    _bind(g, out, y)


# ---- activations ---------------------------------------------------------
def _unary(op, **attrs):
    def emit(g, a, out):
        _bind(g, out, g.node(op, [g.value(a["input"])], attrs))
    return emit


def _with_attr(op, attr, arg, convert=float):
    def emit(g, a, out):
        _bind(g, out, g.node(op, [g.value(a["input"])], {attr: convert(a[arg])}))
    return emit


def _clip(lo_arg, hi_arg, lo=None, hi=None):
    def emit(g, a, out):
        x = a["input"]
        low = g.scalar(a[lo_arg] if lo is None else lo, x)
        high = g.scalar(a[hi_arg] if hi is None else hi, x)
        _bind(g, out, g.node("Clip", [g.value(x), low, high]))
    return emit


def gelu(g, a, out):
    _bind(g, out, g.node("Gelu", [g.value(a["input"])], {"approximate": a["approximate"]}))


def prelu(g, a, out):
    x, w = a["input"], a["weight"]
    trailing = (1,) * max(x.data.ndim - 2, 0)
    slope = g.add_folded("PRelu", np.asarray(w.data).reshape((w.data.size,) + trailing))
    _bind(g, out, g.node("PRelu", [g.value(x), slope]))


def rrelu(g, a, out):
    if a["training"]:
        _unsupported("rrelu", "training=True")
    slope = (float(a["lower"]) + float(a["upper"])) / 2
    _bind(g, out, g.node("LeakyRelu", [g.value(a["input"])], {"alpha": slope}))


def threshold(g, a, out):
    if float(a["threshold"]) != 0.0 or float(a["value"]) != 0.0:
        _unsupported("threshold", "a non-zero threshold or value (torch refuses it too)")
    _bind(g, out, g.node("Relu", [g.value(a["input"])]))


def logsigmoid(g, a, out):
    _bind(g, out, g.node("Log", [g.node("Sigmoid", [g.value(a["input"])])]))


def silu(g, a, out):
    x = g.value(a["input"])
    _bind(g, out, g.node("Mul", [x, g.node("Sigmoid", [x])]))


def mish(g, a, out):
    x = g.value(a["input"])
    _bind(g, out, g.node("Mul", [x, g.node("Tanh", [g.node("Softplus", [x])])]))


def softplus(g, a, out):
    x = a["input"]
    beta = float(a["beta"])
    if beta == 1.0:
        _bind(g, out, g.node("Softplus", [g.value(x)]))
        return
    scaled = g.node("Mul", [g.value(x), g.scalar(beta, x)])
    _bind(g, out, g.node("Div", [g.node("Softplus", [scaled]), g.scalar(beta, x)]))


def softsign(g, a, out):
    x = a["input"]
    xv = g.value(x)
    denominator = g.node("Add", [g.node("Abs", [xv]), g.scalar(1.0, x)])
    _bind(g, out, g.node("Div", [xv, denominator]))


def tanhshrink(g, a, out):
    x = g.value(a["input"])
    _bind(g, out, g.node("Sub", [x, g.node("Tanh", [x])]))


def hardshrink(g, a, out):
    x = a["input"]
    lambd = float(a["lambd"])
    xv = g.value(x)
    above = g.node("Greater", [xv, g.scalar(lambd, x)])
    below = g.node("Less", [xv, g.scalar(-lambd, x)])
    keep = g.node("Or", [g.node("Cast", [above], {"to": 9}), g.node("Cast", [below], {"to": 9})])
    _bind(g, out, g.node("Where", [keep, xv, g.scalar(0.0, x)]))


def softshrink(g, a, out):
    x = a["input"]
    lambd = float(a["lambd"])
    xv = g.value(x)
    above = g.node("Greater", [xv, g.scalar(lambd, x)])
    high = g.node("Where", [above, g.node("Sub", [xv, g.scalar(lambd, x)]), g.scalar(0.0, x)])
    below = g.node("Less", [xv, g.scalar(-lambd, x)])
    low = g.node("Where", [below, g.node("Add", [xv, g.scalar(lambd, x)]), g.scalar(0.0, x)])
    _bind(g, out, g.node("Add", [high, low]))


def _softmax(op, negate=False):
    def emit(g, a, out):
        x = a["input"]
        if a.get("dtype") is not None:
            _unsupported(op, "dtype")
        dim = a["dim"]
        if dim is None:
            dim = 0 if x.data.ndim in (0, 1, 3) else 1    # torch's _get_softmax_dim
        xv = g.value(x)
        if negate:
            xv = g.node("Neg", [xv])
        _bind(g, out, g.node(op, [xv], {"axis": int(dim) % max(x.data.ndim, 1)}))
    return emit


def dropout(g, a, out):
    if a["training"] and float(a["p"]) > 0 and out is not a["input"]:
        _unsupported("dropout", "training=True (export in eval mode)")
    g.bind(out, g.value(a["input"]))


# ---- interpolation and pixel shuffle -------------------------------------
def interpolate(g, a, out):
    x = a["input"]
    mode = a["mode"]
    if a.get("antialias"):
        _unsupported("interpolate", "antialias=True")
    nd = x.data.ndim - 2
    attrs = {"coordinate_transformation_mode": "asymmetric", "cubic_coeff_a": -0.75, "mode": "nearest",
             "nearest_mode": "floor"}
    if mode in ("linear", "bilinear", "trilinear", "bicubic"):
        attrs["mode"] = "cubic" if mode == "bicubic" else "linear"
        attrs["coordinate_transformation_mode"] = "align_corners" if a["align_corners"] else "half_pixel"
    elif mode == "area":
        adaptive_avg_pool(g, {"input": x, "output_size": out.shape[2:]}, out, nd)
        return
    elif mode != "nearest":
        _unsupported("interpolate", f"mode={mode!r}")
    xv = g.value(x)
    if a["size"] is None and not a.get("recompute_scale_factor"):
        scales = _tuple(a["scale_factor"], nd) if not isinstance(a["scale_factor"], (tuple, list)) \
            else tuple(a["scale_factor"])
        scale = g.constant(np.asarray((1.0, 1.0) + tuple(float(s) for s in scales), dtype=np.float32))
        _bind(g, out, g.node("Resize", [xv, "", scale], attrs))
        return
    shape = g.node("Shape", [xv])
    axes, starts, ends = g.ints([0]), g.ints([0]), g.ints([2])
    lead = g.node("Slice", [shape, starts, ends, axes])
    sizes = g.node("Concat", [lead, g.ints(out.shape[2:])], {"axis": 0})
    _bind(g, out, g.node("Resize", [xv, "", "", sizes], attrs))


def pixel_shuffle(g, a, out):
    _bind(g, out, g.node("DepthToSpace", [g.value(a["input"])],
                         {"blocksize": int(a["upscale_factor"]), "mode": "CRD"}))


def pixel_unshuffle(g, a, out):
    x = a["input"]
    r = int(a["downscale_factor"])
    c, h, w = x.shape[-3:]
    y = g.node("Reshape", [g.value(x), g.ints([-1, c, h // r, r, w // r, r])], {"allowzero": 0})
    y = g.node("Transpose", [y], {"perm": [0, 1, 3, 5, 2, 4]})
    _bind(g, out, g.node("Reshape", [y, g.ints([-1, c * r * r, h // r, w // r])], {"allowzero": 0}))


# ---- Tensor methods ------------------------------------------------------
def _operand(g, value, like):
    return g.value(value) if isinstance(value, Tensor) else g.scalar(value, like)


def _binary(op, reverse=False):
    def emit(g, a, out):
        x, other = a["self"], a["other"]
        lhs, rhs = g.value(x), _operand(g, other, x)
        if reverse and not isinstance(other, Tensor) and op in ("Sub", "Div"):
            lhs, rhs = rhs, lhs
        _bind(g, out, g.node(op, [lhs, rhs]))
    return emit


def _self_unary(op):
    def emit(g, a, out):
        _bind(g, out, g.node(op, [g.value(a["self"])]))
    return emit


def tensor_pow(g, a, out):
    x = a["self"]
    _bind(g, out, g.node("Pow", [g.value(x), _operand(g, a["exponent"], x)]))


def tensor_matmul(g, a, out):
    _bind(g, out, g.node("MatMul", [g.value(a["self"]), g.value(a["other"])]))


def _reduce(op):
    def emit(g, a, out):
        dim = a["dim"]
        keep = int(bool(a["keepdim"]))
        xv = g.value(a["self"])
        if dim is None:
            _bind(g, out, g.node(op, [xv], {"keepdims": 0}))
            return
        dims = [dim] if isinstance(dim, numbers.Integral) else list(dim)
        if op == "ReduceSum":              # torch: an unscoped Constant named after the TorchScript value
            axes = g.node("Constant", [], {"value": np.asarray(dims, dtype=np.int64)},
                          output_names=[g.folded_name("ReduceSum")])
        else:
            axes = g.ints(dims)
        _bind(g, out, g.node(op, [xv, axes], {"keepdims": keep}))
    return emit


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return [int(s) for s in shape]


def tensor_reshape(g, a, out):
    _bind(g, out, g.node("Reshape", [g.value(a["self"]), g.ints(_shape_arg(a["shape"]))], {"allowzero": 0}))


def tensor_flatten(g, a, out):
    x = a["self"]
    ndim = x.data.ndim
    if ndim == 0:
        _unsupported("flatten", "a 0-d tensor")
    start, end = a["start_dim"] % ndim, a["end_dim"] % ndim
    xv = g.value(x)
    if start == 1 and end == ndim - 1:
        _bind(g, out, g.node("Flatten", [xv], {"axis": 1}))
    elif start == 0 and end == ndim - 2:
        _bind(g, out, g.node("Flatten", [xv], {"axis": end + 1}))
    elif end == ndim - 1:
        shape = g.node("Shape", [xv])
        axes, starts, ends = g.ints([0]), g.ints([0]), g.ints([start])
        lead = g.node("Slice", [shape, starts, ends, axes])
        target = g.node("Concat", [lead, g.ints([-1])], {"axis": 0})
        _bind(g, out, g.node("Reshape", [xv, target], {"allowzero": 0}))
    elif start == end:
        g.bind(out, xv)
    else:
        _unsupported("flatten", f"start_dim={a['start_dim']}, end_dim={a['end_dim']}")


def tensor_unsqueeze(g, a, out):
    dim = a["dim"] % (a["self"].data.ndim + 1)
    _bind(g, out, g.node("Unsqueeze", [g.value(a["self"]), g.ints([dim])]))


def tensor_squeeze(g, a, out):
    x = a["self"]
    if out is x:
        return
    if a["dim"] is None:
        _bind(g, out, g.node("Squeeze", [g.value(x)]))
    else:
        _bind(g, out, g.node("Squeeze", [g.value(x), g.ints([a["dim"] % x.data.ndim])]))


def tensor_permute(g, a, out):
    dims = a["dims"]
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    ndim = a["self"].data.ndim
    _bind(g, out, g.node("Transpose", [g.value(a["self"])], {"perm": [d % ndim for d in dims]}))


def tensor_transpose(g, a, out):
    ndim = a["self"].data.ndim
    perm = list(range(ndim))
    d0, d1 = a["dim0"] % ndim, a["dim1"] % ndim
    perm[d0], perm[d1] = perm[d1], perm[d0]
    _bind(g, out, g.node("Transpose", [g.value(a["self"])], {"perm": perm}))


_INT64_MAX = 9223372036854775807


def tensor_getitem(g, a, out):
    """Basic indexing as torch traces it, component by component: an integer is a Gather on its axis,
    a slice a Slice (axes, starts, ends, steps), ``:`` and ``...`` nothing."""
    x, key = a["self"], a["key"]
    key = key if isinstance(key, tuple) else (key,)
    for k in key:
        if not (k is Ellipsis or isinstance(k, (slice, numbers.Integral))) or isinstance(k, bool):
            _unsupported("Tensor.__getitem__", f"index {k!r} (integers, slices and ... export)")
    y = g.value(x)
    ndim = x.data.ndim
    dim = 0
    for i, k in enumerate(key):
        if k is Ellipsis:
            dim = ndim - sum(1 for rest in key[i + 1:] if rest is not Ellipsis)
            continue
        if isinstance(k, numbers.Integral):
            y = g.node("Gather", [y, g.constant(np.asarray(int(k), dtype=np.int64))], {"axis": dim})
            ndim -= 1
            continue
        if k.step is not None and k.step <= 0:
            _unsupported("Tensor.__getitem__", f"slice step {k.step}")
        if k.start is None and k.stop is None and k.step in (None, 1):
            dim += 1
            continue
        axes = g.ints([dim])
        starts = g.ints([0 if k.start is None else int(k.start)])
        ends = g.ints([_INT64_MAX if k.stop is None else int(k.stop)])
        steps = g.ints([1 if k.step is None else int(k.step)])
        y = g.node("Slice", [y, starts, ends, axes, steps])
        dim += 1
    g.bind(out, y)


def tensor_expand(g, a, out):
    """torch writes expand's sizes through the -1 test it traces: Where(sizes == -1, 1, sizes)."""
    sizes = _shape_arg(a["shape"])
    count = g.ints([len(sizes)])
    ones = g.node("ConstantOfShape", [count], {"value": np.ones(1, dtype=np.int64)})
    minus = g.node("Mul", [ones, g.constant(np.asarray(-1, dtype=np.int64))])
    is_minus = g.node("Equal", [g.ints(sizes), minus])
    target = g.node("Where", [is_minus, ones, g.ints(sizes)])
    _bind(g, out, g.node("Expand", [g.value(a["self"]), target]))


def tensor_to(g, a, out):
    x = a["self"]
    if out is x:
        return
    from ._export import _elem_type
    _bind(g, out, g.node("Cast", [g.value(x)], {"to": _elem_type(out.data.dtype, "Tensor.to")}))


def stack(g, a, out):
    tensors = list(a["tensors"])
    dim = int(a["dim"]) % (tensors[0].data.ndim + 1)
    parts = [g.node("Unsqueeze", [g.value(t), g.ints([dim])]) for t in tensors]
    _bind(g, out, g.node("Concat", parts, {"axis": dim}))


def tensor_alias(g, a, out):
    g.bind(out, g.value(a["self"]))


def cat(g, a, out):
    tensors = list(a["tensors"])
    dim = int(a["dim"]) % tensors[0].data.ndim
    _bind(g, out, g.node("Concat", [g.value(t) for t in tensors], {"axis": dim}))


def _nd(fn, nd):
    return lambda g, a, out: fn(g, a, out, nd)


# refnn.nn.functional name -> emitter
FUNCTIONAL = {
    "conv1d": _nd(conv, 1), "conv2d": _nd(conv, 2),
    "conv_transpose1d": _nd(conv_transpose, 1), "conv_transpose2d": _nd(conv_transpose, 2),
    "max_pool1d": _nd(max_pool, 1), "max_pool2d": _nd(max_pool, 2),
    "max_pool1d_with_indices": _nd(max_pool, 1), "max_pool2d_with_indices": _nd(max_pool, 2),
    "avg_pool1d": _nd(avg_pool, 1), "avg_pool2d": _nd(avg_pool, 2),
    "adaptive_avg_pool1d": _nd(adaptive_avg_pool, 1), "adaptive_avg_pool2d": _nd(adaptive_avg_pool, 2),
    "adaptive_max_pool1d": _nd(adaptive_max_pool, 1), "adaptive_max_pool2d": _nd(adaptive_max_pool, 2),
    "conv3d": _nd(conv, 3), "conv_transpose3d": _nd(conv_transpose, 3), "max_pool3d": _nd(max_pool, 3),
    "max_pool3d_with_indices": _nd(max_pool, 3), "avg_pool3d": _nd(avg_pool, 3),
    "adaptive_avg_pool3d": _nd(adaptive_avg_pool, 3), "adaptive_max_pool3d": _nd(adaptive_max_pool, 3),
    "batch_norm": batch_norm, "instance_norm": instance_norm, "layer_norm": layer_norm,
    "group_norm": group_norm, "linear": linear,
    "relu": _unary("Relu"), "relu_": _unary("Relu"), "sigmoid": _unary("Sigmoid"), "tanh": _unary("Tanh"),
    "elu": _with_attr("Elu", "alpha", "alpha"), "elu_": _with_attr("Elu", "alpha", "alpha"),
    "celu": _with_attr("Celu", "alpha", "alpha"), "celu_": _with_attr("Celu", "alpha", "alpha"),
    "selu": _unary("Selu"), "selu_": _unary("Selu"), "gelu": gelu,
    "hardsigmoid": _unary("HardSigmoid", alpha=1.0 / 6), "hardswish": _unary("HardSwish"),
    "hardtanh": _clip("min_val", "max_val"), "hardtanh_": _clip("min_val", "max_val"),
    "relu6": _clip(None, None, 0.0, 6.0),
    "leaky_relu": _with_attr("LeakyRelu", "alpha", "negative_slope"),
    "leaky_relu_": _with_attr("LeakyRelu", "alpha", "negative_slope"),
    "prelu": prelu, "rrelu": rrelu, "rrelu_": rrelu, "threshold": threshold, "threshold_": threshold,
    "logsigmoid": logsigmoid, "silu": silu, "mish": mish, "softplus": softplus, "softsign": softsign,
    "tanhshrink": tanhshrink, "hardshrink": hardshrink, "softshrink": softshrink,
    "softmax": _softmax("Softmax"), "log_softmax": _softmax("LogSoftmax"),
    "softmin": _softmax("Softmax", negate=True),
    "dropout": dropout, "dropout1d": dropout, "dropout2d": dropout, "dropout3d": dropout,
    "interpolate": interpolate, "upsample": interpolate,
    "pixel_shuffle": pixel_shuffle, "pixel_unshuffle": pixel_unshuffle,
}

# refnn.Tensor method name -> emitter (arguments bound as ``self``, ``other``, ...)
TENSOR_METHODS = {
    "__add__": _binary("Add"), "__radd__": _binary("Add", reverse=True),
    "__sub__": _binary("Sub"), "__rsub__": _binary("Sub", reverse=True),
    "__mul__": _binary("Mul"), "__rmul__": _binary("Mul", reverse=True),
    "__truediv__": _binary("Div"), "__rtruediv__": _binary("Div", reverse=True),
    "__neg__": _self_unary("Neg"), "__pow__": tensor_pow, "__matmul__": tensor_matmul,
    "exp": _self_unary("Exp"), "log": _self_unary("Log"), "sqrt": _self_unary("Sqrt"),
    "abs": _self_unary("Abs"),
    "sum": _reduce("ReduceSum"), "mean": _reduce("ReduceMean"),
    "view": tensor_reshape, "reshape": tensor_reshape, "flatten": tensor_flatten,
    "unsqueeze": tensor_unsqueeze, "squeeze": tensor_squeeze, "permute": tensor_permute,
    "transpose": tensor_transpose, "contiguous": tensor_alias, "__getitem__": tensor_getitem,
    "expand": tensor_expand, "to": tensor_to,
}

# refnn (package-level) function name -> emitter
TOPLEVEL = {"cat": cat, "stack": stack}


# ---- recurrent modules (traced as one module call) ----------------------
# torch's gate order -> ONNX's: LSTM (i, f, g, o) -> (i, o, f, c); GRU (r, z, n) -> (z, r, h)
_GATES = {"LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2], "RNN_TANH": [0], "RNN_RELU": [0]}


def _gates(array, order):
    return np.concatenate([c for c in (np.split(array, len(order), axis=0)[i] for i in order)], axis=0)


def recurrent(g, module, args, kwargs, out):
    """nn.RNN / nn.LSTM / nn.GRU as torch writes them: one ONNX RNN/LSTM/GRU node per layer (zero initial
    state left to ONNX's default), Squeeze (or Transpose + Reshape for two directions) after each."""
    if len(args) != 1 or kwargs:
        _unsupported(type(module).__name__, "an initial hidden state (hx)")
    x = args[0]
    if getattr(module, "proj_size", 0):
        _unsupported("LSTM", "proj_size")
    if x.data.ndim != 3:
        _unsupported(type(module).__name__, "an unbatched input")
    mode = module.mode
    op = {"LSTM": "LSTM", "GRU": "GRU"}.get(mode, "RNN")
    order = _GATES[mode]
    directions = 2 if module.bidirectional else 1
    attrs = {"hidden_size": int(module.hidden_size)}
    if directions == 2:
        attrs["direction"] = "bidirectional"
    if op == "GRU":
        attrs["linear_before_reset"] = 1
    if op == "RNN":
        attrs["activations"] = ["Tanh" if mode == "RNN_TANH" else "Relu"] * directions
    y = g.value(x)
    if module.batch_first:
        y = g.node("Transpose", [y], {"perm": [1, 0, 2]})
    finals = []
    for layer in range(module.num_layers):
        w, r, b = [], [], []
        for d in range(directions):
            suffix = f"_l{layer}" + ("_reverse" if d else "")
            w.append(_gates(np.asarray(getattr(module, "weight_ih" + suffix).data), order))
            r.append(_gates(np.asarray(getattr(module, "weight_hh" + suffix).data), order))
            if module.bias:
                b.append(np.concatenate([_gates(np.asarray(getattr(module, "bias_ih" + suffix).data), order),
                                         _gates(np.asarray(getattr(module, "bias_hh" + suffix).data), order)]))
        names = {}
        for key, arrays in (("B", b), ("W", w), ("R", r)) if directions == 2 else (("W", w), ("R", r), ("B", b)):
            if arrays:
                names[key] = g.add_folded(op, np.stack(arrays))
        inputs = [y, names["W"], names["R"]] + ([names["B"]] if "B" in names else [])
        outputs = g.node(op, inputs, attrs, num_outputs=3 if op == "LSTM" else 2)
        finals.append(outputs[1:])
        if directions == 1:
            y = g.node("Squeeze", [outputs[0], g.ints([1])])
        else:
            y = g.node("Transpose", [outputs[0]], {"perm": [0, 2, 1, 3]})
            y = g.node("Reshape", [y, g.ints([0, 0, -1])], {"allowzero": 0})
    if module.batch_first:
        y = g.node("Transpose", [y], {"perm": [1, 0, 2]})
    output, hidden = out
    g.bind(output, y)
    states = hidden if isinstance(hidden, tuple) else (hidden,)
    for k, state in enumerate(states):
        parts = [f[k] for f in finals]
        g.bind(state, parts[0] if len(parts) == 1 else g.node("Concat", parts, {"axis": 0}))

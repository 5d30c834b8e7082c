"""Per-family fuzz targets: a strategy drawing (op, args, kwargs) for torch.nn.functional / refnn.nn.functional.

Each entry maps a family name to a hypothesis strategy producing ``(op_name, args, kwargs)``
where array arguments are :class:`tests.fuzz.differential.Arr`.
"""
import numpy as np
from hypothesis import strategies as st

from tests.fuzz.differential import Arr
from tests.fuzz.strategies import EDGE_INTS, arrays


@st.composite
def linear(draw):
    rank = draw(st.integers(0, 4))
    k = draw(st.integers(0, 4))
    n = draw(st.integers(0, 4))
    lead = tuple(draw(st.lists(st.integers(0, 3), min_size=max(rank - 1, 0), max_size=max(rank - 1, 0))))
    x_shape = lead + (k + draw(st.sampled_from([0, 0, 0, 1])),) if rank else ()
    # mostly one float dtype for both (the compared region); sometimes anything, mismatches included
    dtypes = (draw(st.sampled_from(["float32", "float64"])),) if draw(st.integers(0, 3)) else ("float32", "float64")
    extra = draw(st.integers(0, 3)) == 0
    x = draw(arrays(shape=x_shape, dtypes=dtypes, extra_dtypes=extra))
    w = draw(arrays(shape=draw(st.sampled_from([(n, k), (k,), (n, k, 1)])), dtypes=dtypes, extra_dtypes=extra))
    args = [Arr(x), Arr(w)]
    if draw(st.booleans()):
        # vector, scalar and broadcasting biases, of either float dtype: torch adds some with addmm (one
        # dtype, broadcast to the product) and the rest in place after a matmul
        args.append(Arr(draw(arrays(shape=draw(st.sampled_from([(n,), (n + 1,), (), (1,), (1, n), (n, 1)])),
                                    dtypes=("float32", "float64"), extra_dtypes=False))))
    return "linear", tuple(args), {}


# ----------------------------------------------------------------- shared pieces
# Sizes stay tiny so that every VALID draw is cheap for both libraries; the huge values of EDGE_INTS only
# appear in arguments where they make the call invalid or the output tiny (strides, paddings, dilations).
def _spatial_input(draw, dims, max_side=5):
    """An input of rank dims+1 (unbatched) or dims+2, sometimes a wrong rank, a scalar or a list."""
    rank = draw(st.sampled_from([dims + 2, dims + 2, dims + 2, dims + 1, dims, dims + 3]))
    shape = tuple(draw(st.lists(st.integers(0, max_side), min_size=rank, max_size=rank)))
    return _as_arg(draw, draw(arrays(shape=shape)))


def _as_arg(draw, array, p_other=0.04):
    """Usually the array; rarely a Python scalar or a nested list (both libraries must refuse or agree)."""
    kind = draw(st.floats(0, 1))
    if kind < p_other:
        return 1.5
    if kind < 2 * p_other:
        return array.tolist()
    return Arr(array)


def _int_arg(draw, n, low=-1, high=4, p_edge=0.1):
    """An int or an n-tuple of ints, mostly small, sometimes an edge value near 2**31/2**63, a float or bool."""
    r = draw(st.floats(0, 1))
    if r < p_edge:
        return draw(st.sampled_from(EDGE_INTS))
    if r < p_edge + 0.03:
        return draw(st.sampled_from([1.0, True, "2", None]))
    element = st.integers(low, high)
    return draw(st.one_of(element, st.lists(element, min_size=1, max_size=n + 1).map(tuple)))


SHAPE_FLOATS = st.sampled_from(["float32", "float64"])


# ----------------------------------------------------------------- valid region, then one perturbation
# The normalization, pixelshuffle and distance strategies draw from three regions: "valid" (45%: a
# consistent call, float tensors of matching sizes and arguments in range, so that values are compared),
# "perturbed" (40%: such a call with exactly one thing pushed out: a rank, a size, a dtype, an argument's
# type or value, a list for a tensor; some perturbations stay valid) and "wide" (15%: the whole space,
# mostly invalid).  About 60% of the calls then succeed in both libraries.
def _region(draw):
    r = draw(st.integers(0, 19))
    return "valid" if r < 9 else ("perturbed" if r < 17 else "wide")


def _side(draw, zero=True):
    """A small size, sometimes 0."""
    return draw(st.sampled_from([1, 2, 3, 1, 2, 3, 4] + ([0] if zero else [])))


def _floats(draw, shape, dtype):
    """A float array of the given shape and dtype in any layout; the non-finite values that arrays() puts in
    are kept in one draw out of four (replaced by 0.5 otherwise)."""
    array = draw(arrays(shape=shape, dtypes=(dtype,), extra_dtypes=False))
    if draw(st.integers(0, 3)):
        array[~np.isfinite(array)] = 0.5
    return array


def _other_dtype(draw, dtype):
    """The other float dtype (a mixed-dtype call), or one refnn does not compute (float16, int64, bool)."""
    return draw(st.sampled_from(["float64" if dtype == "float32" else "float32"] * 3 + ["float16", "int64", "bool"]))


# a scalar argument of the wrong type, or out of range
BAD_SCALARS = [None, "2", True, 1, 1.5, float("nan"), float("inf"), float("-inf"), -1.0, 0.0, [1.0]]


def _not_a_tensor(draw, array):
    """A Python scalar or nested list in place of a tensor."""
    return draw(st.sampled_from([1.5, array.tolist()]))


# ----------------------------------------------------------------- conv
@st.composite
def conv(draw, dims_choices=(1, 2)):
    dims = draw(st.sampled_from(list(dims_choices)))
    transposed = draw(st.booleans())
    op = ("conv_transpose%dd" if transposed else "conv%dd") % dims
    if draw(st.integers(0, 2)) == 0:
        (x, w), kwargs = _valid_conv(draw, dims, transposed)
        return op, (x, _finite_float32(w)), kwargs
    x = _spatial_input(draw, dims)
    in_channels = x.array.shape[-dims - 1] if isinstance(x, Arr) and x.array.ndim > dims else 1
    groups = draw(st.one_of(st.just(1), st.integers(1, 3), st.sampled_from([0, -1, 2 ** 31, 2 ** 63 - 1])))
    out_channels = draw(st.integers(0, 4))
    k = tuple(draw(st.lists(st.integers(1, 3) if draw(st.integers(0, 5)) else st.integers(0, 3),
                            min_size=dims, max_size=dims)))
    per_group = max(in_channels // groups, 0) if isinstance(groups, int) and 0 < groups < 100 else 1
    if transposed:
        w_shape = (in_channels + draw(st.sampled_from([0, 0, 0, 1])), out_channels) + k
    else:
        w_shape = (out_channels, per_group + draw(st.sampled_from([0, 0, 0, 1]))) + k
    if draw(st.integers(0, 20)) == 0:
        w_shape = w_shape[:-1]
    dtype = x.array.dtype.name if isinstance(x, Arr) and x.array.dtype.name in ("float32", "float64") else "float32"
    w = Arr(draw(arrays(shape=w_shape, dtypes=(dtype,), extra_dtypes=draw(st.integers(0, 10)) == 0)))
    bias_channels = (w_shape[1] * (groups if isinstance(groups, int) and 0 < groups < 100 else 1)
                     if transposed else w_shape[0])
    bias = None
    if draw(st.booleans()):
        bias = Arr(draw(arrays(shape=(bias_channels + draw(st.sampled_from([0, 0, 0, 1])),), dtypes=(dtype,),
                               extra_dtypes=False)))
    kwargs = {"bias": bias, "stride": _int_arg(draw, dims, 0, 3), "dilation": _int_arg(draw, dims, 0, 3),
              "groups": groups}
    if transposed:
        # torch does not check conv_transpose's dilation against a unit kernel (dilation=0 is accepted
        # there); refnn refuses a non-positive dilation: only positive dilations are drawn for it
        kwargs["dilation"] = draw(st.integers(1, 3))
    if draw(st.booleans()):     # half the draws: arguments in their valid ranges (both_succeed covered)
        kwargs.update(stride=draw(st.integers(1, 2)), dilation=draw(st.integers(1, 2)))
    if transposed:
        kwargs["padding"] = _int_arg(draw, dims, -1, 3)
        kwargs["output_padding"] = _int_arg(draw, dims, -1, 2) if draw(st.booleans()) else 0
    else:
        kwargs["padding"] = (draw(st.sampled_from(["valid", "same", "full"])) if draw(st.integers(0, 3)) == 0
                             else _int_arg(draw, dims, -1, 3))
    return op, (x, _finite_float32(w)), kwargs


def _finite_float32(w):
    """A float32 weight without NaN/inf.  For float32 torch often runs oneDNN, which skips the taps that
    fall on zero padding, so a NaN weight there never meets the zeros; its other CPU paths (float64, or
    oneDNN off) multiply them and give NaN, as refnn does.  The divergence is recorded in the registry
    (conv2d ``nan_weight_on_padding``); here float32 weights stay finite."""
    if w.array.dtype != np.float32 or np.isfinite(w.array).all():
        return w
    return Arr(np.nan_to_num(w.array, nan=0.5, posinf=2.0, neginf=-2.0))


def _valid_conv(draw, dims, transposed):
    """A call in the valid region (float input and weight, matching channels, small positive arguments),
    with at most one argument pushed out of range, so that both_succeed is well covered."""
    dtype = draw(SHAPE_FLOATS)
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = tuple(draw(st.lists(st.integers(1, 3), min_size=dims, max_size=dims)))
    stride, dilation, padding = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(0, 1))
    spatial = tuple(draw(st.lists(st.integers(dilation * 2 + 1, 6), min_size=dims, max_size=dims)))
    lead = (draw(st.integers(0, 2)),) if draw(st.integers(0, 4)) else ()
    x = Arr(draw(arrays(shape=lead + (cin,) + spatial, dtypes=(dtype,), extra_dtypes=False)))
    w_shape = (cin, cout // groups) + k if transposed else (cout, cin // groups) + k
    w = Arr(draw(arrays(shape=w_shape, dtypes=(dtype,), extra_dtypes=False)))
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups,
              "bias": Arr(draw(arrays(shape=(cout,), dtypes=(dtype,), extra_dtypes=False)))
              if draw(st.booleans()) else None}
    if transposed:
        kwargs["output_padding"] = draw(st.integers(0, max(stride, dilation) - 1))
    elif draw(st.integers(0, 4)) == 0:
        kwargs["padding"] = draw(st.sampled_from(["valid", "same"]))
        kwargs["stride"] = 1
    if draw(st.integers(0, 3)) == 0:
        # one argument out of range (edge values included), with a non-empty batch: for an empty batch
        # torch skips its argument checks (conv1d with dilation=0 returns an empty result); refnn refuses
        if lead == (0,):
            x = Arr(draw(arrays(shape=(1, cin) + spatial, dtypes=(dtype,), extra_dtypes=False)))
        name = draw(st.sampled_from(sorted(k for k in kwargs if k != "bias" and not (transposed and k == "dilation"))))
        kwargs[name] = draw(st.sampled_from(EDGE_INTS + [(1,) * (dims + 1), -3]))
    return (x, w), kwargs


# ----------------------------------------------------------------- pooling
def _valid_window(draw, dims, dilation):
    kernel = draw(st.integers(1, 2))
    window = {"kernel_size": kernel if draw(st.booleans()) else (kernel,) * dims,
              "stride": draw(st.sampled_from([None, 1, 2])), "padding": draw(st.integers(0, kernel // 2))}
    if dilation:
        window["dilation"] = draw(st.integers(1, 2))
    if draw(st.integers(0, 4)) == 0:      # one argument pushed out of range, edge values included
        name = draw(st.sampled_from(sorted(window)))
        window[name] = draw(st.sampled_from(EDGE_INTS + [-3]))
    return window


@st.composite
def pooling(draw, kinds=("max", "max", "avg", "adaptive_avg", "adaptive_max", "unpool", "unpool"), dims_choices=(1, 2)):
    dims = draw(st.sampled_from(list(dims_choices)))
    kind = draw(st.sampled_from(kinds))
    valid = draw(st.booleans())
    if valid:     # the valid region: a float batched/unbatched input with non-empty planes, valid windows
        lead = draw(st.sampled_from([(), (1,), (2,), (0,)]))
        x = Arr(draw(arrays(shape=lead + (draw(st.integers(1, 2)),) + tuple(
            draw(st.lists(st.integers(2, 5), min_size=dims, max_size=dims))), extra_dtypes=False)))
    else:
        x = _spatial_input(draw, dims)
    if kind == "max":
        kwargs = {"kernel_size": _int_arg(draw, dims, 0, 4), "stride": draw(st.one_of(st.none(), st.just(
            _int_arg(draw, dims, 0, 3)))), "padding": _int_arg(draw, dims, -1, 2),
            "dilation": _int_arg(draw, dims, 0, 3), "ceil_mode": draw(st.booleans()),
            "return_indices": draw(st.booleans())}
        if valid:
            kwargs.update(_valid_window(draw, dims, dilation=True))
        if dims == 1 and isinstance(kwargs["dilation"], int) and kwargs["dilation"] >= 2 ** 31:
            # torch's max_pool1d allocates memory in proportion to the dilation (8 GiB for 2**31, kernel 1)
            # for a call whose output is tiny: a torch quirk, not fuzzed
            kwargs["dilation"] = 3
        return "max_pool%dd" % dims, (x,), kwargs
    if kind == "avg":
        kwargs = {"kernel_size": _int_arg(draw, dims, 0, 4), "stride": draw(st.one_of(st.none(), st.just(
            _int_arg(draw, dims, 0, 3)))), "padding": _int_arg(draw, dims, -1, 2),
            "ceil_mode": draw(st.booleans()), "count_include_pad": draw(st.booleans())}
        if dims >= 2 and draw(st.booleans()):
            kwargs["divisor_override"] = draw(st.sampled_from([None, 0, -1, 1, 3, 2 ** 31, 2 ** 63 - 1]))
        if valid:
            kwargs.update(_valid_window(draw, dims, dilation=False))
        return "avg_pool%dd" % dims, (x,), kwargs
    if kind.startswith("adaptive"):
        # huge output sizes only with a non-empty batch: for an empty batch torch returns a tensor of shape
        # (0, C, 2**31, 2**31), which NumPy cannot represent (refnn refuses it)
        empty = not isinstance(x, Arr) or x.array.size == 0
        size = draw(st.one_of(st.integers(-1, 4), st.sampled_from([None] if empty else [2 ** 31, 2 ** 63 - 1, None]),
                              st.lists(st.one_of(st.integers(-1, 4), st.none()), min_size=1,
                                       max_size=dims + 1).map(tuple)))
        kwargs = {"output_size": size}
        if kind == "adaptive_max":
            kwargs["return_indices"] = draw(st.booleans())
        return "%s_pool%dd" % (kind, dims), (x,), kwargs
    # max_unpool: indices of the input's shape (or not), in range or out of range
    shape = x.array.shape if isinstance(x, Arr) else (1, 1) + (2,) * dims
    if draw(st.integers(0, 8)) == 0:
        shape = shape[:-1] + (shape[-1] + 1,) if shape else (1,)
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    high = draw(st.sampled_from([1, 4, 9, 16, 25, 100]))
    indices = rng.integers(draw(st.sampled_from([0, 0, 0, -2])), high, size=shape)
    if indices.size and draw(st.booleans()):
        indices.reshape(-1)[rng.integers(0, indices.size)] = draw(st.sampled_from(
            [-1, 2 ** 31, 2 ** 62, -(2 ** 63)]))
    ind_dtype = draw(st.sampled_from(["int64", "int64", "int64", "float32", "int32"]))
    indices = Arr(indices.astype(ind_dtype))
    # window arguments as ints or tuples of exactly `dims` ints: torch's Python max_unpool passes tuples of
    # any length through _single/_pair unchecked (extra entries ignored, missing ones an IndexError in its
    # output-size helper), a quirk of the wrapper refnn does not copy; refnn refuses a wrong length.
    # ... and ints only: the wrappers do arithmetic on whatever they get (True as 1, floats giving float sizes)
    # and huge values only with a non-empty input (torch returns an empty tensor of a shape NumPy cannot hold)
    empty = not isinstance(x, Arr) or x.array.size == 0

    def window(low, high):
        value = _int_arg(draw, dims, low, high, p_edge=0 if empty else 0.1)
        if not isinstance(value, (int, tuple)) or isinstance(value, bool):
            value = 1
        return value if not isinstance(value, tuple) or len(value) == dims else value[0]
    kwargs = {"kernel_size": window(0, 3), "stride": None if draw(st.booleans()) else window(0, 3),
              "padding": window(-1, 2)}
    if draw(st.booleans()):
        kwargs["output_size"] = draw(st.one_of(
            st.lists(st.integers(0, 6), min_size=dims, max_size=dims + 2).map(tuple),
            st.lists(st.sampled_from([2 ** 31, 2 ** 63 - 1, -1]), min_size=dims, max_size=dims).map(tuple)))
    return "max_unpool%dd" % dims, (x, indices), kwargs


# ----------------------------------------------------------------- activation
POINTWISE = ["relu", "relu6", "elu", "celu", "selu", "gelu", "hardshrink", "softshrink", "hardsigmoid",
             "hardswish", "hardtanh", "leaky_relu", "logsigmoid", "sigmoid", "silu", "mish", "softplus",
             "softsign", "tanh", "tanhshrink"]


@st.composite
def activation(draw):
    x = _as_arg(draw, draw(arrays()), p_other=0.02)
    which = draw(st.sampled_from(POINTWISE + ["softmax", "log_softmax", "softmin", "threshold", "prelu",
                                              "rrelu", "softmax", "log_softmax"]))
    if which in ("softmax", "log_softmax", "softmin"):
        kwargs = {"dim": draw(st.one_of(st.integers(-6, 5), st.sampled_from([None, 2 ** 31, -(2 ** 63)])))}
        if draw(st.booleans()):
            kwargs["dtype"] = None
        return which, (x,), kwargs
    if which == "threshold":
        return which, (x, draw(st.floats(-2, 2)), draw(st.floats(-2, 2))), {}
    if which == "prelu":
        n = draw(st.integers(0, 6))
        dtype = x.array.dtype.name if isinstance(x, Arr) and x.array.dtype.kind == "f" else "float32"
        return which, (x, Arr(draw(arrays(shape=draw(st.sampled_from([(n,), (1,), (), (n, 1)])),
                                          dtypes=(dtype,), extra_dtypes=False)))), {}
    if which == "rrelu":      # training draws random slopes: evaluation mode only (deterministic)
        return which, (x,), {"lower": draw(st.floats(0, 0.5)), "upper": draw(st.floats(0, 0.5)),
                             "training": False}
    kwargs = {}
    if which in ("elu", "celu"):
        kwargs["alpha"] = draw(st.sampled_from([1.0, 0.5, 0.0, -1.0]))
    if which in ("hardshrink", "softshrink"):
        kwargs["lambd"] = draw(st.sampled_from([0.5, 0.0, -0.5, 2.0]))
    if which == "hardtanh":
        kwargs["min_val"], kwargs["max_val"] = draw(st.sampled_from([(-1.0, 1.0), (0.0, 0.5), (1.0, -1.0)]))
    if which == "leaky_relu":
        kwargs["negative_slope"] = draw(st.sampled_from([0.01, 0.0, -0.5, 2.0]))
    if which == "gelu":
        kwargs["approximate"] = draw(st.sampled_from(["none", "tanh", "bogus"]))
    if which == "softplus":
        kwargs["beta"], kwargs["threshold"] = draw(st.sampled_from([(1.0, 20.0), (2.0, 1.0), (0.5, 0.0)]))
    return which, (x,), kwargs


# ----------------------------------------------------------------- dropout
@st.composite
def dropout(draw):
    # dropout's mask is random and the generators differ: only draws whose result is determined are compared
    # (training off, or p in {0, 1}); p outside [0, 1] and non-numbers must be refused.
    op = draw(st.sampled_from(["dropout", "dropout1d", "dropout2d", "dropout3d"]))
    extra = draw(st.integers(0, 3)) == 0
    x = _as_arg(draw, draw(arrays(extra_dtypes=extra)), p_other=0.02)
    valid = [0.0, 1.0, 0.5, 0.0, 1.0]
    p = draw(st.sampled_from(valid + [-0.1, 1.1, float("nan"), float("inf"), 2 ** 63, "0.5", None]
                             if draw(st.booleans()) else valid))
    training = draw(st.booleans()) if p in (0.0, 1.0) or not isinstance(p, float) or not 0 < p < 1 else False
    return op, (x,), {"p": p, "training": training}


# ----------------------------------------------------------------- normalization
def _wide_normalization(draw):
    """The whole space, mostly invalid: any input, parameters of about the right size."""
    op = draw(st.sampled_from(["batch_norm", "layer_norm", "group_norm", "instance_norm"]))
    x = draw(arrays(max_rank=4, max_side=4))
    xa = _as_arg(draw, x, p_other=0.02)
    c = x.shape[1] if x.ndim > 1 else (x.shape[0] if x.ndim else 1)
    dtype = x.dtype.name if x.dtype.kind == "f" else "float32"

    # mis-sized parameters only with a non-empty input: torch skips the size checks of weight/bias/running
    # stats when the input is empty (batch_norm of a (0, 1) input takes a bias of 2 elements); refnn refuses
    grow = [0, 0, 0, 0, 1] if x.size else [0]

    def vec(n):     # (and other dtypes only with a non-empty input, for the same reason)
        a = draw(arrays(shape=(n + draw(st.sampled_from(grow)),), dtypes=(dtype,),
                        extra_dtypes=x.size > 0 and draw(st.integers(0, 15)) == 0))
        a[~np.isfinite(a)] = 1      # finite parameters: see param() in normalization() below
        return Arr(a)

    def running_var(n):
        a = np.abs(draw(arrays(shape=(n + draw(st.sampled_from(grow)),), dtypes=(dtype,),
                               extra_dtypes=False)))
        a[~np.isfinite(a) | (a == 0)] = 0.5
        return Arr(a)

    eps = draw(st.sampled_from([1e-5, 1e-3, 0.0]))
    if op == "batch_norm":
        training = draw(st.booleans())
        rm = vec(c) if not training or draw(st.booleans()) else None
        rv = running_var(c) if rm is not None else None
        return op, (xa, rm, rv), {"weight": (vec(c) if draw(st.booleans()) else None),
                                  "bias": (vec(c) if draw(st.booleans()) else None), "training": training,
                                  "momentum": draw(st.sampled_from([0.1, 0.0, 1.0])), "eps": eps}
    if op == "instance_norm":
        use_input_stats = draw(st.booleans())
        rm = vec(c) if draw(st.booleans()) or not use_input_stats else None
        rv = running_var(c) if rm is not None else None
        return op, (xa,), {"running_mean": rm, "running_var": rv,
                           "weight": (vec(c) if draw(st.booleans()) else None),
                           "bias": (vec(c) if draw(st.booleans()) else None), "use_input_stats": use_input_stats,
                           "momentum": 0.1, "eps": eps}
    if op == "layer_norm":
        k = draw(st.integers(0, max(x.ndim, 0) + 1))
        normalized = tuple(x.shape[x.ndim - k:]) if k <= x.ndim else (1,) * k
        if draw(st.integers(0, 6)) == 0:
            normalized = tuple(draw(st.lists(st.sampled_from([0, 1, 3, -1, 2 ** 31]), max_size=3)))
        wshape = normalized if draw(st.integers(0, 8)) else normalized + (1,)
        weight = Arr(draw(arrays(shape=wshape, dtypes=(dtype,), extra_dtypes=False))) if draw(st.booleans()) \
            and all(0 <= n < 10 for n in wshape) else None
        bias = Arr(draw(arrays(shape=wshape, dtypes=(dtype,), extra_dtypes=False))) if weight is not None \
            and draw(st.booleans()) else None
        return op, (xa, normalized), {"weight": weight, "bias": bias, "eps": eps}
    groups = draw(st.one_of(st.integers(-1, 4), st.sampled_from([2 ** 31, 2 ** 63 - 1])))
    return op, (xa, groups), {"weight": (vec(c) if draw(st.booleans()) else None),
                              "bias": (vec(c) if draw(st.booleans()) else None), "eps": eps}


@st.composite
def normalization(draw):
    region = _region(draw)
    if region == "wide":
        return _wide_normalization(draw)
    op = draw(st.sampled_from(["batch_norm", "instance_norm", "layer_norm", "group_norm"]))
    dtype = draw(SHAPE_FLOATS)
    perturbations = {"batch_norm": ["stats", "training", "momentum"], "instance_norm": ["stats", "training"],
                     "layer_norm": ["normalized_shape"] * 3, "group_norm": ["groups"] * 2}[op]
    what = draw(st.sampled_from(perturbations + ["rank", "zero", "input_dtype", "param_dtype", "param_size",
                                                 "param_size", "tensor", "eps"])) \
        if region == "perturbed" else None
    n = draw(st.sampled_from([1, 2, 3, 2, 0]))
    spatial = tuple(_side(draw, zero=False) for _ in range(draw(st.integers(
        1 if op == "instance_norm" else 0, 2))))
    groups = draw(st.integers(1, 3))
    c = groups * draw(st.integers(1, 2)) if op == "group_norm" else draw(st.integers(1, 3))
    training = draw(st.booleans())       # batch_norm's training, instance_norm's use_input_stats
    # training needs more than one value per channel (per (sample, channel) for instance_norm, per
    # (sample, group) for group_norm), and the valid region gives every statistic row at least 3 elements:
    # torch computes y = x * (rstd * w) + (b - mean * rstd * w), whose cancellation leaves a rounding noise of
    # about ulp(|mean| * rstd); for a row whose spread is tiny against its mean (one element, or two close
    # ones: rstd near eps ** -0.5) that noise passes float32's atol of 1e-5 (1.4e-5 seen), where refnn's
    # (x - mean) * rstd * w stays exact.  Matching it would mean copying torch's kernel formula and rounding.
    if op == "batch_norm" and training and 0 < n * int(np.prod(spatial)) < 3:
        n = 3
    if op == "instance_norm" and int(np.prod(spatial)) < 3:
        spatial = spatial[:-1] + (3,)
    if op == "group_norm" and c // groups * int(np.prod(spatial)) < 3:
        spatial = (3,) + spatial[1:]
    if what == "training":      # one value per channel while training
        training, n, spatial = True, 1, (1,) * len(spatial)
    shape = (n, c) + spatial
    if op == "layer_norm":
        shape = tuple(_side(draw) for _ in range(draw(st.integers(1, 4))))
        k = draw(st.integers(1, len(shape)))
        if 0 < int(np.prod(shape[-k:])) < 3:       # rows of 3 elements or more (see above)
            shape = shape[:-1] + (3,)
    if what == "zero":
        axis = draw(st.integers(0, len(shape) - 1))
        shape = shape[:axis] + (0,) + shape[axis + 1:]
    if what == "rank":
        shape = shape[len(shape) - draw(st.integers(0, 1)):] if draw(st.integers(0, 2)) else shape + (2,)
    if what == "input_dtype":      # (instance_norm: not the other float dtype, see its running buffers below)
        other = draw(st.sampled_from(["float16", "int64", "bool"])) if op == "instance_norm" \
            else _other_dtype(draw, dtype)
        x = draw(arrays(shape=shape, dtypes=(other,), extra_dtypes=False))
    else:
        x = _floats(draw, shape, dtype)
    channels = shape[1] if len(shape) > 1 else (shape[0] if shape else 1)

    def param(size, running_var=False):
        # finite values only: torch folds the affine into y = x * a + (b - mean * a) with a = rstd * weight, so an
        # infinite weight gives inf - inf = NaN where refnn's (x - mean) * a + b gives +-inf; matching that
        # means torch's folded formula in the kernel (the normalization kernels are being reworked elsewhere)
        # (and no zero running variance, which with eps=0 makes rstd infinite: the same difference)
        array = _floats(draw, size, dtype)
        array[~np.isfinite(array) | (running_var & (array == 0))] = 0.5
        return Arr(np.abs(array) if running_var else array)

    weight_shape = (channels,)
    if op == "layer_norm":
        k = min(k, len(shape))
        normalized = tuple(shape[len(shape) - k:])
        weight_shape = normalized
    params = {"weight": param(weight_shape) if draw(st.booleans()) else None,
              "bias": param(weight_shape) if draw(st.booleans()) else None}
    if op == "instance_norm" and (n == 0 or c == 0) and what is None:
        params = {"weight": None, "bias": None}     # refused by both (weight repeated per sample)
    if op in ("batch_norm", "instance_norm"):
        present = not training or draw(st.booleans())
        params["running_mean"] = param((channels,)) if present else None
        params["running_var"] = param((channels,), running_var=True) if present else None
        if what == "stats":
            drop = draw(st.sampled_from([["running_mean"], ["running_var"], ["running_mean", "running_var"]]))
            params.update({name: None for name in drop})
    # mis-sized or mixed-dtype parameters only with a non-empty input: torch skips the size and dtype
    # checks of weight/bias/running stats when the input is empty (batch_norm of a (0, 1) input takes a
    # bias of 2 elements); refnn refuses
    if what in ("param_dtype", "param_size") and x.size:
        # instance_norm's running buffers keep their dtype: torch accepts a running_mean of any dtype (and then
        # a running_var of any dtype too), refusing only a lone mismatched running_var in a kernel's dtype
        # check; refnn refuses a running buffer whose dtype is not the input's
        name = draw(st.sampled_from(sorted(k for k in params if params[k] is not None or k in ("weight", "bias"))
                                    if what == "param_size" or op != "instance_norm" else ["bias", "weight"]))
        size = params[name].array.shape if params[name] is not None else weight_shape
        if what == "param_dtype":
            other = _other_dtype(draw, dtype)
            params[name] = Arr(draw(arrays(shape=size, dtypes=(other,), extra_dtypes=False)))
        else:
            # (not batch_norm's weight or bias as (C, 1): torch's contiguous-input kernel takes it, its strided
            # kernel fails an internal assert (t.dim() == 1), so the outcome depends on the input's memory layout)
            sizes = [size[:-1] + (size[-1] + 1,) if size else (1,), (2,) + size]
            if not (op == "batch_norm" and name in ("weight", "bias")):
                sizes += [size + (1,), size[1:]]
            elif int(np.prod(size[1:])) != int(np.prod(size)):      # (a 0-d weight for C = 1 likewise)
                sizes.append(size[1:])
            size = draw(st.sampled_from(sizes))
            params[name] = param(size)
    if what == "tensor":
        name = draw(st.sampled_from(["input"] + [k for k, v in params.items() if v is not None]))
        if name != "input":
            params[name] = _not_a_tensor(draw, params[name].array)
    xa = _not_a_tensor(draw, x) if what == "tensor" and name == "input" else Arr(x)

    eps = draw(st.sampled_from([1e-5, 1e-5, 1e-3, 0.5] + ([] if op == "batch_norm" and training else [0.0])))
    if what == "eps":
        eps = draw(st.sampled_from(BAD_SCALARS))
    if op == "batch_norm":
        momentum = draw(st.sampled_from([0.1, 0.1, 0.0, 1.0, 0.5]))
        if what == "momentum":
            momentum = draw(st.sampled_from(BAD_SCALARS))
        if what == "training" and draw(st.booleans()):
            training = draw(st.sampled_from([1, 0, None, "yes"]))
        return op, (xa, params.pop("running_mean"), params.pop("running_var")), dict(
            params, training=training, momentum=momentum, eps=eps)
    if op == "instance_norm":
        if what == "training" and draw(st.booleans()):
            training = draw(st.sampled_from([1, 0, None, "yes"]))
        return op, (xa,), dict(params, use_input_stats=training, momentum=draw(st.sampled_from([0.1, 0.0, 1.0])),
                               eps=eps)
    if op == "layer_norm":
        normalized = draw(st.sampled_from([tuple, list]))(normalized)
        if what == "normalized_shape":
            normalized = draw(st.sampled_from([
                normalized[1:], (2,) + tuple(normalized), tuple(normalized[:-1]) + (normalized[-1] + 1,),
                (-1,), (0,), (2 ** 31,), (2 ** 63,), (-(2 ** 63) - 1,), (True,), (1.0,), channels, None, "3"]))
        return op, (xa, normalized), dict(params, eps=eps)
    if what == "groups":
        groups = draw(st.sampled_from([0, -1, c + 1, 2 * c, 2 ** 31, 2 ** 63 - 1, 2 ** 63, -(2 ** 63) - 1, 1.0,
                                       True, None]))
    return op, (xa, groups), dict(params, eps=eps)


# ----------------------------------------------------------------- interpolation
_MODE_RANK = {"nearest": (3, 4, 5), "nearest-exact": (3, 4, 5), "area": (3, 4, 5), "linear": (3,),
              "bilinear": (4,), "bicubic": (4,), "trilinear": (5,)}


@st.composite
def interpolation(draw):
    if draw(st.booleans()):     # the valid region: a mode with its rank, one of size / scale_factor
        mode = draw(st.sampled_from(sorted(_MODE_RANK)))
        rank = draw(st.sampled_from(_MODE_RANK[mode]))
        side = 3 if rank == 5 else 4
        shape = (draw(st.integers(0, 2)), draw(st.integers(1, 2))) + tuple(
            draw(st.lists(st.integers(1, side), min_size=rank - 2, max_size=rank - 2)))
        x = Arr(draw(arrays(shape=shape, extra_dtypes=False)))
        kwargs = {"mode": mode}
        if draw(st.booleans()):
            kwargs["size"] = draw(st.lists(st.integers(1, 5), min_size=rank - 2, max_size=rank - 2).map(tuple))
        else:
            kwargs["scale_factor"] = draw(st.sampled_from([0.5, 1.0, 1.5, 2.0, 0.75]))
            kwargs["recompute_scale_factor"] = draw(st.sampled_from([None, True, False]))
        if mode in ("linear", "bilinear", "bicubic", "trilinear"):
            kwargs["align_corners"] = draw(st.sampled_from([None, True, False]))
        if draw(st.integers(0, 4)) == 0 and mode != "area":   # one huge output: refused by both
            # (not in area mode: torch hands the huge size to adaptive_avg_pool, failing in its argument
            # unpacking with a class that depends on the size; refnn refuses it with RuntimeError)
            kwargs.pop("size", None)
            kwargs["scale_factor"] = draw(st.sampled_from([2.0 ** 40, 1e30, float("inf")]))
            if shape[0] == 0:
                x = Arr(draw(arrays(shape=(1,) + shape[1:], extra_dtypes=False)))
        return "interpolate", (_finite_float64_weighted(x, mode),), kwargs
    rank = draw(st.sampled_from([3, 4, 4, 2, 5]))
    x = draw(arrays(shape=tuple(draw(st.lists(st.integers(0, 4), min_size=rank, max_size=rank)))))
    mode = draw(st.sampled_from(["nearest", "nearest-exact", "linear", "bilinear", "bicubic", "area",
                                 "trilinear", "bogus"]))
    dims = max(rank - 2, 1)
    kwargs = {"mode": mode}
    # valid sizes/scales are small; huge ones (>= 2**40 elements) must be refused, never allocated
    size_el = st.one_of(st.integers(-1, 6), st.sampled_from([2 ** 40, 2 ** 63 - 1, 2 ** 63]))
    scale_el = st.one_of(st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0, 0.0, -1.0]),
                         st.sampled_from([2.0 ** 40, 1e30, float("inf"), float("nan")]))
    which = draw(st.sampled_from(["size", "scale", "both", "none"]))
    if which in ("size", "both"):
        kwargs["size"] = draw(st.one_of(size_el, st.lists(size_el, min_size=dims, max_size=dims).map(tuple),
                                        st.lists(size_el, min_size=1, max_size=dims + 1).map(tuple)))
    if which in ("scale", "both"):
        kwargs["scale_factor"] = draw(st.one_of(scale_el, st.lists(scale_el, min_size=dims,
                                                                   max_size=dims + 1).map(tuple)))
        kwargs["recompute_scale_factor"] = draw(st.sampled_from([None, True, False]))
    if mode in ("linear", "bilinear", "bicubic", "trilinear") or draw(st.integers(0, 5)) == 0:
        kwargs["align_corners"] = draw(st.sampled_from([None, True, False]))
    x = _finite_float64_weighted(Arr(x), mode).array
    return "interpolate", (_as_arg(draw, x, p_other=0.02),), kwargs


def _finite_float64_weighted(x, mode):
    """A float64 input of a weighted mode without NaN/inf.  torch's AVX2 build computes the source index
    ``scale * (i + 0.5) - 0.5`` with a fused multiply-add, so where the exact index is a whole number its
    weight is a tiny nonzero instead of 0, and an inf there stays inf (inf * 1 + inf * 3e-17) where refnn,
    which never contracts (-ffp-contract=off), gives inf * 1 + inf * 0 = NaN.  Finite values agree within
    the tolerance; float32 indices are not affected (their rounding leaves the weight nonzero both ways)."""
    if (mode not in ("linear", "bilinear", "bicubic", "trilinear") or x.array.dtype != np.float64
            or np.isfinite(x.array).all()):
        return x
    return Arr(np.nan_to_num(x.array, nan=0.5, posinf=2.0, neginf=-2.0))


# ----------------------------------------------------------------- pixel shuffle
def _wide_pixelshuffle(draw):
    """The whole space, mostly invalid: any input and factor."""
    op = draw(st.sampled_from(["pixel_shuffle", "pixel_unshuffle"]))
    x = draw(arrays(max_rank=5, max_side=4))
    if draw(st.booleans()):       # shapes that divide: channels a multiple of r*r, spatial multiple of r
        r = draw(st.integers(1, 2))
        shape = (draw(st.integers(0, 2)), r * r * draw(st.integers(0, 2)), r * draw(st.integers(0, 2)),
                 r * draw(st.integers(0, 2)))
        x = draw(arrays(shape=shape))
    factor = draw(st.one_of(st.integers(-1, 3), st.sampled_from([1.0, True])))
    if x.size:
        # huge factors only with a non-empty input (then invalid): for an empty input torch returns an empty
        # tensor of shape (.., H*r, W*r) that NumPy cannot represent when the other dims overflow
        factor = draw(st.one_of(st.just(factor), st.sampled_from([2 ** 31, 2 ** 62])))
    return op, (_as_arg(draw, x, p_other=0.02), factor), {}


@st.composite
def pixelshuffle(draw):
    region = _region(draw)
    if region == "wide":
        return _wide_pixelshuffle(draw)
    op = draw(st.sampled_from(["pixel_shuffle", "pixel_unshuffle"]))
    factor = draw(st.sampled_from([1, 2, 2, 3]))
    lead = tuple(draw(st.lists(st.sampled_from([1, 2, 1, 2, 0]), max_size=2)))       # rank 3 to 5
    if op == "pixel_shuffle":
        shape = lead + (factor * factor * draw(st.sampled_from([1, 2, 1, 0])), _side(draw), _side(draw))
    else:
        shape = lead + (_side(draw), factor * draw(st.sampled_from([1, 2, 1, 0])),
                        factor * draw(st.sampled_from([1, 2, 1, 0])))
    dtype = draw(st.sampled_from(["float32", "float64"] * 3 + ["int64", "bool"]))    # refnn permutes any
    what = draw(st.sampled_from(["factor", "factor", "factor", "rank", "size", "size", "dtype", "tensor"])) \
        if region == "perturbed" else None
    if what == "rank":
        shape = shape[len(shape) - draw(st.integers(0, 2)):]
    if what == "size":
        axis = -3 if op == "pixel_shuffle" else draw(st.sampled_from([-2, -1]))
        shape = shape[:axis] + (shape[axis] + draw(st.integers(1, 2)),) + (shape[axis + 1:] if axis < -1 else ())
    if what == "dtype":
        dtype = "float16"
    x = draw(arrays(shape=shape, dtypes=(dtype,), extra_dtypes=False)) if dtype in ("int64", "bool", "float16") \
        else _floats(draw, shape, dtype)
    if what == "factor":
        bad = [0, -1, -2, -(2 ** 31), 1.0, 2.0, True, None, "2"]
        if x.size:
            # huge factors only with a non-empty input (then invalid): for an empty input torch returns an
            # empty tensor of shape (.., H*r, W*r) that NumPy cannot represent when the other dims overflow
            bad += [2 ** 31, 2 ** 62, 2 ** 63 - 1, -(2 ** 63), 2 ** 63, -(2 ** 63) - 1]
        factor = draw(st.sampled_from(bad))
    return op, (_not_a_tensor(draw, x) if what == "tensor" else Arr(x), factor), {}


# ----------------------------------------------------------------- loss
@st.composite
def loss(draw):
    op = draw(st.sampled_from(["nll_loss", "cross_entropy", "mse_loss", "l1_loss", "binary_cross_entropy",
                               "binary_cross_entropy_with_logits"]))
    valid = draw(st.booleans())
    if valid:     # the valid region: float input (N, C, *) with C >= 1, targets in range, a known reduction
        x = draw(arrays(shape=(draw(st.integers(1, 3)), draw(st.integers(1, 3))) + tuple(
            draw(st.lists(st.integers(1, 3), max_size=2))), extra_dtypes=False))
    else:
        x = draw(arrays(max_rank=4, max_side=4))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    reduction = draw(st.sampled_from(["mean", "sum", "none"] if valid else ["mean", "sum", "none", "bogus"]))
    dtype = x.dtype.name if x.dtype.kind == "f" else "float32"
    if op in ("nll_loss", "cross_entropy"):
        c = x.shape[1] if x.ndim > 1 else (x.shape[0] if x.ndim else 1)
        tshape = (x.shape[:1] + x.shape[2:]) if x.ndim > 1 else ()
        if not valid and draw(st.integers(0, 6)) == 0:
            tshape = tuple(draw(st.lists(st.integers(0, 3), max_size=4)))
        if op == "cross_entropy" and draw(st.integers(0, 3)) == 0:     # class probabilities
            target = Arr(draw(arrays(shape=x.shape, dtypes=(dtype,), extra_dtypes=False)))
        else:
            t = rng.integers(0, max(c, 1), size=tshape)
            if t.size and draw(st.booleans()):
                t.reshape(-1)[rng.integers(0, t.size)] = draw(st.sampled_from(
                    [-100, -100, -1, c, c + 5, 2 ** 31, -(2 ** 63)]))
            if valid:
                target = Arr(t)
            else:
                target = Arr(t.astype(draw(st.sampled_from(["int64", "int64", "int64", "int32", "float32",
                                                            "uint8"]))) if t.min(initial=0) >= 0 else t)
        kwargs = {"reduction": reduction, "ignore_index": draw(st.sampled_from([-100, -100, -1, 0, 1, 2 ** 63 - 1]))}
        if draw(st.booleans()):
            kwargs["weight"] = Arr(np.abs(draw(arrays(shape=(c + draw(st.sampled_from([0, 0, 0, 1])),),
                                                      dtypes=(dtype,), extra_dtypes=False))))
        if op == "cross_entropy":
            kwargs["label_smoothing"] = draw(st.sampled_from([0.0, 0.1, 1.0, -0.1, 1.5]))
        return op, (_as_arg(draw, x, p_other=0.02), target), kwargs
    tshape = x.shape if valid or draw(st.integers(0, 4)) else tuple(draw(st.lists(st.integers(0, 3), max_size=4)))
    if op == "binary_cross_entropy":
        x = rng.random(x.shape).astype(x.dtype) if x.dtype.kind == "f" else x
        target = Arr(rng.random(tshape).astype(draw(st.sampled_from([dtype] if valid else
                                                                    [dtype, dtype, "float64", "int64"]))))
    else:
        target = Arr(draw(arrays(shape=tshape, dtypes=(dtype,), extra_dtypes=not valid)))
    kwargs = {"reduction": reduction}
    if op == "binary_cross_entropy" and draw(st.booleans()):
        kwargs["weight"] = Arr(draw(arrays(shape=draw(st.sampled_from([x.shape, x.shape[-1:], (7,)])),
                                           dtypes=(dtype,), extra_dtypes=False)))
    if op == "binary_cross_entropy_with_logits" and draw(st.booleans()):
        kwargs["pos_weight"] = Arr(draw(arrays(shape=draw(st.sampled_from([x.shape[-1:], (7,)])),
                                               dtypes=(dtype,), extra_dtypes=False)))
    return op, (_as_arg(draw, x, p_other=0.02), target), kwargs


# ----------------------------------------------------------------- distance
def _wide_distance(draw):
    """The whole space, mostly invalid: any pair of inputs, arguments in and out of range."""
    op = draw(st.sampled_from(["pairwise_distance", "cosine_similarity"]))
    a = draw(arrays(max_rank=4, max_side=4))
    bshape = a.shape if draw(st.integers(0, 3)) else tuple(draw(st.lists(st.integers(0, 4), max_size=4)))
    if draw(st.integers(0, 4)) == 0 and bshape:
        bshape = tuple(1 if draw(st.booleans()) else n for n in bshape)       # broadcasting
    dtype = a.dtype.name if a.dtype.kind == "f" else "float32"
    b = draw(arrays(shape=bshape, dtypes=(dtype,)))
    if op == "pairwise_distance":
        kwargs = {"p": draw(st.sampled_from([2.0, 1.0, 0.0, 3.0, float("inf"), -1.0, 0.5])),
                  "eps": draw(st.sampled_from([1e-6, 0.0])), "keepdim": draw(st.booleans())}
    else:
        kwargs = {"dim": draw(st.one_of(st.integers(-5, 4), st.sampled_from([2 ** 31]))),
                  "eps": draw(st.sampled_from([1e-8, 0.0, 1.0]))}
    return op, (_as_arg(draw, a, p_other=0.02), _as_arg(draw, b, p_other=0.02)), kwargs


def _broadcasting(draw, shape):
    """A shape that broadcasts to ``shape``: some sizes set to 1, sometimes leading dims dropped."""
    shape = tuple(1 if draw(st.integers(0, 3)) == 0 else n for n in shape)
    return shape[draw(st.integers(0, len(shape))):] if draw(st.integers(0, 3)) == 0 else shape


@st.composite
def distance(draw):
    region = _region(draw)
    if region == "wide":
        return _wide_distance(draw)
    op = draw(st.sampled_from(["pairwise_distance", "cosine_similarity"]))
    dtypes = [draw(SHAPE_FLOATS)] * 2
    shape = tuple(_side(draw) for _ in range(draw(st.sampled_from([0, 1, 2, 2, 2, 3, 3, 4]))))
    shapes = [shape, shape]
    if draw(st.integers(0, 2)) == 0:       # broadcasting
        shapes = [_broadcasting(draw, shape), _broadcasting(draw, shape)]
    rank = max(len(shapes[0]), len(shapes[1]), 1)
    if op == "pairwise_distance":
        kwargs = {"p": draw(st.sampled_from([2.0, 2.0, 1.0, 0.0, 3.0, 1.5, 0.5, float("inf"), float("-inf"), -1.0])),
                  "eps": draw(st.sampled_from([1e-6, 1e-6, 0.0, 0.1])), "keepdim": draw(st.booleans())}
    else:
        kwargs = {"dim": draw(st.integers(-rank, rank - 1)), "eps": draw(st.sampled_from([1e-8, 1e-8, 0.0, 0.5]))}
        if rank >= 2 and draw(st.integers(0, 3)) == 0:
            del kwargs["dim"]       # the default, dim=1
    what = draw(st.sampled_from(["dtype", "dtype", "shape", "tensor", "kwarg", "kwarg", "kwarg"])) \
        if region == "perturbed" else None
    side = draw(st.integers(0, 1))      # which input is perturbed
    if what == "dtype":
        dtypes[side] = _other_dtype(draw, dtypes[side])
    if what == "shape":
        if shapes[side] and draw(st.booleans()):
            shapes[side] = shapes[side][:-1] + (shapes[side][-1] + draw(st.integers(1, 2)),)
        else:
            shapes[side] = tuple(draw(st.lists(st.integers(0, 4), max_size=4)))
    pair = [draw(arrays(shape=s, dtypes=(d,), extra_dtypes=False)) if d not in ("float32", "float64")
            else _floats(draw, s, d) for s, d in zip(shapes, dtypes)]
    args = [Arr(a) for a in pair]
    if what == "tensor":
        args[side] = _not_a_tensor(draw, pair[side])
    if what == "kwarg":
        name = draw(st.sampled_from(sorted(kwargs) + (["dim"] if op == "cosine_similarity" else [])))
        if name == "dim":
            kwargs[name] = draw(st.sampled_from(EDGE_INTS + [rank, -rank - 1, 2 ** 63, True, 1.0, None]))
        elif name == "keepdim":
            kwargs[name] = draw(st.sampled_from([1, 0, None, "yes"]))
        else:
            kwargs[name] = draw(st.sampled_from(BAD_SCALARS + [2, 1e308, -1e-3]))
    return op, tuple(args), kwargs


# ----------------------------------------------------------------- attention
@st.composite
def attention(draw):
    rank = draw(st.sampled_from([3, 4, 4, 2, 1]))
    lead = tuple(draw(st.lists(st.integers(0, 2), min_size=rank - 2, max_size=rank - 2))) if rank > 2 else ()
    length, source, e, ev = (draw(st.integers(0, 4)) for _ in range(4))
    dtype = draw(st.sampled_from(["float32", "float64"]))

    def tensor(shape):
        # sometimes a mismatched last dimension (with empty operands too: torch then returns before its
        # shape checks, and refnn must do the same)
        if draw(st.integers(0, 10)) == 0 and shape:
            shape = shape[:-1] + (shape[-1] + 1,)
        return Arr(draw(arrays(shape=shape, dtypes=(dtype,), extra_dtypes=draw(st.integers(0, 10)) == 0)))

    q = tensor(lead + (length, e) if rank >= 2 else (e,))
    # grouped-query attention: key and value with their own (non-zero) head counts
    gqa = rank >= 3 and lead[-1] > 0 and draw(st.integers(0, 4)) == 0
    kv_lead = lead[:-1] + (draw(st.sampled_from([1, 2, lead[-1]])),) if gqa else lead
    k = tensor(kv_lead + (source, e) if rank >= 2 else (e,))
    v = tensor(kv_lead + (source, ev) if rank >= 2 else (ev,))
    kwargs = {"is_causal": draw(st.booleans()), "scale": draw(st.sampled_from([None, 0.5, 0.0, -1.0, 1e-30])),
              "dropout_p": draw(st.sampled_from([0.0, 0.0, 0.0, -0.5]))}
    if gqa:
        kwargs["enable_gqa"] = True
    # the mask's rank (0-d to 4-d+) decides torch's path: 2-d and 4-d masks keep 4-d inputs on the fused
    # kernel (which also takes a mask with is_causal), others send them to the math path (which refuses
    # that pair), and 0-d/1-d masks make the fused gate raise IndexError
    if draw(st.booleans()):
        mshape = draw(st.sampled_from([(length, source), (1, source), (length, source + 1),
                                       lead + (length, source), (source,), (), (1, length, source),
                                       (1,) * len(lead) + (length, 1)]))
        mask = np.random.default_rng(draw(st.integers(0, 2 ** 32))).random(mshape) < 0.7
        kwargs["attn_mask"] = Arr(mask if draw(st.booleans()) else
                                  draw(arrays(shape=mshape, dtypes=(dtype,), extra_dtypes=False)))
    return "scaled_dot_product_attention", (q, k, v), kwargs


# ----------------------------------------------------------------- lp and fractional max pooling
@st.composite
def lp_fractional(draw):
    """LP pooling (any norm type, inf included) and fractional max pooling with given _random_samples (the
    same windows in both libraries), in the valid region half of the time, else anything."""
    fractional = draw(st.booleans())
    dims = draw(st.sampled_from([2, 3] if fractional else [1, 2, 3]))
    valid = draw(st.booleans())
    if valid:
        lead = draw(st.sampled_from([(), (1,), (2,), (0,)]))
        x = Arr(draw(arrays(shape=lead + (draw(st.integers(1, 2)),) + tuple(
            draw(st.lists(st.integers(2, 5), min_size=dims, max_size=dims))), extra_dtypes=False)))
    else:
        x = _spatial_input(draw, dims)
    if not fractional:
        kernel = draw(st.integers(1, 2)) if valid else _int_arg(draw, dims, 0, 3)
        if dims == 1 and not isinstance(kernel, int):
            kernel = 2
        kwargs = {"norm_type": draw(st.sampled_from([1, 2, 2.0, 3, 1.5, 0.5, -1.0, float("inf"), float("-inf")])),
                  "kernel_size": kernel, "stride": draw(st.sampled_from([None, 1, 2])),
                  "ceil_mode": draw(st.booleans())}
        return "lp_pool%dd" % dims, (x,), kwargs
    shape = x.array.shape if isinstance(x, Arr) else (1, 1) + (4,) * dims
    batch = shape[0] if len(shape) == dims + 2 else 1
    channels = shape[-dims - 1] if len(shape) > dims else 1
    sshape = (batch + draw(st.sampled_from([0, 0, 0, 1, -1])), channels + draw(st.sampled_from([0, 0, 0, 1])),
              dims + draw(st.sampled_from([0, 0, 0, 0, -1])))
    samples = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1))).random(tuple(max(n, 0) for n in sshape))
    dtype = x.array.dtype.name if isinstance(x, Arr) and x.array.dtype.name in ("float32", "float64") else "float32"
    kwargs = {"kernel_size": draw(st.integers(1, 2)) if valid else _int_arg(draw, dims, 1, 3),
              "return_indices": draw(st.booleans()), "_random_samples": Arr(samples.astype(dtype))}
    if draw(st.booleans()):
        kwargs["output_size"] = draw(st.integers(1, 3)) if valid else _int_arg(draw, dims, 0, 4, p_edge=0)
    else:
        kwargs["output_ratio"] = draw(st.sampled_from([0.5, (0.5,) * dims, (0.3, 0.7, 0.6)[:dims]]))
    return "fractional_max_pool%dd" % dims, (x,), kwargs
# ----------------------------------------------------------------- embedding
def _indices(draw, shape, rows):
    """Indices mostly in [0, rows), sometimes one out of range or negative; int64, sometimes int32 or float."""
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    values = rng.integers(0, max(rows, 1), size=shape)
    if values.size and draw(st.integers(0, 9)) == 0:
        values.reshape(-1)[0] = draw(st.sampled_from([rows, -1, rows + 3, -rows - 1]))
    dtype = draw(st.sampled_from(["int64"] * 6 + ["int32", "int32", "float32", "int16"]))
    return values.astype(dtype)


@st.composite
def embedding(draw):
    """F.embedding, F.embedding_bag and F.one_hot.  embedding_bag's offsets start at 0 and never decrease, and
    never leave members outside every bag: torch's kernels crash or return unwritten memory there."""
    op = draw(st.sampled_from(["embedding", "embedding", "embedding_bag", "embedding_bag", "one_hot"]))
    rows, dim = draw(st.integers(1, 6)), draw(st.integers(0, 4))
    dtype = draw(SHAPE_FLOATS)
    weight = Arr(_floats(draw, draw(st.sampled_from([(rows, dim)] * 12 + [(rows,), (rows, dim, 1)])), dtype))
    if op == "one_hot":
        shape = tuple(draw(st.lists(st.integers(0, 3), max_size=3)))
        values = _indices(draw, shape, rows)
        kwargs = {"num_classes": draw(st.sampled_from([-1, -1, rows, rows + 2, 0, -2]))}
        return op, (Arr(values if draw(st.integers(0, 4)) else values.astype("int64")),), kwargs
    padding = draw(st.sampled_from([None, None, None, 0, rows - 1, -1, -rows, None, None, rows, -rows - 1]))
    if op == "embedding":
        shape = tuple(draw(st.lists(st.integers(0, 3), max_size=3)))
        kwargs = {"padding_idx": padding, "scale_grad_by_freq": draw(st.booleans())}
        if draw(st.integers(0, 3)) == 0:
            kwargs["max_norm"] = draw(st.sampled_from([1.0, 0.5, 100.0]))
            kwargs["norm_type"] = draw(st.sampled_from([2.0, 1.0, 3.0, float("inf")]))
        return op, (Arr(_indices(draw, shape, rows)), weight), kwargs
    mode = draw(st.sampled_from(["sum", "mean", "max"]))
    kwargs = {"mode": mode, "padding_idx": padding}
    if draw(st.booleans()):
        bags, length = draw(st.integers(0, 3)), draw(st.integers(0, 3))
        index = _indices(draw, (bags, length), rows)
        if bags and not length:
            return op, (Arr(index), weight), kwargs       # torch: step must be nonzero
        args = [Arr(index), weight]
    else:
        n = draw(st.integers(0, 6))
        index = _indices(draw, (n,), rows)
        cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
        include_last = draw(st.booleans()) and cuts and cuts[-1] == n
        offsets = [0] + cuts if (cuts or not include_last) else [0]
        if include_last and len(offsets) < 2:
            include_last = False
        kwargs["include_last_offset"] = bool(include_last)
        args = [Arr(index), weight, Arr(np.array(offsets, dtype=draw(st.sampled_from(["int64", "int32"]))))]
    if mode == "sum" and draw(st.integers(0, 2)) == 0:
        psw_dtype = dtype if draw(st.integers(0, 5)) else _other_dtype(draw, dtype)
        kwargs["per_sample_weights"] = Arr(_floats(draw, index.shape, psw_dtype) if psw_dtype in
                                           ("float32", "float64") else draw(arrays(shape=index.shape,
                                                                                  dtypes=(psw_dtype,))))
    if len(args) == 3:
        kwargs["offsets"] = args.pop()
    return op, tuple(args), kwargs


# ----------------------------------------------------------------- small layers
@st.composite
def layers_misc(draw):
    """glu, bilinear, normalize, rms_norm, local_response_norm and pdist, valid and perturbed."""
    op = draw(st.sampled_from(["glu", "bilinear", "normalize", "rms_norm", "local_response_norm", "pdist"]))
    dtype = draw(SHAPE_FLOATS)
    wide = draw(st.integers(0, 5)) == 0
    if op == "bilinear":
        n, i, j, o = (draw(st.integers(0, 3)) for _ in range(4))
        shapes = [(n, i), (n, j), (o, i, j), (o,)]
        if wide:
            k = draw(st.integers(0, 3))
            shapes[k] = tuple(draw(st.lists(st.integers(0, 3), max_size=3)))
        args = [Arr(_floats(draw, s, dtype)) for s in shapes]
        return op, tuple(args[:3] if draw(st.booleans()) else args), {}
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=0 if wide else 2, max_size=4)))
    x = Arr(_floats(draw, shape, dtype) if not wide else draw(arrays(shape=shape)))
    rank = max(len(shape), 1)
    if op == "glu":
        return op, (x,), {"dim": draw(st.integers(-rank - 1, rank))}
    if op == "normalize":
        return op, (x,), {"p": draw(st.sampled_from([2.0, 1.0, 3.0, float("inf"), 0.5])),
                          "dim": draw(st.integers(-rank - 1, rank)), "eps": draw(st.sampled_from([1e-12, 0.5]))}
    if op == "rms_norm":
        k = draw(st.integers(0, len(shape)))
        normalized = list(shape[len(shape) - k:]) if draw(st.integers(0, 4)) else [draw(st.integers(0, 3))]
        args = [x, normalized]
        if draw(st.booleans()):
            args.append(Arr(_floats(draw, tuple(normalized) if draw(st.integers(0, 4)) else (7,), dtype)))
        return op, tuple(args), {"eps": draw(st.sampled_from([None, 1e-5, 0.0]))}
    if op == "local_response_norm":
        return op, (x, draw(st.integers(1, 6))), {"alpha": draw(st.sampled_from([1e-4, 0.5])),
                                                  "beta": draw(st.sampled_from([0.75, 0.5])),
                                                  "k": draw(st.sampled_from([1.0, 2.0]))}
    return op, (x,), {"p": draw(st.sampled_from([2.0, 1.0, 0.0, 0.5, 3.0, float("inf"), -1.0]))}
# ----------------------------------------------------------------- the other losses (regression, margin, CTC)
def _loss_pair(draw, valid):
    """An input and a same-dtype target (mostly the same shape; sometimes a broadcast or a wrong one)."""
    if valid:
        shape = tuple(draw(st.lists(st.integers(0, 3), max_size=3)))
        x = draw(arrays(shape=shape, extra_dtypes=False))
    else:
        x = draw(arrays(max_rank=4, max_side=4))
    dtype = x.dtype.name
    tshape = x.shape
    if draw(st.integers(0, 3)) == 0:
        tshape = tuple(1 if draw(st.booleans()) else n for n in x.shape[draw(st.integers(0, max(x.ndim, 0))):])
    if not valid and draw(st.integers(0, 5)) == 0:
        tshape = tuple(draw(st.lists(st.integers(0, 3), max_size=4)))
    return x, draw(arrays(shape=tshape, dtypes=(dtype,), extra_dtypes=False)), dtype


@st.composite
def loss_regression(draw):
    op = draw(st.sampled_from(["kl_div", "smooth_l1_loss", "huber_loss", "poisson_nll_loss", "gaussian_nll_loss"]))
    valid = draw(st.booleans())
    x, t, dtype = _loss_pair(draw, valid)
    reduction = draw(st.sampled_from(["mean", "sum", "none"] if valid else ["mean", "sum", "none", "bogus"]))
    kwargs = {"reduction": reduction}
    if op == "kl_div":
        kwargs["log_target"] = draw(st.booleans())
        if draw(st.booleans()):
            kwargs["reduction"] = "batchmean"
        if not kwargs["log_target"]:
            t = np.abs(t) if t.dtype.kind == "f" else t
    elif op == "smooth_l1_loss":
        kwargs["beta"] = draw(st.sampled_from([1.0, 0.5, 0.0, 2.0] if valid else [1.0, 0.0, -1.0, 3]))
    elif op == "huber_loss":
        kwargs["delta"] = draw(st.sampled_from([1.0, 0.5, 2.0] if valid else [1.0, 0.0, -1.0, 3]))
        if draw(st.integers(0, 3)) == 0:
            kwargs["weight"] = Arr(draw(arrays(shape=draw(st.sampled_from([x.shape, t.shape, x.shape[-1:]])),
                                               dtypes=(dtype,), extra_dtypes=False)))
    elif op == "poisson_nll_loss":
        kwargs.update(log_input=draw(st.booleans()), full=draw(st.booleans()),
                      eps=draw(st.sampled_from([1e-8, 0.1])))
        if not kwargs["log_input"] and x.dtype.kind == "f":
            x = np.abs(x)
        if t.dtype.kind == "f":
            t = np.round(np.abs(t) * 2)
    else:
        vshape = draw(st.sampled_from([x.shape, x.shape[:-1], x.shape[:-1] + (1,) if x.ndim else (), (2,) + x.shape]))
        var = np.abs(draw(arrays(shape=vshape, dtypes=(dtype,), extra_dtypes=False)))
        if not valid and var.size and var.dtype.kind == "f" and draw(st.booleans()):
            var = -var
        var = Arr(var) if draw(st.integers(0, 5)) else draw(st.sampled_from([0.5, -1.0, 1]))
        return op, (Arr(x), Arr(t), var), {"reduction": reduction, "full": draw(st.booleans()),
                                           "eps": draw(st.sampled_from([1e-6, 0.5]))}
    return op, (_as_arg(draw, x, p_other=0.02), Arr(t)), kwargs


@st.composite
def loss_margin(draw):
    op = draw(st.sampled_from(["soft_margin_loss", "multilabel_soft_margin_loss", "multilabel_margin_loss",
                               "multi_margin_loss", "margin_ranking_loss", "hinge_embedding_loss",
                               "cosine_embedding_loss", "triplet_margin_loss"]))
    valid = draw(st.booleans())
    reduction = draw(st.sampled_from(["mean", "sum", "none"] if valid else ["mean", "sum", "none", "bogus"]))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    if op in ("multi_margin_loss", "multilabel_margin_loss"):
        rank = draw(st.sampled_from([2, 2, 1, 0] if valid else [0, 1, 2, 3]))
        shape = tuple(draw(st.lists(st.integers(1 if valid else 0, 3), min_size=rank, max_size=rank)))
        x = draw(arrays(shape=shape, extra_dtypes=not valid))
        C = shape[-1] if shape else 1
        if rank == 2 and shape[0] == 0:
            reduction = "none"    # torch's reduced loss of an empty batch is an uninitialised value
        if op == "multi_margin_loss":
            tshape = shape[:1] if rank == 2 else draw(st.sampled_from([(1,), ()]))
            t = rng.integers(0, max(C, 1), size=tshape)
            if t.size and not valid and draw(st.booleans()):
                t.reshape(-1)[0] = draw(st.sampled_from([-1, C, 2 ** 40]))
            kwargs = {"p": draw(st.sampled_from([1, 2] if valid else [1, 2, 3])),
                      "margin": draw(st.sampled_from([1.0, 0.0, 0.5, -1.0])), "reduction": reduction}
            if draw(st.booleans()):
                w = np.abs(draw(arrays(shape=(C + draw(st.sampled_from([0, 0, 1])),),
                                       dtypes=(x.dtype.name if x.dtype.kind == "f" else "float32",),
                                       extra_dtypes=False)))
                kwargs["weight"] = Arr(w)
        else:
            t = rng.integers(-1, max(C, 1), size=shape)
            if t.size and not valid and draw(st.booleans()):
                t.reshape(-1)[0] = draw(st.sampled_from([-2, C, 2 ** 40]))
            kwargs = {"reduction": reduction}
        if not valid and draw(st.integers(0, 4)) == 0:
            t = t.astype(draw(st.sampled_from(["int32", "float32"])))
        return op, (_as_arg(draw, x, p_other=0.02), Arr(t)), kwargs
    x, t, dtype = _loss_pair(draw, valid)
    signs = np.where(rng.random(t.shape) < 0.5, -1, 1).astype(t.dtype)
    if op == "soft_margin_loss":
        return op, (_as_arg(draw, x, p_other=0.02), Arr(signs)), {"reduction": reduction}
    if op == "multilabel_soft_margin_loss":
        kwargs = {"reduction": reduction}
        if draw(st.booleans()) and x.ndim:
            kwargs["weight"] = Arr(draw(arrays(shape=x.shape[-1:], dtypes=(dtype,), extra_dtypes=False)))
        return op, (Arr(x), Arr((rng.random(t.shape) < 0.5).astype(t.dtype))), kwargs
    if op == "hinge_embedding_loss":
        return op, (Arr(x), Arr(signs)), {"reduction": reduction, "margin": draw(st.sampled_from([1.0, 0.0, 2]))}
    if op == "margin_ranking_loss":
        y = draw(arrays(shape=t.shape if draw(st.integers(0, 3)) else x.shape, dtypes=(dtype,), extra_dtypes=False))
        target = signs if draw(st.integers(0, 3)) else np.where(rng.random(x.shape[:1]) < 0.5, -1, 1).astype(dtype)
        return op, (Arr(x), Arr(y), Arr(target)), {"reduction": reduction, "margin": draw(st.sampled_from([0.0, 0.5]))}
    if op == "cosine_embedding_loss":
        y = draw(arrays(shape=x.shape, dtypes=(dtype,), extra_dtypes=False))
        tshape = draw(st.sampled_from([x.shape[:1], (), x.shape[:2]]))
        target = np.where(rng.random(tshape) < 0.5, -1, 1).astype(dtype)
        return op, (Arr(x), Arr(y), Arr(target)), {"reduction": reduction,
                                                   "margin": draw(st.sampled_from([0.0, 0.5, -0.5]))}
    shapes = [x.shape, draw(st.sampled_from([x.shape, t.shape])), draw(st.sampled_from([x.shape, x.shape[1:]]))]
    a, p, n = (draw(arrays(shape=s, dtypes=(dtype,), extra_dtypes=False)) for s in shapes)
    return op, (Arr(a), Arr(p), Arr(n)), {"reduction": reduction, "swap": draw(st.booleans()),
                                          "p": draw(st.sampled_from([2.0, 1.0, 3.0])),
                                          "margin": draw(st.sampled_from([1.0, 0.5]))}


@st.composite
def loss_ctc(draw):
    """ctc_loss: (T, N, C) or (T, C) log-probabilities, padded or concatenated targets, tensor or tuple lengths."""
    valid = draw(st.booleans())
    T, N, C = draw(st.integers(1, 6)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    batched = draw(st.integers(0, 4)) > 0
    dtype = draw(st.sampled_from(["float32", "float64"]))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    x = rng.standard_normal((T, N, C))
    x = (x - np.log(np.exp(x).sum(axis=-1, keepdims=True))).astype(dtype)
    if not batched:
        N, x = 1, x[:, 0]
    blank = draw(st.sampled_from([0, 0, C - 1] if valid else [0, C - 1, C, -1]))
    tl = rng.integers(0, 4, size=N)
    il = rng.integers(0, T + 1, size=N)
    labels_of = [c for c in range(C) if c != blank] or [0]
    if draw(st.booleans()):
        targets = rng.choice(labels_of, size=(N, int(tl.max()) + draw(st.integers(0, 1))))
    else:
        targets = rng.choice(labels_of, size=int(tl.sum()))
    if not valid and draw(st.booleans()):      # a length out of range (the targets are drawn for the valid ones)
        which = draw(st.sampled_from(["il", "tl"]))
        (il if which == "il" else tl)[0] = draw(st.sampled_from([-1, T + 1, 2 ** 40]))
    # (no labels outside [0, C): torch reads outside the row of log_probs for them, refnn refuses them; an
    # Unsupported entry in tests/registry/_unsupported.py records it)
    if draw(st.booleans()):
        lengths = (Arr(il.astype(draw(st.sampled_from(["int64", "int32"])))), Arr(tl))
    else:
        lengths = (tuple(int(v) for v in il), tuple(int(v) for v in tl))
    kwargs = {"blank": blank, "reduction": draw(st.sampled_from(["mean", "sum", "none"])),
              "zero_infinity": draw(st.booleans())}
    return "ctc_loss", (Arr(x), Arr(targets)) + lengths, kwargs


FAMILIES = {
    "linear": linear(),
    "activation": activation(),
    "conv": conv(),
    "pooling": pooling(),
    "max_unpool": pooling(kinds=("unpool",)),       # out-of-range indices: the kernel writes output[index]
    "dropout": dropout(),
    "normalization": normalization(),
    "interpolation": interpolation(),
    "pixelshuffle": pixelshuffle(),
    "loss": loss(),
    "loss_regression": loss_regression(),
    "loss_margin": loss_margin(),
    "loss_ctc": loss_ctc(),
    "distance": distance(),
    "attention": attention(),
    "conv3d": conv(dims_choices=(3,)),
    "pooling3d": pooling(dims_choices=(3,)),
    "lp_fractional": lp_fractional(),
    "embedding": embedding(),
    "layers_misc": layers_misc(),
}


# ----------------------------------------------------------------- packed sequences (nn.utils.rnn)
@st.composite
def packed(draw):
    """pack_padded_sequence and pad_sequence (ops named from ``nn``): valid and invalid lengths (unsorted,
    zero, negative, a wrong count, a tensor), batch_first, every rank; lengths never exceed the padded
    length (torch then builds an inconsistent PackedSequence, which refnn refuses: tests/test_packed_units.py)."""
    dtypes = ("float32", "float64")
    if draw(st.booleans()):
        rank = draw(st.sampled_from([3, 3, 3, 2, 4, 1]))
        shape = tuple(draw(st.lists(st.integers(0, 4), min_size=rank, max_size=rank)))
        batch_first = draw(st.booleans())
        x = draw(arrays(shape=shape, dtypes=dtypes, extra_dtypes=draw(st.integers(0, 5)) == 0))
        steps = shape[1 if batch_first else 0] if rank >= 2 else 0
        batch = shape[0 if batch_first else 1] if rank >= 2 else 1
        count = batch if draw(st.integers(0, 6)) else batch + draw(st.sampled_from([-1, 1]))
        lengths = sorted((draw(st.integers(1, max(steps, 1))) for _ in range(max(count, 0))), reverse=True)
        if lengths and draw(st.integers(0, 4)) == 0:
            lengths[draw(st.integers(0, len(lengths) - 1))] = draw(st.sampled_from([0, -1]))
        if draw(st.integers(0, 3)) == 0:
            lengths = lengths[::-1]
        lengths = [min(n, steps) for n in lengths]
        if draw(st.booleans()):
            lengths = Arr(np.array(lengths, dtype=np.int64))
        kwargs = {"batch_first": batch_first, "enforce_sorted": draw(st.booleans())}
        return "nn.utils.rnn.pack_padded_sequence", (Arr(x), lengths), kwargs
    trailing = tuple(draw(st.lists(st.integers(0, 3), min_size=0, max_size=2)))
    dtype = draw(st.sampled_from(dtypes))
    sequences = []
    for _ in range(draw(st.integers(0, 4))):
        shape = (draw(st.integers(0, 4)),) + trailing
        if trailing and draw(st.integers(0, 8)) == 0:
            shape = shape[:-1] + (shape[-1] + 1,)
        sequences.append(Arr(draw(arrays(shape=shape, dtypes=(dtype,), extra_dtypes=False))))
    kwargs = {"batch_first": draw(st.booleans()), "padding_value": draw(st.sampled_from([0.0, -1.5, float("nan")])),
              "padding_side": draw(st.sampled_from(["right", "left", "left", "middle"]))}
    return "nn.utils.rnn.pad_sequence", (sequences,), kwargs


FAMILIES["packed"] = packed()
# ----------------------------------------------------------------- padding, fold, grid_sample, channel_shuffle
_PAD_MODES = ["constant", "reflect", "replicate", "circular"]


def _circular_safe(mode, shape, pad):
    """torch's circular padding with a positive pad longer than what the negative pads leave copies
    overlapping or unwritten memory (a value that depends on the shape); refnn refuses it.  Keep out."""
    if mode != "circular":
        return True
    for i in range(len(pad) // 2):
        if i >= len(shape):
            return True
        size, before, after = shape[-1 - i], pad[2 * i], pad[2 * i + 1]
        if not (isinstance(before, int) and isinstance(after, int)):
            return True
        kept = size - max(-before, 0) - max(-after, 0)
        if size + before + after > 0 and (max(before, 0) > kept or max(after, 0) > kept):
            return False
    return True


@st.composite
def padding(draw):
    region = _region(draw)
    mode = draw(st.sampled_from(_PAD_MODES))
    nd = draw(st.integers(1, 3))
    rank = nd + draw(st.sampled_from([1, 2, 2])) if mode != "constant" else draw(st.integers(nd, nd + 3))
    shape = tuple(_side(draw, zero=False) for _ in range(rank))
    if draw(st.integers(0, 4)) == 0:
        shape = (0,) + shape[1:]
    pad = tuple(draw(st.integers(-2, 3)) for _ in range(2 * nd))
    dtype = draw(SHAPE_FLOATS)
    kwargs = {"mode": mode}
    what = draw(st.sampled_from(["rank", "length", "pad", "pad", "mode", "value", "dtype", "tensor", "size"])) \
        if region == "perturbed" else None
    if region == "wide":
        shape = tuple(draw(st.lists(st.integers(0, 4), max_size=6)))
        pad = tuple(draw(st.lists(st.integers(-4, 5), max_size=8)))
    if what == "rank":
        shape = shape[draw(st.integers(1, max(len(shape), 1))):] + ((2,) * draw(st.integers(0, 3)))
    if what == "length":
        pad = pad + tuple(draw(st.lists(st.integers(0, 2), min_size=1, max_size=3)))
    if what == "pad":
        i = draw(st.integers(0, len(pad) - 1))
        bad = draw(st.sampled_from([8, -8, 1.5, True, None] + EDGE_INTS[3:]))
        pad = pad[:i] + (bad,) + pad[i + 1:]
        if isinstance(bad, int) and not isinstance(bad, bool) and abs(bad) > 64 and mode == "constant":
            pad = pad[:i] + (-abs(bad),) + pad[i + 1:]        # cropping: a huge positive constant pad allocates
    if what == "mode":
        kwargs["mode"] = draw(st.sampled_from(["wrap", "zeros", None, 3, "Reflect"]))
    if what == "value":
        kwargs["value"] = draw(st.sampled_from([0.0, 1.5, float("nan"), -2, True, "1", 1 + 1j]))
    if what == "size":
        shape = shape[:-1] + (0,)
    if what == "dtype":
        dtype = draw(st.sampled_from(["float16", "int64", "bool"]))
    if mode == "constant" and region == "valid" and draw(st.booleans()):
        kwargs["value"] = draw(st.sampled_from([0.0, -1.25, float("inf")]))
    if not _circular_safe(kwargs["mode"], shape, pad):
        pad = tuple(abs(p) if isinstance(p, int) and not isinstance(p, bool) else p for p in pad)
        if not _circular_safe(kwargs["mode"], shape, pad):
            kwargs["mode"] = "replicate"
    x = draw(arrays(shape=shape, dtypes=(dtype,), extra_dtypes=False)) if dtype in ("float16", "int64", "bool") \
        else _floats(draw, shape, dtype)
    if what == "tensor":
        return "pad", (_not_a_tensor(draw, x), pad), kwargs
    return "pad", (Arr(x), draw(st.sampled_from([pad, pad, list(pad)]))), kwargs


@st.composite
def fold(draw):
    region = _region(draw)
    op = draw(st.sampled_from(["fold", "unfold"]))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    pad = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    image = (draw(st.integers(1, 6)), draw(st.integers(1, 6)))
    blocks = [(n + 2 * p - d * (k - 1) - 1) // s + 1 for n, k, d, p, s in zip(image, kernel, dilation, pad, stride)]
    channels = draw(st.integers(1, 3))
    batch = draw(st.sampled_from([(), (1,), (2,), (0,)]))
    if op == "unfold":
        shape = batch + (channels,) + image
    else:
        shape = batch + (channels * kernel[0] * kernel[1], max(blocks[0], 0) * max(blocks[1], 0))
    dtype = draw(SHAPE_FLOATS)
    args = {"kernel_size": kernel, "dilation": dilation, "padding": pad, "stride": stride}
    what = draw(st.sampled_from(["arg", "arg", "arg", "rank", "size", "dtype", "tensor"])) \
        if region == "perturbed" else None
    if region == "wide":
        shape = tuple(draw(st.lists(st.integers(0, 6), max_size=5)))
        for name in args:
            args[name] = _int_arg(draw, 2, low=-1, high=4, p_edge=0.05)
        image = _int_arg(draw, 2, low=-1, high=6, p_edge=0.0)
    if what == "arg":
        name = draw(st.sampled_from(sorted(args)))
        args[name] = draw(st.sampled_from([0, -1, (1, 2, 3), (2,), 1.0, True, 2 ** 31 - 1, -(2 ** 31)]))
    if what == "rank":
        shape = shape[1:] if len(shape) > 1 else shape + (2, 2, 2)
    if what == "size":
        i = draw(st.integers(0, len(shape) - 1))
        shape = shape[:i] + (shape[i] + draw(st.sampled_from([-1, 1])),) + shape[i + 1:]
        shape = tuple(max(n, 0) for n in shape)
    if what == "dtype":
        dtype = draw(st.sampled_from(["int64", "bool", "float16"]))
    x = draw(arrays(shape=shape, dtypes=(dtype,), extra_dtypes=False)) if dtype in ("float16", "int64", "bool") \
        else _floats(draw, shape, dtype)
    tensor = _not_a_tensor(draw, x) if what == "tensor" else Arr(x)
    if op == "unfold":
        return "unfold", (tensor, args["kernel_size"]), {k: v for k, v in args.items() if k != "kernel_size"}
    return "fold", (tensor, image, args["kernel_size"]), {k: v for k, v in args.items() if k != "kernel_size"}


@st.composite
def gridsample(draw):
    region = _region(draw)
    if draw(st.integers(0, 3)) == 0:                 # affine_grid
        dims = draw(st.sampled_from([2, 3]))
        n = draw(st.integers(0, 2))
        size = [n, draw(st.integers(1, 3))] + [draw(st.integers(1, 4)) for _ in range(dims)]
        theta_shape = (n, dims, dims + 1)
        if region != "valid":
            size = draw(st.sampled_from([size, size[:-1], size + [2], [n, 1, 0, 3], [n + 1] + size[1:],
                                         size[:-1] + [-1]]))
            theta_shape = draw(st.sampled_from([theta_shape, (n, 2, 3), (n, 3, 4), (n, 6), (n + 1, dims, dims + 1)]))
        theta = _floats(draw, theta_shape, draw(SHAPE_FLOATS))
        return "affine_grid", (Arr(theta), size), {"align_corners": draw(st.booleans())}
    dims = draw(st.sampled_from([2, 3]))
    n = draw(st.sampled_from([1, 2, 0]))
    in_shape = (n, draw(st.integers(0, 3))) + tuple(draw(st.integers(1, 4)) for _ in range(dims))
    grid_shape = (n,) + tuple(draw(st.integers(0, 3)) for _ in range(dims)) + (dims,)
    mode = draw(st.sampled_from(["bilinear", "nearest", "bicubic"] if dims == 2 else ["bilinear", "nearest"]))
    kwargs = {"mode": mode, "padding_mode": draw(st.sampled_from(["zeros", "border", "reflection"])),
              "align_corners": draw(st.booleans())}
    dtype = draw(SHAPE_FLOATS)
    grid_dtype = dtype
    what = draw(st.sampled_from(["mode", "padding", "rank", "batch", "last", "empty", "dtype", "align"])) \
        if region != "valid" else None
    if what == "mode":
        kwargs["mode"] = draw(st.sampled_from(["linear", "bicubic", None]))
    if what == "padding":
        kwargs["padding_mode"] = draw(st.sampled_from(["reflect", "constant", None]))
    if what == "rank":
        grid_shape = grid_shape[1:]
    if what == "batch":
        grid_shape = (n + 1,) + grid_shape[1:]
    if what == "last":
        grid_shape = grid_shape[:-1] + (dims + draw(st.sampled_from([-1, 1])),)
    if what == "empty":
        in_shape = in_shape[:2] + (0,) + in_shape[3:]
    if what == "dtype":
        grid_dtype = draw(st.sampled_from(["float32", "float64"]))
    if what == "align":
        kwargs["align_corners"] = draw(st.sampled_from([None, 1, 0.0]))
    x = _floats(draw, in_shape, dtype)
    # finite grid values only: torch's answer for a NaN/inf coordinate differs between its 2-d and 3-d
    # kernels (and its 2-d border path can crash); refnn reads zeros there (see the kernel's docstring)
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    grid = (rng.uniform(-2.5, 2.5, size=grid_shape)).astype(grid_dtype)
    if draw(st.booleans()):
        grid = np.round(grid * 8) / 8                 # exact half-pixels and pixel centres
    return "grid_sample", (Arr(x), Arr(grid.astype(grid_dtype))), kwargs


@st.composite
def channelshuffle(draw):
    op = draw(st.sampled_from(["channel_shuffle", "channel_shuffle", "native_channel_shuffle"]))
    groups = draw(st.sampled_from([1, 2, 3, 2, 0, -1, 4, 1.0, True, 2 ** 63, 2 ** 31]))
    channels = draw(st.sampled_from([0, 2, 3, 4, 6]))
    shape = (draw(st.integers(0, 2)), channels) + tuple(_side(draw) for _ in range(draw(st.integers(0, 3))))
    x = draw(arrays(shape=shape))
    return op, (_as_arg(draw, x, p_other=0.02), groups), {}


FAMILIES.update({
    "padding": padding(),
    "fold": fold(),
    "gridsample": gridsample(),
    "channelshuffle": channelshuffle(),
})

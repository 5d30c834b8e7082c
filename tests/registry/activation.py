"""Elementwise activations: every argument, the kinks and thresholds hit exactly, NaN, +-inf, -0.0,
values far beyond exp's range, non-contiguous and empty inputs, in-place forms (on a non-leaf
copy, so gradients flow), modules, and torch's errors (bad arguments, integer inputs, in-place
backward torch refuses, a saved result modified in place)."""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T
from tests.registry.dropout import _np, lib_nn

SPECIALS = [0.0, -0.0, np.inf, -np.inf, np.nan]


def edges(*points, low=-4.0, high=4.0):
    """Uniform values, with ``points`` (kinks, thresholds) and 0, -0, +-inf, NaN written first."""
    def gen(rng, shape, dtype):
        x = rng.uniform(low, high, size=shape).astype(dtype)
        flat = x.reshape(-1)
        values = list(points) + SPECIALS
        flat[:len(values)] = np.asarray(values[:flat.size], dtype=np.float64).astype(dtype)
        return x
    return gen


def huge(rng, shape, dtype):
    """Magnitudes up to 1e4 (exp overflows beyond ~88 in float32, ~709 in float64).

    Built from IEEE-exact arithmetic only (t**3 as products): numpy's SIMD pow/exp differ by CPU, and a
    registry input must be the same bits on every machine."""
    t = np.linspace(0.0, 1.0, num=int(np.prod(shape))).reshape(shape)
    x = rng.uniform(-1, 1, size=shape) * (1.0 + 9999.0 * (t * t * t))
    return x.astype(dtype)


def _inplace(op, **kw):
    """F.<op>(x * 1, inplace=True, ...): the in-place form on a non-leaf, returning that same tensor."""
    def call(F, x):
        z = x * 1
        y = getattr(F, op)(z, inplace=True, **kw)
        assert y is z, f"{op}(inplace=True) must return its input"
        return y
    return call


def _inplace_backward(op, **kw):
    """Forward in place, then backward: torch refuses some of these (negative slopes)."""
    def call(lib, x):
        x.requires_grad_()
        y = getattr(lib.F, op)(x * 1, inplace=True, **kw)
        y.sum().backward()
    return call


def _modified_result(op, **kw):
    """An in-place change to a result that the backward needs: torch's version-counter error."""
    def call(lib, x):
        x.requires_grad_()
        y = getattr(lib.F, op)(x * 1, **kw)
        lib.F.relu(y, inplace=True)
        y.sum().backward()
    return call


# op, module, kwargs variants (first is {}), kink / threshold points, in place offered
ACTIVATIONS = [
    ("relu", "ReLU", [{}], [0.0], True),
    ("relu6", "ReLU6", [{}], [0.0, 6.0], True),
    ("elu", "ELU", [{}, {"alpha": 0.5}, {"alpha": 2.0}, {"alpha": -1.0}, {"alpha": 0.0}], [0.0], True),
    ("celu", "CELU", [{}, {"alpha": 0.5}, {"alpha": 3.0}, {"alpha": -1.5}], [0.0], True),
    ("selu", "SELU", [{}], [0.0], True),
    ("gelu", "GELU", [{}, {"approximate": "none"}, {"approximate": "tanh"}], [0.0, -3.0], False),
    ("hardshrink", "Hardshrink", [{}, {"lambd": 1.0}, {"lambd": 0.0}, {"lambd": 0.1}, {"lambd": -1.0}],
     [0.5, -0.5, 1.0, -1.0, 0.1, -0.1], False),
    ("softshrink", "Softshrink", [{}, {"lambd": 1.0}, {"lambd": 0.0}, {"lambd": 0.1}],
     [0.5, -0.5, 1.0, -1.0, 0.1, -0.1], False),
    ("hardsigmoid", "Hardsigmoid", [{}], [3.0, -3.0, 0.0], True),
    ("hardswish", "Hardswish", [{}], [3.0, -3.0, 0.0], True),
    ("hardtanh", "Hardtanh", [{}, {"min_val": -2.0, "max_val": 3.0}, {"min_val": 0.5, "max_val": 0.5},
                              {"min_val": 0.1, "max_val": 0.7}],
     [-1.0, 1.0, -2.0, 3.0, 0.5, 0.1, 0.7], True),
    ("leaky_relu", "LeakyReLU", [{}, {"negative_slope": 0.2}, {"negative_slope": 0.0},
                                 {"negative_slope": -0.1}, {"negative_slope": 1.5}], [0.0], True),
    ("logsigmoid", "LogSigmoid", [{}], [0.0], False),
    ("sigmoid", "Sigmoid", [{}], [0.0], False),
    ("silu", "SiLU", [{}], [0.0], True),
    ("mish", "Mish", [{}], [0.0], True),
    ("softplus", "Softplus", [{}, {"beta": 2.0, "threshold": 10.0}, {"beta": 0.5, "threshold": 1.0},
                              {"beta": 1.0, "threshold": 0.0}, {"beta": -1.0}],
     [20.0, 5.0, 2.0, 0.0, -20.0], False),
    ("softsign", "Softsign", [{}], [0.0], False),
    ("tanh", "Tanh", [{}], [0.0], False),
    ("tanhshrink", "Tanhshrink", [{}], [0.0], False),
    ("threshold", "Threshold", [{"threshold": 0.1, "value": 20.0}, {"threshold": 0.0, "value": 0.0},
                                {"threshold": -1.0, "value": -5.0}], [0.1, 0.0, -1.0], True),
]

CASES = []
for op, module, variants, points, has_inplace in ACTIVATIONS:
    base = variants[0]
    # every OpCase of this loop is pointwise: held to torch's answer for each element alone, the same on
    # every CPU and at every position (torch's vectorised body and scalar tail differ at NaN, inf, kinks)
    for kw in variants:
        tag = "_".join(f"{k}{v}" for k, v in kw.items()) or "default"
        CASES.append(OpCase(op=op, desc=f"{tag}_edges", args=(T((4, 8), gen=edges(*points)),), kwargs=kw,
                            pointwise=True))
    CASES += [
        OpCase(op=op, desc="huge", args=(T((6, 10), gen=huge),), kwargs=base, pointwise=True),
        OpCase(op=op, desc="transposed", args=(T((5, 6), layout="transposed"),), kwargs=base, pointwise=True),
        OpCase(op=op, desc="empty", args=(T((0, 3)),), kwargs=base, pointwise=True),
        ModuleCase(module=module, desc="default", ctor_kwargs=base, inputs=(T((2, 3, 4), -4, 4),)),
    ]
    if op in ("relu", "elu", "gelu", "sigmoid", "softplus", "hardtanh"):
        CASES += [
            OpCase(op=op, desc="negative_stride", args=(T((3, 7), layout="negative"),), kwargs=base,
                   pointwise=True),
            OpCase(op=op, desc="0d", args=(T((1,)),), pointwise=True,
                   call=lambda F, x, op=op, kw=base: getattr(F, op)(x.reshape(()), **kw).reshape(1)),
        ]
    if has_inplace:
        for kw in variants:
            if any(k in ("alpha", "negative_slope") and v < 0 for k, v in kw.items()):
                continue  # torch refuses this in-place backward: an ErrorCase below
            tag = "_".join(f"{k}{v}" for k, v in kw.items()) or "default"
            CASES.append(OpCase(op=op, desc=f"inplace_{tag}", args=(T((4, 8), gen=edges(*points)),),
                                call=_inplace(op, **kw), pointwise=True))
        CASES.append(ModuleCase(module=module, desc="inplace_repr", ctor_kwargs=dict(base, inplace=True),
                                inputs=(T((2, 3)),), grad=False))
    int_ok = op in ("relu", "relu6", "hardtanh", "threshold", "sigmoid", "tanh", "softsign", "tanhshrink")
    if op in ("relu", "relu6", "hardtanh", "threshold"):  # integers stay integers (bounds truncated)
        for kw in variants:
            tag = "_".join(f"{k}{v}" for k, v in kw.items()) or "default"
            CASES.append(OpCase(op=op, desc=f"int64_{tag}", args=(T((3, 6), -9, 9, dtype="int64"),), kwargs=kw,
                                grad=False, dtypes=("float32",), pointwise=True))
        if op != "threshold":  # torch thresholds bool tensors; refnn refuses them (not covered)
            CASES.append(ErrorCase(op=op, desc="bool_input", args=(T((3, 4), dtype="bool"),), kwargs=base,
                                   dtypes=("float32",)))
    if op in ("sigmoid", "tanh", "softsign", "tanhshrink"):  # integers promote to float32
        CASES.append(OpCase(op=op, desc="int64_input", args=(T((3, 4), -5, 5, dtype="int64"),), grad=False,
                            dtypes=("float32",), pointwise=True))
    elif not int_ok:
        CASES.append(ErrorCase(op=op, desc="int64_input", args=(T((3, 4), -5, 5, dtype="int64"),), kwargs=base,
                               dtypes=("float32",)))
    CASES.append(ErrorCase(op=op, desc="list_input", args=([1.0, -1.0],), kwargs=base, dtypes=("float32",)))

# module arguments and reprs
CASES += [
    ModuleCase(module="ELU", desc="alpha", ctor_args=(0.5,), inputs=(T((2, 5), -3, 3),)),
    ModuleCase(module="CELU", desc="alpha", ctor_kwargs={"alpha": 2.0}, inputs=(T((2, 5), -3, 3),)),
    ModuleCase(module="GELU", desc="tanh", ctor_kwargs={"approximate": "tanh"}, inputs=(T((2, 5), -3, 3),)),
    ModuleCase(module="Hardshrink", desc="lambd", ctor_args=(1.0,), inputs=(T((2, 5), -3, 3),)),
    ModuleCase(module="Softshrink", desc="lambd", ctor_kwargs={"lambd": 0.25}, inputs=(T((2, 5), -3, 3),)),
    ModuleCase(module="Hardtanh", desc="bounds", ctor_args=(-2.0, 3.0), inputs=(T((2, 5), -4, 4),)),
    ModuleCase(module="Hardtanh", desc="int_bounds", ctor_args=(-2, 3), inputs=(T((2, 5), -4, 4),)),
    ModuleCase(module="Hardtanh", desc="deprecated_kw", ctor_kwargs={"min_value": -0.5, "max_value": 0.5},
               inputs=(T((2, 5)),)),
    ModuleCase(module="LeakyReLU", desc="slope", ctor_args=(0.2,), inputs=(T((2, 5)),)),
    ModuleCase(module="LeakyReLU", desc="slope_inplace_repr", ctor_args=(0.2, True), inputs=(T((2, 5)),),
               grad=False),
    ModuleCase(module="Softplus", desc="beta_threshold", ctor_kwargs={"beta": 2, "threshold": 5},
               inputs=(T((2, 5), -4, 4),)),
    ModuleCase(module="Threshold", desc="args", ctor_args=(0.5, -1.0), inputs=(T((2, 5)),)),
    ModuleCase(module="Threshold", desc="args_inplace_repr", ctor_args=(0.5, -1.0, True), inputs=(T((2, 5)),),
               grad=False),
    ModuleCase(module="ReLU6", desc="4d", inputs=(T((2, 3, 2, 2), -8, 8),)),
]

# errors: arguments torch refuses
CASES += [
    ErrorCase(op="celu", desc="alpha0", args=(T((2, 3)),), kwargs={"alpha": 0.0}),
    ErrorCase(op="hardtanh", desc="min_above_max", args=(T((2, 3)),), kwargs={"min_val": 2.0, "max_val": 1.0}),
    ErrorCase(op="Hardtanh", desc="min_not_below_max", args=(1.0, 1.0), module=True),
    ErrorCase(op="Hardtanh", desc="min_above_max", args=(2.0, 1.0), module=True),
    ErrorCase(op="softshrink", desc="lambd_negative", args=(T((2, 3)),), kwargs={"lambd": -1.0}),
    ErrorCase(op="gelu", desc="approximate_bad", args=(T((2, 3)),), kwargs={"approximate": "foo"}),
    ErrorCase(op="gelu", desc="approximate_none_object", args=(T((2, 3)),), kwargs={"approximate": None}),
    ErrorCase(op="GELU", desc="approximate_bad", args=("erf",), module=True, call_inputs=(T((2, 3)),)),
    ErrorCase(op="leaky_relu", desc="slope_str", args=(T((2, 3)), "a")),
    ErrorCase(op="elu", desc="alpha_str", args=(T((2, 3)), "a")),
    ErrorCase(op="threshold", desc="missing_value", args=(T((2, 3)), 0.5)),
    ErrorCase(op="elu", desc="inplace_negative_alpha_backward", args=(T((2, 3)),),
              call=_inplace_backward("elu", alpha=-1.0)),
    ErrorCase(op="celu", desc="inplace_negative_alpha_backward", args=(T((2, 3)),),
              call=_inplace_backward("celu", alpha=-1.0)),
    ErrorCase(op="leaky_relu", desc="inplace_negative_slope_backward", args=(T((2, 3)),),
              call=_inplace_backward("leaky_relu", negative_slope=-0.1)),
    ErrorCase(op="relu", desc="inplace_leaf_requires_grad", args=(T((2, 3)),),
              call=lambda lib, x: lib.F.relu(x.requires_grad_(), inplace=True)),
    ErrorCase(op="silu", desc="inplace_leaf_requires_grad", args=(T((2, 3)),),
              call=lambda lib, x: lib.F.silu(x.requires_grad_(), inplace=True)),
    ErrorCase(op="sigmoid", desc="result_modified_in_place", args=(T((2, 3)),), call=_modified_result("sigmoid")),
    ErrorCase(op="tanh", desc="result_modified_in_place", args=(T((2, 3)),), call=_modified_result("tanh")),
    ErrorCase(op="softmax", desc="result_modified_in_place", args=(T((2, 3)),),
              call=_modified_result("softmax", dim=1)),
    ErrorCase(op="sigmoid", desc="result_modified_by_inplace_elu", args=(T((2, 3)),),
              call=lambda lib, x: lib.F.elu(lib.F.sigmoid(x.requires_grad_() * 1), inplace=True).sum().backward()),
]


# ---------------------------------------------------------------- PReLU
CASES += [
    OpCase(op="prelu", desc="shared_weight", args=(T((3, 4, 5), -4, 4), T((1,), -0.5, 0.5))),
    OpCase(op="prelu", desc="per_channel", args=(T((3, 4, 5), -4, 4), T((4,), -0.5, 0.5))),
    OpCase(op="prelu", desc="per_channel_4d", args=(T((2, 3, 4, 2), -4, 4), T((3,), -1, 1))),
    OpCase(op="prelu", desc="2d_input", args=(T((5, 3), -4, 4), T((3,), -1, 1))),
    OpCase(op="prelu", desc="1d_input", args=(T((6,), -4, 4), T((1,), -1, 1))),
    OpCase(op="prelu", desc="edges", args=(T((4, 8), gen=edges(0.0)), T((8,), -1, 1))),
    OpCase(op="prelu", desc="transposed", args=(T((5, 6), layout="transposed"), T((6,), -1, 1))),
    OpCase(op="prelu", desc="empty_batch", args=(T((0, 3, 2)), T((3,), -1, 1))),
    OpCase(op="prelu", desc="0d_weight", args=(T((3, 4), -4, 4), T((1,), -1, 1)),
           call=lambda F, x, w: F.prelu(x, w.reshape(()))),
    ModuleCase(module="PReLU", desc="default", inputs=(T((2, 3, 4), -4, 4),)),
    ModuleCase(module="PReLU", desc="num_parameters", ctor_args=(3,), inputs=(T((2, 3, 4), -4, 4),)),
    ModuleCase(module="PReLU", desc="init", ctor_kwargs={"num_parameters": 4, "init": 0.1},
               inputs=(T((5, 4), -4, 4),)),
    ModuleCase(module="PReLU", desc="unbatched_shared", inputs=(T((7,), -4, 4),)),
    ModuleCase(module="PReLU", desc="steps", ctor_args=(2,), inputs=(T((3, 2, 5), -4, 4),), steps=2),
    ErrorCase(op="prelu", desc="channel_mismatch", args=(T((2, 3, 4)), T((4,)))),
    ErrorCase(op="prelu", desc="weight_2d", args=(T((2, 3, 4)), T((3, 1)))),
    ErrorCase(op="prelu", desc="1d_input_many_weights", args=(T((3,)), T((3,)))),
    ErrorCase(op="prelu", desc="0d_input_many_weights", args=(T(()), T((3,)))),
    ErrorCase(op="PReLU", desc="channel_mismatch", args=(3,), module=True, call_inputs=(T((2, 4, 5)),)),
]


# ---------------------------------------------------------------- RReLU
def rrelu_check(lower, upper):
    """Outputs (y, x): y == x where x > 0 (or NaN); y / x in [lower, upper] where x <= 0, the mean slope
    within 6 sigma of (lower + upper) / 2; the input's gradient is upstream * (y / x) (the same slopes)."""
    def check(outs_t, outs_r, arrays):
        for lib, (y, x) in (("torch", outs_t), ("refnn", outs_r)):
            yd, xd = _np(y), _np(x)
            pos = xd > 0
            assert np.array_equal(yd[pos], xd[pos]), f"{lib}: positive inputs must pass through"
            slopes = (yd[~pos].astype(np.float64) / xd[~pos].astype(np.float64))
            eps = 1e-6 if xd.dtype == np.float32 else 1e-12
            assert np.all((slopes >= lower - eps) & (slopes <= upper + eps)), f"{lib}: slopes outside [l, u]"
            sigma = (upper - lower) / np.sqrt(12 * max(slopes.size, 1))
            assert abs(slopes.mean() - (lower + upper) / 2) <= 6 * sigma + eps, f"{lib}: mean slope off"
            g = np.random.default_rng(1).standard_normal(yd.shape).astype(xd.dtype)
            if type(y).__module__.startswith("torch"):
                import torch
                y.backward(torch.from_numpy(g.copy()))
                grad = x.grad.numpy()
            else:
                y.backward(g)
                grad = x.grad.data
            factor = np.where(pos, 1.0, yd.astype(np.float64) / np.where(pos, 1, xd).astype(np.float64))
            # assert_allclose broadcasts: the shapes are checked first (a 0-d input's gradient must be 0-d)
            assert yd.shape == xd.shape and grad.shape == xd.shape, \
                f"{lib}: output {yd.shape} and gradient {grad.shape} for an input of shape {xd.shape}"
            np.testing.assert_allclose(grad, g * factor, rtol=2e-6 if xd.dtype == np.float32 else 1e-12,
                                       atol=1e-6, err_msg=f"{lib}: gradient does not use the output's slopes")
    return check


def _away(rng, shape, dtype):
    return (rng.uniform(0.5, 2, size=shape) * rng.choice([-1, 1], size=shape)).astype(dtype)


CASES += [
    OpCase(op="rrelu", desc="train_default", args=(T((40, 50), gen=_away),),
           call=lambda F, x: (F.rrelu(x, training=True), x), check=rrelu_check(1 / 8, 1 / 3)),
    OpCase(op="rrelu", desc="train_bounds", args=(T((40, 50), gen=_away),),
           call=lambda F, x: (F.rrelu(x, 0.05, 0.6, True), x), check=rrelu_check(0.05, 0.6)),
    OpCase(op="rrelu", desc="train_inplace", args=(T((40, 50), gen=_away),),
           call=lambda F, x: (F.rrelu(x * 1, 0.1, 0.3, True, True), x), check=rrelu_check(0.1, 0.3)),
    OpCase(op="rrelu", desc="module_train", args=(T((40, 50), gen=_away),),
           call=lambda F, x: (lib_nn(F).RReLU(0.2, 0.4)(x), x), check=rrelu_check(0.2, 0.4)),
    OpCase(op="rrelu", desc="train_equal_bounds", args=(T((4, 8), gen=edges(0.0)),),
           kwargs={"lower": 0.25, "upper": 0.25, "training": True}),
    OpCase(op="rrelu", desc="eval_default", args=(T((4, 8), gen=edges(0.0)),)),
    OpCase(op="rrelu", desc="eval_bounds", args=(T((3, 4, 5), -4, 4),), kwargs={"lower": 0.1, "upper": 0.5}),
    OpCase(op="rrelu", desc="eval_negative_bounds", args=(T((3, 4, 5), -4, 4),),
           kwargs={"lower": -0.5, "upper": -0.1}),
    OpCase(op="rrelu", desc="eval_inplace", args=(T((4, 8), gen=edges(0.0)),),
           call=lambda F, x: F.rrelu(x * 1, 0.1, 0.3, False, True)),
    OpCase(op="rrelu", desc="empty", args=(T((0, 3)),), kwargs={"training": True}),
    ModuleCase(module="RReLU", desc="eval", inputs=(T((2, 3, 4), -4, 4),), train=False),
    ModuleCase(module="RReLU", desc="eval_bounds", ctor_args=(0.1, 0.5), inputs=(T((2, 3, 4), -4, 4),), train=False),
    ModuleCase(module="RReLU", desc="inplace_repr", ctor_args=(0.1, 0.5, True), inputs=(T((2, 3)),), train=False,
               grad=False),
    ErrorCase(op="rrelu", desc="lower_above_upper", args=(T((2, 3)),), kwargs={"lower": 0.5, "upper": 0.1}),
    ErrorCase(op="rrelu", desc="lower_above_upper_train", args=(T((2, 3)),),
              kwargs={"lower": 0.5, "upper": 0.1, "training": True}),
    ErrorCase(op="rrelu", desc="int64_input", args=(T((3, 4), -5, 5, dtype="int64"),), dtypes=("float32",)),
]


# 0-d and empty inputs with gradients: every activation on a 0-d leaf (its gradient must stay 0-d; the "0d"
# cases above reshape a (1,) leaf), in place on a 0-d non-leaf, an empty 3-d input, and the modules
def _zero_d_negative(rng, shape, dtype):
    return np.asarray(-rng.uniform(0.5, 2.0, size=shape), dtype=dtype)


for op, module, variants, points, has_inplace in ACTIVATIONS:
    base = variants[0]
    CASES += [
        OpCase(op=op, desc="0d_leaf", args=(T((), -4, 4),), kwargs=base),
        OpCase(op=op, desc="0d_leaf_negative", args=(T((), gen=_zero_d_negative),), kwargs=base),
        OpCase(op=op, desc="empty_3d", args=(T((2, 0, 3)),), kwargs=base),
        ModuleCase(module=module, desc="0d", ctor_kwargs=base, inputs=(T((), -4, 4),)),
        ModuleCase(module=module, desc="empty", ctor_kwargs=base, inputs=(T((0, 4)),)),
    ]
    if has_inplace:
        CASES += [
            OpCase(op=op, desc="inplace_0d", args=(T((), -4, 4),), call=_inplace(op, **base)),
            OpCase(op=op, desc="inplace_empty", args=(T((0, 3)),), call=_inplace(op, **base)),
        ]
CASES += [
    OpCase(op="prelu", desc="0d_input", args=(T((), -4, 4), T((1,), -1, 1))),
    OpCase(op="prelu", desc="0d_input_0d_weight", args=(T((), gen=_zero_d_negative), T((), -1, 1))),
    OpCase(op="prelu", desc="empty_channels_shared", args=(T((2, 0, 3)), T((1,), -1, 1))),
    OpCase(op="prelu", desc="empty_length", args=(T((2, 3, 0)), T((3,), -1, 1))),
    ModuleCase(module="PReLU", desc="0d", inputs=(T((), -4, 4),)),
    ModuleCase(module="PReLU", desc="empty_batch", ctor_args=(3,), inputs=(T((0, 3, 2)),)),
    # training-mode RReLU on a 0-d input: with lower == upper the slope is fixed, so torch compares directly
    # (refnn still draws it and multiplies through the random path); with lower < upper the slope is checked
    OpCase(op="rrelu", desc="0d_train_equal_bounds", args=(T((), gen=_zero_d_negative),),
           kwargs={"lower": 0.25, "upper": 0.25, "training": True}),
    OpCase(op="rrelu", desc="0d_train_positive", args=(T((), 0.5, 2),), kwargs={"training": True}),
    OpCase(op="rrelu", desc="0d_train", args=(T((), gen=_zero_d_negative),),
           call=lambda F, x: (F.rrelu(x, 0.1, 0.3, True), x), check=rrelu_check(0.1, 0.3)),
    OpCase(op="rrelu", desc="0d_train_inplace", args=(T((), gen=_zero_d_negative),),
           call=lambda F, x: F.rrelu(x * 1, 0.25, 0.25, True, True)),
    OpCase(op="rrelu", desc="0d_eval", args=(T((), -4, 4),)),
    OpCase(op="rrelu", desc="empty_3d_eval", args=(T((2, 0, 3)),)),
    ModuleCase(module="RReLU", desc="0d_eval", inputs=(T((), -4, 4),), train=False),
    ModuleCase(module="RReLU", desc="0d_train_equal_bounds", ctor_args=(0.2, 0.2), inputs=(T((), gen=_zero_d_negative),)),
    ModuleCase(module="RReLU", desc="empty_train", inputs=(T((0, 4)),)),
]

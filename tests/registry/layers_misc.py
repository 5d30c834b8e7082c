"""Small layers: GLU, Softmax2d, Bilinear, LocalResponseNorm, CrossMapLRN2d, RMSNorm, F.normalize, F.pdist,
the alpha dropouts, F.gumbel_softmax, ParameterList / ParameterDict and SyncBatchNorm.

Random ops (alpha dropouts, gumbel_softmax) are checked by relation and statistics, as tests/registry/dropout.py
does: torch's and refnn's generators differ.
"""
import math

import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T


def specials(rng, shape, dtype):
    x = rng.uniform(-2, 2, size=shape).astype(dtype)
    x.reshape(-1)[:4] = [np.nan, np.inf, -np.inf, -0.0][:x.size]
    return x


def ties(rng, shape, dtype):
    return rng.integers(-2, 3, size=shape).astype(dtype)


def zero_row(rng, shape, dtype):
    x = rng.uniform(-1, 1, size=shape).astype(dtype)
    x[0] = 0
    return x


# ---------------------------------------------------------------- GLU, Softmax2d
CASES = [
    OpCase(op="glu", desc="default_dim", args=(T((3, 4)),)),
    OpCase(op="glu", desc="dim0", args=(T((4, 3)),), kwargs={"dim": 0}),
    OpCase(op="glu", desc="dim1_3d", args=(T((2, 6, 3)),), kwargs={"dim": 1}),
    OpCase(op="glu", desc="dim_negative", args=(T((2, 3, 4)),), kwargs={"dim": -3}),
    OpCase(op="glu", desc="1d", args=(T((8,)),)),
    OpCase(op="glu", desc="empty_batch", args=(T((0, 4)),)),
    OpCase(op="glu", desc="halving_zero", args=(T((3, 0)),)),
    OpCase(op="glu", desc="noncontig", args=(T((4, 6), layout="transposed"),), kwargs={"dim": 0}),
    OpCase(op="glu", desc="nan_inf", args=(T((3, 8), gen=specials),), grad=False),
    ModuleCase(module="GLU", desc="default", inputs=(T((3, 4)),)),
    ModuleCase(module="GLU", desc="dim0", ctor_args=(0,), inputs=(T((4, 3)),)),
    ErrorCase(op="glu", desc="odd", args=(T((3, 5)),)),
    ErrorCase(op="glu", desc="0d", args=(T(()),)),
    ErrorCase(op="glu", desc="dim_out_of_range", args=(T((4, 4)),), kwargs={"dim": 2}),
    ErrorCase(op="glu", desc="int_input", args=(T((4, 4), 0, 3, dtype="int64"),)),
    ErrorCase(op="GLU", desc="module_odd", args=(), module=True, call_inputs=(T((2, 3)),)),

    ModuleCase(module="Softmax2d", desc="4d", inputs=(T((2, 3, 4, 5)),)),
    ModuleCase(module="Softmax2d", desc="3d", inputs=(T((3, 4, 5)),)),
    ModuleCase(module="Softmax2d", desc="empty", inputs=(T((0, 3, 2, 2)),)),
    ModuleCase(module="Softmax2d", desc="noncontig", inputs=(T((2, 3, 4, 5), layout="transposed"),)),
    ErrorCase(op="Softmax2d", desc="2d", module=True, call_inputs=(T((3, 4)),)),
    ErrorCase(op="Softmax2d", desc="5d", module=True, call_inputs=(T((1, 3, 4, 2, 2)),)),
]

# ---------------------------------------------------------------- Bilinear
CASES += [
    OpCase(op="bilinear", desc="bias", args=(T((4, 3)), T((4, 5)), T((6, 3, 5)), T((6,)))),
    OpCase(op="bilinear", desc="no_bias", args=(T((4, 3)), T((4, 5)), T((6, 3, 5)))),
    OpCase(op="bilinear", desc="unbatched", args=(T((3,)), T((5,)), T((6, 3, 5)), T((6,)))),
    OpCase(op="bilinear", desc="3d_batch", args=(T((2, 3, 3)), T((2, 3, 5)), T((2, 3, 5)), T((2,)))),
    OpCase(op="bilinear", desc="empty_batch", args=(T((0, 3)), T((0, 5)), T((6, 3, 5)), T((6,)))),
    OpCase(op="bilinear", desc="zero_out_features", args=(T((4, 3)), T((4, 5)), T((0, 3, 5)), T((0,)))),
    ErrorCase(op="bilinear", desc="zero_in1_features", args=(T((4, 0)), T((4, 5)), T((6, 0, 5)), T((6,)))),
    ErrorCase(op="bilinear", desc="zero_in2_features", args=(T((4, 3)), T((4, 0)), T((6, 3, 0)))),
    OpCase(op="bilinear", desc="noncontig", args=(T((4, 3), layout="transposed"), T((4, 5), layout="strided"),
                                                  T((6, 3, 5), layout="transposed"), T((6,)))),
    OpCase(op="bilinear", desc="nan_inf", args=(T((4, 3), gen=specials), T((4, 5)), T((6, 3, 5))), grad=False),
    ModuleCase(module="Bilinear", desc="default", ctor_args=(3, 5, 6), inputs=(T((4, 3)), T((4, 5)))),
    ModuleCase(module="Bilinear", desc="no_bias", ctor_args=(3, 5, 6), ctor_kwargs={"bias": False},
               inputs=(T((4, 3)), T((4, 5)))),
    ModuleCase(module="Bilinear", desc="unbatched", ctor_args=(2, 2, 3), inputs=(T((2,)), T((2,)))),
    ErrorCase(op="bilinear", desc="batch_mismatch", args=(T((4, 3)), T((3, 5)), T((6, 3, 5)))),
    ErrorCase(op="bilinear", desc="input1_size", args=(T((4, 2)), T((4, 5)), T((6, 3, 5)))),
    ErrorCase(op="bilinear", desc="input2_size", args=(T((4, 3)), T((4, 4)), T((6, 3, 5)))),
    ErrorCase(op="bilinear", desc="bias_size", args=(T((4, 3)), T((4, 5)), T((6, 3, 5)), T((5,)))),
    ErrorCase(op="bilinear", desc="rank_mismatch", args=(T((4, 3)), T((5,)), T((6, 3, 5)))),
    ErrorCase(op="bilinear", desc="dtype_mismatch", dtypes=("float32",),
              args=(T((4, 3)), T((4, 5)), T((6, 3, 5), dtype="float64"))),
]

# ---------------------------------------------------------------- local response norms, RMSNorm, normalize
for size in (1, 2, 3, 4, 5, 8):
    CASES.append(OpCase(op="local_response_norm", desc=f"size{size}", args=(T((2, 5, 3, 3)),), kwargs={"size": size}))
CASES += [
    OpCase(op="local_response_norm", desc="3d", args=(T((2, 5, 4)),), kwargs={"size": 3}),
    OpCase(op="local_response_norm", desc="5d", args=(T((2, 4, 2, 3, 2)),), kwargs={"size": 2}),
    OpCase(op="local_response_norm", desc="params", args=(T((2, 5, 3, 3), -3, 3),),
           kwargs={"size": 3, "alpha": 0.5, "beta": 0.6, "k": 2.0}),
    OpCase(op="local_response_norm", desc="empty", args=(T((0, 5, 3, 3)),), kwargs={"size": 3}),
    OpCase(op="local_response_norm", desc="noncontig", args=(T((2, 5, 3, 4), layout="transposed"),),
           kwargs={"size": 3}),
    OpCase(op="local_response_norm", desc="nan_inf", args=(T((2, 5, 3), gen=specials),), kwargs={"size": 3},
           grad=False),
    ModuleCase(module="LocalResponseNorm", desc="default", ctor_args=(3,), inputs=(T((2, 6, 3, 3)),)),
    ModuleCase(module="LocalResponseNorm", desc="params", ctor_args=(2, 1e-2, 0.5, 2.0), inputs=(T((2, 4, 5)),)),
    ErrorCase(op="local_response_norm", desc="2d", args=(T((2, 5)),), kwargs={"size": 3}),
    ErrorCase(op="LocalResponseNorm", desc="module_2d", args=(3,), module=True, call_inputs=(T((2, 5)),)),

    ModuleCase(module="CrossMapLRN2d", desc="size3", ctor_args=(3,), inputs=(T((2, 6, 3, 3)),)),
    ModuleCase(module="CrossMapLRN2d", desc="size5_params", ctor_args=(5, 1e-2, 0.5, 2.0),
               inputs=(T((2, 7, 3, 2), -2, 2),)),
    ModuleCase(module="CrossMapLRN2d", desc="size2", ctor_args=(2,), inputs=(T((2, 4, 2, 2)),)),
    ModuleCase(module="CrossMapLRN2d", desc="size_above_channels", ctor_args=(9, 0.5), inputs=(T((1, 3, 2, 2)),)),
    # size 1: torch's backward narrows past its padded buffer and raises; the forward is compared
    ModuleCase(module="CrossMapLRN2d", desc="size1_forward", ctor_args=(1,), inputs=(T((2, 4, 2, 2)),), grad=False),
    ErrorCase(op="CrossMapLRN2d", desc="3d", args=(3,), module=True, call_inputs=(T((2, 4, 2)),)),
    ErrorCase(op="CrossMapLRN2d", desc="size1_backward", args=(T((2, 4, 2, 2)),),
              call=lambda lib, x: lib.nn.CrossMapLRN2d(1)(x.requires_grad_()).sum().backward()),

    OpCase(op="rms_norm", desc="weight", args=(T((3, 4, 5)), [4, 5], T((4, 5)))),
    OpCase(op="rms_norm", desc="no_weight", args=(T((3, 4, 5)), [5])),
    OpCase(op="rms_norm", desc="eps", args=(T((3, 5)), (5,)), kwargs={"eps": 1e-2}),
    ErrorCase(op="rms_norm", desc="int_shape", args=(T((3, 5)), 5)),
    OpCase(op="rms_norm", desc="tiny_values_eps_none", args=(T((3, 5), -1e-4, 1e-4), [5])),
    OpCase(op="rms_norm", desc="empty_batch", args=(T((0, 5)), [5], T((5,)))),
    OpCase(op="rms_norm", desc="noncontig", args=(T((4, 5), layout="transposed"), [5], T((5,)))),
    OpCase(op="rms_norm", desc="1d", args=(T((6,)), [6], T((6,)))),
    OpCase(op="rms_norm", desc="nan_inf", args=(T((3, 5), gen=specials), [5]), grad=False),
    ModuleCase(module="RMSNorm", desc="default", ctor_args=(5,), inputs=(T((3, 5)),)),
    ModuleCase(module="RMSNorm", desc="2d_shape_eps", ctor_args=([4, 5],), ctor_kwargs={"eps": 1e-5},
               inputs=(T((3, 4, 5)),)),
    ModuleCase(module="RMSNorm", desc="no_affine", ctor_args=(5,), ctor_kwargs={"elementwise_affine": False},
               inputs=(T((2, 3, 5)),)),
    ErrorCase(op="rms_norm", desc="shape_mismatch", args=(T((3, 5)), [4])),
    ErrorCase(op="rms_norm", desc="weight_mismatch", args=(T((3, 5)), [5], T((4,)))),
    ErrorCase(op="rms_norm", desc="shape_float", args=(T((3, 5)), [5.0])),
    ErrorCase(op="RMSNorm", desc="module_shape_mismatch", args=(4,), module=True, call_inputs=(T((3, 5)),)),

    OpCase(op="normalize", desc="defaults", args=(T((4, 5)),)),
    OpCase(op="normalize", desc="p1_dim0", args=(T((4, 5)),), kwargs={"p": 1.0, "dim": 0}),
    OpCase(op="normalize", desc="p3_dim_neg", args=(T((2, 3, 4)),), kwargs={"p": 3.0, "dim": -1}),
    OpCase(op="normalize", desc="pinf", args=(T((4, 5)),), kwargs={"p": float("inf")}),
    OpCase(op="normalize", desc="eps_clamps_zero_row", args=(T((4, 5), gen=zero_row),), kwargs={"dim": 1}),
    OpCase(op="normalize", desc="eps_large", args=(T((4, 5)),), kwargs={"eps": 10.0}),
    OpCase(op="normalize", desc="1d_dim0", args=(T((6,)),), kwargs={"dim": 0}),
    OpCase(op="normalize", desc="empty", args=(T((0, 5)),)),
    OpCase(op="normalize", desc="noncontig", args=(T((4, 5), layout="transposed"),)),
    OpCase(op="normalize", desc="nan_inf", args=(T((3, 5), gen=specials),), grad=False),
    ErrorCase(op="normalize", desc="dim_out_of_range", args=(T((4, 5)),), kwargs={"dim": 2}),
]

# ---------------------------------------------------------------- pdist
for p in (2.0, 1.0, 0.0, 0.5, 1.5, 3.0, float("inf")):
    CASES.append(OpCase(op="pdist", desc=f"p{p}", args=(T((6, 4)),), kwargs={"p": p}))
    CASES.append(OpCase(op="pdist", desc=f"p{p}_ties", args=(T((6, 3), gen=ties),), kwargs={"p": p}))
CASES += [
    OpCase(op="pdist", desc="one_row", args=(T((1, 4)),)),
    # (no rows: torch's pdist backward crashes on them; the forward is compared)
    OpCase(op="pdist", desc="no_rows", args=(T((0, 4)),), grad=False),
    OpCase(op="pdist", desc="no_columns", args=(T((4, 0)),)),
    OpCase(op="pdist", desc="noncontig", args=(T((5, 4), layout="transposed"),)),
    OpCase(op="pdist", desc="nan_inf", args=(T((4, 3), gen=specials),), grad=False),
    ErrorCase(op="pdist", desc="3d", args=(T((2, 3, 4)),)),
    ErrorCase(op="pdist", desc="1d", args=(T((4,)),)),
    ErrorCase(op="pdist", desc="int", args=(T((3, 4), 0, 3, dtype="int64"),)),
    ErrorCase(op="pdist", desc="negative_p", args=(T((3, 4)),), kwargs={"p": -1.0}),
]


# ---------------------------------------------------------------- alpha dropouts
ALPHA = 1.7580993408473766


def away_from_zero(rng, shape, dtype):
    return (rng.uniform(0.5, 2, size=shape) * rng.choice([-1, 1], size=shape)).astype(dtype)


def _np(t):
    return t.detach().numpy() if type(t).__module__.startswith("torch") else t.data


def alpha_check(p, feature_ndim=0):
    """Each output element is input * a + ALPHA a p (kept) or ALPHA a (p - 1) (dropped), the scalars rounded
    to the dtype as torch rounds them; the kept fraction within 6 sigma of 1 - p; the mask constant over
    feature maps; the gradient upstream * a on kept elements and 0 on dropped ones."""
    def check(outs_t, outs_r, arrays):
        for lib, (y, x) in (("torch", outs_t), ("refnn", outs_r)):
            yd, xd = _np(y), _np(x)
            dt = xd.dtype.type
            a = 1.0 / math.sqrt((ALPHA * ALPHA * p + 1) * (1 - p))
            fa, fb1, fb2 = dt(a), dt(ALPHA * a), dt(ALPHA * a * p)
            kept_value = xd * fa + fb2
            dropped_value = dt(-fb1) + fb2
            kept = yd == kept_value
            dropped = yd == dropped_value
            assert np.all(kept | dropped), f"{lib}: an output is neither x * a + b nor the dropped value"
            units = kept
            if feature_ndim:
                lead = kept.reshape(kept.shape[:kept.ndim - feature_ndim] + (-1,))
                assert np.all(lead.all(-1) | ~lead.any(-1)), f"{lib}: the mask is not constant over feature maps"
                units = lead[..., 0]
            n = units.size
            fraction = units.mean()
            assert abs(fraction - (1 - p)) <= 6 * math.sqrt(p * (1 - p) / n) + 1e-12, \
                f"{lib}: kept fraction {fraction:.4f} vs {1 - p:.4f} ({n} draws)"
            g = np.random.default_rng(0).standard_normal(yd.shape).astype(xd.dtype)
            if lib == "torch":
                import torch
                y.backward(torch.from_numpy(g.copy()))
                grad = x.grad.numpy()
            else:
                y.backward(g)
                grad = x.grad.data
            assert np.array_equal(grad, np.where(kept, g * fa, dt(0))), f"{lib}: the gradient does not use the mask"
    return check


def _alpha_call(fn, p):
    return lambda F, x: (getattr(F, fn)(x, p, True), x)


def _alpha_module(cls, p):
    def call(F, x):
        if F.__name__.startswith("torch"):
            import torch.nn as nn
        else:
            import refnn.nn as nn
        return getattr(nn, cls)(p)(x), x
    return call


BIG = (64, 50)
for p in (0.5, 0.2, 0.9):
    CASES.append(OpCase(op="alpha_dropout", desc=f"p{p}_train", args=(T(BIG, gen=away_from_zero),),
                        call=_alpha_call("alpha_dropout", p), check=alpha_check(p)))
CASES += [
    OpCase(op="alpha_dropout", desc="noncontig_train", args=(T((40, 30), gen=away_from_zero, layout="transposed"),),
           call=_alpha_call("alpha_dropout", 0.3), check=alpha_check(0.3)),
    OpCase(op="alpha_dropout", desc="0d_train", args=(T((), gen=away_from_zero),),
           call=_alpha_call("alpha_dropout", 0.5), check=alpha_check(0.5)),
    OpCase(op="alpha_dropout", desc="default_eval", args=(T((4, 5), gen=specials),)),
    OpCase(op="alpha_dropout", desc="eval", args=(T((4, 5)),), kwargs={"p": 0.5, "training": False}),
    OpCase(op="alpha_dropout", desc="p0_train", args=(T((4, 5)),), kwargs={"p": 0.0, "training": True}),
    OpCase(op="alpha_dropout", desc="p1_train", args=(T((4, 5), gen=specials),), kwargs={"p": 1.0, "training": True}),
    OpCase(op="alpha_dropout", desc="empty_train", args=(T((0, 5)),), kwargs={"p": 0.5, "training": True}),
    OpCase(op="feature_alpha_dropout", desc="p0.5_4d", args=(T((16, 24, 3, 2), gen=away_from_zero),),
           call=_alpha_call("feature_alpha_dropout", 0.5), check=alpha_check(0.5, 2)),
    OpCase(op="feature_alpha_dropout", desc="p0.3_3d", args=(T((30, 20, 4), gen=away_from_zero),),
           call=_alpha_call("feature_alpha_dropout", 0.3), check=alpha_check(0.3, 1)),
    OpCase(op="feature_alpha_dropout", desc="p0.5_2d", args=(T(BIG, gen=away_from_zero),),
           call=_alpha_call("feature_alpha_dropout", 0.5), check=alpha_check(0.5)),
    OpCase(op="feature_alpha_dropout", desc="eval", args=(T((2, 3, 4)),), kwargs={"p": 0.5}),
    OpCase(op="feature_alpha_dropout", desc="p1_train", args=(T((2, 3, 4)),), kwargs={"p": 1.0, "training": True}),
    OpCase(op="AlphaDropout", desc="module_train", args=(T(BIG, gen=away_from_zero),),
           call=_alpha_module("AlphaDropout", 0.25), check=alpha_check(0.25)),
    OpCase(op="FeatureAlphaDropout", desc="module_train", args=(T((16, 24, 3, 3), gen=away_from_zero),),
           call=_alpha_module("FeatureAlphaDropout", 0.5), check=alpha_check(0.5, 2)),
    ModuleCase(module="AlphaDropout", desc="eval", ctor_args=(0.3,), inputs=(T((4, 6)),), train=False),
    ModuleCase(module="AlphaDropout", desc="p0_train", ctor_args=(0.0,), inputs=(T((4, 6)),)),
    ModuleCase(module="FeatureAlphaDropout", desc="eval_inplace_repr", ctor_args=(0.2, True), inputs=(T((2, 4, 3)),),
               train=False),
    ErrorCase(op="alpha_dropout", desc="p_above_1", args=(T((2, 3)),), kwargs={"p": 1.5}),
    ErrorCase(op="alpha_dropout", desc="p_negative", args=(T((2, 3)),), kwargs={"p": -0.5}),
    ErrorCase(op="feature_alpha_dropout", desc="p_above_1", args=(T((2, 3)),), kwargs={"p": 2.0}),
    ErrorCase(op="AlphaDropout", desc="p_above_1", args=(1.5,), module=True),
    ErrorCase(op="alpha_dropout", desc="inplace_leaf_requires_grad",
              call=lambda lib, x: lib.F.alpha_dropout(x.requires_grad_(), 0.5, True, True), args=(T((2, 3)),)),
]


# ---------------------------------------------------------------- gumbel_softmax
LOGITS = np.array([0.0, 0.5, 1.0, -1.0])


def fixed_logits(rng, shape, dtype):
    return np.broadcast_to(LOGITS, shape).astype(dtype)


def gumbel_check(tau, hard, dim=-1):
    """Gumbel-max: argmax frequencies match softmax(logits) within 6 sigma; soft samples are positive rows summing
    to 1 whose gradient is softmax's, (g - sum(g y)) y / tau; hard samples are one-hot and their gradient (the
    soft sample's) sums to 0 over each row."""
    def check(outs_t, outs_r, arrays):
        probs = np.exp(LOGITS) / np.exp(LOGITS).sum()
        for lib, (y, x) in (("torch", outs_t), ("refnn", outs_r)):
            yd = np.moveaxis(_np(y), dim, -1)
            rows = yd.shape[0]
            counts = np.bincount(yd.argmax(-1), minlength=len(LOGITS)) / rows
            bound = 6 * np.sqrt(probs * (1 - probs) / rows)
            assert np.all(np.abs(counts - probs) <= bound), f"{lib}: argmax frequencies {counts} vs {probs}"
            g = np.random.default_rng(1).standard_normal(yd.shape).astype(yd.dtype)
            g_in = np.ascontiguousarray(np.moveaxis(g, -1, dim))
            if lib == "torch":
                import torch
                y.backward(torch.from_numpy(g_in))
                grad = np.moveaxis(x.grad.numpy(), dim, -1)
            else:
                y.backward(g_in)
                grad = np.moveaxis(x.grad.data, dim, -1)
            tol = 1e-5 if yd.dtype == np.float32 else 1e-12
            if hard:
                assert np.all((yd == 0) | (yd == 1)) and np.all(yd.sum(-1) == 1), f"{lib}: not one-hot"
                assert np.allclose(grad.sum(-1), 0, atol=tol * 10), f"{lib}: gradient rows do not sum to 0"
            else:
                assert np.all(yd >= 0) and np.allclose(yd.sum(-1), 1, atol=tol), f"{lib}: rows are not simplex"
                expected = (g - (g * yd).sum(-1, keepdims=True)) * yd / tau
                assert np.allclose(grad, expected, rtol=1e-4, atol=tol * 10), f"{lib}: gradient is not softmax's"
    return check


for tau, hard in ((1.0, False), (0.5, False), (2.0, True), (1.0, True)):
    CASES.append(OpCase(op="gumbel_softmax", desc=f"tau{tau}_hard{hard}", args=(T((4000, 4), gen=fixed_logits),),
                        call=lambda F, x, tau=tau, hard=hard: (F.gumbel_softmax(x, tau, hard), x),
                        check=gumbel_check(tau, hard)))
CASES.append(OpCase(op="gumbel_softmax", desc="dim0", args=(T((4, 4000), gen=lambda r, s, d: fixed_logits(
    r, s[::-1], d).T.copy()),), call=lambda F, x: (F.gumbel_softmax(x, dim=0), x),
    check=gumbel_check(1.0, False, dim=0)))
CASES.append(ErrorCase(op="gumbel_softmax", desc="dim_out_of_range", args=(T((3, 4)),), kwargs={"dim": 2}))


# ---------------------------------------------------------------- ParameterList, ParameterDict
def _holder(kind):
    def build(nn, F):
        class Holder(nn.Module):
            def __init__(self):
                super().__init__()
                lib_tensor = nn.Linear(3, 4).weight.detach()
                if kind == "list":
                    self.params = nn.ParameterList([nn.Parameter(lib_tensor * 1), nn.Parameter(lib_tensor[0] * 1)])
                    self.params.append(nn.Parameter(lib_tensor[:, 0] * 1))
                else:
                    self.params = nn.ParameterDict({"w": nn.Parameter(lib_tensor * 1),
                                                    "b": nn.Parameter(lib_tensor[:, 0] * 1)})
                    self.params["a"] = nn.Parameter(lib_tensor[0] * 1)

            def forward(self, x):
                if kind == "list":
                    w, v, b = self.params[0], self.params[1], self.params[-1]
                    return F.linear(x * v, w, b)
                return F.linear(x * self.params["a"], self.params["w"], self.params["b"])
        return Holder()
    return build


CASES += [
    ModuleCase(module=_holder("list"), name="ParameterList", desc="in_module", inputs=(T((2, 3)),)),
    ModuleCase(module=_holder("dict"), name="ParameterDict", desc="in_module", inputs=(T((2, 3)),)),
]

# ---------------------------------------------------------------- SyncBatchNorm (CPU: torch's BatchNorm fallback)
CASES += [
    ModuleCase(module="SyncBatchNorm", desc="train_2d", ctor_args=(3,), inputs=(T((4, 3)),), steps=2),
    ModuleCase(module="SyncBatchNorm", desc="train_3d", ctor_args=(3,), inputs=(T((4, 3, 5)),), steps=2),
    ModuleCase(module="SyncBatchNorm", desc="train_4d", ctor_args=(3,), inputs=(T((2, 3, 4, 4)),)),
    ModuleCase(module="SyncBatchNorm", desc="train_5d", ctor_args=(2,), inputs=(T((2, 2, 2, 3, 2)),)),
    ModuleCase(module="SyncBatchNorm", desc="eval", ctor_args=(3,), inputs=(T((4, 3, 5)),), train=False),
    ModuleCase(module="SyncBatchNorm", desc="momentum_none", ctor_args=(3,), ctor_kwargs={"momentum": None},
               inputs=(T((4, 3, 5)),), steps=3),
    ModuleCase(module="SyncBatchNorm", desc="no_affine_no_stats", ctor_args=(3,),
               ctor_kwargs={"affine": False, "track_running_stats": False, "eps": 1e-3}, inputs=(T((4, 3, 5)),)),
    ModuleCase(module="SyncBatchNorm", desc="no_bias", ctor_args=(3,), ctor_kwargs={"bias": False},
               inputs=(T((4, 3, 5)),)),
    ModuleCase(module=lambda nn, F: nn.SyncBatchNorm.convert_sync_batchnorm(
        nn.Sequential(nn.Conv1d(2, 3, 1), nn.BatchNorm1d(3), nn.Sequential(nn.BatchNorm1d(3, affine=False)))),
        name="SyncBatchNorm.convert_sync_batchnorm", desc="nested", inputs=(T((4, 2, 5)),), steps=2),
    ErrorCase(op="SyncBatchNorm", desc="1d_input", args=(3,), module=True, call_inputs=(T((3,)),)),
    ErrorCase(op="SyncBatchNorm", desc="zero_channels", args=(0,), module=True, call_inputs=(T((2, 0, 3)),)),
]

# more edges: 0-d, non-finite and non-contiguous inputs of the module forms
CASES += [
    OpCase(op="normalize", desc="0d_dim0", args=(T(()),), kwargs={"dim": 0}),
    OpCase(op="normalize", desc="0d_dim_neg1_p1", args=(T(()),), kwargs={"p": 1.0, "dim": -1}),
    OpCase(op="pdist", desc="float_p_int", args=(T((4, 3)),), kwargs={"p": 1}),
    ModuleCase(module="CrossMapLRN2d", desc="noncontig", ctor_args=(3,), inputs=(T((2, 5, 3, 4), layout="transposed"),)),
    ModuleCase(module="CrossMapLRN2d", desc="nan_inf", ctor_args=(3,), inputs=(T((1, 4, 2, 2), gen=specials),),
               grad=False),
    ModuleCase(module="Softmax2d", desc="nan_inf", inputs=(T((1, 3, 2, 2), gen=specials),), grad=False),
    ModuleCase(module="SyncBatchNorm", desc="noncontig", ctor_args=(4,), inputs=(T((3, 4, 5), layout="transposed"),)),
    ModuleCase(module="Bilinear", desc="empty_batch", ctor_args=(3, 2, 4), inputs=(T((0, 3)), T((0, 2)))),
    ModuleCase(module="RMSNorm", desc="empty_batch", ctor_args=(3,), inputs=(T((0, 3)),)),
    ModuleCase(module="LocalResponseNorm", desc="empty", ctor_args=(3,), inputs=(T((0, 3, 2)),)),
    ModuleCase(module="GLU", desc="0_length_half", inputs=(T((2, 0)),)),
]

# constructors refuse what torch.empty refuses
CASES += [
    ErrorCase(op="Bilinear", desc="negative_features", args=(2, -1, 3), module=True),
    ErrorCase(op="RMSNorm", desc="negative_shape", args=(-2,), module=True),
]

"""Dropout, Dropout1d/2d/3d: random masks are checked by relation, not by value.

Torch's and refnn's generators differ, so a training-mode case returns (output, input) and its
``check`` reads each library's mask back from its output (kept where output != 0; inputs are kept
away from 0) and requires: output == input * scale exactly on the kept elements with
scale = 1 / (1 - p) in the dtype, the kept fraction within 6 sigma of 1 - p, feature dropouts
constant over each feature map, and the input's gradient == upstream * mask * scale (the same
mask).  p = 0, p = 1 and eval mode are deterministic and compared with torch directly.
"""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T


def away_from_zero(rng, shape, dtype):
    """|x| in [0.5, 2): an element is dropped exactly when its output is 0."""
    return (rng.uniform(0.5, 2, size=shape) * rng.choice([-1, 1], size=shape)).astype(dtype)


def with_specials(rng, shape, dtype):
    x = rng.uniform(-2, 2, size=shape).astype(dtype)
    x.reshape(-1)[:4] = [np.nan, np.inf, -np.inf, -0.0]
    return x


def lib_nn(F):
    """torch.nn or refnn.nn, whichever ``F`` belongs to."""
    if F.__name__.startswith("torch"):
        import torch.nn as nn
    else:
        import refnn.nn as nn
    return nn


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") and not hasattr(t, "_version") or \
        type(t).__module__.startswith("torch") else t.data


def mask_check(p, feature_ndim=0, fraction_of=None):
    """check(outs_t, outs_r, arrays) for outputs (y, x) of a dropout with probability ``p``.

    feature_ndim: trailing dims the mask is constant over (dropout1d: 1, dropout2d: 2 ...).
    """
    def check(outs_t, outs_r, arrays):
        for lib, (y, x) in (("torch", outs_t), ("refnn", outs_r)):
            _check_one(lib, y, x, p, feature_ndim)
    return check


def _check_one(lib, y, x, p, feature_ndim):
    yd, xd = _np(y), _np(x)
    dtype = xd.dtype
    scale = np.asarray(1, dtype) / np.asarray(1 - p, dtype)
    kept = yd != 0
    assert np.array_equal(yd[kept], xd[kept] * scale), f"{lib}: kept values are not input * 1/(1-p)"
    assert not np.any(yd[~kept]), f"{lib}: dropped values are not 0"
    if feature_ndim:
        lead = kept.reshape(kept.shape[:kept.ndim - feature_ndim] + (-1,))
        assert np.all(lead.all(-1) | ~lead.any(-1)), f"{lib}: the mask is not constant over feature maps"
        kept_units = lead[..., 0]
    else:
        kept_units = kept
    n = kept_units.size
    sigma = np.sqrt(p * (1 - p) / n)
    fraction = kept_units.mean()
    assert abs(fraction - (1 - p)) <= 6 * sigma + 1e-12, \
        f"{lib}: kept fraction {fraction:.4f} vs 1 - p = {1 - p:.4f} ({n} draws)"
    # gradient: the same mask, the same scale
    rng = np.random.default_rng(0)
    g = rng.standard_normal(yd.shape).astype(dtype)
    if type(y).__module__.startswith("torch"):
        import torch
        y.backward(torch.from_numpy(g.copy()))
        grad = x.grad.numpy() if x.grad is not None else None
    else:
        y.backward(g)
        grad = x.grad.data if x.grad is not None else None
    if grad is None:  # the input is a non-leaf (in-place call through x * 1): nothing to read
        return
    expected = np.where(kept, g * scale, np.zeros((), dtype))
    assert np.array_equal(grad, expected), f"{lib}: gradient does not use the output's mask"


def _train(p, fn="dropout", **kw):
    return lambda F, x: (getattr(F, fn)(x, p, **kw), x)


def _train_inplace(p, fn="dropout"):
    """In place on a non-leaf copy: the returned tensor is the copy, modified."""
    def call(F, x):
        z = x * 1
        y = getattr(F, fn)(z, p, True, True)
        assert y is z, "in-place dropout must return its input"
        return y, x
    return call


def _module_train(cls, p):
    return lambda F, x: (getattr(lib_nn(F), cls)(p)(x), x)


BIG = (64, 50)
CASES = [
    OpCase(op="dropout", desc="p0.5_train", args=(T(BIG, gen=away_from_zero),), call=_train(0.5),
           check=mask_check(0.5)),
    OpCase(op="dropout", desc="p0.2_train", args=(T(BIG, gen=away_from_zero),), call=_train(0.2),
           check=mask_check(0.2)),
    OpCase(op="dropout", desc="p0.9_train", args=(T(BIG, gen=away_from_zero),), call=_train(0.9),
           check=mask_check(0.9)),
    OpCase(op="dropout", desc="p0.3_3d_noncontig", args=(T((8, 20, 12), gen=away_from_zero, layout="transposed"),),
           call=_train(0.3), check=mask_check(0.3)),
    OpCase(op="dropout", desc="p0.5_training_kw", args=(T(BIG, gen=away_from_zero),),
           call=lambda F, x: (F.dropout(x, p=0.5, training=True), x), check=mask_check(0.5)),
    OpCase(op="dropout", desc="p0.4_inplace", args=(T(BIG, gen=away_from_zero),), call=_train_inplace(0.4),
           check=mask_check(0.4)),
    OpCase(op="dropout", desc="p0", args=(T((4, 5), gen=with_specials),), kwargs={"p": 0.0}),
    OpCase(op="dropout", desc="p1", args=(T((4, 5), gen=with_specials),), kwargs={"p": 1.0}),
    OpCase(op="dropout", desc="p1_int_literal", args=(T((4, 5)),), kwargs={"p": 1}),
    OpCase(op="dropout", desc="eval_identity", args=(T((4, 5), gen=with_specials),),
           kwargs={"p": 0.5, "training": False}),
    OpCase(op="dropout", desc="empty", args=(T((0, 5)),), kwargs={"p": 0.5}),
    OpCase(op="dropout1d", desc="p0.5_batched", args=(T((16, 24, 5), gen=away_from_zero),),
           call=_train(0.5, "dropout1d"), check=mask_check(0.5, 1)),
    OpCase(op="dropout1d", desc="p0.3_unbatched", args=(T((200, 5), gen=away_from_zero),),
           call=_train(0.3, "dropout1d"), check=mask_check(0.3, 1)),
    OpCase(op="dropout2d", desc="p0.5_batched", args=(T((16, 24, 3, 2), gen=away_from_zero),),
           call=_train(0.5, "dropout2d"), check=mask_check(0.5, 2)),
    OpCase(op="dropout2d", desc="p0.4_inplace", args=(T((16, 24, 3, 2), gen=away_from_zero),),
           call=_train_inplace(0.4, "dropout2d"), check=mask_check(0.4, 2)),
    OpCase(op="dropout3d", desc="p0.5_batched", args=(T((8, 30, 2, 2, 2), gen=away_from_zero),),
           call=_train(0.5, "dropout3d"), check=mask_check(0.5, 3)),
    OpCase(op="dropout3d", desc="p0.5_unbatched", args=(T((200, 2, 2, 2), gen=away_from_zero),),
           call=_train(0.5, "dropout3d"), check=mask_check(0.5, 3)),
    OpCase(op="dropout2d", desc="eval", args=(T((2, 3, 4, 4)),), kwargs={"p": 0.5, "training": False}),
    OpCase(op="dropout1d", desc="p1", args=(T((2, 3, 4)),), kwargs={"p": 1.0}),
    OpCase(op="Dropout", desc="module_train", args=(T(BIG, gen=away_from_zero),), call=_module_train("Dropout", 0.25),
           check=mask_check(0.25)),
    OpCase(op="Dropout2d", desc="module_train", args=(T((16, 24, 3, 3), gen=away_from_zero),),
           call=_module_train("Dropout2d", 0.5), check=mask_check(0.5, 2)),
    ModuleCase(module="Dropout", desc="eval", ctor_args=(0.3,), inputs=(T((4, 6)),), train=False),
    ModuleCase(module="Dropout", desc="p0_train", ctor_kwargs={"p": 0.0}, inputs=(T((4, 6)),)),
    ModuleCase(module="Dropout", desc="p1_train", ctor_kwargs={"p": 1.0}, inputs=(T((4, 6)),)),
    ModuleCase(module="Dropout", desc="inplace_repr_eval", ctor_kwargs={"p": 0.1, "inplace": True},
               inputs=(T((4, 6)),), train=False),
    ModuleCase(module="Dropout1d", desc="eval", ctor_args=(0.3,), inputs=(T((2, 4, 6)),), train=False),
    ModuleCase(module="Dropout2d", desc="eval", ctor_args=(0.3,), inputs=(T((2, 4, 3, 3)),), train=False),
    ModuleCase(module="Dropout3d", desc="eval", ctor_args=(0.3,), inputs=(T((2, 4, 2, 2, 2)),), train=False),
    ErrorCase(op="dropout", desc="p_negative", args=(T((2, 3)),), kwargs={"p": -0.1}),
    ErrorCase(op="dropout", desc="p_above_1", args=(T((2, 3)),), kwargs={"p": 1.1}),
    ErrorCase(op="dropout", desc="p_above_1_eval", args=(T((2, 3)),), kwargs={"p": 1.5, "training": False}),
    ErrorCase(op="dropout", desc="list_input", args=([1.0, 2.0],)),
    ErrorCase(op="dropout", desc="inplace_leaf_requires_grad",
              call=lambda lib, x: lib.F.dropout(x.requires_grad_(), 0.5, True, True), args=(T((2, 3)),)),
    ErrorCase(op="Dropout", desc="p_2", args=(2,), module=True),
    ErrorCase(op="Dropout2d", desc="p_negative", args=(-0.5,), module=True),
    ErrorCase(op="dropout1d", desc="4d_input", args=(T((2, 3, 4, 5)),)),
    ErrorCase(op="dropout1d", desc="1d_input", args=(T((5,)),)),
    ErrorCase(op="dropout1d", desc="p_above_1", args=(T((2, 3, 4)),), kwargs={"p": 2.0}),
]

# 0-d and empty inputs with gradients.  A 0-d input's mask is one draw (the kept-fraction bound then always
# holds); the check still requires the gradient to have the input's shape (np.array_equal compares shapes).
# torch returns an empty input itself (before any p, mode or rank rule of the mask), so empties compare directly.
CASES += [
    OpCase(op="dropout", desc="0d_p0.5_train", args=(T((), gen=away_from_zero),), call=_train(0.5),
           check=mask_check(0.5)),
    OpCase(op="dropout", desc="0d_p0.3_inplace", args=(T((), gen=away_from_zero),), call=_train_inplace(0.3),
           check=mask_check(0.3)),
    OpCase(op="Dropout", desc="0d_module_train", args=(T((), gen=away_from_zero),),
           call=_module_train("Dropout", 0.5), check=mask_check(0.5)),
    OpCase(op="dropout", desc="0d_p0", args=(T(()),), kwargs={"p": 0.0}),
    OpCase(op="dropout", desc="0d_p1", args=(T(()),), kwargs={"p": 1.0}),
    OpCase(op="dropout", desc="0d_eval", args=(T(()),), kwargs={"p": 0.5, "training": False}),
    OpCase(op="dropout2d", desc="0d_p0", args=(T(()),), kwargs={"p": 0.0}),
    OpCase(op="dropout3d", desc="0d_p1", args=(T(()),), kwargs={"p": 1.0}),
    OpCase(op="dropout2d", desc="0d_eval", args=(T(()),), kwargs={"p": 0.5, "training": False}),
    ModuleCase(module="Dropout", desc="0d_eval", ctor_args=(0.3,), inputs=(T(()),), train=False),
    ModuleCase(module="Dropout", desc="0d_p1_train", ctor_args=(1.0,), inputs=(T(()),)),
    ErrorCase(op="dropout1d", desc="0d_input", args=(T(()),)),
    ErrorCase(op="dropout1d", desc="0d_input_p0", args=(T(()),), kwargs={"p": 0.0}),
    ErrorCase(op="dropout2d", desc="0d_input_train", args=(T(()),)),
    ErrorCase(op="dropout3d", desc="0d_input_train", args=(T(()),), kwargs={"p": 0.2}),
    OpCase(op="dropout", desc="empty_inplace", args=(T((3, 0)),), call=lambda F, x: F.dropout(x * 1, 0.5, True, True)),
    OpCase(op="dropout", desc="empty_p1", args=(T((0, 2, 3)),), kwargs={"p": 1.0}),
    OpCase(op="dropout1d", desc="empty_batch", args=(T((0, 3, 4)),), kwargs={"p": 0.5}),
    OpCase(op="dropout1d", desc="empty_length", args=(T((2, 3, 0)),), kwargs={"p": 0.5}),
    OpCase(op="dropout2d", desc="empty_batch", args=(T((0, 3, 2, 2)),), kwargs={"p": 0.5}),
    OpCase(op="dropout2d", desc="empty_channels", args=(T((2, 0, 2, 2)),), kwargs={"p": 0.5}),
    OpCase(op="dropout3d", desc="empty_batch", args=(T((0, 2, 2, 2, 2)),), kwargs={"p": 0.5}),
    OpCase(op="dropout3d", desc="empty_unbatched_channels", args=(T((0, 2, 2, 2)),), kwargs={"p": 0.5}),
    ModuleCase(module="Dropout", desc="empty_train", ctor_args=(0.5,), inputs=(T((0, 4)),)),
    ModuleCase(module="Dropout2d", desc="empty_train", ctor_args=(0.5,), inputs=(T((0, 3, 2, 2)),)),
    ModuleCase(module="Dropout1d", desc="empty_train", ctor_args=(0.5,), inputs=(T((2, 0, 4)),)),
    ModuleCase(module="Dropout3d", desc="empty_train", ctor_args=(0.5,), inputs=(T((1, 2, 0, 2, 2)),)),
]

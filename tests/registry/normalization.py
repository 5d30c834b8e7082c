"""Normalisation: F.batch_norm / instance_norm / layer_norm / group_norm and their modules.

Module cases randomise the affine parameters (and, for eval cases, the running buffers) on
the torch side; the harness then loads torch's state into refnn, so both start equal.
"""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T

F32 = ("float32",)


# ---------------------------------------------------------------- value generators
def offset(value):
    """uniform(-1, 1) + value: mean >> std when value is large (stability of the statistics)."""
    def gen(rng, shape, dtype):
        return (value + rng.uniform(-1, 1, size=shape)).astype(dtype)
    gen.__name__ = f"offset_{value:g}"
    return gen


def constant(rng, shape, dtype):
    """Every element equal: variance exactly 0."""
    return np.full(shape, 0.7, dtype=dtype)


def with_specials(rng, shape, dtype):
    """NaN and +-inf in the first rows (they poison their own statistics only)."""
    x = rng.uniform(-2, 2, size=shape).astype(dtype)
    flat = x.reshape(-1)
    flat[:3] = [np.nan, np.inf, -np.inf][: flat.size]
    return x


def unit_uniform(rng, shape, dtype):
    """torch.rand-like values in [0, 1) (the tutorials' BatchNorm1d example)."""
    return rng.random(size=shape).astype(dtype)


def positive(shape):
    """A running-variance argument: values in [0.5, 2), no gradient."""
    return T(shape, 0.5, 2.0, requires_grad=False)


def stat(shape):
    """A running-mean argument, no gradient."""
    return T(shape, -0.5, 0.5, requires_grad=False)


# ---------------------------------------------------------------- module builders
def _randomise(module, running=False):
    """torch side only: random affine parameters (and running buffers); refnn loads torch's state."""
    if not type(module).__module__.startswith("torch"):
        return module
    import torch
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(0.5, 1.5) if p.dim() and "weight" in _name_of(module, p) else p.uniform_(-0.5, 0.5)
        if running:
            for name, b in module.named_buffers():
                if name.endswith("running_mean"):
                    b.uniform_(-0.5, 0.5)
                elif name.endswith("running_var"):
                    b.uniform_(0.5, 2.0)
    return module


def _name_of(module, param):
    for name, p in module.named_parameters():
        if p is param:
            return name
    return ""


def build(cls, *args, running=False, **kwargs):
    """A builder (nn, F) -> nn.<cls>(*args, **kwargs) with randomised state."""
    def builder(nn, F):
        return _randomise(getattr(nn, cls)(*args, **kwargs), running=running)
    builder.__name__ = f"build_{cls}"
    return builder


def naming_example1_linear(nn, F):
    """The tutorials' Example 1 naming network (conv1/conv2 replaced by Linear until Conv2d lands):
    shared bn1 inside ``stage1``; keys conv1.*, bn1.*, stage1.0.*, stage1.1.*, conv2.*, bn2.*, fc1.*, fc2.*."""
    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Linear(6, 12)
            self.bn1 = nn.BatchNorm1d(12)
            self.s1 = [self.conv1, self.bn1]
            self.stage1 = nn.Sequential(*self.s1)
            self.conv2 = nn.Linear(12, 24)
            self.bn2 = nn.BatchNorm1d(24)
            self.fc1 = nn.Linear(24, 16)
            self.fc2 = nn.Linear(16, 10)

        def forward(self, x):
            x = F.relu(self.bn1(self.conv1(x)))
            x = F.relu(self.bn2(self.conv2(x)))
            x = F.relu(self.fc1(x))
            return self.fc2(x)
    return _randomise(CNN())


def naming_example2_linear(nn, F):
    """The tutorials' Example 2: stage1 = Sequential(conv1, bn1), stage2 = DataParallel(stage1), the whole
    model wrapped in DataParallel (keys module.stage1.*, module.stage2.module.*, module.conv2.*, ...).
    conv1/conv2 are Linear(2, 2) over the last dim of (N, 3, 2, 2) until Conv2d lands."""
    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            conv1 = nn.Linear(2, 2)
            bn1 = nn.BatchNorm2d(3)
            s1 = [conv1, bn1]
            self.stage1 = nn.Sequential(*s1)
            self.stage2 = nn.DataParallel(self.stage1)
            self.conv2 = nn.Linear(2, 2)
            self.bn2 = nn.BatchNorm2d(3)
            self.fc1 = nn.Linear(3 * 2 * 2, 8)
            self.fc2 = nn.Linear(8, 4)

        def forward(self, x):
            x = self.stage2(x)
            x = F.relu(self.bn2(self.conv2(x)))
            x = x.reshape(-1, 3 * 2 * 2)
            x = F.relu(self.fc1(x))
            return self.fc2(x)
    return _randomise(nn.DataParallel(CNN()))


# ---------------------------------------------------------------- batch_norm
def _bn(desc, x, c, training=True, running=True, affine=(True, True), **kwargs):
    w = T((c,), 0.5, 1.5) if affine[0] else None
    b = T((c,)) if affine[1] else None
    rm, rv = (stat((c,)), positive((c,))) if running else (None, None)
    return OpCase(op="batch_norm", desc=desc, args=(x, rm, rv, w, b, training), kwargs=kwargs)


LARGE_F32 = {"float32": (5e-3, 5e-3)}
CONSTANT_F32 = {"float32": (1e-4, 1e-4)}
CONSTANT_REASON = ("variance 0: rstd = 1/sqrt(eps) ~ 316 amplifies float32 rounding; refnn's x - mean is exactly 0 "
                   "(weight gradient exactly 0), torch's uncentred sums leave ~1e-5 residues")
LARGE_REASON = ("torch applies BatchNorm as x*alpha + (bias - mean*alpha) and LayerNorm/GroupNorm backward "
                "with uncentred sums (sum dy*x); at mean/std = 1e3 in float32 its own rounding error is "
                "~|mean|*2^-24*|alpha|, above atol 1e-5.  refnn centres first (x - mean); its statistics are "
                "checked against float64 in tests/test_normalization_numerics.py")

BATCH_NORM = [
    _bn("train_2d", T((6, 4)), 4),
    _bn("train_3d", T((3, 4, 5)), 4),
    _bn("train_4d", T((2, 3, 4, 5)), 3),
    _bn("train_5d", T((2, 2, 3, 2, 2)), 2),
    _bn("train_no_running", T((4, 3, 2, 2)), 3, running=False),
    _bn("train_no_affine", T((4, 3, 5)), 3, affine=(False, False)),
    _bn("train_weight_only", T((4, 3, 5)), 3, affine=(True, False)),
    _bn("train_bias_only", T((4, 3, 5)), 3, affine=(False, True)),
    _bn("train_momentum_eps", T((5, 3, 4)), 3, momentum=0.3, eps=1e-3),
    _bn("train_momentum_kw", T((5, 3)), 3, momentum=1.0, eps=0.5),
    _bn("eval_4d", T((2, 3, 4, 5)), 3, training=False),
    _bn("eval_2d", T((5, 4)), 4, training=False),
    _bn("eval_no_affine", T((3, 4, 5)), 4, training=False, affine=(False, False)),
    _bn("eval_eps_zero", T((3, 4, 5)), 4, training=False, eps=0.0),
    _bn("eval_batch_of_one", T((1, 4)), 4, training=False),
    _bn("train_batch_of_one_spatial", T((1, 3, 3, 3)), 3),
    _bn("train_batch_two_values", T((2, 3)), 3),
    _bn("train_zero_batch", T((0, 3, 4)), 3),
    _bn("train_zero_batch_4d", T((0, 3, 2, 2)), 3),
    _bn("eval_zero_batch", T((0, 3)), 3, training=False),
    _bn("train_zero_length", T((2, 3, 0)), 3),
    _bn("train_zero_channels", T((4, 0)), 0, affine=(False, False)),
    _bn("train_transposed", T((5, 6), layout="transposed"), 6),
    _bn("train_strided", T((3, 2, 4, 3), layout="strided"), 2),
    _bn("train_negative_stride", T((3, 2, 9), layout="negative"), 2),
    _bn("eval_transposed", T((2, 3, 5, 4), layout="transposed"), 3, training=False),
    OpCase(op="batch_norm", desc="train_constant", args=(T((4, 3, 5), gen=constant), stat((3,)), positive((3,)),
                                                          T((3,), 0.5, 1.5), T((3,)), True),
           tol=CONSTANT_F32, tol_reason=CONSTANT_REASON),
    _bn("train_specials", T((4, 3, 5), gen=with_specials), 3),
    _bn("eval_specials", T((4, 3, 5), gen=with_specials), 3, training=False),
    _bn("train_long_rows", T((3, 2, 37)), 2),
    OpCase(op="batch_norm", desc="train_offset_1e3", args=(T((4, 3, 9), gen=offset(1e3)), None, None, None, None,
                                                           True), tol=LARGE_F32, tol_reason=LARGE_REASON),
    OpCase(op="batch_norm", desc="train_offset_1e6", args=(T((4, 3, 9), gen=offset(1e6)), None, None, None, None,
                                                           True), dtypes=("float64",)),
    OpCase(op="batch_norm", desc="train_offset_10", args=(T((4, 3, 9), gen=offset(10.0)), stat((3,)),
                                                          positive((3,)), T((3,)), T((3,)), True)),
]

BATCH_NORM_ERRORS = [
    ErrorCase(op="batch_norm", desc="batch_of_one_training", args=(T((1, 3)), None, None), kwargs={"training": True}),
    ErrorCase(op="batch_norm", desc="one_value_per_channel_4d", args=(T((1, 3, 1, 1)), stat((3,)), positive((3,))),
              kwargs={"training": True}),
    ErrorCase(op="batch_norm", desc="eps_zero_training", args=(T((4, 3)), None, None),
              kwargs={"training": True, "eps": 0.0}),
    ErrorCase(op="batch_norm", desc="eps_negative_eval", args=(T((4, 3)), stat((3,)), positive((3,))),
              kwargs={"eps": -1.0}),
    ErrorCase(op="batch_norm", desc="only_running_mean", args=(T((4, 3)), stat((3,)), None),
              kwargs={"training": True}),
    ErrorCase(op="batch_norm", desc="eval_without_running", args=(T((4, 3)), None, None)),
    ErrorCase(op="batch_norm", desc="running_size", args=(T((4, 3)), stat((4,)), positive((4,))),
              kwargs={"training": True}),
    ErrorCase(op="batch_norm", desc="weight_size", args=(T((4, 3)), stat((3,)), positive((3,)), T((4,))),
              kwargs={"training": True}),
    ErrorCase(op="batch_norm", desc="bias_size", args=(T((4, 3)), None, None, None, T((2,))),
              kwargs={"training": True}),
    ErrorCase(op="batch_norm", desc="momentum_none", args=(T((4, 3)), stat((3,)), positive((3,))),
              kwargs={"training": True, "momentum": None}),
    ErrorCase(op="batch_norm", desc="mixed_dtype_weight", dtypes=F32,
              args=(T((4, 3)), None, None, T((3,), dtype="float64")), kwargs={"training": True}),
    ErrorCase(op="batch_norm", desc="mixed_dtype_running", dtypes=F32,
              args=(T((4, 3)), T((3,), dtype="float64"), T((3,), 0.5, 2, dtype="float64")),
              kwargs={"training": True}),
    ErrorCase(op="batch_norm", desc="integer_input", dtypes=F32, args=(T((4, 3), 0, 5, dtype="int64"), None, None),
              kwargs={"training": True}),
    ErrorCase(op="batch_norm", desc="input_not_tensor", args=([[1.0, 2.0], [3.0, 4.0]], None, None),
              kwargs={"training": True}),
    ErrorCase(op="batch_norm", desc="running_mean_list", args=(T((4, 3)), [0.0, 0.0, 0.0], positive((3,))),
              kwargs={"training": True}),
    ErrorCase(op="batch_norm", desc="input_1d_running", args=(T((4,)), stat((4,)), positive((4,)))),
    ErrorCase(op="batch_norm", desc="input_1d_no_running", args=(T((4,)), None, None), kwargs={"training": True}),
    ErrorCase(op="batch_norm", desc="zero_channels_with_weight", args=(T((4, 0)), None, None, T((0,))),
              kwargs={"training": True}),
    ErrorCase(op="batch_norm", desc="running_2d", args=(T((4, 3)), T((3, 1)), T((3, 1), 0.5, 2)),
              kwargs={"training": True}),
]

# ---------------------------------------------------------------- instance_norm
INSTANCE_NORM = [
    OpCase(op="instance_norm", desc="basic_3d", args=(T((2, 3, 5)),)),
    OpCase(op="instance_norm", desc="affine_4d", args=(T((2, 3, 3, 4)), None, None, T((3,), 0.5, 1.5), T((3,)))),
    OpCase(op="instance_norm", desc="running_update", args=(T((3, 2, 6)), stat((2,)), positive((2,)), T((2,)),
                                                             T((2,))), kwargs={"momentum": 0.2}),
    OpCase(op="instance_norm", desc="running_stats_used", args=(T((3, 2, 6)), stat((2,)), positive((2,)), T((2,)),
                                                                 T((2,))), kwargs={"use_input_stats": False}),
    OpCase(op="instance_norm", desc="running_stats_used_spatial_one",
           args=(T((3, 2, 1)), stat((2,)), positive((2,))), kwargs={"use_input_stats": False}),
    OpCase(op="instance_norm", desc="eps", args=(T((2, 3, 4, 2)),), kwargs={"eps": 0.1}),
    OpCase(op="instance_norm", desc="zero_batch", args=(T((0, 3, 4)),)),
    OpCase(op="instance_norm", desc="zero_batch_running", args=(T((0, 3, 4)), stat((3,)), positive((3,)))),
    OpCase(op="instance_norm", desc="5d", args=(T((2, 2, 2, 3, 2)), None, None, T((2,)), T((2,)))),
    OpCase(op="instance_norm", desc="transposed", args=(T((2, 3, 6, 5), layout="transposed"),)),
    OpCase(op="instance_norm", desc="constant", args=(T((2, 3, 5), gen=constant),), tol=CONSTANT_F32,
           tol_reason=CONSTANT_REASON),
    OpCase(op="instance_norm", desc="specials", args=(T((2, 3, 5), gen=with_specials),)),
    OpCase(op="instance_norm", desc="offset_1e6", args=(T((2, 3, 9), gen=offset(1e6)),), dtypes=("float64",)),
]

INSTANCE_NORM_ERRORS = [
    ErrorCase(op="instance_norm", desc="spatial_one", args=(T((2, 3, 1)),)),
    ErrorCase(op="instance_norm", desc="no_spatial", args=(T((2, 3)),)),
    ErrorCase(op="instance_norm", desc="fixed_stats_without_running", args=(T((2, 3, 4)),),
              kwargs={"use_input_stats": False}),
    ErrorCase(op="instance_norm", desc="only_running_var", args=(T((2, 3, 4)), None, positive((3,)))),
    ErrorCase(op="instance_norm", desc="running_size", args=(T((2, 3, 4)), stat((2,)), positive((2,)))),
    ErrorCase(op="instance_norm", desc="weight_size", args=(T((2, 3, 4)), None, None, T((4,)))),
    ErrorCase(op="instance_norm", desc="zero_batch_with_weight", args=(T((0, 3, 4)), None, None, T((3,)))),
    ErrorCase(op="instance_norm", desc="mixed_dtype", dtypes=F32,
              args=(T((2, 3, 4)), None, None, T((3,), dtype="float64"))),
    ErrorCase(op="instance_norm", desc="input_not_tensor", args=([[1.0, 2.0], [3.0, 4.0]],)),
]

# ---------------------------------------------------------------- layer_norm
LAYER_NORM = [
    OpCase(op="layer_norm", desc="last_dim", args=(T((3, 4, 5)), (5,), T((5,), 0.5, 1.5), T((5,)))),
    OpCase(op="layer_norm", desc="two_dims", args=(T((2, 3, 4)), (3, 4), T((3, 4), 0.5, 1.5), T((3, 4)))),
    OpCase(op="layer_norm", desc="all_dims", args=(T((3, 4)), [3, 4], T((3, 4)), T((3, 4)))),
    OpCase(op="layer_norm", desc="no_affine", args=(T((4, 6)), (6,))),
    OpCase(op="layer_norm", desc="weight_only", args=(T((4, 6)), (6,), T((6,)))),
    OpCase(op="layer_norm", desc="bias_only", args=(T((4, 6)), (6,), None, T((6,)))),
    OpCase(op="layer_norm", desc="eps", args=(T((4, 6)), (6,)), kwargs={"eps": 0.25}),
    OpCase(op="layer_norm", desc="eps_zero", args=(T((4, 6)), (6,), T((6,))), kwargs={"eps": 0.0}),
    OpCase(op="layer_norm", desc="1d_input", args=(T((7,)), (7,), T((7,)), T((7,)))),
    OpCase(op="layer_norm", desc="width_one", args=(T((3, 1)), (1,), T((1,)), T((1,)))),
    OpCase(op="layer_norm", desc="long_rows_tail", args=(T((3, 37)), (37,), T((37,)), T((37,)))),
    OpCase(op="layer_norm", desc="wide_rows_blocks", args=(T((5, 150)), (150,), T((150,)), T((150,)))),
    OpCase(op="layer_norm", desc="zero_rows", args=(T((0, 5)), (5,), T((5,)), T((5,)))),
    OpCase(op="layer_norm", desc="zero_width", args=(T((2, 0)), (0,), T((0,)), T((0,)))),
    OpCase(op="layer_norm", desc="transposed", args=(T((4, 5), layout="transposed"), (5,), T((5,)), T((5,)))),
    OpCase(op="layer_norm", desc="strided", args=(T((3, 4, 5), layout="strided"), (4, 5))),
    OpCase(op="layer_norm", desc="constant", args=(T((3, 5), gen=constant), (5,), T((5,)), T((5,))),
           tol=CONSTANT_F32, tol_reason=CONSTANT_REASON),
    OpCase(op="layer_norm", desc="specials", args=(T((3, 5), gen=with_specials), (5,), T((5,)), T((5,)))),
    OpCase(op="layer_norm", desc="offset_1e3", args=(T((3, 16), gen=offset(1e3)), (16,), T((16,)), T((16,))),
           tol=LARGE_F32, tol_reason=LARGE_REASON),
    OpCase(op="layer_norm", desc="offset_1e6", args=(T((3, 16), gen=offset(1e6)), (16,), T((16,)), T((16,))),
           dtypes=("float64",)),
]

LAYER_NORM_ERRORS = [
    ErrorCase(op="layer_norm", desc="int_shape", args=(T((2, 3)), 3)),
    ErrorCase(op="layer_norm", desc="float_in_shape", args=(T((2, 3)), (3.0,))),
    ErrorCase(op="layer_norm", desc="empty_shape", args=(T((2, 3)), ())),
    ErrorCase(op="layer_norm", desc="shape_mismatch", args=(T((2, 3, 4)), (3,))),
    ErrorCase(op="layer_norm", desc="shape_longer_than_input", args=(T((3, 4)), (2, 3, 4))),
    ErrorCase(op="layer_norm", desc="negative_shape", args=(T((3, 4)), (-4,))),
    ErrorCase(op="layer_norm", desc="weight_shape", args=(T((2, 4)), (4,), T((3,)))),
    ErrorCase(op="layer_norm", desc="bias_shape", args=(T((2, 4)), (4,), None, T((2, 2)))),
    ErrorCase(op="layer_norm", desc="mixed_dtype", dtypes=F32, args=(T((2, 4)), (4,), T((4,), dtype="float64"))),
    ErrorCase(op="layer_norm", desc="input_not_tensor", args=([1.0, 2.0], (2,))),
]

# ---------------------------------------------------------------- group_norm
GROUP_NORM = [
    OpCase(op="group_norm", desc="basic", args=(T((2, 6, 3, 3)), 3, T((6,), 0.5, 1.5), T((6,)))),
    OpCase(op="group_norm", desc="one_group", args=(T((2, 4, 3)), 1, T((4,)), T((4,)))),
    OpCase(op="group_norm", desc="group_per_channel", args=(T((2, 4, 5)), 4, T((4,)), T((4,)))),
    OpCase(op="group_norm", desc="no_spatial", args=(T((3, 6)), 2, T((6,)), T((6,)))),
    OpCase(op="group_norm", desc="3_spatial_dims", args=(T((2, 4, 2, 3, 2)), 2, T((4,)), T((4,)))),
    OpCase(op="group_norm", desc="no_affine", args=(T((2, 6, 4)), 2)),
    OpCase(op="group_norm", desc="weight_only", args=(T((2, 6, 4)), 3, T((6,)))),
    # torch 2.13's group_norm backward fails with weight=None and a bias ("tensor does not have a device"):
    # only the output is compared here; tests/test_normalization_numerics.py checks refnn's gradients
    OpCase(op="group_norm", desc="bias_only", args=(T((2, 6, 4)), 3, None, T((6,))), grad=False),
    OpCase(op="group_norm", desc="eps", args=(T((2, 6, 4)), 3), kwargs={"eps": 0.3}),
    OpCase(op="group_norm", desc="batch_of_one", args=(T((1, 6, 2)), 3, T((6,)), T((6,)))),
    OpCase(op="group_norm", desc="zero_batch", args=(T((0, 6, 3)), 3, T((6,)), T((6,)))),
    OpCase(op="group_norm", desc="transposed", args=(T((2, 4, 5, 3), layout="transposed"), 2, T((4,)), T((4,)))),
    OpCase(op="group_norm", desc="long_groups", args=(T((2, 4, 19)), 2, T((4,)), T((4,)))),
    OpCase(op="group_norm", desc="constant", args=(T((2, 4, 3), gen=constant), 2, T((4,)), T((4,))),
           tol=CONSTANT_F32, tol_reason=CONSTANT_REASON),
    OpCase(op="group_norm", desc="specials", args=(T((2, 4, 3), gen=with_specials), 2, T((4,)), T((4,)))),
    OpCase(op="group_norm", desc="offset_1e3", args=(T((2, 4, 9), gen=offset(1e3)), 2, T((4,)), T((4,))),
           tol=LARGE_F32, tol_reason=LARGE_REASON),
    OpCase(op="group_norm", desc="offset_1e6", args=(T((2, 4, 9), gen=offset(1e6)), 2, T((4,)), T((4,))),
           dtypes=("float64",)),
]

GROUP_NORM_ERRORS = [
    ErrorCase(op="group_norm", desc="not_divisible", args=(T((2, 6, 3)), 4)),
    ErrorCase(op="group_norm", desc="zero_groups", args=(T((2, 6, 3)), 0)),
    ErrorCase(op="group_norm", desc="negative_groups", args=(T((2, 6, 3)), -3)),
    ErrorCase(op="group_norm", desc="1d_input", args=(T((6,)), 3)),
    ErrorCase(op="group_norm", desc="one_value_per_group", args=(T((1, 6, 1)), 6)),
    ErrorCase(op="group_norm", desc="weight_size", args=(T((2, 6, 3)), 3, T((3,)))),
    ErrorCase(op="group_norm", desc="bias_size", args=(T((2, 6, 3)), 3, None, T((7,)))),
    ErrorCase(op="group_norm", desc="mixed_dtype", dtypes=F32, args=(T((2, 6, 3)), 3, T((6,), dtype="float64"))),
]

# ---------------------------------------------------------------- modules
x_bn1 = T((5, 4))
MODULES = [
    # BatchNorm1d / 2d / 3d, train with running buffers compared after every step
    ModuleCase(module=build("BatchNorm1d", 4), name="BatchNorm1d", desc="2d_steps", inputs=(x_bn1,), steps=2),
    ModuleCase(module=build("BatchNorm1d", 4), name="BatchNorm1d", desc="3d_steps", inputs=(T((3, 4, 6)),),
               steps=2),
    ModuleCase(module="BatchNorm1d", desc="defaults", ctor_args=(4,), inputs=(T((3, 4, 6)),)),
    ModuleCase(module="BatchNorm1d", desc="rand_100x16x784_small", ctor_args=(16,),
               inputs=(T((10, 16, 78), gen=unit_uniform),)),
    ModuleCase(module=build("BatchNorm1d", 3, momentum=None), name="BatchNorm1d", desc="momentum_none_cma",
               inputs=(T((4, 3, 2)),), steps=3),
    ModuleCase(module=build("BatchNorm1d", 3, momentum=0.5, eps=1e-3), name="BatchNorm1d", desc="momentum_eps",
               inputs=(T((4, 3, 2)),), steps=2),
    ModuleCase(module="BatchNorm1d", desc="no_affine", ctor_args=(3,), ctor_kwargs={"affine": False},
               inputs=(T((4, 3)),), steps=2),
    ModuleCase(module=build("BatchNorm1d", 3, bias=False), name="BatchNorm1d", desc="no_bias",
               inputs=(T((4, 3)),), steps=2),
    ModuleCase(module=build("BatchNorm1d", 3, track_running_stats=False), name="BatchNorm1d",
               desc="untracked_train", inputs=(T((4, 3, 2)),), steps=2),
    ModuleCase(module=build("BatchNorm1d", 3, track_running_stats=False), name="BatchNorm1d",
               desc="untracked_eval_uses_batch_stats", inputs=(T((4, 3, 2)),), train=False, steps=2),
    ModuleCase(module=build("BatchNorm1d", 3, running=True), name="BatchNorm1d", desc="eval_running",
               inputs=(T((4, 3)),), train=False, steps=2),
    ModuleCase(module=build("BatchNorm1d", 3, running=True), name="BatchNorm1d", desc="eval_batch_of_one",
               inputs=(T((1, 3)),), train=False),
    ModuleCase(module=build("BatchNorm1d", 3), name="BatchNorm1d", desc="zero_batch",
               inputs=(T((0, 3)),), steps=2),
    ModuleCase(module=build("BatchNorm2d", 3), name="BatchNorm2d", desc="train_steps", inputs=(T((2, 3, 4, 5)),),
               steps=2),
    ModuleCase(module="BatchNorm2d", desc="defaults", ctor_args=(3,), inputs=(T((2, 3, 3, 3)),)),
    ModuleCase(module=build("BatchNorm2d", 3, running=True), name="BatchNorm2d", desc="eval_running",
               inputs=(T((2, 3, 4, 5)),), train=False, steps=2),
    ModuleCase(module=build("BatchNorm2d", 3, momentum=None), name="BatchNorm2d", desc="momentum_none_cma",
               inputs=(T((2, 3, 2, 2)),), steps=3),
    ModuleCase(module=build("BatchNorm2d", 3), name="BatchNorm2d", desc="batch_of_one", inputs=(T((1, 3, 3, 3)),),
               steps=2),
    ModuleCase(module=build("BatchNorm2d", 3, affine=False, track_running_stats=False), name="BatchNorm2d",
               desc="no_affine_untracked_eval", inputs=(T((2, 3, 2, 3)),), train=False),
    ModuleCase(module=build("BatchNorm2d", 2), name="BatchNorm2d", desc="transposed",
               inputs=(T((2, 2, 4, 3), layout="transposed"),), steps=2),
    ModuleCase(module=build("BatchNorm2d", 2), name="BatchNorm2d", desc="zero_batch", inputs=(T((0, 2, 3, 3)),)),
    ModuleCase(module="BatchNorm2d", desc="dtype_kwarg", ctor_args=(3,), ctor_kwargs={"eps": 0.01},
               inputs=(T((2, 3, 2, 2)),)),
    ModuleCase(module=build("BatchNorm3d", 2), name="BatchNorm3d", desc="train_steps",
               inputs=(T((2, 2, 2, 3, 2)),), steps=2),
    # InstanceNorm
    ModuleCase(module="InstanceNorm1d", desc="defaults", ctor_args=(3,), inputs=(T((2, 3, 5)),)),
    ModuleCase(module=build("InstanceNorm1d", 3, affine=True), name="InstanceNorm1d", desc="affine",
               inputs=(T((2, 3, 5)),)),
    ModuleCase(module=build("InstanceNorm1d", 3, affine=True, track_running_stats=True), name="InstanceNorm1d",
               desc="tracked_steps", inputs=(T((2, 3, 5)),), steps=2),
    ModuleCase(module=build("InstanceNorm1d", 3, affine=True, track_running_stats=True, running=True),
               name="InstanceNorm1d", desc="tracked_eval", inputs=(T((2, 3, 5)),), train=False),
    ModuleCase(module=build("InstanceNorm1d", 3, track_running_stats=True, momentum=None), name="InstanceNorm1d",
               desc="momentum_none", inputs=(T((2, 3, 5)),), steps=2),
    ModuleCase(module="InstanceNorm1d", desc="unbatched", ctor_args=(3,), inputs=(T((3, 5)),)),
    ModuleCase(module="InstanceNorm1d", desc="untracked_eval", ctor_args=(3,), inputs=(T((2, 3, 5)),),
               train=False),
    ModuleCase(module=build("InstanceNorm2d", 2, affine=True, track_running_stats=True), name="InstanceNorm2d",
               desc="tracked_steps", inputs=(T((2, 2, 3, 4)),), steps=2),
    ModuleCase(module=build("InstanceNorm2d", 2, affine=True, bias=False), name="InstanceNorm2d",
               desc="unbatched_no_bias", inputs=(T((2, 3, 4)),)),
    ModuleCase(module="InstanceNorm2d", desc="defaults", ctor_args=(2,), inputs=(T((2, 2, 3, 3)),)),
    ModuleCase(module="InstanceNorm3d", desc="defaults", ctor_args=(2,), inputs=(T((2, 2, 2, 2, 3)),)),
    # LayerNorm
    ModuleCase(module=build("LayerNorm", 5), name="LayerNorm", desc="int_shape", inputs=(T((3, 4, 5)),)),
    ModuleCase(module=build("LayerNorm", (4, 5)), name="LayerNorm", desc="tuple_shape", inputs=(T((3, 4, 5)),)),
    ModuleCase(module="LayerNorm", desc="defaults", ctor_args=(6,), inputs=(T((2, 6)),)),
    ModuleCase(module="LayerNorm", desc="no_affine", ctor_args=(6,), ctor_kwargs={"elementwise_affine": False},
               inputs=(T((2, 6)),)),
    ModuleCase(module=build("LayerNorm", 6, bias=False), name="LayerNorm", desc="no_bias", inputs=(T((2, 6)),)),
    ModuleCase(module=build("LayerNorm", [6], eps=1e-2), name="LayerNorm", desc="list_shape_eps",
               inputs=(T((2, 3, 6)),), train=False),
    ModuleCase(module=build("LayerNorm", 6), name="LayerNorm", desc="unbatched", inputs=(T((6,)),)),
    # GroupNorm
    ModuleCase(module=build("GroupNorm", 2, 4), name="GroupNorm", desc="basic", inputs=(T((2, 4, 3, 3)),)),
    ModuleCase(module="GroupNorm", desc="defaults", ctor_args=(3, 6), inputs=(T((2, 6, 4)),)),
    ModuleCase(module="GroupNorm", desc="no_affine", ctor_args=(2, 4), ctor_kwargs={"affine": False},
               inputs=(T((2, 4, 5)),)),
    ModuleCase(module=build("GroupNorm", 2, 4, bias=False, eps=1e-3), name="GroupNorm", desc="no_bias_eps",
               inputs=(T((3, 4, 2, 2)),), train=False),
    ModuleCase(module=build("GroupNorm", 1, 4), name="GroupNorm", desc="no_spatial", inputs=(T((3, 4)),)),
    # the naming networks (Linear / BatchNorm2d stand in for Conv2d until it lands)
    ModuleCase(module=naming_example1_linear, name="cnn_naming_example1", desc="shared_bn_in_stage1", inputs=(T((5, 6)),),
               steps=2),
    ModuleCase(module=naming_example2_linear, name="cnn_naming_example2", desc="dataparallel_keys",
               inputs=(T((4, 3, 2, 2)),), steps=2, tol={"float32": (1e-4, 1e-4)},
               tol_reason="a network of two BatchNorm2d, four Linear and ReLUs: float32 rounding of torch's float "
                          "BatchNorm backward accumulates (checked: refnn is closer to the float64 result)"),
]

MODULE_ERRORS = [
    ErrorCase(op="BatchNorm2d", desc="3d_input", module=True, args=(3,), call_inputs=(T((2, 3, 4)),)),
    ErrorCase(op="BatchNorm1d", desc="4d_input", module=True, args=(3,), call_inputs=(T((2, 3, 4, 4)),)),
    ErrorCase(op="BatchNorm1d", desc="batch_of_one_training", module=True, args=(3,), call_inputs=(T((1, 3)),)),
    ErrorCase(op="BatchNorm1d", desc="wrong_channels", module=True, args=(3,), call_inputs=(T((2, 4)),)),
    ErrorCase(op="BatchNorm3d", desc="4d_input", module=True, args=(3,), call_inputs=(T((2, 3, 4, 4)),)),
    ErrorCase(op="BatchNorm1d", desc="negative_features", module=True, args=(-1,)),
    ErrorCase(op="GroupNorm", desc="not_divisible", module=True, args=(3, 4)),
    ErrorCase(op="GroupNorm", desc="zero_groups", module=True, args=(0, 4)),
    ErrorCase(op="GroupNorm", desc="wrong_channels", module=True, args=(2, 4), call_inputs=(T((2, 6, 3)),)),
    ErrorCase(op="LayerNorm", desc="negative_shape", module=True, args=(-4,)),
    ErrorCase(op="LayerNorm", desc="input_shape", module=True, args=((3, 4),), call_inputs=(T((4, 3)),)),
    ErrorCase(op="InstanceNorm1d", desc="affine_wrong_channels", module=True, args=(3,),
              kwargs={"affine": True}, call_inputs=(T((2, 4, 5)),)),
    ErrorCase(op="InstanceNorm2d", desc="2d_input", module=True, args=(3,), call_inputs=(T((3, 5)),)),
    ErrorCase(op="InstanceNorm1d", desc="spatial_one_training", module=True, args=(3,),
              call_inputs=(T((2, 3, 1)),)),
]

CASES = (BATCH_NORM + BATCH_NORM_ERRORS + INSTANCE_NORM + INSTANCE_NORM_ERRORS + LAYER_NORM + LAYER_NORM_ERRORS
         + GROUP_NORM + GROUP_NORM_ERRORS + MODULES + MODULE_ERRORS)

# pinned by the differential fuzzer (tests/fuzz): torch's argument parser and the order of its checks
FUZZ_PINNED = [
    # bool arguments take a Python bool only; float arguments take bools as numbers
    ErrorCase(op="batch_norm", desc="training_int", args=(T((4, 3)), stat((3,)), positive((3,))),
              kwargs={"training": 1}),
    ErrorCase(op="instance_norm", desc="use_input_stats_int", args=(T((2, 3, 4)),), kwargs={"use_input_stats": 0}),
    OpCase(op="batch_norm", desc="momentum_bool", args=(T((4, 3)), stat((3,)), positive((3,))),
           kwargs={"training": True, "momentum": True}),
    OpCase(op="batch_norm", desc="eps_bool", args=(T((4, 3)), stat((3,)), positive((3,))), kwargs={"eps": True}),
    # in evaluation mode each missing running buffer is refused by name (RuntimeError), before the pair check
    ErrorCase(op="batch_norm", desc="eval_only_running_var", args=(T((4, 3)), None, positive((3,)))),
    ErrorCase(op="instance_norm", desc="fixed_stats_only_running_var", args=(T((2, 3, 4)), None, positive((3,))),
              kwargs={"use_input_stats": False}),
    # instance_norm repeats weight, bias and running buffers per sample: more than one dimension is refused
    ErrorCase(op="instance_norm", desc="bias_2d", args=(T((2, 3, 4)),), kwargs={"bias": T((3, 1))}),
    # an empty input is returned (cloned) before the running buffers, their dtypes and sizes are checked
    OpCase(op="batch_norm", desc="empty_eval_only_running_var", args=(T((0, 3)), None, positive((3,)))),
    OpCase(op="batch_norm", desc="empty_eval_mis_sized_running", args=(T((0, 3, 2)), stat((5,)), positive((5,)))),
    OpCase(op="batch_norm", desc="empty_train_mixed_dtype_running", dtypes=F32,
           args=(T((0, 3)), T((3,), dtype="float64", requires_grad=False),
                 T((3,), 0.5, 2.0, dtype="float64", requires_grad=False)), kwargs={"training": True}),
    # a 1-d empty input takes the same path: weight and bias of any size but 0 (weight[0] of an empty weight)
    OpCase(op="batch_norm", desc="empty_1d_any_weight_size", args=(T((0,)), None, None, T((3,))),
           kwargs={"training": True}),    # the weight's gradient is weight[0]'s: zeros of the weight's shape
    ErrorCase(op="batch_norm", desc="empty_1d_empty_bias", args=(T((0,)), None, None, None, T((0,))),
              kwargs={"training": True}),
    # instance_norm of an empty batch with a weight: weight.repeat(0)[0] fails before the running-buffer pair check
    ErrorCase(op="instance_norm", desc="empty_batch_weight_lone_running_var", args=(T((0, 1, 2)),),
              kwargs={"weight": T((1,)), "running_var": positive((1,))}),
    # instance_norm repeats a 0-d running buffer into a 1-d one (C = 1): used as is with fixed statistics,
    # refused when the updated statistics are copied back into it
    OpCase(op="instance_norm", desc="0d_running_fixed_stats", args=(T((2, 1, 3)), stat(()), positive(())),
           kwargs={"use_input_stats": False}),
    ErrorCase(op="instance_norm", desc="0d_running_input_stats", args=(T((2, 1, 3)), stat(()), positive(()))),
    # integers beyond int64 fail in torch's argument parser
    ErrorCase(op="group_norm", desc="groups_overflow_int64", args=(T((2, 4, 3)), 2 ** 63)),
    ErrorCase(op="layer_norm", desc="shape_overflow_int64", args=(T((2, 3)), (2 ** 63,))),
]

CASES = CASES + FUZZ_PINNED

# 0-d and empty inputs with gradients.  torch returns an empty input as input.clone() * weight[0] + bias[0]
# when its buffers or parameters would not fit (and for a 1-d input): the weight and bias get zero gradients
# of their own shapes (a float64 weight for a float32 input included: weight[0] is 0-d and does not promote).
# Every normalisation refuses a 0-d input.
CASES += [
    OpCase(op="batch_norm", desc="empty_1d_weight_bias", args=(T((0,)), None, None, T((3,)), T((2,))),
           kwargs={"training": True}),
    OpCase(op="batch_norm", desc="empty_1d_float64_weight", dtypes=F32,
           args=(T((0,)), None, None, T((3,), dtype="float64"), T((1,), dtype="float64")), kwargs={"training": True}),
    OpCase(op="batch_norm", desc="empty_eval_mis_sized_affine",
           args=(T((0, 3, 2)), stat((5,)), positive((5,)), T((4,)), T((2,))), kwargs={"training": False}),
    _bn("train_zero_batch_affine_only", T((0, 2, 3)), 2, running=False),
    _bn("eval_zero_length_4d", T((2, 3, 0, 2)), 3, training=False),
    OpCase(op="instance_norm", desc="zero_length_affine", args=(T((2, 3, 0)),),
           kwargs={"weight": T((3,), 0.5, 1.5), "bias": T((3,))}),
    OpCase(op="instance_norm", desc="zero_length_running", args=(T((2, 3, 0)), stat((3,)), positive((3,)))),
    OpCase(op="instance_norm", desc="zero_channels", args=(T((2, 0, 4)),)),
    OpCase(op="layer_norm", desc="zero_rows_3d", args=(T((2, 0, 4)), (4,), T((4,)), T((4,)))),
    OpCase(op="layer_norm", desc="zero_width_2d_shape", args=(T((3, 2, 0)), (2, 0), T((2, 0)), T((2, 0)))),
    OpCase(op="group_norm", desc="zero_channels", args=(T((2, 0, 4)), 1, T((0,)), T((0,)))),
    OpCase(op="group_norm", desc="zero_length", args=(T((2, 4, 0)), 2, T((4,)), T((4,)))),
    OpCase(op="group_norm", desc="2d_input_zero_batch", args=(T((0, 4)), 4, T((4,)), T((4,)))),
    ModuleCase(module=build("LayerNorm", 3), name="LayerNorm", desc="zero_batch", inputs=(T((0, 3)),)),
    ModuleCase(module=build("GroupNorm", 2, 4), name="GroupNorm", desc="zero_batch", inputs=(T((0, 4, 3)),)),
    ModuleCase(module=build("InstanceNorm1d", 3, affine=True), name="InstanceNorm1d", desc="zero_length",
               inputs=(T((2, 3, 0)),)),
    ModuleCase(module=build("BatchNorm2d", 2, running=True), name="BatchNorm2d", desc="eval_zero_batch",
               inputs=(T((0, 2, 3, 3)),), train=False),
    ErrorCase(op="batch_norm", desc="input_0d_train", args=(T(()), None, None), kwargs={"training": True}),
    ErrorCase(op="batch_norm", desc="input_0d_eval", args=(T(()), stat(()), positive(()))),
    ErrorCase(op="instance_norm", desc="input_0d", args=(T(()),)),
    ErrorCase(op="layer_norm", desc="input_0d_empty_shape", args=(T(()), ())),
    ErrorCase(op="layer_norm", desc="input_0d", args=(T(()), (1,))),
    ErrorCase(op="group_norm", desc="input_0d", args=(T(()), 1)),
    ErrorCase(op="group_norm", desc="input_1d", args=(T((3,)), 1)),
    ErrorCase(op="BatchNorm1d", desc="module_input_0d", module=True, args=(1,), call_inputs=(T(()),)),
    ErrorCase(op="LayerNorm", desc="module_input_0d", module=True, args=(1,), call_inputs=(T(()),)),
    ErrorCase(op="GroupNorm", desc="module_input_0d", module=True, args=(1, 1), call_inputs=(T(()),)),
]

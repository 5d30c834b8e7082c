"""F.interpolate / nn.Upsample*: every mode x align_corners x dimensionality x size/scale form torch
accepts (generated below), the edges, and an ErrorCase for every combination torch rejects."""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T

# input shapes per dimensionality (tiny), and the modes torch runs for each
SHAPES = {3: (2, 3, 5), 4: (2, 2, 4, 5), 5: (1, 2, 3, 4, 3)}
MODES = {3: ("nearest", "nearest-exact", "linear", "area"),
         4: ("nearest", "nearest-exact", "bilinear", "bicubic", "area"),
         5: ("nearest", "nearest-exact", "trilinear", "area")}
INTERPOLATING = ("linear", "bilinear", "bicubic", "trilinear")


def size_specs(n):
    """(desc, kwargs) for the output given as a size or a scale factor, over n spatial dims."""
    spatial = SHAPES[n + 2][2:]
    return [
        ("size_int_up", {"size": 7}),
        ("size_int_down", {"size": 2}),
        ("size_one", {"size": 1}),
        ("size_list_mixed", {"size": list(((7,), (3, 8), (2, 5, 4))[n - 1])}),
        ("size_same", {"size": tuple(spatial)}),
        ("scale_int2", {"scale_factor": 2}),
        ("scale_float_up", {"scale_factor": 1.7}),
        ("scale_float_down", {"scale_factor": 0.6}),
        ("scale_tuple_mixed", {"scale_factor": ((2.5,), (1.5, 0.75), (2, 0.5, 1.25))[n - 1]}),
        ("scale_recompute_true", {"scale_factor": 1.7, "recompute_scale_factor": True}),
        ("scale_recompute_false", {"scale_factor": 0.45, "recompute_scale_factor": False}),
    ]


def with_specials(rng, shape, dtype):
    x = rng.uniform(-2, 2, size=shape).astype(dtype)
    flat = x.reshape(-1)
    flat[[0, 3, 7][: min(3, flat.size)]] = [np.nan, np.inf, -np.inf][: min(3, flat.size)]
    return x


CASES = []

# ---------------------------------------------------------------- the generated matrix
for ndim, modes in MODES.items():
    n = ndim - 2
    for mode in modes:
        corners = (None, False, True) if mode in INTERPOLATING else (None,)
        for align_corners in corners:
            specs = size_specs(n)
            if align_corners is None and mode in INTERPOLATING:
                specs = specs[::4]  # None means False for these modes: a sample suffices
            for desc, kwargs in specs:
                kw = dict(kwargs, mode=mode)
                if align_corners is not None:
                    kw["align_corners"] = align_corners
                CASES.append(OpCase(op="interpolate", desc=f"{n}d_{mode}_ac{align_corners}_{desc}",
                                    args=(T(SHAPES[ndim]),), kwargs=kw,
                                    features=(mode, f"{n}d", f"align_corners={align_corners}")))

# antialias: bilinear and bicubic (align_corners False/True) and lanczos, 4-d only
for mode, corners in (("bilinear", (False, True)), ("bicubic", (False, True)), ("lanczos", (False,))):
    for align_corners in corners:
        for desc, kwargs in size_specs(2):
            kw = dict(kwargs, mode=mode, antialias=True, align_corners=align_corners)
            CASES.append(OpCase(op="interpolate", desc=f"2d_{mode}_antialias_ac{align_corners}_{desc}",
                                args=(T((2, 2, 9, 7)),), kwargs=kw, features=(mode, "antialias")))

# ---------------------------------------------------------------- edges
EDGE_CALLS = [
    ("nearest", {}), ("nearest-exact", {}), ("linear", {"align_corners": False}),
    ("linear", {"align_corners": True}), ("area", {}),
]
for mode, extra in EDGE_CALLS:
    ac = extra.get("align_corners")
    CASES += [
        OpCase(op="interpolate", desc=f"1d_{mode}_ac{ac}_zero_batch", args=(T((0, 2, 5)),),
               kwargs=dict(extra, mode=mode, size=8)),
        OpCase(op="interpolate", desc=f"1d_{mode}_ac{ac}_batch1_len1", args=(T((1, 2, 1)),),
               kwargs=dict(extra, mode=mode, size=4)),
        OpCase(op="interpolate", desc=f"1d_{mode}_ac{ac}_nan_inf", args=(T((1, 2, 9), gen=with_specials),),
               kwargs=dict(extra, mode=mode, scale_factor=1.5)),
        OpCase(op="interpolate", desc=f"1d_{mode}_ac{ac}_strided", args=(T((2, 2, 6), layout="strided"),),
               kwargs=dict(extra, mode=mode, size=9)),
    ]

# a 3x4 input upsampled 21.7x: each input gradient sums 500-2000 taps in float32.  refnn's antialias
# weights agree with torch's to 1-4 ulp, and its bicubic scatter order is torch's documented one, but
# neither is bit-for-bit torch 2.13's, so the float32 sums differ in the 6th digit.
LARGE_TOL = {"tol": {"float32": (1e-5, 1e-4)},
             "tol_reason": "float32 gradient sums 500-2000 cubic/antialias taps per input element"}

EDGE_2D = [
    ("nearest", {}), ("nearest-exact", {}), ("bilinear", {}), ("bilinear", {"align_corners": True}),
    ("bicubic", {}), ("bicubic", {"align_corners": True}), ("area", {}),
    ("bilinear", {"antialias": True}), ("bicubic", {"antialias": True}),
]
for mode, extra in EDGE_2D:
    tag = f"2d_{mode}" + "".join(f"_{k}{v}" for k, v in extra.items())
    CASES += [
        OpCase(op="interpolate", desc=f"{tag}_zero_batch", args=(T((0, 2, 4, 5)),),
               kwargs=dict(extra, mode=mode, size=(3, 7))),
        OpCase(op="interpolate", desc=f"{tag}_1x1_input", args=(T((1, 2, 1, 1)),),
               kwargs=dict(extra, mode=mode, size=(3, 4))),
        OpCase(op="interpolate", desc=f"{tag}_to_1x1", args=(T((1, 2, 5, 6)),),
               kwargs=dict(extra, mode=mode, size=(1, 1))),
        OpCase(op="interpolate", desc=f"{tag}_nan_inf", args=(T((1, 2, 5, 6), gen=with_specials),),
               kwargs=dict(extra, mode=mode, size=(7, 4))),
        OpCase(op="interpolate", desc=f"{tag}_transposed", args=(T((2, 2, 5, 4), layout="transposed"),),
               kwargs=dict(extra, mode=mode, scale_factor=(1.5, 0.8))),
        OpCase(op="interpolate", desc=f"{tag}_negative_stride", args=(T((1, 2, 4, 6), layout="negative"),),
               kwargs=dict(extra, mode=mode, size=(6, 3))),
        OpCase(op="interpolate", desc=f"{tag}_one_dim_unchanged", args=(T((1, 2, 4, 6)),),
               kwargs=dict(extra, mode=mode, size=(4, 9))),
        # a large output (H_out + W_out > 128): torch leaves its small-output kernels
        OpCase(op="interpolate", desc=f"{tag}_large_output", args=(T((1, 1, 3, 4)),),
               kwargs=dict(extra, mode=mode, scale_factor=21.7),
               **(LARGE_TOL if extra.get("antialias") or mode == "bicubic" else {})),
    ]

for mode, extra in (("nearest", {}), ("nearest-exact", {}), ("trilinear", {}),
                    ("trilinear", {"align_corners": True}), ("area", {})):
    ac = extra.get("align_corners")
    CASES += [
        OpCase(op="interpolate", desc=f"3d_{mode}_ac{ac}_zero_batch", args=(T((0, 2, 2, 3, 2)),),
               kwargs=dict(extra, mode=mode, size=(3, 2, 4))),
        OpCase(op="interpolate", desc=f"3d_{mode}_ac{ac}_1x1x1_input", args=(T((1, 2, 1, 1, 1)),),
               kwargs=dict(extra, mode=mode, size=(2, 3, 2))),
        OpCase(op="interpolate", desc=f"3d_{mode}_ac{ac}_nan_inf", args=(T((1, 1, 3, 3, 3), gen=with_specials),),
               kwargs=dict(extra, mode=mode, scale_factor=(1.5, 0.7, 2))),
        OpCase(op="interpolate", desc=f"3d_{mode}_ac{ac}_transposed", args=(T((1, 2, 2, 3, 4), layout="transposed"),),
               kwargs=dict(extra, mode=mode, size=(3, 5, 2))),
    ]

CASES += [
    # the tutorials' example: F.interpolate(x, scale_factor=2, mode='nearest') on (1, 16, 7, 7)
    OpCase(op="interpolate", desc="tutorial_nearest_scale2", args=(T((1, 16, 7, 7)),),
           kwargs={"scale_factor": 2, "mode": "nearest"}),
    # scale_factor used as given: output size equal to the input's, scale != 1
    OpCase(op="interpolate", desc="2d_nearest_scale_1p1_same_size", args=(T((1, 2, 4, 4)),),
           kwargs={"scale_factor": 1.1, "recompute_scale_factor": False}),
    OpCase(op="interpolate", desc="1d_nearest_scale_2p1_double_size", args=(T((1, 2, 5)),),
           kwargs={"scale_factor": 2.1, "recompute_scale_factor": False}),
    OpCase(op="interpolate", desc="2d_bicubic_scale_1p1_same_size", args=(T((1, 2, 4, 4)),),
           kwargs={"scale_factor": 1.1, "recompute_scale_factor": False, "mode": "bicubic"}),
    OpCase(op="interpolate", desc="2d_bilinear_antialias_scale_1p1_same_height", args=(T((1, 2, 4, 6)),),
           kwargs={"scale_factor": (1.1, 0.5), "recompute_scale_factor": False, "mode": "bilinear",
                   "antialias": True}),
    OpCase(op="interpolate", desc="2d_bilinear_antialias_single_output_column", args=(T((2, 1, 8, 3)),),
           kwargs={"size": (5, 1), "mode": "bilinear", "antialias": True}),
    OpCase(op="interpolate", desc="2d_bilinear_large_scale_3p7", args=(T((1, 2, 20, 20)),),
           kwargs={"scale_factor": 3.7, "mode": "bilinear"}),
    OpCase(op="interpolate", desc="2d_bicubic_antialias_downscale_4", args=(T((1, 2, 16, 12)),),
           kwargs={"scale_factor": 0.25, "mode": "bicubic", "antialias": True}),
    OpCase(op="interpolate", desc="2d_numpy_int_size", args=(T((1, 2, 4, 4)),),
           kwargs={"size": (np.int64(3), np.int64(5))}),
    OpCase(op="interpolate", desc="2d_scale_bool_true", args=(T((1, 2, 4, 4)),), kwargs={"scale_factor": True}),
    # area: zero output sizes and zero channels are accepted by torch (its backward refuses them)
    OpCase(op="interpolate", desc="2d_area_size0", args=(T((1, 2, 4, 4)),), kwargs={"size": 0, "mode": "area"},
           grad=False),
    OpCase(op="interpolate", desc="2d_area_scale_to_zero", args=(T((1, 2, 4, 4)),),
           kwargs={"scale_factor": 0.1, "mode": "area"}, grad=False),
    OpCase(op="interpolate", desc="2d_area_zero_channels", args=(T((1, 0, 4, 4)),),
           kwargs={"size": 2, "mode": "area"}, grad=False),
    # the deprecated wrappers
    OpCase(op="upsample", desc="scale2_bilinear", args=(T((1, 2, 3, 4)),),
           kwargs={"scale_factor": 2, "mode": "bilinear"}),
    OpCase(op="upsample_nearest", desc="size", args=(T((1, 2, 3, 4)),), kwargs={"size": (5, 7)}),
    OpCase(op="upsample_bilinear", desc="scale", args=(T((1, 2, 3, 4)),), kwargs={"scale_factor": 1.5}),
]

# ---------------------------------------------------------------- modules
CASES += [
    ModuleCase(module="Upsample", desc="scale2_nearest", ctor_kwargs={"scale_factor": 2}, inputs=(T((1, 2, 3, 4)),)),
    ModuleCase(module="Upsample", desc="size_bilinear_align", inputs=(T((1, 2, 3, 4)),),
               ctor_kwargs={"size": (5, 6), "mode": "bilinear", "align_corners": True}),
    ModuleCase(module="Upsample", desc="scale_tuple", ctor_kwargs={"scale_factor": (2, 3)}, inputs=(T((1, 2, 3, 4)),)),
    ModuleCase(module="Upsample", desc="linear_1d_size", ctor_kwargs={"size": 7, "mode": "linear"},
               inputs=(T((2, 3, 4)),)),
    ModuleCase(module="Upsample", desc="trilinear_recompute", inputs=(T((1, 2, 2, 3, 2)),),
               ctor_kwargs={"scale_factor": 1.5, "mode": "trilinear", "recompute_scale_factor": True}),
    ModuleCase(module="Upsample", desc="bicubic_scale", ctor_kwargs={"scale_factor": 1.5, "mode": "bicubic"},
               inputs=(T((1, 2, 3, 4)),)),
    ModuleCase(module="Upsample", desc="nearest_exact", ctor_kwargs={"scale_factor": 0.7, "mode": "nearest-exact"},
               inputs=(T((1, 2, 5, 6)),)),
    ModuleCase(module="Upsample", desc="area", ctor_kwargs={"size": 2, "mode": "area"}, inputs=(T((1, 2, 5, 6)),)),
    ModuleCase(module="Upsample", desc="scale_zero_repr", ctor_kwargs={"scale_factor": 0, "size": 3},
               inputs=(T((1, 2, 5, 6)),)),
    ModuleCase(module="UpsamplingNearest2d", desc="scale2", ctor_kwargs={"scale_factor": 2}, inputs=(T((1, 2, 3, 4)),)),
    ModuleCase(module="UpsamplingNearest2d", desc="size", ctor_kwargs={"size": (3, 5)}, inputs=(T((1, 2, 3, 4)),)),
    ModuleCase(module="UpsamplingBilinear2d", desc="scale2", ctor_kwargs={"scale_factor": 2}, inputs=(T((1, 2, 3, 4)),)),
    ModuleCase(module="UpsamplingBilinear2d", desc="size", ctor_kwargs={"size": 3}, inputs=(T((1, 2, 3, 4)),)),
]

# ---------------------------------------------------------------- errors torch raises
X2 = T((1, 2, 4, 4))
ERRORS = [
    # align_corners with a mode that does not take it
    ("nearest_align_true", (X2,), {"size": 2, "align_corners": True}),
    ("nearest_align_false", (X2,), {"size": 2, "align_corners": False}),
    ("nearest_exact_align_true", (X2,), {"size": 2, "mode": "nearest-exact", "align_corners": True}),
    ("area_align_false", (X2,), {"size": 2, "mode": "area", "align_corners": False}),
    # size vs scale_factor
    ("size_and_scale", (X2,), {"size": 2, "scale_factor": 2}),
    ("neither_size_nor_scale", (X2,), {}),
    ("size_tuple_wrong_length", (X2,), {"size": (3,)}),
    ("size_tuple_too_long_1d", (T((1, 2, 4)),), {"size": (3, 3)}),
    ("scale_tuple_wrong_length", (X2,), {"scale_factor": (2, 2, 2)}),
    ("size_float_element", (X2,), {"size": (2.0, 3)}),
    ("size_float_scalar", (X2,), {"size": 2.5}),
    ("size_bool_scalar", (X2,), {"size": True}),
    ("size_bool_element", (X2,), {"size": (True, 2)}),
    ("size_string", (X2,), {"size": "2"}),
    ("scale_string", (X2,), {"scale_factor": "2"}),
    ("recompute_with_size", (X2,), {"size": 2, "recompute_scale_factor": True}),
    # sizes torch's kernels refuse
    ("size_zero", (X2,), {"size": 0}),
    ("size_negative", (X2,), {"size": -1}),
    ("size_zero_bilinear", (X2,), {"size": (0, 2), "mode": "bilinear"}),
    ("scale_to_zero", (X2,), {"scale_factor": 0.1}),
    ("scale_to_zero_recompute", (X2,), {"scale_factor": 0.1, "recompute_scale_factor": True}),
    ("scale_zero", (X2,), {"scale_factor": 0.0}),
    ("scale_negative", (X2,), {"scale_factor": -1.0}),
    ("scale_tuple_negative", (X2,), {"scale_factor": (2, -1)}),
    ("scale_nan", (X2,), {"scale_factor": float("nan")}),
    ("scale_inf", (X2,), {"scale_factor": float("inf")}),
    ("scale_nan_recompute", (X2,), {"scale_factor": float("nan"), "recompute_scale_factor": True}),
    ("scale_nan_area", (X2,), {"scale_factor": float("nan"), "mode": "area"}),
    ("scale_inf_area", (X2,), {"scale_factor": float("inf"), "mode": "area"}),
    ("size_huge", (X2,), {"size": 10 ** 10}),
    ("scale_huge", (X2,), {"scale_factor": 1e10}),
    ("zero_channels_nearest", (T((1, 0, 4, 4)),), {"size": 2}),
    ("zero_channels_bilinear", (T((1, 0, 4, 4)),), {"size": 2, "mode": "bilinear"}),
    ("zero_channels_1d", (T((1, 0, 4)),), {"size": 2, "mode": "linear"}),
    ("zero_spatial_nearest", (T((1, 2, 0, 4)),), {"size": 2}),
    ("zero_spatial_bicubic", (T((1, 2, 0, 4)),), {"size": 2, "mode": "bicubic"}),
    ("zero_spatial_area", (T((1, 2, 0, 4)),), {"size": 2, "mode": "area"}),
    ("zero_spatial_area_3d", (T((1, 2, 0, 2, 2)),), {"size": 2, "mode": "area"}),
    ("area_negative_size", (X2,), {"size": -1, "mode": "area"}),
    ("area_negative_size_1d", (T((1, 2, 4)),), {"size": -1, "mode": "area"}),
    ("int64_input", (T((1, 2, 4, 4), low=0, high=5, dtype="int64"),), {"size": 2}),
    # antialias where torch does not support it
    ("antialias_nearest", (X2,), {"size": 2, "antialias": True}),
    ("antialias_area", (X2,), {"size": 2, "mode": "area", "antialias": True}),
    ("antialias_linear_1d", (T((1, 2, 4)),), {"size": 2, "mode": "linear", "antialias": True}),
    ("antialias_trilinear", (T((1, 2, 2, 2, 2)),), {"size": 2, "mode": "trilinear", "antialias": True}),
    ("lanczos_align_corners", (X2,), {"size": 2, "mode": "lanczos", "antialias": True, "align_corners": True}),
    ("lanczos_without_antialias", (X2,), {"size": 2, "mode": "lanczos"}),
    ("lanczos_1d", (T((1, 2, 4)),), {"size": 2, "mode": "lanczos", "antialias": True}),
    # modes that need another dimensionality, unknown modes and ranks
    ("linear_on_4d", (X2,), {"size": 2, "mode": "linear"}),
    ("linear_on_5d", (T((1, 2, 2, 2, 2)),), {"size": 2, "mode": "linear"}),
    ("bilinear_on_3d", (T((1, 2, 4)),), {"size": 2, "mode": "bilinear"}),
    ("bilinear_on_5d", (T((1, 2, 2, 2, 2)),), {"size": 2, "mode": "bilinear"}),
    ("trilinear_on_3d", (T((1, 2, 4)),), {"size": 2, "mode": "trilinear"}),
    ("trilinear_on_4d", (X2,), {"size": 2, "mode": "trilinear"}),
    ("bicubic_on_3d", (T((1, 2, 4)),), {"size": 2, "mode": "bicubic"}),
    ("bicubic_on_5d", (T((1, 2, 2, 2, 2)),), {"size": 2, "mode": "bicubic"}),
    ("unknown_mode", (X2,), {"size": 2, "mode": "cubic"}),
    ("input_2d", (T((2, 4)),), {"size": 2}),
    ("input_6d_scale", (T((1, 1, 2, 2, 2, 2)),), {"scale_factor": 2}),
]
CASES += [ErrorCase(op="interpolate", desc=desc, args=args, kwargs=kwargs) for desc, args, kwargs in ERRORS]
CASES += [
    ErrorCase(op="Upsample", desc="module_nearest_align_corners", module=True,
              kwargs={"scale_factor": 2, "align_corners": True}, call_inputs=(T((1, 2, 3, 3)),)),
    ErrorCase(op="Upsample", desc="module_bilinear_on_3d", module=True,
              kwargs={"scale_factor": 2, "mode": "bilinear"}, call_inputs=(T((1, 2, 3)),)),
    ErrorCase(op="UpsamplingBilinear2d", desc="module_no_size", module=True, call_inputs=(T((1, 2, 3, 3)),)),
]


# 0-d and empty inputs with gradients.  Every mode on an empty batch (with the "zero_batch" cases above), the
# area mode on zero channels: a mean when every output size is 1 (its backward works), else torch's
# adaptive_avg_pool backward refuses the empty gradient (the output still requires grad) and the 3-d one
# refuses zero channels already in the forward.  0-d inputs are refused by every mode.
def _backward(**kwargs):
    def call(lib, x):
        x.requires_grad_()
        lib.F.interpolate(x, **kwargs).sum().backward()
    return call


CASES += [
    OpCase(op="interpolate", desc="2d_area_zero_channels_global", args=(T((2, 0, 4, 4)),),
           kwargs={"size": 1, "mode": "area"}),
    OpCase(op="interpolate", desc="1d_area_zero_channels_global", args=(T((2, 0, 5)),),
           kwargs={"size": 1, "mode": "area"}),
    OpCase(op="interpolate", desc="3d_area_zero_channels_global", args=(T((1, 0, 2, 3, 2)),),
           kwargs={"size": (1, 1, 1), "mode": "area"}),
    OpCase(op="interpolate", desc="2d_bilinear_antialias_zero_batch_down", args=(T((0, 2, 6, 6)),),
           kwargs={"size": (3, 2), "mode": "bilinear", "antialias": True}),
    OpCase(op="interpolate", desc="2d_lanczos_zero_batch", args=(T((0, 2, 4, 4)),),
           kwargs={"size": 3, "mode": "lanczos", "antialias": True}),
    OpCase(op="upsample", desc="zero_batch_linear", args=(T((0, 2, 4)),), kwargs={"scale_factor": 2, "mode": "linear"}),
    OpCase(op="upsample_nearest", desc="zero_batch", args=(T((0, 2, 3, 4)),), kwargs={"size": (5, 7)}),
    OpCase(op="upsample_bilinear", desc="zero_batch", args=(T((0, 2, 3, 4)),), kwargs={"scale_factor": 1.5}),
    ModuleCase(module="Upsample", desc="zero_batch_bicubic", ctor_kwargs={"scale_factor": 2, "mode": "bicubic"},
               inputs=(T((0, 2, 3, 3)),)),
    ModuleCase(module="UpsamplingNearest2d", desc="zero_batch", ctor_kwargs={"size": 5}, inputs=(T((0, 1, 2, 3)),)),
    ModuleCase(module="UpsamplingBilinear2d", desc="zero_batch", ctor_kwargs={"scale_factor": 2},
               inputs=(T((0, 1, 2, 3)),)),
    ErrorCase(op="interpolate", desc="3d_area_zero_channels", args=(T((1, 0, 2, 2, 2)),),
              kwargs={"size": 2, "mode": "area"}),
    ErrorCase(op="interpolate", desc="input_0d", args=(T(()),), kwargs={"size": 2}),
    ErrorCase(op="interpolate", desc="input_0d_scale", args=(T(()),), kwargs={"scale_factor": 2.0, "mode": "area"}),
    ErrorCase(op="Upsample", desc="module_input_0d", module=True, kwargs={"scale_factor": 2}, call_inputs=(T(()),)),
]
for desc, shape, kwargs in (("2d_area_size0", (1, 2, 4, 4), {"size": 0}),
                            ("2d_area_scale_to_zero", (1, 2, 4, 4), {"scale_factor": 0.1}),
                            ("2d_area_zero_channels", (1, 0, 4, 4), {"size": 2}),
                            ("1d_area_zero_channels", (2, 0, 4), {"size": 2}),
                            ("1d_area_scale_to_zero", (1, 2, 4), {"scale_factor": 0.1}),
                            ("3d_area_size0", (1, 2, 2, 2, 2), {"size": (0, 1, 1)}),
                            ("3d_area_scale_to_zero", (1, 2, 2, 2, 2), {"scale_factor": 0.1})):
    kw = dict(kwargs, mode="area")
    CASES += [
        OpCase(op="interpolate", desc=f"{desc}_requires_grad", args=(T(shape),),
               call=lambda F, x, kw=kw: F.interpolate(x, **kw).requires_grad),
        ErrorCase(op="interpolate", desc=f"{desc}_backward", args=(T(shape),), call=_backward(**kw)),
    ]

"""F.grid_sample and F.affine_grid (issue 20)."""
import warnings

import numpy as np

from tests.harness import ErrorCase, OpCase, T


def lattice(rng, shape, dtype):
    """Grid coordinates on multiples of 1/8: with size 5 and align_corners=True they land on pixel centres
    and exact half-pixels (nearest's ties, round half to even; bilinear's floor boundaries)."""
    return (rng.integers(-10, 11, size=shape) / 8).astype(dtype)


def with_nonfinite(rng, shape, dtype):
    x = rng.uniform(-1, 1, size=shape).astype(dtype)
    flat = x.reshape(-1)
    flat[::5] = np.nan
    flat[1::7] = np.inf
    flat[2::9] = -np.inf
    return x


def wide(rng, shape, dtype):
    """Coordinates far outside [-1, 1]: reflection folds them several times."""
    return rng.uniform(-7, 7, size=shape).astype(dtype)


CASES = []
for nd, (shape, gshape) in ((2, ((2, 3, 4, 5), (2, 6, 7, 2))), (3, ((2, 2, 3, 4, 5), (2, 3, 4, 2, 3)))):
    for mode in ("bilinear", "nearest", "bicubic"):
        if nd == 3 and mode == "bicubic":
            continue
        for padding_mode in ("zeros", "border", "reflection"):
            for align in (False, True):
                CASES.append(OpCase(
                    op="grid_sample", desc=f"{nd}d_{mode}_{padding_mode}_align{int(align)}",
                    args=(T(shape), T(gshape, low=-1.3, high=1.3)),
                    kwargs={"mode": mode, "padding_mode": padding_mode, "align_corners": align}))
        CASES.append(OpCase(op="grid_sample", desc=f"{nd}d_{mode}_reflection_wide",
                            args=(T(shape), T(gshape, gen=wide)),
                            kwargs={"mode": mode, "padding_mode": "reflection", "align_corners": False}))
        lattice_shape = (1, 2, 5, 5) if nd == 2 else (1, 2, 5, 5, 5)
        for align in (False, True):
            CASES.append(OpCase(op="grid_sample", desc=f"{nd}d_{mode}_lattice_align{int(align)}",
                                args=(T(lattice_shape), T((1,) + gshape[1:], gen=lattice)),
                                kwargs={"mode": mode, "padding_mode": "zeros", "align_corners": align}))
        CASES.append(OpCase(op="grid_sample", desc=f"{nd}d_{mode}_input_nonfinite",
                            args=(T(shape, gen=with_nonfinite), T(gshape, low=-0.9, high=0.9)),
                            kwargs={"mode": mode, "align_corners": False}))

CASES += [
    OpCase(op="grid_sample", desc="default_args", args=(T((2, 3, 4, 5)), T((2, 3, 3, 2))),
           kwargs={"align_corners": False}),
    OpCase(op="grid_sample", desc="align_corners_omitted", args=(T((2, 3, 4, 5)), T((2, 3, 3, 2))),
           call=lambda F, x, g: _quiet(F.grid_sample, x, g)),
    OpCase(op="grid_sample", desc="unit_input_align", args=(T((2, 3, 1, 1)), T((2, 4, 5, 2))),
           kwargs={"align_corners": True, "padding_mode": "reflection"}),
    OpCase(op="grid_sample", desc="unit_width_bicubic", args=(T((1, 2, 4, 1)), T((1, 3, 3, 2))),
           kwargs={"mode": "bicubic", "padding_mode": "border", "align_corners": False}),
    OpCase(op="grid_sample", desc="zero_batch", args=(T((0, 3, 4, 5)), T((0, 6, 7, 2))),
           kwargs={"align_corners": False}),
    OpCase(op="grid_sample", desc="zero_channels", args=(T((2, 0, 4, 5)), T((2, 6, 7, 2))),
           kwargs={"align_corners": False}),
    OpCase(op="grid_sample", desc="zero_points", args=(T((2, 3, 4, 5)), T((2, 0, 7, 2))),
           kwargs={"align_corners": False}),
    OpCase(op="grid_sample", desc="3d_zero_points", args=(T((2, 3, 4, 5, 2)), T((2, 2, 0, 3, 3))),
           kwargs={"align_corners": True}),
    OpCase(op="grid_sample", desc="transposed_input", args=(T((2, 3, 5, 4), layout="transposed"), T((2, 3, 3, 2))),
           kwargs={"align_corners": False}),
    OpCase(op="grid_sample", desc="strided_grid", args=(T((2, 3, 4, 5)), T((2, 3, 3, 2), layout="strided")),
           kwargs={"align_corners": True, "mode": "bicubic"}),
    OpCase(op="grid_sample", desc="negative_stride_3d", args=(T((1, 2, 3, 4, 5), layout="negative"),
                                                              T((1, 2, 3, 2, 3), layout="negative")),
           kwargs={"align_corners": False, "padding_mode": "border"}),
    OpCase(op="grid_sample", desc="affine_roundtrip", args=(T((2, 3, 6, 5)), T((2, 2, 3), low=-0.8, high=0.8)),
           call=lambda F, x, theta: F.grid_sample(x, F.affine_grid(theta, (2, 3, 4, 4), align_corners=False),
                                                  align_corners=False)),
]


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


for align in (False, True):
    CASES += [
        OpCase(op="affine_grid", desc=f"2d_align{int(align)}", args=(T((2, 2, 3)), (2, 3, 4, 5)),
               kwargs={"align_corners": align}),
        OpCase(op="affine_grid", desc=f"3d_align{int(align)}", args=(T((2, 3, 4)), (2, 3, 4, 5, 6)),
               kwargs={"align_corners": align}),
        OpCase(op="affine_grid", desc=f"2d_unit_height_align{int(align)}", args=(T((2, 2, 3)), (2, 1, 1, 5)),
               call=lambda F, theta, size, a=align: _quiet(F.affine_grid, theta, size, align_corners=a)),
        OpCase(op="affine_grid", desc=f"3d_unit_depth_align{int(align)}", args=(T((1, 3, 4)), [1, 2, 1, 3, 2]),
               call=lambda F, theta, size, a=align: _quiet(F.affine_grid, theta, size, align_corners=a)),
    ]
CASES += [
    OpCase(op="affine_grid", desc="size_list_large", args=(T((3, 2, 3)), [3, 1, 9, 17]),
           kwargs={"align_corners": False}),
    OpCase(op="affine_grid", desc="transposed_theta", args=(T((2, 2, 3), layout="transposed"), (2, 3, 4, 5)),
           kwargs={"align_corners": True}),
    OpCase(op="affine_grid", desc="align_corners_omitted", args=(T((2, 2, 3)), (2, 3, 4, 5)),
           call=lambda F, theta, size: _quiet(F.affine_grid, theta, size)),
    OpCase(op="affine_grid", desc="nonfinite_theta", args=(T((2, 2, 3), gen=with_nonfinite), (2, 3, 3, 4)),
           kwargs={"align_corners": False}),
]

_G = T((2, 6, 7, 2))
CASES += [
    ErrorCase(op="grid_sample", desc="mode_unknown", args=(T((2, 3, 4, 5)), _G), kwargs={"mode": "foo"}),
    ErrorCase(op="grid_sample", desc="padding_mode_unknown", args=(T((2, 3, 4, 5)), _G),
              kwargs={"padding_mode": "foo", "align_corners": False}),
    ErrorCase(op="grid_sample", desc="mode_none", args=(T((2, 3, 4, 5)), _G), kwargs={"mode": None}),
    ErrorCase(op="grid_sample", desc="bicubic_5d", args=(T((2, 3, 4, 5, 6)), T((2, 6, 7, 8, 3))),
              kwargs={"mode": "bicubic", "align_corners": False}),
    ErrorCase(op="grid_sample", desc="batch_mismatch", args=(T((2, 3, 4, 5)), T((3, 6, 7, 2))),
              kwargs={"align_corners": False}),
    ErrorCase(op="grid_sample", desc="grid_last_dim", args=(T((2, 3, 4, 5)), T((2, 6, 7, 3))),
              kwargs={"align_corners": False}),
    ErrorCase(op="grid_sample", desc="grid_rank", args=(T((2, 3, 4, 5)), T((2, 6, 7, 8, 2))),
              kwargs={"align_corners": False}),
    ErrorCase(op="grid_sample", desc="input_3d", args=(T((2, 3, 4)), T((2, 6, 1))), kwargs={"align_corners": False}),
    ErrorCase(op="grid_sample", desc="input_6d", args=(T((2, 3, 4, 5, 6, 7)), T((2, 6, 7, 8, 9, 4))),
              kwargs={"align_corners": False}),
    ErrorCase(op="grid_sample", desc="unbatched", args=(T((3, 4, 5)), T((6, 7, 2))), kwargs={"align_corners": False}),
    ErrorCase(op="grid_sample", desc="empty_spatial", args=(T((2, 3, 0, 5)), _G), kwargs={"align_corners": False}),
    ErrorCase(op="grid_sample", desc="dtype_mismatch", args=(T((2, 3, 4, 5), dtype="float32"),
                                                            T((2, 6, 7, 2), dtype="float64")),
              kwargs={"align_corners": False}),
    ErrorCase(op="grid_sample", desc="int64", args=(T((2, 3, 4, 5), dtype="int64", low=0, high=4),
                                                   T((2, 6, 7, 2), dtype="int64", low=0, high=1)),
              kwargs={"align_corners": False}),
    ErrorCase(op="grid_sample", desc="grid_not_tensor", args=(T((2, 3, 4, 5)), [1.0]), kwargs={"align_corners": False}),
    ErrorCase(op="grid_sample", desc="align_corners_int", args=(T((2, 3, 4, 5)), _G), kwargs={"align_corners": 1}),
    ErrorCase(op="affine_grid", desc="theta_shape_2d", args=(T((2, 3, 4)), (2, 3, 4, 5)),
              kwargs={"align_corners": False}),
    ErrorCase(op="affine_grid", desc="theta_shape_3d", args=(T((2, 2, 3)), (2, 3, 4, 5, 6)),
              kwargs={"align_corners": False}),
    ErrorCase(op="affine_grid", desc="theta_2d_tensor", args=(T((2, 2)), (2, 3, 4, 5)),
              kwargs={"align_corners": False}),
    ErrorCase(op="affine_grid", desc="size_3", args=(T((2, 2, 3)), (2, 3, 4)), kwargs={"align_corners": False}),
    ErrorCase(op="affine_grid", desc="theta_int", args=(T((2, 2, 3), dtype="int64", low=0, high=3), (2, 3, 4, 5)),
              kwargs={"align_corners": False}),
    ErrorCase(op="affine_grid", desc="size_zero", args=(T((2, 2, 3)), (2, 3, 0, 5)), kwargs={"align_corners": True}),
    ErrorCase(op="affine_grid", desc="batch_zero", args=(T((0, 2, 3)), (0, 3, 4, 5)), kwargs={"align_corners": False}),
    ErrorCase(op="affine_grid", desc="size_negative", args=(T((2, 2, 3)), (2, 3, -1, 5)),
              kwargs={"align_corners": False}),
    ErrorCase(op="affine_grid", desc="batch_mismatch", args=(T((2, 2, 3)), (3, 3, 4, 5)),
              kwargs={"align_corners": False}),
    ErrorCase(op="affine_grid", desc="size_float", args=(T((2, 2, 3)), (2, 3, 4, 5.0)),
              kwargs={"align_corners": False}),
]

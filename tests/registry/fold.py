"""Fold / Unfold (col2im / im2col) and their F. forms (issue 20)."""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T


def with_nonfinite(rng, shape, dtype):
    x = rng.uniform(-1, 1, size=shape).astype(dtype)
    flat = x.reshape(-1)
    flat[::5] = np.nan
    flat[1::7] = np.inf
    flat[2::9] = -np.inf
    return x


def _columns(C, kernel, image, dilation=1, padding=0, stride=1):
    """The (C * KH * KW, L) shape fold takes for these arguments."""
    pair = lambda v: v if isinstance(v, tuple) else (v, v)  # noqa: E731
    kh, kw = pair(kernel)
    blocks = 1
    for n, k, d, p, s in zip(image, (kh, kw), pair(dilation), pair(padding), pair(stride)):
        blocks *= (n + 2 * p - d * (k - 1) - 1) // s + 1
    return (C * kh * kw, blocks)


# (image shape, kernel, dilation, padding, stride): overlapping and disjoint blocks, gaps (stride > kernel),
# blocks that start in the padding, a block as large as the padded image.
GEOMETRIES = [
    ((2, 3, 5, 6), 2, 1, 0, 1), ((2, 3, 5, 6), (2, 3), (1, 2), (1, 0), (2, 1)), ((1, 2, 7, 6), 3, 2, 2, 3),
    ((2, 2, 4, 4), 1, 1, 0, 1), ((2, 2, 6, 5), (3, 2), 1, 1, (1, 2)), ((1, 3, 6, 6), 2, 1, 0, 2),
    ((1, 1, 5, 5), 2, 1, 0, 3), ((2, 1, 3, 4), (5, 6), 1, 1, 1), ((1, 2, 1, 1), 1, 1, 0, 1),
    ((1, 2, 4, 5), (2, 2), (2, 1), (2, 1), (1, 3)),
]

CASES = []
for shape, k, d, p, s in GEOMETRIES:
    tag = f"{'x'.join(map(str, shape))}_k{k}_d{d}_p{p}_s{s}".replace(" ", "")
    kwargs = {"dilation": d, "padding": p, "stride": s}
    CASES.append(OpCase(op="unfold", desc=tag, args=(T(shape), k), kwargs=kwargs))
    cols = _columns(shape[1], k, shape[2:], d, p, s)
    CASES.append(OpCase(op="fold", desc=tag, args=(T((shape[0],) + cols), shape[2:], k), kwargs=kwargs))

CASES += [
    OpCase(op="unfold", desc="unbatched", args=(T((3, 5, 6)), 2), kwargs={"stride": 2, "padding": 1}),
    OpCase(op="fold", desc="unbatched", args=(T(_columns(3, 2, (5, 6))), (5, 6), 2)),
    OpCase(op="unfold", desc="zero_batch", args=(T((0, 3, 5, 6)), 2)),
    OpCase(op="fold", desc="zero_batch", args=(T((0,) + _columns(3, 2, (5, 6))), (5, 6), 2)),
    OpCase(op="unfold", desc="transposed", args=(T((2, 3, 6, 5), layout="transposed"), (2, 3)), kwargs={"padding": 1}),
    OpCase(op="fold", desc="transposed", args=(T((2, 12, 12), layout="transposed"), (4, 5), 2)),
    OpCase(op="unfold", desc="strided", args=(T((2, 3, 5, 6), layout="strided"), 3), kwargs={"dilation": (1, 2)}),
    OpCase(op="fold", desc="negative_stride", args=(T((2, 12, 12), layout="negative"), (4, 5), 2)),
    OpCase(op="unfold", desc="nonfinite", args=(T((2, 3, 5, 6), gen=with_nonfinite), 2), kwargs={"padding": 1}),
    OpCase(op="fold", desc="nonfinite", args=(T((2, 12, 12), gen=with_nonfinite), (4, 5), 2)),
    OpCase(op="unfold", desc="list_args", args=(T((2, 3, 5, 6)), [2, 3]),
           kwargs={"dilation": [1, 1], "padding": [1, 0], "stride": [2, 1]}),
    OpCase(op="fold", desc="int_output_size", args=(T((2, 12, 9)), 4, 2)),
    OpCase(op="unfold", desc="bool", args=(T((2, 3, 5, 6), dtype="bool"), 2), kwargs={"padding": 1, "stride": 2},
           grad=False),
    OpCase(op="fold", desc="bool", args=(T((2, 12, 12), dtype="bool"), (4, 5), 2), grad=False),
    OpCase(op="fold", desc="roundtrip", args=(T((2, 3, 5, 6)),),
           call=lambda F, x: F.fold(F.unfold(x, 2, padding=1), (5, 6), 2, padding=1)),
    ModuleCase(module="Unfold", desc="default", ctor_args=(2,), inputs=(T((2, 3, 5, 6)),)),
    ModuleCase(module="Unfold", desc="all_args", ctor_args=((2, 3),), ctor_kwargs={"dilation": 2, "padding": (1, 2),
                                                                                 "stride": (2, 1)},
               inputs=(T((2, 3, 6, 7)),)),
    ModuleCase(module="Fold", desc="default", ctor_args=((4, 5), 2), inputs=(T((2, 12, 12)),)),
    ModuleCase(module="Fold", desc="all_args", ctor_args=((6, 7), (2, 3)),
               ctor_kwargs={"dilation": 2, "padding": (1, 2), "stride": (2, 1)},
               inputs=(T((2,) + _columns(3, (2, 3), (6, 7), 2, (1, 2), (2, 1))),)),
    ModuleCase(module="Fold", desc="unbatched", ctor_args=(5, 3), ctor_kwargs={"stride": 2},
               inputs=(T(_columns(2, 3, (5, 5), stride=2)),)),
]

CASES += [
    ErrorCase(op="unfold", desc="input_2d", args=(T((4, 5)), 2)),
    ErrorCase(op="unfold", desc="input_5d", args=(T((1, 2, 3, 4, 5)), 2)),
    ErrorCase(op="unfold", desc="kernel_zero", args=(T((2, 3, 4, 5)), 0)),
    ErrorCase(op="unfold", desc="stride_zero", args=(T((2, 3, 4, 5)), 2), kwargs={"stride": 0}),
    ErrorCase(op="unfold", desc="dilation_zero", args=(T((2, 3, 4, 5)), 2), kwargs={"dilation": 0}),
    ErrorCase(op="unfold", desc="padding_negative", args=(T((2, 3, 4, 5)), 2), kwargs={"padding": -1}),
    ErrorCase(op="unfold", desc="kernel_too_big", args=(T((2, 3, 4, 5)), 6)),
    ErrorCase(op="unfold", desc="kernel_three_values", args=(T((2, 3, 4, 5)), (1, 2, 3))),
    ErrorCase(op="unfold", desc="stride_three_values", args=(T((2, 3, 4, 5)), 2), kwargs={"stride": (1, 2, 3)}),
    ErrorCase(op="unfold", desc="kernel_float", args=(T((2, 3, 4, 5)), 2.0)),
    ErrorCase(op="unfold", desc="empty_channels", args=(T((2, 0, 4, 5)), 2)),
    ErrorCase(op="unfold", desc="unbatched_empty_channels", args=(T((0, 4, 5)), 2)),
    ErrorCase(op="unfold", desc="empty_height", args=(T((2, 3, 0, 5)), 2)),
    ErrorCase(op="unfold", desc="int64", args=(T((2, 3, 4, 5), dtype="int64", low=0, high=5), 2)),
    ErrorCase(op="fold", desc="input_1d", args=(T((12,)), (4, 5), 2)),
    ErrorCase(op="fold", desc="input_4d", args=(T((2, 12, 12, 1)), (4, 5), 2)),
    ErrorCase(op="fold", desc="channels_not_divisible", args=(T((2, 11, 12)), (4, 5), 2)),
    ErrorCase(op="fold", desc="length_mismatch", args=(T((2, 12, 11)), (4, 5), 2)),
    ErrorCase(op="fold", desc="kernel_zero", args=(T((2, 12, 12)), (4, 5), 0)),
    ErrorCase(op="fold", desc="stride_zero", args=(T((2, 12, 12)), (4, 5), 2), kwargs={"stride": 0}),
    ErrorCase(op="fold", desc="padding_negative", args=(T((2, 12, 12)), (4, 5), 2), kwargs={"padding": -1}),
    ErrorCase(op="fold", desc="dilation_zero", args=(T((2, 12, 12)), (4, 5), 2), kwargs={"dilation": 0}),
    ErrorCase(op="fold", desc="no_blocks", args=(T((2, 12, 1)), (1, 1), 2)),
    ErrorCase(op="fold", desc="empty_length", args=(T((2, 12, 0)), (1, 1), 2)),
    ErrorCase(op="fold", desc="output_size_zero", args=(T((2, 12, 1)), (0, 0), 1)),
    ErrorCase(op="fold", desc="empty_channels", args=(T((2, 0, 12)), (4, 5), 2)),
    ErrorCase(op="fold", desc="output_size_three_values", args=(T((2, 12, 12)), (4, 5, 6), 2)),
    ErrorCase(op="fold", desc="kernel_three_values", args=(T((2, 12, 12)), (4, 5), (1, 2, 3))),
    ErrorCase(op="fold", desc="int64", args=(T((2, 12, 12), dtype="int64", low=0, high=5), (4, 5), 2)),
    ErrorCase(op="fold", desc="kernel_product_overflows", args=(T((2, 12, 12)), (4, 5), 2 ** 32)),
    ErrorCase(op="Fold", desc="module_length_mismatch", module=True, args=((4, 5), 2), call_inputs=(T((2, 12, 11)),)),
    ErrorCase(op="Unfold", desc="module_input_5d", module=True, args=(2,), call_inputs=(T((1, 2, 3, 4, 5)),)),
]

"""Padding: F.pad in every mode at every rank torch allows, and the Zero/Constant/Reflection/Replication/
Circular padding modules (issue 20)."""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T


def with_nonfinite(rng, shape, dtype):
    x = rng.uniform(-1, 1, size=shape).astype(dtype)
    flat = x.reshape(-1)
    flat[::5] = np.nan
    flat[1::7] = np.inf
    flat[2::9] = -np.inf
    return x


def signed_zeros(rng, shape, dtype):
    """+0.0 and -0.0 only: the copies keep the sign, the gradient sums start from +0.0."""
    return np.where(rng.random(shape) < 0.5, -0.0, 0.0).astype(dtype)


# (input shape, pad) per number of padded dims: batched and unbatched, both sides, negative pads (crops),
# reflect's largest pad (size - 1), pads of different sizes per side and per dim.
SHAPES = {
    1: [((2, 3, 5), (1, 2)), ((3, 6), (2, 1)), ((2, 3, 5), (4, 4)), ((2, 3, 5), (-1, 2)), ((2, 3, 5), (3, -2)),
        ((1, 1, 4), (0, 0)), ((2, 2, 1), (0, 0)), ((2, 3, 6), (-2, -1))],
    2: [((2, 3, 4, 5), (1, 2, 2, 1)), ((3, 4, 5), (2, 0, 1, 3)), ((1, 2, 4, 5), (4, 4, 3, 3)),
        ((2, 2, 4, 5), (-1, 2, 1, -2)), ((1, 2, 1, 1), (0, 0, 0, 0)), ((2, 1, 5, 3), (2, 2, -1, -1))],
    3: [((2, 2, 3, 4, 5), (1, 2, 2, 1, 1, 2)), ((2, 3, 4, 5), (1, 1, 0, 2, 2, 0)),
        ((1, 2, 3, 4, 5), (4, 4, 3, 3, 2, 2)), ((1, 2, 3, 4, 5), (-1, 2, 1, -2, 2, -1)),
        ((1, 1, 3, 3, 3), (2, 2, 2, 2, 2, 2))],
}
MODES = ("reflect", "replicate", "circular", "constant")


def _fits(mode, shape, pad):
    """Reflect needs every pad below its dim; circular at most the dim (and what the crop leaves)."""
    nd = len(pad) // 2
    for i in range(nd):
        size, before, after = shape[-1 - i], pad[2 * i], pad[2 * i + 1]
        kept = size - max(-before, 0) - max(-after, 0)
        if mode == "reflect" and (before >= size or after >= size):
            return False
        if mode == "circular" and (max(before, 0) > kept or max(after, 0) > kept):
            return False
    return True


CASES = []
for nd, items in SHAPES.items():
    for mode in MODES:
        for shape, pad in items:
            if not _fits(mode, shape, pad):
                continue
            tag = "x".join(map(str, shape)) + "_pad" + "_".join(str(p) for p in pad)
            CASES.append(OpCase(op="pad", desc=f"{mode}_{nd}d_{tag}", args=(T(shape), pad), kwargs={"mode": mode}))

CASES += [
    # layouts and special values
    OpCase(op="pad", desc="reflect_2d_transposed", args=(T((2, 3, 5, 4), layout="transposed"), (2, 1, 1, 3)),
           kwargs={"mode": "reflect"}),
    OpCase(op="pad", desc="replicate_1d_strided", args=(T((2, 3, 5), layout="strided"), (2, 3)),
           kwargs={"mode": "replicate"}),
    OpCase(op="pad", desc="circular_3d_negative_stride",
           args=(T((1, 2, 3, 4, 5), layout="negative"), (1, 2, 2, 1, 3, 0)),
           kwargs={"mode": "circular"}),
    OpCase(op="pad", desc="constant_transposed", args=(T((2, 3, 5, 4), layout="transposed"), (1, 1, 2, 0)),
           kwargs={"value": 1.5}),
    OpCase(op="pad", desc="reflect_nonfinite", args=(T((2, 3, 6, 5), gen=with_nonfinite), (2, 3, 1, 4)),
           kwargs={"mode": "reflect"}),
    OpCase(op="pad", desc="replicate_nonfinite", args=(T((2, 7, 5), gen=with_nonfinite), (3, 2)),
           kwargs={"mode": "replicate"}),
    OpCase(op="pad", desc="circular_nonfinite", args=(T((1, 2, 3, 4, 5), gen=with_nonfinite), (1, 1, 2, 2, 1, 0)),
           kwargs={"mode": "circular"}),
    OpCase(op="pad", desc="constant_nonfinite", args=(T((2, 3, 5), gen=with_nonfinite), (2, 2, 1, 0)),
           kwargs={"value": -2.0}),
    OpCase(op="pad", desc="reflect_signed_zeros", args=(T((2, 3, 4, 5), gen=signed_zeros), (3, 3, 2, 2)),
           kwargs={"mode": "reflect"}),
    OpCase(op="pad", desc="replicate_signed_zeros", args=(T((2, 3, 4), gen=signed_zeros), (3, 3)),
           kwargs={"mode": "replicate"}),
    # constant: values, any rank, all-negative pads (torch returns the cropped clone), 0-d
    OpCase(op="pad", desc="constant_value_nan", args=(T((2, 3)), (1, 1)), kwargs={"value": float("nan")}),
    OpCase(op="pad", desc="constant_value_inf", args=(T((2, 3)), (0, 2, 1, 0)), kwargs={"value": float("-inf")}),
    OpCase(op="pad", desc="constant_value_int", args=(T((2, 3)), (1, 2)), kwargs={"value": 3}),
    OpCase(op="pad", desc="constant_value_not_float32", args=(T((2, 3)), (1, 2)), kwargs={"value": 0.1}),
    OpCase(op="pad", desc="constant_value_positional", args=(T((2, 3)), (1, 2), "constant", -0.5)),
    OpCase(op="pad", desc="constant_1d_tensor", args=(T((5,)), (2, 3))),
    OpCase(op="pad", desc="constant_4_dims", args=(T((2, 3, 2, 3)), (1, 0, 0, 1, 2, 1, 1, 1))),
    OpCase(op="pad", desc="constant_6d", args=(T((2, 1, 2, 1, 2, 3)), (1, 1, 0, 2))),
    OpCase(op="pad", desc="constant_all_negative", args=(T((3, 4, 5)), (-1, -2, 0, -1))),
    OpCase(op="pad", desc="constant_crop_to_empty", args=(T((3, 4, 5)), (-2, -3))),
    OpCase(op="pad", desc="constant_crop_all_then_pad", args=(T((2, 3, 4)), (-4, 3, 1, 1))),
    OpCase(op="pad", desc="constant_crop_all_positive_other_dim", args=(T((2, 3, 4)), (-4, 0, 1, 1))),
    OpCase(op="pad", desc="constant_mixed_crop", args=(T((3, 4, 5)), (-3, 2, 1, -2))),
    OpCase(op="pad", desc="constant_empty_pad", args=(T((3, 4)), ())),
    OpCase(op="pad", desc="constant_0d", args=(T(()), ())),
    OpCase(op="pad", desc="constant_list_pad", args=(T((3, 4)), [1, 2])),
    OpCase(op="pad", desc="constant_int64", args=(T((3, 4), low=-5, high=5, dtype="int64"), (1, 2)),
           kwargs={"value": 2.7}, grad=False),
    OpCase(op="pad", desc="constant_bool", args=(T((3, 4), dtype="bool"), (1, 2)), kwargs={"value": 0.5},
           grad=False),
    OpCase(op="pad", desc="reflect_value_zero", args=(T((3, 4)), (1, 2), "reflect", 0.0)),
    OpCase(op="pad", desc="reflect_int64", args=(T((2, 3, 4), low=-5, high=5, dtype="int64"), (2, 1)),
           kwargs={"mode": "reflect"}, grad=False),
    OpCase(op="pad", desc="circular_bool", args=(T((2, 3, 4), dtype="bool"), (1, 2, 2, 1)),
           kwargs={"mode": "circular"}, grad=False),
    OpCase(op="pad", desc="replicate_int32", args=(T((1, 2, 3, 4), low=-5, high=5, dtype="int32"), (1, 2, 2, 1)),
           kwargs={"mode": "replicate"}, grad=False),
    # empty tensors: a zero batch everywhere, zero sizes where torch allows them
    OpCase(op="pad", desc="reflect_zero_batch", args=(T((0, 3, 4, 5)), (1, 1, 2, 2)), kwargs={"mode": "reflect"}),
    OpCase(op="pad", desc="replicate_zero_batch_3d", args=(T((0, 2, 3, 4, 5)), (1, 1, 2, 2, 1, 0)),
           kwargs={"mode": "replicate"}),
    OpCase(op="pad", desc="circular_zero_batch", args=(T((0, 3, 5)), (1, 2)), kwargs={"mode": "circular"}),
    OpCase(op="pad", desc="circular_zero_channels", args=(T((2, 0, 5)), (1, 2)), kwargs={"mode": "circular"}),
    OpCase(op="pad", desc="circular_zero_width_no_pad", args=(T((2, 3, 0)), (0, 0)), kwargs={"mode": "circular"}),
    OpCase(op="pad", desc="circular_crop_to_empty", args=(T((2, 3, 5)), (-6, 1)), kwargs={"mode": "circular"}),
    OpCase(op="pad", desc="reflect_2d_crop_to_empty", args=(T((1, 2, 3, 4)), (1, 1, -3, 0)),
           kwargs={"mode": "reflect"}),
    OpCase(op="pad", desc="replicate_3d_crop_to_empty", args=(T((1, 2, 3, 4, 5)), (1, 1, 1, 1, -3, 0)),
           kwargs={"mode": "replicate"}),
    OpCase(op="pad", desc="constant_zero_batch", args=(T((0, 3, 4)), (1, 2, 3, 4)), kwargs={"value": 1.0}),
    OpCase(op="pad", desc="constant_zero_dim_padded", args=(T((2, 0, 4)), (1, 2, 3, 4))),
    OpCase(op="pad", desc="twice", args=(T((2, 3, 4, 5)),),
           call=lambda F, x: F.pad(F.pad(x, (2, 1, 1, 2), mode="reflect"), (1, 3, 0, 2), mode="circular")),
]

# the modules: int and tuple padding, repr, batched and unbatched
for kind, mode_nd in (("Zero", None), ("Constant", None), ("Reflection", None), ("Replication", None),
                      ("Circular", None)):
    for nd, shape in ((1, (2, 3, 5)), (2, (2, 3, 4, 5)), (3, (1, 2, 3, 4, 5))):
        extra = (1.5,) if kind == "Constant" else ()
        name = f"{kind}Pad{nd}d"
        CASES.append(ModuleCase(module=name, desc="int", ctor_args=(2,) + extra, inputs=(T(shape),)))
        tuple_pad = tuple((i % 3) for i in range(2 * nd))
        CASES.append(ModuleCase(module=name, desc="tuple", ctor_args=(tuple_pad,) + extra, inputs=(T(shape),)))
        CASES.append(ModuleCase(module=name, desc="unbatched", ctor_args=(1,) + extra, inputs=(T(shape[1:]),)))
CASES += [
    ModuleCase(module="ConstantPad2d", desc="negative_value_list", ctor_args=([1, -1, 0, 2], -3.25),
               inputs=(T((2, 3, 4, 5)),)),
    ModuleCase(module="ReflectionPad2d", desc="negative_pad", ctor_args=((-1, 2, 3, -2),), inputs=(T((2, 3, 4, 5)),)),
    ModuleCase(module="ZeroPad2d", desc="keyword", ctor_kwargs={"padding": (1, 0, 0, 1)}, inputs=(T((1, 4, 5)),)),
    ModuleCase(module="ConstantPad1d", desc="keyword_value", ctor_kwargs={"padding": 3, "value": 2},
               inputs=(T((2, 5)),)),
]

_COMBOS = [((3, 4, 5, 6), (1, 1), "reflect"), ((5,), (1, 1), "reflect"), ((5,), (1, 1), "circular"),
           ((2, 3), (1, 1, 1, 1), "replicate"), ((2, 3, 4, 5, 6, 7), (1, 1, 1, 1), "reflect"),
           ((1, 2, 3), (1, 1, 1, 1, 1, 1), "circular"), ((2, 3, 4, 5, 6, 7), (1,) * 8, "replicate")]
CASES += [ErrorCase(op="pad", desc=f"{mode}_rank_{len(shape)}d_pad{len(pad)}", args=(T(shape), pad),
                    kwargs={"mode": mode}) for shape, pad, mode in _COMBOS]
CASES += [
    ErrorCase(op="pad", desc="odd_length", args=(T((2, 3)), (1, 1, 1))),
    ErrorCase(op="pad", desc="too_long", args=(T((2, 3)), (1,) * 6)),
    ErrorCase(op="pad", desc="too_long_0d", args=(T(()), (1, 1))),
    ErrorCase(op="pad", desc="unknown_mode", args=(T((2, 3)), (1, 1)), kwargs={"mode": "foo"}),
    ErrorCase(op="pad", desc="unknown_mode_before_length", args=(T((2, 3)), (1, 1, 1)), kwargs={"mode": "wrap"}),
    ErrorCase(op="pad", desc="reflect_with_value", args=(T((2, 3)), (1, 1)), kwargs={"mode": "reflect", "value": 1.0}),
    ErrorCase(op="pad", desc="circular_with_nan_value", args=(T((2, 3)), (1, 1)),
              kwargs={"mode": "circular", "value": float("nan")}),
    ErrorCase(op="pad", desc="reflect_pad_equal_size", args=(T((3, 5)), (5, 1)), kwargs={"mode": "reflect"}),
    ErrorCase(op="pad", desc="reflect_2d_pad_too_big_height", args=(T((2, 3, 4)), (2, 2, 3, 3)),
              kwargs={"mode": "reflect"}),
    ErrorCase(op="pad", desc="reflect_3d_pad_too_big_depth", args=(T((2, 2, 3, 4)), (1, 1, 1, 1, 2, 1)),
              kwargs={"mode": "reflect"}),
    ErrorCase(op="pad", desc="reflect_1d_output_empty", args=(T((3, 5)), (-2, -3)), kwargs={"mode": "reflect"}),
    ErrorCase(op="pad", desc="replicate_1d_output_negative", args=(T((3, 5)), (-5, -1)), kwargs={"mode": "replicate"}),
    ErrorCase(op="pad", desc="reflect_2d_output_negative", args=(T((1, 2, 3)), (1, 1, -3, -1)),
              kwargs={"mode": "reflect"}),
    ErrorCase(op="pad", desc="replicate_2d_output_negative", args=(T((1, 2, 3, 4)), (1, 1, -3, -1)),
              kwargs={"mode": "replicate"}),
    ErrorCase(op="pad", desc="reflect_3d_output_negative", args=(T((1, 2, 3, 4, 5)), (1, 1, 1, 1, -3, -2)),
              kwargs={"mode": "reflect"}),
    ErrorCase(op="pad", desc="circular_wraps_twice", args=(T((3, 5)), (6, 1)), kwargs={"mode": "circular"}),
    ErrorCase(op="pad", desc="circular_negative_size", args=(T((3, 5)), (-3, -3)), kwargs={"mode": "circular"}),
    ErrorCase(op="pad", desc="circular_pad_longer_than_crop", args=(T((1, 1, 5)), (4, -3)),
              kwargs={"mode": "circular"}),
    ErrorCase(op="pad", desc="circular_empty_dim_padded", args=(T((1, 3, 0, 5)), (1, 1, 1, 1)),
              kwargs={"mode": "circular"}),
    ErrorCase(op="pad", desc="reflect_empty_channels", args=(T((2, 0, 4)), (1, 1)), kwargs={"mode": "reflect"}),
    ErrorCase(op="pad", desc="replicate_empty_width", args=(T((3, 0)), (1, 1)), kwargs={"mode": "replicate"}),
    ErrorCase(op="pad", desc="reflect_unbatched_empty", args=(T((0, 4)), (1, 1)), kwargs={"mode": "reflect"}),
    ErrorCase(op="pad", desc="replicate_bool", args=(T((3, 4), dtype="bool"), (1, 1)), kwargs={"mode": "replicate"}),
    ErrorCase(op="pad", desc="reflect_bool_2d", args=(T((2, 3, 4), dtype="bool"), (1, 1, 1, 1)),
              kwargs={"mode": "reflect"}),
    ErrorCase(op="pad", desc="constant_crop_past_size", args=(T((2, 3, 4)), (-1, -4))),
    ErrorCase(op="pad", desc="constant_size_overflows_int64", args=(T((2, 3, 4)), (2 ** 62, 2 ** 62))),
    ErrorCase(op="pad", desc="pad_float_element", args=(T((2, 3)), (1.5, 1))),
    ErrorCase(op="pad", desc="pad_list_float_element", args=(T((2, 3)), [1, 1.5])),
    ErrorCase(op="pad", desc="pad_int", args=(T((2, 3)), 1)),
    ErrorCase(op="pad", desc="pad_bool_element", args=(T((2, 3)), (True, 1))),
    ErrorCase(op="pad", desc="input_not_tensor", args=([1.0], (1, 1))),
    ErrorCase(op="pad", desc="mode_none", args=(T((2, 3)), (1, 1)), kwargs={"mode": None}),
    ErrorCase(op="pad", desc="value_complex", args=(T((2, 3)), (1, 1)), kwargs={"value": 1 + 2j}),
    ErrorCase(op="pad", desc="value_str", args=(T((2, 3)), (1, 1)), kwargs={"value": "a"}),
    ErrorCase(op="pad", desc="pad_overflow_int64", args=(T((2, 3)), (2 ** 63, 1))),
    ErrorCase(op="CircularPad1d", desc="module_rank", module=True, args=(1,), call_inputs=(T((2, 3, 4, 5)),)),
    ErrorCase(op="CircularPad2d", desc="module_rank", module=True, args=(1,), call_inputs=(T((4, 5)),)),
    ErrorCase(op="CircularPad3d", desc="module_rank", module=True, args=(1,), call_inputs=(T((2, 3, 4, 5, 6, 7)),)),
    ErrorCase(op="ReflectionPad2d", desc="module_pad_too_big", module=True, args=(4,),
              call_inputs=(T((1, 2, 4, 5)),)),
    ErrorCase(op="ReplicationPad3d", desc="module_rank", module=True, args=(1,), call_inputs=(T((3, 4, 5)),)),
    ErrorCase(op="ZeroPad1d", desc="module_too_long", module=True, args=(1,), call_inputs=(T(()),)),
]

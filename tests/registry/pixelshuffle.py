"""PixelShuffle / PixelUnshuffle and their F. forms."""
from tests.harness import ErrorCase, ModuleCase, OpCase, T

CASES = [
    OpCase(op="pixel_shuffle", desc="factor2", args=(T((2, 8, 3, 4)), 2)),
    OpCase(op="pixel_shuffle", desc="factor3", args=(T((1, 18, 2, 3)), 3)),
    OpCase(op="pixel_shuffle", desc="factor1", args=(T((1, 3, 2, 3)), 1)),
    OpCase(op="pixel_shuffle", desc="unbatched_3d", args=(T((8, 3, 2)), 2)),
    OpCase(op="pixel_shuffle", desc="extra_batch_dims_5d", args=(T((2, 2, 4, 2, 3)), 2)),
    OpCase(op="pixel_shuffle", desc="zero_batch", args=(T((0, 8, 3, 4)), 2),
           grad=False),  # torch 2.13 backward refuses empty tensors (its view shapes mismatch)
    OpCase(op="pixel_shuffle", desc="zero_channels", args=(T((1, 0, 3, 4)), 2),
           grad=False),  # torch 2.13 backward refuses empty tensors (its view shapes mismatch)
    OpCase(op="pixel_shuffle", desc="transposed", args=(T((1, 4, 3, 5), layout="transposed"), 2)),
    OpCase(op="pixel_shuffle", desc="negative_stride", args=(T((1, 4, 3, 5), layout="negative"), 2)),
    OpCase(op="pixel_shuffle", desc="int64", args=(T((1, 4, 2, 2), low=0, high=9, dtype="int64"), 2), grad=False),
    OpCase(op="pixel_unshuffle", desc="factor2", args=(T((2, 2, 6, 4)), 2)),
    OpCase(op="pixel_unshuffle", desc="factor3", args=(T((1, 2, 6, 9)), 3)),
    OpCase(op="pixel_unshuffle", desc="factor1", args=(T((1, 3, 2, 3)), 1)),
    OpCase(op="pixel_unshuffle", desc="unbatched_3d", args=(T((2, 4, 6)), 2)),
    OpCase(op="pixel_unshuffle", desc="extra_batch_dims_5d", args=(T((2, 1, 2, 4, 6)), 2)),
    # torch 2.13 returns an empty input unchanged (a clone of shape (0, 2, 4, 4)), and so does refnn;
    # no gradient check: torch's own backward then fails (it runs pixel_shuffle on the clone's shape)
    OpCase(op="pixel_unshuffle", desc="zero_batch", args=(T((0, 2, 4, 4)), 2), grad=False),
    OpCase(op="pixel_unshuffle", desc="zero_height", args=(T((2, 1, 0, 4)), 2), grad=False),
    OpCase(op="pixel_unshuffle", desc="strided", args=(T((1, 2, 4, 6), layout="strided"), 2)),
    OpCase(op="pixel_unshuffle", desc="roundtrip", args=(T((1, 8, 3, 4)),),
           call=lambda F, x: F.pixel_unshuffle(F.pixel_shuffle(x, 2), 2)),
    ModuleCase(module="PixelShuffle", desc="factor2", ctor_args=(2,), inputs=(T((2, 8, 3, 4)),)),
    ModuleCase(module="PixelShuffle", desc="factor3_unbatched", ctor_args=(3,), inputs=(T((9, 2, 2)),)),
    ModuleCase(module="PixelUnshuffle", desc="factor2", ctor_args=(2,), inputs=(T((2, 2, 4, 6)),)),
    ModuleCase(module="PixelUnshuffle", desc="factor3", ctor_args=(3,), inputs=(T((1, 1, 3, 6)),)),
    ErrorCase(op="pixel_shuffle", desc="input_2d", args=(T((8, 3)), 2)),
    ErrorCase(op="pixel_shuffle", desc="channels_not_divisible", args=(T((1, 6, 3, 4)), 2)),
    ErrorCase(op="pixel_shuffle", desc="factor_zero", args=(T((1, 4, 3, 4)), 0)),
    ErrorCase(op="pixel_shuffle", desc="factor_negative", args=(T((1, 4, 3, 4)), -2)),
    ErrorCase(op="pixel_shuffle", desc="factor_float", args=(T((1, 4, 3, 4)), 2.0)),
    ErrorCase(op="pixel_shuffle", desc="factor_bool", args=(T((1, 4, 3, 4)), True)),
    ErrorCase(op="pixel_unshuffle", desc="input_2d", args=(T((8, 4)), 2)),
    ErrorCase(op="pixel_unshuffle", desc="height_not_divisible", args=(T((1, 2, 3, 4)), 2)),
    ErrorCase(op="pixel_unshuffle", desc="width_not_divisible", args=(T((1, 2, 4, 3)), 2)),
    ErrorCase(op="pixel_unshuffle", desc="factor_zero", args=(T((1, 2, 4, 4)), 0)),
    ErrorCase(op="pixel_unshuffle", desc="factor_negative", args=(T((1, 2, 4, 4)), -1)),
    ErrorCase(op="pixel_unshuffle", desc="factor_float", args=(T((1, 2, 4, 4)), 2.0)),
    ErrorCase(op="PixelShuffle", desc="module_channels_not_divisible", module=True, args=(2,),
              call_inputs=(T((1, 6, 3, 4)),)),
    ErrorCase(op="PixelUnshuffle", desc="module_height_not_divisible", module=True, args=(2,),
              call_inputs=(T((1, 2, 3, 4)),)),
]

# pinned by the differential fuzzer (tests/fuzz): a factor beyond int64 fails in torch's argument parser
CASES += [
    ErrorCase(op="pixel_shuffle", desc="factor_overflow_int64", args=(T((1, 4, 2, 2)), 2 ** 63)),
    ErrorCase(op="pixel_shuffle", desc="factor_below_int64", args=(T((1, 4, 2, 2)), -(2 ** 63) - 1)),
    ErrorCase(op="pixel_unshuffle", desc="factor_overflow_int64", args=(T((1, 1, 4, 4)), 2 ** 63)),
]


# 0-d and empty inputs with gradients.  With factor 1 torch's backward works on empty inputs (the gradient is
# empty, of the input's shape).  With a larger factor torch's output still requires grad, but its backward
# refuses: pixel_shuffle's gradient is pixel_unshuffle, which returns an empty tensor unchanged (torch 2.13),
# so the engine sees the wrong shape; pixel_unshuffle's is pixel_shuffle, which refuses the channel count or
# gives the wrong shape.  refnn mirrors both (its engine checks gradient shapes as torch's does).
def _backward(op, factor):
    def call(lib, x):
        x.requires_grad_()
        getattr(lib.F, op)(x, factor).sum().backward()
    return call


def _requires_grad(op, factor):
    return lambda F, x: getattr(F, op)(x, factor).requires_grad


CASES += [
    OpCase(op="pixel_shuffle", desc="empty_channels_factor1", args=(T((1, 0, 1, 1)), 1)),
    OpCase(op="pixel_shuffle", desc="empty_batch_factor1", args=(T((0, 3, 2, 2)), 1)),
    OpCase(op="pixel_shuffle", desc="empty_height_factor1_unbatched", args=(T((3, 0, 2)), 1)),
    OpCase(op="pixel_unshuffle", desc="empty_channels_factor1", args=(T((1, 0, 1, 1)), 1)),
    OpCase(op="pixel_unshuffle", desc="empty_width_factor1", args=(T((2, 1, 2, 0)), 1)),
    ModuleCase(module="PixelShuffle", desc="empty_batch_factor1", ctor_args=(1,), inputs=(T((0, 2, 3, 3)),)),
    ModuleCase(module="PixelUnshuffle", desc="empty_channels_factor1", ctor_args=(1,), inputs=(T((2, 0, 2, 2)),)),
]
for op, shape in (("pixel_shuffle", (0, 8, 3, 4)), ("pixel_shuffle", (1, 0, 3, 4)), ("pixel_shuffle", (1, 4, 0, 4)),
                  ("pixel_unshuffle", (0, 2, 4, 4)), ("pixel_unshuffle", (1, 2, 0, 4)),
                  ("pixel_unshuffle", (1, 0, 4, 4))):
    tag = "x".join(map(str, shape))
    CASES += [
        OpCase(op=op, desc=f"empty_{tag}_factor2_requires_grad", args=(T(shape),), call=_requires_grad(op, 2)),
        ErrorCase(op=op, desc=f"empty_{tag}_factor2_backward", args=(T(shape),), call=_backward(op, 2)),
    ]
CASES += [
    ErrorCase(op="pixel_shuffle", desc="0d_input", args=(T(()), 1)),
    ErrorCase(op="pixel_unshuffle", desc="0d_input", args=(T(()), 1)),
    ErrorCase(op="PixelShuffle", desc="0d_input", module=True, args=(2,), call_inputs=(T(()),)),
]

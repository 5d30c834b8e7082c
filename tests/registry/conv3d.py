"""3-d convolution: F.conv3d, F.conv_transpose3d, Conv3d, ConvTranspose3d (issue 20)."""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T


def _with_nan(rng, shape, dtype):
    a = rng.uniform(-1, 1, size=shape).astype(dtype)
    flat = a.reshape(-1)
    flat[::7] = np.nan
    flat[3::11] = np.inf
    flat[5::13] = -np.inf
    return a


def conv3d(desc, x, w, b=None, **kw):
    args = (T(x), T(w)) + ((T(b),) if b else ())
    return OpCase(op="conv3d", desc=desc, args=args, kwargs=kw)


def convT3d(desc, x, w, b=None, **kw):
    args = (T(x), T(w)) + ((T(b),) if b else ())
    return OpCase(op="conv_transpose3d", desc=desc, args=args, kwargs=kw)


FUNCTIONAL = [
    conv3d("basic", (2, 3, 4, 5, 6), (4, 3, 3, 3, 3), (4,)),
    conv3d("no_bias", (2, 3, 4, 5, 5), (4, 3, 2, 3, 3)),
    conv3d("stride2", (2, 3, 5, 5, 6), (4, 3, 3, 3, 3), (4,), stride=2),
    conv3d("stride_tuple", (1, 2, 5, 6, 7), (3, 2, 2, 3, 2), (3,), stride=(1, 2, 3)),
    conv3d("padding_int", (2, 2, 3, 4, 4), (3, 2, 3, 3, 3), (3,), padding=1),
    conv3d("padding_tuple", (1, 2, 3, 4, 5), (3, 2, 3, 3, 3), (3,), padding=(2, 0, 1)),
    conv3d("padding_valid", (1, 2, 4, 4, 5), (3, 2, 3, 2, 3), (3,), padding="valid"),
    conv3d("same_odd", (1, 2, 4, 5, 4), (3, 2, 3, 3, 3), (3,), padding="same"),
    conv3d("same_even", (1, 2, 4, 5, 6), (3, 2, 2, 4, 3), (3,), padding="same"),
    conv3d("same_even_dilation", (1, 2, 5, 6, 5), (3, 2, 2, 2, 3), (3,), padding="same", dilation=(2, 3, 1)),
    conv3d("dilation", (1, 2, 5, 6, 7), (3, 2, 2, 3, 3), (3,), dilation=2),
    conv3d("dilation_tuple_padding", (1, 2, 5, 6, 7), (3, 2, 2, 2, 3), (3,), dilation=(3, 2, 1), padding=(1, 2, 0)),
    conv3d("stride_dilation_padding", (2, 3, 6, 7, 6), (4, 3, 3, 2, 3), (4,), stride=(2, 3, 1), padding=(1, 2, 1),
           dilation=(2, 1, 2)),
    conv3d("groups2", (2, 4, 4, 4, 4), (6, 2, 3, 3, 3), (6,), groups=2),
    conv3d("groups3_strided", (1, 6, 5, 5, 5), (9, 2, 3, 3, 3), (9,), groups=3, stride=2, padding=1),
    conv3d("depthwise", (2, 4, 4, 5, 4), (4, 1, 3, 3, 3), (4,), groups=4, padding=1),
    conv3d("depthwise_multiplier_stride2", (1, 2, 5, 6, 5), (6, 1, 3, 3, 3), (6,), groups=2, stride=2, padding=1),
    conv3d("kernel_equals_input", (2, 3, 3, 4, 3), (5, 3, 3, 4, 3), (5,)),
    conv3d("kernel_equals_padded_input", (1, 2, 2, 3, 3), (3, 2, 4, 5, 5), (3,), padding=1),
    conv3d("spatial_1x1x1", (3, 4, 1, 1, 1), (5, 4, 1, 1, 1), (5,)),
    conv3d("pointwise_stride2", (2, 8, 4, 5, 6), (7, 8, 1, 1, 1), (7,), stride=2),
    conv3d("unit_depth", (2, 3, 1, 6, 6), (4, 3, 1, 3, 3), (4,), padding=(0, 1, 1)),
    conv3d("batch1", (1, 3, 4, 4, 4), (4, 3, 3, 3, 3), (4,), padding=1),
    conv3d("batch_zero", (0, 3, 4, 4, 4), (4, 3, 3, 3, 3), (4,), padding=1),
    conv3d("unbatched", (3, 4, 5, 4), (4, 3, 3, 3, 3), (4,), padding=1),
    conv3d("many_channels", (1, 16, 4, 5, 6), (13, 16, 3, 3, 3), (13,), padding=1),
    conv3d("wide_output", (1, 3, 2, 3, 40), (7, 3, 1, 3, 3), (7,), padding=1),
    conv3d("single_out_channel", (2, 5, 4, 4, 4), (1, 5, 3, 3, 3), (1,), padding=1),
    conv3d("padding_larger_than_kernel", (1, 2, 2, 3, 2), (3, 2, 2, 2, 2), (3,), padding=3),
    OpCase(op="conv3d", desc="noncontig_input", args=(T((2, 3, 4, 6, 5), layout="transposed"),
                                                       T((4, 3, 3, 3, 3)), T((4,))), kwargs={"padding": 1}),
    OpCase(op="conv3d", desc="strided_input", args=(T((2, 3, 4, 6, 10), layout="strided"), T((4, 3, 3, 3, 3)),
                                                     T((4,))), kwargs={"stride": 2}),
    OpCase(op="conv3d", desc="negative_stride_input", args=(T((2, 3, 4, 6, 5), layout="negative"),
                                                             T((4, 3, 3, 3, 3)))),
    OpCase(op="conv3d", desc="noncontig_weight", args=(T((2, 3, 4, 4, 4)), T((4, 3, 2, 3, 2), layout="transposed"),
                                                        T((4,))), kwargs={"padding": 1}),
    OpCase(op="conv3d", desc="nan_inf_input", args=(T((1, 2, 4, 4, 4), gen=_with_nan), T((3, 2, 3, 3, 3)),
                                                     T((3,))), kwargs={"padding": 1}, grad=False),
    OpCase(op="conv3d", desc="positional_args", args=(T((1, 2, 5, 5, 5)), T((4, 1, 3, 3, 3)), T((4,)), 2, 1, 1, 2)),

    convT3d("basic", (2, 4, 3, 4, 3), (4, 3, 3, 3, 3), (3,)),
    convT3d("no_bias", (2, 4, 3, 3, 4), (4, 3, 2, 3, 3)),
    convT3d("stride2", (2, 4, 3, 3, 4), (4, 3, 3, 3, 3), (3,), stride=2),
    convT3d("stride2_k4_p1", (1, 4, 3, 3, 3), (4, 3, 4, 4, 4), (3,), stride=2, padding=1),
    convT3d("padding_tuple", (1, 2, 4, 5, 6), (2, 3, 3, 3, 4), (3,), padding=(1, 2, 1)),
    convT3d("output_padding", (2, 4, 3, 3, 3), (4, 3, 3, 3, 3), (3,), stride=2, padding=1, output_padding=1),
    convT3d("output_padding_tuple", (1, 2, 3, 4, 3), (2, 3, 3, 3, 3), (3,), stride=(2, 3, 2),
            output_padding=(1, 2, 0)),
    convT3d("output_padding_below_dilation", (1, 2, 2, 3, 2), (2, 3, 3, 3, 3), (3,), dilation=(3, 1, 1),
            output_padding=(2, 0, 0)),
    convT3d("dilation", (1, 2, 4, 4, 4), (2, 3, 3, 3, 3), (3,), dilation=(2, 1, 2), padding=1),
    convT3d("stride_dilation_padding", (1, 3, 3, 4, 3), (3, 2, 3, 2, 3), (2,), stride=(2, 3, 1), padding=(1, 0, 2),
            dilation=(2, 1, 1), output_padding=(1, 0, 0)),
    convT3d("groups2", (2, 4, 3, 3, 3), (4, 3, 3, 3, 3), (6,), groups=2),
    convT3d("depthwise", (2, 4, 3, 4, 3), (4, 1, 3, 3, 3), (4,), groups=4, stride=2),
    convT3d("batch_zero", (0, 4, 3, 3, 3), (4, 3, 3, 3, 3), (3,)),
    convT3d("unbatched", (4, 3, 3, 3), (4, 3, 3, 3, 3), (3,), stride=2),
    convT3d("spatial_1x1x1", (2, 4, 1, 1, 1), (4, 3, 2, 2, 2), (3,)),
    OpCase(op="conv_transpose3d", desc="noncontig_input", args=(T((2, 4, 3, 4, 3), layout="transposed"),
                                                                 T((4, 3, 3, 3, 3)), T((3,))), kwargs={"stride": 2}),
    OpCase(op="conv_transpose3d", desc="positional_args", args=(T((1, 4, 3, 3, 3)), T((4, 2, 3, 3, 3)), T((4,)),
                                                                 2, 1, 1, 2, 1)),
]

MODULES = [
    ModuleCase(module="Conv3d", desc="basic", ctor_args=(3, 4, 3), inputs=(T((2, 3, 4, 5, 6)),)),
    ModuleCase(module="Conv3d", desc="all_args", ctor_args=(4, 6, (3, 2, 3)),
               ctor_kwargs={"stride": (2, 1, 2), "padding": (1, 1, 0), "dilation": (1, 2, 1), "groups": 2,
                            "bias": False}, inputs=(T((2, 4, 5, 6, 7)),)),
    ModuleCase(module="Conv3d", desc="same", ctor_args=(3, 4, 2), ctor_kwargs={"padding": "same", "dilation": 2},
               inputs=(T((1, 3, 4, 5, 6)),)),
    ModuleCase(module="Conv3d", desc="valid", ctor_args=(3, 4, 3), ctor_kwargs={"padding": "valid"},
               inputs=(T((1, 3, 4, 5, 4)),)),
    ModuleCase(module="Conv3d", desc="depthwise", ctor_args=(4, 4, 3), ctor_kwargs={"groups": 4, "padding": 1},
               inputs=(T((2, 4, 3, 4, 4)),)),
    ModuleCase(module="Conv3d", desc="unbatched", ctor_args=(3, 4, 3), inputs=(T((3, 4, 5, 4)),)),
    ModuleCase(module="Conv3d", desc="batch_zero", ctor_args=(3, 4, 3), ctor_kwargs={"padding": 1},
               inputs=(T((0, 3, 4, 4, 4)),)),
    ModuleCase(module="Conv3d", desc="reflect", ctor_args=(3, 4, 3),
               ctor_kwargs={"padding": (1, 2, 1), "padding_mode": "reflect"}, inputs=(T((2, 3, 4, 5, 4)),)),
    ModuleCase(module="Conv3d", desc="replicate", ctor_args=(3, 4, 3),
               ctor_kwargs={"padding": 2, "padding_mode": "replicate"}, inputs=(T((1, 3, 3, 4, 4)),)),
    ModuleCase(module="Conv3d", desc="circular", ctor_args=(3, 4, 3),
               ctor_kwargs={"padding": (1, 1, 2), "padding_mode": "circular", "stride": 2},
               inputs=(T((2, 3, 4, 5, 4)),)),
    ModuleCase(module="Conv3d", desc="reflect_same_even", ctor_args=(2, 3, (2, 3, 4)),
               ctor_kwargs={"padding": "same", "padding_mode": "reflect"}, inputs=(T((1, 2, 4, 5, 6)),)),
    ModuleCase(module="Conv3d", desc="circular_unbatched", ctor_args=(2, 3, 3),
               ctor_kwargs={"padding": 1, "padding_mode": "circular"}, inputs=(T((2, 3, 4, 5)),)),
    ModuleCase(module="ConvTranspose3d", desc="basic", ctor_args=(4, 3, 3), inputs=(T((2, 4, 3, 4, 3)),)),
    ModuleCase(module="ConvTranspose3d", desc="all_args", ctor_args=(4, 6, (3, 2, 3)),
               ctor_kwargs={"stride": (2, 1, 2), "padding": (1, 0, 1), "output_padding": (1, 0, 0), "groups": 2,
                            "bias": False, "dilation": (1, 2, 1)}, inputs=(T((2, 4, 3, 4, 3)),)),
    ModuleCase(module="ConvTranspose3d", desc="output_size", ctor_args=(4, 3, 3), ctor_kwargs={"stride": 2},
               inputs=(T((1, 4, 3, 3, 3)),), forward_kwargs={"output_size": [8, 7, 8]}),
    ModuleCase(module="ConvTranspose3d", desc="output_size_full", ctor_args=(4, 3, 3), ctor_kwargs={"stride": 2},
               inputs=(T((1, 4, 3, 3, 3)),), forward_kwargs={"output_size": (1, 3, 7, 8, 7)}),
    ModuleCase(module="ConvTranspose3d", desc="unbatched", ctor_args=(4, 3, 3), ctor_kwargs={"stride": 2},
               inputs=(T((4, 3, 3, 2)),)),
]

_X = T((1, 2, 4, 4, 4))
_W = T((3, 2, 3, 3, 3))
ERRORS = [
    ErrorCase(op="conv3d", desc="stride_zero", args=(_X, _W), kwargs={"stride": 0}),
    ErrorCase(op="conv3d", desc="stride_two_ints", args=(_X, _W), kwargs={"stride": (1, 2)}),
    ErrorCase(op="conv3d", desc="padding_negative", args=(_X, _W), kwargs={"padding": -1}),
    ErrorCase(op="conv3d", desc="padding_bad_string", args=(_X, _W), kwargs={"padding": "full"}),
    ErrorCase(op="conv3d", desc="same_with_stride", args=(_X, _W), kwargs={"padding": "same", "stride": 2}),
    ErrorCase(op="conv3d", desc="dilation_zero", args=(_X, _W), kwargs={"dilation": 0}),
    ErrorCase(op="conv3d", desc="groups_zero", args=(_X, _W), kwargs={"groups": 0}),
    ErrorCase(op="conv3d", desc="groups_channel_mismatch", args=(T((1, 4, 4, 4, 4)), T((6, 4, 3, 3, 3))),
              kwargs={"groups": 2}),
    ErrorCase(op="conv3d", desc="weight_in_channels", args=(T((1, 4, 4, 4, 4)), _W)),
    ErrorCase(op="conv3d", desc="bias_size", args=(_X, _W, T((4,)))),
    ErrorCase(op="conv3d", desc="kernel_bigger_than_padded_input", args=(T((1, 2, 2, 4, 4)), _W)),
    ErrorCase(op="conv3d", desc="empty_spatial", args=(T((1, 2, 0, 4, 4)), _W)),
    ErrorCase(op="conv3d", desc="input_3d", args=(T((2, 4, 4)), _W)),
    ErrorCase(op="conv3d", desc="input_6d", args=(T((1, 1, 2, 4, 4, 4)), _W)),
    ErrorCase(op="conv3d", desc="weight_4d", args=(_X, T((3, 2, 3, 3)))),
    ErrorCase(op="conv3d", desc="input_not_tensor", args=([[1.0]], _W)),
    ErrorCase(op="conv3d", desc="input_0d", args=(T(()), _W)),
    ErrorCase(op="conv_transpose3d", desc="input_0d", args=(T(()), T((4, 2, 3, 3, 3)))),
    ErrorCase(op="conv3d", desc="dtype_mismatch", args=(T((1, 2, 4, 4, 4), dtype="float64"),
                                                        T((3, 2, 3, 3, 3), dtype="float32"))),
    ErrorCase(op="conv_transpose3d", desc="output_padding_ge_stride_and_dilation",
              args=(T((1, 4, 3, 3, 3)), T((4, 2, 3, 3, 3))), kwargs={"stride": 2, "output_padding": 2}),
    ErrorCase(op="conv_transpose3d", desc="padding_string", args=(T((1, 4, 3, 3, 3)), T((4, 2, 3, 3, 3))),
              kwargs={"padding": "same"}),
    ErrorCase(op="conv_transpose3d", desc="weight_in_channels", args=(T((1, 4, 3, 3, 3)), T((3, 2, 3, 3, 3)))),
    ErrorCase(op="conv_transpose3d", desc="output_too_small", args=(T((1, 4, 1, 1, 1)), T((4, 2, 1, 1, 1))),
              kwargs={"padding": 1}),
    ErrorCase(op="conv_transpose3d", desc="input_6d", args=(T((1, 1, 4, 3, 3, 3)), T((4, 2, 3, 3, 3)))),
    ErrorCase(op="Conv3d", desc="in_channels_not_divisible", module=True, args=(3, 4, 3), kwargs={"groups": 2}),
    ErrorCase(op="Conv3d", desc="same_with_stride", module=True, args=(4, 6, 3),
              kwargs={"padding": "same", "stride": 2}),
    ErrorCase(op="Conv3d", desc="bad_padding_mode", module=True, args=(4, 6, 3), kwargs={"padding_mode": "mirror"}),
    ErrorCase(op="Conv3d", desc="reflect_padding_too_big", module=True, args=(2, 3, 3),
              kwargs={"padding": 3, "padding_mode": "reflect"}, call_inputs=(T((1, 2, 3, 3, 3)),)),
    ErrorCase(op="Conv3d", desc="circular_wraps_twice", module=True, args=(2, 3, 3),
              kwargs={"padding": 4, "padding_mode": "circular"}, call_inputs=(T((1, 2, 3, 3, 3)),)),
    ErrorCase(op="Conv3d", desc="wrong_input_channels", module=True, args=(2, 3, 3),
              call_inputs=(T((1, 3, 4, 4, 4)),)),
    ErrorCase(op="ConvTranspose3d", desc="padding_mode_reflect", module=True, args=(4, 6, 3),
              kwargs={"padding_mode": "reflect"}),
    ErrorCase(op="ConvTranspose3d", desc="output_size_out_of_range", args=(T((1, 4, 3, 3, 3)),),
              call=lambda lib, x: lib.nn.ConvTranspose3d(4, 3, 3, stride=2)(x, output_size=[10, 7, 7])),
]

CASES = FUNCTIONAL + MODULES + ERRORS

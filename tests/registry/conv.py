"""Convolution family: F.conv1d/conv2d/conv_transpose1d/conv_transpose2d and the modules."""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T


def _with_nan(rng, shape, dtype):
    a = rng.uniform(-1, 1, size=shape).astype(dtype)
    flat = a.reshape(-1)
    flat[::7] = np.nan
    flat[3::11] = np.inf
    return a


def conv2d(desc, x, w, b=None, **kw):
    args = (T(x), T(w)) + ((T(b),) if b else ())
    return OpCase(op="conv2d", desc=desc, args=args, kwargs=kw)


def conv1d(desc, x, w, b=None, **kw):
    args = (T(x), T(w)) + ((T(b),) if b else ())
    return OpCase(op="conv1d", desc=desc, args=args, kwargs=kw)


def convT2d(desc, x, w, b=None, **kw):
    args = (T(x), T(w)) + ((T(b),) if b else ())
    return OpCase(op="conv_transpose2d", desc=desc, args=args, kwargs=kw)


def convT1d(desc, x, w, b=None, **kw):
    args = (T(x), T(w)) + ((T(b),) if b else ())
    return OpCase(op="conv_transpose1d", desc=desc, args=args, kwargs=kw)


CASES = [
    # ---------------------------------------------------------------- F.conv2d
    conv2d("basic", (2, 3, 6, 6), (4, 3, 3, 3), (4,)),
    conv2d("no_bias", (2, 3, 6, 5), (4, 3, 3, 3)),
    conv2d("stride2", (2, 3, 7, 7), (4, 3, 3, 3), (4,), stride=2),
    conv2d("stride_tuple", (1, 2, 7, 8), (3, 2, 3, 2), (3,), stride=(2, 3)),
    conv2d("padding_int", (2, 3, 5, 5), (4, 3, 3, 3), (4,), padding=1),
    conv2d("padding_tuple", (2, 3, 5, 6), (4, 3, 3, 3), (4,), padding=(1, 2)),
    conv2d("padding_valid", (2, 3, 5, 6), (4, 3, 3, 3), (4,), padding="valid"),
    conv2d("same_odd", (2, 3, 5, 6), (4, 3, 3, 3), (4,), padding="same"),
    conv2d("same_even", (2, 3, 5, 6), (4, 3, 2, 4), (4,), padding="same"),
    conv2d("same_even_dilation", (1, 2, 7, 6), (3, 2, 2, 4), (3,), padding="same", dilation=(3, 2)),
    conv2d("same_odd_dilation", (1, 2, 7, 8), (3, 2, 3, 3), (3,), padding="same", dilation=2),
    conv2d("same_1x1", (1, 3, 4, 4), (2, 3, 1, 1), (2,), padding="same"),
    conv2d("dilation", (2, 2, 9, 9), (3, 2, 3, 3), (3,), dilation=2),
    conv2d("dilation_tuple_padding", (1, 2, 9, 10), (3, 2, 3, 2), (3,), dilation=(2, 3), padding=(2, 1)),
    conv2d("large_dilation", (1, 2, 13, 11), (2, 2, 3, 3), (2,), dilation=5, padding=1),
    conv2d("stride_dilation_padding", (2, 3, 11, 10), (4, 3, 3, 3), (4,), stride=(2, 3), padding=(2, 1),
           dilation=(2, 1)),
    conv2d("groups2", (2, 4, 6, 6), (6, 2, 3, 3), (6,), groups=2),
    conv2d("groups3_strided", (1, 6, 7, 7), (9, 2, 3, 3), (9,), groups=3, stride=2, padding=1),
    conv2d("depthwise", (2, 4, 6, 6), (4, 1, 3, 3), (4,), groups=4, padding=1),
    conv2d("depthwise_multiplier", (2, 3, 6, 6), (6, 1, 3, 3), (6,), groups=3, padding=1),
    conv2d("depthwise_multiplier3_stride2", (1, 2, 8, 7), (6, 1, 3, 3), (6,), groups=2, stride=2,
           padding=1),
    conv2d("kernel_equals_input", (2, 3, 4, 4), (5, 3, 4, 4), (5,)),
    conv2d("kernel_equals_padded_input", (2, 3, 3, 3), (5, 3, 5, 5), (5,), padding=1),
    conv2d("output_1x1_stride", (2, 3, 5, 5), (4, 3, 3, 3), (4,), stride=3),
    conv2d("spatial_1x1", (3, 4, 1, 1), (5, 4, 1, 1), (5,)),
    conv2d("pointwise_stride2", (2, 8, 6, 6), (7, 8, 1, 1), (7,), stride=2),
    conv2d("rect_kernel", (2, 3, 6, 8), (4, 3, 2, 5), (4,), padding=(1, 2)),
    conv2d("batch1", (1, 3, 6, 6), (4, 3, 3, 3), (4,), padding=1),
    conv2d("batch_zero", (0, 3, 6, 6), (4, 3, 3, 3), (4,), padding=1),
    conv2d("unbatched", (3, 6, 6), (4, 3, 3, 3), (4,), padding=1),
    conv2d("many_channels", (2, 16, 8, 8), (13, 16, 3, 3), (13,), padding=1),
    conv2d("many_channels_stride2", (1, 12, 9, 9), (8, 12, 3, 3), (8,), stride=2, padding=1),
    conv2d("wide_output", (1, 3, 5, 40), (7, 3, 3, 3), (7,), padding=1),
    conv2d("single_out_channel", (2, 5, 6, 6), (1, 5, 3, 3), (1,), padding=1),
    conv2d("two_out_channels", (2, 5, 6, 6), (2, 5, 3, 3), (2,)),
    conv2d("padding_larger_than_kernel", (1, 2, 3, 4), (3, 2, 2, 2), (3,), padding=3),
    OpCase(op="conv2d", desc="noncontig_input", args=(T((2, 3, 6, 5), layout="transposed"), T((4, 3, 3, 3)),
                                                       T((4,))), kwargs={"padding": 1}),
    OpCase(op="conv2d", desc="strided_input", args=(T((2, 3, 6, 5), layout="strided"), T((4, 3, 3, 3)),
                                                     T((4,))), kwargs={"stride": 2}),
    OpCase(op="conv2d", desc="negative_stride_input", args=(T((2, 3, 6, 5), layout="negative"),
                                                             T((4, 3, 3, 3)))),
    OpCase(op="conv2d", desc="noncontig_weight", args=(T((2, 3, 6, 6)), T((4, 3, 3, 2), layout="transposed"),
                                                        T((4,))), kwargs={"padding": 1}),
    OpCase(op="conv2d", desc="strided_weight_bias", args=(T((2, 3, 6, 6)), T((4, 3, 3, 3), layout="strided"),
                                                           T((4,), layout="strided"))),
    OpCase(op="conv2d", desc="nan_inf_input", args=(T((1, 2, 5, 5), gen=_with_nan), T((3, 2, 3, 3)),
                                                     T((3,))), kwargs={"padding": 1}, grad=False),
    OpCase(op="conv2d", desc="positional_args", args=(T((1, 2, 6, 6)), T((4, 1, 3, 3)), T((4,)), 2, 1, 1, 2)),

    # ---------------------------------------------------------------- F.conv1d
    conv1d("basic", (2, 3, 10), (4, 3, 3), (4,)),
    conv1d("no_bias", (2, 3, 10), (4, 3, 3)),
    conv1d("stride_padding_dilation", (2, 3, 17), (4, 3, 3), (4,), stride=2, padding=2, dilation=3),
    conv1d("padding_tuple", (2, 3, 9), (4, 3, 3), (4,), padding=(1,)),
    conv1d("same_even", (2, 3, 9), (4, 3, 4), (4,), padding="same"),
    conv1d("same_even_dilation", (1, 3, 11), (2, 3, 4), (2,), padding="same", dilation=3),
    conv1d("valid", (2, 3, 9), (4, 3, 5), (4,), padding="valid"),
    conv1d("groups", (2, 6, 9), (4, 3, 3), (4,), groups=2),
    conv1d("depthwise", (2, 4, 12), (8, 1, 5), (8,), groups=4, padding=2),
    conv1d("unbatched", (3, 10), (4, 3, 3), (4,)),
    conv1d("batch_zero", (0, 3, 10), (4, 3, 3), (4,)),
    conv1d("kernel_equals_input", (2, 3, 5), (4, 3, 5), (4,)),
    conv1d("long", (2, 8, 70), (9, 8, 5), (9,), padding=2),
    OpCase(op="conv1d", desc="noncontig_input", args=(T((2, 3, 8), layout="strided"), T((4, 3, 3)), T((4,)))),

    # ---------------------------------------------------------------- F.conv_transpose2d
    convT2d("basic", (2, 4, 5, 5), (4, 3, 3, 3), (3,)),
    convT2d("no_bias", (2, 4, 5, 6), (4, 3, 3, 3)),
    convT2d("stride2", (2, 4, 4, 5), (4, 3, 3, 3), (3,), stride=2),
    convT2d("stride2_k4_p1", (2, 4, 4, 4), (4, 3, 4, 4), (3,), stride=2, padding=1),
    convT2d("padding", (2, 4, 5, 5), (4, 3, 3, 3), (3,), padding=1),
    convT2d("padding_tuple", (1, 2, 5, 6), (2, 3, 3, 4), (3,), padding=(2, 1)),
    convT2d("output_padding", (2, 4, 4, 4), (4, 3, 3, 3), (3,), stride=2, padding=1, output_padding=1),
    convT2d("output_padding_tuple", (1, 2, 4, 3), (2, 3, 3, 3), (3,), stride=(3, 2), output_padding=(2, 1)),
    convT2d("output_padding_below_dilation", (1, 2, 4, 4), (2, 3, 3, 3), (3,), dilation=3, output_padding=2),
    convT2d("dilation", (2, 2, 5, 5), (2, 3, 3, 3), (3,), dilation=2, padding=1),
    convT2d("stride_dilation_padding", (1, 3, 4, 5), (3, 2, 3, 2), (2,), stride=(2, 3), padding=(1, 2),
            dilation=(2, 1), output_padding=(1, 0)),
    convT2d("groups2", (2, 4, 4, 4), (4, 3, 3, 3), (6,), groups=2),
    convT2d("depthwise", (2, 4, 5, 5), (4, 1, 3, 3), (4,), groups=4, stride=2),
    convT2d("depthwise_multiplier", (1, 3, 4, 4), (3, 2, 3, 3), (6,), groups=3, padding=1),
    convT2d("input_1x1", (2, 4, 1, 1), (4, 3, 3, 3), (3,)),
    convT2d("padding_crops_to_1x1", (2, 3, 2, 2), (3, 2, 2, 2), (2,), padding=1),
    convT2d("many_channels", (2, 14, 6, 6), (14, 9, 3, 3), (9,), stride=2, padding=1, output_padding=1),
    convT2d("batch1", (1, 4, 5, 5), (4, 3, 3, 3), (3,)),
    convT2d("batch_zero", (0, 4, 5, 5), (4, 3, 3, 3), (3,)),
    convT2d("unbatched", (4, 5, 5), (4, 3, 3, 3), (3,), stride=2),
    OpCase(op="conv_transpose2d", desc="noncontig_input",
           args=(T((2, 4, 5, 4), layout="transposed"), T((4, 3, 3, 3)), T((3,))), kwargs={"stride": 2}),
    OpCase(op="conv_transpose2d", desc="noncontig_weight",
           args=(T((2, 4, 5, 4)), T((4, 3, 2, 3), layout="transposed"), T((3,)))),
    OpCase(op="conv_transpose2d", desc="positional_args",
           args=(T((1, 4, 3, 3)), T((4, 2, 3, 3)), T((4,)), 2, 1, 1, 2, 1)),

    # ---------------------------------------------------------------- F.conv_transpose1d
    convT1d("basic", (2, 4, 6), (4, 3, 3), (3,)),
    convT1d("no_bias", (2, 4, 6), (4, 3, 3)),
    convT1d("stride_padding_output_padding", (2, 4, 6), (4, 3, 4), (3,), stride=3, padding=1, output_padding=2),
    convT1d("dilation_groups", (2, 4, 6), (4, 2, 3), (4,), dilation=2, groups=2),
    convT1d("unbatched", (4, 6), (4, 3, 3), (3,), stride=2),
    convT1d("batch_zero", (0, 4, 6), (4, 3, 3), (3,)),

    # ---------------------------------------------------------------- modules
    ModuleCase(module="Conv2d", desc="basic", ctor_args=(3, 4, 3), inputs=(T((2, 3, 6, 6)),)),
    ModuleCase(module="Conv2d", desc="all_args", ctor_args=(4, 6, (3, 2)),
               ctor_kwargs={"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2), "groups": 2, "bias": False},
               inputs=(T((2, 4, 7, 7)),)),
    ModuleCase(module="Conv2d", desc="same", ctor_args=(3, 4, 4), ctor_kwargs={"padding": "same", "dilation": 2},
               inputs=(T((1, 3, 7, 6)),)),
    ModuleCase(module="Conv2d", desc="valid", ctor_args=(3, 4, 3), ctor_kwargs={"padding": "valid"},
               inputs=(T((1, 3, 5, 6)),)),
    ModuleCase(module="Conv2d", desc="groups_weight_shape", ctor_args=(4, 8, 3), ctor_kwargs={"groups": 2},
               inputs=(T((2, 4, 5, 5)),)),
    ModuleCase(module="Conv2d", desc="depthwise", ctor_args=(4, 4, 3), ctor_kwargs={"groups": 4, "padding": 1},
               inputs=(T((2, 4, 5, 5)),)),
    ModuleCase(module="Conv2d", desc="depthwise_multiplier", ctor_args=(3, 6, 3),
               ctor_kwargs={"groups": 3, "padding": 1}, inputs=(T((2, 3, 5, 5)),)),
    ModuleCase(module="Conv2d", desc="unbatched", ctor_args=(3, 4, 3), inputs=(T((3, 6, 6)),)),
    ModuleCase(module="Conv2d", desc="batch_zero", ctor_args=(3, 4, 3), ctor_kwargs={"padding": 1},
               inputs=(T((0, 3, 6, 6)),)),
    ModuleCase(module="Conv2d", desc="reflect", ctor_args=(3, 4, 3),
               ctor_kwargs={"padding": (1, 2), "padding_mode": "reflect"}, inputs=(T((2, 3, 5, 6)),)),
    ModuleCase(module="Conv2d", desc="replicate", ctor_args=(3, 4, 3),
               ctor_kwargs={"padding": 2, "padding_mode": "replicate", "stride": 2}, inputs=(T((2, 3, 5, 6)),)),
    ModuleCase(module="Conv2d", desc="replicate_beyond_input", ctor_args=(2, 3, 3),
               ctor_kwargs={"padding": 4, "padding_mode": "replicate"}, inputs=(T((1, 2, 3, 3)),)),
    ModuleCase(module="Conv2d", desc="circular", ctor_args=(3, 4, 3),
               ctor_kwargs={"padding": (2, 1), "padding_mode": "circular"}, inputs=(T((2, 3, 5, 6)),)),
    ModuleCase(module="Conv2d", desc="circular_full_wrap", ctor_args=(2, 3, 3),
               ctor_kwargs={"padding": 3, "padding_mode": "circular"}, inputs=(T((1, 2, 3, 3)),)),
    ModuleCase(module="Conv2d", desc="reflect_same_even", ctor_args=(3, 4, (2, 4)),
               ctor_kwargs={"padding": "same", "padding_mode": "reflect"}, inputs=(T((2, 3, 5, 6)),)),
    ModuleCase(module="Conv2d", desc="circular_same_dilation", ctor_args=(2, 3, 3),
               ctor_kwargs={"padding": "same", "dilation": 2, "padding_mode": "circular"},
               inputs=(T((1, 2, 6, 5)),)),
    ModuleCase(module="Conv2d", desc="reflect_unbatched", ctor_args=(3, 4, 3),
               ctor_kwargs={"padding": 1, "padding_mode": "reflect"}, inputs=(T((3, 5, 5)),)),
    ModuleCase(module="Conv1d", desc="basic", ctor_args=(3, 4, 3), inputs=(T((2, 3, 10)),)),
    ModuleCase(module="Conv1d", desc="all_args", ctor_args=(4, 6, 3),
               ctor_kwargs={"stride": 2, "padding": 2, "dilation": 2, "groups": 2, "bias": False},
               inputs=(T((2, 4, 11)),)),
    ModuleCase(module="Conv1d", desc="same_even", ctor_args=(3, 4, 4), ctor_kwargs={"padding": "same"},
               inputs=(T((2, 3, 9)),)),
    ModuleCase(module="Conv1d", desc="reflect", ctor_args=(3, 4, 3),
               ctor_kwargs={"padding": 2, "padding_mode": "reflect"}, inputs=(T((2, 3, 8)),)),
    ModuleCase(module="Conv1d", desc="replicate", ctor_args=(3, 4, 3),
               ctor_kwargs={"padding": 3, "padding_mode": "replicate"}, inputs=(T((2, 3, 8)),)),
    ModuleCase(module="Conv1d", desc="circular", ctor_args=(3, 4, 3),
               ctor_kwargs={"padding": 2, "padding_mode": "circular"}, inputs=(T((2, 3, 8)),)),
    ModuleCase(module="Conv1d", desc="unbatched_circular", ctor_args=(3, 4, 3),
               ctor_kwargs={"padding": 1, "padding_mode": "circular"}, inputs=(T((3, 8)),)),
    ModuleCase(module="ConvTranspose2d", desc="basic", ctor_args=(4, 3, 3), inputs=(T((2, 4, 5, 5)),)),
    ModuleCase(module="ConvTranspose2d", desc="all_args", ctor_args=(4, 6, (3, 2)),
               ctor_kwargs={"stride": (2, 3), "padding": (1, 0), "output_padding": (1, 2), "groups": 2,
                            "bias": False, "dilation": (1, 2)},
               inputs=(T((2, 4, 4, 4)),)),
    ModuleCase(module="ConvTranspose2d", desc="output_size", ctor_args=(4, 3, 3),
               ctor_kwargs={"stride": 2, "padding": 1}, inputs=(T((2, 4, 4, 4)),),
               forward_kwargs={"output_size": [8, 8]}),
    ModuleCase(module="ConvTranspose2d", desc="output_size_full", ctor_args=(4, 3, 3),
               ctor_kwargs={"stride": 3, "padding": 1}, inputs=(T((2, 4, 3, 3)),),
               forward_kwargs={"output_size": [2, 3, 9, 8]}),
    ModuleCase(module="ConvTranspose2d", desc="depthwise", ctor_args=(4, 4, 4),
               ctor_kwargs={"stride": 2, "padding": 1, "groups": 4}, inputs=(T((2, 4, 4, 4)),)),
    ModuleCase(module="ConvTranspose2d", desc="unbatched", ctor_args=(4, 3, 3), ctor_kwargs={"stride": 2},
               inputs=(T((4, 3, 3)),)),
    ModuleCase(module="ConvTranspose2d", desc="unbatched_output_size", ctor_args=(4, 3, 3),
               ctor_kwargs={"stride": 2}, inputs=(T((4, 3, 3)),), forward_kwargs={"output_size": [8, 8]}),
    ModuleCase(module="ConvTranspose1d", desc="basic", ctor_args=(4, 3, 3), inputs=(T((2, 4, 6)),)),
    ModuleCase(module="ConvTranspose1d", desc="all_args", ctor_args=(4, 6, 3),
               ctor_kwargs={"stride": 2, "padding": 1, "output_padding": 1, "groups": 2, "bias": False,
                            "dilation": 2},
               inputs=(T((2, 4, 5)),)),
    ModuleCase(module="ConvTranspose1d", desc="output_size", ctor_args=(4, 3, 3), ctor_kwargs={"stride": 2},
               inputs=(T((2, 4, 5)),), forward_kwargs={"output_size": [12]}),
    ModuleCase(module=lambda nn, F: nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(),
                                                  nn.Conv2d(6, 4, 3, stride=2), nn.ReLU(),
                                                  nn.ConvTranspose2d(4, 2, 4, stride=2)),
               name="conv_stack", desc="conv_relu_convT", inputs=(T((2, 3, 8, 8)),)),

    # ---------------------------------------------------------------- errors (same exception class)
    ErrorCase(op="conv2d", desc="stride_zero", args=(T((1, 2, 5, 5)), T((3, 2, 3, 3))), kwargs={"stride": 0}),
    ErrorCase(op="conv2d", desc="stride_negative", args=(T((1, 2, 5, 5)), T((3, 2, 3, 3))), kwargs={"stride": -1}),
    ErrorCase(op="conv2d", desc="stride_float", args=(T((1, 2, 5, 5)), T((3, 2, 3, 3))), kwargs={"stride": 1.5}),
    ErrorCase(op="conv2d", desc="stride_three", args=(T((1, 2, 5, 5)), T((3, 2, 3, 3))),
              kwargs={"stride": (1, 1, 1)}),
    ErrorCase(op="conv2d", desc="padding_negative", args=(T((1, 2, 5, 5)), T((3, 2, 3, 3))),
              kwargs={"padding": -1}),
    ErrorCase(op="conv2d", desc="padding_three", args=(T((1, 2, 5, 5)), T((3, 2, 3, 3))),
              kwargs={"padding": (1, 2, 3)}),
    ErrorCase(op="conv2d", desc="padding_bad_string", args=(T((1, 2, 5, 5)), T((3, 2, 3, 3))),
              kwargs={"padding": "full"}),
    ErrorCase(op="conv2d", desc="same_with_stride", args=(T((1, 2, 5, 5)), T((3, 2, 3, 3))),
              kwargs={"padding": "same", "stride": 2}),
    ErrorCase(op="conv1d", desc="same_with_stride", args=(T((1, 2, 5)), T((3, 2, 3))),
              kwargs={"padding": "same", "stride": 2}),
    ErrorCase(op="conv2d", desc="dilation_zero", args=(T((1, 2, 5, 5)), T((3, 2, 3, 3))), kwargs={"dilation": 0}),
    ErrorCase(op="conv2d", desc="groups_zero", args=(T((1, 2, 5, 5)), T((3, 2, 3, 3))), kwargs={"groups": 0}),
    ErrorCase(op="conv2d", desc="groups_not_dividing_out", args=(T((1, 4, 5, 5)), T((6, 1, 3, 3))),
              kwargs={"groups": 4}),
    ErrorCase(op="conv2d", desc="groups_channel_mismatch", args=(T((1, 4, 5, 5)), T((6, 4, 3, 3))),
              kwargs={"groups": 3}),
    ErrorCase(op="conv2d", desc="weight_in_channels", args=(T((1, 4, 5, 5)), T((6, 3, 3, 3)))),
    ErrorCase(op="conv2d", desc="zero_out_channels", args=(T((1, 4, 5, 5)), T((0, 4, 3, 3)))),
    ErrorCase(op="conv2d", desc="bias_size", args=(T((1, 2, 5, 5)), T((3, 2, 3, 3)), T((4,)))),
    ErrorCase(op="conv2d", desc="kernel_bigger_than_padded_input", args=(T((1, 2, 4, 4)), T((3, 2, 5, 5)))),
    ErrorCase(op="conv2d", desc="dilated_kernel_too_big", args=(T((1, 2, 5, 5)), T((3, 2, 3, 3))),
              kwargs={"dilation": 3}),
    ErrorCase(op="conv2d", desc="empty_spatial", args=(T((1, 2, 0, 5)), T((3, 2, 3, 3)))),
    ErrorCase(op="conv2d", desc="input_2d", args=(T((5, 5)), T((3, 2, 3, 3)))),
    ErrorCase(op="conv2d", desc="input_5d", args=(T((1, 1, 2, 5, 5)), T((3, 2, 3, 3)))),
    ErrorCase(op="conv2d", desc="weight_3d", args=(T((1, 2, 5, 5)), T((3, 2, 3)))),
    ErrorCase(op="conv2d", desc="input_not_tensor", args=([[1.0]], T((3, 2, 3, 3)))),
    ErrorCase(op="conv2d", desc="dtype_mismatch", args=(T((1, 2, 5, 5), dtype="float64"),
                                                        T((3, 2, 3, 3), dtype="float32"))),
    ErrorCase(op="conv1d", desc="input_4d", args=(T((1, 2, 5, 5)), T((3, 2, 3)))),
    ErrorCase(op="conv1d", desc="kernel_too_big", args=(T((1, 2, 4)), T((3, 2, 5)))),
    ErrorCase(op="conv_transpose2d", desc="output_padding_ge_stride_and_dilation",
              args=(T((1, 4, 3, 3)), T((4, 2, 3, 3))), kwargs={"stride": 2, "output_padding": 2}),
    ErrorCase(op="conv_transpose2d", desc="output_padding_negative",
              args=(T((1, 4, 3, 3)), T((4, 2, 3, 3))), kwargs={"output_padding": -1}),
    ErrorCase(op="conv_transpose2d", desc="padding_string", args=(T((1, 4, 3, 3)), T((4, 2, 3, 3))),
              kwargs={"padding": "same"}),
    ErrorCase(op="conv_transpose2d", desc="padding_negative", args=(T((1, 4, 3, 3)), T((4, 2, 3, 3))),
              kwargs={"padding": -1}),
    ErrorCase(op="conv_transpose2d", desc="stride_zero", args=(T((1, 4, 3, 3)), T((4, 2, 3, 3))),
              kwargs={"stride": 0}),
    ErrorCase(op="conv_transpose2d", desc="groups_not_dividing", args=(T((1, 4, 3, 3)), T((4, 2, 3, 3))),
              kwargs={"groups": 3}),
    ErrorCase(op="conv_transpose2d", desc="weight_in_channels", args=(T((1, 4, 3, 3)), T((3, 2, 3, 3)))),
    ErrorCase(op="conv_transpose2d", desc="bias_size", args=(T((1, 4, 3, 3)), T((4, 2, 3, 3)), T((4,)))),
    ErrorCase(op="conv_transpose2d", desc="output_too_small", args=(T((1, 4, 1, 1)), T((4, 2, 1, 1))),
              kwargs={"padding": 1}),
    ErrorCase(op="conv_transpose2d", desc="input_5d", args=(T((1, 1, 4, 3, 3)), T((4, 2, 3, 3)))),
    ErrorCase(op="conv_transpose1d", desc="output_padding_ge_stride", args=(T((1, 4, 3)), T((4, 2, 3))),
              kwargs={"stride": 2, "output_padding": 3}),
    ErrorCase(op="Conv2d", desc="groups_zero", module=True, args=(4, 4, 3), kwargs={"groups": 0}),
    ErrorCase(op="Conv2d", desc="in_channels_not_divisible", module=True, args=(3, 4, 3), kwargs={"groups": 2}),
    ErrorCase(op="Conv2d", desc="out_channels_not_divisible", module=True, args=(4, 6, 3), kwargs={"groups": 4}),
    ErrorCase(op="Conv2d", desc="bad_padding_string", module=True, args=(4, 6, 3), kwargs={"padding": "full"}),
    ErrorCase(op="Conv2d", desc="same_with_stride", module=True, args=(4, 6, 3),
              kwargs={"padding": "same", "stride": 2}),
    ErrorCase(op="Conv1d", desc="same_with_stride", module=True, args=(4, 6, 3),
              kwargs={"padding": "same", "stride": (2,)}),
    ErrorCase(op="Conv2d", desc="bad_padding_mode", module=True, args=(4, 6, 3), kwargs={"padding_mode": "mirror"}),
    ErrorCase(op="Conv2d", desc="reflect_padding_too_big", module=True, args=(2, 3, 3),
              kwargs={"padding": 4, "padding_mode": "reflect"}, call_inputs=(T((1, 2, 4, 4)),)),
    ErrorCase(op="Conv2d", desc="circular_wraps_twice", module=True, args=(2, 3, 3),
              kwargs={"padding": 5, "padding_mode": "circular"}, call_inputs=(T((1, 2, 4, 4)),)),
    ErrorCase(op="Conv1d", desc="reflect_padding_equal_input", module=True, args=(2, 3, 3),
              kwargs={"padding": 4, "padding_mode": "reflect"}, call_inputs=(T((1, 2, 4)),)),
    ErrorCase(op="Conv2d", desc="wrong_input_channels", module=True, args=(2, 3, 3),
              call_inputs=(T((1, 3, 5, 5)),)),
    ErrorCase(op="ConvTranspose2d", desc="padding_mode_reflect", module=True, args=(4, 6, 3),
              kwargs={"padding_mode": "reflect"}),
    ErrorCase(op="ConvTranspose2d", desc="output_size_out_of_range",
              args=(T((1, 2, 5, 5)),),
              call=lambda lib, x: lib.nn.ConvTranspose2d(2, 3, 3, stride=2)(x, output_size=[14, 14])),
    ErrorCase(op="ConvTranspose2d", desc="output_size_wrong_length",
              args=(T((1, 2, 5, 5)),),
              call=lambda lib, x: lib.nn.ConvTranspose2d(2, 3, 3, stride=2)(x, output_size=[1, 11, 11])),
    ErrorCase(op="ConvTranspose1d", desc="output_size_out_of_range",
              args=(T((1, 2, 5)),),
              call=lambda lib, x: lib.nn.ConvTranspose1d(2, 3, 3, stride=2)(x, output_size=[20])),
]


def _nan_first(rng, shape, dtype):
    w = rng.uniform(-1, 1, size=shape).astype(dtype)
    w.reshape(-1)[0] = np.nan
    return w


# A NaN weight whose taps fall on zero padding (found by the fuzzer): IEEE gives NaN * 0 = NaN, and torch's
# float64 path (and its float32 path with oneDNN off) agrees with refnn; torch's default float32 path
# runs oneDNN, which skips the padding taps and returns finite values on the border.
CASES += [
    OpCase(op="conv2d", desc="nan_weight_on_padding", args=(T((2, 1, 3, 3)), T((1, 1, 2, 2), gen=_nan_first)),
           kwargs={"padding": 1}, dtypes=("float64",), grad=False),
    OpCase(op="conv2d", desc="nan_weight_on_padding_onednn", args=(T((2, 1, 3, 3)), T((1, 1, 2, 2), gen=_nan_first)),
           kwargs={"padding": 1}, dtypes=("float32",), grad=False,
           xfail="torch's float32 convolution runs oneDNN, which skips the taps on zero padding, so a NaN weight "
                 "there leaves the border finite; refnn multiplies the padding zeros (NaN * 0 = NaN) as torch's "
                 "float64 path does"),
]

# found by the fuzzer: with an empty batch torch only builds the empty output of a transposed convolution,
# so an output size of 0 passes (a negative one still fails)
CASES += [
    OpCase(op="conv_transpose1d", desc="empty_batch_zero_output_size", args=(T((0, 1, 2)), T((1, 1, 2))),
           kwargs={"dilation": 2, "padding": 2}, grad=False),
    ErrorCase(op="conv_transpose1d", desc="empty_batch_negative_output_size", args=(T((0, 1, 2)), T((1, 1, 2))),
              kwargs={"padding": 3}),
]

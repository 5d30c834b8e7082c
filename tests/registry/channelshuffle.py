"""ChannelShuffle, F.channel_shuffle and F.native_channel_shuffle (issue 20)."""
from tests.harness import ErrorCase, ModuleCase, OpCase, T


def _zero_channels_backward(lib, x):
    x.requires_grad_()
    lib.F.channel_shuffle(x, 2).sum().backward()


def _native_backward(lib, x):
    x.requires_grad_()
    lib.F.native_channel_shuffle(x, 2).sum().backward()


CASES = [
    OpCase(op="channel_shuffle", desc="groups2_4d", args=(T((2, 6, 3, 4)), 2)),
    OpCase(op="channel_shuffle", desc="groups3_3d", args=(T((2, 6, 5)), 3)),
    OpCase(op="channel_shuffle", desc="groups_all_channels", args=(T((1, 6, 2, 2)), 6)),
    OpCase(op="channel_shuffle", desc="groups1", args=(T((2, 4, 3)), 1)),
    OpCase(op="channel_shuffle", desc="5d", args=(T((2, 6, 1, 2, 3)), 3)),
    OpCase(op="channel_shuffle", desc="zero_batch", args=(T((0, 6, 3, 4)), 2)),
    # torch's backward runs channel_shuffle with C / G = 0 groups and refuses; refnn mirrors it (error case below)
    OpCase(op="channel_shuffle", desc="zero_channels", args=(T((2, 0, 3, 4)), 2), grad=False),
    OpCase(op="channel_shuffle", desc="zero_height", args=(T((2, 6, 0, 4)), 2)),
    OpCase(op="channel_shuffle", desc="transposed", args=(T((2, 6, 4, 3), layout="transposed"), 3)),
    OpCase(op="channel_shuffle", desc="negative_stride", args=(T((2, 6, 3, 4), layout="negative"), 2)),
    OpCase(op="channel_shuffle", desc="int64", args=(T((2, 6, 3), dtype="int64", low=-9, high=9), 2), grad=False),
    OpCase(op="channel_shuffle", desc="bool", args=(T((2, 6, 3), dtype="bool"), 3), grad=False),
    OpCase(op="native_channel_shuffle", desc="groups2", args=(T((2, 6, 3, 4)), 2), grad=False),
    OpCase(op="native_channel_shuffle", desc="groups3_3d", args=(T((2, 6, 5)), 3), grad=False),
    OpCase(op="native_channel_shuffle", desc="requires_grad", args=(T((2, 6, 3)),),
           call=lambda F, x: F.native_channel_shuffle(x, 2).requires_grad),
    ModuleCase(module="ChannelShuffle", desc="groups2", ctor_args=(2,), inputs=(T((2, 6, 3, 4)),)),
    ModuleCase(module="ChannelShuffle", desc="groups3_3d", ctor_args=(3,), inputs=(T((1, 9, 4)),)),
    ErrorCase(op="channel_shuffle", desc="input_2d", args=(T((2, 6)), 3)),
    ErrorCase(op="channel_shuffle", desc="input_2d_groups_zero", args=(T((2, 6)), 0)),
    ErrorCase(op="channel_shuffle", desc="not_divisible", args=(T((2, 6, 3, 4)), 4)),
    ErrorCase(op="channel_shuffle", desc="groups_zero", args=(T((2, 6, 3, 4)), 0)),
    ErrorCase(op="channel_shuffle", desc="groups_negative", args=(T((2, 6, 3, 4)), -2)),
    ErrorCase(op="channel_shuffle", desc="groups_float", args=(T((2, 6, 3, 4)), 2.0)),
    ErrorCase(op="channel_shuffle", desc="groups_bool", args=(T((2, 6, 3, 4)), True)),
    ErrorCase(op="channel_shuffle", desc="groups_overflow", args=(T((2, 6, 3, 4)), 2 ** 63)),
    ErrorCase(op="native_channel_shuffle", desc="input_2d", args=(T((2, 6)), 3)),
    ErrorCase(op="native_channel_shuffle", desc="not_divisible", args=(T((2, 6, 3, 4)), 4)),
    ErrorCase(op="channel_shuffle", desc="zero_channels_backward", args=(T((2, 0, 3)),), call=_zero_channels_backward),
    ErrorCase(op="native_channel_shuffle", desc="backward", args=(T((2, 6, 3)),), call=_native_backward),
    ErrorCase(op="ChannelShuffle", desc="module_not_divisible", module=True, args=(4,),
              call_inputs=(T((2, 6, 3, 4)),)),
]

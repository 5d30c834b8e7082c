"""F.conv_tbc: 1-d convolution over (time, batch, channels), against torch's."""
from tests.harness import ErrorCase, OpCase, T


def _case(desc, time=6, batch=2, cin=3, kernel=3, cout=4, pad=0, **spec):
    return OpCase(op="conv_tbc", desc=desc,
                  args=(T((time, batch, cin), **spec), T((kernel, cin, cout)), T((cout,))), kwargs={"pad": pad})


CASES = [
    _case("basic"),
    _case("pad1", pad=1),
    _case("pad2_kernel1", kernel=1, pad=2),
    _case("negative_pad_crops", time=8, pad=-2),
    _case("output_length_1", time=3, kernel=3),
    _case("kernel_longer_than_input_padded", time=2, kernel=4, pad=1),
    _case("empty_batch", batch=0),
    _case("one_channel_wide_kernel", cin=1, cout=1, kernel=5, time=9, pad=2),
    _case("noncontig_input", layout="strided"),
    _case("nan_inf_input", gen=lambda rng, shape, dt: rng.choice([0.5, -1.0, float("nan"), float("inf")], shape)),
    ErrorCase(op="conv_tbc", desc="input_2d", args=(T((6, 3)), T((3, 3, 4)), T((4,)))),
    ErrorCase(op="conv_tbc", desc="weight_2d", args=(T((6, 2, 3)), T((3, 4)), T((4,)))),
    ErrorCase(op="conv_tbc", desc="bias_2d", args=(T((6, 2, 3)), T((3, 3, 4)), T((4, 1)))),
    ErrorCase(op="conv_tbc", desc="channels_mismatch", args=(T((6, 2, 3)), T((3, 2, 4)), T((4,)))),
    ErrorCase(op="conv_tbc", desc="bias_size", args=(T((6, 2, 3)), T((3, 3, 4)), T((5,)))),
    ErrorCase(op="conv_tbc", desc="negative_output", args=(T((2, 2, 3)), T((5, 3, 4)), T((4,)))),
    ErrorCase(op="conv_tbc", desc="pad_float", args=(T((6, 2, 3)), T((3, 3, 4)), T((4,))), kwargs={"pad": 1.5}),
    ErrorCase(op="conv_tbc", desc="mixed_dtypes", args=(T((6, 2, 3), dtype="float64"), T((3, 3, 4), dtype="float32"),
                                                        T((4,), dtype="float32")), dtypes=("float32",)),
]

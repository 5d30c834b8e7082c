"""Why refnn's ONNX backend does not pass some of onnx's node tests (read by the tests and the report)."""
import re

# test-name pattern -> why refnn does not pass it (each an ONNX feature torch 2.13 has no counterpart for,
# or a dtype refnn does not compute in)
NODE_TEST_REASONS = {
    r"test_(averagepool|maxpool|convtranspose)_3d.*": "3-d pooling and convolution are not supported (README)",
    r"test_(averagepool|maxpool)_2d(_precomputed)?_same_(upper|lower)|test_conv_with_autopad_same|"
    r"test_convtranspose_autopad_same":
        "auto_pad SAME_UPPER/SAME_LOWER pads one side more when the total is odd; torch pads both sides equally",
    r"test_(averagepool|maxpool)_2d_pads(_count_include_pad)?":
        "padding larger than half the kernel: torch refuses it ('pad should be at most half of kernel size')",
    r"test_averagepool_2d_dilations": "dilated average pooling: torch's avg_pool2d has no dilation",
    r"test_maxpool_2d_uint8": "integer pooling: refnn computes in float32 and float64 only",
    r"test_maxpool_with_argmax_2d_precomputed_strides": "storage_order=1 (column-major indices) has no torch counterpart",
    r"test_batchnorm_(example|epsilon)_training_mode":
        "training_mode=1 outputs updated running statistics; torch's exporter writes eval-mode BatchNormalization",
    r"test_cast(like)?_.*(BFLOAT16|FLOAT8|FLOAT4|INT4|UINT4|INT2|UINT2|E8M0).*":
        "bfloat16, float8, float4 and 4/2-bit integer types have no NumPy dtype refnn computes in",
    r"test_celu_(float16|bfloat16)": "refnn computes activations in float32 and float64 only",
    r"test_convtranspose_(output_shape|kernel_shape)":
        "output_shape: torch's conv_transpose takes output_padding (the module's output_size is not an ONNX input)",
    r"test_training_dropout.*": "Dropout with training_mode=True draws from ONNX's random stream, which refnn cannot reproduce",
    r"test_resize_.*(antialias|exclude_outside|tf_crop_and_resize|half_pixel_symmetric|cubic_asymmetric).*":
        "linear and cubic Resize options with no torch interpolate counterpart (antialias with cubic, exclude_outside, "
        "crops, half_pixel_symmetric, asymmetric cubic); refnn runs them for nearest only",
    r"test_resize_downsample_scales_(linear|cubic)_align_corners":
        "ONNX's align_corners divides by the unrounded output length (length * scale); torch by the integer one",
    r"test_lstm_with_peepholes": "peepholes (P) and sequence_lens: torch's LSTM has neither",
    r"test_resize_downsample_sizes_linear_pytorch_half_pixel":
        "pytorch_half_pixel maps a length-1 output to coordinate 0; torch's bilinear maps it to the input's centre",
}


def reason_for(test_name):
    """The recorded reason a node test fails, or None."""
    for pattern, reason in NODE_TEST_REASONS.items():
        if re.fullmatch(pattern, test_name):
            return reason
    return None

"""Linear: F.linear and nn.Linear."""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T

CASES = [
    OpCase(op="linear", desc="2d", args=(T((4, 5)), T((3, 5)), T((3,)))),
    OpCase(op="linear", desc="no_bias", args=(T((4, 5)), T((3, 5)))),
    OpCase(op="linear", desc="3d_input", args=(T((2, 4, 5)), T((3, 5)), T((3,)))),
    OpCase(op="linear", desc="1d_input", args=(T((5,)), T((3, 5)), T((3,)))),
    OpCase(op="linear", desc="batch_zero", args=(T((0, 5)), T((3, 5)), T((3,)))),
    OpCase(op="linear", desc="noncontig_input", args=(T((6, 5), layout="transposed"), T((3, 5)), T((3,)))),
    OpCase(op="linear", desc="transposed_weight", args=(T((4, 5)), T((3, 5), layout="transposed"))),
    OpCase(op="linear", desc="wide", args=(T((3, 300)), T((7, 300)), T((7,)))),
    ModuleCase(module="Linear", desc="basic", ctor_args=(5, 3), inputs=(T((4, 5)),)),
    ModuleCase(module="Linear", desc="no_bias", ctor_args=(5, 3), ctor_kwargs={"bias": False}, inputs=(T((4, 5)),)),
    ModuleCase(module="Linear", desc="unbatched", ctor_args=(5, 2), inputs=(T((5,)),)),
    ModuleCase(module="Linear", desc="4d", ctor_args=(6, 2), inputs=(T((2, 3, 1, 6)),)),
    OpCase(op="linear", desc="zero_in_features", args=(T((4, 0)), T((3, 0)), T((3,)))),
    OpCase(op="linear", desc="zero_out_features", args=(T((4, 5)), T((0, 5)), T((0,)))),
    OpCase(op="linear", desc="bias_0d", args=(T((2, 3, 4)), T((5, 4)), T(()))),
    OpCase(op="linear", desc="bias_broadcast_1", args=(T((2, 4)), T((5, 4)), T((1,)))),
    OpCase(op="linear", desc="weight_1d", args=(T((2, 3, 4)), T((4,)))),
    OpCase(op="linear", desc="weight_1d_bias_0d", args=(T((2, 3, 4)), T((4,)), T(()))),
    OpCase(op="linear", desc="vector_vector", args=(T((4,)), T((4,)))),
    OpCase(op="linear", desc="negative_strides", args=(T((3, 6), layout="negative"), T((2, 6), layout="negative"),
                                                       T((2,), layout="negative"))),
    OpCase(op="linear", desc="nan_inf", args=(T((3, 4), gen=lambda rng, shape, dt: np.where(
        rng.random(shape) < 0.2, np.nan, np.where(rng.random(shape) < 0.2, np.inf, rng.standard_normal(shape)))),
        T((2, 4))), grad=False),
    ModuleCase(module="Linear", desc="zero_batch", ctor_args=(5, 3), inputs=(T((0, 5)),)),
    ErrorCase(op="linear", desc="shape_mismatch", args=(T((4, 5)), T((3, 6)))),
    ErrorCase(op="linear", desc="weight_3d", args=(T((4, 5)), T((3, 5, 1)))),
    ErrorCase(op="linear", desc="bias_wrong_size", args=(T((4, 5)), T((3, 5)), T((2,)))),
    ErrorCase(op="linear", desc="weight_1d_with_bias_2d_input", args=(T((2, 4)), T((4,)), T(()))),
    ErrorCase(op="linear", desc="input_0d", args=(T(()), T((3, 1)))),
    ErrorCase(op="linear", desc="dtype_mismatch", args=(T((2, 4)), T((3, 4), dtype="float64")), dtypes=("float32",)),
    ErrorCase(op="linear", desc="input_not_tensor", args=([1.0, 2.0], T((3, 2)))),
]

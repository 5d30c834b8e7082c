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

# The fuzzer found (issue 10) that torch adds the bias two ways: addmm for a 2-d input, or a contiguous one
# with a (squeezable-to-)1-d contiguous bias -- one dtype, a matrix weight, the bias broadcast to the
# (rows, out_features) product -- and otherwise matmul then add_, which takes a 1-d weight with a vector
# bias and a bias of the other float dtype (rounded back to the output's).
CASES += [
    OpCase(op="linear", desc="weight_1d_bias_1d_noncontig_input",
           args=(T((2, 3, 4), layout="transposed"), T((4,)), T((3,)))),
    ErrorCase(op="linear", desc="weight_1d_bias_1d_contig_input", args=(T((2, 3, 4)), T((4,)), T((3,)))),
    OpCase(op="linear", desc="bias_float64_noncontig_input",
           args=(T((2, 3, 4), layout="transposed"), T((5, 4)), T((5,), dtype="float64"))),
    OpCase(op="linear", desc="bias_0d_float64", args=(T((2, 3, 4)), T((5, 4)), T((), dtype="float64"))),
    ErrorCase(op="linear", desc="bias_float64_contig_input", args=(T((2, 3, 4)), T((5, 4)), T((5,), dtype="float64")),
              dtypes=("float32",)),
    OpCase(op="linear", desc="bias_row_3d_input", args=(T((2, 3, 4)), T((5, 4)), T((1, 5)))),
    OpCase(op="linear", desc="bias_column_2d_input", args=(T((5, 4)), T((5, 4)), T((5, 1)))),
    ErrorCase(op="linear", desc="bias_column_3d_input_rows_mismatch", args=(T((2, 3, 4)), T((5, 4)), T((5, 1)))),
    OpCase(op="linear", desc="bias_2d_noncontig_input_in_place",
           args=(T((2, 3, 4), layout="transposed"), T((5, 4)), T((3, 5)))),
]

# 0-d and empty inputs with gradients: 0-d outputs (vector by vector, with a 0-d bias), empty inputs whose
# gradients are empty, and non-empty inputs whose output is empty (their gradients are zero)
CASES += [
    OpCase(op="linear", desc="vector_vector_bias_0d", args=(T((4,)), T((4,)), T(()))),
    OpCase(op="linear", desc="empty_vector_vector", args=(T((0,)), T((0,)))),
    OpCase(op="linear", desc="empty_vector_matrix", args=(T((0,)), T((3, 0)), T((3,)))),
    OpCase(op="linear", desc="batch_zero_3d", args=(T((2, 0, 5)), T((3, 5)), T((3,)))),
    OpCase(op="linear", desc="batch_zero_zero_in_features", args=(T((0, 0)), T((3, 0)))),
    OpCase(op="linear", desc="zero_out_features_1d_input", args=(T((5,)), T((0, 5)))),
    OpCase(op="linear", desc="weight_1d_batch_zero", args=(T((0, 4)), T((4,)))),
    ModuleCase(module="Linear", desc="zero_in_features", ctor_args=(0, 3), inputs=(T((2, 0)),)),
    ModuleCase(module="Linear", desc="zero_out_features", ctor_args=(4, 0), inputs=(T((2, 4)),)),
    ModuleCase(module="Linear", desc="zero_batch_3d", ctor_args=(4, 2), inputs=(T((3, 0, 4)),)),
    ErrorCase(op="linear", desc="weight_0d", args=(T((2, 3)), T(()))),
    ErrorCase(op="Linear", desc="module_input_0d", module=True, args=(1, 2), call_inputs=(T(()),)),
]

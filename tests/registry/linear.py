"""Linear: F.linear and nn.Linear."""
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
    ErrorCase(op="linear", desc="shape_mismatch", args=(T((4, 5)), T((3, 6)))),
    ErrorCase(op="linear", desc="input_not_tensor", args=([1.0, 2.0], T((3, 2)))),
]

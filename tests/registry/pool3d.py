"""3-d pooling: max, average, adaptive max and average, max-unpooling (issue 20)."""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T
from tests.registry.pooling import all_neg_inf, ties, with_inf, with_nan

X5 = (2, 3, 5, 6, 7)


def _unpool_after_pool(kernel, stride, padding, output_size=None):
    def call(F, x):
        y, indices = F.max_pool3d(x, kernel, stride, padding, return_indices=True)
        return F.max_unpool3d(y, indices, kernel, stride, padding, output_size)
    return call


def unpool3d_indices(kernel, in_dhw):
    """A gen for valid max-pool indices: one position inside each (kernel^3, stride kernel) window."""
    def gen(rng, shape, dtype):
        od, oh, ow = shape[-3:]
        a, b, c = (rng.integers(0, kernel, size=shape) for _ in range(3))
        d = np.arange(od).reshape(od, 1, 1) * kernel + a
        h = np.arange(oh).reshape(1, oh, 1) * kernel + b
        w = np.arange(ow).reshape(1, 1, ow) * kernel + c
        return ((d * in_dhw[1] + h) * in_dhw[2] + w).astype(np.int64)
    return gen


def pool_unpool_3d(nn, F):
    """MaxPool3d(return_indices) followed by MaxUnpool3d: a round trip through both modules."""
    class PoolUnpool3d(nn.Module):
        def __init__(self):
            super().__init__()
            self.pool = nn.MaxPool3d(3, stride=2, padding=1, return_indices=True)
            self.unpool = nn.MaxUnpool3d(3, stride=2, padding=1)

        def forward(self, x):
            y, indices = self.pool(x)
            return self.unpool(y, indices, output_size=x.shape)
    return PoolUnpool3d()


MAX_POOL = [
    OpCase(op="max_pool3d", desc="k2", args=(T(X5), 2)),
    OpCase(op="max_pool3d", desc="k2_stride_None", args=(T(X5), 2, None)),
    OpCase(op="max_pool3d", desc="k3_s2_p1_indices", args=(T((2, 3, 7, 7, 7)), 3, 2, 1),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool3d", desc="tuple_args", args=(T((2, 2, 6, 7, 9)), (2, 2, 3), (1, 2, 2), (1, 0, 1)),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool3d", desc="list1_kernel", args=(T(X5), [3], [2])),
    OpCase(op="max_pool3d", desc="dilation2_padding1", args=(T((1, 2, 7, 7, 7)), 3, 1, 1, 2),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool3d", desc="dilation_tuple", args=(T((1, 2, 7, 9, 10)), (2, 2, 3), 2, (1, 1, 1), (3, 2, 2)),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool3d", desc="ceil_mode_edge_windows", args=(T((2, 2, 6, 6, 6)), 3, 2),
           kwargs={"ceil_mode": True, "return_indices": True}),
    OpCase(op="max_pool3d", desc="ceil_mode_last_window_dropped", args=(T((1, 2, 5, 5, 5)), 2, 2, 1),
           kwargs={"ceil_mode": True, "return_indices": True}),
    OpCase(op="max_pool3d", desc="ceil_mode_dilation", args=(T((1, 2, 8, 10, 11)), 3, 2, 1, 2),
           kwargs={"ceil_mode": True, "return_indices": True}),
    OpCase(op="max_pool3d", desc="overlapping_s1", args=(T((1, 2, 5, 6, 7)), 3, 1, 1),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool3d", desc="ties_first_index", args=(T((2, 2, 6, 6, 6), gen=ties), 3, 1, 1),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool3d", desc="nan_propagates_with_index", args=(T((2, 2, 6, 6, 6), gen=with_nan), 3, 2, 1),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool3d", desc="inf", args=(T((2, 2, 6, 6, 6), gen=with_inf), 2), kwargs={"return_indices": True}),
    OpCase(op="max_pool3d", desc="all_neg_inf_padding_never_wins", args=(T((1, 2, 5, 5, 5), gen=all_neg_inf), 3, 2, 1),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool3d", desc="window_of_padding_only", args=(T((1, 2, 1, 1, 5)), (1, 1, 2), 2, (0, 0, 1),
                                                                  (1, 1, 3)),
           kwargs={"return_indices": True}, grad=False),
    OpCase(op="max_pool3d", desc="unbatched", args=(T((3, 5, 6, 7)), 3, 2, 1), kwargs={"return_indices": True}),
    OpCase(op="max_pool3d", desc="batch_zero", args=(T((0, 3, 4, 4, 4)), 2), kwargs={"return_indices": True}),
    OpCase(op="max_pool3d", desc="unit_depth", args=(T((2, 3, 1, 6, 6)), (1, 2, 2))),
    OpCase(op="max_pool3d", desc="kernel_equals_input", args=(T((2, 2, 3, 4, 5)), (3, 4, 5)),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool3d", desc="noncontig_input", args=(T((2, 3, 5, 6, 7), layout="transposed"), 2, 2, 1),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool3d", desc="strided_input", args=(T((2, 3, 5, 6, 12), layout="strided"), 3, 2)),
    ModuleCase(module="MaxPool3d", desc="basic", ctor_args=(2,), inputs=(T(X5),)),
    ModuleCase(module="MaxPool3d", desc="all_args", ctor_args=((3, 2, 3), (2, 1, 2), (1, 1, 1), (1, 2, 1)),
               ctor_kwargs={"return_indices": True, "ceil_mode": True}, inputs=(T((2, 2, 7, 8, 9)),)),
    ModuleCase(module="MaxPool3d", desc="unbatched", ctor_args=(3, 2, 1), inputs=(T((3, 5, 5, 5)),)),
    ModuleCase(module="MaxPool3d", desc="batch_zero", ctor_args=(2,), inputs=(T((0, 3, 4, 4, 4)),)),
]

AVG_POOL = [
    OpCase(op="avg_pool3d", desc="k2", args=(T(X5), 2)),
    OpCase(op="avg_pool3d", desc="k3_s2_p1", args=(T((2, 3, 7, 7, 7)), 3, 2, 1)),
    OpCase(op="avg_pool3d", desc="k3_s2_p1_exclude_pad", args=(T((2, 3, 7, 7, 7)), 3, 2, 1),
           kwargs={"count_include_pad": False}),
    OpCase(op="avg_pool3d", desc="tuple_args", args=(T((2, 2, 6, 7, 9)), (2, 3, 2), (1, 2, 2), (1, 1, 0))),
    OpCase(op="avg_pool3d", desc="ceil_mode", args=(T((2, 2, 6, 6, 7)), 3, 2), kwargs={"ceil_mode": True}),
    OpCase(op="avg_pool3d", desc="ceil_mode_padding_exclude", args=(T((1, 2, 5, 6, 5)), 3, 2, 1),
           kwargs={"ceil_mode": True, "count_include_pad": False}),
    OpCase(op="avg_pool3d", desc="ceil_mode_padding_include", args=(T((1, 2, 5, 6, 5)), 3, 2, 1),
           kwargs={"ceil_mode": True, "count_include_pad": True}),
    OpCase(op="avg_pool3d", desc="divisor_override", args=(T((2, 2, 6, 6, 6)), 3, 2, 1),
           kwargs={"divisor_override": 5}),
    OpCase(op="avg_pool3d", desc="divisor_override_negative", args=(T((2, 2, 4, 4, 4)), 2),
           kwargs={"divisor_override": -3}),
    OpCase(op="avg_pool3d", desc="overlapping_s1", args=(T((1, 2, 5, 6, 7)), 3, 1, 1)),
    OpCase(op="avg_pool3d", desc="nan_inf", args=(T((2, 2, 4, 6, 6), gen=with_nan), 2), grad=False),
    OpCase(op="avg_pool3d", desc="unbatched", args=(T((3, 5, 6, 7)), 3, 2, 1)),
    OpCase(op="avg_pool3d", desc="batch_zero", args=(T((0, 3, 4, 4, 4)), 2)),
    OpCase(op="avg_pool3d", desc="unit_depth", args=(T((2, 3, 1, 6, 6)), (1, 3, 3), 1, (0, 1, 1))),
    OpCase(op="avg_pool3d", desc="noncontig_input", args=(T((2, 3, 5, 6, 7), layout="transposed"), 2, 2, 1)),
    ModuleCase(module="AvgPool3d", desc="basic", ctor_args=(2,), inputs=(T(X5),)),
    ModuleCase(module="AvgPool3d", desc="all_args", ctor_args=((3, 2, 3), (2, 1, 2), (1, 1, 1)),
               ctor_kwargs={"ceil_mode": True, "count_include_pad": False, "divisor_override": 7},
               inputs=(T((2, 2, 7, 8, 9)),)),
    ModuleCase(module="AvgPool3d", desc="unbatched", ctor_args=(3, 2, 1), inputs=(T((3, 5, 5, 5)),)),
]

ADAPTIVE = [
    OpCase(op="adaptive_avg_pool3d", desc="int", args=(T(X5), 3)),
    OpCase(op="adaptive_avg_pool3d", desc="uneven_windows", args=(T((2, 3, 7, 9, 10)), (3, 4, 6))),
    OpCase(op="adaptive_avg_pool3d", desc="None_entries", args=(T(X5), (None, 2, None))),
    OpCase(op="adaptive_avg_pool3d", desc="larger_than_input", args=(T((1, 2, 3, 4, 3)), (5, 6, 4))),
    OpCase(op="adaptive_avg_pool3d", desc="global", args=(T(X5), 1)),
    OpCase(op="adaptive_avg_pool3d", desc="global_3d_input", args=(T((3, 4, 5)), 1)),
    OpCase(op="adaptive_avg_pool3d", desc="global_6d_input", args=(T((2, 2, 3, 4, 5, 3)), (1, 1, 1))),
    OpCase(op="adaptive_avg_pool3d", desc="global_empty_plane", args=(T((1, 2, 0, 4, 5)), 1), grad=False),
    OpCase(op="adaptive_avg_pool3d", desc="unbatched", args=(T((3, 5, 6, 7)), (2, 3, 4))),
    OpCase(op="adaptive_avg_pool3d", desc="batch_zero", args=(T((0, 3, 5, 6, 7)), 2)),
    OpCase(op="adaptive_avg_pool3d", desc="nan_inf", args=(T((2, 2, 4, 6, 6), gen=with_nan), 3), grad=False),
    OpCase(op="adaptive_avg_pool3d", desc="noncontig_input", args=(T((2, 3, 5, 6, 7), layout="transposed"), 3)),
    OpCase(op="adaptive_max_pool3d", desc="int", args=(T(X5), 3), kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool3d", desc="uneven_windows", args=(T((2, 3, 7, 9, 10)), (3, 4, 6)),
           kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool3d", desc="None_entries", args=(T(X5), (2, None, 3)), kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool3d", desc="larger_than_input", args=(T((1, 2, 3, 4, 3)), (5, 6, 4)),
           kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool3d", desc="global", args=(T(X5), 1), kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool3d", desc="ties_first_index", args=(T((2, 2, 6, 6, 6), gen=ties), 4),
           kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool3d", desc="nan_with_index", args=(T((2, 2, 6, 6, 6), gen=with_nan), 4),
           kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool3d", desc="unbatched", args=(T((3, 5, 6, 7)), (2, 3, 4)),
           kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool3d", desc="batch_zero", args=(T((0, 3, 5, 6, 7)), 2), kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool3d_with_indices", desc="functional_form", args=(T(X5), (2, 3, 3))),
    OpCase(op="max_pool3d_with_indices", desc="functional_form", args=(T(X5), 3, 2, 1)),
    ModuleCase(module="AdaptiveAvgPool3d", desc="basic", ctor_args=((2, 3, 4),), inputs=(T(X5),)),
    ModuleCase(module="AdaptiveAvgPool3d", desc="None_entries", ctor_args=((None, 3, None),), inputs=(T(X5),)),
    ModuleCase(module="AdaptiveAvgPool3d", desc="global", ctor_args=(1,), inputs=(T(X5),)),
    ModuleCase(module="AdaptiveMaxPool3d", desc="basic", ctor_args=((2, 3, 4),), inputs=(T(X5),)),
    ModuleCase(module="AdaptiveMaxPool3d", desc="return_indices", ctor_args=(3, True), inputs=(T(X5),)),
]

UNPOOL = [
    OpCase(op="max_unpool3d", desc="after_pool_k2", args=(T((2, 3, 6, 6, 6)),), call=_unpool_after_pool(2, 2, 0)),
    OpCase(op="max_unpool3d", desc="after_pool_k3_s2_p1", args=(T((2, 2, 7, 7, 7)),),
           call=_unpool_after_pool(3, 2, 1)),
    OpCase(op="max_unpool3d", desc="output_size_spatial", args=(T((2, 2, 7, 7, 7)),),
           call=_unpool_after_pool(2, 2, 0, [7, 7, 7])),
    OpCase(op="max_unpool3d", desc="output_size_full", args=(T((2, 2, 7, 6, 7)),),
           call=_unpool_after_pool(2, 2, 0, (2, 2, 7, 6, 7))),
    OpCase(op="max_unpool3d", desc="overlapping_windows_ties", args=(T((1, 2, 5, 5, 5), gen=ties),),
           call=_unpool_after_pool(3, 1, 1)),
    OpCase(op="max_unpool3d", desc="given_indices", args=(T((2, 3, 2, 3, 3)),
                                                         T((2, 3, 2, 3, 3), dtype="int64",
                                                           gen=unpool3d_indices(2, (4, 6, 6))), 2)),
    OpCase(op="max_unpool3d", desc="unbatched", args=(T((3, 2, 3, 3)),
                                                     T((3, 2, 3, 3), dtype="int64", gen=unpool3d_indices(2, (4, 6, 6))),
                                                     (2, 2, 2), (2, 2, 2))),
    OpCase(op="max_unpool3d", desc="batch_zero", args=(T((0, 3, 2, 2, 2)),
                                                      T((0, 3, 2, 2, 2), dtype="int64", low=0, high=9), 2)),
    OpCase(op="max_unpool3d", desc="given_indices_stride_padding_output_size",
           args=(T((2, 3, 2, 3, 3)), T((2, 3, 2, 3, 3), dtype="int64", gen=unpool3d_indices(2, (4, 6, 6))), 3),
           kwargs={"stride": 2, "padding": 1, "output_size": (4, 6, 6)}),
    ModuleCase(module="MaxUnpool3d", desc="stride_padding_output_size", ctor_args=(3, 2, 1),
               inputs=(T((2, 3, 2, 3, 3)), T((2, 3, 2, 3, 3), dtype="int64", gen=unpool3d_indices(2, (4, 6, 6)))),
               forward_kwargs={"output_size": [2, 3, 4, 6, 6]}),
    ModuleCase(module="MaxUnpool3d", desc="given_indices", ctor_args=(2,),
               inputs=(T((2, 3, 2, 3, 3)), T((2, 3, 2, 3, 3), dtype="int64", gen=unpool3d_indices(2, (4, 6, 6))))),
    ModuleCase(module=pool_unpool_3d, name="MaxPool3d+MaxUnpool3d", desc="round_trip", inputs=(T((2, 2, 5, 6, 7)),)),
]

_X = T((2, 3, 4, 4, 4))
_IDX_OK = T((2, 3, 2, 2, 2), dtype="int64", low=0, high=64)
ERRORS = [
    ErrorCase(op="max_pool3d", desc="stride_zero", args=(_X, 2, 0)),
    ErrorCase(op="max_pool3d", desc="kernel_zero", args=(_X, 0)),
    ErrorCase(op="max_pool3d", desc="kernel_larger_than_padded_input", args=(_X, 5)),
    ErrorCase(op="max_pool3d", desc="padding_too_large", args=(_X, 2, 2, 2)),
    ErrorCase(op="max_pool3d", desc="padding_negative", args=(_X, 2, 2, -1)),
    ErrorCase(op="max_pool3d", desc="dilation_zero", args=(_X, 2), kwargs={"dilation": 0}),
    ErrorCase(op="max_pool3d", desc="kernel_two_ints", args=(_X, (2, 2))),
    ErrorCase(op="max_pool3d", desc="kernel_float", args=(_X, 2.0)),
    ErrorCase(op="max_pool3d", desc="input_3d", args=(T((4, 4, 4)), 2)),
    ErrorCase(op="max_pool3d", desc="input_6d", args=(T((1, 2, 3, 4, 4, 4)), 2)),
    ErrorCase(op="max_pool3d", desc="channels_zero", args=(T((2, 0, 4, 4, 4)), 2)),
    ErrorCase(op="max_pool3d", desc="depth_zero", args=(T((2, 2, 0, 4, 4)), 2)),
    ErrorCase(op="max_pool3d", desc="input_0d", args=(T(()), 1)),
    ErrorCase(op="MaxPool3d", desc="module_padding_too_large", module=True, args=(2, 2, 2), call_inputs=(_X,)),
    ErrorCase(op="avg_pool3d", desc="divisor_override_zero", args=(_X, 2), kwargs={"divisor_override": 0}),
    ErrorCase(op="avg_pool3d", desc="divisor_override_float", args=(_X, 2), kwargs={"divisor_override": 2.0}),
    ErrorCase(op="avg_pool3d", desc="stride_zero", args=(_X, 2, 0)),
    ErrorCase(op="avg_pool3d", desc="padding_too_large", args=(_X, 2, 2, 2)),
    ErrorCase(op="avg_pool3d", desc="kernel_two_ints", args=(_X, (2, 2))),
    ErrorCase(op="avg_pool3d", desc="input_3d", args=(T((4, 4, 4)), 2)),
    ErrorCase(op="avg_pool3d", desc="channels_zero", args=(T((2, 0, 4, 4, 4)), 2)),
    ErrorCase(op="avg_pool3d", desc="kernel_larger_than_input", args=(_X, 5)),
    ErrorCase(op="avg_pool3d", desc="kernel_larger_than_unpadded_input", args=(T((1, 1, 2, 4, 4)), 3, 1, 1)),
    ErrorCase(op="adaptive_avg_pool3d", desc="output_size_two_elements", args=(_X, (2, 2))),
    ErrorCase(op="adaptive_avg_pool3d", desc="output_size_negative", args=(_X, (-1, 2, 2))),
    ErrorCase(op="adaptive_avg_pool3d", desc="output_size_float", args=(_X, 2.0)),
    ErrorCase(op="adaptive_avg_pool3d", desc="int_on_3d_input", args=(T((3, 4, 5)), 2)),
    ErrorCase(op="adaptive_avg_pool3d", desc="global_on_2d_input", args=(T((3, 4)), 1)),
    ErrorCase(op="adaptive_avg_pool3d", desc="6d_input", args=(T((1, 2, 3, 4, 5, 3)), 2)),
    ErrorCase(op="adaptive_avg_pool3d", desc="empty_plane", args=(T((1, 2, 0, 4, 5)), 2)),
    ErrorCase(op="adaptive_avg_pool3d", desc="tuple_on_3d_input", args=(T((3, 4, 5)), (2, 2, 2))),
    ErrorCase(op="adaptive_max_pool3d", desc="output_size_two_elements", args=(_X, (2, 2))),
    ErrorCase(op="adaptive_max_pool3d", desc="output_size_negative", args=(_X, -1)),
    ErrorCase(op="adaptive_max_pool3d", desc="input_3d", args=(T((3, 4, 5)), 2)),
    ErrorCase(op="adaptive_max_pool3d", desc="channels_zero", args=(T((2, 0, 4, 4, 4)), 2)),
    ErrorCase(op="max_unpool3d", desc="index_too_large", args=(T((2, 3, 2, 2, 2)),
                                                              T((2, 3, 2, 2, 2), dtype="int64", low=64, high=99), 2)),
    ErrorCase(op="max_unpool3d", desc="index_negative", args=(T((2, 3, 2, 2, 2)),
                                                             T((2, 3, 2, 2, 2), dtype="int64", low=-9, high=-1), 2)),
    ErrorCase(op="max_unpool3d", desc="indices_shape", args=(T((2, 3, 2, 2, 2)),
                                                            T((2, 3, 2, 2, 1), dtype="int64", low=0, high=8), 2)),
    ErrorCase(op="max_unpool3d", desc="output_size_out_of_range", args=(T((2, 3, 2, 2, 2)), _IDX_OK, 2),
              kwargs={"output_size": (9, 9, 9)}),
    ErrorCase(op="max_unpool3d", desc="output_size_wrong_length", args=(T((2, 3, 2, 2, 2)), _IDX_OK, 2),
              kwargs={"output_size": (4, 4)}),
    ErrorCase(op="max_unpool3d", desc="input_3d", args=(T((3, 2, 2)), T((3, 2, 2), dtype="int64", low=0, high=8), 2)),
    ErrorCase(op="MaxUnpool3d", desc="module_bad_index", module=True, args=(2,),
              call_inputs=(T((1, 1, 2, 2, 2)), T((1, 1, 2, 2, 2), dtype="int64", low=64, high=80))),
]

CASES = MAX_POOL + AVG_POOL + ADAPTIVE + UNPOOL + ERRORS


# 0-d and empty inputs with gradients: torch's 3-d adaptive pooling backward refuses a gradient with an empty
# non-batch dimension, though its forward gives that output (the output requires grad; the backward is an
# ErrorCase); its global average (a mean) and the empty batch backpropagate.
def _backward(op, *args, **kwargs):
    def call(lib, x):
        x.requires_grad_()
        getattr(lib.F, op)(x, *args, **kwargs).sum().backward()
    return call


def _requires_grad(op, *args):
    return lambda F, x: getattr(F, op)(x, *args).requires_grad


for _op, _shape, _size in [("adaptive_avg_pool3d", (2, 3, 4, 4, 4), 0), ("adaptive_max_pool3d", (2, 3, 4, 4, 4), 0),
                           ("adaptive_avg_pool3d", (3, 4, 4, 4), (2, 0, 2))]:
    _tag = "x".join(map(str, _shape)) + "_to_" + ("x".join(map(str, _size)) if isinstance(_size, tuple) else str(_size))
    CASES += [
        OpCase(op=_op, desc=f"empty_output_{_tag}_requires_grad", args=(T(_shape),), call=_requires_grad(_op, _size)),
        ErrorCase(op=_op, desc=f"empty_output_{_tag}_backward", args=(T(_shape),), call=_backward(_op, _size)),
    ]

_IDX_0D = T((), dtype="int64", low=0, high=1)
CASES += [
    OpCase(op="adaptive_avg_pool3d", desc="channels_zero_global", args=(T((2, 0, 4, 4, 4)), 1)),
    OpCase(op="adaptive_avg_pool3d", desc="unbatched_channels_zero", args=(T((0, 4, 4, 4)), 2)),
    OpCase(op="adaptive_max_pool3d", desc="unbatched_channels_zero", args=(T((0, 4, 4, 4)), 2),
           kwargs={"return_indices": True}),
    ErrorCase(op="adaptive_avg_pool3d", desc="channels_zero", args=(T((2, 0, 4, 4, 4)), 2)),
    ErrorCase(op="avg_pool3d", desc="input_0d", args=(T(()), 1)),
    ErrorCase(op="adaptive_avg_pool3d", desc="input_0d", args=(T(()), 2)),
    ErrorCase(op="adaptive_avg_pool3d", desc="input_0d_global", args=(T(()), 1)),
    ErrorCase(op="adaptive_max_pool3d", desc="input_0d", args=(T(()), 1)),
    ErrorCase(op="max_unpool3d", desc="input_0d", args=(T(()), _IDX_0D, 1)),
    ErrorCase(op="MaxPool3d", desc="input_0d", module=True, args=(1,), call_inputs=(T(()),)),
]

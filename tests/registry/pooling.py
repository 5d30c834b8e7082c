"""Pooling: max, average, adaptive and unpooling, 1-d and 2-d (issue 3)."""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T


# ---------------------------------------------------------------- special inputs
def ties(rng, shape, dtype):
    """Values on a coarse grid: many equal maxima inside each window (first index wins)."""
    return (rng.integers(-2, 3, size=shape) / 2).astype(dtype)


def with_nan(rng, shape, dtype):
    """Random values with NaNs scattered through (NaN wins a max and keeps the last NaN's index)."""
    x = rng.uniform(-1, 1, size=shape).astype(dtype)
    flat = x.reshape(-1)
    flat[::5] = np.nan
    flat[3::11] = np.nan
    return x


def with_inf(rng, shape, dtype):
    x = rng.uniform(-1, 1, size=shape).astype(dtype)
    flat = x.reshape(-1)
    flat[::4] = np.inf
    flat[1::7] = -np.inf
    return x


def all_neg_inf(rng, shape, dtype):
    """Every value -inf: the padding (also -inf) must still never win the index."""
    return np.full(shape, -np.inf, dtype=dtype)


def plane_1_to_16(rng, shape, dtype):
    """The MaxUnpool2d example's input: 1..16 in a 4x4 plane."""
    return np.arange(1, 17, dtype=dtype).reshape(shape)


def row_1_to_7(rng, shape, dtype):
    """The avg_pool1d example's input: [[[1, 2, 3, 4, 5, 6, 7]]]."""
    return np.arange(1, 8, dtype=dtype).reshape(shape)


def unpool_indices(kernel, in_hw):
    """A gen for valid max-pool indices: one position inside each (kernel x kernel, stride kernel) window."""
    def gen(rng, shape, dtype):
        out_h, out_w = shape[-2], shape[-1]
        a = rng.integers(0, kernel, size=shape)
        b = rng.integers(0, kernel, size=shape)
        oh = np.arange(out_h).reshape(out_h, 1)
        ow = np.arange(out_w).reshape(1, out_w)
        return ((oh * kernel + a) * in_hw[1] + ow * kernel + b).astype(np.int64)
    return gen


def unpool_indices_1d(kernel):
    def gen(rng, shape, dtype):
        o = np.arange(shape[-1])
        return (o * kernel + rng.integers(0, kernel, size=shape)).astype(np.int64)
    return gen


def pool_unpool_2d(nn, F):
    """MaxPool2d(return_indices) followed by MaxUnpool2d: a round trip through both modules."""
    class PoolUnpool(nn.Module):
        def __init__(self):
            super().__init__()
            self.pool = nn.MaxPool2d(3, stride=2, padding=1, return_indices=True)
            self.unpool = nn.MaxUnpool2d(3, stride=2, padding=1)

        def forward(self, x):
            y, indices = self.pool(x)
            return self.unpool(y, indices, output_size=x.shape)
    return PoolUnpool()


def pool_unpool_1d(nn, F):
    class PoolUnpool1d(nn.Module):
        def __init__(self):
            super().__init__()
            self.pool = nn.MaxPool1d(2, stride=2, return_indices=True)
            self.unpool = nn.MaxUnpool1d(2, stride=2)

        def forward(self, x):
            y, indices = self.pool(x)
            return self.unpool(y, indices)
    return PoolUnpool1d()


def _example_unpool(F, x):
    output, indices = F.max_pool2d(x, 2, stride=2, return_indices=True)
    return F.max_unpool2d(output, indices, 2, stride=2, output_size=[1, 1, 5, 5])


def _unpool_after_pool(kernel, stride, padding, output_size=None, dims=2):
    def call(F, x):
        pool = F.max_pool2d if dims == 2 else F.max_pool1d
        unpool = F.max_unpool2d if dims == 2 else F.max_unpool1d
        y, indices = pool(x, kernel, stride, padding, return_indices=True)
        return unpool(y, indices, kernel, stride, padding, output_size)
    return call


X4 = (2, 3, 8, 8)

MAX_POOL = [
    OpCase(op="max_pool2d", desc="k2", args=(T(X4), 2)),
    OpCase(op="max_pool2d", desc="k2_stride_None", args=(T(X4), 2, None)),
    OpCase(op="max_pool2d", desc="k2_stride_empty_list", args=(T(X4), 2, [])),
    OpCase(op="max_pool2d", desc="k3_s2_p1_indices", args=(T((2, 3, 9, 9)), 3, 2, 1),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool2d", desc="tuple_args", args=(T((2, 2, 7, 9)), (2, 3), (1, 2), (1, 1)),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool2d", desc="list1_kernel", args=(T(X4), [3], [2])),
    OpCase(op="max_pool2d", desc="dilation2_padding1", args=(T((2, 2, 9, 9)), 3, 1, 1, 2),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool2d", desc="dilation_tuple", args=(T((1, 2, 9, 10)), (2, 3), 2, (1, 1), (3, 2)),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool2d", desc="ceil_mode_edge_windows", args=(T(X4), 3, 2),
           kwargs={"ceil_mode": True, "return_indices": True}),
    OpCase(op="max_pool2d", desc="ceil_mode_last_window_dropped", args=(T((2, 2, 5, 5)), 2, 2, 1),
           kwargs={"ceil_mode": True, "return_indices": True}),
    OpCase(op="max_pool2d", desc="ceil_mode_dilation", args=(T((1, 2, 10, 11)), 3, 2, 1, 2),
           kwargs={"ceil_mode": True, "return_indices": True}),
    OpCase(op="max_pool2d", desc="overlapping_s1", args=(T((2, 2, 6, 7)), 3, 1, 1),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool2d", desc="ties_first_index", args=(T((2, 3, 8, 8), gen=ties), 3, 1, 1),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool2d", desc="nan_propagates_with_index", args=(T((2, 2, 8, 8), gen=with_nan), 3, 2, 1),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool2d", desc="inf", args=(T((2, 2, 8, 8), gen=with_inf), 2),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool2d", desc="all_neg_inf_padding_never_wins", args=(T((1, 2, 5, 5), gen=all_neg_inf), 3, 2, 1),
           kwargs={"return_indices": True}),
    # with dilation a window can hold padding taps only: -inf, and torch's index past the plane
    OpCase(op="max_pool2d", desc="window_of_padding_only", args=(T((1, 2, 1, 5)), (1, 2), 2, (0, 1), (1, 3)),
           kwargs={"return_indices": True}, grad=False),
    OpCase(op="max_pool2d", desc="unbatched", args=(T((3, 7, 7)), 3, 2, 1), kwargs={"return_indices": True}),
    OpCase(op="max_pool2d", desc="batch_zero", args=(T((0, 3, 4, 4)), 2), kwargs={"return_indices": True}),
    OpCase(op="max_pool2d", desc="batch_one", args=(T((1, 1, 6, 6)), 2)),
    OpCase(op="max_pool2d", desc="1x1_spatial", args=(T((2, 3, 1, 1)), 1), kwargs={"return_indices": True}),
    OpCase(op="max_pool2d", desc="kernel_equals_padded_input", args=(T((2, 2, 4, 4)), 6, 1, 1),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool2d", desc="transposed_input", args=(T((2, 3, 8, 6), layout="transposed"), 2),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool2d", desc="strided_input", args=(T((2, 3, 6, 8), layout="strided"), 3, 2, 1),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool2d", desc="negative_stride_input", args=(T((2, 3, 6, 8), layout="negative"), 2)),
    OpCase(op="max_pool2d", desc="wide_rows_fast_path", args=(T((2, 2, 5, 40)), 3, 2, 1),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool2d_with_indices", desc="k2", args=(T(X4), 2)),
    OpCase(op="max_pool1d", desc="k2", args=(T((2, 3, 10)), 2)),
    OpCase(op="max_pool1d", desc="k3_s2_p1_indices", args=(T((2, 3, 11)), 3, 2, 1),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool1d", desc="dilation_ceil", args=(T((2, 2, 12)), 3, 2, 1, 2),
           kwargs={"ceil_mode": True, "return_indices": True}),
    OpCase(op="max_pool1d", desc="ties", args=(T((2, 3, 12), gen=ties), 3, 1, 1),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool1d", desc="nan", args=(T((2, 3, 12), gen=with_nan), 4, 3, 2),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool1d", desc="unbatched", args=(T((3, 9)), 2), kwargs={"return_indices": True}),
    OpCase(op="max_pool1d", desc="unbatched_no_indices", args=(T((3, 9)), 3, 1)),
    OpCase(op="max_pool1d", desc="batch_zero", args=(T((0, 3, 6)), 2)),
    OpCase(op="max_pool1d", desc="stride_None", args=(T((2, 3, 9)), 3, None)),
    OpCase(op="max_pool1d", desc="transposed_input", args=(T((2, 9, 3), layout="transposed"), 2),
           kwargs={"return_indices": True}),
    OpCase(op="max_pool1d_with_indices", desc="k2", args=(T((2, 3, 10)), 2)),
    ModuleCase(module="MaxPool2d", desc="k2", ctor_args=(2,), inputs=(T(X4),)),
    ModuleCase(module="MaxPool2d", desc="k3_s2_p1_indices", ctor_args=(3, 2, 1),
               ctor_kwargs={"return_indices": True}, inputs=(T((2, 3, 9, 9)),)),
    ModuleCase(module="MaxPool2d", desc="tuple_dilation_ceil", ctor_args=((3, 2), (2, 1), (1, 0), (2, 1)),
               ctor_kwargs={"ceil_mode": True}, inputs=(T((2, 2, 9, 8)),)),
    ModuleCase(module="MaxPool2d", desc="example_3x2_s2x1", ctor_args=((3, 2),), ctor_kwargs={"stride": (2, 1)},
               inputs=(T((2, 4, 10, 8)),)),
    ModuleCase(module="MaxPool2d", desc="stride1_cnn", ctor_kwargs={"kernel_size": 2, "stride": 1},
               inputs=(T((1, 3, 6, 6)),)),
    ModuleCase(module="MaxPool2d", desc="unbatched", ctor_args=(2,), inputs=(T((3, 6, 6)),)),
    ModuleCase(module="MaxPool1d", desc="example_k3_s2", ctor_args=(3,), ctor_kwargs={"stride": 2},
               inputs=(T((4, 5, 50)),)),
    ModuleCase(module="MaxPool1d", desc="indices_ceil", ctor_args=(3, 2, 1, 1, True, True),
               inputs=(T((2, 3, 10)),)),
]

AVG_POOL = [
    OpCase(op="avg_pool2d", desc="k2", args=(T(X4), 2)),
    OpCase(op="avg_pool2d", desc="example_k2_s2", args=(T((1, 16, 14, 14)), 2), kwargs={"stride": 2}),
    OpCase(op="avg_pool2d", desc="k3_s2_p1", args=(T((2, 3, 9, 9)), 3, 2, 1)),
    OpCase(op="avg_pool2d", desc="exclude_pad", args=(T((2, 3, 9, 9)), 3, 2, 1),
           kwargs={"count_include_pad": False}),
    OpCase(op="avg_pool2d", desc="tuple_args", args=(T((2, 2, 7, 9)), (2, 3), (1, 2), (1, 1))),
    OpCase(op="avg_pool2d", desc="ceil_mode_overhang", args=(T((2, 2, 6, 6)), 3, 2, 1), kwargs={"ceil_mode": True}),
    OpCase(op="avg_pool2d", desc="ceil_mode_overhang_exclude_pad", args=(T((2, 2, 6, 6)), 3, 2, 1),
           kwargs={"ceil_mode": True, "count_include_pad": False}),
    OpCase(op="avg_pool2d", desc="ceil_mode_no_pad", args=(T((2, 2, 7, 8)), 3, 2), kwargs={"ceil_mode": True}),
    OpCase(op="avg_pool2d", desc="ceil_mode_last_window_dropped", args=(T((2, 2, 5, 5)), 2, 2, 1),
           kwargs={"ceil_mode": True}),
    OpCase(op="avg_pool2d", desc="divisor_override", args=(T((2, 3, 8, 8)), 3, 2, 1),
           kwargs={"divisor_override": 3}),
    OpCase(op="avg_pool2d", desc="divisor_override_ceil", args=(T((2, 3, 6, 6)), 3, 2, 1),
           kwargs={"divisor_override": 5, "ceil_mode": True}),
    OpCase(op="avg_pool2d", desc="negative_divisor_override", args=(T((2, 3, 6, 6)), 2),
           kwargs={"divisor_override": -2}),
    OpCase(op="avg_pool2d", desc="overlapping_s1", args=(T((2, 2, 6, 7)), 3, 1, 1)),
    OpCase(op="avg_pool2d", desc="nan_inf", args=(T((2, 2, 8, 8), gen=with_nan), 2)),
    OpCase(op="avg_pool2d", desc="inf", args=(T((2, 2, 8, 8), gen=with_inf), 3, 1, 1)),
    OpCase(op="avg_pool2d", desc="unbatched", args=(T((3, 7, 7)), 3, 2, 1)),
    OpCase(op="avg_pool2d", desc="batch_zero", args=(T((0, 3, 4, 4)), 2)),
    OpCase(op="avg_pool2d", desc="1x1_spatial", args=(T((2, 3, 1, 1)), 1)),
    OpCase(op="avg_pool2d", desc="kernel_equals_padded_input", args=(T((2, 2, 4, 4)), 6, 1, 1)),
    OpCase(op="avg_pool2d", desc="transposed_input", args=(T((2, 3, 8, 6), layout="transposed"), 2)),
    OpCase(op="avg_pool2d", desc="strided_input", args=(T((2, 3, 6, 8), layout="strided"), 3, 2, 1)),
    OpCase(op="avg_pool2d", desc="wide_rows_fast_path", args=(T((2, 2, 5, 40)), 3, 2, 1),
           kwargs={"count_include_pad": False}),
    OpCase(op="avg_pool1d", desc="example_1_to_7", args=(T((1, 1, 7), gen=row_1_to_7),),
           kwargs={"kernel_size": 3, "stride": 2}),
    OpCase(op="avg_pool1d", desc="k3_s2_p1", args=(T((2, 3, 11)), 3, 2, 1)),
    OpCase(op="avg_pool1d", desc="exclude_pad_ceil", args=(T((2, 3, 10)), 3, 2, 1, True, False)),
    OpCase(op="avg_pool1d", desc="stride_None", args=(T((2, 3, 9)), 3, None)),
    OpCase(op="avg_pool1d", desc="unbatched", args=(T((3, 9)), 2)),
    OpCase(op="avg_pool1d", desc="batch_zero", args=(T((0, 3, 6)), 2)),
    OpCase(op="avg_pool1d", desc="negative_stride_input", args=(T((2, 3, 9), layout="negative"), 3, 2)),
    ModuleCase(module="AvgPool2d", desc="example_k3_s2", ctor_args=(3,), ctor_kwargs={"stride": 2},
               inputs=(T((2, 4, 11, 9)),)),
    ModuleCase(module="AvgPool2d", desc="all_args", ctor_args=((3, 2), (2, 1), (1, 1), True, False, None),
               inputs=(T((2, 3, 8, 7)),)),
    ModuleCase(module="AvgPool2d", desc="divisor_override", ctor_args=(2,), ctor_kwargs={"divisor_override": 3},
               inputs=(T((2, 3, 6, 6)),)),
    ModuleCase(module="AvgPool2d", desc="unbatched", ctor_args=(2,), inputs=(T((3, 6, 6)),)),
    ModuleCase(module="AvgPool1d", desc="example_k3_s2", ctor_args=(3,), ctor_kwargs={"stride": 2},
               inputs=(T((1, 1, 7), gen=row_1_to_7),)),
    ModuleCase(module="AvgPool1d", desc="all_args", ctor_args=(3, 2, 1, True, False), inputs=(T((2, 3, 10)),)),
]

ADAPTIVE = [
    OpCase(op="adaptive_avg_pool2d", desc="int", args=(T((2, 3, 9, 9)), 3)),
    OpCase(op="adaptive_avg_pool2d", desc="uneven_bins", args=(T((2, 3, 7, 10)), (3, 4))),
    OpCase(op="adaptive_avg_pool2d", desc="None_entry", args=(T((2, 3, 6, 9)), (None, 4))),
    OpCase(op="adaptive_avg_pool2d", desc="None_first", args=(T((2, 3, 6, 9)), (5, None))),
    OpCase(op="adaptive_avg_pool2d", desc="output_larger_than_input", args=(T((2, 3, 4, 5)), (7, 9))),
    OpCase(op="adaptive_avg_pool2d", desc="global_1x1", args=(T((2, 8, 7, 7)), 1)),
    OpCase(op="adaptive_avg_pool2d", desc="global_1x1_tuple_odd_planes", args=(T((3, 5, 4, 6)), (1, 1))),
    OpCase(op="adaptive_avg_pool2d", desc="global_1x1_5d_input", args=(T((2, 2, 3, 4, 4)), 1)),
    OpCase(op="adaptive_avg_pool2d", desc="global_1x1_2d_input", args=(T((5, 6)), 1)),
    # torch's backward refuses an empty grad_output, so only the forward is compared
    OpCase(op="adaptive_avg_pool2d", desc="zero_output", args=(T((2, 3, 4, 4)), 0), grad=False),
    OpCase(op="adaptive_avg_pool2d", desc="unbatched", args=(T((3, 7, 7)), (2, 3))),
    OpCase(op="adaptive_avg_pool2d", desc="batch_zero", args=(T((0, 3, 4, 4)), 2)),
    OpCase(op="adaptive_avg_pool2d", desc="channels_zero", args=(T((2, 0, 4, 4)), 2), grad=False),
    OpCase(op="adaptive_avg_pool2d", desc="1x1_spatial", args=(T((2, 3, 1, 1)), (2, 3))),
    OpCase(op="adaptive_avg_pool2d", desc="nan_inf", args=(T((2, 2, 6, 6), gen=with_nan), 4)),
    OpCase(op="adaptive_avg_pool2d", desc="transposed_input", args=(T((2, 3, 8, 6), layout="transposed"), (3, 4))),
    OpCase(op="adaptive_avg_pool1d", desc="uneven_bins", args=(T((2, 3, 10)), 4)),
    OpCase(op="adaptive_avg_pool1d", desc="tuple", args=(T((2, 3, 10)), (3,))),
    OpCase(op="adaptive_avg_pool1d", desc="global", args=(T((2, 3, 10)), 1)),
    OpCase(op="adaptive_avg_pool1d", desc="larger_than_input", args=(T((2, 3, 4)), 7)),
    OpCase(op="adaptive_avg_pool1d", desc="unbatched", args=(T((3, 9)), 4)),
    OpCase(op="adaptive_avg_pool1d", desc="batch_zero", args=(T((0, 3, 9)), 4)),
    OpCase(op="adaptive_max_pool2d", desc="int_indices", args=(T((2, 3, 9, 9)), 3), kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool2d", desc="uneven_bins", args=(T((2, 3, 7, 10)), (3, 4)),
           kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool2d", desc="None_entry", args=(T((2, 3, 6, 9)), (None, 4)),
           kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool2d", desc="output_larger_than_input", args=(T((2, 3, 4, 5)), (7, 9)),
           kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool2d", desc="global_1x1", args=(T((2, 8, 7, 7)), 1), kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool2d", desc="ties", args=(T((2, 3, 7, 7), gen=ties), 3),
           kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool2d", desc="nan", args=(T((2, 3, 7, 7), gen=with_nan), 3),
           kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool2d", desc="all_neg_inf", args=(T((1, 2, 5, 5), gen=all_neg_inf), 2),
           kwargs={"return_indices": True}),
    # torch's backward refuses an empty grad_output, so only the forward is compared
    OpCase(op="adaptive_max_pool2d", desc="zero_output", args=(T((2, 3, 4, 4)), 0), grad=False),
    OpCase(op="adaptive_max_pool2d", desc="unbatched", args=(T((3, 7, 7)), (2, 3))),
    OpCase(op="adaptive_max_pool2d", desc="batch_zero", args=(T((0, 3, 4, 4)), 2)),
    OpCase(op="adaptive_max_pool2d", desc="strided_input", args=(T((2, 3, 6, 8), layout="strided"), 3)),
    OpCase(op="adaptive_max_pool2d_with_indices", desc="uneven", args=(T((2, 3, 7, 5)), 3)),
    OpCase(op="adaptive_max_pool1d", desc="uneven_bins_indices", args=(T((2, 3, 10)), 4),
           kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool1d", desc="larger_than_input", args=(T((2, 3, 4)), 7),
           kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool1d", desc="ties_nan", args=(T((2, 3, 12), gen=with_nan), 5),
           kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool1d", desc="unbatched", args=(T((3, 9)), 4)),
    OpCase(op="adaptive_max_pool1d_with_indices", desc="k4", args=(T((2, 3, 9)), 4)),
    ModuleCase(module="AdaptiveAvgPool2d", desc="example_1x1", ctor_args=((1, 1),), inputs=(T((2, 16, 7, 7)),)),
    ModuleCase(module="AdaptiveAvgPool2d", desc="None_7", ctor_args=((None, 7),), inputs=(T((1, 4, 10, 9)),)),
    ModuleCase(module="AdaptiveAvgPool2d", desc="int", ctor_args=(5,), inputs=(T((1, 4, 8, 9)),)),
    ModuleCase(module="AdaptiveAvgPool1d", desc="int", ctor_args=(5,), inputs=(T((1, 4, 8)),)),
    ModuleCase(module="AdaptiveMaxPool2d", desc="example_None_7", ctor_args=((None, 7),), inputs=(T((1, 4, 10, 9)),)),
    ModuleCase(module="AdaptiveMaxPool2d", desc="indices", ctor_args=(3, True), inputs=(T((2, 4, 8, 9)),)),
    ModuleCase(module="AdaptiveMaxPool1d", desc="indices", ctor_args=(3,), ctor_kwargs={"return_indices": True},
               inputs=(T((2, 4, 8)),)),
]

UNPOOL = [
    OpCase(op="max_unpool2d", desc="example_5x5", args=(T((1, 1, 4, 4), gen=plane_1_to_16),), call=_example_unpool),
    OpCase(op="max_unpool2d", desc="after_pool_k2", args=(T((2, 3, 6, 6)),), call=_unpool_after_pool(2, 2, 0)),
    OpCase(op="max_unpool2d", desc="after_pool_k3_s2_p1", args=(T((2, 3, 9, 9)),),
           call=_unpool_after_pool(3, 2, 1)),
    OpCase(op="max_unpool2d", desc="output_size_spatial", args=(T((2, 3, 7, 7)),),
           call=_unpool_after_pool(2, 2, 0, [7, 7])),
    OpCase(op="max_unpool2d", desc="output_size_full", args=(T((2, 3, 7, 7)),),
           call=_unpool_after_pool(2, 2, 0, (2, 3, 7, 7))),
    OpCase(op="max_unpool2d", desc="overlapping_windows_ties", args=(T((2, 2, 6, 6), gen=ties),),
           call=_unpool_after_pool(3, 1, 1)),
    OpCase(op="max_unpool2d", desc="given_indices", args=(T((2, 3, 3, 3)),
                                                         T((2, 3, 3, 3), dtype="int64", gen=unpool_indices(2, (6, 6))),
                                                         2)),
    OpCase(op="max_unpool2d", desc="unbatched", args=(T((3, 3, 3)),
                                                     T((3, 3, 3), dtype="int64", gen=unpool_indices(2, (6, 6))),
                                                     (2, 2), (2, 2))),
    OpCase(op="max_unpool2d", desc="batch_zero", args=(T((0, 3, 3, 3)), T((0, 3, 3, 3), dtype="int64", low=0, high=9),
                                                      2)),
    OpCase(op="max_unpool2d", desc="transposed_input", args=(T((2, 3, 3, 3), layout="transposed"),
                                                            T((2, 3, 3, 3), dtype="int64",
                                                              gen=unpool_indices(2, (6, 6))), 2)),
    OpCase(op="max_unpool1d", desc="after_pool", args=(T((2, 3, 8)),), call=_unpool_after_pool(2, 2, 0, dims=1)),
    OpCase(op="max_unpool1d", desc="output_size", args=(T((2, 3, 9)),),
           call=_unpool_after_pool(2, 2, 0, [9], dims=1)),
    OpCase(op="max_unpool1d", desc="output_size_full", args=(T((2, 3, 9)),),
           call=_unpool_after_pool(2, 2, 0, (2, 3, 9), dims=1)),
    OpCase(op="max_unpool1d", desc="given_indices", args=(T((2, 3, 4)), T((2, 3, 4), dtype="int64",
                                                                          gen=unpool_indices_1d(2)), 2)),
    OpCase(op="max_unpool1d", desc="unbatched", args=(T((3, 4)), T((3, 4), dtype="int64", gen=unpool_indices_1d(3)),
                                                     3)),
    ModuleCase(module="MaxUnpool2d", desc="given_indices", ctor_args=(2,),
               inputs=(T((2, 3, 3, 3)), T((2, 3, 3, 3), dtype="int64", gen=unpool_indices(2, (6, 6))))),
    ModuleCase(module="MaxUnpool2d", desc="output_size", ctor_args=(2, 2),
               inputs=(T((2, 3, 3, 3)), T((2, 3, 3, 3), dtype="int64", gen=unpool_indices(2, (7, 7)))),
               forward_kwargs={"output_size": [7, 7]}),
    ModuleCase(module="MaxUnpool1d", desc="given_indices", ctor_args=(2,), ctor_kwargs={"stride": 2},
               inputs=(T((2, 3, 4)), T((2, 3, 4), dtype="int64", gen=unpool_indices_1d(2)))),
    ModuleCase(module=pool_unpool_2d, name="MaxPool2d+MaxUnpool2d", desc="round_trip", inputs=(T((2, 3, 7, 7)),)),
    ModuleCase(module=pool_unpool_1d, name="MaxPool1d+MaxUnpool1d", desc="round_trip", inputs=(T((2, 3, 8)),)),
]

_X = T((2, 3, 6, 6))
_X1 = T((2, 3, 6))
_IDX_OK = T((2, 3, 3, 3), dtype="int64", low=0, high=36)

ERRORS = [
    # max pooling
    ErrorCase(op="max_pool2d", desc="stride_zero", args=(_X, 2, 0)),
    ErrorCase(op="max_pool2d", desc="stride_negative", args=(_X, 2, -1)),
    ErrorCase(op="max_pool2d", desc="kernel_zero", args=(_X, 0)),
    ErrorCase(op="max_pool2d", desc="kernel_negative_stride1", args=(_X, -1, 1)),
    ErrorCase(op="max_pool2d", desc="kernel_larger_than_padded_input", args=(_X, 7)),
    ErrorCase(op="max_pool2d", desc="dilated_kernel_too_large", args=(T((1, 1, 5, 5)), 3), kwargs={"dilation": 3}),
    ErrorCase(op="max_pool2d", desc="padding_too_large", args=(_X, 2, 2, 2)),
    ErrorCase(op="max_pool2d", desc="padding_too_large_with_dilation", args=(T((1, 1, 9, 9)), 3, 1, 2, 2)),
    ErrorCase(op="max_pool2d", desc="padding_negative", args=(_X, 2, 2, -1)),
    ErrorCase(op="max_pool2d", desc="dilation_zero", args=(_X, 2), kwargs={"dilation": 0}),
    ErrorCase(op="max_pool2d", desc="kernel_three_ints", args=(_X, (2, 2, 2))),
    ErrorCase(op="max_pool2d", desc="stride_three_ints", args=(_X, 2, [1, 1, 1])),
    ErrorCase(op="max_pool2d", desc="kernel_float", args=(_X, 2.0)),
    ErrorCase(op="max_pool2d", desc="input_2d", args=(T((6, 6)), 2)),
    ErrorCase(op="max_pool2d", desc="input_5d", args=(T((1, 2, 3, 4, 4)), 2)),
    ErrorCase(op="max_pool2d", desc="channels_zero", args=(T((2, 0, 4, 4)), 2)),
    ErrorCase(op="max_pool2d", desc="unbatched_channels_zero", args=(T((0, 4, 4)), 2), kwargs={"return_indices": True}),
    ErrorCase(op="max_pool2d", desc="input_not_tensor", args=([[1.0, 2.0]], 2)),
    ErrorCase(op="max_pool1d", desc="kernel_two_ints", args=(_X1, (2, 2))),
    ErrorCase(op="max_pool1d", desc="stride_zero", args=(_X1, 2, 0)),
    ErrorCase(op="max_pool1d", desc="padding_too_large", args=(_X1, 2, 2, 2)),
    ErrorCase(op="max_pool1d", desc="padding_too_large_indices", args=(_X1, 2, 2, 2), kwargs={"return_indices": True}),
    ErrorCase(op="max_pool1d", desc="kernel_too_large", args=(_X1, 7)),
    ErrorCase(op="max_pool1d", desc="input_4d", args=(_X, 2)),
    ErrorCase(op="max_pool1d", desc="input_1d", args=(T((5,)), 2), kwargs={"return_indices": True}),
    ErrorCase(op="max_pool1d", desc="unbatched_channels_zero", args=(T((0, 4)), 2)),
    ErrorCase(op="MaxPool2d", desc="module_padding_too_large", module=True, args=(2, 2, 2), call_inputs=(_X,)),
    ErrorCase(op="MaxPool1d", desc="module_wrong_ndim", module=True, args=(2,), call_inputs=(T((5,)),)),
    # average pooling
    ErrorCase(op="avg_pool2d", desc="divisor_override_zero", args=(_X, 2), kwargs={"divisor_override": 0}),
    ErrorCase(op="avg_pool2d", desc="divisor_override_float", args=(_X, 2), kwargs={"divisor_override": 2.0}),
    ErrorCase(op="avg_pool2d", desc="stride_zero", args=(_X, 2, 0)),
    ErrorCase(op="avg_pool2d", desc="stride_negative", args=(_X, 2, -1)),
    ErrorCase(op="avg_pool2d", desc="kernel_negative", args=(_X, -1)),
    ErrorCase(op="avg_pool2d", desc="padding_too_large", args=(_X, 2, 2, 2)),
    ErrorCase(op="avg_pool2d", desc="padding_negative", args=(_X, 3, 1, -1)),
    ErrorCase(op="avg_pool2d", desc="kernel_larger_than_padded_input", args=(_X, 7)),
    ErrorCase(op="avg_pool2d", desc="kernel_three_ints", args=(_X, (2, 2, 2))),
    ErrorCase(op="avg_pool2d", desc="input_2d_index_error", args=(T((6, 6)), 2)),
    ErrorCase(op="avg_pool2d", desc="input_5d", args=(T((1, 2, 3, 4, 4)), 2)),
    ErrorCase(op="avg_pool2d", desc="channels_zero", args=(T((2, 0, 4, 4)), 2)),
    ErrorCase(op="avg_pool1d", desc="kernel_two_ints", args=(_X1, (2, 2))),
    ErrorCase(op="avg_pool1d", desc="input_4d", args=(_X, 2)),
    ErrorCase(op="avg_pool1d", desc="unbatched_channels_zero", args=(T((0, 5)), 2)),
    ErrorCase(op="avg_pool1d", desc="no_divisor_override", args=(_X1, 2), kwargs={"divisor_override": 1}),
    ErrorCase(op="AvgPool2d", desc="module_divisor_zero", module=True, args=(2,), kwargs={"divisor_override": 0},
              call_inputs=(_X,)),
    # adaptive pooling
    ErrorCase(op="adaptive_avg_pool2d", desc="output_size_one_element", args=(_X, (2,))),
    ErrorCase(op="adaptive_avg_pool2d", desc="output_size_three_elements", args=(_X, (2, 2, 2))),
    ErrorCase(op="adaptive_avg_pool2d", desc="output_size_negative", args=(_X, -1)),
    ErrorCase(op="adaptive_avg_pool2d", desc="output_size_None", args=(_X, None)),
    ErrorCase(op="adaptive_avg_pool2d", desc="output_size_float", args=(_X, 2.0)),
    ErrorCase(op="adaptive_avg_pool2d", desc="tuple_on_2d_input", args=(T((3, 6)), (1, 1))),
    ErrorCase(op="adaptive_avg_pool2d", desc="int_on_2d_input", args=(T((3, 6)), 2)),
    ErrorCase(op="adaptive_avg_pool2d", desc="int_1_on_1d_input", args=(T((6,)), 1)),
    ErrorCase(op="adaptive_avg_pool2d", desc="5d_input", args=(T((2, 2, 2, 3, 3)), 2)),
    ErrorCase(op="adaptive_avg_pool2d", desc="empty_plane", args=(T((2, 3, 0, 4)), 2)),
    ErrorCase(op="adaptive_avg_pool1d", desc="output_size_two", args=(_X1, (2, 2))),
    ErrorCase(op="adaptive_avg_pool1d", desc="output_size_None", args=(_X1, None)),
    ErrorCase(op="adaptive_avg_pool1d", desc="output_size_negative", args=(_X1, -1)),
    ErrorCase(op="adaptive_avg_pool1d", desc="input_4d", args=(_X, 2)),
    ErrorCase(op="adaptive_avg_pool1d", desc="empty_length", args=(T((2, 3, 0)), 2)),
    ErrorCase(op="adaptive_max_pool2d", desc="output_size_one_element", args=(_X, (2,))),
    ErrorCase(op="adaptive_max_pool2d", desc="output_size_three_elements", args=(_X, (2, 2, 2))),
    ErrorCase(op="adaptive_max_pool2d", desc="output_size_negative", args=(_X, -1)),
    ErrorCase(op="adaptive_max_pool2d", desc="input_2d", args=(T((3, 6)), 1)),
    ErrorCase(op="adaptive_max_pool2d", desc="channels_zero", args=(T((2, 0, 4, 4)), 2)),
    ErrorCase(op="adaptive_max_pool1d", desc="output_size_None", args=(_X1, None)),
    ErrorCase(op="adaptive_max_pool1d", desc="input_4d", args=(_X, 2)),
    ErrorCase(op="AdaptiveAvgPool1d", desc="module_None", module=True, args=(None,), call_inputs=(_X1,)),
    # max unpooling
    ErrorCase(op="max_unpool2d", desc="index_too_large", args=(T((2, 3, 3, 3)), T((2, 3, 3, 3), dtype="int64",
                                                                                   low=36, high=80), 2)),
    ErrorCase(op="max_unpool2d", desc="index_negative", args=(T((2, 3, 3, 3)), T((2, 3, 3, 3), dtype="int64",
                                                                                  low=-50, high=-1), 2)),
    ErrorCase(op="max_unpool2d", desc="stride_zero_bad_indices", args=(T((2, 3, 3, 3)), _IDX_OK, 2),
              kwargs={"stride": 0}),
    ErrorCase(op="max_unpool2d", desc="indices_int32", args=(T((2, 3, 3, 3)), T((2, 3, 3, 3), dtype="int32",
                                                                                 low=0, high=9), 2)),
    ErrorCase(op="max_unpool2d", desc="indices_shape", args=(T((2, 3, 3, 3)), T((2, 3, 2, 3), dtype="int64",
                                                                                 low=0, high=9), 2)),
    ErrorCase(op="max_unpool2d", desc="input_2d", args=(T((3, 3)), T((3, 3), dtype="int64", low=0, high=9), 2)),
    ErrorCase(op="max_unpool2d", desc="channels_zero", args=(T((2, 0, 3, 3)), T((2, 0, 3, 3), dtype="int64",
                                                                                 low=0, high=9), 2)),
    ErrorCase(op="max_unpool2d", desc="output_size_out_of_range", args=(T((2, 3, 3, 3)), _IDX_OK, 2),
              kwargs={"output_size": (9, 9)}),
    ErrorCase(op="max_unpool2d", desc="output_size_wrong_length", args=(T((2, 3, 3, 3)), _IDX_OK, 2),
              kwargs={"output_size": (3, 6, 6)}),
    ErrorCase(op="max_unpool2d", desc="negative_default_size", args=(T((2, 3, 3, 3)), _IDX_OK, 1),
              kwargs={"stride": 1, "padding": 3}),
    ErrorCase(op="max_unpool1d", desc="index_too_large", args=(T((2, 3, 3)), T((2, 3, 3), dtype="int64",
                                                                                low=6, high=20), 2)),
    ErrorCase(op="max_unpool1d", desc="output_size_int", args=(T((2, 3, 3)), T((2, 3, 3), dtype="int64",
                                                                                low=0, high=6), 2),
              kwargs={"output_size": 6}),
    ErrorCase(op="max_unpool1d", desc="input_1d", args=(T((3,)), T((3,), dtype="int64", low=0, high=6), 2)),
    ErrorCase(op="max_unpool1d", desc="input_4d", args=(T((1, 2, 3, 3)), T((1, 2, 3, 3), dtype="int64",
                                                                            low=0, high=6), 2)),
    ErrorCase(op="MaxUnpool2d", desc="module_bad_index", module=True, args=(2,),
              call_inputs=(T((1, 1, 2, 2)), T((1, 1, 2, 2), dtype="int64", low=16, high=30))),
]

CASES = MAX_POOL + AVG_POOL + ADAPTIVE + UNPOOL + ERRORS


# 0-d and empty inputs with gradients.  torch's adaptive pooling backward refuses a gradient with an empty
# non-batch dimension (an output size of 0, or no channels in a batched input) though its forward gives that
# output: those cases check that the output requires grad, and an ErrorCase runs the backward.  Its adaptive
# average with every output size 1 is a mean, whose backward works on such inputs.
def _backward(op, *args, **kwargs):
    def call(lib, x):
        x.requires_grad_()
        getattr(lib.F, op)(x, *args, **kwargs).sum().backward()
    return call


def _requires_grad(op, *args):
    return lambda F, x: getattr(F, op)(x, *args).requires_grad


_REFUSED_BACKWARD = [
    ("adaptive_avg_pool2d", (2, 3, 4, 4), 0), ("adaptive_avg_pool2d", (2, 0, 4, 4), 2),
    ("adaptive_avg_pool2d", (2, 2, 4, 4), (0, 1)), ("adaptive_avg_pool2d", (3, 4, 4), (2, 0)),
    ("adaptive_avg_pool2d", (0, 4, 4), 0), ("adaptive_avg_pool1d", (2, 4), 0),
    ("adaptive_avg_pool1d", (2, 0, 4), 2), ("adaptive_avg_pool1d", (2, 3, 4), 0),
    ("adaptive_max_pool2d", (2, 3, 4, 4), 0), ("adaptive_max_pool2d", (3, 4, 4), (2, 0)),
    ("adaptive_max_pool1d", (2, 4), 0), ("adaptive_max_pool1d", (0, 4), 0),
]
for op, shape, size in _REFUSED_BACKWARD:
    tag = "x".join(map(str, shape)) + "_to_" + ("x".join(map(str, size)) if isinstance(size, tuple) else str(size))
    CASES += [
        OpCase(op=op, desc=f"empty_output_{tag}_requires_grad", args=(T(shape),), call=_requires_grad(op, size)),
        ErrorCase(op=op, desc=f"empty_output_{tag}_backward", args=(T(shape),), call=_backward(op, size)),
    ]

CASES += [
    OpCase(op="max_pool2d", desc="batch_zero_ceil_dilation", args=(T((0, 2, 5, 5)), 2),
           kwargs={"ceil_mode": True, "dilation": 2, "stride": 2}),
    OpCase(op="max_pool1d", desc="batch_zero_indices", args=(T((0, 3, 6)), 3), kwargs={"return_indices": True}),
    OpCase(op="avg_pool2d", desc="batch_zero_ceil_divisor", args=(T((0, 2, 5, 5)), 2),
           kwargs={"ceil_mode": True, "divisor_override": 3}),
    OpCase(op="avg_pool1d", desc="batch_zero_padding", args=(T((0, 2, 5)), 3),
           kwargs={"padding": 1, "count_include_pad": False}),
    OpCase(op="adaptive_avg_pool2d", desc="channels_zero_global", args=(T((2, 0, 4, 4)), 1)),
    OpCase(op="adaptive_avg_pool2d", desc="batch_zero_global", args=(T((0, 3, 4, 4)), (1, 1))),
    OpCase(op="adaptive_avg_pool2d", desc="unbatched_channels_zero", args=(T((0, 4, 4)), 2)),
    OpCase(op="adaptive_avg_pool1d", desc="channels_zero_global", args=(T((2, 0, 4)), 1)),
    OpCase(op="adaptive_avg_pool1d", desc="unbatched_channels_zero", args=(T((0, 4)), 2)),
    OpCase(op="adaptive_max_pool2d", desc="unbatched_channels_zero", args=(T((0, 4, 4)), 2),
           kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool1d", desc="batch_zero", args=(T((0, 3, 9)), 4), kwargs={"return_indices": True}),
    OpCase(op="adaptive_max_pool1d", desc="unbatched_channels_zero", args=(T((0, 4)), 2)),
    OpCase(op="max_unpool1d", desc="batch_zero", args=(T((0, 3, 4)), T((0, 3, 4), dtype="int64", low=0, high=8), 2)),
    OpCase(op="max_unpool2d", desc="unbatched_channels_zero", args=(T((0, 2, 2)),
                                                                   T((0, 2, 2), dtype="int64", low=0, high=16), 2)),
    ModuleCase(module="MaxPool2d", desc="batch_zero", ctor_args=(2,), inputs=(T((0, 3, 4, 4)),)),
    ModuleCase(module="MaxPool1d", desc="batch_zero_indices", ctor_args=(2,), ctor_kwargs={"return_indices": True},
               inputs=(T((0, 3, 4)),)),
    ModuleCase(module="AvgPool2d", desc="batch_zero", ctor_args=(2,), inputs=(T((0, 3, 4, 4)),)),
    ModuleCase(module="AvgPool1d", desc="batch_zero", ctor_args=(2,), inputs=(T((0, 3, 4)),)),
    ModuleCase(module="AdaptiveAvgPool2d", desc="batch_zero", ctor_args=((2, 3),), inputs=(T((0, 3, 4, 4)),)),
    ModuleCase(module="AdaptiveAvgPool1d", desc="channels_zero_global", ctor_args=(1,), inputs=(T((2, 0, 5)),)),
    ModuleCase(module="AdaptiveMaxPool2d", desc="batch_zero", ctor_args=(2,), inputs=(T((0, 3, 4, 4)),)),
    ModuleCase(module="AdaptiveMaxPool1d", desc="batch_zero", ctor_args=(2,), inputs=(T((0, 3, 4)),)),
    ModuleCase(module="MaxUnpool1d", desc="batch_zero", ctor_args=(2,),
               inputs=(T((0, 3, 4)), T((0, 3, 4), dtype="int64", low=0, high=8))),
]
_IDX_0D = T((), dtype="int64", low=0, high=1)
CASES += [
    ErrorCase(op="max_pool2d", desc="input_0d", args=(T(()), 1)),
    ErrorCase(op="max_pool1d", desc="input_0d", args=(T(()), 1)),
    ErrorCase(op="avg_pool2d", desc="input_0d", args=(T(()), 1)),
    ErrorCase(op="avg_pool1d", desc="input_0d", args=(T(()), 1)),
    ErrorCase(op="adaptive_avg_pool2d", desc="input_0d", args=(T(()), 2)),
    ErrorCase(op="adaptive_avg_pool2d", desc="input_0d_global", args=(T(()), 1)),
    ErrorCase(op="adaptive_avg_pool1d", desc="input_0d", args=(T(()), 1)),
    ErrorCase(op="adaptive_max_pool2d", desc="input_0d", args=(T(()), 1)),
    ErrorCase(op="adaptive_max_pool1d", desc="input_0d", args=(T(()), 1)),
    ErrorCase(op="max_unpool2d", desc="input_0d", args=(T(()), _IDX_0D, 1)),
    ErrorCase(op="max_unpool1d", desc="input_0d", args=(T(()), _IDX_0D, 1)),
    ErrorCase(op="MaxPool2d", desc="input_0d", module=True, args=(1,), call_inputs=(T(()),)),
    ErrorCase(op="AdaptiveAvgPool1d", desc="input_0d", module=True, args=(1,), call_inputs=(T(()),)),
]

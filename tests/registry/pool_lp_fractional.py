"""LPPool1d/2d/3d and FractionalMaxPool2d/3d with their functional forms (issue 20).

Fractional max pooling is random.  Two kinds of case:

* the deterministic relation: the same ``_random_samples`` passed to torch and refnn give the same
  windows, so outputs, indices and gradients are compared as for any op;
* the sampling: without ``_random_samples`` each library draws its own (torch from its generator,
  refnn from ``refnn.manual_seed``'s), so the cases check what any draw must satisfy, on an input whose
  values increase row-major (a window's max sits at its last element, so the indices give every
  window's start): starts begin at 0, end at L - k, step by floor(alpha) or ceil(alpha); the share of
  planes whose first step is ceil(alpha) is, for both libraries, within 6 sigma of the probability
  that a uniform sample gives it; the dims' samples are independent (the gradient, a scatter to the
  indices, is compared with torch's by the deterministic cases).
"""
import math

import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T
from tests.registry.pooling import ties, with_inf, with_nan

SAMPLES = dict(low=0.0, high=1.0, requires_grad=False)


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t.data)


def increasing(rng, shape, dtype):
    """0, 1, 2, ... row-major: exact in float32 below 2**24; every window's max is its last element."""
    return np.arange(math.prod(shape), dtype=np.float64).reshape(shape).astype(dtype)


def _first_step_probability(alpha):
    """P(int((1 + u) * alpha) - int(u * alpha) == ceil(alpha)) for u uniform on [0, 1)."""
    u = (np.arange(200000) + 0.5) / 200000
    steps = np.floor((1 + u) * alpha) - np.floor(u * alpha)
    return float(np.mean(steps == math.ceil(alpha)))


def sampling_check(kernel, out_size):
    """The check of a (output, indices) pair drawn without _random_samples (see the module docstring)."""
    def check(outs_t, outs_r, arrays):
        x = arrays[0]
        dims = len(kernel)
        spatial = x.shape[-dims:]
        planes = math.prod(x.shape[:-dims])
        for lib, (y, idx) in (("torch", outs_t), ("refnn", outs_r)):
            yd, id_ = _np(y), _np(idx)
            assert yd.shape == x.shape[:-dims] + tuple(out_size), f"{lib}: output shape {yd.shape}"
            flat = x.reshape(planes, -1)
            ip = id_.reshape(planes, -1)
            assert np.array_equal(np.take_along_axis(flat, ip, 1), yd.reshape(planes, -1)), \
                f"{lib}: the output is not the input at the indices"
            coords = np.unravel_index(ip.reshape((planes,) + tuple(out_size)), spatial)
            firsts = []
            for d in range(dims):
                # the starts along dim d: the window's last element minus k - 1, read at index 0 of the other dims
                sel = [slice(None)] + [0] * dims
                sel[1 + d] = slice(None)
                starts = coords[d][tuple(sel)] - (kernel[d] - 1)
                L, k, o = spatial[d], kernel[d], out_size[d]
                assert np.all(starts[:, 0] == 0) and np.all(starts[:, -1] == L - k), f"{lib}: dim {d} ends"
                alpha = (L - k) / (o - 1)
                steps = np.diff(starts, axis=1)
                assert np.all((steps[:, :-1] == math.floor(alpha)) | (steps[:, :-1] == math.ceil(alpha))), \
                    f"{lib}: dim {d} steps outside floor/ceil(alpha)"
                p = _first_step_probability(alpha)
                share = float(np.mean(steps[:, 0] == math.ceil(alpha)))
                sigma = math.sqrt(p * (1 - p) / planes)
                assert abs(share - p) <= 6 * sigma + 1e-9, f"{lib}: dim {d} share {share} vs p {p}"
                firsts.append((steps[:, 0] == math.ceil(alpha), p))
            (a, pa), (b, pb) = firsts[0], firsts[1]
            joint = float(np.mean(a & b))
            sigma = math.sqrt(pa * pb * (1 - pa * pb) / planes)
            assert abs(joint - pa * pb) <= 6 * sigma + 1e-9, f"{lib}: the dims' samples look dependent"
        return None
    return check


def _sampled(fn, kernel, out_size=None, ratio=None):
    """Call F.fractional_max_poolNd without _random_samples; the check recomputes out_size from ratio."""
    def call(F, x):
        return getattr(F, fn)(x, kernel, output_size=out_size, output_ratio=ratio, return_indices=True)
    return call


def _frac_module(cls, kernel, samples_shape, **kwargs):
    """A FractionalMaxPoolNd holding fixed _random_samples (a buffer: loaded from torch's state)."""
    def build(nn, F):
        values = np.random.default_rng(7).random(samples_shape)
        if nn.__name__.startswith("torch"):
            import torch
            samples = torch.tensor(values, dtype=torch.float32)
        else:
            import refnn
            samples = refnn.tensor(values.astype(np.float32))
        return getattr(nn, cls)(kernel, _random_samples=samples, **kwargs)
    return build


FRACTIONAL = [
    OpCase(op="fractional_max_pool2d", desc="output_size", args=(T((2, 3, 9, 8)), 2),
           kwargs={"output_size": (4, 3), "return_indices": True, "_random_samples": T((2, 3, 2), **SAMPLES)}),
    OpCase(op="fractional_max_pool2d", desc="output_size_int", args=(T((2, 3, 9, 9)), (2, 3)),
           kwargs={"output_size": 4, "_random_samples": T((2, 3, 2), **SAMPLES)}),
    OpCase(op="fractional_max_pool2d", desc="output_ratio", args=(T((2, 3, 10, 9)), 2),
           kwargs={"output_ratio": (0.5, 0.7), "return_indices": True, "_random_samples": T((2, 3, 2), **SAMPLES)}),
    OpCase(op="fractional_max_pool2d", desc="output_ratio_list1", args=(T((2, 3, 10, 9)), 3),
           kwargs={"output_ratio": [0.5, 0.5], "_random_samples": T((2, 3, 2), **SAMPLES)}),
    OpCase(op="fractional_max_pool2d", desc="output_size_one", args=(T((2, 3, 6, 7)), 3),
           kwargs={"output_size": 1, "return_indices": True, "_random_samples": T((2, 3, 2), **SAMPLES)}),
    OpCase(op="fractional_max_pool2d", desc="kernel_one_stride_like", args=(T((1, 2, 9, 9)), 1),
           kwargs={"output_size": 9, "return_indices": True, "_random_samples": T((1, 2, 2), **SAMPLES)}),
    OpCase(op="fractional_max_pool2d", desc="kernel_spans_input", args=(T((1, 2, 5, 6)), (5, 6)),
           kwargs={"output_size": 1, "return_indices": True, "_random_samples": T((1, 2, 2), **SAMPLES)}),
    OpCase(op="fractional_max_pool2d", desc="more_samples_than_batch", args=(T((2, 3, 8, 8)), 2),
           kwargs={"output_size": 3, "_random_samples": T((4, 3, 2), **SAMPLES)}),
    OpCase(op="fractional_max_pool2d", desc="unbatched", args=(T((3, 9, 8)), 2),
           kwargs={"output_size": (4, 3), "return_indices": True, "_random_samples": T((1, 3, 2), **SAMPLES)}),
    OpCase(op="fractional_max_pool2d", desc="batch_zero", args=(T((0, 3, 9, 8)), 2),
           kwargs={"output_size": 3, "return_indices": True, "_random_samples": T((0, 3, 2), **SAMPLES)}),
    OpCase(op="fractional_max_pool2d", desc="ties_first_index", args=(T((2, 2, 9, 9), gen=ties), 3),
           kwargs={"output_size": 4, "return_indices": True, "_random_samples": T((2, 2, 2), **SAMPLES)}),
    OpCase(op="fractional_max_pool2d", desc="nan_with_index", args=(T((2, 2, 9, 9), gen=with_nan), 2),
           kwargs={"output_size": 5, "return_indices": True, "_random_samples": T((2, 2, 2), **SAMPLES)}),
    OpCase(op="fractional_max_pool2d", desc="inf", args=(T((2, 2, 9, 9), gen=with_inf), 2),
           kwargs={"output_size": 5, "return_indices": True, "_random_samples": T((2, 2, 2), **SAMPLES)}),
    OpCase(op="fractional_max_pool2d", desc="noncontig_input", args=(T((2, 3, 9, 8), layout="transposed"), 2),
           kwargs={"output_size": 4, "return_indices": True, "_random_samples": T((2, 3, 2), **SAMPLES)}),
    OpCase(op="fractional_max_pool2d_with_indices", desc="functional_form", args=(T((2, 3, 9, 8)), 2),
           kwargs={"output_size": (4, 3), "_random_samples": T((2, 3, 2), **SAMPLES)}),
    OpCase(op="fractional_max_pool3d", desc="output_size", args=(T((2, 2, 7, 9, 8)), 2),
           kwargs={"output_size": (3, 4, 3), "return_indices": True, "_random_samples": T((2, 2, 3), **SAMPLES)}),
    OpCase(op="fractional_max_pool3d", desc="output_ratio_float", args=(T((1, 2, 8, 9, 10)), (2, 3, 2)),
           kwargs={"output_ratio": 0.6, "return_indices": True, "_random_samples": T((1, 2, 3), **SAMPLES)}),
    OpCase(op="fractional_max_pool3d", desc="unbatched", args=(T((2, 7, 8, 9)), 2),
           kwargs={"output_size": 3, "return_indices": True, "_random_samples": T((1, 2, 3), **SAMPLES)}),
    OpCase(op="fractional_max_pool3d", desc="batch_zero", args=(T((0, 2, 7, 8, 9)), 2),
           kwargs={"output_size": 3, "_random_samples": T((0, 2, 3), **SAMPLES)}),
    OpCase(op="fractional_max_pool3d", desc="nan_with_index", args=(T((1, 2, 7, 7, 7), gen=with_nan), 2),
           kwargs={"output_size": 4, "return_indices": True, "_random_samples": T((1, 2, 3), **SAMPLES)}),
    OpCase(op="fractional_max_pool3d_with_indices", desc="functional_form", args=(T((2, 2, 7, 9, 8)), 2),
           kwargs={"output_size": (3, 4, 3), "_random_samples": T((2, 2, 3), **SAMPLES)}),
    # the sampling, each library with its own generator
    OpCase(op="fractional_max_pool2d", desc="sampled_output_size", args=(T((40, 10, 23, 17), gen=increasing),),
           call=_sampled("fractional_max_pool2d", (2, 3), out_size=(10, 7)), check=sampling_check((2, 3), (10, 7)),
           grad=False),
    OpCase(op="fractional_max_pool2d", desc="sampled_output_ratio", args=(T((40, 10, 20, 15), gen=increasing),),
           call=_sampled("fractional_max_pool2d", 2, ratio=(0.45, 0.6)), check=sampling_check((2, 2), (9, 9)),
           grad=False),
    OpCase(op="fractional_max_pool3d", desc="sampled_output_size", args=(T((20, 20, 11, 13, 9), gen=increasing),),
           call=_sampled("fractional_max_pool3d", 2, out_size=(4, 5, 3)), check=sampling_check((2, 2, 2), (4, 5, 3)),
           grad=False, dtypes=("float64",)),
    ModuleCase(module=_frac_module("FractionalMaxPool2d", 2, (2, 3, 2), output_size=(4, 3), return_indices=True),
               name="FractionalMaxPool2d", desc="random_samples_buffer", inputs=(T((2, 3, 9, 8)),)),
    ModuleCase(module=_frac_module("FractionalMaxPool2d", (2, 3), (2, 3, 2), output_ratio=0.5),
               name="FractionalMaxPool2d", desc="output_ratio", inputs=(T((2, 3, 10, 12)),)),
    ModuleCase(module=_frac_module("FractionalMaxPool3d", 2, (2, 2, 3), output_size=3),
               name="FractionalMaxPool3d", desc="random_samples_buffer", inputs=(T((2, 2, 7, 8, 9)),)),
    ModuleCase(module=_frac_module("FractionalMaxPool3d", (2, 2, 3), (2, 2, 3), output_ratio=(0.5, 0.6, 0.5),
                                   return_indices=True),
               name="FractionalMaxPool3d", desc="output_ratio", inputs=(T((2, 2, 8, 9, 10)),)),
]

_X2 = T((2, 3, 8, 8))
_S2 = T((2, 3, 2), **SAMPLES)
FRACTIONAL_ERRORS = [
    ErrorCase(op="fractional_max_pool2d", desc="no_size_no_ratio", args=(_X2, 2)),
    ErrorCase(op="fractional_max_pool2d", desc="ratio_float", args=(_X2, 2), kwargs={"output_ratio": 0.5}),
    ErrorCase(op="fractional_max_pool2d", desc="ratio_three", args=(_X2, 2), kwargs={"output_ratio": (.5, .5, .5)}),
    ErrorCase(op="fractional_max_pool2d", desc="ratio_list1", args=(_X2, 2), kwargs={"output_ratio": [0.5]}),
    ErrorCase(op="fractional_max_pool2d", desc="pool_too_large", args=(_X2, 5),
              kwargs={"output_size": 5, "_random_samples": _S2}),
    ErrorCase(op="fractional_max_pool2d", desc="ratio_above_one", args=(_X2, 2),
              kwargs={"output_ratio": (1.5, 1.5), "_random_samples": _S2}),
    ErrorCase(op="fractional_max_pool2d", desc="kernel_three", args=(_X2, (2, 2, 2)),
              kwargs={"output_size": 2, "_random_samples": _S2}),
    ErrorCase(op="fractional_max_pool2d", desc="output_size_three", args=(_X2, 2),
              kwargs={"output_size": (2, 2, 2), "_random_samples": _S2}),
    ErrorCase(op="fractional_max_pool2d", desc="output_size_negative", args=(_X2, 2),
              kwargs={"output_size": -1, "_random_samples": _S2}),
    ErrorCase(op="fractional_max_pool2d", desc="samples_last_dim", args=(_X2, 2),
              kwargs={"output_size": 3, "_random_samples": T((2, 3, 3), **SAMPLES)}),
    ErrorCase(op="fractional_max_pool2d", desc="samples_2d", args=(_X2, 2),
              kwargs={"output_size": 3, "_random_samples": T((2, 3), **SAMPLES)}),
    ErrorCase(op="fractional_max_pool2d", desc="samples_batch_too_small", args=(_X2, 2),
              kwargs={"output_size": 3, "_random_samples": T((1, 3, 2), **SAMPLES)}),
    ErrorCase(op="fractional_max_pool2d", desc="samples_channels", args=(_X2, 2),
              kwargs={"output_size": 3, "_random_samples": T((2, 2, 2), **SAMPLES)}),
    ErrorCase(op="fractional_max_pool2d", desc="samples_dtype", args=(_X2, 2),
              kwargs={"output_size": 3, "_random_samples": T((2, 3, 2), dtype="int64", low=0, high=1,
                                                             requires_grad=False)}),
    ErrorCase(op="fractional_max_pool2d", desc="input_2d", args=(T((8, 8)), 2), kwargs={"output_size": 3}),
    ErrorCase(op="fractional_max_pool2d", desc="channels_zero", args=(T((2, 0, 8, 8)), 2),
              kwargs={"output_size": 3, "_random_samples": T((2, 0, 2), **SAMPLES)}),
    ErrorCase(op="fractional_max_pool2d", desc="height_zero", args=(T((2, 3, 0, 8)), 2),
              kwargs={"output_size": 3, "_random_samples": _S2}),
    ErrorCase(op="fractional_max_pool2d", desc="input_0d", args=(T(()), 1), kwargs={"output_size": 1}),
    ErrorCase(op="fractional_max_pool3d", desc="input_3d", args=(T((8, 8, 8)), 2), kwargs={"output_size": 3}),
    ErrorCase(op="fractional_max_pool3d", desc="pool_too_large_width", args=(T((1, 2, 8, 8, 8)), (2, 2, 7)),
              kwargs={"output_size": 3, "_random_samples": T((1, 2, 3), **SAMPLES)}),
    ErrorCase(op="fractional_max_pool3d", desc="ratio_one", args=(T((1, 2, 8, 8, 8)), 2),
              kwargs={"output_ratio": 1.0, "_random_samples": T((1, 2, 3), **SAMPLES)}),
    ErrorCase(op="fractional_max_pool3d", desc="samples_last_dim", args=(T((1, 2, 8, 8, 8)), 2),
              kwargs={"output_size": 3, "_random_samples": T((1, 2, 2), **SAMPLES)}),
    ErrorCase(op="FractionalMaxPool2d", desc="module_no_size", module=True, args=(2,)),
    ErrorCase(op="FractionalMaxPool2d", desc="module_both", module=True, args=(2, 3, 0.5)),
    ErrorCase(op="FractionalMaxPool2d", desc="module_ratio_above_one", module=True, args=(2,),
              kwargs={"output_ratio": 1.5}),
    ErrorCase(op="FractionalMaxPool3d", desc="module_kernel_zero", module=True, args=(0,), kwargs={"output_size": 2}),
    ErrorCase(op="FractionalMaxPool3d", desc="module_ratio_one", module=True, args=(2,),
              kwargs={"output_ratio": (0.5, 0.5, 1.0)}),
]


def positive(rng, shape, dtype):
    """Values in [0.1, 2): every power is defined."""
    return rng.uniform(0.1, 2.0, size=shape).astype(dtype)


def zero_windows(rng, shape, dtype):
    """Zeros with a few non-zero entries: windows whose sum of powers is 0 get a zero gradient."""
    x = np.zeros(shape, dtype=dtype)
    x.reshape(-1)[::9] = rng.uniform(0.5, 1.5, size=x.reshape(-1)[::9].shape)
    return x


LP = [
    OpCase(op="lp_pool1d", desc="p2", args=(T((2, 3, 9)), 2, 3)),
    OpCase(op="lp_pool1d", desc="p2_stride", args=(T((2, 3, 10)), 2.0, 3, 2)),
    OpCase(op="lp_pool1d", desc="p1_ceil", args=(T((2, 3, 10)), 1, 3, 2, True)),
    OpCase(op="lp_pool1d", desc="p3_positive", args=(T((2, 3, 9), gen=positive), 3, 2)),
    OpCase(op="lp_pool1d", desc="p1.5_positive", args=(T((2, 3, 9), gen=positive), 1.5, 3, 1)),
    OpCase(op="lp_pool1d", desc="p_inf", args=(T((2, 3, 9)), float("inf"), 3, 2)),
    OpCase(op="lp_pool1d", desc="p_minus_inf", args=(T((2, 3, 9)), float("-inf"), 3, 2)),
    OpCase(op="lp_pool1d", desc="unbatched", args=(T((3, 9)), 2, 3)),
    OpCase(op="lp_pool1d", desc="zero_windows_grad", args=(T((2, 3, 9), gen=zero_windows), 2, 3)),
    OpCase(op="lp_pool2d", desc="p2", args=(T((2, 3, 8, 9)), 2, 3)),
    OpCase(op="lp_pool2d", desc="p2_tuple_stride", args=(T((2, 3, 8, 9)), 2, (2, 3), (1, 2))),
    OpCase(op="lp_pool2d", desc="p1_ceil", args=(T((2, 3, 7, 8)), 1, 2, 2, True)),
    OpCase(op="lp_pool2d", desc="p3_positive", args=(T((2, 3, 8, 8), gen=positive), 3, 2)),
    OpCase(op="lp_pool2d", desc="p0.5_positive", args=(T((2, 3, 8, 8), gen=positive), 0.5, 2)),
    OpCase(op="lp_pool2d", desc="p_negative_positive", args=(T((2, 3, 8, 8), gen=positive), -1.5, 2)),
    OpCase(op="lp_pool2d", desc="p_inf", args=(T((2, 3, 8, 8)), float("inf"), 2)),
    OpCase(op="lp_pool2d", desc="p_minus_inf", args=(T((2, 3, 8, 8)), float("-inf"), (2, 3), 2)),
    OpCase(op="lp_pool2d", desc="unbatched", args=(T((3, 8, 8)), 2, 2)),
    OpCase(op="lp_pool2d", desc="batch_zero", args=(T((0, 3, 8, 8)), 2, 2)),
    OpCase(op="lp_pool2d", desc="zero_windows_grad", args=(T((2, 3, 6, 6), gen=zero_windows), 2, 2)),
    OpCase(op="lp_pool2d", desc="nan_inf", args=(T((2, 2, 6, 6), gen=with_nan), 2, 2), grad=False),
    OpCase(op="lp_pool2d", desc="noncontig_input", args=(T((2, 3, 8, 9), layout="transposed"), 2, 2)),
    OpCase(op="lp_pool3d", desc="p2", args=(T((2, 3, 5, 6, 7)), 2, 2)),
    OpCase(op="lp_pool3d", desc="p2_tuple_stride_ceil", args=(T((2, 3, 5, 6, 7)), 2, (2, 3, 2), (1, 2, 2), True)),
    OpCase(op="lp_pool3d", desc="p1", args=(T((2, 3, 4, 6, 6)), 1, 2)),
    OpCase(op="lp_pool3d", desc="p3_positive", args=(T((2, 3, 4, 6, 6), gen=positive), 3, 2)),
    OpCase(op="lp_pool3d", desc="p_inf", args=(T((2, 3, 4, 6, 6)), float("inf"), 2)),
    OpCase(op="lp_pool3d", desc="p_minus_inf", args=(T((2, 3, 4, 6, 6)), float("-inf"), 2)),
    OpCase(op="lp_pool3d", desc="unbatched", args=(T((3, 4, 6, 6)), 2, 2)),
    OpCase(op="lp_pool3d", desc="zero_windows_grad", args=(T((1, 2, 4, 6, 6), gen=zero_windows), 2, 2)),
    ModuleCase(module="LPPool1d", desc="basic", ctor_args=(2, 3), inputs=(T((2, 3, 9)),)),
    ModuleCase(module="LPPool1d", desc="all_args", ctor_args=(1.5, 3, 2, True), inputs=(T((2, 3, 10), gen=positive),)),
    ModuleCase(module="LPPool2d", desc="basic", ctor_args=(2, 3), inputs=(T((2, 3, 8, 9)),)),
    ModuleCase(module="LPPool2d", desc="all_args", ctor_args=(3, (2, 3), (1, 2), True),
               inputs=(T((2, 3, 8, 9), gen=positive),)),
    ModuleCase(module="LPPool2d", desc="inf", ctor_args=(float("inf"), 2), inputs=(T((2, 3, 8, 8)),)),
    ModuleCase(module="LPPool3d", desc="basic", ctor_args=(2, 2), inputs=(T((2, 3, 4, 6, 6)),)),
    ModuleCase(module="LPPool3d", desc="all_args", ctor_args=(1.2, (3, 2, 2), (2, 1, 2), True),
               inputs=(T((2, 3, 5, 6, 7), gen=positive),)),
]

LP_ERRORS = [
    ErrorCase(op="lp_pool1d", desc="p0", args=(T((2, 3, 9)), 0, 3)),
    ErrorCase(op="lp_pool1d", desc="kernel_tuple", args=(T((2, 3, 9)), 2, (3,))),
    ErrorCase(op="lp_pool2d", desc="kernel_three", args=(T((2, 3, 8, 8)), 2, (2, 2, 2))),
    ErrorCase(op="lp_pool2d", desc="input_5d", args=(T((1, 2, 3, 8, 8)), 2, 2)),
    ErrorCase(op="lp_pool2d", desc="kernel_larger_than_input", args=(T((2, 3, 4, 4)), 2, 5)),
    ErrorCase(op="lp_pool3d", desc="input_3d", args=(T((3, 4, 4)), 2, 2)),
    ErrorCase(op="lp_pool3d", desc="stride_zero", args=(T((1, 2, 4, 4, 4)), 2, 2, 0)),
    ErrorCase(op="lp_pool2d", desc="input_0d", args=(T(()), 2, 1)),
    ErrorCase(op="lp_pool1d", desc="input_0d", args=(T(()), 2, 1)),
    ErrorCase(op="LPPool2d", desc="module_p0", module=True, args=(0, 2), call_inputs=(T((2, 3, 8, 8)),)),
]

CASES = FRACTIONAL + FRACTIONAL_ERRORS + LP + LP_ERRORS

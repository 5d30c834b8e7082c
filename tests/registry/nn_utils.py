"""nn.utils: clip_grad_norm_, get_total_norm, clip_grads_with_norm_, clip_grad_value_, parameters_to_vector,
vector_to_parameters, weight_norm, remove_weight_norm, spectral_norm and remove_spectral_norm.

Each call builds parameters from the case's tensors (the first half values, the second half gradients), runs
the utility and returns what it returns followed by every parameter's gradient (or data) afterwards.
"""
import sys

import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T


def _nn(F):
    return sys.modules[F.__name__.rsplit(".", 1)[0]]


def _params(nn, tensors, none_grad=()):
    half = len(tensors) // 2
    params = []
    for i, (value, grad) in enumerate(zip(tensors[:half], tensors[half:])):
        p = nn.Parameter(value.detach().clone())
        p.grad = None if i in none_grad else grad.detach().clone()
        params.append(p)
    return params


def _grads(params):
    return tuple(p.grad for p in params if p.grad is not None)


def clip_norm(max_norm, norm_type=2.0, single=False, none_grad=(), generator=False, **kwargs):
    def call(F, *tensors):
        nn = _nn(F)
        params = _params(nn, tensors, none_grad)
        arg = params[0] if single else (p for p in params) if generator else params
        total = nn.utils.clip_grad_norm_(arg, max_norm, norm_type, **kwargs)
        return (total,) + _grads(params)
    return call


def total_norm(norm_type=2.0, **kwargs):
    def call(F, *tensors):
        return _nn(F).utils.get_total_norm(list(tensors), norm_type, **kwargs)
    return call


def clip_with_norm(max_norm, total):
    def call(F, *tensors):
        nn = _nn(F)
        params = _params(nn, tensors)
        norm = tensors[0].new_tensor(total)
        nn.utils.clip_grads_with_norm_(params, max_norm, norm)
        return _grads(params)
    return call


def clip_value(clip_value, single=False, **kwargs):
    def call(F, *tensors):
        nn = _nn(F)
        params = _params(nn, tensors)
        nn.utils.clip_grad_value_(params[0] if single else params, clip_value, **kwargs)
        return _grads(params)
    return call


def to_vector(F, *tensors):
    return _nn(F).utils.parameters_to_vector(tensors)


def from_vector(F, vec, *tensors):
    nn = _nn(F)
    params = [nn.Parameter(t.detach().clone()) for t in tensors]
    nn.utils.vector_to_parameters(vec, params)
    return tuple(p.detach() for p in params)


def with_nan(rng, shape, dtype):
    x = rng.uniform(-1, 1, size=shape).astype(dtype)
    x.reshape(-1)[1] = np.nan
    return x


def with_inf(rng, shape, dtype):
    x = rng.uniform(-1, 1, size=shape).astype(dtype)
    x.reshape(-1)[0] = np.inf
    return x


def with_zeros(rng, shape, dtype):
    x = rng.uniform(-1, 1, size=shape).astype(dtype)
    x.reshape(-1)[::3] = 0
    return x


NG = {"requires_grad": False}
P3 = (T((3, 4), **NG), T((5,), **NG), T((2, 2, 2), **NG))
G3 = (T((3, 4), low=-2, high=2, **NG), T((5,), low=-2, high=2, **NG), T((2, 2, 2), low=-2, high=2, **NG))
PG = P3 + G3

CASES = [
    OpCase(op="clip_grad_norm_", desc=f"norm_{name}", call=clip_norm(0.5, norm_type), args=PG, grad=False)
    for name, norm_type in (("2", 2.0), ("1", 1), ("3", 3.0), ("half", 0.5), ("inf", float("inf")),
                            ("minus_inf", -float("inf")), ("inf_string", "inf"), ("minus_one", -1.0))
] + [
    OpCase(op="clip_grad_norm_", desc="norm_0_counts", call=clip_norm(2.0, 0), grad=False,
           args=P3 + tuple(T(g.shape, gen=with_zeros, **NG) for g in G3)),
    OpCase(op="clip_grad_norm_", desc="no_clipping_needed", call=clip_norm(100.0), args=PG, grad=False),
    OpCase(op="clip_grad_norm_", desc="max_norm_zero", call=clip_norm(0.0), args=PG, grad=False),
    OpCase(op="clip_grad_norm_", desc="max_norm_int", call=clip_norm(1), args=PG, grad=False),
    OpCase(op="clip_grad_norm_", desc="single_tensor", call=clip_norm(0.3, single=True),
           args=(T((4, 3), **NG), T((4, 3), **NG)), grad=False),
    OpCase(op="clip_grad_norm_", desc="a_grad_none", call=clip_norm(0.4, none_grad=(1,)), args=PG, grad=False),
    OpCase(op="clip_grad_norm_", desc="generator", call=clip_norm(0.4, generator=True), args=PG, grad=False),
    OpCase(op="clip_grad_norm_", desc="foreach_true", call=clip_norm(0.4, 3, foreach=True), args=PG, grad=False),
    OpCase(op="clip_grad_value_", desc="foreach_true", call=clip_value(0.4, foreach=True), args=PG, grad=False),
    OpCase(op="clip_grad_norm_", desc="foreach_false", call=clip_norm(0.4, foreach=False), args=PG, grad=False),
    OpCase(op="clip_grad_norm_", desc="foreach_none", call=clip_norm(0.4, 1.5, foreach=None), args=PG, grad=False),
    OpCase(op="clip_grad_norm_", desc="nan_grad", call=clip_norm(0.4), grad=False,
           args=P3 + (T((3, 4), gen=with_nan, **NG),) + G3[1:]),
    OpCase(op="clip_grad_norm_", desc="inf_grad_inf_norm", call=clip_norm(0.4, float("inf")), grad=False,
           args=P3 + (T((3, 4), gen=with_inf, **NG),) + G3[1:]),
    OpCase(op="clip_grad_norm_", desc="empty_grad", call=clip_norm(0.4), grad=False,
           args=(T((0, 3), **NG), T((2,), **NG), T((0, 3), **NG), T((2,), **NG))),
    OpCase(op="clip_grad_norm_", desc="no_parameters", call=clip_norm(0.4), args=(), grad=False),
    OpCase(op="clip_grad_norm_", desc="large_values", call=clip_norm(1.0), grad=False,
           args=(T((6,), **NG), T((6,), low=1e18, high=1e19, **NG))),
    OpCase(op="clip_grad_norm_", desc="zero_grads", call=clip_norm(1.0), grad=False,
           args=(T((6,), **NG), T((6,), low=0, high=0, **NG))),
    OpCase(op="get_total_norm", desc="norm_2", call=total_norm(), args=G3, grad=False),
    OpCase(op="get_total_norm", desc="norm_1_5_error_if_nonfinite", call=total_norm(1.5, error_if_nonfinite=True),
           args=G3, grad=False),
    OpCase(op="get_total_norm", desc="norm_minus_inf", call=total_norm(-float("inf")), args=G3, grad=False),
    OpCase(op="get_total_norm", desc="single_tensor", call=lambda F, t: _nn(F).utils.get_total_norm(t, 3),
           args=(T((4, 5), **NG),), grad=False),
    OpCase(op="get_total_norm", desc="empty_list", call=total_norm(), args=(), grad=False, dtypes=("float32",)),
    OpCase(op="clip_grads_with_norm_", desc="clips", call=clip_with_norm(0.5, 2.0), args=PG, grad=False),
    OpCase(op="clip_grads_with_norm_", desc="coefficient_clamped", call=clip_with_norm(5.0, 2.0), args=PG,
           grad=False),
    OpCase(op="clip_grad_value_", desc="half", call=clip_value(0.5), args=PG, grad=False),
    OpCase(op="clip_grad_value_", desc="int_value_single", call=clip_value(1, single=True),
           args=(T((4, 3), **NG), T((4, 3), low=-3, high=3, **NG)), grad=False),
    OpCase(op="clip_grad_value_", desc="nan_kept", call=clip_value(0.25, foreach=False), grad=False,
           args=P3 + (T((3, 4), gen=with_nan, **NG),) + G3[1:]),
    OpCase(op="clip_grad_value_", desc="zero", call=clip_value(0.0), args=PG, grad=False),
    OpCase(op="parameters_to_vector", desc="three", call=to_vector, args=(T((3, 4)), T((5,)), T((2, 2, 2)))),
    OpCase(op="parameters_to_vector", desc="with_empty", call=to_vector,
           args=(T((3, 4)), T((0,)), T((2, 3)))),
    OpCase(op="parameters_to_vector", desc="scalar", call=to_vector, args=(T(()), T((2,)))),
    OpCase(op="vector_to_parameters", desc="three", call=from_vector, grad=False,
           args=(T((25,), **NG), T((3, 4), **NG), T((5,), **NG), T((2, 2, 2), **NG))),
    OpCase(op="vector_to_parameters", desc="longer_vector", call=from_vector, grad=False,
           args=(T((9,), **NG), T((2, 3), **NG))),
    ErrorCase(op="clip_grad_norm_", desc="error_if_nonfinite", call=lambda lib, p, g: clip_norm(
        1.0, error_if_nonfinite=True)(lib.F, p, g), args=(T((4,)), T((4,), gen=with_nan))),
    ErrorCase(op="clip_grad_norm_", desc="error_if_nonfinite_inf", call=lambda lib, p, g: clip_norm(
        1.0, 1.0, error_if_nonfinite=True)(lib.F, p, g), args=(T((4,)), T((4,), gen=with_inf))),
    ErrorCase(op="clip_grad_norm_", desc="norm_type_string", call=lambda lib, p, g: clip_norm(
        1.0, "fro")(lib.F, p, g), args=(T((4,)), T((4,)))),
    ErrorCase(op="parameters_to_vector", desc="transposed_parameter", call=lambda lib, a, b: to_vector(lib.F, a, b),
              args=(T((3, 4), layout="transposed"), T((2,)))),
    ErrorCase(op="vector_to_parameters", desc="not_a_tensor",
              call=lambda lib, p: lib.nn.utils.vector_to_parameters([1.0, 2.0], [lib.nn.Parameter(p)]),
              args=(T((2,)),)),
    ErrorCase(op="vector_to_parameters", desc="vector_too_short",
              call=lambda lib, v, p: from_vector(lib.F, v, p), args=(T((3,)), T((2, 2)))),
]


def weight_normed(make, remove=False, **kwargs):
    """A builder: nn.utils.weight_norm(make(nn)) (then remove_weight_norm when ``remove``)."""
    def build(nn, F):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            module = nn.utils.weight_norm(make(nn), **kwargs)
        return nn.utils.remove_weight_norm(module, kwargs.get("name", "weight")) if remove else module
    return build


CASES += [
    ModuleCase(module=weight_normed(lambda nn: nn.Linear(4, 3)), name="weight_norm", desc="linear",
               inputs=(T((2, 4)),)),
    ModuleCase(module=weight_normed(lambda nn: nn.Linear(4, 3), dim=1), name="weight_norm", desc="linear_dim1",
               inputs=(T((2, 4)),)),
    ModuleCase(module=weight_normed(lambda nn: nn.Linear(4, 3), dim=None), name="weight_norm",
               desc="linear_whole_tensor", inputs=(T((2, 4)),)),
    ModuleCase(module=weight_normed(lambda nn: nn.Conv2d(2, 3, 3)), name="weight_norm", desc="conv2d",
               inputs=(T((2, 2, 5, 5)),)),
    ModuleCase(module=weight_normed(lambda nn: nn.Conv1d(2, 3, 2), dim=-2), name="weight_norm",
               desc="conv1d_dim_minus_2", inputs=(T((2, 2, 5)),)),
    ModuleCase(module=weight_normed(lambda nn: nn.Linear(4, 3), name="bias"), name="weight_norm",
               desc="bias_1d", inputs=(T((2, 4)),)),
    ModuleCase(module=weight_normed(lambda nn: nn.GRU(3, 4), name="weight_hh_l0"), name="weight_norm",
               desc="gru_weight_hh", inputs=(T((4, 2, 3)),)),
    ModuleCase(module=weight_normed(lambda nn: nn.Linear(4, 3), remove=True), name="remove_weight_norm",
               desc="linear", inputs=(T((2, 4)),)),
    ErrorCase(op="weight_norm", desc="twice", call=lambda lib: weight_normed(
        lambda nn: nn.utils.weight_norm(nn.Linear(2, 2)))(lib.nn, lib.F)),
    ErrorCase(op="remove_weight_norm", desc="not_applied",
              call=lambda lib: lib.nn.utils.remove_weight_norm(lib.nn.Linear(2, 2))),
]


def spectral_normed(make, remove=False, **kwargs):
    """A builder: nn.utils.spectral_norm(make(nn)) (then remove_spectral_norm when ``remove``).  refnn loads
    torch's state_dict, u and v included, so both start the power method from the same vectors."""
    def build(nn, F):
        module = nn.utils.spectral_norm(make(nn), **kwargs)
        return nn.utils.remove_spectral_norm(module, kwargs.get("name", "weight")) if remove else module
    return build


CASES += [
    ModuleCase(module=spectral_normed(lambda nn: nn.Linear(4, 3)), name="spectral_norm", desc="linear_train",
               inputs=(T((2, 4)),), steps=3),
    ModuleCase(module=spectral_normed(lambda nn: nn.Linear(4, 3)), name="spectral_norm", desc="linear_eval",
               inputs=(T((2, 4)),), train=False),
    ModuleCase(module=spectral_normed(lambda nn: nn.Conv2d(2, 3, 3), n_power_iterations=3, eps=1e-6),
               name="spectral_norm", desc="conv2d_three_iterations", inputs=(T((2, 2, 5, 5)),), steps=2),
    ModuleCase(module=spectral_normed(lambda nn: nn.ConvTranspose2d(2, 3, 2)), name="spectral_norm",
               desc="conv_transpose2d_dim1", inputs=(T((1, 2, 3, 3)),)),
    ModuleCase(module=spectral_normed(lambda nn: nn.Conv1d(2, 4, 3), dim=2), name="spectral_norm",
               desc="conv1d_dim2", inputs=(T((2, 2, 5)),)),
    ModuleCase(module=spectral_normed(lambda nn: nn.Linear(4, 3), remove=True), name="remove_spectral_norm",
               desc="linear", inputs=(T((2, 4)),)),
    ErrorCase(op="spectral_norm", desc="iterations_zero",
              call=lambda lib: lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2), n_power_iterations=0)),
    ErrorCase(op="spectral_norm", desc="parameter_none",
              call=lambda lib: lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2, bias=False), name="bias")),
    ErrorCase(op="spectral_norm", desc="twice", call=lambda lib: lib.nn.utils.spectral_norm(
        lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2)))),
    ErrorCase(op="remove_spectral_norm", desc="not_applied",
              call=lambda lib: lib.nn.utils.remove_spectral_norm(lib.nn.Linear(2, 2))),
]

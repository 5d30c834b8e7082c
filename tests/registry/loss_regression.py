"""Regression and distribution losses: kl_div, smooth_l1_loss, huber_loss, poisson_nll_loss, gaussian_nll_loss
and their modules (KLDivLoss, SmoothL1Loss, HuberLoss, PoissonNLLLoss, GaussianNLLLoss)."""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T
from tests.registry.loss import REDUCTIONS, probabilities, specials, ties

CASES = []


def log_probs_rows(shape):
    """Rows of log-probabilities over the last dim (the usual kl_div input)."""
    def gen(rng, shape_, dtype):
        x = rng.uniform(0.05, 1.0, size=shape_)
        x = x / x.sum(axis=-1, keepdims=True) if len(shape_) else x
        return np.log(x).astype(dtype)
    return T(shape, gen=gen)


def with_zeros(rng, shape, dtype):
    """Probabilities with some exact zeros (xlogy(0, 0) = 0; the target gradient is NaN there)."""
    x = rng.uniform(0.05, 1.0, size=shape).astype(dtype)
    x.reshape(-1)[::4] = 0
    return x


def counts(rng, shape, dtype):
    """Poisson targets: small counts, 0 and 1 among them (the Stirling term is masked where target <= 1)."""
    return rng.integers(0, 6, size=shape).astype(dtype)


def positive(low=0.1, high=3.0):
    return lambda rng, shape, dtype: rng.uniform(low, high, size=shape).astype(dtype)


def tiny_var(rng, shape, dtype):
    """Variances some of which are under eps (clamped)."""
    v = rng.uniform(0.1, 2.0, size=shape).astype(dtype)
    v.reshape(-1)[::3] = 1e-9
    return v


# ---------------------------------------------------------------- kl_div
for red in REDUCTIONS + ("batchmean",):
    for log_target in (False, True):
        tgt = log_probs_rows((4, 5)) if log_target else probabilities((4, 5))
        CASES += [
            OpCase(op="kl_div", desc=f"{red}_log_target_{log_target}", args=(log_probs_rows((4, 5)), tgt),
                   kwargs={"reduction": red, "log_target": log_target}),
        ]
    CASES += [
        OpCase(op="kl_div", desc=f"empty_{red}", args=(T((0, 3)), probabilities((0, 3))), kwargs={"reduction": red}),
        OpCase(op="kl_div", desc=f"0d_{red}", args=(T(()), probabilities(())), kwargs={"reduction": red}),
        ModuleCase(module="KLDivLoss", desc=red, ctor_kwargs={"reduction": red},
                   inputs=(log_probs_rows((3, 4)), probabilities((3, 4)))),
    ]
CASES += [
    OpCase(op="kl_div", desc="target_zeros_forward", args=(log_probs_rows((3, 4)), T((3, 4), gen=with_zeros)),
           kwargs={"reduction": "none"}),
    # the target's gradient is NaN where the target is 0 (xlogy's t / t), as in torch
    OpCase(op="kl_div", desc="target_zeros_sum", args=(log_probs_rows((3, 4)), T((3, 4), gen=with_zeros)),
           kwargs={"reduction": "sum"}),
    OpCase(op="kl_div", desc="target_fixed", args=(log_probs_rows((3, 4)), T((3, 4), 0.1, 0.9, requires_grad=False)),
           kwargs={"reduction": "batchmean"}),
    OpCase(op="kl_div", desc="broadcast_target", args=(log_probs_rows((3, 4)), probabilities((4,))),
           kwargs={"reduction": "batchmean"}),
    OpCase(op="kl_div", desc="broadcast_input_batchmean", args=(log_probs_rows((1, 4)), probabilities((3, 4))),
           kwargs={"reduction": "batchmean"}),
    OpCase(op="kl_div", desc="4d", args=(log_probs_rows((2, 3, 2, 4)), probabilities((2, 3, 2, 4))),
           kwargs={"reduction": "batchmean"}),
    OpCase(op="kl_div", desc="noncontig", args=(T((4, 5), layout="transposed"), T((4, 5), 0.1, 1, layout="strided")),
           kwargs={"reduction": "sum"}),
    OpCase(op="kl_div", desc="specials", args=(T((3, 4), gen=specials), probabilities((3, 4))),
           kwargs={"reduction": "none"}),
    OpCase(op="kl_div", desc="specials_log_target", args=(log_probs_rows((3, 4)), T((3, 4), gen=specials)),
           kwargs={"reduction": "none", "log_target": True}),
    OpCase(op="kl_div", desc="legacy_size_average", args=(log_probs_rows((3, 4)), probabilities((3, 4))),
           kwargs={"size_average": False}),
    OpCase(op="kl_div", desc="legacy_reduce", args=(log_probs_rows((3, 4)), probabilities((3, 4))),
           kwargs={"reduce": False}),
    ModuleCase(module="KLDivLoss", desc="log_target", ctor_kwargs={"reduction": "batchmean", "log_target": True},
               inputs=(log_probs_rows((3, 4)), log_probs_rows((3, 4)))),
    ModuleCase(module="KLDivLoss", desc="legacy_reduce", ctor_kwargs={"reduce": False},
               inputs=(log_probs_rows((3, 4)), probabilities((3, 4)))),
    ErrorCase(op="kl_div", desc="bad_reduction", args=(T((3, 4)), probabilities((3, 4))), kwargs={"reduction": "avg"}),
    ErrorCase(op="kl_div", desc="int_input", args=(T((3,), 0, 3, dtype="int64"), T((3,), 0, 3, dtype="int64"))),
    ErrorCase(op="kl_div", desc="not_broadcastable", args=(T((3, 4)), probabilities((3, 2)))),
    ErrorCase(op="kl_div", desc="input_not_tensor", args=([0.1, 0.2], probabilities((2,)))),
    ErrorCase(op="KLDivLoss", desc="module_bad_reduction", module=True, kwargs={"reduction": "bad"},
              call_inputs=(T((3, 4)), probabilities((3, 4)))),
]

# ---------------------------------------------------------------- smooth_l1_loss and huber_loss
for red in REDUCTIONS:
    CASES += [
        OpCase(op="smooth_l1_loss", desc=f"basic_{red}", args=(T((4, 5), -2, 2), T((4, 5), -2, 2)),
               kwargs={"reduction": red}),
        OpCase(op="smooth_l1_loss", desc=f"beta_half_{red}", args=(T((4, 5), -2, 2), T((4, 5), -2, 2)),
               kwargs={"reduction": red, "beta": 0.5}),
        OpCase(op="smooth_l1_loss", desc=f"beta_0_{red}", args=(T((4, 5)), T((4, 5))),
               kwargs={"reduction": red, "beta": 0.0}),
        OpCase(op="smooth_l1_loss", desc=f"empty_{red}", args=(T((0, 3)), T((0, 3))), kwargs={"reduction": red}),
        OpCase(op="smooth_l1_loss", desc=f"0d_{red}", args=(T(()), T(())), kwargs={"reduction": red}),
        OpCase(op="huber_loss", desc=f"basic_{red}", args=(T((4, 5), -2, 2), T((4, 5), -2, 2)),
               kwargs={"reduction": red}),
        OpCase(op="huber_loss", desc=f"delta_{red}", args=(T((4, 5), -2, 2), T((4, 5), -2, 2)),
               kwargs={"reduction": red, "delta": 0.3}),
        OpCase(op="huber_loss", desc=f"weight_{red}", args=(T((3, 4), -2, 2), T((3, 4), -2, 2)),
               kwargs={"reduction": red, "weight": T((3, 4), 0.1, 2.0)}),
        OpCase(op="huber_loss", desc=f"empty_{red}", args=(T((2, 0)), T((2, 0))), kwargs={"reduction": red}),
        ModuleCase(module="SmoothL1Loss", desc=red, ctor_kwargs={"reduction": red, "beta": 0.7},
                   inputs=(T((2, 3, 4), -2, 2), T((2, 3, 4), -2, 2))),
        ModuleCase(module="HuberLoss", desc=red, ctor_kwargs={"reduction": red, "delta": 1.5},
                   inputs=(T((2, 3, 4), -3, 3), T((2, 3, 4), -3, 3))),
    ]
for op in ("smooth_l1_loss", "huber_loss"):
    param = "beta" if op == "smooth_l1_loss" else "delta"
    CASES += [
        # the kinks: |x - y| == beta / delta exactly, and x == y
        OpCase(op=op, desc="ties", args=(T((6, 5), gen=ties), T((6, 5), gen=ties)), kwargs={"reduction": "none"}),
        OpCase(op=op, desc="ties_half", args=(T((6, 5), gen=ties), T((6, 5), gen=ties)),
               kwargs={"reduction": "sum", param: 0.5}),
        OpCase(op=op, desc="broadcast_target", args=(T((4, 3)), T((3,)))),
        OpCase(op=op, desc="broadcast_both_none", args=(T((4, 1)), T((1, 3))), kwargs={"reduction": "none"}),
        OpCase(op=op, desc="noncontig", args=(T((5, 4), layout="transposed"), T((5, 4), layout="negative"))),
        OpCase(op=op, desc="specials_none", args=(T((3, 4), gen=specials), T((3, 4))), kwargs={"reduction": "none"}),
        OpCase(op=op, desc="specials_mean", args=(T((3, 4), gen=specials), T((3, 4)))),
        OpCase(op=op, desc="many_elements", args=(T((70, 300), -3, 3), T((70, 300), -3, 3))),
        OpCase(op=op, desc="large_param", args=(T((4, 5), -2, 2), T((4, 5))), kwargs={param: 10.0}),
        OpCase(op=op, desc="int_param", args=(T((4, 5), -2, 2), T((4, 5))), kwargs={param: 2}),
        ErrorCase(op=op, desc="bad_reduction", args=(T((3, 4)), T((3, 4))), kwargs={"reduction": "avg"}),
        ErrorCase(op=op, desc="not_broadcastable", args=(T((3, 4)), T((5,)))),
        ErrorCase(op=op, desc="int_input", args=(T((3,), 0, 3, dtype="int64"), T((3,), 0, 3, dtype="int64"))),
    ]
CASES += [
    OpCase(op="smooth_l1_loss", desc="legacy_size_average", args=(T((3, 4)), T((3, 4))),
           kwargs={"size_average": False}),
    OpCase(op="smooth_l1_loss", desc="legacy_reduce_beta_0", args=(T((3, 4)), T((3, 4))),
           kwargs={"reduce": False, "beta": 0.0}),
    OpCase(op="huber_loss", desc="weight_0d", args=(T(()), T(())), kwargs={"weight": T(())}),
    # the weight has input's shape; the target broadcasts the loss (and so the weighted loss) to a bigger one
    OpCase(op="huber_loss", desc="weight_target_broadcast", args=(T((1, 4), -2, 2), T((3, 4), -2, 2)),
           kwargs={"weight": T((1, 4), 0.1, 2.0), "reduction": "none"}),
    ModuleCase(module="SmoothL1Loss", desc="beta_0", ctor_kwargs={"beta": 0.0}, inputs=(T((3, 4)), T((3, 4)))),
    ModuleCase(module="SmoothL1Loss", desc="legacy_size_average", ctor_kwargs={"size_average": False},
               inputs=(T((3, 4)), T((3, 4)))),
    ModuleCase(module="HuberLoss", desc="default", inputs=(T((5,), -3, 3), T((5,), -3, 3))),
    ErrorCase(op="smooth_l1_loss", desc="negative_beta", args=(T((3, 4)), T((3, 4))), kwargs={"beta": -1.0}),
    ErrorCase(op="huber_loss", desc="delta_0", args=(T((3, 4)), T((3, 4))), kwargs={"delta": 0.0}),
    ErrorCase(op="huber_loss", desc="negative_delta", args=(T((3, 4)), T((3, 4))), kwargs={"delta": -1.0}),
    ErrorCase(op="huber_loss", desc="weight_wrong_size", args=(T((3, 4)), T((3, 4))), kwargs={"weight": T((4,))}),
    ErrorCase(op="huber_loss", desc="weight_bad_reduction", args=(T((3, 4)), T((3, 4))),
              kwargs={"weight": T((3, 4)), "reduction": "avg"}),
    ErrorCase(op="HuberLoss", desc="module_delta_string", module=True, kwargs={"delta": "1"}),
    ErrorCase(op="SmoothL1Loss", desc="module_bad_reduction", module=True, kwargs={"reduction": "bad"},
              call_inputs=(T((3, 4)), T((3, 4)))),
]

# ---------------------------------------------------------------- poisson_nll_loss
for red in REDUCTIONS:
    for log_input in (True, False):
        for full in (False, True):
            x = T((4, 5), -2, 2) if log_input else T((4, 5), gen=positive())
            CASES += [
                OpCase(op="poisson_nll_loss", desc=f"log_input_{log_input}_full_{full}_{red}",
                       args=(x, T((4, 5), gen=counts)), kwargs={"log_input": log_input, "full": full,
                                                                "reduction": red}),
            ]
    CASES += [
        OpCase(op="poisson_nll_loss", desc=f"empty_{red}", args=(T((0, 3)), T((0, 3), gen=counts)),
               kwargs={"reduction": red}),
        ModuleCase(module="PoissonNLLLoss", desc=red, ctor_kwargs={"reduction": red, "full": True},
                   inputs=(T((3, 4), -1, 1), T((3, 4), gen=counts))),
    ]
CASES += [
    OpCase(op="poisson_nll_loss", desc="eps", args=(T((3, 4), gen=positive(0, 0.01)), T((3, 4), gen=counts)),
           kwargs={"log_input": False, "eps": 0.1}),
    OpCase(op="poisson_nll_loss", desc="real_targets_full", args=(T((3, 4)), T((3, 4), gen=positive(0.5, 4))),
           kwargs={"full": True, "reduction": "none"}),
    OpCase(op="poisson_nll_loss", desc="broadcast", args=(T((3, 4)), T((4,), gen=counts))),
    OpCase(op="poisson_nll_loss", desc="0d", args=(T(()), T((), gen=counts)), kwargs={"full": True}),
    OpCase(op="poisson_nll_loss", desc="specials", args=(T((3, 4), gen=specials), T((3, 4), gen=counts)),
           kwargs={"reduction": "none"}),
    OpCase(op="poisson_nll_loss", desc="legacy_reduce", args=(T((3, 4)), T((3, 4), gen=counts)),
           kwargs={"reduce": False}),
    ModuleCase(module="PoissonNLLLoss", desc="not_log_input", ctor_kwargs={"log_input": False, "eps": 1e-4},
               inputs=(T((3, 4), gen=positive()), T((3, 4), gen=counts))),
    ErrorCase(op="poisson_nll_loss", desc="bad_reduction", args=(T((3, 4)), T((3, 4))), kwargs={"reduction": "avg"}),
    ErrorCase(op="poisson_nll_loss", desc="not_broadcastable", args=(T((3, 4)), T((3,)))),
]

# ---------------------------------------------------------------- gaussian_nll_loss
_V = T((4, 3), gen=positive(0.2, 2.0))
for red in REDUCTIONS:
    CASES += [
        OpCase(op="gaussian_nll_loss", desc=f"heteroscedastic_{red}", args=(T((4, 3)), T((4, 3)), _V),
               kwargs={"reduction": red}),
        OpCase(op="gaussian_nll_loss", desc=f"full_{red}", args=(T((4, 3)), T((4, 3)), _V),
               kwargs={"reduction": red, "full": True}),
        OpCase(op="gaussian_nll_loss", desc=f"var_one_short_{red}",
               args=(T((4, 3)), T((4, 3)), T((4,), gen=positive(0.2, 2.0))), kwargs={"reduction": red}),
        OpCase(op="gaussian_nll_loss", desc=f"var_size_one_dim_{red}",
               args=(T((4, 3)), T((4, 3)), T((4, 1), gen=positive(0.2, 2.0))), kwargs={"reduction": red}),
        OpCase(op="gaussian_nll_loss", desc=f"empty_{red}", args=(T((0, 3)), T((0, 3)), T((0, 3), gen=positive())),
               kwargs={"reduction": red}),
        ModuleCase(module="GaussianNLLLoss", desc=red, ctor_kwargs={"reduction": red},
                   inputs=(T((2, 3, 4)), T((2, 3, 4)), T((2, 1, 4), gen=positive(0.2, 2.0)))),
    ]
CASES += [
    OpCase(op="gaussian_nll_loss", desc="var_clamped", args=(T((4, 3)), T((4, 3)), T((4, 3), gen=tiny_var)),
           kwargs={"reduction": "none"}),
    OpCase(op="gaussian_nll_loss", desc="eps", args=(T((4, 3)), T((4, 3)), T((4, 3), gen=tiny_var)),
           kwargs={"eps": 0.5}),
    OpCase(op="gaussian_nll_loss", desc="var_float", args=(T((4, 3)), T((4, 3)), 0.7)),
    OpCase(op="gaussian_nll_loss", desc="var_0d_for_1d", args=(T((4,)), T((4,)), T((), gen=positive())),
           kwargs={"reduction": "none"}),
    OpCase(op="gaussian_nll_loss", desc="4d_channel_var", args=(T((2, 3, 4, 4)), T((2, 3, 4, 4)),
                                                                T((2, 1, 4, 4), gen=positive()))),
    OpCase(op="gaussian_nll_loss", desc="target_broadcast", args=(T((4, 3)), T((3,)), _V),
           kwargs={"reduction": "none"}),
    OpCase(op="gaussian_nll_loss", desc="fixed_var", args=(T((4, 3)), T((4, 3)),
                                                           T((4, 3), gen=positive(), requires_grad=False))),
    ModuleCase(module="GaussianNLLLoss", desc="full_eps", ctor_kwargs={"full": True, "eps": 1e-3},
               inputs=(T((5, 2)), T((5, 2)), T((5, 2), gen=tiny_var))),
    ErrorCase(op="gaussian_nll_loss", desc="negative_var", args=(T((4, 3)), T((4, 3)), T((4, 3), -1, -0.1))),
    ErrorCase(op="gaussian_nll_loss", desc="negative_float_var", args=(T((4, 3)), T((4, 3)), -1.0)),
    ErrorCase(op="gaussian_nll_loss", desc="int_var", args=(T((4, 3)), T((4, 3)), 1)),
    ErrorCase(op="gaussian_nll_loss", desc="var_wrong_size", args=(T((4, 3)), T((4, 3)), T((2, 3), 0.1, 1))),
    ErrorCase(op="gaussian_nll_loss", desc="var_two_dims_differ", args=(T((4, 3)), T((4, 3)), T((1, 1), 0.1, 1))),
    ErrorCase(op="gaussian_nll_loss", desc="var_0d_for_2d", args=(T((4, 3)), T((4, 3)), T((), 0.1, 1))),
    ErrorCase(op="gaussian_nll_loss", desc="bad_reduction", args=(T((4, 3)), T((4, 3)), _V),
              kwargs={"reduction": "avg"}),
]

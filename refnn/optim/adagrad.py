"""Adagrad: torch's single-tensor update (``foreach=False``), element by element."""
import numpy as np

from .._kernels import optim as _k
from ..tensor import Tensor
from .optimizer import Optimizer, _check_fused, _check_nonnegative, _step_tensor, _threads


class Adagrad(Optimizer):
    """torch.optim.Adagrad: lr_decay, weight decay, initial accumulator, maximize.

    clr = lr / (1 + (t - 1) lr_decay); sum = sum + g^2; p = p + (-clr g) / (sqrt(sum) + eps).
    Bit-identical to torch.  As in torch, every parameter's state exists from construction.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_nonnegative(lr, "learning rate")
        _check_nonnegative(lr_decay, "lr_decay value")
        _check_nonnegative(weight_decay, "weight_decay value")
        _check_nonnegative(initial_accumulator_value, "initial_accumulator_value value")
        _check_nonnegative(eps, "epsilon value")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        _check_fused(defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p].update(self._init_state(p, group))

    def _setstate_defaults(self):
        return dict(foreach=None, maximize=False, differentiable=False, fused=None)

    def _init_state(self, p, group):
        return {"step": _step_tensor(),
                "sum": Tensor(np.full(p.shape, group["initial_accumulator_value"], dtype=p.dtype))}

    def _update(self, param, grad, state, flat, group, shape):
        step = self._advance(state)
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        _k.adagrad(param, grad, flat["sum"], clr, group["eps"], group["weight_decay"], group["maximize"],
                   _threads(param))

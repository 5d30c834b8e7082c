"""Stochastic gradient descent: torch's single-tensor update (``foreach=False``), element by element."""
import numpy as np

from .._kernels import optim as _k
from ..tensor import Tensor
from .optimizer import Optimizer, _check_fused, _threads, required


class SGD(Optimizer):
    """torch.optim.SGD: weight decay, momentum with dampening, Nesterov, maximize.

    d = g + weight_decay * p;  b = d (first step) or momentum * b + (1 - dampening) * d;
    d = d + momentum * b (Nesterov) or b;  p = p - lr * d.  Bit-identical to torch.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if lr is not required and lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
                        fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_fused(defaults)

    def _setstate_defaults(self):
        return dict(nesterov=False, maximize=False, foreach=None, differentiable=False, fused=False)

    def _init_state(self, p, group):
        return {}

    def _update(self, param, grad, state, flat, group, shape):
        momentum = group["momentum"]
        first = momentum != 0 and "momentum_buffer" not in state
        if first:
            state["momentum_buffer"] = Tensor(np.empty(shape, dtype=param.dtype))
        buf = state["momentum_buffer"].data.reshape(-1) if momentum != 0 else param
        _k.sgd(param, grad, buf, group["lr"], momentum, group["dampening"], group["weight_decay"],
               group["nesterov"], group["maximize"], first, _threads(param))

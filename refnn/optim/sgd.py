"""Stochastic gradient descent with torch's update rule."""
import numpy as np

from ..autograd import no_grad
from .optimizer import Optimizer, required


class SGD(Optimizer):
    """torch.optim.SGD: weight decay, momentum with dampening, Nesterov, maximize.

    d = g + weight_decay * p;  b = d (first step) or momentum * b + (1 - dampening) * d;
    d = d + momentum * b (Nesterov) or b;  p = p - lr * d.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False):
        if lr is not required and lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure=None):
        loss = closure() if closure is not None else None
        # all or nothing: every gradient fits its parameter before any parameter moves
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None and tuple(p.grad.shape) != tuple(p.shape):
                    raise RuntimeError(f"attempting to assign a gradient of size '{list(p.grad.shape)}' to a "
                                       f"tensor of size '{list(p.shape)}'. Please ensure that the gradient "
                                       "and the tensor are the same size")
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                dtype = p.dtype.type
                d = p.grad.data if not group["maximize"] else -p.grad.data
                if group["weight_decay"] != 0:
                    d = d + dtype(group["weight_decay"]) * p.data
                if momentum != 0:
                    state = self.state[id(p)]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = np.array(d, copy=True)
                    else:
                        buf = dtype(momentum) * buf + dtype(1 - dampening) * d
                    state["momentum_buffer"] = buf
                    d = d + dtype(momentum) * buf if group["nesterov"] else buf
                p.data[...] = p.data - dtype(lr) * d
                p._version += 1
        return loss

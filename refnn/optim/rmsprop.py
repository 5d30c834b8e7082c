"""RMSprop: torch's single-tensor update (``foreach=False``), element by element."""
from .._kernels import optim as _k
from .optimizer import Optimizer, _check_nonnegative, _step_tensor, _threads, _zeros_like


class RMSprop(Optimizer):
    """torch.optim.RMSprop: momentum, centered, maximize, weight decay.

    s = alpha s + (1 - alpha) g^2; avg = sqrt(s - ga^2) (centered, ga = lerp(ga, g, 1 - alpha)) or sqrt(s),
    plus eps; b = momentum b + g / avg and p = p - lr b, or p = p + (-lr g) / avg.  Bit-identical to torch.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_nonnegative(lr, "learning rate")
        _check_nonnegative(eps, "epsilon value")
        _check_nonnegative(momentum, "momentum value")
        _check_nonnegative(weight_decay, "weight_decay value")
        _check_nonnegative(alpha, "alpha value")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _setstate_defaults(self):
        return dict(momentum=0, centered=False, foreach=None, maximize=False, differentiable=False,
                    capturable=False)

    def _init_state(self, p, group):
        state = {"step": _step_tensor(), "square_avg": _zeros_like(p)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = _zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = _zeros_like(p)
        return state

    def _update(self, param, grad, state, flat, group, shape):
        self._advance(state)
        square_avg = flat["square_avg"]
        _k.rmsprop(param, grad, square_avg, flat.get("grad_avg", square_avg),
                   flat.get("momentum_buffer", square_avg), group["lr"], group["alpha"], group["eps"],
                   group["weight_decay"], group["momentum"], group["centered"], group["maximize"], _threads(param))

"""Adamax: torch's single-tensor update (``foreach=False``), element by element."""
from .._kernels import optim as _k
from .optimizer import Optimizer, _check_betas, _check_nonnegative, _step_tensor, _threads, _zeros_like


class Adamax(Optimizer):
    """torch.optim.Adamax: m = lerp(m, g, 1 - beta1); u = max(beta2 u, |g| + eps);
    p = p + (-lr / (1 - beta1^t)) m / u.  Bit-identical to torch."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check_nonnegative(lr, "learning rate")
        _check_nonnegative(eps, "epsilon value")
        _check_betas(betas)
        _check_nonnegative(weight_decay, "weight_decay value")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _setstate_defaults(self):
        return dict(foreach=None, maximize=False, differentiable=False, capturable=False)

    def _init_state(self, p, group):
        return {"step": _step_tensor(), "exp_avg": _zeros_like(p), "exp_inf": _zeros_like(p)}

    def _update(self, param, grad, state, flat, group, shape):
        beta1, beta2 = group["betas"]
        step = self._advance(state)
        clr = group["lr"] / (1 - beta1 ** step)
        _k.adamax(param, grad, flat["exp_avg"], flat["exp_inf"], beta1, beta2, group["eps"],
                  group["weight_decay"], clr, group["maximize"], _threads(param))

"""RAdam: torch's single-tensor update (``foreach=False``), element by element."""
from .._kernels import optim as _k
from .optimizer import Optimizer, _check_betas, _check_nonnegative, _step_tensor, _threads, _zeros_like


class RAdam(Optimizer):
    """torch.optim.RAdam: rectified Adam, L2 or decoupled weight decay, maximize.

    m, v as Adam; rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t).  When rho_t > 5:
    p = p - ((m / bc1) lr (1 / (sqrt(v) + eps)) sqrt(bc2)) r_t, else p = p - (m / bc1) lr.
    Bit-identical to torch.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_nonnegative(lr, "learning rate")
        _check_nonnegative(eps, "epsilon value")
        _check_betas(betas)
        _check_nonnegative(weight_decay, "weight_decay value")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _setstate_defaults(self):
        return dict(foreach=None, maximize=False, differentiable=False, capturable=False,
                    decoupled_weight_decay=False)

    def _init_state(self, p, group):
        return {"step": _step_tensor(), "exp_avg": _zeros_like(p), "exp_avg_sq": _zeros_like(p)}

    def _update(self, param, grad, state, flat, group, shape):
        beta1, beta2 = group["betas"]
        step = self._advance(state)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        rectify = rho_t > 5.0
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5 \
            if rectify else 1.0
        _k.radam(param, grad, flat["exp_avg"], flat["exp_avg_sq"], group["lr"], beta1, beta2,
                 group["weight_decay"], group["eps"], bias_correction1, bias_correction2 ** 0.5, rect, rectify,
                 group["decoupled_weight_decay"], group["maximize"], _threads(param))

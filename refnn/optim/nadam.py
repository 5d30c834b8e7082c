"""NAdam: torch's single-tensor update (``foreach=False``), element by element."""
import numpy as np

from .._kernels import optim as _k
from ..tensor import Tensor
from .optimizer import Optimizer, _check_betas, _check_nonnegative, _step_tensor, _threads, _zeros_like


class NAdam(Optimizer):
    """torch.optim.NAdam: momentum decay, L2 or decoupled weight decay, maximize.

    mu_t = beta1 (1 - 0.5 * 0.96^(t psi)); mu_product (a 0-d float32 tensor, as torch keeps it) *= mu_t;
    m, v as Adam; d = sqrt(v / (1 - beta2^t)) + eps;
    p = p + (-lr (1 - mu_t) / (1 - mu_product)) g / d + (-lr mu_{t+1} / (1 - mu_product mu_{t+1})) m / d.
    Bit-identical to torch.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_nonnegative(lr, "learning rate")
        _check_nonnegative(eps, "epsilon value")
        _check_betas(betas)
        _check_nonnegative(weight_decay, "weight_decay value")
        _check_nonnegative(momentum_decay, "momentum_decay value")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _setstate_defaults(self):
        return dict(maximize=False, foreach=None, capturable=False, differentiable=False,
                    decoupled_weight_decay=False)

    def _capturable_message(self):
        return ("If capturable=True, params, mu_products and state_steps must be on supported devices: "
                "['cuda', 'xpu', 'hpu', 'privateuseone', 'xla'].")

    def _init_state(self, p, group):
        return {"step": _step_tensor(), "mu_product": Tensor(np.array(1.0, dtype=np.float32)),
                "exp_avg": _zeros_like(p), "exp_avg_sq": _zeros_like(p)}

    def _update(self, param, grad, state, flat, group, shape):
        beta1, beta2 = group["betas"]
        lr, psi = group["lr"], group["momentum_decay"]
        step = self._advance(state)
        bias_correction2 = 1 - beta2 ** step
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
        mu_product = state["mu_product"]
        # mu_product *= mu: a 0-d tensor times a Python scalar, in the tensor's dtype
        mu_product.data = np.asarray(mu_product.data * mu_product.data.dtype.type(mu))
        product = float(mu_product.data)
        grad_coef = -lr * (1.0 - mu) / (1.0 - product)
        exp_avg_coef = (-lr * mu_next) / (1.0 - product * mu_next)
        _k.nadam(param, grad, flat["exp_avg"], flat["exp_avg_sq"], lr, beta1, beta2, group["weight_decay"],
                 group["eps"], bias_correction2, grad_coef, exp_avg_coef, group["decoupled_weight_decay"],
                 group["maximize"], _threads(param))

"""Adam and AdamW: torch's single-tensor update (``foreach=False``), element by element."""
from .._kernels import optim as _k
from .optimizer import Optimizer, _check_betas, _check_fused, _check_nonnegative, _step_tensor, _threads, \
    _zeros_like


class Adam(Optimizer):
    """torch.optim.Adam: amsgrad, maximize, L2 or decoupled weight decay.

    m = lerp(m, g, 1 - beta1); v = beta2 v + (1 - beta2) g^2 (v = max(v_max, v) with amsgrad);
    p = p + (-lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps), the bias corrections in
    Python doubles as torch computes them.  Bit-identical to torch's foreach=False update.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        _check_nonnegative(lr, "learning rate")
        _check_nonnegative(eps, "epsilon value")
        _check_betas(betas)
        _check_nonnegative(weight_decay, "weight_decay value")
        if not (isinstance(betas[0], float) and isinstance(betas[1], float)):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        _check_fused(defaults)

    def _setstate_defaults(self):
        return dict(amsgrad=False, maximize=False, foreach=None, capturable=False, differentiable=False,
                    decoupled_weight_decay=False, fused=None)

    def _init_state(self, p, group):
        state = {"step": _step_tensor(), "exp_avg": _zeros_like(p), "exp_avg_sq": _zeros_like(p)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = _zeros_like(p)
        return state

    def _update(self, param, grad, state, flat, group, shape):
        beta1, beta2 = group["betas"]
        lr = group["lr"]
        step = self._advance(state)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2 ** 0.5
        v_max = flat.get("max_exp_avg_sq", flat["exp_avg_sq"]) if group["amsgrad"] else flat["exp_avg_sq"]
        _k.adam(param, grad, flat["exp_avg"], flat["exp_avg_sq"], v_max, lr, beta1, beta2,
                group["weight_decay"], group["eps"], step_size, bias_correction2_sqrt, group["amsgrad"],
                group["maximize"], group["decoupled_weight_decay"], _threads(param))


class AdamW(Adam):
    """torch.optim.AdamW: Adam with decoupled weight decay (p = p * (1 - lr * weight_decay) first)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def _fill_group_defaults(self):
        super()._fill_group_defaults()
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True

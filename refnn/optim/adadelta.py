"""Adadelta: torch's single-tensor update (``foreach=False``), element by element."""
from .._kernels import optim as _k
from .optimizer import Optimizer, _check_nonnegative, _step_tensor, _threads, _zeros_like


class Adadelta(Optimizer):
    """torch.optim.Adadelta: rho, eps, weight decay, maximize.

    s = rho s + (1 - rho) g^2; d = sqrt(acc + eps) / sqrt(s + eps) * g; acc = rho acc + (1 - rho) d^2;
    p = p - lr d.  Bit-identical to torch.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        _check_nonnegative(lr, "learning rate")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonnegative(eps, "epsilon value")
        _check_nonnegative(weight_decay, "weight_decay value")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _setstate_defaults(self):
        return dict(foreach=None, maximize=False, differentiable=False, capturable=False)

    def _capturable_message(self):
        return ("If capturable=True, params and state_steps must be on supported devices: "
                "['cuda', 'xpu', 'hpu', 'privateuseone'].")

    def _init_state(self, p, group):
        return {"step": _step_tensor(), "square_avg": _zeros_like(p), "acc_delta": _zeros_like(p)}

    def _update(self, param, grad, state, flat, group, shape):
        self._advance(state)
        _k.adadelta(param, grad, flat["square_avg"], flat["acc_delta"], group["lr"], group["rho"],
                    group["eps"], group["weight_decay"], group["maximize"], _threads(param))

"""spectral_norm and remove_spectral_norm (torch's hook-based ``torch.nn.utils.spectral_norm``).

``name`` becomes the parameter ``name_orig`` and the buffers ``name_u`` (h,) and ``name_v`` (w,), for the
weight seen as an (h, w) matrix W (``dim`` first).  Before every forward, in training mode,
``n_power_iterations`` steps of the power method update u and v in place, without gradient:
``v = normalize(W^T u)``, ``u = normalize(W v)``, normalize(x) = x / max(||x||_2, eps); then
``name = name_orig / sigma`` with ``sigma = u . (W v)``, differentiable in W.  u and v start as normalised
draws from refnn's generator (torch's draws differ; its state_dict, loaded, carries them).

refnn's modules keep no state-dict hooks: a state_dict holds ``name_orig``, ``name_u`` and ``name_v`` and
loads as it is (torch's conversion of pre-1.1 checkpoints, which stored ``name`` instead of ``name_v``, is
not done).
"""
import numpy as np

from ... import random as _random
from ...autograd import no_grad
from ...tensor import Tensor
from .. import modules as _modules
from ..parameter import Parameter

__all__ = ["SpectralNorm", "spectral_norm", "remove_spectral_norm"]


def _normalize(x, eps):
    """x / max(||x||_2, eps) (F.normalize over the only dim)."""
    return x / x.norm(2).clamp(min=eps)


class SpectralNorm:
    """The forward pre-hook that recomputes ``module.<name>`` as ``<name>_orig / sigma``."""

    _version = 1

    def __init__(self, name="weight", n_power_iterations=1, dim=0, eps=1e-12):
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight):
        weight_mat = weight
        if self.dim != 0:
            weight_mat = weight_mat.permute(self.dim, *[d for d in range(weight_mat.dim()) if d != self.dim])
        height = weight_mat.shape[0]
        return weight_mat.reshape(height, -1)

    def compute_weight(self, module, do_power_iteration):
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with no_grad():
                for _ in range(self.n_power_iterations):
                    # torch writes the buffers in place (normalize's out=)
                    v.data[...] = _normalize(weight_mat.t().matmul(u), self.eps).data
                    u.data[...] = _normalize(weight_mat.matmul(v), self.eps).data
                u, v = u.clone(), v.clone()
        sigma = (u * weight_mat.matmul(v)).sum()
        return weight / sigma

    def remove(self, module):
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(module, name, n_power_iterations, dim, eps):
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter {name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        with no_grad():
            h, w = fn.reshape_weight_to_matrix(weight).shape
            dtype = weight.data.dtype
            u = _normalize(Tensor(_random.normal(0.0, 1.0, (h,), dtype=dtype).data), fn.eps)
            v = _normalize(Tensor(_random.normal(0.0, 1.0, (w,), dtype=dtype).data), fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + "_orig", weight)
        setattr(module, fn.name, Tensor(weight.data))
        module.register_buffer(fn.name + "_u", Tensor(np.ascontiguousarray(u.data)))
        module.register_buffer(fn.name + "_v", Tensor(np.ascontiguousarray(v.data)))
        module.register_forward_pre_hook(fn)
        return fn


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide ``module.<name>`` by its largest singular value, estimated by the power method; returns module."""
    if dim is None:
        transposed = tuple(getattr(_modules, f"ConvTranspose{n}d") for n in (1, 2, 3)
                           if hasattr(_modules, f"ConvTranspose{n}d"))
        dim = 1 if isinstance(module, transposed) else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module, name="weight"):
    """Undo :func:`spectral_norm`: ``name`` becomes one Parameter holding the current normalised weight."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")

"""``Optimizer``: parameter groups, defaults, per-parameter state, ``zero_grad`` and ``state_dict`` as torch's.

The state of each parameter is a dict of refnn Tensors keyed by the parameter, in the order the parameters
first took a step; ``step`` is a 0-d float32 tensor, as in torch.  ``state_dict()`` has torch's layout
(``state`` keyed by integer index, ``param_groups`` with ``params`` index lists), so a file written by
``torch.save(optimizer.state_dict(), path)`` loads with ``optimizer.load_state_dict(refnn.load(path))`` and
continues the same run.

Every optimiser computes torch's single-tensor (``foreach=False``) CPU update, element by element, in
refnn's ``_kernels/optim.pyx``.  ``foreach`` and ``fused`` are accepted where torch accepts them and change
nothing: refnn always performs the single-tensor arithmetic (torch's fused CPU kernels round a few
operations differently, by an ulp here and there; its foreach path may too).  ``capturable=True`` fails at the first step with torch's CPU error;
``differentiable=True`` is refused: refnn's optimiser steps are not recorded by autograd.
"""
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain

import numpy as np

from .._functions import _util
from ..autograd import no_grad
from ..tensor import Tensor


class _Required:
    def __repr__(self):
        return "<required parameter>"


required = _Required()

_SCALAR_STATE = ("step", "mu_product")      # 0-d state tensors; every other state tensor has the parameter's shape
_CAPTURABLE_DEVICES = "['cuda', 'xpu', 'hpu', 'privateuseone', 'xla']"


def _step_tensor(value=0.0):
    return Tensor(np.array(value, dtype=np.float32))


class Optimizer:
    """Base class: ``defaults``, ``param_groups``, ``state``; subclasses define ``_init_state`` and
    ``_update``."""

    def __init__(self, params, defaults):
        if defaults.get("differentiable"):
            raise RuntimeError(f"{type(self).__name__}: differentiable=True is not supported: refnn's "
                               f"optimiser steps are not recorded by autograd")
        self.defaults = defaults
        self._hooks = {kind: OrderedDict() for kind in _HOOK_KINDS}
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or "
                            f"dicts, but got {type(params).__module__}.{type(params).__name__}")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ---- groups ---------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a group; options it does not give take the optimiser's defaults (torch's checks)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names
        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                f"{type(param).__module__}.{type(param).__name__}")
            if not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization "
                                 f"parameter {name}")
            param_group.setdefault(name, default)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ---- hooks ----------------------------------------------------------
    def _register(self, kind, hook, prepend=False):
        handle = _RemovableHandle(self._hooks[kind])
        self._hooks[kind][handle.id] = hook
        if prepend:
            self._hooks[kind].move_to_end(handle.id, last=False)
        return handle

    def register_step_pre_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` before each step; may return ``(new_args, new_kwargs)``."""
        return self._register("step_pre", hook)

    def register_step_post_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` after each step."""
        return self._register("step_post", hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """``hook(optimizer)`` before ``state_dict()`` builds the dict."""
        return self._register("state_dict_pre", hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """``hook(optimizer, state_dict)`` after; a returned dict replaces it."""
        return self._register("state_dict_post", hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """``hook(optimizer, state_dict)`` before loading; a returned dict is loaded instead."""
        return self._register("load_state_dict_pre", hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """``hook(optimizer)`` after loading."""
        return self._register("load_state_dict_post", hook, prepend)

    def zero_grad(self, set_to_none=True):
        """Set every gradient to None (default) or to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad.grad_fn = None
                        p.grad.requires_grad = False
                        p.grad.data = np.zeros_like(p.grad.data)

    # ---- state_dict -----------------------------------------------------
    def state_dict(self):
        """``{'state': {index: {name: tensor}}, 'param_groups': [{..., 'params': [index, ...]}]}``."""
        for hook in list(self._hooks["state_dict_pre"].values()):
            hook(self)
        state_dict = self._packed_state_dict()
        for hook in list(self._hooks["state_dict_post"].values()):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def _packed_state_dict(self):
        mapping = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            mapping.update({id(p): i for i, p in enumerate(group["params"], start) if id(p) not in mapping})
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a state_dict from ``state_dict()`` (refnn's or torch's, through ``refnn.load``)."""
        state_dict = dict(state_dict)
        for hook in list(self._hooks["load_state_dict_pre"].values()):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        self._load_state_dict(state_dict)
        for hook in list(self._hooks["load_state_dict_post"].values()):
            hook(self)

    def _load_state_dict(self, state_dict):
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def cast(param, value, key=None):
            if isinstance(value, Tensor):
                if key == "step":
                    return value
                data = value.data
                if param.dtype.kind == "f":
                    data = data.astype(param.dtype, copy=False)
                return Tensor(np.asarray(data, order="C"))
            if isinstance(value, dict):
                return {k: cast(param, v, k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = cast(id_map[k], v)
            else:
                state[k] = v
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.state = state
        self.param_groups = new_groups
        self._fill_group_defaults()

    def _fill_group_defaults(self):
        """torch's ``__setstate__``: options missing from an older checkpoint take their defaults, and a
        ``step`` saved as a number becomes a 0-d float32 tensor."""
        for group in self.param_groups:
            for name, default in self._setstate_defaults().items():
                group.setdefault(name, default)
            for p in group["params"]:
                entry = self.state.get(p)
                if entry and "step" in entry and not isinstance(entry["step"], Tensor):
                    entry["step"] = _step_tensor(float(entry["step"]))

    def _setstate_defaults(self):
        return {}

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # ---- step -----------------------------------------------------------
    def step(self, *args, **kwargs):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss if given.
        Step pre-hooks run first (and may replace the arguments), post-hooks after, as torch's: they see
        ``args`` with the optimizer first."""
        args = (self,) + args
        for hook in list(self._hooks["step_pre"].values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(f"{hook} must return None or a tuple of (new_args, new_kwargs), but got "
                                       f"{result}.")
        loss = self._step(*args[1:], **kwargs)
        for hook in list(self._hooks["step_post"].values()):
            hook(self, args, kwargs)
        return loss

    @no_grad()
    def _step(self, closure=None):
        loss = None
        if closure is not None:
            from ..autograd import enable_grad
            with enable_grad():
                loss = closure()
        # all or nothing: every parameter and gradient is checked before any parameter moves
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if group.get("capturable"):
                    raise AssertionError(self._capturable_message())
                if p.dtype not in (np.float32, np.float64):
                    raise TypeError(f"{type(self).__name__}: refnn updates float32 and float64 parameters, "
                                    f"got {p.dtype}")
                if tuple(p.grad.shape) != tuple(p.shape):
                    raise RuntimeError(f"attempting to assign a gradient of size '{list(p.grad.shape)}' to a "
                                       f"tensor of size '{list(p.shape)}'. Please ensure that the gradient "
                                       "and the tensor are the same size")
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p] if p in self.state else {}
                if len(state) == 0:
                    state.update(self._init_state(p, group))
                param = p.data if p.data.flags.c_contiguous else np.asarray(p.data, order="C")
                grad = np.ascontiguousarray(p.grad.data, dtype=p.dtype)
                flat = {k: _flat(v) for k, v in state.items() if isinstance(v, Tensor) and k not in _SCALAR_STATE}
                self._update(param.reshape(-1), grad.reshape(-1), state, flat, group, p.shape)
                if state and p not in self.state:
                    self.state[p] = state            # (SGD without momentum keeps no state, as torch's)
                if param is not p.data:
                    p.data[...] = param
                p._version += 1
        return loss

    def _capturable_message(self):
        return ("If capturable=True, params and state_steps must be on supported devices: "
                f"{_CAPTURABLE_DEVICES}.")

    @staticmethod
    def _advance(state):
        """``step += 1`` on the 0-d float32 step tensor; returns the step as a Python float."""
        step = state["step"]
        step.data = np.asarray(step.data + np.asarray(1, dtype=step.data.dtype))
        return float(step.data)


_HOOK_KINDS = ("step_pre", "step_post", "state_dict_pre", "state_dict_post", "load_state_dict_pre",
               "load_state_dict_post")


class _RemovableHandle:
    """What a ``register_*_hook`` returns: ``remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks):
        self.hooks = hooks
        self.id = _RemovableHandle._next_id
        _RemovableHandle._next_id += 1

    def remove(self):
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _flat(tensor):
    """The state tensor as a flat C-contiguous view the kernels update in place."""
    if not tensor.data.flags.c_contiguous:
        tensor.data = np.asarray(tensor.data, order="C")
    return tensor.data.reshape(-1)


def _zeros_like(p):
    return Tensor(np.zeros(p.shape, dtype=p.dtype))


def _threads(param):
    """The kernel's thread count: 1 for a parameter too small to share out (the bits are the same)."""
    return _util.threads(param.size)


def _check_betas(betas):
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


def _check_nonnegative(value, label):
    """torch's ``if not 0.0 <= value: raise ValueError(f"Invalid {label}: {value}")``."""
    if not 0.0 <= value:
        raise ValueError(f"Invalid {label}: {value}")


def _check_fused(defaults):
    if defaults.get("fused"):
        if defaults.get("foreach"):
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

"""Tracing a forward run: refnn's functional calls, Tensor methods and module calls, recorded.

Inside ``tracing(graph, model)`` the exported names of ``refnn.nn.functional``, the Tensor methods
in ``_symbolic.TENSOR_METHODS``, ``refnn.cat`` and ``Module.__call__`` are wrapped (and restored on
exit, also after an error). The outermost wrapped call records its ONNX nodes; calls it makes
internally run untraced. Any autograd Function applied outside a recorded call is an operation the
exporter does not know: the export stops with ``NotImplementedError`` naming it rather than write a
graph that leaves it out.
"""
import contextlib
import functools
import inspect
import threading

from .. import autograd
from .. import nn as _nn
import importlib
_tensor_module = importlib.import_module("refnn.tensor")
from ..nn.modules.module import Module
from ..nn.modules.rnn import RNNBase
from ..tensor import Tensor
from . import _symbolic
from ._graph import unqualified_name

_lock = threading.Lock()

# Tensor methods whose result leaves the graph (values read back into Python or plain tensors without a
# gradient): on a traced tensor they would freeze one run's values into the file, so the export refuses them
_UNTRACEABLE = ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "max", "argmax", "item", "tolist",
                "numpy", "long", "__setitem__", "__array__", "__bool__", "__float__", "__int__")


class _State:
    def __init__(self, graph, module_names):
        self.graph = graph
        self.depth = 0
        self.thread = threading.get_ident()     # other threads run refnn untraced meanwhile
        self.module_names = module_names


def _recording(state, original, emit, label):
    signature = inspect.signature(original)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        if state.depth or threading.get_ident() != state.thread:
            return original(*args, **kwargs)
        state.depth += 1
        try:
            out = original(*args, **kwargs)
        finally:
            state.depth -= 1
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        tensors = [v for v in arguments.values() if isinstance(v, Tensor)]
        if tensors and not any(state.graph.has(t) for t in tensors):
            return out                       # constants only: nothing depends on the inputs
        emit(state.graph, arguments, out)
        return out

    wrapper._refnn_onnx_label = label
    return wrapper


@contextlib.contextmanager
def tracing(graph, model):
    """Record the calls a forward of ``model`` makes into ``graph``."""
    module_names = {id(m): name for name, m in model.named_modules()}
    state = _State(graph, module_names)
    saved = []

    def patch(owner, name, replacement):
        saved.append((owner, name, owner.__dict__[name] if name in owner.__dict__ else None))
        setattr(owner, name, replacement)

    functional = _nn.functional
    original_call = Module.__call__
    original_apply = autograd.Function.__dict__["apply"]

    def module_call(self, *args, **kwargs):
        name = state.module_names.get(id(self))
        if state.depth or threading.get_ident() != state.thread:
            return original_call(self, *args, **kwargs)
        if name:
            graph.scope.append(unqualified_name(name))
        try:
            if isinstance(self, RNNBase):          # one module call, one ONNX node per layer
                state.depth += 1
                try:
                    out = original_call(self, *args, **kwargs)
                finally:
                    state.depth -= 1
                _symbolic.recurrent(graph, self, args, kwargs, out)
                return out
            return original_call(self, *args, **kwargs)
        finally:
            if name:
                graph.scope.pop()

    def guarded_apply(cls, *args, **kwargs):
        if state.depth == 0 and threading.get_ident() == state.thread and \
                any(isinstance(a, Tensor) and graph.has(a) for a in args):
            raise NotImplementedError(
                f"refnn.onnx.export: the operation {cls.__name__} is not supported by the ONNX exporter "
                "(called outside any exportable function or Tensor method)")
        return original_apply.__func__(cls, *args, **kwargs)

    def refusing(name, original):
        @functools.wraps(original)
        def refuse(self, *args, **kwargs):
            if state.depth == 0 and threading.get_ident() == state.thread and graph.has(self):
                raise NotImplementedError(
                    f"refnn.onnx.export: Tensor.{name} on a traced tensor has no ONNX export (its result would "
                    "be written into the graph as a constant)")
            return original(self, *args, **kwargs)
        return refuse

    with _lock:
        try:
            for name, emit in _symbolic.FUNCTIONAL.items():
                original = getattr(functional, name)
                patch_target = functional.__dict__
                saved.append((functional, name, original))
                patch_target[name] = _recording(state, original, emit, name)
            for name, emit in _symbolic.TENSOR_METHODS.items():
                patch(Tensor, name, _recording(state, Tensor.__dict__[name], emit, name))
            import refnn
            for name, emit in _symbolic.TOPLEVEL.items():
                original = getattr(_tensor_module, name)
                wrapped = _recording(state, original, emit, name)
                saved.append((refnn, name, getattr(refnn, name)))
                setattr(refnn, name, wrapped)
                saved.append((_tensor_module, name, original))
                setattr(_tensor_module, name, wrapped)
            for name in _UNTRACEABLE:
                if name in Tensor.__dict__:
                    patch(Tensor, name, refusing(name, Tensor.__dict__[name]))
            patch(Module, "__call__", module_call)
            patch(autograd.Function, "apply", classmethod(guarded_apply))
            yield state
        finally:
            for owner, name, original in reversed(saved):
                if original is None:
                    delattr(owner, name)
                elif isinstance(owner, type):
                    setattr(owner, name, original)
                else:
                    setattr(owner, name, original)

"""Reverse-mode automatic differentiation.

A :class:`Function` subclass defines ``forward(ctx, *args)`` on raw data and
``backward(ctx, *grad_outputs)``.  ``Function.apply`` runs the forward with
gradient recording off, and, when any input requires a gradient, links the
outputs into the graph through a :class:`Node`.  ``backward`` walks the graph in
reverse topological order, summing every node's incoming gradients (``+=``)
before calling it, and accumulates into the ``.grad`` of leaves as torch does.

The engine itself (``Context``, ``Node``, ``AccumulateGrad``, ``Function.apply``, the backward
loop and the grad-mode flag) is compiled: ``refnn._C.core``, whose docstring gives the order of
work.  This module holds the Python API around it: the grad-mode context managers, the checks of
``backward``'s arguments and the texts of the engine's messages.
"""
import contextlib

import numpy as np

from ._C import core as _core
from ._C.core import AccumulateGrad, Context, Node, is_grad_enabled, set_grad_enabled  # noqa: F401


class _GradMode(contextlib.ContextDecorator):
    def __init__(self, mode):
        self.mode = mode

    def __enter__(self):
        self.prev = is_grad_enabled()
        set_grad_enabled(self.mode)
        return self

    def __exit__(self, *exc):
        set_grad_enabled(self.prev)
        return False


def no_grad():
    """Context manager and decorator that disables gradient recording."""
    return _GradMode(False)


def enable_grad():
    return _GradMode(True)


# torch's tensor type names, as its autograd messages print them ("[torch.FloatTensor [2, 3]]")
_TENSOR_TYPES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                 "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}

# torch's names of the activations' backward nodes, less "Backward0" (softsign and tanhshrink are
# composites in torch: their last op is a division and a subtraction)
_ACTIVATION_OPS = {"relu": "Relu", "leaky_relu": "LeakyRelu", "elu": "Elu", "hardtanh": "Hardtanh",
                   "hardsigmoid": "Hardsigmoid", "hardswish": "Hardswish", "hardshrink": "Hardshrink",
                   "softshrink": "Softshrink", "threshold": "Threshold", "sigmoid": "Sigmoid", "tanh": "Tanh",
                   "logsigmoid": "LogSigmoid", "silu": "Silu", "mish": "Mish", "softplus": "Softplus",
                   "softsign": "Div", "tanhshrink": "Sub", "gelu": "Gelu", "gelu_tanh": "Gelu"}

# Functions whose class name is not torch's op name
_FUNCTION_OPS = {"ConvFunction": "Convolution", "ConvTransposeFunction": "Convolution"}


def _op_name(function, ctx):
    """The op a Function records, named as torch names its backward node without "Backward0"."""
    if function.__name__ == "ElementwiseFunction" and ctx is not None and hasattr(ctx, "spec"):
        from ._functions.activation import ACTIVATIONS
        for key, spec in ACTIVATIONS.items():
            if spec is ctx.spec:
                return _ACTIVATION_OPS.get(key, key)
    name = _FUNCTION_OPS.get(function.__name__, function.__name__)
    return name[:-len("Function")] if name.endswith("Function") and name != "Function" else name


def _tensor_text(t):
    """torch's "[torch.FloatTensor [2, 3]]" for a tensor in its autograd messages."""
    name = np.dtype(t.dtype).name
    kind = _TENSOR_TYPES.get(name, name)
    return f"[torch.{kind}Tensor [{', '.join(str(n) for n in t.shape)}]]"


def _modified_message(ctx, i, t, version):
    """torch's text: the op named is the one that saved its own output, else the tensor's producer."""
    owner = ctx._saved_owners[i] if i < len(ctx._saved_owners) else None
    if owner is not None:
        which = f", which is output {owner[1]} of {_op_name(owner[0], ctx)},"
    elif getattr(t, "grad_fn", None) is not None and isinstance(t.grad_fn, Node):
        which = f", which is output {t._output_nr} of {_op_name(t.grad_fn.function, t.grad_fn.ctx)},"
    else:
        which = ""
    return ("one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: {_tensor_text(t)}{which} is at version {t._version}; expected version "
            f"{version} instead.")


class Function:
    """Base class of differentiable operations (torch.autograd.Function style).

    Subclasses define the static methods ``forward(ctx, *args)`` and ``backward(ctx, *grads)``.
    """

    apply = classmethod(_core.function_apply)


_Tensor = None


def _tensor_class():
    """refnn.tensor.Tensor (imported on first use: tensor.py imports this module)."""
    global _Tensor
    if _Tensor is None:
        from .tensor import Tensor
        _Tensor = Tensor
    return _Tensor


def _shape_text(shape):
    return f"torch.Size([{', '.join(str(n) for n in shape)}])"


def _root_grads(tensors, grad_tensors):
    """torch.autograd.backward's checks of every root and gradient, all before anything runs.

    Returns the roots and their gradients as arrays of the roots' dtypes.  A gradient is a Tensor,
    a NumPy array or scalar, or None (ones, for a root of one element).
    """
    Tensor = _Tensor or _tensor_class()
    tensors = (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    elif isinstance(grad_tensors, (Tensor, np.ndarray, np.generic)):
        grad_tensors = (grad_tensors,)
    else:
        grad_tensors = tuple(grad_tensors)
    grads = []
    for i, (tensor, gradient) in enumerate(zip(tensors, grad_tensors)):
        if not isinstance(tensor, Tensor):
            raise AssertionError(f"Expected output to be a Tensor, but got {type(tensor).__name__}")
        if isinstance(gradient, (Tensor, np.ndarray, np.generic)):
            grad = gradient.data if isinstance(gradient, Tensor) else np.asarray(gradient)
            if grad.shape != tensor.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {_shape_text(grad.shape)} and "
                    f"output[{i}] has a shape of {_shape_text(tensor.shape)}.")
            grads.append(np.asarray(grad, dtype=tensor.dtype))
        elif gradient is None:
            if tensor.requires_grad and tensor.data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grads.append(np.ones(tensor.shape, dtype=tensor.dtype))
        else:
            raise TypeError(f"gradients can be either Tensors or None, but got {type(gradient).__name__}")
    if len(grads) != len(tensors):
        raise RuntimeError(f"got {len(tensors)} tensors and {len(grads)} gradients")
    for i, tensor in enumerate(tensors):
        if not tensor.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
    return tensors, grads


def backward(tensors, grad_tensors=None, retain_graph=False):
    """Run the backward pass from one tensor or a sequence of tensors (torch.autograd.backward).

    All or nothing: every root and gradient is checked before anything runs, and the leaves'
    ``.grad`` are updated only once the whole pass has succeeded (a failure, or Ctrl-C, part way
    leaves them as they were).
    """
    if grad_tensors is None and type(tensors) is (_Tensor or _tensor_class()) and tensors.requires_grad \
            and tensors.data.size == 1:
        # the common call, ``loss.backward()``: one root of one element that requires a gradient, which
        # passes every check of _root_grads; its gradient is ones, as _root_grads makes it
        data = tensors.data
        _core.run_backward((tensors,), [np.ones(data.shape, dtype=data.dtype)], bool(retain_graph))
        return
    tensors, grads = _root_grads(tensors, grad_tensors)
    _core.run_backward(tuple(tensors), list(grads), bool(retain_graph))

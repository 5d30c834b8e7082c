"""Reverse-mode automatic differentiation.

A :class:`Function` subclass defines ``forward(ctx, *args)`` on raw data and
``backward(ctx, *grad_outputs)``.  ``Function.apply`` runs the forward with
gradient recording off, and, when any input requires a gradient, links the
outputs into the graph through a :class:`Node`.  ``backward`` walks the graph in
reverse topological order, summing every node's incoming gradients (``+=``)
before calling it, and accumulates into the ``.grad`` of leaves as torch does.
"""
import contextlib
import threading

import numpy as np

_state = threading.local()


def is_grad_enabled():
    return getattr(_state, "enabled", True)


def set_grad_enabled(mode):
    _state.enabled = bool(mode)


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


class Context:
    """What a Function's forward leaves for its backward."""

    # defaults shared by every context until a forward sets its own (a context is made per call)
    _saved = ()
    _saved_versions = ()
    _saved_owners = ()   # per saved tensor that is an output of the op: (Function, output index)
    non_differentiable = frozenset()
    dirty = ()

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad

    def save_for_backward(self, *tensors):
        self._saved = tensors
        self._saved_versions = tuple(t._version if t is not None else None for t in tensors)

    @property
    def saved_tensors(self):
        for i, (t, v) in enumerate(zip(self._saved, self._saved_versions)):
            if t is not None and t._version != v:
                raise RuntimeError(self._modified_message(i, t, v))
        return self._saved

    def _modified_message(self, i, t, version):
        """torch's text: the op named is the one that saved its own output, else the tensor's producer."""
        owner = self._saved_owners[i] if i < len(self._saved_owners) else None
        if owner is not None:
            which = f", which is output {owner[1]} of {_op_name(owner[0], self)},"
        elif getattr(t, "grad_fn", None) is not None and isinstance(t.grad_fn, Node):
            which = f", which is output {t._output_nr} of {_op_name(t.grad_fn.function, t.grad_fn.ctx)},"
        else:
            which = ""
        return ("one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: {_tensor_text(t)}{which} is at version {t._version}; expected version "
                f"{version} instead.")

    def mark_non_differentiable(self, *tensors):
        self.non_differentiable = self.non_differentiable | {id(t) for t in tensors}

    def mark_dirty(self, *tensors):
        self.dirty = tensors


class Node:
    """One recorded call of a Function: its context and the edges to its inputs."""

    def __init__(self, function, ctx, edges, num_outputs):
        self.function = function
        self.ctx = ctx
        self.next_functions = edges          # per input: (node, output_nr) or None
        self.num_outputs = num_outputs
        self.output_meta = [None] * num_outputs  # (shape, dtype) of each output

    def name(self):
        return self.function.__name__ + "Backward"

    def __repr__(self):
        return f"<{self.name()}>"

    def apply(self, grads):
        return self.function.backward(self.ctx, *grads)


class AccumulateGrad:
    """The edge into a leaf: adds the incoming gradient to ``tensor.grad``."""

    num_outputs = 1

    def __init__(self, tensor):
        self.variable = tensor
        self.next_functions = ()

    def name(self):
        return "AccumulateGrad"


_Tensor = None


def _tensor_class():
    """refnn.tensor.Tensor (imported on first use: tensor.py imports this module)."""
    global _Tensor
    if _Tensor is None:
        from .tensor import Tensor
        _Tensor = Tensor
    return _Tensor


def _edge_of(t):
    if not isinstance(t, _Tensor or _tensor_class()) or not t.requires_grad:
        return None
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    return (AccumulateGrad(t), 0)


_NO_GRADS = {}   # number of arguments -> (False, ...)


class Function:
    """Base class of differentiable operations (torch.autograd.Function style).

    Subclasses define the static methods ``forward(ctx, *args)`` and ``backward(ctx, *grads)``.
    """

    @classmethod
    def apply(cls, *args, **kwargs):
        Tensor = _Tensor or _tensor_class()
        enabled = getattr(_state, "enabled", True)
        needs = None
        if enabled:
            needs = tuple([isinstance(a, Tensor) and a.requires_grad for a in args])
            if True not in needs:
                needs = None
        if needs is None:
            nothing = _NO_GRADS.get(len(args))
            if nothing is None:
                nothing = _NO_GRADS.setdefault(len(args), (False,) * len(args))
            ctx = Context(nothing)
        else:
            ctx = Context(needs)
            edges = tuple([_edge_of(a) for a in args])
        _state.enabled = False           # the forward runs without recording (no_grad)
        try:
            outputs = cls.forward(ctx, *args, **kwargs)
        finally:
            _state.enabled = enabled
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        if ctx.dirty:
            for t in ctx.dirty:
                t._version += 1
            # an output saved for backward may be the tensor modified in place
            dirty = {id(t) for t in ctx.dirty}
            ctx._saved_versions = tuple(t._version if t is not None and id(t) in dirty else v
                                        for t, v in zip(ctx._saved, ctx._saved_versions))
        if needs is not None:
            node = Node(cls, ctx, edges, len(outs))
            non_differentiable = ctx.non_differentiable
            if ctx._saved:
                # which saved tensors are this op's own outputs (for the message if one is modified)
                where = {id(out): i for i, out in enumerate(outs)}
                ctx._saved_owners = tuple((cls, where[id(t)]) if id(t) in where else None for t in ctx._saved)
            for i, out in enumerate(outs):
                if not isinstance(out, Tensor):
                    continue
                node.output_meta[i] = (out.shape, out.dtype)
                if id(out) in non_differentiable or out.dtype.kind != "f":
                    continue
                out.requires_grad = True
                out.grad_fn = node
                out._output_nr = i
        return outputs


def _topological_order(roots):
    """Nodes reachable from ``roots``, each after every node that feeds it a gradient."""
    order, seen = [], set()
    stack = [(root, False) for root in reversed(roots)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for edge in node.next_functions:
            if edge is not None and id(edge[0]) not in seen:
                stack.append((edge[0], False))
    order.reverse()
    return order


def _accumulate_leaves(updates):
    """Add every (leaf, gradient) of a finished backward to the leaves' ``.grad``, in order.

    The sums are formed first and stored after, so nothing is stored unless every one can be formed.
    """
    Tensor = _Tensor or _tensor_class()
    sums = {}
    for tensor, grad in updates:
        entry = sums.get(id(tensor))
        if entry is not None:
            entry[1] = entry[1] + grad
        elif tensor.grad is None:
            sums[id(tensor)] = [tensor, np.array(grad, dtype=tensor.dtype, copy=True)]
        else:
            sums[id(tensor)] = [tensor, tensor.grad.data + grad]
    for tensor, value in sums.values():
        if tensor.grad is None:
            tensor.grad = Tensor(value)
        else:
            tensor.grad.data = value


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


def _check_grad_shape(node, i, edge, grad):
    """A Function's gradient must have its input's shape (torch's engine refuses any other): a slip such
    as a 0-d input getting a (1,) gradient fails here instead of reaching ``.grad``."""
    target = edge[0]
    if isinstance(target, AccumulateGrad):
        shape = target.variable.shape
    else:
        meta = target.output_meta[edge[1]]
        if meta is None:
            return
        shape = meta[0]
    if grad.shape != tuple(shape):
        raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} - got "
                           f"{list(grad.shape)} but expected shape compatible with {list(shape)}")


def backward(tensors, grad_tensors=None, retain_graph=False):
    """Run the backward pass from one tensor or a sequence of tensors (torch.autograd.backward).

    All or nothing: every root and gradient is checked before anything runs, and the leaves'
    ``.grad`` are updated only once the whole pass has succeeded (a failure, or Ctrl-C, part way
    leaves them as they were).
    """
    tensors, grads = _root_grads(tensors, grad_tensors)
    pending, roots, leaves = {}, [], []
    for tensor, grad in zip(tensors, grads):
        if tensor.grad_fn is None:
            leaves.append((tensor, grad))
            continue
        node = tensor.grad_fn
        if id(node) not in pending:
            roots.append(node)
        slot = pending.setdefault(id(node), [None] * node.num_outputs)
        nr = tensor._output_nr
        slot[nr] = grad if slot[nr] is None else slot[nr] + grad
    for node in _topological_order(roots):
        grads = pending.pop(id(node), None)
        if grads is None:
            continue
        if isinstance(node, AccumulateGrad):
            leaves.append((node.variable, grads[0]))
            continue
        if node.ctx is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the graph "
                "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
                "you need to backward through the graph a second time or if you need to access saved "
                "tensors after calling backward.")
        full = []
        for g, meta in zip(grads, node.output_meta):
            if g is None and meta is not None:
                g = np.zeros(meta[0], dtype=meta[1])
            full.append(g)
        input_grads = node.apply(full)
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        if not retain_graph:
            node.ctx = None
        for i, (edge, g) in enumerate(zip(node.next_functions, input_grads)):
            if edge is None or g is None:
                continue
            g = np.asarray(getattr(g, "data", g))
            _check_grad_shape(node, i, edge, g)
            slot = pending.setdefault(id(edge[0]), [None] * edge[0].num_outputs)
            slot[edge[1]] = g if slot[edge[1]] is None else slot[edge[1]] + g
    _accumulate_leaves(leaves)

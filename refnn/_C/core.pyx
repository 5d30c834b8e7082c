"""The Tensor's hot fields and the autograd engine, compiled.

``_TensorBase`` holds what every op reads or writes (``data``, ``requires_grad``, ``grad``,
``grad_fn``, the output number and the version counter); ``refnn.tensor.Tensor`` derives from it
and adds every method.  ``Context``, ``Node`` and ``AccumulateGrad`` are the graph's records;
``function_apply`` is ``Function.apply`` (``refnn.autograd.Function``), and ``backward`` runs a
backward pass.  Grad mode is a C thread-local flag (torch's grad mode is per thread).

The engine's order of work is the specification of the bits of every gradient:

* nodes run in the reverse topological order of an iterative depth-first search from the roots
  (the roots in reverse order on the stack, each node's inputs pushed in order);
* a node's incoming gradients are summed with ``+`` in the order they arrive;
* every leaf's gradients are summed in the order the pass reaches them (the roots that are leaves
  first), the first one copied, and added to ``.grad`` only when the whole pass has succeeded (in
  place, ``.grad += g`` for each in turn, when they have ``.grad``'s shape and dtype: the same bits).

A saved tensor that is an output of its op is held as a ``_SavedOutput`` (the array and a version
counter shared with the output), never as the Tensor: no reference cycle output -> grad_fn -> ctx ->
output, so graphs are freed by reference counting, not by the garbage collector.
"""
from cpython.ref cimport Py_REFCNT

import numpy as np

from refnn._C.buffers import Block as _Block

cdef extern from *:
    """
    static __thread int refnn_grad_disabled = 0;
    """
    int refnn_grad_disabled

cdef object _ndarray = np.ndarray
cdef object _Tensor = None          # refnn.tensor.Tensor, registered by refnn.tensor
cdef object _autograd = None        # refnn.autograd (for the messages), imported on first use


def _register_tensor_class(cls):
    global _Tensor
    _Tensor = cls


cdef object _messages():
    global _autograd
    if _autograd is None:
        import refnn.autograd as module
        _autograd = module
    return _autograd


def is_grad_enabled():
    return not refnn_grad_disabled


def set_grad_enabled(mode):
    global refnn_grad_disabled
    refnn_grad_disabled = 0 if mode else 1


# ---------------------------------------------------------------- Tensor
cdef class _VersionCounter:
    """A version counter shared by a tensor and the record of it as a saved output (torch's
    VariableVersion): the record can see in-place changes without holding the tensor itself."""

    cdef Py_ssize_t value


cdef class _TensorBase:
    """A NumPy array with ``requires_grad``, ``grad`` and ``grad_fn`` (the fields; methods in Tensor)."""

    cdef public object data
    cdef public bint requires_grad
    cdef public object grad
    cdef public object grad_fn
    cdef public Py_ssize_t _output_nr
    cdef Py_ssize_t _own_version          # the version counter, while no saved output shares it
    cdef _VersionCounter _shared_version  # the counter once an op saved this tensor (see _SavedOutput)

    def __init__(self, data, requires_grad=False):
        if isinstance(data, _TensorBase):
            data = (<_TensorBase>data).data
        self.data = data if isinstance(data, _ndarray) else np.asarray(data)
        self.requires_grad = requires_grad
        self.grad = None
        self.grad_fn = None
        self._output_nr = 0
        self._own_version = 0

    @property
    def _version(self):
        """How many times the tensor has been modified in place (torch's ``_version``)."""
        return _get_version(self)

    @_version.setter
    def _version(self, value):
        if self._shared_version is not None:
            self._shared_version.value = value
        else:
            self._own_version = value

    @property
    def shape(self):
        return self.data.shape

    def dim(self):
        return self.data.ndim

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def is_leaf(self):
        return self.grad_fn is None

    def __reduce_ex__(self, proto):
        state = getattr(self, "__dict__", None)
        return (_rebuild_tensor, (type(self), self.data, self.requires_grad, self.grad, self.grad_fn,
                                  self._output_nr, self._version), state or None)


def _rebuild_tensor(cls, data, requires_grad, grad, grad_fn, output_nr, version):
    cdef _TensorBase t = cls.__new__(cls)
    t.data, t.requires_grad, t.grad, t.grad_fn = data, requires_grad, grad, grad_fn
    t._output_nr, t._own_version = output_nr, version
    return t


cdef inline Py_ssize_t _get_version(_TensorBase t):
    if t._shared_version is not None:
        return t._shared_version.value
    return t._own_version


cdef inline void _add_version(_TensorBase t):
    if t._shared_version is not None:
        t._shared_version.value += 1
    else:
        t._own_version += 1


cdef _VersionCounter _share_version(_TensorBase t):
    """The tensor's counter as a shared object (made on first use, starting from the tensor's count)."""
    cdef _VersionCounter counter = t._shared_version
    if counter is None:
        counter = _VersionCounter.__new__(_VersionCounter)
        counter.value = t._own_version
        t._shared_version = counter
    return counter


cdef class _SavedOutput:
    """A saved tensor that is an output of the op that saved it (torch's SavedVariable for an output).

    Holding the output Tensor would make a reference cycle (output -> grad_fn -> ctx -> output) that
    only the garbage collector frees; the record keeps the output's array, its type, ``requires_grad``
    and its shared version counter instead, and ``unpack`` rebuilds a tensor that shares the counter
    (so the in-place check and its message see every later change of the output)."""

    cdef object data
    cdef object cls
    cdef bint requires_grad
    cdef Py_ssize_t output_nr
    cdef _VersionCounter counter

    cdef _TensorBase unpack(self):
        cdef _TensorBase t = self.cls.__new__(self.cls)
        t.data = self.data
        t.requires_grad = self.requires_grad
        t._output_nr = self.output_nr
        t._shared_version = self.counter
        return t


cdef _SavedOutput _save_output(_TensorBase t):
    cdef _SavedOutput record = _SavedOutput.__new__(_SavedOutput)
    record.data = t.data
    record.cls = type(t)
    record.requires_grad = t.requires_grad
    record.output_nr = t._output_nr
    record.counter = _share_version(t)
    return record


# ---------------------------------------------------------------- graph records
cdef class Context:
    """What a Function's forward leaves for its backward (any attribute may be set on it)."""

    cdef dict __dict__
    cdef public object needs_input_grad
    cdef public tuple _saved
    cdef public tuple _saved_versions
    cdef public tuple _saved_owners      # per saved tensor that is an output of the op: (Function, output index)
    cdef public object non_differentiable
    cdef public tuple dirty

    def __cinit__(self, *args, **kwargs):
        self._saved = ()
        self._saved_versions = ()
        self._saved_owners = ()
        self.non_differentiable = frozenset()
        self.dirty = ()

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad

    def save_for_backward(self, *tensors):
        self._saved = tensors
        self._saved_versions = tuple([_version_of(t) for t in tensors])

    @property
    def saved_tensors(self):
        """The saved tensors, each checked against its version at save time (torch's error if one
        was modified in place since); a saved output comes back rebuilt from its record."""
        cdef Py_ssize_t i, n = len(self._saved)
        cdef bint rebuilt = False
        cdef list tensors = None
        for i in range(n):
            t = self._saved[i]
            v = self._saved_versions[i]
            if type(t) is _SavedOutput:
                if not rebuilt:
                    tensors = list(self._saved)
                    rebuilt = True
                t = (<_SavedOutput>t).unpack()
                tensors[i] = t
            if t is not None and _version_of(t) != v:
                raise RuntimeError(_messages()._modified_message(self, i, t, v))
        return tuple(tensors) if rebuilt else self._saved

    def _modified_message(self, i, t, version):
        return _messages()._modified_message(self, i, t, version)

    def mark_non_differentiable(self, *tensors):
        self.non_differentiable = self.non_differentiable | {id(t) for t in tensors}

    def mark_dirty(self, *tensors):
        self.dirty = tensors


cdef class Node:
    """One recorded call of a Function: its context and the edges to its inputs."""

    cdef public object function
    cdef public object ctx
    cdef public tuple next_functions      # per input: (node, output_nr) or None
    cdef public Py_ssize_t num_outputs
    cdef public list output_meta          # (shape, dtype) of each output

    def __init__(self, function, ctx, edges, num_outputs):
        self.function = function
        self.ctx = ctx
        self.next_functions = edges
        self.num_outputs = num_outputs
        self.output_meta = [None] * num_outputs

    def name(self):
        return self.function.__name__ + "Backward"

    def __repr__(self):
        return f"<{self.name()}>"

    def apply(self, grads):
        return self.function.backward(self.ctx, *grads)


cdef class AccumulateGrad:
    """The edge into a leaf: adds the incoming gradient to ``tensor.grad``."""

    cdef public object variable
    cdef public tuple next_functions
    cdef public Py_ssize_t num_outputs

    def __init__(self, tensor):
        self.variable = tensor
        self.next_functions = ()
        self.num_outputs = 1

    def name(self):
        return "AccumulateGrad"


cdef inline object _edge_of(object t):
    if not isinstance(t, _TensorBase) or not (<_TensorBase>t).requires_grad:
        return None
    if (<_TensorBase>t).grad_fn is not None:
        return ((<_TensorBase>t).grad_fn, (<_TensorBase>t)._output_nr)
    cdef AccumulateGrad accumulate = AccumulateGrad.__new__(AccumulateGrad)   # (no __init__ call)
    accumulate.variable, accumulate.next_functions, accumulate.num_outputs = t, (), 1
    return (accumulate, 0)


cdef inline object _version_of(object t):
    if isinstance(t, _TensorBase):
        return _get_version(<_TensorBase>t)
    return None if t is None else t._version


cdef inline void _bump_version(object t) except *:
    if isinstance(t, _TensorBase):
        _add_version(<_TensorBase>t)
    else:
        t._version += 1


cdef dict _NO_GRADS = {}   # number of arguments -> (False, ...)


# ---------------------------------------------------------------- Function.apply
def function_apply(cls, *args, **kwargs):
    """``Function.apply``: run ``cls.forward`` without recording, and link the outputs into the graph
    when grad mode is on and an argument requires a gradient."""
    global refnn_grad_disabled
    cdef bint enabled = not refnn_grad_disabled
    cdef bint record = False
    cdef Py_ssize_t n = len(args), i
    cdef Context ctx
    cdef Node node
    cdef _TensorBase t
    for a in args:
        if isinstance(a, _TensorBase) and (<_TensorBase>a).requires_grad:
            record = enabled
            break
    ctx = Context.__new__(Context)
    if record:
        ctx.needs_input_grad = tuple([isinstance(a, _TensorBase) and (<_TensorBase>a).requires_grad
                                      for a in args])
        edges = tuple([_edge_of(a) for a in args])
    else:
        nothing = _NO_GRADS.get(n)
        if nothing is None:
            nothing = _NO_GRADS.setdefault(n, (False,) * n)
        ctx.needs_input_grad = nothing
    refnn_grad_disabled = 1               # the forward runs without recording (no_grad)
    try:
        outputs = cls.forward(ctx, *args, **kwargs)
    finally:
        refnn_grad_disabled = 0 if enabled else 1
    single = not isinstance(outputs, tuple)
    outs = (outputs,) if single else outputs
    if ctx.dirty:
        for d in ctx.dirty:
            _bump_version(d)
        # an output saved for backward may be the tensor modified in place
        dirty = {id(d) for d in ctx.dirty}
        ctx._saved_versions = tuple([_version_of(s) if s is not None and id(s) in dirty else v
                                     for s, v in zip(ctx._saved, ctx._saved_versions)])
        ctx.dirty = ()      # (the in-place op's output: holding it would be a reference cycle)
    if record:
        node = Node.__new__(Node)
        node.function, node.ctx, node.next_functions = cls, ctx, edges
        node.num_outputs = len(outs)
        node.output_meta = [None] * node.num_outputs
        non_differentiable = ctx.non_differentiable
        for i in range(node.num_outputs):
            out = outs[i]
            if not isinstance(out, _TensorBase):
                continue
            t = <_TensorBase>out
            dtype = t.data.dtype
            node.output_meta[i] = (t.data.shape, dtype)
            if (non_differentiable and id(out) in non_differentiable) or dtype.kind != "f":
                continue
            t.requires_grad = True
            t.grad_fn = node
            t._output_nr = i
        if ctx._saved:
            _save_outputs(ctx, cls, outs)
    return outputs


cdef _save_outputs(Context ctx, cls, tuple outs):
    """Replace every saved tensor that is one of ``outs`` by its ``_SavedOutput`` record (no reference
    cycle through the graph), noting (Function, output index) for the in-place message."""
    cdef Py_ssize_t i, j, n = len(ctx._saved), m = len(outs)
    cdef list saved = None, owners = None
    for i in range(n):
        s = ctx._saved[i]
        if s is None:
            continue
        for j in range(m):
            if outs[j] is s:
                if saved is None:
                    saved, owners = list(ctx._saved), [None] * n
                owners[i] = (cls, j)
                if isinstance(s, _TensorBase):
                    saved[i] = _save_output(<_TensorBase>s)
                break
    if saved is not None:
        ctx._saved, ctx._saved_owners = tuple(saved), tuple(owners)


# ---------------------------------------------------------------- backward
cdef list _topological_order(list roots):
    """Nodes reachable from ``roots``, each after every node that feeds it a gradient."""
    cdef list order = [], stack
    cdef set seen = set()
    cdef tuple entry
    stack = [(root, False) for root in reversed(roots)]
    while stack:
        entry = <tuple>stack.pop()
        node = entry[0]
        if entry[1]:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        for edge in node.next_functions:
            if edge is not None and (<tuple>edge)[0] not in seen:
                stack.append(((<tuple>edge)[0], False))
    order.reverse()
    return order


cdef inline bint _owns_memory(object array):
    """Whether ``array``'s memory is its own: NumPy's (no base), or a block of refnn's output cache
    (``refnn._C.buffers``) that nothing else holds (its references: the array's and this variable)."""
    block = array.base
    return block is None or (type(block) is _Block and Py_REFCNT(block) == 2)


cdef inline bint _unshared(object grad, object dtype):
    """Whether ``grad`` is an array no one but the engine holds (its only references: the pass's
    (leaf, gradient) pair and the loop's variable), owning its data, writeable and of the leaf's dtype:
    then it becomes ``.grad`` as it is (torch's engine steals such a buffer too) instead of a copy."""
    if type(grad) is not _ndarray or Py_REFCNT(grad) != 2 or not grad.flags.writeable or grad.dtype != dtype:
        return False
    if _owns_memory(grad):
        return True
    base = grad.base
    # a reshape of a buffer no one else holds (a Function's ``out.reshape(input_shape)``) is one too
    return (type(base) is _ndarray and Py_REFCNT(base) == 2 and _owns_memory(base)
            and base.size == grad.size)


cdef inline bint _addable_in_place(object old, object grad):
    """Whether ``old += grad`` gives the bits of ``old + grad`` and stores them in ``old``: two arrays of
    one shape and dtype, ``old`` writeable."""
    return (type(old) is _ndarray and type(grad) is _ndarray and old.flags.writeable
            and old.dtype == grad.dtype and old.shape == grad.shape)


cdef _accumulate_leaves(list updates):
    """Add every (leaf, gradient) of a finished backward to the leaves' ``.grad``, in order.

    The sums are formed first and stored after, so nothing is stored unless every one can be formed.
    A leaf that already has a ``.grad`` takes the pass's gradients in place, ``.grad += g`` for each
    in order (torch's AccumulateGrad does ``variable_grad += new_grad`` outside grad mode, so a
    reference to ``.grad`` sees the update) when every one has its array's shape and dtype, the
    additions being done in the store phase (they cannot fail); otherwise ``.grad + g + ...`` is formed
    and replaces its array.  Either way the bits are those of the sum in order.
    """
    cdef dict sums = {}
    cdef list entry
    cdef _TensorBase tensor
    for leaf, grad in updates:
        tensor = <_TensorBase>leaf
        entry = sums.get(id(tensor))
        if entry is not None:
            if entry[2] is not None:
                if _addable_in_place(tensor.grad.data, grad):
                    (<list>entry[2]).append(grad)
                    continue
                # not addable in place after all: the sum so far, formed out of place
                value = tensor.grad.data
                for g in entry[2]:
                    value = value + g
                entry[1], entry[2] = value, None
            entry[1] = entry[1] + grad
        elif tensor.grad is None:
            if _unshared(grad, tensor.data.dtype):
                sums[id(tensor)] = [tensor, grad, None]     # nothing else can see it: kept, not copied
            else:
                sums[id(tensor)] = [tensor, np.array(grad, dtype=tensor.data.dtype, copy=True), None]
        elif _addable_in_place(tensor.grad.data, grad):
            sums[id(tensor)] = [tensor, None, [grad]]
        else:
            sums[id(tensor)] = [tensor, tensor.grad.data + grad, None]
    for leaf, value, in_place in sums.values():
        tensor = <_TensorBase>leaf
        if in_place is not None:
            old = tensor.grad.data
            for g in in_place:
                np.add(old, g, out=old)
            _bump_version(tensor.grad)
        elif tensor.grad is None:
            tensor.grad = _Tensor(value)
        else:
            tensor.grad.data = value


cdef _check_grad_shape(Node node, Py_ssize_t i, tuple edge, grad):
    """A Function's gradient must have its input's shape (torch's engine refuses any other): a slip such
    as a 0-d input getting a (1,) gradient fails here instead of reaching ``.grad``."""
    target = edge[0]
    if isinstance(target, AccumulateGrad):
        shape = (<_TensorBase>(<AccumulateGrad>target).variable).data.shape
    else:
        meta = (<Node>target).output_meta[edge[1]]
        if meta is None:
            return
        shape = meta[0]
    if grad.shape != tuple(shape):
        raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} - got "
                           f"{list(grad.shape)} but expected shape compatible with {list(shape)}")


_SECOND_TIME = ("Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the graph "
                "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
                "you need to backward through the graph a second time or if you need to access saved "
                "tensors after calling backward.")


def run_backward(tuple tensors, list grads, bint retain_graph):
    """The pass itself, from checked roots and their gradients (``refnn.autograd.backward``)."""
    cdef dict pending = {}
    cdef list roots = [], leaves = [], slot, full
    cdef Node node
    cdef _TensorBase tensor
    cdef Py_ssize_t nr, i, k
    cdef tuple edge
    for root, grad in zip(tensors, grads):
        tensor = <_TensorBase>root
        if tensor.grad_fn is None:
            leaves.append((tensor, grad))
            continue
        target = tensor.grad_fn
        slot = pending.get(target)
        if slot is None:
            roots.append(target)
            slot = [None] * target.num_outputs
            pending[target] = slot
        nr = tensor._output_nr
        slot[nr] = grad if slot[nr] is None else slot[nr] + grad
    for target in _topological_order(roots):
        slot = pending.pop(target, None)
        if slot is None:
            continue
        if isinstance(target, AccumulateGrad):
            leaves.append(((<AccumulateGrad>target).variable, slot[0]))
            continue
        node = <Node>target
        if node.ctx is None:
            raise RuntimeError(_SECOND_TIME)
        full = []
        for g, meta in zip(slot, node.output_meta):
            if g is None and meta is not None:
                g = np.zeros(meta[0], dtype=meta[1])
            full.append(g)
        input_grads = node.function.backward(node.ctx, *full)
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        if not retain_graph:
            node.ctx = None
        for i, (e, g) in enumerate(zip(node.next_functions, input_grads)):
            if e is None or g is None:
                continue
            edge = <tuple>e
            if not isinstance(g, _ndarray):
                g = np.asarray(getattr(g, "data", g))
            _check_grad_shape(node, i, edge, g)
            nxt = edge[0]
            slot = pending.get(nxt)
            if slot is None:
                slot = [None] * nxt.num_outputs
                pending[nxt] = slot
            nr = edge[1]
            slot[nr] = g if slot[nr] is None else slot[nr] + g
    slot = full = input_grads = g = e = None    # the pass's own references, dropped (see _unshared)
    _accumulate_leaves(leaves)

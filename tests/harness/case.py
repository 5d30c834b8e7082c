"""Case records: what one conformance check runs.

``OpCase`` calls ``F.<op>`` of both libraries; ``ModuleCase`` builds ``nn.<module>``
(or a model from a builder ``(nn, F) -> module``), loads torch's initial state
into refnn's, and compares repr, state_dict names, outputs, gradients and
buffers; ``ErrorCase`` requires both libraries to raise the same exception
class.  ``T`` describes a tensor argument.
"""
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

FLOATS = ("float32", "float64")


@dataclass
class T:
    """A tensor argument: shape, value range, dtype and layout.

    dtype None follows the case's dtype; 'int64'/'bool' for targets and masks.
    ``gen(rng, shape, dtype) -> ndarray`` makes special values (NaN, ties, ...).
    layout: 'contiguous', 'transposed' (last two dims swapped), 'strided' (every
    other element of the last dim) or 'negative' (last dim reversed, a negative
    NumPy stride; torch gets a copy).
    """
    shape: tuple
    low: float = -1.0
    high: float = 1.0
    dtype: Optional[str] = None
    requires_grad: bool = True
    gen: Optional[Callable] = None
    layout: str = "contiguous"


@dataclass
class _Base:
    desc: str = ""
    dtypes: tuple = FLOATS
    grad: bool = True
    tol: Optional[dict] = None          # {'float32': (rtol, atol), ...}: a recorded override
    tol_reason: Optional[str] = None
    xfail: Optional[str] = None         # reason: refnn is known to differ
    skip: Optional[str] = None          # reason: cannot be checked here
    features: tuple = ()                # extra feature tags for the report's matrix


@dataclass
class OpCase(_Base):
    op: str = ""
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    call: Optional[Callable] = None     # (F, *args, **kwargs) -> output, instead of F.<op>
    check: Optional[Callable] = None    # (np outputs torch, np outputs refnn, inputs) -> None for random ops
    family: str = ""
    pointwise: bool = False             # each output and gradient element depends on the same element of
                                        # the first tensor input alone: held to torch's answer for each
                                        # element alone (harness/pointwise.py)


@dataclass
class ModuleCase(_Base):
    module: Any = ""                    # class name in nn, or a builder (nn, F) -> Module
    ctor_args: tuple = ()
    ctor_kwargs: dict = field(default_factory=dict)
    inputs: tuple = ()
    forward_kwargs: dict = field(default_factory=dict)
    train: bool = True
    steps: int = 1                      # forward passes (running buffers after each)
    name: str = ""                      # report row name when module is a builder
    family: str = ""

    @property
    def op(self):
        return self.name or (self.module if isinstance(self.module, str) else "model")


@dataclass
class ErrorCase(_Base):
    op: str = ""                        # F.<op>, or nn.<Module> when module=True
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    module: bool = False                # construct nn.<op>(*args) and call it with call_inputs
    call_inputs: tuple = ()
    call: Optional[Callable] = None     # (lib, *args, **kwargs) where lib has .nn, .F, .tensor
    family: str = ""
    grad: bool = False

"""refnn: a readable, deterministic CPU reference implementation of torch.nn.

``import refnn`` needs NumPy only; PyTorch is the test oracle, never a dependency.
"""
import os as _os

# OpenMP threads that spin while idle make every small parallel loop crawl on a busy machine;
# waiting passively changes no result (every output element is owned by one thread).
_os.environ.setdefault("OMP_WAIT_POLICY", "passive")

from . import autograd  # noqa: E402,F401
from ._threads import get_num_threads, set_num_threads  # noqa: F401
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled  # noqa: F401
from ._isa import kernel_build  # noqa: F401
from .random import manual_seed  # noqa: F401
from .tensor import (Tensor, bool_, cat, double, empty, float, float16, float32, float64,  # noqa: F401,A004
                     from_numpy, int32, int64, long, ones, stack, tensor, zeros)
from . import nn, optim, utils  # noqa: E402,F401
from .serialization import load, save  # noqa: E402,F401

__version__ = "0.1.0"

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
from .tensor import (Tensor, as_tensor, bool, bool_, cat, cdouble, cfloat, complex64, complex128,  # noqa: F401,A004
                     concat, concatenate, device, double, dtype, float, float16, float32, float64, from_numpy,
                     half, int, int8, int16, int32, int64, long, short, stack, tensor, uint8, where)
from ._creation import (arange, empty, empty_like, eye, full, full_like, linspace, ones, ones_like,  # noqa: F401
                        zeros, zeros_like)
from .random import (Generator, bernoulli, get_rng_state, initial_seed, manual_seed, normal, rand,  # noqa: F401
                     rand_like, randint, randint_like, randn, randn_like, randperm, seed, set_rng_state)
from ._ops import *  # noqa: F401,F403,E402
from . import nn, optim, utils  # noqa: E402,F401
from .serialization import load, save  # noqa: E402,F401

__version__ = "0.1.0"

"""refnn's random number generator (Dropout, RReLU, nn.init).

One explicit NumPy ``Generator`` (PCG64), seeded by :func:`manual_seed`.  The
same seed gives the same numbers on every run and every thread count; the
streams are not torch's, so conformance tests compare statistics and relations
(output = input x mask x scale), never raw random draws.
"""
import numpy as np

_generator = np.random.Generator(np.random.PCG64(0))


def manual_seed(seed):
    """Seed the default generator; returns it, as torch.manual_seed does."""
    global _generator
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed: seed must be an int, but got {type(seed).__name__}")
    _generator = np.random.Generator(np.random.PCG64(int(seed) & (2 ** 64 - 1)))
    return _generator


def default_generator():
    return _generator

"""Run one family's differential fuzzer: ``python -m tests.fuzz.run FAMILY N [SEED]``.

Prints one JSON line with the number of examples tried and their outcomes.  Exits non-zero
(with the falsifying example) on the first divergence; a crash shows as a signal exit code to
the parent test.
"""
import importlib
import json
import os
import resource
import sys
import warnings
from collections import Counter


def main(family, max_examples, seed=0):
    # a runaway allocation fails here instead of taking the machine down
    resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))
    warnings.simplefilter("ignore")
    import torch
    import torch.nn.functional as TF
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    import refnn
    import refnn._shape
    import refnn.nn.functional as RF
    from tests.fuzz.differential import check
    from tests.fuzz.families import FAMILIES

    torch.set_num_threads(1)
    # torch's fused attention kernel skips NaN scores in the leftover of its vector-width row maximum, so
    # its NaN-vs-zero results depend on the SIMD width of the build it dispatches to; refnn assumes 256-bit
    # vectors (AVX2 and the default build) -- tell it when the oracle runs 512-bit ones
    if torch.backends.cpu.get_cpu_capability() == "AVX512":
        import refnn.nn.functional._attention as attention
        attention._FUSED_VECTOR_BYTES = 64
    # under the 8 GiB address-space limit, refnn's allocation cap must lie below it, so that a huge output
    # is refused by the cap (RuntimeError) rather than failing inside NumPy (MemoryError)
    refnn._shape.MAX_ALLOCATION_BYTES = 1 << 31
    outcomes = Counter()
    _remove_guard(os.environ.get("REFNN_FUZZ_REMOVE_GUARD"))

    @hseed(seed)
    @settings(max_examples=max_examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(FAMILIES[family])
    def fuzz(draw):
        op, args, kwargs = draw
        outcomes[check(_resolve(torch, TF, op), _resolve(refnn, RF, op), args, kwargs)] += 1

    fuzz()
    print(json.dumps({"family": family, "examples": sum(outcomes.values()), "outcomes": dict(outcomes)}))


def _resolve(lib, functional, op):
    """F.<op>, or for a name starting with "nn." (nn.utils.rnn.pad_sequence, ...) that path from the library."""
    if not op.startswith("nn."):
        return getattr(functional, op)
    target = lib
    for part in op.split("."):
        target = getattr(target, part)
    return target


def _remove_guard(target):
    """For the test that proves the fuzzer works: replace one validation function with a no-op."""
    if not target:
        return
    module_name, name = target.rsplit(".", 1)
    setattr(importlib.import_module(module_name), name, lambda *args, **kwargs: None)
    print(f"validation {target} removed", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)

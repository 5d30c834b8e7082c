"""Which build of the SIMD micro-kernels refnn runs.

The convolution and matrix micro-kernels are compiled twice, a baseline build (SSE2 on x86-64) and
an AVX2 build, and the best one the CPU runs is chosen at import.  Every build performs the same
IEEE operations per element, in the same order, so results are bit-identical whichever runs: the
test suite proves it against committed golden digests.  ``REFNN_ISA`` forces a build, to test the
ones this CPU would not pick:

    REFNN_ISA=auto       the best build the CPU runs (the default)
    REFNN_ISA=baseline   the portable build
    REFNN_ISA=avx2       the AVX2 build (RuntimeError at import where the CPU lacks AVX2)
"""
import os

BUILDS = ("baseline", "avx2")
_LEVELS = {"auto": len(BUILDS) - 1, "": len(BUILDS) - 1, "baseline": 0, "avx2": 1}

REQUESTED = os.environ.get("REFNN_ISA", "auto").strip().lower()
if REQUESTED not in _LEVELS:
    raise ValueError(f"REFNN_ISA must be one of auto, {', '.join(BUILDS)}; got {REQUESTED!r}")
MAX_LEVEL = _LEVELS[REQUESTED]
_chosen = None


def check_level(level):
    """Record the build a kernel module chose; refuse a forced build the CPU cannot run."""
    global _chosen
    if REQUESTED not in ("auto", "") and level < MAX_LEVEL:
        raise RuntimeError(f"REFNN_ISA={REQUESTED} asks for a kernel build this CPU cannot run "
                           f"(it runs {BUILDS[level]!r})")
    _chosen = level
    return level


def kernel_build():
    """The name of the micro-kernel build in use: 'baseline' or 'avx2'."""
    if _chosen is None:
        from ._kernels import gemm  # noqa: F401  (choosing happens at import)
    return BUILDS[_chosen]

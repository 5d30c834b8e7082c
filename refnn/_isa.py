"""Which build of the SIMD micro-kernels refnn runs.

The convolution and matrix micro-kernels (and the few other header kernels) are compiled three times,
a baseline build (SSE2 on x86-64), an AVX2 build and an AVX-512 build (AVX-512 F/VL/BW/DQ, the
x86-64-v4 set), and the best one the CPU and OS run is chosen at import (refnn/_kernels/include/
refnn_isa.h: CPUID for the features, XCR0 for the OS saving their registers).  Every build
performs the same IEEE operations per element, in the same order, so results are bit-identical
whichever runs: the test suite proves it against committed golden digests, and the spec tests run
every build this CPU supports in one process (``forced``).  ``REFNN_ISA`` forces a build, to test
the ones this CPU would not pick:

    REFNN_ISA=auto       the best build the CPU runs (the default)
    REFNN_ISA=baseline   the portable build
    REFNN_ISA=avx2       the AVX2 build (RuntimeError at import where the CPU lacks AVX2)
    REFNN_ISA=avx512     the AVX-512 build (RuntimeError at import where the CPU or OS lacks it)
"""
import contextlib
import os

BUILDS = ("baseline", "avx2", "avx512")
_LEVELS = {"auto": len(BUILDS) - 1, "": len(BUILDS) - 1, "baseline": 0, "avx2": 1, "avx512": 2}

REQUESTED = os.environ.get("REFNN_ISA", "auto").strip().lower()
if REQUESTED not in _LEVELS:
    raise ValueError(f"REFNN_ISA must be one of auto, {', '.join(BUILDS)}; got {REQUESTED!r}")
MAX_LEVEL = _LEVELS[REQUESTED]
_chosen = None
_setters = []


def check_level(level, setter=None):
    """Record the build a kernel module chose; refuse a forced build the CPU cannot run.

    ``setter(max_level) -> level``, when given, re-chooses that module's build (``forced``).
    """
    global _chosen
    if REQUESTED not in ("auto", "") and level < MAX_LEVEL:
        raise RuntimeError(f"REFNN_ISA={REQUESTED} asks for a kernel build this CPU cannot run "
                           f"(it runs {BUILDS[level]!r})")
    _chosen = level
    if setter is not None:
        _setters.append(setter)
    return level


def kernel_build():
    """The name of the micro-kernel build in use: 'baseline', 'avx2' or 'avx512'."""
    if _chosen is None:
        from ._kernels import gemm  # noqa: F401  (choosing happens at import)
    return BUILDS[_chosen]


def supported_builds():
    """The builds this CPU (and OS) runs, in BUILDS order."""
    from ._kernels import gemm
    return BUILDS[:gemm.isa_top_level() + 1]


def _load_kernel_modules():
    from ._kernels import activation, conv, elementwise, gemm, gridsample, loss, normalization, rnn, softmax  # noqa: F401
    from ._kernels import ctc  # noqa: F401  (setter)
    from ._kernels import pooling  # noqa: F401  (setter)


@contextlib.contextmanager
def forced(build):
    """Run every micro-kernel module on ``build`` inside the block (for tests); then back to the
    build chosen at import.  ValueError where this CPU cannot run ``build``."""
    global _chosen
    if build not in BUILDS:
        raise ValueError(f"unknown kernel build {build!r}; expected one of {', '.join(BUILDS)}")
    _load_kernel_modules()
    if build not in supported_builds():
        raise ValueError(f"this CPU cannot run the {build!r} kernel build")
    saved = _chosen
    level = BUILDS.index(build)
    try:
        for setter in _setters:
            got = setter(level)
            assert got == level, (setter, got, level)
        _chosen = level
        yield
    finally:
        for setter in _setters:
            setter(saved)
        _chosen = saved

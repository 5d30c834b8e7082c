"""Build refnn's Cython kernels.

Compiler directives live here, once.  ``REFNN_CYTHON_DEBUG=1`` turns bounds and
wraparound checks back on (the test suite's debug build).  Kernels are compiled
without floating-point contraction so the bits do not depend on the compiler's
use of FMA.  OpenMP is used where the compiler has it, with a clean fallback.
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

DEBUG = os.environ.get("REFNN_CYTHON_DEBUG", "0") == "1"


def _compiler_has_openmp():
    """Try to compile and link a tiny OpenMP program with the default C compiler."""
    if os.environ.get("REFNN_NO_OPENMP") == "1":
        return False
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "t.c")
        with open(src, "w") as f:
            f.write("#include <omp.h>\nint main(void){return omp_get_max_threads() > 0 ? 0 : 1;}\n")
        try:
            result = subprocess.run([cc, "-fopenmp", src, "-o", os.path.join(tmp, "t")],
                                    capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            return False
        return result.returncode == 0


OPENMP = _compiler_has_openmp()
compile_args = ["-O3", "-ffp-contract=off", "-fno-fast-math", "-std=c99"]
link_args = []
if OPENMP:
    compile_args.append("-fopenmp")
    link_args.append("-fopenmp")
if DEBUG:
    compile_args = ["-O1", "-g", "-ffp-contract=off", "-std=c99"] + (["-fopenmp"] if OPENMP else [])

directives = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "cdivision": True,
    "initializedcheck": DEBUG,
    "nonecheck": False,
}

extensions = [
    Extension(
        os.path.splitext(path)[0].replace("/", "."),
        [path],
        include_dirs=[numpy.get_include(), "refnn/_kernels/include"],
        extra_compile_args=compile_args,
        extra_link_args=link_args,
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    )
    for path in sorted(glob.glob("refnn/_kernels/*.pyx")) + sorted(glob.glob("refnn/_C/*.pyx"))
]

setup(
    options={"build_ext": {"parallel": int(os.environ.get("REFNN_BUILD_JOBS", "2"))}},
    ext_modules=cythonize(
        extensions,
        compiler_directives=directives,
        quiet=True,
        nthreads=int(os.environ.get("REFNN_BUILD_JOBS", "0")) or None,
    ),
)

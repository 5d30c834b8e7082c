"""Differential fuzzers against the debug build (bounds checks on), each family in a subprocess.

The example budget per family is ``REFNN_FUZZ_EXAMPLES`` (default 150); counts are written to
``build/fuzz-results.json``.  A crash (signal) or a divergence fails the family's test.
"""
import fcntl
import json
import os
import subprocess
import sys
import sysconfig

import pytest

from tests.fuzz.families import FAMILIES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEBUG_BASE = os.path.join(ROOT, "build", "debug")
EXAMPLES = int(os.environ.get("REFNN_FUZZ_EXAMPLES", "150"))


def _debug_lib():
    plat = f"lib.{sysconfig.get_platform()}-cpython-{sys.version_info.major}{sys.version_info.minor}"
    return os.path.join(DEBUG_BASE, plat)


@pytest.fixture(scope="session")
def debug_build():
    """Build refnn with REFNN_CYTHON_DEBUG=1 (bounds and wraparound checks) once, under a lock."""
    os.makedirs(DEBUG_BASE, exist_ok=True)
    with open(os.path.join(DEBUG_BASE, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        env = dict(os.environ, REFNN_CYTHON_DEBUG="1")
        subprocess.run([sys.executable, "setup.py", "-q", "build", "--build-base", DEBUG_BASE],
                       cwd=ROOT, env=env, check=True, capture_output=True)
    return _debug_lib()


def _run(family, debug_lib, tmp_path, examples, extra_env=None):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([debug_lib, ROOT]), **(extra_env or {}))
    return subprocess.run([sys.executable, "-m", "tests.fuzz.run", family, str(examples)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)


def test_debug_build_has_bounds_checks(debug_build, tmp_path):
    code = ("import refnn._kernels.gemm as g, numpy as np, sys; "
            "sys.exit(0 if 'debug' in g.__file__ else 1)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([debug_build, ROOT]))
    assert subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env).returncode == 0


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_fuzz_family(family, debug_build, tmp_path):
    proc = _run(family, debug_build, tmp_path, EXAMPLES)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}"
    record = json.loads(proc.stdout.strip().splitlines()[-1])
    assert record["examples"] > 0
    path = os.path.join(ROOT, "build", "fuzz-results.json")
    with open(path + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        results = json.load(open(path)) if os.path.exists(path) else {}
        results[family] = record
        json.dump(results, open(path, "w"), indent=1)


def test_fuzzer_finds_a_removed_guard(debug_build, tmp_path):
    """With linear's validation removed, the fuzzer must find the hole (not pass silently)."""
    proc = _run("linear", debug_build, tmp_path, 300,
                {"REFNN_FUZZ_REMOVE_GUARD": "refnn.nn.functional._linear.check_linear_args"})
    assert proc.returncode != 0
    assert "Divergence" in proc.stderr or "Error" in proc.stderr


def test_fuzzer_finds_a_removed_unpool_index_check(debug_build, tmp_path):
    """With max_unpool's index check removed, out-of-range indices reach the kernel, which writes through a
    raw pointer (so even the debug build's bounds checks do not see it): the fuzzer's subprocess ends with a
    divergence or, as observed, a segmentation fault (a negative return code, signal 11)."""
    proc = _run("max_unpool", debug_build, tmp_path, 300,
                {"REFNN_FUZZ_REMOVE_GUARD": "refnn.nn.functional._pooling.check_unpool_indices"})
    assert proc.returncode != 0
    assert proc.returncode < 0 or "Divergence" in proc.stderr or "Error" in proc.stderr

"""REFNN_ISA: the kernel build can be forced, a bad value is refused, and the forced build is the one used."""
import os
import subprocess
import sys

import pytest

import refnn
from refnn import _isa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(value):
    env = dict(os.environ, REFNN_ISA=value)
    return subprocess.run([sys.executable, "-c", "import refnn; print(refnn.kernel_build())"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_kernel_build_names_a_build():
    assert refnn.kernel_build() in _isa.BUILDS


def test_baseline_can_be_forced():
    proc = _run("baseline")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "baseline"


def test_unknown_build_is_refused():
    proc = _run("sse9")
    assert proc.returncode != 0
    assert "REFNN_ISA must be one of auto, baseline, avx2; got 'sse9'" in proc.stderr


@pytest.mark.skipif(not os.path.exists("/proc/cpuinfo"), reason="needs /proc/cpuinfo to know the CPU's features")
def test_avx2_forced_where_the_cpu_has_it():
    has_avx2 = " avx2" in open("/proc/cpuinfo").read()
    proc = _run("avx2")
    if has_avx2:
        assert proc.returncode == 0 and proc.stdout.strip() == "avx2", proc.stderr
    else:
        assert proc.returncode != 0 and "cannot run" in proc.stderr

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
    assert "REFNN_ISA must be one of auto, baseline, avx2, avx512; got 'sse9'" in proc.stderr


@pytest.mark.skipif(not os.path.exists("/proc/cpuinfo"), reason="needs /proc/cpuinfo to know the CPU's features")
def test_avx2_forced_where_the_cpu_has_it():
    has_avx2 = " avx2" in open("/proc/cpuinfo").read()
    proc = _run("avx2")
    if has_avx2:
        assert proc.returncode == 0 and proc.stdout.strip() == "avx2", proc.stderr
    else:
        assert proc.returncode != 0 and "cannot run" in proc.stderr


def _cpu_flags():
    for line in open("/proc/cpuinfo"):
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


AVX512_FLAGS = {"avx512f", "avx512vl", "avx512bw", "avx512dq"}


@pytest.mark.skipif(not os.path.exists("/proc/cpuinfo"), reason="needs /proc/cpuinfo to know the CPU's features")
def test_avx512_forced_where_the_cpu_has_it():
    # Linux lists the AVX-512 flags only where the OS also saves the registers (XCR0), as the detection requires
    has_avx512 = AVX512_FLAGS <= _cpu_flags()
    proc = _run("avx512")
    if has_avx512:
        assert proc.returncode == 0 and proc.stdout.strip() == "avx512", proc.stderr
    else:
        assert proc.returncode != 0 and "cannot run" in proc.stderr


@pytest.mark.skipif(not os.path.exists("/proc/cpuinfo"), reason="needs /proc/cpuinfo to know the CPU's features")
def test_supported_builds_follow_the_cpu_and_auto_picks_the_best():
    flags = _cpu_flags()
    want = ["baseline"]
    if "avx2" in flags:
        want.append("avx2")
        if AVX512_FLAGS <= flags:
            want.append("avx512")
    assert list(_isa.supported_builds()) == want
    proc = _run("auto")
    assert proc.returncode == 0 and proc.stdout.strip() == want[-1], proc.stderr


def test_forced_switches_every_kernel_module_and_restores():
    before = refnn.kernel_build()
    for build in _isa.supported_builds():
        with _isa.forced(build):
            assert refnn.kernel_build() == build
            # every kernel module reports the forced level when asked to choose again up to it
            for setter in _isa._setters:
                assert setter(_isa.BUILDS.index(build)) == _isa.BUILDS.index(build)
        assert refnn.kernel_build() == before
    with pytest.raises(ValueError, match="unknown kernel build 'sse9'"):
        with _isa.forced("sse9"):
            pass

"""The report's header: versions, compiler, CPU and threads, gathered without side effects."""
import datetime
import os
import platform
import shutil
import subprocess
import sys
import sysconfig

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20, cwd=ROOT)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def git_info():
    commit = _run(["git", "rev-parse", "HEAD"])
    branch = _run(["git", "rev-parse", "--abbrev-ref", "HEAD"])
    dirty = bool(_run(["git", "status", "--porcelain", "--untracked-files=no"]))
    return {"commit": commit or "unknown", "branch": branch or "unknown", "dirty": dirty}


def compiler_info():
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    version = ""
    for candidate in (os.environ.get("CC"), cc, "gcc", "cc"):
        if candidate and shutil.which(candidate):
            version = _run([candidate, "--version"]).splitlines()[:1]
            version = version[0] if version else ""
            if version:
                cc = candidate
                break
    return {"cc": cc, "version": version or "unknown",
            "python_build": sysconfig.get_config_var("CC") or "", "cflags": "-O3 -ffp-contract=off -fopenmp"}


def cpu_info():
    model, flags = platform.processor() or "unknown", []
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model in ("unknown", "", "x86_64"):
                    model = value.strip()
                elif key in ("flags", "Features") and not flags:
                    flags = value.split()
    except OSError:
        pass
    simd = [f for f in flags if f.startswith(("sse", "avx", "fma", "neon", "asimd", "sve"))]
    return {"model": model, "logical_cpus": os.cpu_count(), "simd_flags": simd, "flags": flags}


def _version(module):
    try:
        mod = __import__(module)
        return getattr(mod, "__version__", "unknown")
    except Exception:  # noqa: BLE001 - not installed, or broken
        return "not installed"


def collect(jobs, argv):
    import refnn
    try:
        from refnn._kernels import activation as _k  # noqa: F401
        kernels = "built"
    except ImportError as exc:
        kernels = f"not built ({exc})"
    return {
        "refnn": {"version": refnn.__version__, "kernels": kernels, **git_info()},
        "torch": _version("torch"), "numpy": _version("numpy"), "cython": _version("Cython"),
        "matplotlib": _version("matplotlib"),
        "python": platform.python_version(), "platform": platform.platform(),
        "compiler": compiler_info(), "cpu": cpu_info(),
        "threads": {"jobs": jobs, "refnn_default": refnn.get_num_threads(),
                    "per_worker": "refnn 1 and torch 1 for the conformance run; 1 and 2 in the determinism audit",
                    "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "")},
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([os.path.basename(sys.executable), "tools/compliance_report.py"] + list(argv)),
    }

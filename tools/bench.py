#!/usr/bin/env python
"""Time refnn against torch, side by side, workload by workload.

    python tools/bench.py [--only SUBSTR] [--threads 1,2] [--repeat N] [--quick] [--json FILE]

Workloads come from ``tools/workloads/*.py`` (each defines ``WORKLOADS``).  For
each workload and thread count, both libraries run in this one process,
interleaved (torch, refnn, torch, refnn, ...), after a warm-up; each sample
times enough back-to-back iterations to last at least ``--min-time``; the
reported time per iteration is the median of ``--repeat`` samples.  ``.grad``
is set to None on the workload's grad inputs before every iteration.  Printed:
both times, refnn/torch ratio, GFLOP/s (when the workload gives ``flops``) or
GB/s (``bytes``).  Speed is measured here, never asserted in tests.

onnxruntime is a third column where it is installed and the workload has an ONNX form (forward-only
workloads, exported from the torch callable: tools/bench_onnx.py), interleaved with the other two;
``--no-onnxruntime`` leaves it out.  Its ratio is onnxruntime/torch, beside refnn/torch.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

SCHEMA_VERSION = 1


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="bench.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="run workloads whose name or family contains this substring "
                        "(comma-separated alternatives)")
    parser.add_argument("--threads", default="1,2", help="thread counts, comma-separated (default 1,2)")
    parser.add_argument("--repeat", type=int, default=None, help="timed samples per library (default 7; quick 3)")
    parser.add_argument("--warmup", type=int, default=None, help="warm-up iterations per library (default 2; quick 1)")
    parser.add_argument("--min-time", type=float, default=None,
                        help="seconds each sample lasts at least (default 0.05; quick 0.01)")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter samples (a smoke run)")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON (read by compliance_report.py)")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    parser.add_argument("--no-onnxruntime", action="store_true", help="leave out the onnxruntime column")
    args = parser.parse_args(argv)
    args.repeat = args.repeat or (3 if args.quick else 7)
    args.warmup = args.warmup if args.warmup is not None else (1 if args.quick else 2)
    args.min_time = args.min_time if args.min_time is not None else (0.01 if args.quick else 0.05)
    try:
        args.thread_counts = [int(t) for t in args.threads.split(",") if t.strip()]
    except ValueError:
        parser.error(f"--threads: expected comma-separated integers, got {args.threads!r}")
    if not args.thread_counts or min(args.thread_counts) < 1:
        parser.error(f"--threads: expected positive integers, got {args.threads!r}")
    return args


def to_torch(arrays, grad_inputs):
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    out = {}
    for key, arr in arrays.items():
        if isinstance(arr, np.ndarray):
            t = torch.from_numpy(np.array(arr, copy=True))
            if key in grad_inputs:
                t.requires_grad_(True)
            out[key] = t
        else:
            out[key] = arr
    out.update({"F": F, "nn": nn, "lib": torch})
    return out


def to_refnn(arrays, grad_inputs):
    import numpy as np

    import refnn
    import refnn.nn as nn
    import refnn.nn.functional as F
    out = {}
    for key, arr in arrays.items():
        if isinstance(arr, np.ndarray):
            out[key] = refnn.Tensor(np.array(arr, copy=True), requires_grad=key in grad_inputs)
        else:
            out[key] = arr
    out.update({"F": F, "nn": nn, "lib": refnn})
    return out


def _step(fn, grad_tensors):
    def one():
        for t in grad_tensors:
            t.grad = None
        return fn()
    return one


def _sample(step, inner):
    start = time.perf_counter()
    for _ in range(inner):
        step()
    return (time.perf_counter() - start) / inner


def _as_numpy(value):
    import numpy as np
    if isinstance(value, (tuple, list)):
        value = value[0] if value else None
    if value is None:
        return None
    if hasattr(value, "detach"):
        return value.detach().numpy()
    data = getattr(value, "data", None)
    return data if isinstance(data, np.ndarray) else None


def check_outputs(run_torch, run_refnn):
    """Largest |refnn - torch| over the first output of one iteration (None when not comparable)."""
    import numpy as np
    a, b = _as_numpy(run_torch()), _as_numpy(run_refnn())
    if a is None or b is None or a.shape != b.shape:
        return None
    if a.size == 0:
        return 0.0
    finite = np.isfinite(a) & np.isfinite(b)
    return float(np.abs(a[finite].astype(np.float64) - b[finite]).max()) if finite.any() else 0.0


def time_workload(workload, threads, args):
    """Median seconds per iteration for torch and refnn at ``threads``, interleaved."""
    import torch

    import refnn
    torch.set_num_threads(threads)
    refnn.set_num_threads(threads)
    arrays = workload.make_inputs()
    tin, rin = to_torch(arrays, workload.grad_inputs), to_refnn(arrays, workload.grad_inputs)
    run_t = _step(workload.torch_fn(tin), [tin[k] for k in workload.grad_inputs])
    run_r = _step(workload.refnn_fn(rin), [rin[k] for k in workload.grad_inputs])
    max_diff = check_outputs(run_t, run_r)
    run_o, args.onnx_note = None, "left out (--no-onnxruntime)"
    if not getattr(args, "no_onnxruntime", False):
        from tools import bench_onnx
        run_o, args.onnx_note = bench_onnx.runner(workload, arrays, threads)
    for _ in range(args.warmup):
        run_t()
        run_r()
        if run_o:
            run_o()
    # how many iterations per sample: enough to last min_time, from one timed iteration each
    inner_t = max(1, int(args.min_time / max(_sample(run_t, 1), 1e-7)))
    inner_r = max(1, int(args.min_time / max(_sample(run_r, 1), 1e-7)))
    inner_o = max(1, int(args.min_time / max(_sample(run_o, 1), 1e-7))) if run_o else 0
    times_t, times_r, times_o = [], [], []
    for _ in range(args.repeat):
        times_t.append(_sample(run_t, inner_t))
        times_r.append(_sample(run_r, inner_r))
        if run_o:
            times_o.append(_sample(run_o, inner_o))
    args.onnx_seconds = statistics.median(times_o) if run_o else None
    return statistics.median(times_t), statistics.median(times_r), max_diff, (inner_t, inner_r)


def select(workloads, only):
    wanted = [w.strip().lower() for w in only.split(",") if w.strip()]
    if not wanted:
        return workloads
    return [w for w in workloads if any(s in w.name.lower() or s in w.family.lower() for s in wanted)]


def result_row(workload, threads, t_torch, t_refnn, max_diff, inner):
    row = {"name": workload.name, "family": workload.family, "dtype": workload.dtype, "threads": threads,
           "torch_ms": t_torch * 1e3, "refnn_ms": t_refnn * 1e3, "ratio": t_refnn / t_torch if t_torch else None,
           "max_abs_diff": max_diff, "inner": list(inner), "error": None,
           "torch_gflops": None, "refnn_gflops": None, "torch_gbs": None, "refnn_gbs": None}
    if workload.flops:
        row["torch_gflops"] = workload.flops / t_torch / 1e9
        row["refnn_gflops"] = workload.flops / t_refnn / 1e9
    if workload.bytes:
        row["torch_gbs"] = workload.bytes / t_torch / 1e9
        row["refnn_gbs"] = workload.bytes / t_refnn / 1e9
    return row


def add_onnxruntime(row, seconds, note):
    """The onnxruntime column: its time, onnxruntime/torch, refnn/onnxruntime (None, with the note, where blank)."""
    row["onnxruntime_ms"] = seconds * 1e3 if seconds else None
    row["onnxruntime_ratio"] = seconds * 1e3 / row["torch_ms"] if seconds and row["torch_ms"] else None
    row["refnn_vs_onnxruntime"] = row["refnn_ms"] / (seconds * 1e3) if seconds else None
    row["onnxruntime_note"] = note
    return row


def _fmt_onnx(row):
    if row.get("onnxruntime_ms") is None:
        return f"{'':>10s} {'':>8s}"
    return f"{row['onnxruntime_ms']:10.3f} {row['onnxruntime_ratio']:7.2f}x"


def _fmt_rate(row):
    if row.get("refnn_gflops") is not None:
        return f"{row['torch_gflops']:8.2f} {row['refnn_gflops']:8.2f} GFLOP/s"
    if row.get("refnn_gbs") is not None:
        return f"{row['torch_gbs']:8.2f} {row['refnn_gbs']:8.2f} GB/s"
    return ""


def _fmt_per_call(row):
    """The overhead family's figure: microseconds per call."""
    if row["family"] != "overhead":
        return ""
    return f"{row['torch_ms'] * 1e3:8.2f} {row['refnn_ms'] * 1e3:8.2f} us/call"


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from tools.workloads import all_workloads
    workloads = select(all_workloads(), args.only)
    if args.list:
        for w in workloads:
            print(f"{w.family:14s} {w.name}")
        return 0
    if not workloads:
        print(f"no workload matches --only {args.only!r}", file=sys.stderr)
        return 2
    import torch

    import refnn
    saved = (torch.get_num_threads(), refnn.get_num_threads())
    results = []
    width = max(len(w.name) for w in workloads)
    print(f"{'workload':{width}s} thr   torch ms   refnn ms  refnn/torch     ort ms  ort/torch   torch    refnn")
    try:
        for workload in workloads:
            for threads in args.thread_counts:
                try:
                    t_torch, t_refnn, max_diff, inner = time_workload(workload, threads, args)
                    row = result_row(workload, threads, t_torch, t_refnn, max_diff, inner)
                    add_onnxruntime(row, args.onnx_seconds, args.onnx_note)
                    print(f"{workload.name:{width}s} {threads:3d} {row['torch_ms']:10.3f} {row['refnn_ms']:10.3f} "
                          f"{row['ratio']:11.2f}x {_fmt_onnx(row)}  {_fmt_rate(row)}{_fmt_per_call(row)}",
                          flush=True)
                except Exception as exc:  # noqa: BLE001 - reported, the others still run
                    row = {"name": workload.name, "family": workload.family, "dtype": workload.dtype,
                           "threads": threads, "torch_ms": None, "refnn_ms": None, "ratio": None,
                           "error": f"{type(exc).__name__}: {exc}"}
                    print(f"{workload.name:{width}s} {threads:3d}  error: {row['error']}", flush=True)
                results.append(row)
    finally:
        torch.set_num_threads(saved[0])
        refnn.set_num_threads(saved[1])
    if args.json:
        data = {"schema_version": SCHEMA_VERSION,
                "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "repeat": args.repeat, "warmup": args.warmup, "min_time": args.min_time,
                "threads": args.thread_counts,
                "env": {"torch": torch.__version__, "refnn": refnn.__version__, "python": platform.python_version(),
                        "cpu_count": os.cpu_count()},
                "results": results}
        directory = os.path.dirname(os.path.abspath(args.json))
        os.makedirs(directory, exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(data, f, indent=1)
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

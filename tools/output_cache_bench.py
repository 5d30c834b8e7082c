#!/usr/bin/env python
"""refnn with and without its cache of output buffers, side by side: time per call and page faults.

    python tools/output_cache_bench.py [--only SUBSTR] [--threads 1,2] [--repeat N]

For each workload of ``tools/bench.py`` (``tools/workloads``) and thread count, refnn runs in this one
process with the cache on and off (``refnn.utils.set_cached_memory_limit``), interleaved (on, off, on, ...)
after a warm-up (and one untimed call after each switch).  Printed per call: the median time of each, their ratio, and the minor page faults
(``getrusage``), which count the fresh pages an output costs on first touch.  Nothing is asserted.
"""
import argparse
import os
import resource
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import refnn  # noqa: E402
from tools.bench import _step, select, to_refnn  # noqa: E402
from tools.workloads import all_workloads  # noqa: E402


def _faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _sample(step, inner):
    faults, start = _faults(), time.perf_counter()
    for _ in range(inner):
        step()
    return (time.perf_counter() - start) / inner, (_faults() - faults) / inner


def main(argv=None):
    parser = argparse.ArgumentParser(prog="output_cache_bench.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="workloads whose name or family contains this (comma-separated)")
    parser.add_argument("--threads", default="1,2", help="thread counts, comma-separated (default 1,2)")
    parser.add_argument("--repeat", type=int, default=7, help="timed samples per setting (default 7)")
    parser.add_argument("--min-time", type=float, default=0.05, help="seconds each sample lasts at least")
    args = parser.parse_args(argv)
    limit = refnn.utils.cached_memory_stats()["limit_bytes"] or 256 << 20
    print(f"{'workload':48} {'thr':>3} {'cache ms':>9} {'none ms':>9} {'ratio':>6} {'faults/call':>12} {'none':>8}")
    for workload in select(all_workloads(), args.only):
        for threads in [int(t) for t in args.threads.split(",")]:
            refnn.set_num_threads(threads)
            inputs = to_refnn(workload.make_inputs(), workload.grad_inputs)
            step = _step(workload.refnn_fn(inputs), [inputs[k] for k in workload.grad_inputs])
            settings = {"cache": limit, "none": 0}
            results = {name: [] for name in settings}
            inner = 1
            for name, value in settings.items():      # warm-up, and the iterations per sample
                refnn.utils.set_cached_memory_limit(value)
                step()
                step()
                once = _sample(step, 1)[0]
                inner = max(inner, int(args.min_time / max(once, 1e-9)) + 1)
            for _ in range(args.repeat):
                for name, value in settings.items():
                    refnn.utils.set_cached_memory_limit(value)
                    step()                                # untimed: the cache refills after the switch
                    results[name].append(_sample(step, inner))
            refnn.utils.set_cached_memory_limit(limit)
            cache_t = statistics.median(t for t, _ in results["cache"])
            none_t = statistics.median(t for t, _ in results["none"])
            cache_f = statistics.median(f for _, f in results["cache"])
            none_f = statistics.median(f for _, f in results["none"])
            print(f"{workload.name:48} {threads:>3} {cache_t * 1e3:9.3f} {none_t * 1e3:9.3f} "
                  f"{cache_t / none_t:5.2f}x {cache_f:12.0f} {none_f:8.0f}", flush=True)


if __name__ == "__main__":
    main()

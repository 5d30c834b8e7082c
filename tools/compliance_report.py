#!/usr/bin/env python
"""refnn's compliance report: how far refnn conforms to PyTorch 2.13.0, how closely, and how fast.

    python tools/compliance_report.py [--out DIR] [--only op1,op2] [--dtype float32] [--quick]
                                      [--bench FILE | --run-bench] [--junit FILE] [--jobs N]

Runs every registry case (``tests/registry``) through ``tests.harness.run_case``
- exactly what the pytest suite runs - plus an accuracy audit against a float64
reference and a determinism audit (twice, and 1 vs 2 threads), and writes
``report.json`` (the source of truth, with a schema version), ``report.md`` and
a self-contained ``report.html`` into ``--out`` (default ``report``).

Exit status: 0 when every case that should pass passes (and is deterministic),
1 otherwise, 2 on a usage error - so the command can gate CI.
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
# OpenMP threads that sleep instead of spinning while they wait: the 2-thread runs of the
# determinism audit stay fast on a busy machine (results never depend on it; set before any
# OpenMP runtime starts, and inherited by the worker processes).
os.environ.setdefault("OMP_WAIT_POLICY", "passive")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="compliance_report.py", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="report", help="output folder (default: report)")
    parser.add_argument("--only", default="", help="comma-separated ops or families, e.g. conv2d,max_pool2d "
                        "(names match F. and nn. forms: 'maxpool2d' matches max_pool2d and MaxPool2d)")
    parser.add_argument("--dtype", action="append", choices=["float32", "float64"],
                        help="run only this dtype (repeatable; default: every dtype of each case)")
    parser.add_argument("--quick", action="store_true",
                        help="a fast subset: float32 only, a few cases per op, every op represented")
    bench = parser.add_mutually_exclusive_group()
    bench.add_argument("--bench", metavar="FILE", help="include the speed section from a tools/bench.py --json file")
    bench.add_argument("--run-bench", action="store_true", help="run tools/bench.py --quick first and include it")
    parser.add_argument("--no-bench", action="store_true", help="do not pick up a bench.json found in --out or ./")
    parser.add_argument("--junit", metavar="FILE", help="also write JUnit XML for CI")
    parser.add_argument("--jobs", type=int, default=2,
                        help="worker processes (default 2; 0 runs inline in this process)")
    parser.add_argument("--no-audits", action="store_true", help="skip the accuracy and determinism audits")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--no-onnx", action="store_true",
                        help="skip the ONNX section (onnx's node tests and round trips; run on full runs only)")
    parser.add_argument("--from-json", metavar="FILE", help="re-render report.md/html from an existing report.json")
    return parser.parse_args(argv)


def _load_bench(args, out_dir):
    if args.no_bench:
        return None
    path = None
    if args.run_bench:
        path = os.path.join(out_dir, "bench.json")
        cmd = [sys.executable, os.path.join(ROOT, "tools", "bench.py"), "--quick", "--json", path]
        print("running " + " ".join(cmd[1:]), file=sys.stderr)
        subprocess.run(cmd, cwd=ROOT, check=False)
    elif args.bench:
        path = args.bench
    else:
        for candidate in (os.path.join(out_dir, "bench.json"), os.path.join(ROOT, "bench.json")):
            if os.path.exists(candidate):
                path = candidate
                break
    if not path:
        return None
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as exc:
        print(f"warning: cannot read bench results {path}: {exc}", file=sys.stderr)
        return None
    full = os.path.abspath(path)
    data["source"] = os.path.relpath(full, ROOT) if full.startswith(ROOT + os.sep) else full
    return data


def write_outputs(report, out_dir, junit=None):
    from tools.report import render_html, render_md
    os.makedirs(out_dir, exist_ok=True)
    paths = {"json": os.path.join(out_dir, "report.json"), "md": os.path.join(out_dir, "report.md"),
             "html": os.path.join(out_dir, "report.html")}
    with open(paths["json"], "w") as f:
        json.dump(report, f, indent=1, default=str)
    with open(paths["md"], "w") as f:
        f.write(render_md.render(report))
    with open(paths["html"], "w") as f:
        f.write(render_html.render(report))
    if junit:
        from tools.report import junit as junit_mod
        os.makedirs(os.path.dirname(os.path.abspath(junit)), exist_ok=True)
        with open(junit, "w") as f:
            f.write(junit_mod.render(report))
        paths["junit"] = junit
    return paths


def _add_onnx(report):
    """onnx's node tests and the export round trips, a second oracle: unexplained failures fail the gate."""
    from tools.report import onnx_section
    section = onnx_section.build()
    report["onnx"] = section
    if section is None:
        return
    bad = section["unexplained"] + sum(not r["export_matches_torch"] for r in section["round_trips"])
    if bad:
        report["summary"]["gate"].append(f"ONNX: {section['unexplained']} node-test failure(s) without a recorded "
                                         "reason or an export that differs from torch's")
        report["summary"]["verdict"] = "FAIL"
    report["summary"]["onnx"] = {k: section[k] for k in ("node_tests_passed", "node_tests_total", "unexplained")}


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    out_dir = args.out
    if args.from_json:
        with open(args.from_json) as f:
            report = json.load(f)
        paths = write_outputs(report, out_dir, args.junit)
        print("\n".join(f"wrote {p}" for p in paths.values()))
        return 1 if report["summary"]["verdict"] == "FAIL" else 0

    import matplotlib
    matplotlib.use("Agg")
    from tools.report import build, env, execute, select
    from tools.report.features import describe_cases
    from tools.report.render_md import summary_text

    only = [w.strip() for w in args.only.split(",") if w.strip()]
    unknown = select.unknown_names(only)
    if unknown:
        print(f"error: --only names no op or family: {', '.join(unknown)}", file=sys.stderr)
        return 2
    dtypes = ["float32"] if args.quick and not args.dtype else args.dtype
    options = {"only": only, "dtypes": dtypes, "quick": args.quick, "audits": not args.no_audits}
    start = time.perf_counter()
    pairs = select.select_pairs(only, dtypes, args.quick)
    if not pairs:
        print("error: the selection has no cases", file=sys.stderr)
        return 2
    described = describe_cases(pairs)
    from tests.registry import expanded
    registry_rows = {select.row_label(c) for c, _ in expanded()}
    print(f"refnn compliance report: {len(pairs)} case runs ({len({c for c in described})} cases), "
          f"jobs={args.jobs}", file=sys.stderr)
    records = execute.run_all(options, args.jobs, progress=not args.no_progress)
    bench = _load_bench(args, out_dir)
    wall = time.perf_counter() - start
    header = env.collect(args.jobs, argv)
    report = build.build(pairs, records, described, header, {**options, "jobs": args.jobs}, wall,
                         registry_rows, bench)
    if not (args.no_onnx or only or args.quick or args.dtype):
        _add_onnx(report)
    paths = write_outputs(report, out_dir, args.junit)
    print(summary_text(report))
    print("\n".join(f"wrote {p}" for p in paths.values()))
    return 1 if report["summary"]["verdict"] == "FAIL" else 0


if __name__ == "__main__":
    sys.exit(main())

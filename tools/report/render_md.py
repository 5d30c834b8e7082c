"""report.md: the report dict as Markdown (tables; the plots are in report.html)."""

STATE_MARK = {"pass": "✓", "fail": "✗", "xfail": "xfail", "skip": "skip", "unsupported": "⊘",
              "uncovered": "·", None: ""}


def fmt(x):
    if x is None:
        return "–"
    if isinstance(x, float):
        if x == 0:
            return "0"
        if x == float("inf"):
            return "inf"
        return f"{x:.3g}"
    return str(x)


def esc(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(esc(c) for c in row) + " |")
    return "\n".join(lines)


def header_lines(report):
    h = report["header"]
    r = h["refnn"]
    cpu = h["cpu"]
    return [
        f"- refnn {r['version']} at commit `{r['commit'][:12]}` ({r['branch']}{', uncommitted changes' if r['dirty'] else ''}), kernels {r['kernels']}",
        f"- torch {h['torch']}, NumPy {h['numpy']}, Cython {h['cython']}, Python {h['python']}",
        f"- compiler: {h['compiler']['version']} (`{h['compiler']['cflags']}`)",
        f"- CPU: {cpu['model']}, {cpu['logical_cpus']} logical CPUs; SIMD: {' '.join(cpu['simd_flags']) or 'unknown'}",
        f"- threads: {h['threads']['jobs']} worker process(es); {h['threads']['per_worker']}; refnn default {h['threads']['refnn_default']}",
        f"- date: {h['date']}; wall time {h['wall_s']} s",
        f"- command: `{h['command']}`",
    ]


def summary_lines(report):
    s = report["summary"]
    sc = s["scope"]
    opts = report["header"].get("options", {})
    sel = []
    if opts.get("only"):
        sel.append("only " + ", ".join(opts["only"]))
    if opts.get("dtypes"):
        sel.append("dtype " + ", ".join(opts["dtypes"]))
    if opts.get("quick"):
        sel.append("quick subset")
    lines = [f"**Verdict: {s['verdict']}**" + (f" — {'; '.join(s['gate'])}" if s["gate"] else " — " + pass_text(s))]
    if sel:
        lines.append(f"- selection: {'; '.join(sel)} (a partial run)")
    for kind, what in (("modules", "torch.nn modules"), ("functions", "torch.nn.functional functions")):
        t = sc[kind]
        lines.append(f"- {what} refnn covers: {t['implemented']} of {t['total']} implemented, {t['tested']} tested, "
                     f"{t['verified']} verified (all cases pass), {t['partial']} partial (expected failures), "
                     f"{t['failing']} failing")
    lines.append(f"- cases: {s['pairs']} runs ({s['value_cases']} value, {s['error_cases']} error-parity) — "
                 f"{s['passed']} passed, {s.get('disagrees', 0)} torch-disagrees, {s['failed']} failed, "
                 f"{s['xfail']} expected failures, {s['xpass']} unexpected passes, {s['skipped']} skipped")
    d = s["determinism"]
    if d["checked"]:
        lines.append(f"- determinism: {d['identical']} of {d['checked']} bit-identical (twice at 1 thread, "
                     f"and 1 vs 2 threads); {d['differs']} differ, {d['error']} errors")
    a = s["accuracy"]
    if a["audited"]:
        lines.append(f"- accuracy vs float64 ({a['audited']} float32 cases): refnn closer in {a['refnn_closer']}, "
                     f"torch closer in {a['torch_closer']}, equal in {a['equal']}"
                     + (f", {a['errors']} could not be audited" if a["errors"] else ""))
    if s["failed_rows"]:
        lines.append("- failing rows: " + ", ".join(f"{r} ({d})" for r, d in s["failed_rows"]))
    lines.append(f"- not implemented ({len(s['not_implemented'])}): " + (_by_family(report, s["not_implemented"])
                                                                         or "none"))
    unsupported = s.get("unsupported", [])
    lines.append(f"- unsupported by design ({len(unsupported)}, each refused with an exception): "
                 + ("; ".join(u["feature"] for u in unsupported) + " (reasons under \"Unsupported by design\")"
                    if unsupported else "none"))
    if s["untested"]:
        lines.append(f"- implemented but without value cases ({len(s['untested'])}): " + ", ".join(s["untested"]))
    return lines


def pass_text(summary):
    """The verdict's words when nothing fails the gate."""
    text = "every case that should pass passes, bit-identically"
    n = summary.get("disagrees", 0)
    if n:
        text += (f"; in {n} case run(s) torch disagrees with itself and refnn follows torch's answer for the "
                 "element alone")
    return text


def unsupported_groups(unsupported):
    """[(reason, [entry, ...]), ...]: the features that share a reason, in the order first listed."""
    groups = {}
    for u in unsupported:
        groups.setdefault(u["reason"], []).append(u)
    return list(groups.items())


def refusal_text(u):
    return "ACCEPTED (it should be refused)" if u["refusal"] == "not refused" else f"refused with {u['refusal']}"


def _unsupported(report):
    unsupported = report["summary"].get("unsupported", [])
    if not unsupported:
        return []
    lines = ["## Unsupported by design", "",
             "torch accepts each of these; refnn refuses it with an exception that names what is missing.", ""]
    for reason, entries in unsupported_groups(unsupported):
        lines.append(f"- {reason}:")
        lines += [f"  - {u['feature']}: {refusal_text(u)}" for u in entries]
    return lines + [""]


def in_dtype(text, dtype):
    """A recorded number as its dtype prints it: '0.20176641643047333' of a float32 case is '0.20176642'."""
    import numpy as np
    try:
        return str(np.dtype(dtype).type(float(text)))
    except (TypeError, ValueError):
        return str(text)


def disagreement_rows(report):
    """One row per element where torch disagrees with itself: case, what, index, input, the three values."""
    return [[c["id"], el["what"], el["index"]] + [in_dtype(el[k], c["dtype"]) for k in
                                                   ("input", "torch_in_place", "torch_alone", "refnn")]
            for c in report.get("disagreements", {}).get("cases", []) for el in c["elements"]]


DISAGREEMENT_HEADERS = ["case", "what", "element", "input", "torch in place", "torch alone", "refnn"]


def _disagreements(report):
    section = report.get("disagreements") or {}
    if not section.get("cases"):
        return []
    return (["## torch disagrees with itself", "", section["rule"] + ".", "",
             table(DISAGREEMENT_HEADERS, disagreement_rows(report)), ""])


def _by_family(report, labels):
    """'conv: nn.Conv1d, F.conv1d; pooling: ...' in the coverage list's order."""
    family = {e["label"]: e["family"] for e in report["scope"]}
    groups = {}
    for label in labels:
        groups.setdefault(family.get(label, "other"), []).append(label)
    return "; ".join(f"{fam}: {', '.join(items)}" for fam, items in groups.items())


def summary_text(report):
    return "\n".join(["Summary"] + summary_lines(report))


def _op_table(report):
    rows = []
    for r in report["ops"]:
        reasons = "; ".join(r["xfail_reasons"] + [f"skip: {x}" for x in r["skip_reasons"]])
        rows.append([r["row"], r["dtype"], r["cases"], r["passed"], r.get("disagrees", 0), r["failed"],
                     f"{r['xfail']}" + (f" ({reasons})" if reasons else ""), r["xpass"], r["skipped"],
                     fmt(r["max_abs"]), fmt(r["max_rel"]), fmt(r["max_ulp"]),
                     "; ".join(r["tolerances"]) or "same exception class"])
    return table(["op", "dtype", "cases", "passed", "torch disagrees", "failed", "xfail (reasons)", "xpass", "skipped",
                  "max abs", "max rel", "max ULP", "tolerance"], rows)


def _feature_tables(report):
    out = []
    for family, fam in report["features"].items():
        params = fam["params"]
        rows = []
        for row, info in fam["rows"].items():
            cells = []
            for p in params:
                cell = info["cells"].get(p)
                cells.append("" if cell is None else STATE_MARK.get(cell["state"], cell["state"]))
            tags = ", ".join(f"{t} {STATE_MARK.get(s, '')}" for t, s in info["tags"].items())
            rows.append([row] + cells + [tags])
        out.append(f"#### {family}\n\n" + table(["op"] + params + ["input conditions"], rows))
    return "\n\n".join(out)


def render(report):
    s = report["summary"]
    parts = ["# refnn compliance report", "", "Conformance of refnn to PyTorch " + report["header"]["torch"]
             + ": every registry case run through the same harness as the test suite.", "",
             "## Environment", "", *header_lines(report), "", "## Summary", "", *summary_lines(report), ""]
    parts += ["## Coverage of torch.nn", "", "The torch.nn modules and functions refnn covers, and how far each "
              "is verified against torch.", "", table(
        ["entry", "family", "implemented", "value cases", "passed", "torch disagrees", "failed", "xfail", "state"],
        [[e["label"], e["family"], "yes" if e["implemented"] else "no", e["value_cases"], e["passed"],
          e.get("disagrees", 0), e["failed"], e["xfail"], e["state"]] for e in report["scope"]]), ""]
    parts += _unsupported(report)
    parts += ["## Per op and dtype", "", "How errors are measured: " + report.get("error_measure", "") + ".", "",
              _op_table(report), ""]
    overrides = [(r["row"], r["dtype"], o) for r in report["ops"] for o in r["tolerance_overrides"]]
    if overrides:
        parts += ["### Tolerance overrides", ""] + [f"- {row} ({dt}) {o}" for row, dt, o in overrides] + [""]
    failures = [c for c in report["cases"] if c["status"] in ("failed", "xpass")]
    if failures:
        parts += ["## Failures", ""]
        for c in failures:
            text = (c["message"].splitlines()[0] if c["message"] else "") if c["status"] == "failed" else \
                f"expected failure now passes (remove the xfail): {c['reason']}"
            parts += [f"- `{c['id']}` ({c['status']}): " + esc(text)]
        parts.append("")
    parts += _disagreements(report)
    xf = [c for c in report["cases"] if c["status"] in ("xfail", "skipped")]
    if xf:
        parts += ["## Expected failures and skips", "", table(["case", "status", "reason"],
                                                              [[c["id"], c["status"], c["reason"]] for c in xf]), ""]
    parts += ["## Feature matrix", "",
              "✓ verified (every case passing it passes), ✗ failing, xfail only expected failures, "
              "⊘ refnn does not accept the parameter, · documented but not exercised.", "",
              _feature_tables(report), ""]
    acc = report["accuracy"]
    parts += ["## Accuracy audit (float32 vs a float64 reference)", "", acc["method"] + ".", ""]
    if acc["rows"]:
        parts.append(table(["op", "cases", "refnn worst rel", "torch worst rel", "refnn worst ULP",
                            "torch worst ULP", "refnn closer", "torch closer", "equal"],
                           [[r["row"], r["cases"], fmt(r["refnn_worst_rel"]), fmt(r["torch_worst_rel"]),
                             fmt(r["refnn_worst_ulp"]), fmt(r["torch_worst_ulp"]), r["refnn"], r["torch"],
                             r["equal"]] for r in acc["rows"]]))
    if acc.get("largest_gaps"):
        parts += ["", "Where torch is closest ahead of refnn (largest refnn/torch error ratio):", "",
                  table(["case", "refnn rel", "torch rel"],
                        [[g["id"], fmt(g["refnn_rel"]), fmt(g["torch_rel"])] for g in acc["largest_gaps"]])]
    for e in acc["errors"]:
        parts.append(f"- could not audit `{e['id']}`: {esc(e['message'])}")
    det = report["determinism"]
    parts += ["", "## Determinism audit", "", det["method"] + ".", ""]
    if det["rows"]:
        parts.append(table(["op", "checked", "identical", "differs", "errors"],
                           [[r["row"], r["checked"], r["identical"], r["differs"], r["error"]] for r in det["rows"]]))
    for p in det["problems"]:
        parts.append(f"- `{p['id']}`: {p['status']} {esc(p['message'])}"
                     + (" (the case does not pass conformance)" if p["expected_failure"] else ""))
    parts += ["", "## Speed", ""]
    bench = report.get("bench")
    if bench and bench.get("results"):
        parts.append(f"From `{bench.get('source', '?')}` ({bench.get('date', '')}). Ratio = refnn time / torch "
                     "time (below 1: refnn is faster).\n")
        parts.append(table(["workload", "threads", "torch ms", "refnn ms", "ratio", "torch GFLOP/s",
                            "refnn GFLOP/s", "torch GB/s", "refnn GB/s", "note"],
                           [[b["name"], b["threads"], fmt(b.get("torch_ms")), fmt(b.get("refnn_ms")),
                             fmt(b.get("ratio")), fmt(b.get("torch_gflops")), fmt(b.get("refnn_gflops")),
                             fmt(b.get("torch_gbs")), fmt(b.get("refnn_gbs")), b.get("error") or ""]
                            for b in bench["results"]]))
    else:
        parts.append("No benchmark results: run `python tools/bench.py --json bench.json` and pass "
                     "`--bench bench.json`, or use `--run-bench`.")
    parts.append("")
    return "\n".join(parts)

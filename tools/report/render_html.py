"""report.html: one self-contained page (inline CSS, a few lines of inline JS, plots as
inline base64 PNG).  It references nothing outside itself: no URLs, no fonts, no CDN."""
import html

from . import plots
from .render_md import (DISAGREEMENT_HEADERS, disagreement_rows, fmt, header_lines, pass_text,  # noqa: F401
                        refusal_text, summary_lines, unsupported_groups)   # shared wording

CSS = """
:root{--ok:#2e7d32;--bad:#c62828;--warn:#b7791f;--muted:#6b7280;--line:#e5e7eb;--bg:#f8fafc;--acc:#1565c0}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#111827;background:#fff}
header.top{background:#0f172a;color:#e2e8f0;padding:18px 28px}
header.top h1{margin:0 0 4px;font-size:22px}
header.top .sub{color:#94a3b8}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);padding:6px 28px;z-index:5}
nav a{margin-right:14px;color:var(--acc);text-decoration:none;font-size:13px}
main{padding:10px 28px 60px;max-width:1500px}
h2{border-bottom:2px solid var(--line);padding-bottom:4px;margin-top:34px}
h3{margin-top:22px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid var(--line);padding:3px 7px;text-align:left;vertical-align:top;max-width:460px;
overflow-wrap:break-word}
th{background:var(--bg);position:sticky;top:33px}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.fail td{background:#fdecea}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;color:#fff}
.PASS{background:var(--ok)}.FAIL{background:var(--bad)}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:150px;background:var(--bg)}
.card .big{font-size:24px;font-weight:700}
.card .lbl{color:var(--muted);font-size:12px}
.s-pass,.s-verified,.s-identical{color:var(--ok);font-weight:600}
.s-fail,.s-failing,.s-differs,.s-error,.s-failed,.s-xpass{color:var(--bad);font-weight:600}
.s-xfail,.s-partial{color:var(--warn);font-weight:600}
.s-skip,.s-skipped,.s-uncovered,.s-untested,.s-notrun,.s-unsupported,.s-notimplemented{color:var(--muted)}
.s-passed{color:var(--ok)}
.s-disagrees{color:var(--acc);font-weight:600}
td.cell{text-align:center;min-width:34px}
td.c-pass{background:#e8f5e9;color:var(--ok)}td.c-fail{background:#fdecea;color:var(--bad)}
td.c-xfail{background:#fff8e1;color:var(--warn)}td.c-skip,td.c-uncovered{color:#9ca3af}
td.c-unsupported{background:#f3f4f6;color:#6b7280}
.chip{display:inline-block;border-radius:10px;padding:0 7px;margin:1px;font-size:12px;border:1px solid var(--line)}
.chip.c-pass{background:#e8f5e9}.chip.c-fail{background:#fdecea}.chip.c-xfail{background:#fff8e1}
pre{white-space:pre-wrap;background:var(--bg);padding:6px;margin:2px 0;font-size:12px;max-height:220px;overflow:auto}
details{margin:4px 0}summary{cursor:pointer}
.muted{color:var(--muted)}
img.plot{max-width:100%;border:1px solid var(--line);border-radius:6px;margin:6px 0}
.controls{margin:8px 0}.controls input[type=text]{padding:3px 6px;width:260px}
.legend span{margin-right:12px}
"""

JS = """
(function(){
  var box=document.getElementById('opfilter'), only=document.getElementById('onlyfail');
  function apply(){
    var q=(box.value||'').toLowerCase(), f=only.checked;
    var rows=document.querySelectorAll('#optable tbody tr');
    for(var i=0;i<rows.length;i++){
      var r=rows[i], show=(r.getAttribute('data-row')||'').toLowerCase().indexOf(q)>=0;
      if(f && r.className.indexOf('fail')<0){show=false;}
      r.style.display=show?'':'none';
    }
  }
  if(box&&only){box.addEventListener('input',apply);only.addEventListener('change',apply);}
})();
"""

CELL_TEXT = {"pass": "✓", "fail": "✗", "xfail": "xf", "skip": "s", "unsupported": "⊘", "uncovered": "·"}


def e(text):
    return html.escape(str(text), quote=True)


def cls(state):
    return "s-" + str(state).replace(" ", "")


def num(x):
    return f'<td class="n">{e(fmt(x))}</td>'


def img(b64, alt):
    if not b64:
        return ""
    return f'<img class="plot" alt="{e(alt)}" src="data:image/png;base64,{b64}">'


def _onnx(report):
    section = report.get("onnx")
    if not section:
        return "<p>Not run (a selection, <code>--no-onnx</code>, or the onnx package is missing).</p>"
    rows = [[r["op"], f'{r["passed"]} / {r["total"]}',
             "; ".join(f'{x["reason"]} ({len(x["tests"])})' for x in r["reasons"])] for r in section["node_tests"]]
    trips = [[r["network"], "yes" if r["export_matches_torch"] else "NO", f'{r["onnxruntime_vs_refnn_max_abs"]:.2e}',
              f'{r["torch_onnx_refnn_load_vs_torch_max_abs"]:.2e}'] for r in section["round_trips"]]
    rows = ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows]
    trips = ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in trips]
    return (f'<p>onnx\'s node tests for the operators <code>refnn.onnx.load</code> maps, a second oracle beside '
            f'torch: <b>{section["node_tests_passed"]} / {section["node_tests_total"]} passed</b>, '
            f'{section["unexplained"]} failures without a recorded reason.</p>'
            + _table(["operator", "passed / total", "why the others fail"], rows)
            + "<p>Export against torch's TorchScript exporter, and the round trips (max abs difference):</p>"
            + _table(["network", "same graph as torch", "onnxruntime on refnn's file vs refnn",
                      "torch's file on refnn.onnx.load vs torch"], trips))


def _table(headers, rows, attrs=""):
    out = [f"<table {attrs}><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr></thead><tbody>"]
    out.extend(rows)
    out.append("</tbody></table>")
    return "\n".join(out)


def _header(report):
    h = report["header"]
    r, cpu, cc = h["refnn"], h["cpu"], h["compiler"]
    rows = [
        ("refnn", f"{r['version']} — commit {r['commit']} ({r['branch']}"
                  f"{', uncommitted changes' if r['dirty'] else ''}); kernels {r['kernels']}"),
        ("PyTorch (oracle)", h["torch"]), ("NumPy", h["numpy"]), ("Cython", h["cython"]),
        ("Python", f"{h['python']} on {h['platform']}"),
        ("compiler", f"{cc['version']} — kernels built with {cc['cflags']}"),
        ("CPU", f"{cpu['model']} — {cpu['logical_cpus']} logical CPUs"),
        ("SIMD flags", " ".join(cpu["simd_flags"]) or "unknown"),
        ("threads", f"{h['threads']['jobs']} worker process(es); {h['threads']['per_worker']}; "
                    f"refnn default {h['threads']['refnn_default']}"),
        ("date", h["date"]), ("wall time", f"{h['wall_s']} s"), ("command", h["command"]),
    ]
    body = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows)
    flags = " ".join(cpu.get("flags", []))
    return (f"<table>{body}</table><details><summary>all CPU flags</summary><pre>{e(flags)}</pre></details>")


def _summary(report):
    s = report["summary"]
    sc = s["scope"]
    cards = [
        (f"{sc['modules']['verified']}/{sc['modules']['total']}", "torch.nn modules verified",
         f"{sc['modules']['implemented']} implemented, {sc['modules']['tested']} tested"),
        (f"{sc['functions']['verified']}/{sc['functions']['total']}", "torch.nn.functional functions verified",
         f"{sc['functions']['implemented']} implemented, {sc['functions']['tested']} tested"),
        (s["passed"], "case runs passed", f"of {s['pairs']}"),
        (s.get("disagrees", 0), "torch disagrees with itself", "refnn follows torch's answer alone"),
        (s["failed"] + s["xpass"], "failed", f"{s['xpass']} unexpected passes"),
        (s["xfail"], "expected failures", f"{s['skipped']} skipped"),
        (f"{s['determinism']['identical']}/{s['determinism']['checked']}", "bit-identical",
         "twice, and 1 vs 2 threads"),
        (f"{s['accuracy']['refnn_closer']}:{s['accuracy']['torch_closer']}:{s['accuracy']['equal']}",
         "closer to float64", "refnn : torch : equal"),
    ]
    html_cards = "".join(f'<div class="card"><div class="big">{e(a)}</div><div class="lbl">{e(b)}</div>'
                         f'<div class="muted">{e(c)}</div></div>' for a, b, c in cards)
    items = "".join(f"<li>{e(line.replace('**', '').lstrip('- '))}</li>" for line in summary_lines(report)[1:])
    verdict = (f'<p><span id="verdict" class="badge {s["verdict"]}">{s["verdict"]}</span> '
               + e("; ".join(s["gate"]) or pass_text(s)) + "</p>")
    return (verdict + f'<div class="cards">{html_cards}</div><ul id="summary">{items}</ul>'
            + img(plots.status_by_family(report), "case status per family"))


def _scope(report):
    rows = []
    for x in report["scope"]:
        rows.append(f'<tr data-scope="{e(x["label"])}"><td>{e(x["label"])}</td><td>{e(x["family"])}</td>'
                    f'<td>{"yes" if x["implemented"] else "no"}</td>{num(x["value_cases"])}{num(x["error_cases"])}'
                    f'{num(x["passed"])}{num(x.get("disagrees", 0))}{num(x["failed"])}{num(x["xfail"])}'
                    f'<td class="{cls(x["state"])}">{e(x["state"])}</td></tr>')
    legend = ("<p>The torch.nn modules and functions refnn covers, and how far each is verified against "
              "torch.</p><p class='muted'>verified: every value case passes (or torch disagrees with itself and "
              "refnn follows torch's answer for the element alone); partial: some cases are expected failures; "
              "failing: a case fails; untested: implemented, no value cases; not run: outside this run's "
              "selection; not implemented: refnn has no such name.</p>")
    return legend + _table(["entry", "family", "implemented", "value cases", "error cases", "passed",
                            "torch disagrees", "failed", "xfail", "state"], rows, 'id="scopetable"')


def _ops(report):
    rows = []
    for r in report["ops"]:
        reasons = "".join(f"<div>{e(x)}</div>" for x in r["xfail_reasons"])
        reasons += "".join(f"<div class='muted'>skip: {e(x)}</div>" for x in r["skip_reasons"])
        tol = "<br>".join(e(t) for t in r["tolerances"] if "(override)" not in t) or (
            "same exception class" if not r["tolerances"] else "")
        if r["tolerance_overrides"]:
            tol += (f"<details><summary>{len(r['tolerance_overrides'])} override(s), with reasons</summary>"
                    + "".join(f"<div class='muted'>{e(o)}</div>" for o in r["tolerance_overrides"]) + "</details>")
        failing = r["failed"] or r["xpass"]
        rows.append(
            f'<tr class="{"fail" if failing else "ok"}" data-row="{e(r["row"])}" data-dtype="{e(r["dtype"])}">'
            f'<td><a href="#cases-{e(r["row"])}">{e(r["row"])}</a></td><td>{e(r["family"])}</td>'
            f'<td>{e(r["dtype"])}</td>{num(r["cases"])}<td class="n s-passed">{r["passed"]}</td>'
            f'<td class="n{" s-disagrees" if r.get("disagrees") else ""}">{r.get("disagrees", 0)}</td>'
            f'<td class="n{" s-failed" if r["failed"] else ""}">{r["failed"]}</td>'
            f'<td class="n">{r["xfail"]}</td><td>{reasons}</td>'
            f'<td class="n{" s-xpass" if r["xpass"] else ""}">{r["xpass"]}</td>{num(r["skipped"])}'
            f'{num(r["max_abs"])}{num(r["max_rel"])}{num(r["max_ulp"])}<td>{tol}</td></tr>')
    controls = ('<div class="controls"><input type="text" id="opfilter" placeholder="filter ops (e.g. pool)"> '
                '<label><input type="checkbox" id="onlyfail"> failing rows only</label></div>')
    note = ("<p class='muted'>Errors are refnn against torch (float32 and float64 each at its own dtype) over "
            f"outputs, gradients and buffers. How errors are measured: {e(report.get('error_measure', ''))}.</p>")
    return note + controls + _table(
        ["op", "family", "dtype", "cases", "passed", "torch disagrees", "failed", "xfail", "expected-failure reasons",
         "xpass",
         "skipped", "max abs", "max rel", "max ULP", "tolerance rule"], rows, 'id="optable"')


def _unsupported(report):
    unsupported = report["summary"].get("unsupported", [])
    if not unsupported:
        return "<p class='muted'>None.</p>"
    rows = []
    for reason, entries in unsupported_groups(unsupported):
        for k, u in enumerate(entries):
            why = f'<td rowspan="{len(entries)}">{e(reason)}</td>' if k == 0 else ""
            klass = "s-fail" if u["refusal"] == "not refused" else ""
            rows.append(f'<tr><td>{e(u["feature"])}</td><td class="{klass}">{e(refusal_text(u))}</td>{why}</tr>')
    return ("<p>torch accepts each of these; refnn refuses it with an exception that names what is missing.</p>"
            + _table(["feature", "refnn", "why"], rows, 'id="unsupportedtable"'))


def _disagreements(report):
    section = report.get("disagreements") or {}
    if not section.get("cases"):
        return "<p class='muted'>None in this run: wherever the harness asked, torch gave one answer.</p>"
    rows = [f'<tr data-disagrees="{e(row[0])}">' + "".join(f"<td>{e(x)}</td>" for x in row) + "</tr>"
            for row in disagreement_rows(report)]
    return (f"<p>{e(section['rule'])}.</p><p>{len(section['cases'])} case run(s), {section['elements']} "
            "element(s).</p>" + _table(DISAGREEMENT_HEADERS, rows, 'id="disagreestable"'))


def _features(report):
    out = ['<p class="legend"><span class="s-pass">✓ verified</span><span class="s-fail">✗ failing</span>'
           '<span class="s-xfail">xf expected failure only (not supported)</span>'
           '<span class="muted">⊘ refnn does not accept it</span><span class="muted">· documented, not exercised</span>'
           '</p><p class="muted">Hover a cell for the values exercised; the last column lists input conditions '
           '(case feature tags and what the inputs show).</p>']
    for family, fam in report["features"].items():
        params = fam["params"]
        rows = []
        for row, info in fam["rows"].items():
            cells = []
            for p in params:
                cell = info["cells"].get(p)
                if cell is None:
                    cells.append('<td class="cell"></td>')
                    continue
                title = f"{p}: {cell['state']}; {cell['cases']} case run(s)"
                if cell["values"]:
                    title += "; values: " + ", ".join(cell["values"])
                if cell["error_cases"]:
                    title += f"; {cell['error_cases']} error-parity case run(s)"
                cells.append(f'<td class="cell c-{e(cell["state"])}" title="{e(title)}">'
                             f'{CELL_TEXT.get(cell["state"], "")}</td>')
            tags = "".join(f'<span class="chip c-{e(s)}">{e(t)}</span>' for t, s in info["tags"].items())
            rows.append(f'<tr data-frow="{e(row)}"><td>{e(row)}</td>{"".join(cells)}<td>{tags}</td>'
                        f'{num(info["error_cases"])}</tr>')
        out.append(f"<h3>{e(family)}</h3>" + _table(["op"] + params + ["input conditions", "error cases"], rows))
    return "\n".join(out)


def _accuracy(report):
    acc = report["accuracy"]
    if not acc["cases"]:
        return "<p class='muted'>No float32 value cases in this run.</p>"
    t = acc["totals"]
    parts = [f"<p>{e(acc['method'])}.</p>",
             f"<p>Over {t['audited']} float32 cases: refnn is closer to the float64 result in "
             f"<b>{t['refnn_closer']}</b>, torch in <b>{t['torch_closer']}</b>, equal in <b>{t['equal']}</b>.</p>",
             img(plots.accuracy_scatter(report), "refnn vs torch error scatter"),
             "<h3>Error histograms per family</h3>", img(plots.accuracy_histograms(report), "error histograms")]
    rows = [f'<tr data-arow="{e(r["row"])}"><td>{e(r["row"])}</td>{num(r["cases"])}{num(r["refnn_worst_rel"])}'
            f'{num(r["torch_worst_rel"])}{num(r["refnn_worst_ulp"])}{num(r["torch_worst_ulp"])}{num(r["refnn"])}'
            f'{num(r["torch"])}{num(r["equal"])}</tr>' for r in acc["rows"]]
    parts.append(_table(["op", "cases", "refnn worst rel", "torch worst rel", "refnn worst ULP (output)",
                         "torch worst ULP (output)", "refnn closer", "torch closer", "equal"], rows))
    if acc.get("largest_gaps"):
        gap_rows = [f'<tr><td>{e(g["id"])}</td>{num(g["refnn_rel"])}{num(g["torch_rel"])}'
                    f'{num(g["refnn_rel"] / g["torch_rel"] if g["torch_rel"] else None)}</tr>'
                    for g in acc["largest_gaps"]]
        parts.append("<h3>Where torch is closest ahead of refnn</h3>"
                     "<p class='muted'>The cases with the largest ratio of refnn's error to torch's: where a "
                     "kernel's summation order or formula loses most against torch's.</p>"
                     + _table(["case", "refnn rel", "torch rel", "ratio"], gap_rows))
    case_rows = [f'<tr><td>{e(c["id"])}</td>{num(c["refnn_output_rel"])}{num(c["torch_output_rel"])}'
                 f'{num(c["refnn_grad_rel"])}{num(c["torch_grad_rel"])}{num(c["refnn_output_ulp"])}'
                 f'{num(c["torch_output_ulp"])}<td>{e(c["closer"])}</td></tr>' for c in acc["cases"]]
    parts.append("<details><summary>every audited case</summary>" + _table(
        ["case", "refnn output rel", "torch output rel", "refnn grad rel", "torch grad rel", "refnn output ULP",
         "torch output ULP", "closer"], case_rows) + "</details>")
    for err in acc["errors"]:
        parts.append(f"<p class='s-error'>could not audit {e(err['id'])}: {e(err['message'])}</p>")
    return "\n".join(parts)


def _determinism(report):
    det = report["determinism"]
    if not det["rows"]:
        return "<p class='muted'>Not run (--no-audits, or no value cases).</p>"
    t = det["totals"]
    parts = [f"<p>{e(det['method'])}. {t['identical']} of {t['checked']} bit-identical.</p>"]
    rows = [f'<tr><td>{e(r["row"])}</td>{num(r["checked"])}<td class="n s-identical">{r["identical"]}</td>'
            f'<td class="n{" s-differs" if r["differs"] else ""}">{r["differs"]}</td>'
            f'<td class="n{" s-error" if r["error"] else ""}">{r["error"]}</td></tr>' for r in det["rows"]]
    parts.append(_table(["op", "checked", "identical", "differs", "errors"], rows))
    for p in det["problems"]:
        parts.append(f"<div class='{cls(p['status'])}'>{e(p['id'])}: {e(p['status'])} {e(p['message'])}"
                     f"{' (the case does not pass conformance)' if p['expected_failure'] else ''}</div>")
    return "\n".join(parts)


def _speed(report):
    bench = report.get("bench")
    if not bench or not bench.get("results"):
        return ("<p class='muted'>No benchmark results in this report: run <code>python tools/bench.py --json "
                "bench.json</code> and pass <code>--bench bench.json</code>, or use <code>--run-bench</code>.</p>")
    rows = []
    for b in bench["results"]:
        ratio = b.get("ratio")
        klass = "" if ratio is None else ("s-pass" if ratio <= 1.0 else "s-xfail" if ratio <= 3 else "s-fail")
        rows.append(f'<tr><td>{e(b["name"])}</td><td>{e(b.get("family", ""))}</td>{num(b["threads"])}'
                    f'{num(b.get("torch_ms"))}{num(b.get("refnn_ms"))}<td class="n {klass}">{e(fmt(ratio))}</td>'
                    f'{num(b.get("torch_gflops"))}{num(b.get("refnn_gflops"))}{num(b.get("torch_gbs"))}'
                    f'{num(b.get("refnn_gbs"))}<td>{e(b.get("error") or "")}</td></tr>')
    env = bench.get("env", {})
    return (f"<p>From <code>{e(bench.get('source', '?'))}</code>, {e(bench.get('date', ''))}; torch "
            f"{e(env.get('torch', '?'))}; median of {e(bench.get('repeat', '?'))} timed runs after warm-up, "
            "refnn and torch interleaved in one process. Ratio = refnn time / torch time.</p>"
            + img(plots.speed_ratios(report), "speed ratios")
            + _table(["workload", "family", "threads", "torch ms", "refnn ms", "ratio", "torch GFLOP/s",
                      "refnn GFLOP/s", "torch GB/s", "refnn GB/s", "note"], rows))


def _cases(report):
    by_row = {}
    for c in report["cases"]:
        by_row.setdefault(c["row"], []).append(c)
    out = []
    for row in sorted(by_row, key=str.lower):
        cases = by_row[row]
        bad = sum(c["status"] in ("failed", "xpass") for c in cases)
        rows = []
        for c in cases:
            params = ", ".join(f"{k}={v}" for k, v in c["params"].items())
            msg = f"<pre>{e(c['message'])}</pre>" if c["message"] and c["status"] in ("failed", "xpass", "xfail") \
                else ""
            if c["status"] == "disagrees":
                msg = (f"<div class='s-disagrees'>torch disagrees with itself at {len(c['disagreements'])} "
                       "element(s): <a href='#disagrees'>see the list</a></div>")
            if c["status"] == "xpass":
                msg = "<div class='s-xpass'>expected failure now passes: remove the xfail</div>" + msg
            reason = f"<div class='muted'>{e(c['reason'])}</div>" if c["reason"] else ""
            rows.append(f'<tr data-case="{e(c["id"])}"><td>{e(c["desc"])}</td><td>{e(c["kind"])}</td>'
                        f'<td>{e(c["dtype"])}</td><td class="{cls(c["status"])}">{e(c["status"])}</td>'
                        f'<td>{e(params)}</td><td>{e(", ".join(c["tags"]))}</td>{num(c["metrics"].get("max_abs"))}'
                        f'{num(c["metrics"].get("max_ulp"))}<td>{reason}{msg}</td></tr>')
        out.append(f'<details id="cases-{e(row)}"{" open" if bad else ""}><summary>{e(row)} — {len(cases)} '
                   f'case runs{f", {bad} failing" if bad else ""}</summary>'
                   + _table(["desc", "kind", "dtype", "status", "parameters", "tags", "max abs", "max ULP",
                             "reason / message"], rows) + "</details>")
    return "\n".join(out)


def render(report):
    s = report["summary"]
    sections = [("summary", "Summary", _summary(report)), ("environment", "Environment", _header(report)),
                ("scope", "Coverage of torch.nn", _scope(report)),
                ("unsupported", "Unsupported by design", _unsupported(report)),
                ("ops", "Per op and dtype", _ops(report)),
                ("disagrees", "torch disagrees with itself", _disagreements(report)),
                ("features", "Feature matrix", _features(report)),
                ("accuracy", "Accuracy audit: float32 against float64", _accuracy(report)),
                ("determinism", "Determinism audit", _determinism(report)),
                ("onnx", "ONNX: onnx's node tests and round trips", _onnx(report)), ("speed", "Speed", _speed(report)),
                ("cases", "Every case", _cases(report))]
    nav = "".join(f'<a href="#{sid}">{e(title.split(":")[0])}</a>' for sid, title, _ in sections)
    body = "\n".join(f'<section id="{sid}"><h2>{e(title)}</h2>\n{content}</section>'
                     for sid, title, content in sections)
    h = report["header"]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>refnn compliance report — {e(s['verdict'])}</title>
<style>{CSS}</style></head>
<body>
<header class="top"><h1>refnn compliance report <span class="badge {e(s['verdict'])}">{e(s['verdict'])}</span></h1>
<div class="sub">refnn {e(h['refnn']['version'])} ({e(h['refnn']['commit'][:12])}) against PyTorch {e(h['torch'])} —
{e(h['date'])} — {s['pairs']} case runs in {e(h['wall_s'])} s — schema {e(report['schema'])} v{report['schema_version']}</div>
</header>
<nav>{nav}</nav>
<main>
{body}
</main>
<script>{JS}</script>
</body></html>
"""

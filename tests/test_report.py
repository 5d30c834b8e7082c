"""The compliance report on a small subset: files, JSON schema, HTML content, and that it can fail."""
import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from tools import compliance_report
from tools.report import build

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
URL_ATTRS = ("src", "href", "action", "poster", "data", "srcset", "formaction", "background")


VOID = {"meta", "img", "br", "input", "link", "hr", "wbr", "source", "col"}


class _Page(HTMLParser):
    """Collects op rows, failing rows and every URL-bearing attribute of a report page."""

    def __init__(self):
        super().__init__()
        self.op_rows, self.fail_rows, self.urls, self.tags, self.sections = [], [], [], [], []
        self._in_optable = False
        self.stack, self.mismatched = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "table" and attrs.get("id") == "optable":
            self._in_optable = True
        if tag == "section":
            self.sections.append(attrs.get("id"))
        if tag == "tr" and self._in_optable and "data-row" in attrs:
            self.op_rows.append((attrs["data-row"], attrs.get("data-dtype")))
            if "fail" in (attrs.get("class") or "").split():
                self.fail_rows.append((attrs["data-row"], attrs.get("data-dtype")))
        for name in URL_ATTRS:
            if attrs.get(name):
                self.urls.append((tag, name, attrs[name]))

    def handle_endtag(self, tag):
        if tag not in VOID:
            if self.stack and self.stack[-1] == tag:
                self.stack.pop()
            else:
                self.mismatched.append((tag, self.getpos()))
        if tag == "table":
            self._in_optable = False


def _parse(path):
    page = _Page()
    with open(path) as f:
        text = f.read()
    page.feed(text)
    return page, text


def _run(tmp_path, *extra):
    out = tmp_path / "report"
    code = compliance_report.main(["--out", str(out), "--jobs", "0", "--no-progress", "--no-bench", *extra])
    with open(out / "report.json") as f:
        report = json.load(f)
    return code, out, report


@pytest.fixture(scope="module")
def small_report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    code, out, report = _run(tmp, "--only", "linear,relu", "--junit", str(tmp / "junit.xml"))
    return code, out, report, tmp / "junit.xml"


def test_writes_three_files_and_passes(small_report):
    code, out, report, junit = small_report
    for name in ("report.json", "report.md", "report.html"):
        assert (out / name).stat().st_size > 0, name
    assert junit.exists()
    assert code == 0, report["summary"]["gate"]
    assert report["summary"]["verdict"] == "PASS"


def test_json_schema(small_report):
    _, _, report, _ = small_report
    assert report["schema"] == build.SCHEMA
    assert report["schema_version"] == build.SCHEMA_VERSION
    for key in ("header", "summary", "families", "scope", "ops", "features", "accuracy", "determinism", "bench",
                "cases"):
        assert key in report, key
    header = report["header"]
    for key in ("refnn", "torch", "numpy", "cython", "compiler", "cpu", "threads", "date", "wall_s"):
        assert key in header, key
    assert header["refnn"]["commit"]
    assert set(report["summary"]["scope"]) == {"modules", "functions"}
    rows = {r["row"] for r in report["ops"]}
    assert {"F.linear", "nn.Linear", "F.relu", "nn.ReLU"} <= rows
    for case in report["cases"]:
        assert case["status"] in build.STATUSES
        for key in ("id", "row", "family", "dtype", "kind", "metrics", "params", "tags", "tolerance"):
            assert key in case, key
    # per-row counts add up to the case list
    assert sum(r["cases"] for r in report["ops"]) == len(report["cases"])
    for r in report["ops"]:
        assert r["cases"] == sum(r[s] for s in build.STATUSES)
    # audits ran: every float32 value case audited, every value case checked for determinism
    f32_values = [c for c in report["cases"] if c["dtype"] == "float32" and c["kind"] != "error"]
    assert report["accuracy"]["totals"]["audited"] == len(f32_values)
    assert report["determinism"]["totals"]["checked"] == sum(c["kind"] != "error" for c in report["cases"])
    # the coverage list names every covered torch.nn entry, and Linear/ReLU as verified
    states = {e["label"]: e["state"] for e in report["scope"]}
    assert states["nn.Linear"] == states["F.linear"] == states["nn.ReLU"] == "verified"
    assert len(report["scope"]) > 100
    # the feature matrix knows Linear's bias parameter
    cells = report["features"]["linear"]["rows"]["nn.Linear"]["cells"]
    assert cells["bias"]["state"] == "pass"


def test_html_every_row_and_no_external_urls(small_report):
    _, out, report, _ = small_report
    page, text = _parse(out / "report.html")
    expected = {(r["row"], r["dtype"]) for r in report["ops"]}
    assert set(page.op_rows) == expected
    assert not page.fail_rows
    assert {"summary", "environment", "scope", "ops", "features", "accuracy", "determinism", "speed",
            "cases"} <= set(page.sections)
    for tag, name, value in page.urls:
        assert value.startswith(("#", "data:image/png;base64,")), (tag, name, value[:80])
    lowered = text.lower()
    for needle in ("http://", "https://", "//cdn", "<link", "@import", "url("):
        assert needle not in lowered, needle
    assert page.tags.count("img") >= 2          # status and accuracy plots, inline
    assert not page.mismatched and not page.stack, (page.mismatched[:3], page.stack[:3])   # well-formed


def test_markdown_lists_every_row(small_report):
    _, out, report, _ = small_report
    text = (out / "report.md").read_text()
    assert "## Summary" in text and "Verdict: PASS" in text
    for r in report["ops"]:
        assert f"| {r['row']} | {r['dtype']} |" in text


def test_junit(small_report):
    _, _, report, junit = small_report
    import xml.etree.ElementTree as ET
    root = ET.parse(junit).getroot()
    assert len(root.findall(".//testcase")) == len(report["cases"])
    assert not root.findall(".//failure")


def test_rerender_from_json(small_report, tmp_path):
    _, out, _, _ = small_report
    code = compliance_report.main(["--from-json", str(out / "report.json"), "--out", str(tmp_path)])
    assert code == 0
    assert (tmp_path / "report.html").read_text().count('data-row="') > 0


def test_unknown_only_name_is_a_usage_error(tmp_path):
    assert compliance_report.main(["--only", "no_such_op", "--out", str(tmp_path), "--jobs", "0"]) == 2


def test_broken_kernel_shows_failed_rows(tmp_path, monkeypatch):
    """A linear that adds 1e-3 must fail its rows, flip the verdict and the exit status."""
    import refnn.nn.functional as RF
    real = RF.linear

    def broken(*args, **kwargs):
        return real(*args, **kwargs) + 1e-3

    monkeypatch.setattr(RF, "linear", broken)
    code, out, report = _run(tmp_path, "--only", "linear", "--no-audits", "--junit", str(tmp_path / "j.xml"))
    assert code == 1
    assert report["summary"]["verdict"] == "FAIL"
    failed = {(r["row"], r["dtype"]) for r in report["ops"] if r["failed"]}
    assert ("F.linear", "float32") in failed and ("F.linear", "float64") in failed
    page, _ = _parse(out / "report.html")
    assert ("F.linear", "float32") in page.fail_rows
    assert "values outside rtol" in (out / "report.md").read_text()
    assert "<failure" in (tmp_path / "j.xml").read_text()


def test_torch_disagreeing_with_itself_is_listed_and_does_not_fail(tmp_path, monkeypatch):
    """A torch whose relu gives NaN for +inf in place but +inf for the element alone: refnn (+inf) follows
    the element alone, so the case is 'disagrees': listed with the three values, never failing the gate."""
    import torch
    import torch.nn.functional as TF
    real = TF.relu

    def split(x, *args, **kwargs):
        out = real(x, *args, **kwargs)
        if x.numel() > 1 and x.is_floating_point() and not (kwargs.get("inplace") or any(args)):
            out = torch.where(torch.isposinf(x.detach()), torch.full_like(out, float("nan")), out)
        return out

    monkeypatch.setattr(TF, "relu", split)
    code, out, report = _run(tmp_path, "--only", "relu", "--no-audits", "--junit", str(tmp_path / "j.xml"))
    assert code == 0, report["summary"]["gate"]
    assert report["summary"]["verdict"] == "PASS"
    case = {c["id"]: c for c in report["cases"]}["F.relu-default_edges-float32"]
    assert case["status"] == "disagrees"
    assert {"what": "output", "input": "inf", "torch_in_place": "nan", "torch_alone": "inf",
            "refnn": "inf"}.items() <= case["disagreements"][0].items()
    n = report["summary"]["disagrees"]
    assert n == sum(c["status"] == "disagrees" for c in report["cases"]) >= 1
    assert sum(f["disagrees"] for f in report["families"].values()) == n
    row = {(r["row"], r["dtype"]): r for r in report["ops"]}[("F.relu", "float32")]
    assert row["disagrees"] >= 1 and row["state"] == "pass" and not row["failures"]
    assert {e["label"]: e["state"] for e in report["scope"]}["F.relu"] == "verified"
    listed = {c["id"] for c in report["disagreements"]["cases"]}
    assert "F.relu-default_edges-float32" in listed
    md = (out / "report.md").read_text()
    assert f"{n} torch-disagrees" in md
    assert "## torch disagrees with itself" in md and "element alone" in md
    index = case["disagreements"][0]["index"]
    assert f"| F.relu-default_edges-float32 | output | {index} | inf | nan | inf | inf |" in md
    page, html_text = _parse(out / "report.html")
    assert "disagrees" in page.sections and not page.fail_rows
    assert 'data-disagrees="F.relu-default_edges-float32"' in html_text
    junit = (tmp_path / "j.xml").read_text()
    assert "<failure" not in junit and 'name="torch-disagrees"' in junit


def test_report_speaks_plainly(small_report):
    """No numpy reprs, one line per unsupported feature with each reason once, the scope named by what it is."""
    _, out, report, _ = small_report
    md = (out / "report.md").read_text()
    html_text = (out / "report.html").read_text()
    for text in (md, html_text, json.dumps(report)):
        assert "np.float" not in text and "np.int" not in text
    assert "## Coverage of torch.nn" in md and "How errors are measured:" in md
    section = md[md.index("## Unsupported by design"):]
    section = section[:section.index("\n## ", 1)]
    for u in report["summary"]["unsupported"]:
        assert section.count(u["feature"]) == 1, u["feature"]
        assert section.count(u["reason"]) == 1 and md.count(u["reason"]) == 1, u["reason"]


def test_worker_processes(tmp_path):
    """The default path: spawned worker processes, on a quick subset."""
    out = tmp_path / "r"
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "compliance_report.py"), "--only", "relu",
                           "--quick", "--jobs", "1", "--out", str(out), "--no-bench"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Summary" in proc.stdout
    report = json.loads((out / "report.json").read_text())
    assert report["header"]["options"]["quick"] and all(c["dtype"] == "float32" for c in report["cases"])


CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync")


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def test_html_renders_headless_without_console_errors(small_report, tmp_path):
    """The page loads in a real browser with no console error (its inline script runs)."""
    _, out, _, _ = small_report
    browser = _chromium()
    assert browser, ("no Chromium on PATH: this test opens report.html in a real browser; "
                     "install Debian's chromium: apt-get install chromium")
    # the flags keep chromium from reaching for the network (it hangs on a closed one)
    proc = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                           "--enable-logging=stderr", "--v=0", "--dump-dom", (out / "report.html").as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "refnn compliance report" in proc.stdout
    assert 'id="optable"' in proc.stdout
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line and ("Error" in line or
                                                                                  "error" in line)]
    assert not console, console


def test_docs_describe_every_status_and_the_schema_version():
    text = open(os.path.join(ROOT, "docs", "report.md")).read()
    for status in build.STATUSES:
        assert f"| `{status}` |" in text, status
    assert f"({build.SCHEMA_VERSION}: " in text


def test_onnx_section_renders_in_markdown_and_html():
    """A full run adds onnx's node tests and the round trips (tools/report/onnx_section.py); both renderers
    show them (a synthetic section: the real one takes half a minute)."""
    from tools.report import render_html
    from tools.report.onnx_section import render_md
    section = {"node_tests": [{"op": "Relu", "passed": 3, "total": 4, "unexplained": [],
                               "reasons": [{"reason": "float16 inputs", "tests": ["test_relu_fp16"]}]}],
               "round_trips": [{"network": "LeNet", "export_matches_torch": True,
                                "onnxruntime_vs_refnn_max_abs": 1e-7, "torch_onnx_refnn_load_vs_torch_max_abs": 2e-7}],
               "node_tests_passed": 3, "node_tests_total": 4, "unexplained": 0}
    html = render_html._onnx({"onnx": section})
    assert "<td>Relu</td><td>3 / 4</td><td>float16 inputs (1)</td>" in html and "<td>LeNet</td><td>yes</td>" in html
    md = render_md(section)
    assert "| Relu | 3 / 4 | float16 inputs (1) |" in md and "**3 / 4 passed**" in md

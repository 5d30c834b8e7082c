"""JUnit XML for CI: one testsuite per family, one testcase per case run."""
from xml.sax.saxutils import escape, quoteattr


def render(report):
    by_family = {}
    for c in report["cases"]:
        by_family.setdefault(c["family"], []).append(c)
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<testsuites name="refnn-compliance">']
    for family, cases in by_family.items():
        failures = sum(c["status"] in ("failed", "xpass") for c in cases)
        skipped = sum(c["status"] in ("xfail", "skipped") for c in cases)
        time_s = sum(c["seconds"] for c in cases)
        lines.append(f'  <testsuite name={quoteattr(family)} tests="{len(cases)}" failures="{failures}" '
                     f'errors="0" skipped="{skipped}" time="{time_s:.3f}">')
        for c in cases:
            lines.append(f'    <testcase classname={quoteattr("refnn." + family + "." + c["row"])} '
                         f'name={quoteattr(c["id"])} time="{c["seconds"]:.4f}">')
            if c["status"] == "failed":
                first = (c["message"].splitlines() or [""])[0]
                lines.append(f'      <failure message={quoteattr(first)}>{escape(c["message"])}</failure>')
            elif c["status"] == "xpass":
                lines.append(f'      <failure message={quoteattr("unexpected pass: " + c["reason"])}/>')
            elif c["status"] in ("xfail", "skipped"):
                lines.append(f'      <skipped message={quoteattr(c["status"] + ": " + c["reason"])}/>')
            lines.append("    </testcase>")
        lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return "\n".join(lines) + "\n"

"""JUnit XML for CI: one testsuite per family, one testcase per case run.

A case where torch disagrees with itself is a passed testcase carrying a ``torch-disagrees`` property
and, in ``system-out``, the elements with both of torch's values and refnn's."""
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
            elif c["status"] == "disagrees":   # passed: refnn equals torch's answer for the element alone
                n = len(c.get("disagreements") or [])
                lines.append('      <properties><property name="torch-disagrees" '
                             f'value="{n} element(s)"/></properties>')
                notes = ["torch disagrees with itself; refnn follows torch's answer for the element alone:"]
                notes += [f"{d['what']} element {d['index']} input {d['input']}: torch in place "
                          f"{d['torch_in_place']}, torch alone {d['torch_alone']}, refnn {d['refnn']}"
                          for d in c.get("disagreements") or []]
                lines.append(f"      <system-out>{escape(chr(10).join(notes))}</system-out>")
            elif c["status"] in ("xfail", "skipped"):
                lines.append(f'      <skipped message={quoteattr(c["status"] + ": " + c["reason"])}/>')
            lines.append("    </testcase>")
        lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return "\n".join(lines) + "\n"

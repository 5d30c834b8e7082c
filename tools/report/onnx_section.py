"""The report's ONNX section: onnx's node tests per operator (a second oracle beside torch), the
export checks against torch's exporter, and the round-trip errors.

``build()`` returns a JSON-able dict (``None`` where the onnx package is missing); ``render_md(section)``
returns its Markdown. Run alone: ``python -m tools.report.onnx_section [--json FILE]``.
"""
import io
import json
import sys
import warnings


def _node_tests():
    from refnn.onnx.backend import node_test_results
    from tests.onnx_node_reasons import reason_for
    rows = []
    for op, entry in node_test_results().items():
        reasons = {}
        for name in entry["failures"]:
            reason = reason_for(name) or "unexplained failure: " + entry["failures"][name]
            reasons.setdefault(reason, []).append(name)
        rows.append({"op": op, "passed": entry["passed"], "total": entry["total"],
                     "reasons": [{"reason": r, "tests": sorted(t)} for r, t in reasons.items()],
                     "unexplained": [n for n in entry["failures"] if reason_for(n) is None]})
    return rows


def _round_trips():
    import numpy as np
    import onnx
    import onnxruntime
    import torch

    import refnn
    import refnn.onnx
    from tests.onnx_compare import assert_same_graph, refnn_export, torch_export
    from tests.test_onnx_export import NETS, pair

    rows = []
    for name in NETS:
        tm, rm, x = pair(name)
        row = {"network": name}
        try:
            assert_same_graph(refnn_export(rm, refnn.tensor(x.numpy())), torch_export(tm, x), compare_outputs=False)
            row["export_matches_torch"] = True
        except AssertionError as exc:
            row["export_matches_torch"] = False
            row["export_difference"] = str(exc)[:200]
        buffer = io.BytesIO()
        refnn.onnx.export(rm, refnn.tensor(x.numpy()), buffer)
        model = onnx.load_from_string(buffer.getvalue())
        onnx.checker.check_model(model, full_check=True)
        session = onnxruntime.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
        ort = session.run(None, {session.get_inputs()[0].name: x.numpy()})
        rm.eval()
        with refnn.no_grad():
            ours = rm(refnn.tensor(x.numpy()))
        ours = [o.numpy() for o in (ours if isinstance(ours, tuple) else (ours,))]
        with torch.no_grad():
            theirs = tm(x)
        theirs = [o.numpy() for o in (theirs if isinstance(theirs, tuple) else (theirs,))]
        row["onnxruntime_vs_refnn_max_abs"] = max(float(np.abs(a.astype(np.float64) - b).max())
                                                  for a, b in zip(ort, ours))
        data = io.BytesIO()
        torch.onnx.export(tm, x, data, dynamo=False)
        loaded = refnn.onnx.load(data.getvalue())
        with refnn.no_grad():
            back = loaded(refnn.tensor(x.numpy()))
        back = [o.numpy() for o in (back if isinstance(back, tuple) else (back,))]
        row["torch_onnx_refnn_load_vs_torch_max_abs"] = max(float(np.abs(a.astype(np.float64) - b).max())
                                                            for a, b in zip(back, theirs))
        rows.append(row)
    return rows


def build():
    try:
        import onnx  # noqa: F401
    except ImportError:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        node_tests = _node_tests()
        round_trips = _round_trips()
    return {"node_tests": node_tests, "round_trips": round_trips,
            "node_tests_passed": sum(r["passed"] for r in node_tests),
            "node_tests_total": sum(r["total"] for r in node_tests),
            "unexplained": sum(len(r["unexplained"]) for r in node_tests)}


def render_md(section):
    if section is None:
        return "## ONNX\n\nNot run: the onnx package is not installed (`pip install \"refnn[onnx]\"`).\n"
    lines = ["## ONNX", "",
             f"onnx's node tests for the operators `refnn.onnx.load` maps: **{section['node_tests_passed']} / "
             f"{section['node_tests_total']} passed**, {section['unexplained']} failures without a recorded "
             "reason.", "",
             "| operator | passed / total | why the others fail |", "|---|---|---|"]
    for row in section["node_tests"]:
        why = "; ".join(f"{r['reason']} ({len(r['tests'])})" for r in row["reasons"]) or ""
        lines.append(f"| {row['op']} | {row['passed']} / {row['total']} | {why} |")
    lines += ["", "Export (`refnn.onnx.export`) against torch's TorchScript exporter, and the round trips:", "",
              "| network | same graph as torch | onnxruntime on refnn's file vs refnn | "
              "torch's file on `refnn.onnx.load` vs torch |", "|---|---|---|---|"]
    for row in section["round_trips"]:
        lines.append(f"| {row['network']} | {'yes' if row['export_matches_torch'] else 'NO'} | "
                     f"{row['onnxruntime_vs_refnn_max_abs']:.2e} | "
                     f"{row['torch_onnx_refnn_load_vs_torch_max_abs']:.2e} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    section = build()
    if argv[:1] == ["--json"] and len(argv) > 1:
        with open(argv[1], "w") as fh:
            json.dump(section, fh, indent=1)
    print(render_md(section))
    return 0 if section is None or section["unexplained"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Turn the run's records into the report dict: the content of report.json.

Everything the Markdown, HTML and JUnit renderers show comes from this dict.
Bump ``SCHEMA_VERSION`` when a field changes meaning or goes away.
"""
from . import scope
from .features import matrix

SCHEMA = "refnn-compliance-report"
SCHEMA_VERSION = 2   # 2: status "disagrees", case "disagreements", metrics over |torch| > atol
STATUSES = ("passed", "disagrees", "failed", "xfail", "xpass", "skipped")
CONFORMING = ("passed", "disagrees")   # the statuses of a case that does what it should
ERROR_MEASURE = ("max abs is the largest |refnn - torch| over elements finite in both; max rel "
                 "(|refnn - torch| / |torch|) and max ULP (units in the last place, +0 and -0 count 0) are taken "
                 "only where |torch| exceeds the case's absolute tolerance atol: below it a value passes on its "
                 "absolute error, and dividing by a zero or tiny reference says nothing. ULPs count in the case's "
                 "precision. A NaN or infinity not matched by the other side is reported as a non-finite "
                 "mismatch, never folded into these figures")
DISAGREES_RULE = ("torch's CPU kernels can give one value two answers: one in place (the vectorised body or the "
                  "scalar tail, which depends on the CPU and the element's position) and one for the element "
                  "alone (its scalar loop, the same C++ on every CPU). refnn follows torch's answer for the "
                  "element alone, the same on every CPU and at every position (docs/nonfinite.md has the table); "
                  "where torch in place differs, the case is neither passed nor failed and is listed here with "
                  "both of torch's values and refnn's")
CLOSER_BAND = 0.10   # errors within 10% of each other count as "equal"


def _family_key(family):
    order = scope.FAMILY_ORDER
    return (order.index(family) if family in order else len(order), family)


def case_records(pairs, records, described):
    from tests.harness.runner import case_id
    out = []
    for (case, dtype), rec in zip(pairs, records):
        info = described[case_id(case)]
        out.append({
            "id": case_id(case, dtype), "case": case_id(case), "row": info["row"], "scope": info["scope"],
            "family": case.family, "op": case.op, "kind": info["kind"], "desc": case.desc, "dtype": dtype,
            "status": rec["status"], "message": rec.get("message", ""), "reason": rec.get("reason", ""),
            "tolerance": rec.get("tolerance", ""), "metrics": rec.get("metrics", {}),
            "params": info["params"], "tags": info["tags"], "accuracy": rec.get("accuracy"),
            "determinism": rec.get("determinism"), "seconds": round(rec.get("seconds", 0.0), 4),
            "crashed": rec.get("crashed", False), "disagreements": rec.get("disagreements") or []})
    return out


def _max(values):
    values = [v for v in values if v is not None]
    return max(values) if values else 0.0


def op_rows(cases):
    rows = {}
    for rec in cases:
        key = (rec["row"], rec["dtype"])
        row = rows.setdefault(key, {"row": rec["row"], "family": rec["family"], "scope": rec["scope"],
                                    "dtype": rec["dtype"], "cases": 0, "value_cases": 0, "error_cases": 0,
                                    **{s: 0 for s in STATUSES}, "max_abs": 0.0, "max_rel": 0.0, "max_ulp": 0.0,
                                    "tolerances": [], "xfail_reasons": [], "skip_reasons": [],
                                    "tolerance_overrides": [], "failures": []})
        row["cases"] += 1
        row["error_cases" if rec["kind"] == "error" else "value_cases"] += 1
        row[rec["status"]] += 1
        if rec["status"] in ("passed", "disagrees", "failed", "xpass"):
            for key_ in ("max_abs", "max_rel", "max_ulp"):
                row[key_] = max(row[key_], rec["metrics"].get(key_, 0.0))
        if rec["kind"] != "error" and rec["tolerance"] and rec["tolerance"] not in row["tolerances"]:
            row["tolerances"].append(rec["tolerance"])
        if rec["status"] in ("xfail", "xpass") and rec["reason"] not in row["xfail_reasons"]:
            row["xfail_reasons"].append(rec["reason"])
        if rec["status"] == "skipped" and rec["reason"] not in row["skip_reasons"]:
            row["skip_reasons"].append(rec["reason"])
        if "(override)" in rec["tolerance"] and rec["reason"] and rec["status"] in CONFORMING:
            entry = f"{rec['desc']}: {rec['tolerance']}: {rec['reason']}"
            if entry not in row["tolerance_overrides"]:
                row["tolerance_overrides"].append(entry)
        if rec["status"] in ("failed", "xpass"):
            row["failures"].append(rec["id"])
    for row in rows.values():
        row["state"] = ("fail" if row["failed"] or row["xpass"] else
                        "pass" if (row["passed"] or row["disagrees"]) and not row["xfail"] else
                        "partial" if row["passed"] or row["disagrees"] else "xfail" if row["xfail"] else "skip")
    return sorted(rows.values(), key=lambda r: (_family_key(r["family"]), r["row"].lower(), r["dtype"]))


def _closer(r, t):
    if r == t or abs(r - t) <= CLOSER_BAND * max(r, t):
        return "equal"
    return "refnn" if r < t else "torch"


def accuracy_section(cases):
    per_case, per_row, errors = [], {}, []
    for rec in cases:
        acc = rec["accuracy"]
        if not acc:
            continue
        if "error" in acc:
            errors.append({"id": rec["id"], "message": acc["error"]})
            continue
        parts = [acc["output"]] + ([acc["grad"]] if acc.get("grad") else [])
        r = _max(p["refnn"]["rel"] for p in parts)
        t = _max(p["torch"]["rel"] for p in parts)
        entry = {"id": rec["id"], "row": rec["row"], "family": rec["family"], "desc": rec["desc"],
                 "status": rec["status"],
                 "refnn_output_rel": acc["output"]["refnn"]["rel"], "torch_output_rel": acc["output"]["torch"]["rel"],
                 "refnn_output_ulp": acc["output"]["refnn"]["max_ulp"],
                 "torch_output_ulp": acc["output"]["torch"]["max_ulp"],
                 "refnn_grad_rel": acc["grad"]["refnn"]["rel"] if acc.get("grad") else None,
                 "torch_grad_rel": acc["grad"]["torch"]["rel"] if acc.get("grad") else None,
                 "refnn_rel": r, "torch_rel": t, "closer": _closer(r, t),
                 "nonfinite_mismatch": {side: sum(p[side]["nonfinite_mismatch"] for p in parts)
                                        for side in ("refnn", "torch")}}
        per_case.append(entry)
        row = per_row.setdefault(entry["row"], {"row": entry["row"], "family": entry["family"], "cases": 0,
                                                "refnn_worst_rel": 0.0, "torch_worst_rel": 0.0,
                                                "refnn_worst_ulp": 0.0, "torch_worst_ulp": 0.0,
                                                "refnn": 0, "torch": 0, "equal": 0})
        row["cases"] += 1
        row["refnn_worst_rel"] = max(row["refnn_worst_rel"], r)
        row["torch_worst_rel"] = max(row["torch_worst_rel"], t)
        row["refnn_worst_ulp"] = max(row["refnn_worst_ulp"], entry["refnn_output_ulp"])
        row["torch_worst_ulp"] = max(row["torch_worst_ulp"], entry["torch_output_ulp"])
        row[entry["closer"]] += 1
    gaps = sorted((e for e in per_case if e["closer"] == "torch"),
                  key=lambda e: -e["refnn_rel"] / max(e["torch_rel"], 1e-300))[:12]
    totals = {"audited": len(per_case), "refnn_closer": sum(e["closer"] == "refnn" for e in per_case),
              "torch_closer": sum(e["closer"] == "torch" for e in per_case),
              "equal": sum(e["closer"] == "equal" for e in per_case), "errors": len(errors)}
    rows = sorted(per_row.values(), key=lambda r: (_family_key(r["family"]), r["row"].lower()))
    return {"totals": totals, "rows": rows, "cases": per_case, "errors": errors,
            "largest_gaps": [{"id": e["id"], "refnn_rel": e["refnn_rel"], "torch_rel": e["torch_rel"]} for e in gaps],
            "method": ("float32 inputs run through torch float32, refnn float32 and torch float64 (inputs and "
                       "parameters upcast); errors against the float64 result, over outputs and gradients; "
                       "rel = max |x - ref| / max |ref| (normwise); ulp in float32 spacings at |ref|; "
                       f"'equal' when the two errors are within {int(CLOSER_BAND * 100)}% of each other")}


def determinism_section(cases):
    rows, bad = {}, []
    for rec in cases:
        det = rec["determinism"]
        if not det:
            continue
        row = rows.setdefault(rec["row"], {"row": rec["row"], "family": rec["family"], "checked": 0,
                                          "identical": 0, "differs": 0, "error": 0})
        row["checked"] += 1
        row[det["status"]] += 1
        if det["status"] != "identical":
            # only a case that passes conformance gates on determinism (a failing one already fails)
            bad.append({"id": rec["id"], "status": det["status"], "message": det.get("message", ""),
                        "expected_failure": rec["status"] not in CONFORMING})
    rows = sorted(rows.values(), key=lambda r: (_family_key(r["family"]), r["row"].lower()))
    totals = {k: sum(r[k] for r in rows) for k in ("checked", "identical", "differs", "error")}
    return {"totals": totals, "rows": rows, "problems": bad,
            "method": "refnn alone: the same inputs twice at 1 thread and once at 2 threads; outputs and "
                      "gradients compared byte for byte"}


def scope_section(cases, registry_rows, selected_rows):
    import refnn.nn as rnn
    import refnn.nn.functional as RF
    by_row = {}
    for rec in cases:
        by_row.setdefault(rec["row"], []).append(rec)
    entries = []
    for kind, items in (("module", scope.MODULES), ("function", scope.FUNCTIONS)):
        for name, family in items:
            label = f"nn.{name}" if kind == "module" else f"F.{name}"
            implemented = hasattr(rnn if kind == "module" else RF, name)
            recs = by_row.get(label, [])
            values = [r for r in recs if r["kind"] != "error"]
            counts = {s: sum(r["status"] == s for r in values) for s in STATUSES}
            if not implemented:
                state = "not implemented"
            elif label not in registry_rows:
                state = "untested"
            elif label not in selected_rows:
                state = "not run"
            elif not values:
                state = "untested"
            elif counts["failed"] or counts["xpass"]:
                state = "failing"
            elif counts["xfail"]:
                state = "partial"
            elif counts["passed"] or counts["disagrees"]:
                state = "verified"
            else:
                state = "untested"
            entries.append({"name": name, "label": label, "kind": kind, "family": family,
                            "implemented": implemented, "value_cases": len(values),
                            "error_cases": len(recs) - len(values), **counts, "state": state})
    return entries


def _scope_totals(entries, kind):
    sel = [e for e in entries if e["kind"] == kind]
    return {"total": len(sel), "implemented": sum(e["implemented"] for e in sel),
            "tested": sum(e["state"] in ("verified", "partial", "failing") for e in sel),
            "verified": sum(e["state"] == "verified" for e in sel),
            "partial": sum(e["state"] == "partial" for e in sel),
            "failing": sum(e["state"] == "failing" for e in sel)}


def disagreements_section(cases):
    """The cases where torch's answer in place differs from its answer for the element alone."""
    listed = [{"id": c["id"], "row": c["row"], "dtype": c["dtype"], "elements": c["disagreements"]}
              for c in cases if c["status"] == "disagrees"]
    return {"rule": DISAGREES_RULE, "cases": listed,
            "elements": sum(len(c["elements"]) for c in listed)}


def unsupported_section():
    """The features refnn does not support by design, each with its reason and how refnn refuses it."""
    import refnn
    import refnn.nn.functional  # noqa: F401
    import refnn.optim  # noqa: F401
    from tests.registry._unsupported import UNSUPPORTED
    out = []
    for entry in UNSUPPORTED:
        try:
            entry.probe(refnn)
            refusal = "not refused"
        except Exception as exc:  # noqa: BLE001
            refusal = type(exc).__name__
        out.append({"feature": entry.feature, "reason": entry.reason, "refusal": refusal})
    return out


def build(pairs, records, described, env, options, wall_s, registry_rows, bench=None):
    cases = case_records(pairs, records, described)
    rows = op_rows(cases)
    scope_entries = scope_section(cases, registry_rows, {c["row"] for c in cases})
    accuracy = accuracy_section(cases)
    determinism = determinism_section(cases)
    counts = {s: sum(c["status"] == s for c in cases) for s in STATUSES}
    disagreements = disagreements_section(cases)
    gate = []     # "disagrees" never fails the gate: refnn already equals torch's answer alone
    if counts["failed"]:
        gate.append(f"{counts['failed']} case(s) failed")
    if counts["xpass"]:
        gate.append(f"{counts['xpass']} expected failure(s) now pass (remove the xfail)")
    det_bad = [p for p in determinism["problems"] if not p["expected_failure"]]
    if det_bad:
        gate.append(f"{len(det_bad)} passing case(s) not bit-identical across runs and thread counts")
    unsupported = unsupported_section()
    accepted = [u["feature"] for u in unsupported if u["refusal"] == "not refused"]
    if accepted:
        gate.append(f"{len(accepted)} feature(s) listed as unsupported are accepted: {', '.join(accepted)}")
    registry_extra = sorted({c["row"] for c in cases} - {e["label"] for e in scope_entries})
    summary = {
        "verdict": "FAIL" if gate else "PASS", "gate": gate, "pairs": len(cases),
        "value_cases": sum(c["kind"] != "error" for c in cases),
        "error_cases": sum(c["kind"] == "error" for c in cases), **counts,
        "scope": {"modules": _scope_totals(scope_entries, "module"),
                  "functions": _scope_totals(scope_entries, "function")},
        "not_implemented": [e["label"] for e in scope_entries if e["state"] == "not implemented"],
        "untested": [e["label"] for e in scope_entries if e["state"] == "untested"],
        "beyond_scope": registry_extra,
        "unsupported": unsupported,
        "families": sorted({c["family"] for c in cases}, key=_family_key),
        "determinism": determinism["totals"], "accuracy": accuracy["totals"],
        "failed_rows": sorted({(c["row"], c["dtype"]) for c in cases if c["status"] in ("failed", "xpass")}),
        "wall_s": round(wall_s, 1)}
    family_counts = {}
    for c in cases:
        fc = family_counts.setdefault(c["family"], {s: 0 for s in STATUSES})
        fc[c["status"]] += 1
    return {
        "schema": SCHEMA, "schema_version": SCHEMA_VERSION,
        "header": {**env, "wall_s": round(wall_s, 1), "options": options},
        "summary": summary,
        "families": {f: family_counts[f] for f in sorted(family_counts, key=_family_key)},
        "scope": scope_entries,
        "ops": rows,
        "features": matrix(cases, None),
        "error_measure": ERROR_MEASURE,
        "disagreements": disagreements,
        "accuracy": accuracy,
        "determinism": determinism,
        "bench": bench,
        "cases": cases,
    }

"""The feature matrix: which documented parameter of which op is exercised, and how it fares.

A case exercises a parameter when it passes it: by keyword (``kwargs``,
``ctor_kwargs``, ``forward_kwargs``) or by position (mapped to the parameter's
name through the documented signature in ``scope.PARAMS``).  Each case's
``features`` tags and a few tags read off its inputs (non-contiguous layouts,
zero-size tensors, special values) are collected alongside.  A cell says:

  pass     exercised, and every case exercising it passes (float32 and float64)
  fail     exercised by a case that fails (or an expected failure that now passes)
  xfail    exercised only by expected failures: refnn is known to differ
  skip     exercised only by skipped cases
  unsupported  refnn's signature has no such parameter
  uncovered    documented, accepted by refnn, but no case passes it
"""
import inspect

from tests.harness.case import ErrorCase, ModuleCase, OpCase, T

from . import scope
from .select import row_label

CELL_ORDER = ["fail", "pass", "xfail", "skip"]


def short(value, limit=28):
    """A compact, readable rendering of an argument value."""
    if isinstance(value, T):
        text = "T[" + "x".join(str(s) for s in value.shape) + "]"
        if value.dtype:
            text += f":{value.dtype}"
        if value.layout != "contiguous":
            text += f":{value.layout}"
        return text
    if isinstance(value, (list, tuple)) and any(isinstance(v, T) for v in value):
        inner = ", ".join(short(v, limit) for v in value)
        return ("(" + inner + ")") if isinstance(value, tuple) else ("[" + inner + "]")
    if callable(value):
        return getattr(value, "__name__", "fn")
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tensor_specs(value):
    if isinstance(value, T):
        return [value]
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            out.extend(_tensor_specs(v))
        return out
    if isinstance(value, dict):
        out = []
        for v in value.values():
            out.extend(_tensor_specs(v))
        return out
    return []


def input_tags(case):
    """Tags read off a case's tensor inputs."""
    values = []
    if isinstance(case, ModuleCase):
        values = list(case.inputs) + list(case.forward_kwargs.values())
    else:
        values = list(case.args) + list(case.kwargs.values()) + list(getattr(case, "call_inputs", ()))
    tags = set()
    if getattr(case, "check", None) is not None:
        tags.add("random: statistical check")
    for spec in _tensor_specs(values):
        if spec.layout != "contiguous":
            tags.add("non-contiguous input")
        if any(s == 0 for s in spec.shape):
            tags.add("zero-size tensor")
        if spec.gen is not None:
            tags.add("special values")
        if len(spec.shape) == 0:
            tags.add("0-d tensor")
    return tags


def scope_name(case):
    """The covered torch.nn entry a case belongs to (module class or function name), or None."""
    if isinstance(case, ModuleCase):
        if isinstance(case.module, str):
            return case.module
        return case.op if row_label(case) == f"nn.{case.op}" else None
    return case.op or None


def case_params(case):
    """{parameter: short value} for every documented parameter the case passes."""
    name = scope_name(case)
    if name is None:
        return {}
    names = scope.ctor_params(name)
    if isinstance(case, ModuleCase):
        positional, keywords = case.ctor_args, dict(case.ctor_kwargs)
        forward = scope.forward_params(name)
        if forward and forward[0] in ("hx", "indices"):
            for param, value in zip(forward, case.inputs[1:]):
                keywords.setdefault(param, value)
        keywords.update(case.forward_kwargs)
    elif getattr(case, "call", None) is not None:
        positional, keywords = (), case.kwargs     # a custom call: positions mean what the call makes of them
    else:
        positional, keywords = case.args, case.kwargs
    params = {}
    for param, value in zip(names, positional):
        params[param] = short(value)
    for param, value in keywords.items():
        params[param] = short(value)
    return {p: v for p, v in params.items() if p not in scope.DATA_PARAMS}


def case_tags(case):
    return sorted(set(case.features) | input_tags(case))


def refnn_accepts(name, is_module, param):
    """False when refnn's signature for ``name`` cannot take ``param``; None when unknown."""
    import refnn.nn as rnn
    import refnn.nn.functional as RF
    obj = getattr(rnn if is_module else RF, name, None)
    if obj is None:
        return None
    targets = [obj.__init__, obj.forward] if is_module else [obj]
    for target in targets:
        try:
            sig = inspect.signature(target)
        except (TypeError, ValueError):
            return None
        if param in sig.parameters or any(p.kind in (p.VAR_KEYWORD,) for p in sig.parameters.values()):
            return True
    return False


def describe_cases(pairs):
    """Per case id (without dtype): row, scope name, params, tags (computed once in the parent)."""
    out = {}
    for case, _ in pairs:
        from tests.harness.runner import case_id
        cid = case_id(case)
        if cid in out:
            continue
        out[cid] = {"row": row_label(case), "scope": scope_name(case), "desc": case.desc,
                    "kind": {OpCase: "op", ModuleCase: "module", ErrorCase: "error"}[type(case)],
                    "params": case_params(case), "tags": case_tags(case),
                    "is_module": row_label(case).startswith("nn.")}
    return out


def _cell(statuses):
    if not statuses:
        return None
    if any(s in ("failed", "xpass") for s in statuses):
        return "fail"
    if "passed" in statuses or "disagrees" in statuses:
        return "pass"
    if "xfail" in statuses:
        return "xfail"
    return "skip"


def matrix(cases, implemented):
    """{family: {"params": [...], "rows": {row: {"scope":..., "cells": {param: {...}}, "tags": {...}}}}}.

    ``cases`` are the report's case records (with row, params, tags, status);
    ``implemented`` maps (name, is_module) to True/False.
    """
    families = {}
    by_row = {}
    for rec in cases:
        by_row.setdefault(rec["row"], []).append(rec)
    for row, recs in sorted(by_row.items()):
        family = recs[0]["family"]
        name = recs[0]["scope"]
        is_module = row.startswith("nn.")
        documented = [p for p in scope.ctor_params(name) + scope.forward_params(name)
                      if p not in scope.DATA_PARAMS] if name else []
        cells = {}
        value_recs = [r for r in recs if r["kind"] != "error"]
        for param in documented:
            statuses = [r["status"] for r in value_recs if param in r["params"]]
            values = sorted({r["params"][param] for r in value_recs if param in r["params"]})
            errors = sum(1 for r in recs if r["kind"] == "error" and param in r["params"])
            state = _cell(statuses)
            if state is None:
                accepts = refnn_accepts(name, is_module, param)
                state = "unsupported" if accepts is False else "uncovered"
            cells[param] = {"state": state, "cases": len(statuses), "values": values, "error_cases": errors}
        for param in sorted({p for r in value_recs for p in r["params"]} - set(documented)):
            statuses = [r["status"] for r in value_recs if param in r["params"]]
            values = sorted({r["params"][param] for r in value_recs if param in r["params"]})
            cells[param] = {"state": _cell(statuses), "cases": len(statuses), "values": values, "error_cases": 0}
        tags = {}
        for tag in sorted({t for r in value_recs for t in r["tags"]}):
            tags[tag] = _cell([r["status"] for r in value_recs if tag in r["tags"]])
        fam = families.setdefault(family, {"params": [], "rows": {}})
        for param in cells:
            if param not in fam["params"]:
                fam["params"].append(param)
        fam["rows"][row] = {"scope": name, "cells": cells, "tags": tags,
                            "error_cases": sum(1 for r in recs if r["kind"] == "error")}
    return families

"""``repr(tensor)`` in torch's print format (torch/_tensor_str.py's rules, default print options).

One formatter per tensor looks at its finite nonzero values: all integral -> ``1.`` style (``int_mode``);
a max/min ratio over 1000, a max over 1e8 or a min under 1e-4 -> scientific (``sci_mode``); otherwise
fixed with 4 decimals.  Every element is right-aligned to the widest.  Over 1000 elements only the
first and last 3 of every dim are shown.  Lines wrap at 80 characters.
"""
import math

import numpy as np

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80

_DEFAULT_DTYPES = ("float32", "int64", "bool")


class _Formatter:
    def __init__(self, values):
        """``values``: a flat NumPy array of the elements that will be shown."""
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not self.floating:
            for v in values.tolist():
                self.max_width = max(self.max_width, len(_plain(v)))
            return
        finite = values[np.isfinite(values) & (values != 0)]
        if finite.size == 0:
            return
        shown = finite.astype(np.float64)
        absolute = np.abs(shown)
        lo, hi = absolute.min(), absolute.max()
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        for v in shown.tolist():
            if self.sci_mode:
                width = len(f"{v:.{PRECISION}e}")
            elif self.int_mode:
                width = len(f"{v:.0f}") + 1
            else:
                width = len(f"{v:.{PRECISION}f}")
            self.max_width = max(self.max_width, width)

    def format(self, value):
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{PRECISION}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = f"{value:.{PRECISION}f}"
        else:
            text = _plain(value)
        return (self.max_width - len(text)) * " " + text


def _plain(v):
    return str(v)


def _summarized(array):
    """The elements a summarized print shows (the first and last EDGEITEMS of every dim)."""
    if array.ndim == 0:
        return array
    if array.shape[0] > 2 * EDGEITEMS:
        array = np.concatenate([array[:EDGEITEMS], array[-EDGEITEMS:]])
    if array.ndim == 1:
        return array
    return np.stack([_summarized(a) for a in array]) if array.shape[0] else array


def _vector_str(array, indent, summarize, formatter):
    element_length = formatter.max_width + 2
    per_line = max(1, math.floor((LINEWIDTH - indent) / element_length))
    if summarize and array.shape[0] > 2 * EDGEITEMS:
        data = ([formatter.format(v) for v in array[:EDGEITEMS].tolist()] + [" ..."]
                + [formatter.format(v) for v in array[-EDGEITEMS:].tolist()])
    else:
        data = [formatter.format(v) for v in array.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _body(array, indent, summarize, formatter):
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _vector_str(array, indent, summarize, formatter)
    if summarize and array.shape[0] > 2 * EDGEITEMS:
        slices = ([_body(array[i], indent + 1, summarize, formatter) for i in range(EDGEITEMS)] + ["..."]
                  + [_body(array[i], indent + 1, summarize, formatter)
                     for i in range(array.shape[0] - EDGEITEMS, array.shape[0])])
    else:
        slices = [_body(array[i], indent + 1, summarize, formatter) for i in range(array.shape[0])]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def tensor_str(array, indent):
    """The bracketed values of ``array`` as torch prints them, ``indent`` columns in."""
    if array.size == 0:
        return "[]"
    if array.dtype == np.float16:
        array = array.astype(np.float32)
    summarize = array.size > THRESHOLD
    formatter = _Formatter((_summarized(array) if summarize else array).reshape(-1))
    return _body(array, indent, summarize, formatter)


def _add_suffixes(text, suffixes, indent):
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def grad_fn_name(node):
    """torch's class name of a grad_fn: a Function's ``backward_name``, else ``<Name>Backward0``."""
    function = getattr(node, "function", None)
    if function is None:
        return node.name()
    return getattr(function, "backward_name", None) or function.__name__ + "Backward0"


def tensor_repr(tensor):
    prefix = "tensor("
    indent = len(prefix)
    array = tensor.data
    suffixes = []
    name = array.dtype.name
    if array.size == 0:
        if array.ndim != 1:
            suffixes.append(f"size={tuple(array.shape)}")
        if name != "float32":
            suffixes.append(f"dtype=refnn.{name}")
        body = "[]"
    else:
        if name not in _DEFAULT_DTYPES:
            suffixes.append(f"dtype=refnn.{name}")
        body = tensor_str(array, indent)
    if tensor.grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name(tensor.grad_fn)}>")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)

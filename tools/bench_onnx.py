"""onnxruntime as a third column of tools/bench.py: the workload's torch callable exported to ONNX.

A forward-only workload (no ``grad_inputs``) is traced by torch's TorchScript exporter
(``torch.onnx.export(..., dynamo=False)``): a wrapper module takes the workload's float arrays as inputs,
rebuilds the workload's input dict with them and runs ``workload.torch_fn`` once.  onnxruntime runs the
file on its CPU provider with ``intra_op_num_threads`` = the thread count, fed the same arrays.  The column
is blank (``None``) where onnx or onnxruntime is missing, the workload trains (ONNX has no backward), or the
export or the session fails (the reason is kept in ``onnxruntime_note``).  onnx and onnxruntime are bench and
test dependencies only: refnn never imports them.
"""
import contextlib
import io
import os
import sys
import warnings

import numpy as np


def available():
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def _quiet():
    """torch's exporter prints the whole traced graph when it fails; the reason is kept instead."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    try:
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            os.dup2(devnull.fileno(), 1)
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])


def export(workload, arrays):
    """The workload's ONNX file (bytes) and the names of its graph inputs, or raise ValueError saying why not."""
    if workload.grad_inputs:
        raise ValueError("forward+backward: no ONNX form")
    import torch

    from tools.bench import to_torch
    keys = [k for k, v in arrays.items() if isinstance(v, np.ndarray) and v.dtype.kind == "f"]
    if not keys:
        raise ValueError("no float input")

    class Wrapper(torch.nn.Module):
        def forward(self, *tensors):
            t = to_torch(arrays, ())
            t.update(dict(zip(keys, tensors)))
            out = workload.torch_fn(t)()
            return out[0] if isinstance(out, (tuple, list)) else out

    inputs = tuple(torch.from_numpy(np.array(arrays[k], copy=True)) for k in keys)
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad(), _quiet():
        warnings.simplefilter("ignore")
        torch.onnx.export(Wrapper(), inputs, buffer, dynamo=False, input_names=keys, opset_version=17)
    return buffer.getvalue(), keys


def runner(workload, arrays, threads):
    """(zero-arg callable running one onnxruntime inference, None) or (None, the reason there is none)."""
    if not available():
        return None, "onnxruntime not installed"
    try:
        data, keys = export(workload, arrays)
        import onnxruntime
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        names = {i.name for i in session.get_inputs()}
        feeds = {k: np.ascontiguousarray(arrays[k]) for k in keys if k in names}
        session.run(None, feeds)
    except Exception as exc:  # noqa: BLE001 - no ONNX form: the column stays blank, the reason is kept
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]
    return (lambda: session.run(None, feeds)[0]), None

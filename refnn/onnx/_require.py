"""The optional ``onnx`` dependency, imported on first use."""


def require_onnx():
    """The ``onnx`` module, or an ImportError that says how to install it."""
    try:
        import onnx
    except ImportError as exc:  # pragma: no cover - exercised where onnx is absent
        raise ImportError('refnn.onnx needs the onnx package: pip install "refnn[onnx]"') from exc
    return onnx

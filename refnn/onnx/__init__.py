"""ONNX exchange: ``export`` a refnn model to an ONNX file, ``load`` an ONNX file as a refnn Module.

Needs the ``onnx`` package (``pip install "refnn[onnx]"``); ``import refnn`` does not import this
package, and this package imports ``onnx`` only when a function is called.
"""
from ._export import TrainingMode, export  # noqa: F401
from ._load import InvalidModelError, OnnxGraphModule, UnsupportedOperatorError, load  # noqa: F401

__all__ = ["export", "load", "TrainingMode", "OnnxGraphModule", "InvalidModelError",
           "UnsupportedOperatorError"]

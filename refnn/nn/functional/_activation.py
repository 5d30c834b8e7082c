"""Activations: F.relu (the activation family's issue adds the rest)."""
from ..._functions.activation import ReLUFunction
from ._utils import check_float_tensor, check_inplace

__all__ = ["relu", "relu_"]


def relu(input, inplace=False):
    """max(0, x); NaN propagates."""
    check_float_tensor("relu", "input", input)
    if inplace:
        check_inplace("relu", input)
    return ReLUFunction.apply(input, bool(inplace))


def relu_(input):
    return relu(input, inplace=True)

"""``refnn.<op>(tensor, ...)``: the function forms of the Tensor methods, as torch has them."""
from .tensor import Tensor, where  # noqa: F401

_METHODS = ("sum", "mean", "prod", "max", "min", "argmax", "argmin", "amax", "amin", "std", "var", "norm",
            "logsumexp", "cumsum", "all", "any", "abs", "absolute", "neg", "negative", "exp", "log", "log1p",
            "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "relu", "softmax", "log_softmax", "clamp", "clip",
            "pow", "maximum", "minimum", "sign", "floor", "ceil", "round", "eq", "ne", "lt", "le", "gt", "ge",
            "greater", "greater_equal", "less", "less_equal", "not_equal", "equal", "isnan", "isinf",
            "isfinite", "logical_not", "gather", "scatter", "index_select", "masked_fill", "flatten",
            "unflatten", "squeeze", "unsqueeze", "chunk", "split", "transpose", "swapaxes", "swapdims", "t",
            "permute", "flip", "roll", "matmul", "mm", "bmm", "reshape", "clone", "detach", "numel", "select",
            "narrow", "unbind", "add", "sub", "mul", "div", "multiply", "divide", "subtract", "abs_", "exp_",
            "relu_", "sigmoid_", "tanh_", "clamp_", "clip_")

__all__ = list(_METHODS) + ["where"]


def _function(name):
    method = getattr(Tensor, name)

    def function(input, *args, **kwargs):  # noqa: A002
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
        return method(input, *args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"refnn.{name}(input, ...) is input.{name}(...)."
    return function


for _name in _METHODS:
    globals()[_name] = _function(_name)
del _name

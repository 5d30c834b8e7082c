"""parameters_to_vector and vector_to_parameters (torch's ``torch.nn.utils.convert_parameters``)."""
from ...tensor import Tensor, cat

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """One 1-d tensor: every parameter flattened, in order (differentiable, a cat of views)."""
    return cat([param.view(-1) for param in parameters])


def vector_to_parameters(vec, parameters):
    """Each parameter's data becomes the next numel elements of ``vec`` (a view of them, as torch's)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    pointer = 0
    for param in parameters:
        num_param = param.numel()
        available = max(0, min(num_param, vec.numel() - pointer))
        if available != num_param:
            raise RuntimeError(f"shape '{list(param.shape)}' is invalid for input of size {available}")
        param.data = vec.data[pointer:pointer + num_param].reshape(param.shape)
        pointer += num_param


def _typename(obj):
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module == "builtins" else f"{module}.{name}"

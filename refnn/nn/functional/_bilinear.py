"""F.bilinear: y = x1^T A x2 + b, composed from refnn's matrix product (torch's checks and messages)."""
import numpy as np

from ..._shape import check_allocation
from ._utils import FLOAT_DTYPES, check_tensor

__all__ = ["bilinear"]

_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int"}


def _size(tensor, dim):
    """tensor.size(dim), with torch's IndexError for a 0-d tensor or a dimension out of range."""
    n = tensor.dim()
    if n == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return tensor.shape[dim]


def bilinear(input1, input2, weight, bias=None):
    """out[..., o] = sum_i sum_j input1[..., i] weight[o, i, j] input2[..., j] + bias[o].

    The product runs as one matrix product (input1 @ weight seen as (I, O * J)), then a sum over j in ascending
    order of (that product * input2); refnn's matmul fixes the order of the first sum.
    """
    for name, value in (("input1", input1), ("input2", input2), ("weight", weight)):
        check_tensor("bilinear", name, value)
    if bias is not None:
        check_tensor("bilinear", "bias", bias)
    dtypes = [input1.dtype, input2.dtype, weight.dtype] + ([bias.dtype] if bias is not None else [])
    if len(set(dtypes)) != 1:
        names = ", ".join(f"{n}: {_C_NAMES.get(np.dtype(d).name, np.dtype(d).name)}"
                          for n, d in zip(("input1", "input2", "weight", "bias"), dtypes))
        raise RuntimeError(f"All tensors must have the same dtype, got {names}")
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}")
    for i in range(input1.dim() - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {input1.shape[i]} and "
                               f"{input2.shape[i]}")
    if _size(input1, -1) != _size(weight, 1):
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
                           f"expected {weight.shape[1]}")
    if _size(input2, -1) != _size(weight, 2):
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
                           f"expected {weight.shape[2]}")
    if bias is not None and _size(bias, 0) != _size(weight, 0):
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {bias.shape[0]} but expected "
                           f"{weight.shape[0]}")
    if weight.dim() != 3 or (bias is not None and bias.dim() != 1):
        raise RuntimeError(f"bilinear(): refnn takes a 3-d weight and a 1-d bias, but got weight of shape "
                           f"{list(weight.shape)}" + (f" and bias of shape {list(bias.shape)}" if bias is not None
                                                      else ""))
    if input1.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"bilinear: expected float32 or float64 tensors, but got {input1.dtype}")
    out_features, in1, in2 = weight.shape
    check_allocation("bilinear", tuple(input1.shape[:-1]) + (out_features, in2), input1.data.itemsize)
    if in1 == 0 or in2 == 0:     # torch's _trilinear reshapes an empty operand to (-1, 0)
        raise RuntimeError("cannot reshape tensor of 0 elements into shape [-1, 0] because the unspecified "
                           "dimension size -1 can be any value and is ambiguous")
    lead = tuple(input1.shape[:-1])
    rows = int(np.prod(lead, dtype=np.int64))
    x1 = input1.reshape(rows, in1)
    x2 = input2.reshape(rows, in2)
    # (R, I) @ (I, O * J) -> (R, O, J); times x2 broadcast over O; summed over J
    mixed = x1.matmul(weight.permute(1, 0, 2).reshape(in1, out_features * in2)).reshape(rows, out_features, in2)
    out = (mixed * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        out = out + bias
    return out.reshape(lead + (out_features,))

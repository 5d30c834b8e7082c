"""matmul (every operand rank, batch dims broadcast) and bmm, through the gemm kernel.

Every output element sums over the reduced index k in ascending order (``refnn._kernels.gemm``'s
specification), and so do both gradients; a gradient of an operand that was broadcast over batch
dims is then summed over those dims in the reduction kernel's fixed order.  Integer operands use
NumPy's matmul (integer sums are exact in any order).
"""
import numpy as np

from .._kernels import gemm
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads
from .arith import unbroadcast


def batched_product(a, b, a_km=False, b_nk=False):
    """(B, M, K) @ (B, K, N) per batch entry (either operand read transposed), k ascending."""
    a, b = contiguous(a), contiguous(b, a.dtype)
    M = a.shape[2] if a_km else a.shape[1]
    N = b.shape[1] if b_nk else b.shape[2]
    out = np.empty((a.shape[0], M, N), dtype=a.dtype)
    gemm.gemm(a, b, out, a_km, b_nk, None, threads(a.shape[0] * M * N * (a.shape[1] if a_km else a.shape[2])))
    return out


class BatchedMatmul(Function):
    """a (..., M, K) @ b (..., K, N) with the batch dims already broadcast to ``batch``."""

    backward_name = "UnsafeViewBackward0"   # torch's name for a batched matmul's result

    @staticmethod
    def forward(ctx, a, b, batch):
        M, K = a.shape[-2:]
        N = b.shape[-1]
        count = 1
        for n in batch:
            count *= n
        A = np.broadcast_to(a.data, batch + (M, K)).reshape(count, M, K)
        B = np.broadcast_to(b.data, batch + (K, N)).reshape(count, K, N)
        ctx.A, ctx.B, ctx.batch, ctx.shapes = A, B, batch, (a.shape, b.shape)
        ctx.save_for_backward(a, b)
        if A.dtype.kind != "f":
            out = np.matmul(A, B)
        else:
            out = batched_product(A, B)
        return Tensor(out.reshape(batch + (M, N)))

    @staticmethod
    def backward(ctx, grad):
        ctx.saved_tensors
        A, B = ctx.A, ctx.B
        G = contiguous(grad).reshape(A.shape[0], A.shape[1], B.shape[2])
        ga = gb = None
        if ctx.needs_input_grad[0]:   # G (M, N) @ B^T (N, K)
            ga = batched_product(G, B, b_nk=True).reshape(ctx.batch + A.shape[1:])
            ga = unbroadcast(ga, ctx.shapes[0])
        if ctx.needs_input_grad[1]:   # A^T (K, M) @ G (M, N)
            gb = batched_product(A, G, a_km=True).reshape(ctx.batch + B.shape[1:])
            gb = unbroadcast(gb, ctx.shapes[1])
        return ga, gb, None


class Mm(BatchedMatmul):
    backward_name = "MmBackward0"


class Bmm(BatchedMatmul):
    backward_name = "BmmBackward0"


def _check_dtypes(a, b):
    if not isinstance(b, Tensor):
        raise TypeError(f"matmul(): argument 'other' must be Tensor, not {type(b).__name__}")
    if a.data.dtype != b.data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.data.dtype} != {b.data.dtype}")


def matmul(a, b):
    """torch.matmul: 1-d operands gain (and then lose) a unit dim; batch dims broadcast."""
    _check_dtypes(a, b)
    if a.data.ndim == 0 or b.data.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a.data.ndim}D and {b.data.ndim}D")
    if a.data.ndim == 1 and b.data.ndim == 1 and a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to "
                           f"have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements "
                           "respectively")
    a2 = a.reshape(1, a.shape[0]) if a.data.ndim == 1 else a
    b2 = b.reshape(b.shape[0], 1) if b.data.ndim == 1 else b
    if a2.shape[-1] != b2.shape[-2]:
        if a.data.ndim <= 2 and b.data.ndim <= 2:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a2.shape[0]}x{a2.shape[1]} and "
                               f"{b2.shape[0]}x{b2.shape[1]})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b2.shape[:-2] and b2.shape[0]}, {a2.shape[-1]}] but got: "
                           f"[{b2.shape[:-2] and b2.shape[0]}, {b2.shape[-2]}].")
    try:
        batch = tuple(np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]))
    except ValueError:
        raise RuntimeError(f"The size of tensor a must match the size of tensor b at a non-singleton dimension "
                           f"(batch dims {list(a2.shape[:-2])} and {list(b2.shape[:-2])})") from None
    out = (Mm if a.data.ndim == b.data.ndim == 2 else BatchedMatmul).apply(a2, b2, batch)
    if a.data.ndim == 1:
        out = out.squeeze(-2)
    if b.data.ndim == 1:
        out = out.squeeze(-1)
    return out


def bmm(a, b):
    _check_dtypes(a, b)
    if a.data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    return Bmm.apply(a, b, (a.shape[0],))

"""F.grid_sample and F.affine_grid: torch's checks, warnings and messages, in its order."""
import warnings

import numpy as np

from ..._functions import gridsample as GF
from ..._shape import check_allocation
from ...tensor import Tensor
from ._utils import FLOAT_DTYPES, torch_int_list

__all__ = ["affine_grid", "grid_sample"]

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                  "grid_sample for details.")
_TORCH_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _sizes(t):
    return "[" + ", ".join(str(n) for n in t.shape) + "]"


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` (N, C, H, W) / (N, C, D, H, W) at the normalised positions of ``grid``
    (N, H_out, W_out, 2) / (N, D_out, H_out, W_out, 3), x first."""
    if mode != "bilinear" and mode != "nearest" and mode != "bicubic":
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode != "zeros" and padding_mode != "border" and padding_mode != "reflection":
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    for position, (name, value) in enumerate((("input", input), ("grid", grid)), 1):
        if not isinstance(value, Tensor):
            raise TypeError(f"grid_sampler(): argument '{name}' (position {position}) must be Tensor, not "
                            f"{type(value).__name__}")
    if not isinstance(align_corners, (bool, np.bool_)):
        raise TypeError(f"grid_sampler(): argument 'align_corners' (position 5) must be bool, not "
                        f"{type(align_corners).__name__}")
    if input.dim() == 5 and mode == "bicubic":
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.dim() < 1 or grid.dim() < 1 or input.shape[0] != grid.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {_sizes(input)} and grid with sizes {_sizes(grid)}")
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.dim() - 2} in last dimension, but "
                           f"got grid with sizes {_sizes(grid)}")
    for i in range(2, input.dim()):
        if input.shape[i] <= 0:
            raise RuntimeError("grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                               f"sizes {_sizes(input)} with dimension {i} being empty")
    nd = 4 if input.dim() == 4 else 5
    if input.dim() != nd or grid.dim() != nd:
        raise RuntimeError(f"grid_sampler(): expected {nd}D input and grid with same number of dimensions, but got "
                           f"input with sizes {_sizes(input)} and grid with sizes {_sizes(grid)}")
    out_shape = tuple(input.shape[:2]) + tuple(grid.shape[1:-1])
    if 0 in out_shape:        # torch returns the empty output before reading either tensor's data
        return GF.GridSampleFunction.apply(input, grid, mode, padding_mode, align_corners)
    if input.dtype.kind != "f":
        name = _TORCH_NAMES.get(input.dtype.name, input.dtype.name)
        raise NotImplementedError(f"\"grid_sampler_{nd - 2}d_cpu_kernel_impl\" not implemented for '{name}'")
    if input.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"grid_sample: expected input to be float32 or float64, but got {input.dtype}")
    if grid.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {_TORCH_NAMES[input.dtype.name]} but found "
                           f"{_TORCH_NAMES.get(grid.dtype.name, grid.dtype.name)}")
    check_allocation("grid_sample", out_shape, input.data.itemsize)
    return GF.GridSampleFunction.apply(input, grid, mode, padding_mode, align_corners)


def _size_ints(size):
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"affine_grid_generator(): argument 'size' (position 2) must be tuple of ints, not "
                        f"{type(size).__name__}")
    values = torch_int_list("affine_grid_generator", "size", 2, size)
    return values


def affine_grid(theta, size, align_corners=None):
    """The sampling grid of a batch of affine maps: theta (N, 2, 3) for size (N, C, H, W), (N, 3, 4) for
    (N, C, D, H, W); returns (N, H, W, 2) / (N, D, H, W, 3)."""
    if not isinstance(theta, Tensor):
        raise TypeError(f"affine_grid_generator(): argument 'theta' (position 1) must be Tensor, not "
                        f"{type(theta).__name__}")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if theta.dtype.kind != "f":
        raise ValueError(f"Expected theta to have floating point type, but got torch.{theta.dtype.name}")
    shape = "torch.Size([" + ", ".join(str(n) for n in theta.shape) + "])"
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got {shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got {shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    values = _size_ints(size)
    if not isinstance(align_corners, (bool, np.bool_)):
        raise TypeError(f"affine_grid_generator(): argument 'align_corners' (position 3) must be bool, not "
                        f"{type(align_corners).__name__}")
    dims = len(values) - 2
    if values[0] != theta.shape[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{values[0]}, "
                           f"{dims + 1}] but got: [{theta.shape[0]}, {dims + 1}].")
    if min(values[2:]) < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(values[2:])}: "
                           f"[{', '.join(str(v) for v in [values[0]] + values[2:] + [dims + 1])}]")
    if theta.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"affine_grid: expected theta to be float32 or float64, but got {theta.dtype}")
    check_allocation("affine_grid", [values[0]] + values[2:] + [dims], theta.data.itemsize)
    return GF.AffineGridFunction.apply(theta, tuple(values[2:]), bool(align_corners))

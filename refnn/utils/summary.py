"""``summary(model, input_size)``: a torchinfo-style table of layers, shapes and counts."""
from dataclasses import dataclass, field

import numpy as np

from ..autograd import no_grad
from ..tensor import Tensor


@dataclass
class LayerInfo:
    name: str
    class_name: str
    depth: int
    output_shape: list = field(default_factory=list)
    num_params: int = 0          # this module's own parameters
    total_params: int = 0        # including children
    trainable: bool = True
    mult_adds: int = 0


@dataclass
class ModelStatistics:
    layers: list
    total_params: int
    trainable_params: int
    total_mult_adds: int
    input_size: tuple

    def __str__(self):
        width = max([len("Layer (type:depth-idx)")] + [2 * l.depth + len(l.class_name) + 8 for l in self.layers])
        header = f"{'Layer (type:depth-idx)':<{width}} {'Output Shape':<24} {'Param #':>12} {'Trainable':>10}"
        rule = "=" * len(header)
        lines = [rule, header, rule]
        for layer in self.layers:
            label = ("│    " * max(layer.depth - 1, 0) + ("├─" if layer.depth else "") +
                     f"{layer.class_name}: {layer.depth}")
            params = f"{layer.num_params:,}" if layer.num_params else "--"
            trainable = ("True" if layer.trainable else "False") if layer.total_params else "--"
            lines.append(f"{label:<{width}} {str(layer.output_shape):<24} {params:>12} {trainable:>10}")
        lines += [rule,
                  f"Total params: {self.total_params:,}",
                  f"Trainable params: {self.trainable_params:,}",
                  f"Non-trainable params: {self.total_params - self.trainable_params:,}",
                  f"Total mult-adds: {self.total_mult_adds:,}",
                  rule]
        return "\n".join(lines)

    __repr__ = __str__


def _mult_adds(module, output):
    """Multiply-accumulates of a layer with a ``weight``: weight size times output positions."""
    weight = module._parameters.get("weight")
    if weight is None or not isinstance(output, Tensor) or output.dim() == 0:
        return 0
    if type(module).__name__.startswith(("Conv", "ConvTranspose")):
        positions = int(np.prod(output.shape[2:])) * output.shape[0] if output.dim() > 2 else 1
        return int(weight.numel()) * positions
    if type(module).__name__ == "Linear":
        return int(weight.numel()) * int(np.prod(output.shape[:-1]))
    return int(weight.numel())


def summary(model, input_size=None, input_data=None, dtype="float32", depth=3, verbose=0):
    """Run ``model`` once on zeros of ``input_size`` (or on ``input_data``) and tabulate every layer."""
    if input_data is None:
        if input_size is None:
            raise ValueError("summary: give input_size or input_data")
        input_data = Tensor(np.zeros(tuple(input_size), dtype=dtype))
    inputs = input_data if isinstance(input_data, (list, tuple)) else (input_data,)
    layers, handles, index = [], [], {}
    for name, module in model.named_modules():
        depth_of = 0 if name == "" else name.count(".") + 1
        info = LayerInfo(name, type(module).__name__, depth_of)
        own = [p for p in module._parameters.values() if p is not None]
        info.num_params = int(sum(p.numel() for p in own))
        everything = list(module.parameters())
        info.total_params = int(sum(p.numel() for p in everything))
        info.trainable = all(p.requires_grad for p in everything) if everything else True
        index[id(module)] = info
        layers.append(info)

        def hook(mod, args, output, info=info):
            first = output[0] if isinstance(output, (tuple, list)) else output
            info.output_shape = list(first.shape) if isinstance(first, Tensor) else []
            info.mult_adds = _mult_adds(mod, first)
        handles.append(module.register_forward_hook(hook))
    try:
        was_training = model.training
        model.eval()
        with no_grad():
            model(*inputs)
        model.train(was_training)
    finally:
        for handle in handles:
            handle.remove()
    params = {id(p): p for p in model.parameters()}
    stats = ModelStatistics(
        layers=[layer for layer in layers if layer.depth <= depth and layer.depth > 0],
        total_params=int(sum(p.numel() for p in params.values())),
        trainable_params=int(sum(p.numel() for p in params.values() if p.requires_grad)),
        total_mult_adds=int(sum(layer.mult_adds for layer in layers)),
        input_size=tuple(inputs[0].shape),
    )
    if verbose:
        print(stats)
    return stats

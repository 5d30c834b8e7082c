"""ResNet-18 inference through ``refnn.onnx.load``, beside torch (and onnxruntime, see ``onnxruntime_ms``).

torch builds a ResNet-18 (torchvision's layout, written here so torchvision is not needed) from a fixed
seed, with distinct BatchNorm statistics, exports it with ``torch.onnx.export(..., dynamo=False)``, and
refnn runs that file with ``refnn.onnx.load``: the torch column is the original model, the refnn column
is the ONNX graph on refnn's kernels (Conv+BatchNorm folded by torch's exporter). The workloads exist
only where the ``onnx`` package is installed.
"""
import io
import sys
import time
import warnings

import numpy as np

from tools.workloads import Workload

BATCH, SIZE = 1, 224
_CACHE = {}


def basic_block(nn, F):
    """torchvision's ResNet BasicBlock class for either library (``nn``/``F`` of torch or refnn)."""

    class BasicBlock(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.downsample = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                               if stride != 1 or cin != cout else None)

        def forward(self, x):
            y = F.relu(self.bn1(self.conv1(x)))
            y = self.bn2(self.conv2(y))
            return F.relu(y + (x if self.downsample is None else self.downsample(x)))

    return BasicBlock


def randomize_statistics(model):
    """Distinct BatchNorm statistics and affine values of a torch model (torch folds equal initializers
    into one, and untrained statistics would hide the folding of BatchNorm into Conv)."""
    import torch
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for name, b in model.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn(b.shape, generator=g) * 0.1)
            elif name.endswith("running_var"):
                b.copy_(torch.rand(b.shape, generator=g) + 0.5)
        for name, p in model.named_parameters():
            if p.dim() == 1 and name.endswith("weight"):
                p.copy_(torch.rand(p.shape, generator=g) + 0.5)
            elif p.dim() == 1 and name.endswith("bias"):
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)


def resnet18(nn, F):
    """torchvision's resnet18 (BasicBlock, [2, 2, 2, 2]) for either library."""
    BasicBlock = basic_block(nn, F)

    class ResNet18(nn.Module):
        def __init__(self, num_classes=1000):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            widths = [64, 128, 256, 512]
            cin = 64
            for i, width in enumerate(widths):
                stride = 1 if i == 0 else 2
                setattr(self, f"layer{i + 1}", nn.Sequential(BasicBlock(cin, width, stride),
                                                             BasicBlock(width, width, 1)))
                cin = width
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(512, num_classes)

        def forward(self, x):
            x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(self.avgpool(x).flatten(1))

    return ResNet18()


def exported():
    """(torch model in eval mode, the ONNX file's bytes), built once."""
    if "model" not in _CACHE:
        import torch
        torch.manual_seed(0)
        model = resnet18(torch.nn, torch.nn.functional)
        randomize_statistics(model)
        model.eval()
        buffer = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, torch.zeros(BATCH, 3, SIZE, SIZE), buffer, dynamo=False,
                              input_names=["x"], output_names=["logits"])
        _CACHE["model"], _CACHE["bytes"] = model, buffer.getvalue()
    return _CACHE["model"], _CACHE["bytes"]


def _inputs():
    return {"x": np.random.default_rng(18).standard_normal((BATCH, 3, SIZE, SIZE), dtype=np.float32)}


def _torch_forward(t):
    import torch
    model, _ = exported()
    x = t["x"]

    def run():
        with torch.no_grad():
            return model(x)
    return run


def _refnn_forward(t):
    import refnn
    import refnn.onnx
    _, data = exported()
    loaded = refnn.onnx.load(data)
    x = t["x"]

    def run():
        with refnn.no_grad():
            return loaded(x)
    return run


def onnxruntime_ms(threads=1, repeat=5):
    """Median milliseconds of one onnxruntime run of the same file and input (None without onnxruntime)."""
    try:
        import onnxruntime
    except ImportError:
        return None
    _, data = exported()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    feed = {"x": _inputs()["x"]}
    session.run(None, feed)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        session.run(None, feed)
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def _flops():
    """Multiply-adds x2 of ResNet-18's convolutions and fc at 224x224 (about 3.6 GFLOP)."""
    return 2 * 1.814e9 * BATCH


try:
    import onnx  # noqa: F401
except ImportError:
    print("tools/workloads/onnx.py: ONNX workloads skipped, the onnx package is not installed", file=sys.stderr)
    WORKLOADS = []
else:
    WORKLOADS = [
        Workload(name="onnx resnet18 batch1 fwd (refnn.onnx.load)", family="onnx", make_inputs=_inputs,
                 torch_fn=_torch_forward, refnn_fn=_refnn_forward, flops=_flops()),
    ]

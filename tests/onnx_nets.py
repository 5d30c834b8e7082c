"""Networks the ONNX tests export and load, written once against either library (``nn``, ``F``)."""
import importlib

from tools.workloads.onnx import basic_block


def resnet_style(nn, F):
    """A small ResNet: stem, two basic blocks (one with a strided 1x1 downsample), global pool, fc."""
    Block = basic_block(nn, F)

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(inplace=True),
                                      nn.MaxPool2d(3, 2, 1))
            self.layer1 = nn.Sequential(Block(8, 8, 1), Block(8, 16, 2))
            self.pool = nn.AdaptiveAvgPool2d((1, 1))
            self.dropout = nn.Dropout(0.2)
            self.fc = nn.Linear(16, 5)

        def forward(self, x):
            x = self.pool(self.layer1(self.stem(x)))
            return self.fc(self.dropout(x.flatten(1)))

    return ResNet()


def layer_zoo(nn, F):
    """One of most layers refnn exports, in sequence, so each operator pattern meets torch's."""

    class Zoo(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(4, 8, 3, stride=1, padding=1, dilation=1, groups=2)
            self.convt = nn.ConvTranspose2d(8, 8, 3, stride=2, padding=1, output_padding=1)
            self.avg = nn.AvgPool2d(3, 2, 1, count_include_pad=False)
            self.gn = nn.GroupNorm(2, 8)
            self.inorm = nn.InstanceNorm2d(8, affine=True)
            self.ln = nn.LayerNorm(8)
            self.prelu = nn.PReLU(8)
            self.bn = nn.BatchNorm2d(8)
            self.shuffle = nn.PixelShuffle(2)
            self.unshuffle = nn.PixelUnshuffle(2)
            self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
            self.conv1d = nn.Conv1d(8, 4, 3, padding=2, dilation=2)
            self.fc = nn.Linear(4, 3)

        def forward(self, x):
            x = self.conv(x)
            x = F.elu(x, 0.5)
            x = self.convt(x)
            x = F.leaky_relu(self.avg(x), 0.2)
            x = F.hardtanh(self.gn(x), -2.0, 3.0)
            x = F.gelu(self.inorm(x))
            x = F.silu(self.ln(x))
            x = self.prelu(x)
            x = F.relu(x)
            x = self.bn(x)                                   # after a ReLU: stays a BatchNormalization
            x = F.hardswish(self.unshuffle(self.shuffle(x)))
            x = F.mish(self.up(x)) * 0.5 + 1.0
            x = F.softplus(F.max_pool2d(x, 2, ceil_mode=True), beta=2.0)
            x = F.interpolate(x, size=(5, 7), mode="nearest")
            x = F.sigmoid(F.selu(F.celu(x, 0.7)))
            x = F.tanh(F.hardsigmoid(x)) - F.logsigmoid(x)
            x = F.softsign(x) + F.tanhshrink(x)
            x = F.relu6(x).mean((2,), keepdim=False)        # N, C, W
            x = self.conv1d(x)                               # N, 4, W
            x = F.adaptive_avg_pool1d(x, 1).flatten(1)       # N, 4
            x = self.fc(x.view(-1, 4))
            return F.log_softmax(x, dim=1), F.softmax(x.permute(1, 0), dim=0)

    return Zoo()


def op_zoo(nn, F):
    """The remaining exportable layers and Tensor operations, on 1-d and 2-d inputs."""

    class OpZoo(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1d = nn.Conv1d(3, 4, 3, stride=2, padding=1)
            self.convt1d = nn.ConvTranspose1d(4, 3, 3, stride=2, padding=1, output_padding=1)
            self.pool = nn.MaxPool2d(2, return_indices=True)
            self.inorm = nn.InstanceNorm1d(3)
            self.ln = nn.LayerNorm([3, 6])
            self.gn = nn.GroupNorm(1, 3, affine=False)
            self.rrelu = nn.RReLU()
            self.fc = nn.Linear(6, 6, bias=False)

        def forward(self, x):                                 # x: N, 3, 12
            y = self.convt1d(F.hardshrink(self.conv1d(x), 0.3))
            y = F.softshrink(F.avg_pool1d(y, 2), 0.2)          # N, 3, 6
            y = self.inorm(self.rrelu(y))
            y = self.ln(F.softmin(y, dim=2))
            y = self.fc(self.gn(y))                            # 3-d input: MatMul, no bias
            y = (y - 0.5) / 2.0 + (1.0 - y) * y
            y = y.abs().sqrt().exp().log() ** 2
            z = y.unsqueeze(1)                                 # N, 1, 3, 6
            z = F.elu(z.transpose(2, 3))                       # N, 1, 6, 3
            values, indices = self.pool(F.adaptive_max_pool2d(refnn_cat(z, z), 1) + z)
            s = (-values).sum(3, keepdim=True) + values.mean()
            flat = s.squeeze(1).flatten(1)                     # N, 6
            m = flat @ flat.transpose(0, 1)                    # N, N
            stacked = library().stack([m, m * 2.0], 0).unsqueeze(0).expand(2, -1, -1, -1)
            return s, indices, stacked.double()

    def library():
        return importlib.import_module(nn.__name__.split(".")[0])

    def refnn_cat(a, b):
        return library().cat([a, b], 1)

    return OpZoo()


def recurrent(nn, F, kind="LSTM", **options):
    """A recurrent layer and a Linear head on its output sequence."""

    class Recurrent(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = getattr(nn, kind)(4, 5, **options)
            self.head = nn.Linear(10 if options.get("bidirectional") else 5, 3)

        def forward(self, x):
            out = self.rnn(x)[0]
            return self.head(out)

    return Recurrent()


def resize_zoo(nn, F):
    """'same' convolution, bicubic and area interpolation, adaptive average pooling to a divisor, indexing."""

    class ResizeZoo(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, (3, 4), padding="same")
            self.pool = nn.AdaptiveAvgPool2d((2, 4))

        def forward(self, x):                                  # N, 3, 8, 8
            x = self.conv(x)
            x = F.interpolate(x, scale_factor=2, mode="bicubic", align_corners=False)
            x = F.interpolate(x, size=(12, 10), mode="bicubic", align_corners=True)
            x = F.interpolate(x, size=(6, 5), mode="area")
            y = self.pool(F.interpolate(x, size=(4, 8), mode="bilinear", align_corners=False))   # N, 4, 2, 4
            # indexing: Slice and Gather (an integer index torch already holds as a constant elsewhere
            # would be pooled with it, so the integers here are ones the graph has not used before)
            return y[:, 1:3, ::2][..., -1] + y[:, :, :, 1:-1].sum()

    return ResizeZoo()


def mnist_examples_net(nn, F):
    """The MNIST network of PyTorch's examples: two convolutions, dropout, flatten, two Linear, log_softmax."""

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = x.flatten(1)
            x = F.relu(self.fc1(x))
            x = self.dropout2(x)
            return F.log_softmax(self.fc2(x), dim=1)

    return Net()


def volume_zoo(nn, F):
    """3-d layers: convolution ('same' and strided), batch norm, max and average pooling, a transposed
    convolution and a global average."""

    class VolumeZoo(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv3d(2, 4, 3, padding=1)
            self.bn = nn.BatchNorm3d(4)
            self.conv2 = nn.Conv3d(4, 6, (2, 3, 3), stride=(1, 2, 2), padding="valid", groups=2)
            self.up = nn.ConvTranspose3d(6, 3, 2, stride=2)
            self.pool = nn.AdaptiveAvgPool3d(1)

        def forward(self, x):                                  # N, 2, 6, 8, 8
            x = F.max_pool3d(F.relu(self.bn(self.conv1(x))), 2, stride=1, padding=1)
            x = F.avg_pool3d(self.conv2(x), (1, 2, 2), ceil_mode=True)
            return self.pool(self.up(x)).flatten(1)

    return VolumeZoo()

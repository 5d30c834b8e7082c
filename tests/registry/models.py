"""Example networks from the torch tutorials, built identically from torch.nn and refnn.nn.

Each builder takes ``(nn, F)`` so the very same class definition runs against
both libraries: repr, state_dict names, outputs, every parameter's gradient and
the BatchNorm buffers are compared by the generic module runner.
"""
from tests.harness import ErrorCase, ModuleCase, T


def lenet(nn, F):
    """The tutorials' LeNet ``Net`` for 3x32x32 inputs."""
    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.view(-1, self.num_flat_features(x))
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

        def num_flat_features(self, x):
            num_features = 1
            for s in x.size()[1:]:
                num_features *= s
            return num_features
    return Net()


def lenet_with_loss(nn, F):
    """LeNet followed by log_softmax and nll_loss, its training objective."""
    class WithLoss(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = lenet(nn, F)

        def forward(self, x, target):
            return F.nll_loss(F.log_softmax(self.net(x), dim=1), target)
    return WithLoss()


def mnist_convnet(nn, F):
    """The MNISTConvNet: ``view(320)`` only works on a batch of one."""
    class MNISTConvNet(nn.Module):
        def __init__(self):
            super(MNISTConvNet, self).__init__()
            self.conv1 = nn.Conv2d(1, 10, 5)
            self.pool1 = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(10, 20, 5)
            self.pool2 = nn.MaxPool2d(2, 2)
            self.fc1 = nn.Linear(320, 50)
            self.fc2 = nn.Linear(50, 10)

        def forward(self, input):
            x = self.pool1(F.relu(self.conv1(input)))
            x = self.pool2(F.relu(self.conv2(x))).view(320)
            x = self.fc1(x)
            return self.fc2(x)
    return MNISTConvNet()


def stride1_cnn(nn, F, buggy_super=False):
    """A two-layer CNN with stride-1 pooling (its ``super(CNN).__init__()`` typo fixed;
    the typo itself is an error-parity case below)."""
    class CNN(nn.Module):
        def __init__(self, in_channels, out_channels):
            if buggy_super:
                super(CNN).__init__()
            else:
                super(CNN, self).__init__()
            self.conv1 = nn.Conv2d(in_channels, 10, 3, stride=1, padding=1)
            self.pool1 = nn.MaxPool2d(kernel_size=2, stride=1)
            self.conv2 = nn.Conv2d(10, out_channels, 3, stride=1, padding=1)
            self.pool2 = nn.MaxPool2d(kernel_size=2, stride=1)

        def forward(self, x):
            out = self.conv1(x)
            out = self.pool1(out)
            out = self.conv2(out)
            return self.pool2(out)
    return CNN(3, 4)


def naming_example1(nn, F):
    """Naming example 1: the same layers reachable as attributes and through ``stage1``."""
    class CNN(nn.Module):
        def __init__(self):
            super(CNN, self).__init__()
            self.conv1 = nn.Conv2d(3, 12, kernel_size=3, stride=1, padding=1)
            self.bn1 = nn.BatchNorm2d(12)
            self.s1 = [self.conv1, self.bn1]
            self.stage1 = nn.Sequential(*self.s1)
            self.conv2 = nn.Conv2d(12, 24, kernel_size=3, stride=1, padding=1)
            self.bn2 = nn.BatchNorm2d(24)
            self.fc1 = nn.Linear(24 * 5 * 5, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = F.relu(self.bn1(self.conv1(x)))
            x = F.relu(self.bn2(self.conv2(x)))
            x = x.view(-1, 24 * 5 * 5)
            x = F.relu(self.fc1(x))
            return self.fc2(x)
    return CNN()


def naming_example2(nn, F):
    """Naming example 2: DataParallel inside and around the model (``module.`` prefixes)."""
    class CNN(nn.Module):
        def __init__(self):
            super(CNN, self).__init__()
            conv1 = nn.Conv2d(3, 12, kernel_size=3, stride=1, padding=1)
            bn1 = nn.BatchNorm2d(12)
            s1 = [conv1, bn1]
            self.stage1 = nn.Sequential(*s1)
            self.stage2 = nn.DataParallel(self.stage1)
            self.conv2 = nn.Conv2d(12, 24, kernel_size=3, stride=1, padding=1)
            self.bn2 = nn.BatchNorm2d(24)
            self.fc1 = nn.Linear(24 * 5 * 5, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = self.stage2(x)
            x = F.relu(self.bn2(self.conv2(x)))
            x = x.view(-1, 24 * 5 * 5)
            x = F.relu(self.fc1(x))
            return self.fc2(x)
    return nn.DataParallel(CNN())


def _buggy(lib):
    return stride1_cnn(lib.nn, lib.F, buggy_super=True)


CASES = [
    ModuleCase(module=lenet, name="LeNet", desc="batch4", inputs=(T((4, 3, 32, 32)),)),
    ModuleCase(module=lenet, name="LeNet", desc="batch1_eval", inputs=(T((1, 3, 32, 32)),), train=False),
    ModuleCase(module=lenet_with_loss, name="LeNet+nll_loss", desc="batch8",
               inputs=(T((8, 3, 32, 32)), T((8,), low=0, high=10, dtype="int64"))),
    ModuleCase(module=mnist_convnet, name="MNISTConvNet", desc="view320",
               inputs=(T((1, 1, 28, 28)),)),
    ModuleCase(module=stride1_cnn, name="CNN stride-1 pooling", desc="3to4",
               inputs=(T((2, 3, 8, 8)),)),
    ModuleCase(module=naming_example1, name="naming example 1", desc="train_2steps",
               inputs=(T((2, 3, 5, 5)),), steps=2),
    ModuleCase(module=naming_example1, name="naming example 1", desc="eval",
               inputs=(T((2, 3, 5, 5)),), train=False),
    ModuleCase(module=naming_example2, name="naming example 2 (DataParallel)", desc="train_2steps",
               inputs=(T((3, 3, 5, 5)),), steps=2),
    ErrorCase(op="CNN super() typo", desc="cannot_assign_before_init", call=_buggy),
]

# 0-d and empty inputs with gradients: the networks on an empty batch backpropagate (empty input gradients,
# zero parameter gradients; view(-1, features) infers a batch of 0), view(320) cannot take an empty batch,
# and none accepts a 0-d input
def _model_call(build):
    return lambda lib, x: build(lib.nn, lib.F)(x)


CASES += [
    ModuleCase(module=lenet, name="seed LeNet", desc="batch_zero", inputs=(T((0, 3, 32, 32)),)),
    ModuleCase(module=lenet_with_loss, name="seed LeNet+nll_loss", desc="batch_zero",
               inputs=(T((0, 3, 32, 32)), T((0,), low=0, high=10, dtype="int64"))),
    ModuleCase(module=stride1_cnn, name="seed CNN stride-1 pooling", desc="batch_zero", inputs=(T((0, 3, 8, 8)),)),
    ModuleCase(module=stride1_cnn, name="seed CNN stride-1 pooling", desc="unbatched", inputs=(T((3, 6, 6)),)),
    ModuleCase(module=naming_example1, name="seed naming example 1", desc="batch_zero", inputs=(T((0, 3, 5, 5)),)),
    ErrorCase(op="seed MNISTConvNet", desc="batch_zero_view320", call=_model_call(mnist_convnet),
              args=(T((0, 1, 28, 28)),)),
    ErrorCase(op="seed LeNet", desc="input_0d", call=_model_call(lenet), args=(T(()),)),
]

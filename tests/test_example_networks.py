"""The example networks end to end: state_dict names as the tutorials print them, and SGD training steps
equal to torch's."""
import numpy as np
import pytest
import torch

import refnn
from tests.registry import models

EXAMPLE2_KEYS = """
module.stage1.0.weight module.stage1.0.bias
module.stage1.1.weight module.stage1.1.bias module.stage1.1.running_mean module.stage1.1.running_var
module.stage1.1.num_batches_tracked
module.stage2.module.0.weight module.stage2.module.0.bias
module.stage2.module.1.weight module.stage2.module.1.bias module.stage2.module.1.running_mean
module.stage2.module.1.running_var module.stage2.module.1.num_batches_tracked
module.conv2.weight module.conv2.bias
module.bn2.weight module.bn2.bias module.bn2.running_mean module.bn2.running_var module.bn2.num_batches_tracked
module.fc1.weight module.fc1.bias module.fc2.weight module.fc2.bias
""".split()

EXAMPLE1_KEYS = """
conv1.weight conv1.bias bn1.weight bn1.bias bn1.running_mean bn1.running_var bn1.num_batches_tracked
stage1.0.weight stage1.0.bias stage1.1.weight stage1.1.bias stage1.1.running_mean stage1.1.running_var
stage1.1.num_batches_tracked conv2.weight conv2.bias bn2.weight bn2.bias bn2.running_mean bn2.running_var
bn2.num_batches_tracked fc1.weight fc1.bias fc2.weight fc2.bias
""".split()


def test_naming_examples_print_the_tutorial_names():
    assert list(models.naming_example1(refnn.nn, refnn.nn.functional).state_dict()) == EXAMPLE1_KEYS
    assert list(models.naming_example2(refnn.nn, refnn.nn.functional).state_dict()) == EXAMPLE2_KEYS


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_lenet_sgd_steps_match_torch(momentum):
    torch.manual_seed(0)
    tm = models.lenet(torch.nn, torch.nn.functional)
    rm = models.lenet(refnn.nn, refnn.nn.functional)
    rm.load_state_dict(tm.state_dict())
    topt = torch.optim.SGD(tm.parameters(), lr=0.05, momentum=momentum)
    ropt = refnn.optim.SGD(rm.parameters(), lr=0.05, momentum=momentum)
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.standard_normal((8, 3, 32, 32)).astype(np.float32)
        y = rng.integers(0, 10, size=8)
        losses = []
        for lib, model, opt in ((torch, tm, topt), (refnn, rm, ropt)):
            F = lib.nn.functional
            opt.zero_grad()
            loss = F.nll_loss(F.log_softmax(model(lib.tensor(x)), dim=1), lib.tensor(y))
            loss.backward()
            opt.step()
            losses.append(float(loss.item()))
        assert losses[1] == pytest.approx(losses[0], rel=1e-5)
    for (name, p), (_, q) in zip(tm.named_parameters(), rm.named_parameters()):
        np.testing.assert_allclose(q.data, p.detach().numpy(), rtol=1e-5, atol=1e-5, err_msg=name)

"""refnn.optim.SGD against torch.optim.SGD over several steps."""
import numpy as np
import pytest
import torch

import refnn

SETTINGS = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.05, weight_decay=0.01),
    dict(lr=0.05, momentum=0.5, weight_decay=0.1, maximize=True),
]


@pytest.mark.parametrize("kwargs", SETTINGS, ids=[str(s) for s in SETTINGS])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sgd_matches_torch(kwargs, dtype):
    torch.manual_seed(0)
    tm = torch.nn.Linear(4, 3).to(getattr(torch, dtype))
    rm = refnn.nn.Linear(4, 3).to(dtype)
    rm.load_state_dict(tm.state_dict())
    topt = torch.optim.SGD(tm.parameters(), **kwargs)
    ropt = refnn.optim.SGD(rm.parameters(), **kwargs)
    rng = np.random.default_rng(1)
    for _ in range(4):
        x = rng.standard_normal((5, 4)).astype(dtype)
        g = rng.standard_normal((5, 3)).astype(dtype)
        for opt, m, X in ((topt, tm, torch.from_numpy(x)), (ropt, rm, refnn.tensor(x))):
            opt.zero_grad()
            m(X).backward(torch.from_numpy(g) if opt is topt else g)
            opt.step()
    tol = dict(rtol=1.3e-6, atol=1e-5) if dtype == "float32" else dict(rtol=1e-7, atol=1e-7)
    for (name, p), (_, q) in zip(tm.named_parameters(), rm.named_parameters()):
        np.testing.assert_allclose(q.data, p.detach().numpy(), err_msg=name, **tol)


def test_sgd_argument_errors_match_torch():
    p = [refnn.nn.Parameter(np.zeros(2, np.float32))]
    tp = [torch.nn.Parameter(torch.zeros(2))]
    for kwargs in (dict(lr=-1), dict(lr=0.1, momentum=-1), dict(lr=0.1, weight_decay=-1),
                   dict(lr=0.1, nesterov=True)):
        with pytest.raises(ValueError):
            torch.optim.SGD(tp, **kwargs)
        with pytest.raises(ValueError):
            refnn.optim.SGD(p, **kwargs)
    with pytest.raises(ValueError):
        refnn.optim.SGD([], lr=0.1)

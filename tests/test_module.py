"""The Module system against torch.nn.Module: registration, traversal, state_dict, repr, errors."""
from collections import OrderedDict

import numpy as np
import pytest
import torch

import refnn


def build(nn):
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 2)
            self.register_buffer("scale", _ones(nn, 2))
            self.register_buffer("cache", _ones(nn, 2), persistent=False)
            self.register_parameter("unused", None)
            self.plain_list = [nn.Linear(2, 2)]          # a plain list is not registered

        def forward(self, x):
            return self.fc(x) * self.scale

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.alpha = nn.Parameter(_ones(nn, 1))
            self.block = Block()
            self.seq = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
            self.layers = nn.ModuleList([nn.Linear(1, 1), nn.Linear(1, 1)])
            self.heads = nn.ModuleDict({"b": nn.Linear(1, 2), "a": nn.Identity()})

        def forward(self, x):
            y = self.seq(self.block(x)) * self.alpha
            for layer in self.layers:
                y = layer(y)
            return self.heads["a"](self.heads["b"](y))
    return Net()


def _ones(nn, n):
    if nn is torch.nn:
        return torch.ones(n)
    return refnn.ones(n)


@pytest.fixture()
def pair():
    tm, rm = build(torch.nn), build(refnn.nn)
    rm.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    return tm, rm


def test_names_and_order(pair):
    tm, rm = pair
    assert list(rm.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in rm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert [n for n, _ in rm.named_buffers()] == [n for n, _ in tm.named_buffers()]
    assert [n for n, _ in rm.named_modules()] == [n for n, _ in tm.named_modules()]
    assert [n for n, _ in rm.named_children()] == [n for n, _ in tm.named_children()]
    assert repr(rm) == repr(tm)


def test_forward_backward_matches(pair):
    tm, rm = pair
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    g = np.random.default_rng(1).standard_normal((5, 2)).astype(np.float32)
    yt = tm(torch.from_numpy(x))
    yr = rm(refnn.tensor(x))
    np.testing.assert_allclose(yr.data, yt.detach().numpy(), rtol=1.3e-6, atol=1e-5)
    yt.backward(torch.from_numpy(g))
    yr.backward(g)
    grads_r = dict(rm.named_parameters())
    for name, p in tm.named_parameters():
        np.testing.assert_allclose(grads_r[name].grad.data, p.grad.numpy(), rtol=1.3e-6, atol=1e-5,
                                   err_msg=name)


def _error(fn):
    with pytest.raises(Exception) as info:
        fn()
    return info.value


def test_load_state_dict_errors_match_torch(pair):
    tm, rm = pair
    state = {k: v.numpy() for k, v in tm.state_dict().items()}
    del state["block.fc.bias"]
    state["extra.weight"] = np.zeros(1, np.float32)
    state["seq.0.weight"] = np.zeros((9, 9), np.float32)
    et = _error(lambda: tm.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}))
    before = {k: v.data.copy() for k, v in rm.state_dict().items()}
    er = _error(lambda: rm.load_state_dict(state))
    assert type(er) is type(et)
    assert str(er) == str(et)
    # refnn validates before copying: nothing was applied
    for k, v in rm.state_dict().items():
        np.testing.assert_array_equal(v.data, before[k])


def test_load_state_dict_non_strict(pair):
    tm, rm = pair
    state = {k: v for k, v in tm.state_dict().items() if k != "alpha"}
    state["bogus"] = torch.zeros(1)
    rt = tm.load_state_dict(state, strict=False)
    rr = rm.load_state_dict(state, strict=False)   # torch tensors accepted
    assert rr.missing_keys == rt.missing_keys
    assert rr.unexpected_keys == rt.unexpected_keys
    assert repr(rm.load_state_dict(tm.state_dict())) == repr(tm.load_state_dict(tm.state_dict()))


def test_train_eval_propagate(pair):
    _, rm = pair
    rm.eval()
    assert all(not m.training for m in rm.modules())
    rm.train()
    assert all(m.training for m in rm.modules())


def test_sequential_api():
    for nn in (torch.nn, refnn.nn):
        s = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        assert len(s) == 3
        assert isinstance(s[-1], nn.Linear)
        assert len(s[1:]) == 2 and isinstance(s[1:], nn.Sequential)
        s.append(nn.ReLU())
        assert len(s) == 4 and list(s._modules) == ["0", "1", "2", "3"]
        named = nn.Sequential(OrderedDict([("first", nn.Linear(1, 1))]))
        assert list(named.state_dict()) == ["first.weight", "first.bias"]
    assert repr(refnn.nn.Sequential(refnn.nn.Linear(1, 1), refnn.nn.Linear(1, 1))) == \
        repr(torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.Linear(1, 1)))


def test_modulelist_repr_folds_repeats():
    r = refnn.nn.ModuleList([refnn.nn.Linear(2, 2) for _ in range(3)] + [refnn.nn.ReLU()])
    t = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)] + [torch.nn.ReLU()])
    assert repr(r) == repr(t)


def test_dataparallel_names():
    tm = torch.nn.DataParallel(torch.nn.Sequential(torch.nn.Linear(2, 2)))
    rm = refnn.nn.DataParallel(refnn.nn.Sequential(refnn.nn.Linear(2, 2)))
    assert list(rm.state_dict()) == list(tm.state_dict()) == ["module.0.weight", "module.0.bias"]
    assert repr(rm) == repr(tm)


def test_registration_errors_match_torch():
    for nn in (torch.nn, refnn.nn):
        m = nn.Linear(2, 2)
        with pytest.raises(TypeError):
            m.weight = 3.0
        with pytest.raises(KeyError):
            m.register_buffer("a.b", None)
        with pytest.raises(TypeError):
            m.register_parameter("p", _ones(nn, 1))


def test_dtype_conversion_and_zero_grad():
    m = refnn.nn.Linear(3, 2).double()
    assert m.weight.dtype == np.float64
    y = m(refnn.tensor(np.ones((1, 3))))
    y.sum().backward()
    assert m.weight.grad is not None
    m.zero_grad()
    assert m.weight.grad is None
    m.float()
    assert m.weight.dtype == np.float32


def test_hooks():
    m = refnn.nn.Linear(2, 2)
    seen = []
    handle = m.register_forward_hook(lambda mod, args, out: seen.append(out.shape))
    m(refnn.ones(3, 2))
    handle.remove()
    m(refnn.ones(3, 2))
    assert seen == [(3, 2)]


def test_container_is_torchs_deprecated_module_holder():
    """nn.Container(**modules): torch's FutureWarning, the submodules by name, repr and state_dict keys."""
    import warnings

    import torch
    built = {}
    for lib in (torch, refnn):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            container = lib.nn.Container(first=lib.nn.Linear(2, 3), second=lib.nn.ReLU())
        assert [type(w.message) for w in caught] == [FutureWarning]
        built[lib.__name__] = (container, str(caught[0].message))
    (t, t_msg), (r, r_msg) = built["torch"], built["refnn"]
    assert r_msg == t_msg and repr(r) == repr(t)
    assert list(r.state_dict()) == list(t.state_dict())
    assert [name for name, _ in r.named_children()] == ["first", "second"]

"""refnn.optim against torch.optim (foreach=False, torch's single-tensor CPU update) over 100 steps.

Each optimiser performs, per element, the IEEE operations torch's elementwise kernels perform, including the
fused multiply-adds of torch's vectorised lerp, addcmul and add(alpha=) (see refnn/_kernels/optim.pyx).

- SGD and Adamax use only +, -, *, /, fma, |x| and max: they are held bit-identical (np.array_equal),
  parameters and state, for float32 and float64, against torch's AVX2/AVX-512 CPU build.  torch's default
  (no-SIMD) build, ``ATEN_CPU_CAPABILITY=default``, rounds the products its SIMD builds fuse: against it,
  every comparison here takes FMA_TOL (torch disagrees with itself; refnn follows its SIMD builds).
- Adam, AdamW, RMSprop, Adagrad, Adadelta, NAdam and RAdam take a square root.  torch's CPU ``sqrt`` is
  MKL's vector sqrt (vsSqrt/vdSqrt), which is not correctly rounded: about one result in six (float32) or
  in eighty (float64) is one ulp away from the IEEE square root refnn takes, and which ones depends on MKL's
  code path for the CPU.  These are held to a tolerance that such one-ulp differences, carried through 100
  steps, stay well inside (SQRT_TOL).  With torch's ``sqrt`` replaced by the IEEE square root
  (``ieee_sqrt``), all of them are held bit-identical too: every other operation is the same as torch's.
"""
import numpy as np
import pytest
import torch

import refnn

SHAPES = [(37,), (5, 7), (3,)]

# (class name, options): each optimiser's options, alone and combined
CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.5, weight_decay=0.1, maximize=True)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, maximize=True, weight_decay=0.05)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.6))),       # 1 - beta1 >= 0.5: lerp from the other end
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1, maximize=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.3, centered=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-6)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4)),
    ("Adadelta", dict(weight_decay=0.1, maximize=True)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, betas=(0.7, 0.9), eps=1e-4)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.9))),         # rho_t > 5 from step 6 on: both branches
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
]
IDS = [f"{name}-{kwargs}" for name, kwargs in CASES]
EXACT = {"SGD", "Adamax"}
# one-ulp square roots (see above), carried through 100 steps
SQRT_TOL = {np.dtype("float32"): dict(rtol=1e-5, atol=1e-6), np.dtype("float64"): dict(rtol=1e-12, atol=1e-14)}
# torch's default (no-SIMD) build: its unfused products differ from refnn's fused ones by an ulp (see above)
TORCH_FUSES = torch.backends.cpu.get_cpu_capability() != "DEFAULT"
FMA_TOL = SQRT_TOL


def _make(name, kwargs, dtype, rng, groups=False):
    """The same parameters in torch and refnn; two groups (the second at a tenth of the lr) if asked."""
    values = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    tparams = [torch.nn.Parameter(torch.from_numpy(v.copy())) for v in values]
    rparams = [refnn.nn.Parameter(v.copy()) for v in values]
    if groups:
        lr = kwargs.get("lr", 0.01) / 10
        tparams = [{"params": tparams[:2]}, {"params": tparams[2:], "lr": lr}]
        rparams = [{"params": rparams[:2]}, {"params": rparams[2:], "lr": lr}]
    topt = getattr(torch.optim, name)(tparams, foreach=False, **kwargs)
    ropt = getattr(refnn.optim, name)(rparams, **kwargs)
    return topt, ropt


def _params(opt):
    return [p for g in opt.param_groups for p in g["params"]]


def _steps(topt, ropt, rng, dtype, count):
    for step in range(count):
        for i, (tp, rp) in enumerate(zip(_params(topt), _params(ropt))):
            if i == 2 and step % 7 == 3:         # a parameter without a gradient is skipped
                tp.grad, rp.grad = None, None
                continue
            g = (rng.standard_normal(tp.shape) * (1 + step % 3)).astype(dtype)
            tp.grad = torch.from_numpy(g.copy())
            rp.grad = refnn.tensor(g)
        topt.step()
        ropt.step()


@pytest.fixture
def ieee_sqrt(monkeypatch):
    """torch's Tensor.sqrt and sqrt_ taking the correctly rounded square root (NumPy's)."""
    def sqrt(self):
        return torch.from_numpy(np.asarray(np.sqrt(self.detach().numpy())))

    def sqrt_(self):
        return self.copy_(sqrt(self))
    monkeypatch.setattr(torch.Tensor, "sqrt", sqrt)
    monkeypatch.setattr(torch.Tensor, "sqrt_", sqrt_)


def _check(got, want, exact, msg):
    if exact and TORCH_FUSES:
        np.testing.assert_array_equal(got, want, err_msg=msg)
    else:
        np.testing.assert_allclose(got, want, err_msg=msg, **SQRT_TOL[np.asarray(want).dtype])


def _assert_same(topt, ropt, exact=False):
    exact = exact or type(ropt).__name__ in EXACT
    for i, (tp, rp) in enumerate(zip(_params(topt), _params(ropt))):
        _check(rp.data, tp.detach().numpy(), exact, f"param {i}")
        assert rp.data.dtype == tp.detach().numpy().dtype
        tstate, rstate = topt.state[tp], ropt.state[rp]
        assert list(rstate) == list(tstate), f"param {i} state names"
        for key, value in tstate.items():
            got = rstate[key]
            if isinstance(value, torch.Tensor):
                assert isinstance(got, refnn.Tensor), key
                assert got.data.dtype == value.numpy().dtype and got.shape == tuple(value.shape), key
                _check(got.data, value.numpy(), exact or key == "step", f"param {i} state {key}")
            else:
                assert got == value, key


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_optimizer_matches_torch_over_100_steps(name, kwargs, dtype):
    rng = np.random.default_rng(0)
    topt, ropt = _make(name, kwargs, dtype, rng, groups=True)
    _steps(topt, ropt, rng, dtype, 100)
    _assert_same(topt, ropt)


@pytest.mark.parametrize("name,kwargs", [c for c in CASES if c[0] not in EXACT],
                         ids=[i for c, i in zip(CASES, IDS) if c[0] not in EXACT])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_optimizer_bit_identical_to_torch_with_ieee_sqrt(name, kwargs, dtype, ieee_sqrt):
    rng = np.random.default_rng(0)
    topt, ropt = _make(name, kwargs, dtype, rng, groups=True)
    _steps(topt, ropt, rng, dtype, 100)
    _assert_same(topt, ropt, exact=True)


def test_bits_do_not_depend_on_the_thread_count(monkeypatch):
    from refnn._functions import _util
    monkeypatch.setattr(_util, "PARALLEL_MIN_WORK", 0)       # share out even this small parameter
    results = []
    for threads in (1, 2, 3):
        previous = refnn.get_num_threads()
        refnn.set_num_threads(threads)
        try:
            rng = np.random.default_rng(9)
            ropt = refnn.optim.RMSprop([refnn.nn.Parameter(rng.standard_normal(1001))], lr=0.01, momentum=0.9,
                                       centered=True)
            for _ in range(5):
                ropt.param_groups[0]["params"][0].grad = refnn.tensor(rng.standard_normal(1001))
                ropt.step()
            results.append(ropt.param_groups[0]["params"][0].data.copy())
        finally:
            refnn.set_num_threads(previous)
    assert all(np.array_equal(results[0], r) for r in results[1:])


def _layout(sd):
    """A state_dict's structure: state indices and entry names, and the groups as plain values."""
    return ({k: list(v) for k, v in sd["state"].items()},
            [{k: v for k, v in g.items()} for g in sd["param_groups"]])


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_state_dict_layout_matches_torch(name, kwargs):
    rng = np.random.default_rng(1)
    topt, ropt = _make(name, kwargs, "float32", rng, groups=True)
    _steps(topt, ropt, rng, "float32", 3)
    tsd, rsd = topt.state_dict(), ropt.state_dict()
    assert list(rsd) == list(tsd) == ["state", "param_groups"]
    t_state, t_groups = _layout(tsd)
    r_state, r_groups = _layout(rsd)
    for g in t_groups:
        g["foreach"] = None                      # torch was asked for foreach=False; refnn's default
    assert r_state == t_state
    assert r_groups == t_groups
    for index, entry in tsd["state"].items():
        for key, value in entry.items():
            if isinstance(value, torch.Tensor):
                _check(rsd["state"][index][key].data, value.numpy(), name in EXACT or key == "step", key)


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_torch_checkpoint_loads_through_refnn_load_and_continues(name, kwargs, tmp_path):
    """torch runs 40 steps and saves its optimizer; refnn loads that file and both run 60 more: same bits."""
    rng = np.random.default_rng(2)
    topt, ropt = _make(name, kwargs, "float32", rng)
    grads_rng = np.random.default_rng(3)
    for step in range(40):
        for tp in _params(topt):
            tp.grad = torch.from_numpy(grads_rng.standard_normal(tp.shape).astype("float32"))
        topt.step()
    path = str(tmp_path / "optim.pt")
    torch.save(topt.state_dict(), path)
    for tp, rp in zip(_params(topt), _params(ropt)):
        rp.data[...] = tp.detach().numpy()
    ropt.load_state_dict(refnn.load(path))
    _steps(topt, ropt, grads_rng, "float32", 60)
    _assert_same(topt, ropt)


def test_repr_matches_torch():
    rng = np.random.default_rng(5)
    for name, kwargs in CASES[::3]:
        topt, ropt = _make(name, kwargs, "float32", rng, groups=True)
        assert repr(ropt) == repr(topt).replace("foreach: False", "foreach: None")


BAD = {
    "SGD": [dict(lr=-1), dict(lr=0.1, momentum=-1), dict(lr=0.1, weight_decay=-1), dict(lr=0.1, nesterov=True),
            dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)],
    "Adam": [dict(lr=-1), dict(eps=-1), dict(betas=(1.0, 0.9)), dict(betas=(0.9, -0.1)), dict(weight_decay=-1),
             dict(betas=(0.5, 0))],
    "AdamW": [dict(lr=-0.5), dict(betas=(0.9, 1.0))],
    "RMSprop": [dict(lr=-1), dict(eps=-1), dict(momentum=-1), dict(weight_decay=-1), dict(alpha=-1)],
    "Adagrad": [dict(lr=-1), dict(lr_decay=-1), dict(weight_decay=-1), dict(initial_accumulator_value=-1),
                dict(eps=-1)],
    "Adadelta": [dict(lr=-1), dict(rho=1.5), dict(rho=-0.1), dict(eps=-1), dict(weight_decay=-1)],
    "Adamax": [dict(lr=-1), dict(eps=-1), dict(betas=(-0.1, 0.9)), dict(weight_decay=-1)],
    "NAdam": [dict(lr=-1), dict(eps=-1), dict(betas=(0.9, 1.5)), dict(weight_decay=-1), dict(momentum_decay=-1)],
    "RAdam": [dict(lr=-1), dict(eps=-1), dict(betas=(2.0, 0.9)), dict(weight_decay=-1)],
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_argument_errors_match_torch(name):
    for kwargs in BAD[name]:
        with pytest.raises(ValueError) as expected:
            getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(2))], **kwargs)
        with pytest.raises(ValueError) as got:
            getattr(refnn.optim, name)([refnn.nn.Parameter(np.zeros(2, np.float32))], **kwargs)
        assert str(got.value) == str(expected.value), kwargs


def test_group_errors_match_torch():
    for lib, make in ((torch, lambda: torch.nn.Parameter(torch.zeros(2))),
                      (refnn, lambda: refnn.nn.Parameter(np.zeros(2, np.float32)))):
        p = make()
        with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
            lib.optim.Adam([])
        with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
            lib.optim.Adam([{"params": [p]}, {"params": [p]}])
        with pytest.raises(TypeError, match="ordered collections"):
            lib.optim.Adam([{"params": {p}}])
        opt = lib.optim.Adam([p])
        with pytest.raises(ValueError, match="different number of parameter groups"):
            opt.load_state_dict({"state": {}, "param_groups": []})


@pytest.mark.parametrize("name", ["Adam", "RMSprop", "Adadelta", "Adamax", "NAdam", "RAdam"])
def test_capturable_refused_at_step_as_torch_refuses_on_cpu(name):
    messages = []
    for lib, p in ((torch, torch.nn.Parameter(torch.ones(3))),
                   (refnn, refnn.nn.Parameter(np.ones(3, np.float32)))):
        opt = getattr(lib.optim, name)([p], capturable=True)
        p.grad = torch.ones(3) if lib is torch else refnn.ones(3)
        with pytest.raises(AssertionError) as info:
            opt.step()
        messages.append(str(info.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad"])
def test_fused_and_foreach_accepted_and_compute_the_single_tensor_update(name):
    """torch accepts fused=True and foreach=True on the CPU (and refuses both together); refnn accepts
    them and computes the single-tensor (foreach=False) update, so its bits equal torch's foreach=False."""
    kwargs = dict(lr=0.01, momentum=0.9) if name == "SGD" else dict(lr=0.01)
    for flag in (dict(fused=True), dict(foreach=True)):
        rng = np.random.default_rng(6)
        topt, _ = _make(name, kwargs, "float32", rng)
        ropt = getattr(refnn.optim, name)([refnn.nn.Parameter(p.detach().numpy().copy()) for p in _params(topt)],
                                          **kwargs, **flag)
        _steps(topt, ropt, rng, "float32", 20)
        _assert_same(topt, ropt)
        assert ropt.param_groups[0][next(iter(flag))] is True
    for lib, p in ((torch, torch.nn.Parameter(torch.ones(3))), (refnn, refnn.nn.Parameter(np.ones(3, np.float32)))):
        with pytest.raises(RuntimeError, match="`fused` and `foreach` cannot be `True` together."):
            getattr(lib.optim, name)([p], lr=0.1, fused=True, foreach=True)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "NAdam"])
def test_differentiable_refused_clearly(name):
    """torch's differentiable=True records the step in autograd; refnn's steps are not recorded."""
    getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(3))], lr=0.1, differentiable=True)
    with pytest.raises(RuntimeError, match="differentiable=True is not supported"):
        getattr(refnn.optim, name)([refnn.nn.Parameter(np.ones(3, np.float32))], lr=0.1, differentiable=True)


def test_zero_grad_set_to_none_and_to_zeros():
    p = refnn.nn.Parameter(np.ones(3, np.float32))
    opt = refnn.optim.Adam([p])
    p.grad = refnn.ones(3)
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.data, np.zeros(3, np.float32))
    opt.zero_grad()
    assert p.grad is None


def test_add_param_group_takes_defaults_and_trains_the_new_group():
    rng = np.random.default_rng(7)
    topt, ropt = _make("Adam", dict(lr=0.01), "float64", rng)
    extra = rng.standard_normal(4)
    tp, rp = torch.nn.Parameter(torch.from_numpy(extra.copy())), refnn.nn.Parameter(extra.copy())
    topt.add_param_group({"params": tp, "betas": (0.5, 0.9)})
    ropt.add_param_group({"params": rp, "betas": (0.5, 0.9)})
    assert {k: v for k, v in ropt.param_groups[1].items() if k != "params"} == \
        {k: v for k, v in topt.param_groups[1].items() if k != "params"} | {"foreach": None}
    _steps(topt, ropt, rng, "float64", 10)
    _assert_same(topt, ropt)


def test_closure_loss_is_returned():
    p = refnn.nn.Parameter(np.ones(3, np.float32))
    opt = refnn.optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 3.0
    np.testing.assert_array_equal(p.data, np.full(3, np.float32(1) - np.float32(0.1) * np.float32(2)))


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"])
def test_zero_dim_empty_and_non_contiguous_parameters(name):
    """A 0-d parameter, an empty one and a transposed (non-contiguous) one are updated as torch updates them."""
    rng = np.random.default_rng(8)
    base = rng.standard_normal((4, 6))
    values = [np.array(0.7), np.zeros((0, 3)), base.T]
    kwargs = dict(lr=0.01, momentum=0.5) if name in ("SGD", "RMSprop") else dict(lr=0.01)
    tparams = [torch.nn.Parameter(torch.from_numpy(np.array(v, order="C"))) for v in values]
    rparams = [refnn.nn.Parameter(v.copy()) for v in values[:2]] + [refnn.nn.Parameter(base.copy().T)]
    assert not rparams[2].data.flags.c_contiguous
    topt = getattr(torch.optim, name)(tparams, foreach=False, **kwargs)
    ropt = getattr(refnn.optim, name)(rparams, **kwargs)
    for _ in range(5):
        for tp, rp in zip(tparams, rparams):
            g = rng.standard_normal(tp.shape)
            tp.grad = torch.from_numpy(g.copy())
            rp.grad = refnn.tensor(g)
        topt.step()
        ropt.step()
    for tp, rp in zip(tparams, rparams):
        assert rp.shape == tuple(tp.shape)
        _check(rp.data, tp.detach().numpy(), name in EXACT, name)


def test_hooks_run_as_torch_runs_them():
    logs = []
    for lib, p in ((torch, torch.nn.Parameter(torch.ones(3))), (refnn, refnn.nn.Parameter(np.ones(3, np.float32)))):
        log = []
        opt = lib.optim.SGD([p], lr=0.1)
        pre = opt.register_step_pre_hook(lambda o, a, k: log.append(("pre", len(a), sorted(k))))
        opt.register_step_post_hook(lambda o, a, k: log.append(("post", len(a), sorted(k))))
        opt.register_state_dict_pre_hook(lambda o: log.append("sd pre"))
        opt.register_state_dict_post_hook(lambda o, sd: dict(sd, extra=1))
        opt.register_state_dict_post_hook(lambda o, sd: log.append(("sd post", sorted(sd))), prepend=True)
        opt.register_load_state_dict_pre_hook(lambda o, sd: log.append(("load pre", sorted(sd))))
        opt.register_load_state_dict_post_hook(lambda o: log.append("load post"))
        p.grad = torch.ones(3) if lib is torch else refnn.ones(3)
        opt.step()
        opt.step(closure=None)
        pre.remove()
        opt.step()
        sd = opt.state_dict()
        log.append(sorted(sd))
        opt.load_state_dict({k: v for k, v in sd.items() if k != "extra"})
        logs.append(log)
    assert logs[1] == logs[0]
